/**
 * How long the waits took on this machine in earlier sessions, kept with the settings (the
 * iframe cannot store anything itself) so the next session's progress bars are estimates
 * instead of elapsed counters. Small and self-healing: every number is bounded, anything
 * malformed is dropped, and only the most recently used models are kept.
 */

/** What one model's waits took here. */
export interface ModelTimings {
  /** Creating its inference sessions, ms. */
  openMs?: number;
  /** The first encode in a freshly started runtime (what the user waits for at open), ms. */
  firstEncodeMs?: number;
  /** A later encode in the same runtime, ms. */
  encodeMs?: number;
  /** Larger is more recent: which entries to keep. */
  used: number;
}

export interface LearnedTimings {
  /** Download speed seen last, bytes per second. */
  downloadBps?: number;
  models: Record<string, ModelTimings>;
}

export type TimingKind = 'openMs' | 'firstEncodeMs' | 'encodeMs';

const KINDS: readonly TimingKind[] = ['openMs', 'firstEncodeMs', 'encodeMs'];
/** Models remembered at most. */
export const MAX_TIMED_MODELS = 8;
const MAX_MS = 30 * 60_000;
const MAX_BPS = 1e10;

const positive = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= max;

/** A valid record from anything (undefined when nothing valid is left). */
export function sanitizeTimings(value: unknown): LearnedTimings | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { downloadBps?: unknown; models?: unknown };
  const out: LearnedTimings = { models: {} };
  if (positive(v.downloadBps, MAX_BPS)) out.downloadBps = v.downloadBps;
  const models = v.models && typeof v.models === 'object' ? (v.models as Record<string, unknown>) : {};
  const entries: Array<[string, ModelTimings]> = [];
  for (const [id, m] of Object.entries(models)) {
    if (!id || id.length > 200 || !m || typeof m !== 'object') continue;
    const r = m as Record<string, unknown>;
    const t: ModelTimings = { used: typeof r.used === 'number' && Number.isFinite(r.used) ? r.used : 0 };
    for (const k of KINDS) if (positive(r[k], MAX_MS)) t[k] = r[k];
    if (KINDS.some((k) => t[k] !== undefined)) entries.push([id, t]);
  }
  entries.sort((a, b) => b[1].used - a[1].used);
  for (const [id, t] of entries.slice(0, MAX_TIMED_MODELS)) out.models[id] = t;
  if (out.downloadBps === undefined && !Object.keys(out.models).length) return undefined;
  return out;
}

/**
 * A new measurement folded into what was known: the mean of the old estimate and the new
 * figure, so one odd run moves the estimate halfway, and a machine that got slower (or
 * faster) is followed within a few runs.
 */
function blend(old: number | undefined, x: number): number {
  return old === undefined ? x : (old + x) / 2;
}

/** `timings` with one more measurement of model `modelId` (a new object; the oldest models dropped). */
export function learnTiming(timings: LearnedTimings | undefined, modelId: string, kind: TimingKind, ms: number): LearnedTimings {
  const base = sanitizeTimings(timings) ?? { models: {} };
  if (!positive(ms, MAX_MS)) return base;
  const used = Math.max(0, ...Object.values(base.models).map((m) => m.used)) + 1;
  const old = base.models[modelId];
  const next: ModelTimings = { ...old, used, [kind]: blend(old?.[kind], ms) };
  return sanitizeTimings({ ...base, models: { ...base.models, [modelId]: next } })!;
}

/** `timings` with a download speed measured (bytes over ms). */
export function learnDownload(timings: LearnedTimings | undefined, bytes: number, ms: number): LearnedTimings {
  const base = sanitizeTimings(timings) ?? { models: {} };
  // Too short a download says more about latency than speed.
  if (!(bytes >= 256 * 1024) || !(ms >= 200)) return base;
  const bps = (bytes / ms) * 1000;
  return { ...base, downloadBps: blend(base.downloadBps, bps) };
}
