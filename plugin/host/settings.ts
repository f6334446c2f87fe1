/**
 * Settings and extra model sources in the host's plugin storage (HostStore). What is read back
 * is validated field by field: a missing or malformed field falls back to DEFAULT_SETTINGS, so
 * a record from an older or newer version never breaks the plugin.
 */
import { DEFAULT_SETTINGS, MAX_UI_SIZE, MIN_UI_SIZE, type ModelSourceSpec, type OutputKind, type Settings } from '../protocol.js';
import type { HostStore } from './contract.js';
import { sanitizeTimings } from '../timings.js';

export const SETTINGS_KEY = 'settings.v1';
/** Extra models for the picker (test harnesses, self-hosted copies): ModelSourceSpec[]. */
export const MODELS_KEY = 'models.v1';

/** The plugin window's size the user last chose: { width, height }. */
export const UI_SIZE_KEY = 'ui-size.v1';

const OUTPUTS: readonly OutputKind[] = ['cutout', 'vector-mask', 'outline'];
const STRATEGIES: readonly Settings['strategy'][] = ['salient', 'salient+sam'];

const inRange = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;

/** A complete Settings from anything (unknown fields dropped, bad ones defaulted), plus what was wrong. */
export function validateSettings(value: unknown): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  if (value !== undefined && (typeof value !== 'object' || value === null)) problems.push('stored settings are not an object');
  const s: Settings = { ...DEFAULT_SETTINGS };
  const take = <K extends keyof Settings>(key: K, ok: (x: unknown) => boolean) => {
    if (!(key in v)) return;
    if (ok(v[key])) s[key] = v[key] as Settings[K];
    else problems.push(`${key}: ${JSON.stringify(v[key])} is not valid`);
  };
  take('output', (x) => OUTPUTS.includes(x as OutputKind));
  take('modelId', (x) => typeof x === 'string' && x.length > 0 && x.length < 200);
  take('feather', (x) => inRange(x, 0, 100));
  take('smoothing', (x) => inRange(x, 0, 100));
  take('hideSource', (x) => typeof x === 'boolean');
  take('largestOnly', (x) => typeof x === 'boolean');
  take('fillHoles', (x) => typeof x === 'boolean');
  take('strategy', (x) => STRATEGIES.includes(x as Settings['strategy']));
  take('threshold', (x) => inRange(x, 0, 1));
  take('salientModelId', (x) => typeof x === 'string' && x.length > 0 && x.length < 200);
  // Measurements, not choices: whatever is malformed is dropped silently (never a problem to report).
  const timings = sanitizeTimings(v.timings);
  if (timings) s.timings = timings;
  return { settings: s, problems };
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
