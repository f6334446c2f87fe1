/**
 * Settings and extra model sources in the host's plugin storage (HostStore). What is read back
 * is read with the protocol's schema (readSettings): a missing or malformed field falls back to
 * DEFAULT_SETTINGS and a number out of range is clamped, so a record from an older or newer
 * version never breaks the plugin.
 */
import { DEFAULT_SETTINGS, MAX_UI_SIZE, MIN_UI_SIZE, readSettings, type ModelSourceSpec, type Settings } from '../protocol.js';
import type { HostStore } from './contract.js';

export const SETTINGS_KEY = 'settings.v1';
/** Extra models for the picker (test harnesses, self-hosted copies): ModelSourceSpec[]. */
export const MODELS_KEY = 'models.v1';

/** The plugin window's size the user last chose: { width, height }. */
export const UI_SIZE_KEY = 'ui-size.v1';

/** A complete Settings from anything stored or sent, plus what was wrong: the protocol's one schema. */
export function validateSettings(value: unknown): { settings: Settings; problems: string[] } {
  return readSettings(value);
}

export async function loadSettings(store: HostStore): Promise<Settings> {
  try {
    return validateSettings(await store.get(SETTINGS_KEY)).settings;
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

/** Saves the valid part of `settings`; returns what was saved (throws on storage errors). */
export async function saveSettings(store: HostStore, settings: unknown): Promise<Settings> {
  const { settings: clean } = validateSettings(settings);
  await store.set(SETTINGS_KEY, clean);
  return clean;
}

export function isModelSpec(x: unknown): x is ModelSourceSpec {
  const m = x as ModelSourceSpec;
  return (
    !!m &&
    typeof m === 'object' &&
    typeof m.id === 'string' &&
    m.id.length > 0 &&
    typeof m.baseUrl === 'string' &&
    Array.isArray(m.files) &&
    m.files.length > 0 &&
    m.files.every((f) => typeof f === 'string' && f.length > 0) &&
    (m.kind === undefined || m.kind === 'sam' || m.kind === 'salient') &&
    (m.name === undefined || typeof m.name === 'string') &&
    (m.license === undefined || typeof m.license === 'string')
  );
}

/** Extra models stored under MODELS_KEY (invalid entries dropped). */
export async function loadExtraModels(store: HostStore): Promise<ModelSourceSpec[]> {
  try {
    const v: unknown = await store.get(MODELS_KEY);
    return Array.isArray(v) ? v.filter(isModelSpec) : [];
  } catch {
    return [];
  }
}

/** A window size within MIN_UI_SIZE..MAX_UI_SIZE, whole pixels; `fallback` for what is not a number. */
export function clampUiSize(width: unknown, height: unknown, fallback: { width: number; height: number }): { width: number; height: number } {
  const side = (v: unknown, lo: number, hi: number, d: number) => Math.round(Math.min(hi, Math.max(lo, typeof v === 'number' && Number.isFinite(v) ? v : d)));
  return {
    width: side(width, MIN_UI_SIZE.width, MAX_UI_SIZE.width, fallback.width),
    height: side(height, MIN_UI_SIZE.height, MAX_UI_SIZE.height, fallback.height),
  };
}

/** The remembered window size, clamped; `fallback` when none was stored or it cannot be read. */
export async function loadUiSize(store: HostStore, fallback: { width: number; height: number }): Promise<{ width: number; height: number }> {
  try {
    const v = (await store.get(UI_SIZE_KEY)) as { width?: unknown; height?: unknown } | undefined;
    return v && typeof v === 'object' ? clampUiSize(v.width, v.height, fallback) : fallback;
  } catch {
    return fallback;
  }
}
