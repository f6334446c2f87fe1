/**
 * Settings: the host keeps them (figma.clientStorage; the iframe cannot store anything) and
 * sends them in `init`; the UI reads them with the protocol's schema (readSettings), and sends `save-settings` (debounced) when
 * the user changes one.
 */
import { readSettings, type Settings } from '../plugin/protocol.js';

/** A complete Settings from what the host sent or the user changed: the protocol's one schema, values clamped to its ranges. */
export function sanitizeSettings(s: Partial<Settings> | undefined): Settings {
  return readSettings(s).settings;
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
