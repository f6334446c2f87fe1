/**
 * Settings: the host keeps them (figma.clientStorage; the iframe cannot store anything) and
 * sends them in `init`; the UI sanitises them, and sends `save-settings` (debounced) when
 * the user changes one.
 */
import { DEFAULT_SETTINGS, type OutputKind, type Settings } from '../plugin/protocol.js';
import { sanitizeTimings } from '../plugin/timings.js';

const OUTPUTS: readonly OutputKind[] = ['cutout', 'vector-mask', 'outline'];

function num(v: unknown, min: number, max: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
}

/** Defaults for missing or malformed fields, values clamped to what the controls allow. */
export function sanitizeSettings(s: Partial<Settings> | undefined): Settings {
  const d = DEFAULT_SETTINGS;
  const v = s ?? {};
  const out: Settings = {
    output: OUTPUTS.includes(v.output as OutputKind) ? (v.output as OutputKind) : d.output,
    modelId: typeof v.modelId === 'string' && v.modelId ? v.modelId : d.modelId,
    feather: num(v.feather, 0, 100, d.feather),
    smoothing: num(v.smoothing, 0.2, 10, d.smoothing),
    hideSource: typeof v.hideSource === 'boolean' ? v.hideSource : d.hideSource,
    largestOnly: typeof v.largestOnly === 'boolean' ? v.largestOnly : d.largestOnly,
    fillHoles: typeof v.fillHoles === 'boolean' ? v.fillHoles : d.fillHoles,
    strategy: v.strategy === 'salient+sam' ? 'salient+sam' : 'salient',
    threshold: num(v.threshold, 0.01, 1, d.threshold),
  };
  if (typeof v.salientModelId === 'string' && v.salientModelId) out.salientModelId = v.salientModelId;
  const timings = sanitizeTimings(v.timings);
  if (timings) out.timings = timings;
  return out;
}

export class SettingsStore {
  private value: Settings = sanitizeSettings(undefined);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(s: Settings) => void>();

  constructor(
    private readonly save: (s: Settings) => void,
    private readonly delayMs = 400,
  ) {}

  get(): Settings {
    return this.value;
  }

  /** From the host: no save back. */
  load(s: Partial<Settings> | undefined): Settings {
    this.value = sanitizeSettings(s);
    this.listeners.forEach((l) => l(this.value));
    return this.value;
  }

  set(patch: Partial<Settings>): Settings {
    this.value = sanitizeSettings({ ...this.value, ...patch });
    this.listeners.forEach((l) => l(this.value));
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
    return this.value;
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.save(this.value);
  }

  subscribe(fn: (s: Settings) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
