/**
 * The two waits before the first mask, shown as determinate bars with time left: loading a
 * model (download, then creating its sessions: one bar) and analysing an image. Estimates
 * come from earlier runs on this machine (plugin/timings.ts, saved with the settings); each
 * wait measured here is learned for the next one. Fed with the engine's events; knows
 * nothing of the DOM (the caller shows the states), so it runs under unit tests as is.
 */
import { learnDownload, learnTiming, type LearnedTimings } from '../plugin/timings.js';
import { StagedProgress } from './estimate.js';
import { formatBytes, formatTimeLeft } from './format.js';

export type WaitOwner = 'model' | 'encode';

export interface WaitState {
  label: string;
  detail: string;
  fraction: number;
}

export interface WaitsDeps {
  /** `refresh`: only the clock moved (the caller may keep another task's strip up). */
  show(owner: WaitOwner, state: WaitState, refresh: boolean): void;
  hide(owner: WaitOwner): void;
  timings(): LearnedTimings | undefined;
  saveTimings(t: LearnedTimings): void;
  now(): number;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

/** Guesses for a machine that has not run the model yet. */
export const FIRST_GUESS = {
  /** A household connection. */
  downloadBps: 4e6,
  /** Session creation per byte of model (≈ 3.7 s for SlimSAM-77 int8's 25 MB in Chromium). */
  openMsPerByte: 3.7e3 / 25.2e6,
  /** An encoder run of a small SAM in one wasm thread. */
  encodeMs: 8000,
};

interface ModelRef {
  id: string;
  name: string;
}

interface Loading {
  model: ModelRef;
  progress: StagedProgress;
  phase: 'download' | 'open';
  loaded: number;
  total: number;
  /** When bytes first came from the network (not the store), and how many were in hand then. */
  netStart?: { at: number; loaded: number };
  openAt?: number;
}

interface Analysing {
  modelId: string;
  first: boolean;
  progress: StagedProgress;
}

export class Waits {
  private loading: Loading | undefined;
  private analysing: Analysing | undefined;
  private stopTick: (() => void) | undefined;

  constructor(private readonly deps: WaitsDeps) {}

  private timingsOf(id: string) {
    return this.deps.timings()?.models[id];
  }

  /** The session-creation estimate for a model of `bytes`. */
  openEstimate(id: string, bytes: number): number {
    return this.timingsOf(id)?.openMs ?? Math.max(300, bytes * FIRST_GUESS.openMsPerByte);
  }

  /** The analysis estimate: the first encode in a fresh runtime costs more than later ones. */
  encodeEstimate(id: string, first: boolean): number {
    const t = this.timingsOf(id);
    if (first) return t?.firstEncodeMs ?? (t?.encodeMs !== undefined ? t.encodeMs * 1.5 : FIRST_GUESS.encodeMs);
    return t?.encodeMs ?? t?.firstEncodeMs ?? FIRST_GUESS.encodeMs;
  }

  /** Bytes of the model arrived (from the network or the store). */
  download(model: ModelRef, loaded: number, total: number): void {
    const now = this.deps.now();
    let l = this.loading;
    if (!l || l.model.id !== model.id || l.phase !== 'download') {
      const bps = this.deps.timings()?.downloadBps ?? FIRST_GUESS.downloadBps;
      l = this.loading = {
        model,
        phase: 'download',
        loaded,
        total,
        progress: new StagedProgress([
          // What is still to come, at the speed seen before.
          { key: 'download', estimateMs: (Math.max(0, total - loaded) / bps) * 1000 },
          { key: 'open', estimateMs: this.openEstimate(model.id, total) },
        ]),
      };
    }
    if (l.netStart === undefined && loaded < total) l.netStart = { at: now, loaded };
    l.loaded = loaded;
    l.total = Math.max(l.total, total);
    if (total > 0) l.progress.measure('download', loaded / total, now);
    if (total > 0 && loaded >= total) {
      l.progress.finish('download', now);
      if (l.netStart) this.save(learnDownload(this.deps.timings(), loaded - l.netStart.loaded, now - l.netStart.at));
    }
    this.render();
  }

  /** The model's files are in hand; its sessions are being created. */
  opening(model: ModelRef): void {
    const now = this.deps.now();
    let l = this.loading;
    if (!l || l.model.id !== model.id) {
      l = this.loading = { model, phase: 'open', loaded: 0, total: 0, progress: new StagedProgress([{ key: 'open', estimateMs: this.openEstimate(model.id, 0) }]) };
    }
    l.phase = 'open';
    l.openAt = now;
    l.progress.start('open', now);
    this.render();
  }

  /** The model is ready (or failed: `ok` false); learns how long opening took. */
  modelDone(model: ModelRef, ok: boolean): void {
    const l = this.loading;
    if (!l || l.model.id !== model.id) return;
    if (ok && l.openAt !== undefined) this.save(learnTiming(this.deps.timings(), model.id, 'openMs', this.deps.now() - l.openAt));
    this.loading = undefined;
    this.deps.hide('model');
    this.render();
  }

  /** An image's analysis started (`first`: the first in this runtime). */
  encoding(modelId: string, first: boolean, startedAt: number): void {
    const progress = new StagedProgress([{ key: 'encode', estimateMs: this.encodeEstimate(modelId, first) }]);
    progress.start('encode', startedAt);
    this.analysing = { modelId, first, progress };
    this.render();
  }

  /** The analysis ended; `ms` is learned unless it came from a cache or failed. */
  encoded(ms: number | undefined): void {
    const a = this.analysing;
    if (!a) return;
    if (ms !== undefined) this.save(learnTiming(this.deps.timings(), a.modelId, a.first ? 'firstEncodeMs' : 'encodeMs', ms));
    this.analysing = undefined;
    this.deps.hide('encode');
    this.render();
  }

  /** The current states (for the caller and tests). */
  states(): { model?: WaitState; encode?: WaitState } {
    const now = this.deps.now();
    const out: { model?: WaitState; encode?: WaitState } = {};
    const l = this.loading;
    if (l) {
      const fraction = l.progress.fraction(now);
      const left = formatTimeLeft(l.progress.remainingMs(now)) || 'a little longer than usual';
      out.model =
        l.phase === 'download'
          ? { label: `Downloading ${l.model.name}`, detail: `${formatBytes(l.loaded)} of ${formatBytes(l.total)} · ${left}`, fraction }
          : { label: `Preparing ${l.model.name}`, detail: left, fraction };
    }
    const a = this.analysing;
    if (a) {
      out.encode = {
        label: 'Analyzing image',
        detail: formatTimeLeft(a.progress.remainingMs(now)) || 'a little longer than usual',
        fraction: a.progress.fraction(now),
      };
    }
    return out;
  }

  private save(t: LearnedTimings): void {
    this.deps.saveTimings(t);
  }

  private render(refresh = false): void {
    const s = this.states();
    // The analysis is what the user waits for once it runs; loading shows until then.
    if (s.encode) this.deps.show('encode', s.encode, refresh);
    else if (s.model) this.deps.show('model', s.model, refresh);
    const active = !!(s.encode || s.model);
    if (active && !this.stopTick) this.stopTick = this.deps.every(200, () => this.render(true));
    if (!active && this.stopTick) {
      this.stopTick();
      this.stopTick = undefined;
    }
  }
}
