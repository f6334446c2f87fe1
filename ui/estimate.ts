/**
 * A determinate progress bar for a wait made of stages (download, opening the model,
 * analysing the image), each with an estimate of how long it takes here (plugin/timings.ts:
 * learned from earlier runs). A stage with its own measure (bytes) reports it; the others
 * advance with the clock against their estimate. The fraction shown never goes back, reaches
 * 1 only when every stage is done, and a stage that overruns its estimate slows down towards
 * its end instead of stopping at 100 %: the bar stays honest about "not done yet".
 */

export interface StageSpec {
  key: string;
  /** Expected duration, ms (> 0). */
  estimateMs: number;
}

interface StageState extends StageSpec {
  startedAt?: number;
  doneAt?: number;
  /** Own measure of progress (bytes), when the stage has one. */
  measured?: number;
}

/** Of a stage expected to take `estimate`: how far it is after `elapsed` (0..1, below 1). */
export function timeFraction(elapsed: number, estimate: number): number {
  if (!(elapsed > 0)) return 0;
  const knee = 0.85;
  const x = elapsed / estimate;
  if (x <= knee) return x;
  // Past the knee: the remaining 15 % are approached exponentially (half of what is left per
  // half an estimate), so an overrun keeps moving a little and never arrives.
  return Math.min(0.995, knee + (1 - knee) * (1 - Math.pow(2, -(x - knee) / 0.5)));
}

export class StagedProgress {
  private readonly stages: StageState[];
  private shown = 0;

  constructor(stages: readonly StageSpec[]) {
    if (!stages.length) throw new Error('StagedProgress needs at least one stage');
    this.stages = stages.map((s) => ({ ...s, estimateMs: Math.max(1, s.estimateMs) }));
  }

  private stage(key: string): StageState {
    const s = this.stages.find((x) => x.key === key);
    if (!s) throw new Error(`no stage ${key}`);
    return s;
  }

  /** Stage `key` started at `now` (earlier stages are taken as done). */
  start(key: string, now: number): void {
    const i = this.stages.findIndex((x) => x.key === key);
    if (i < 0) throw new Error(`no stage ${key}`);
    for (const s of this.stages.slice(0, i)) this.finish(s.key, now);
    const s = this.stages[i]!;
    s.startedAt ??= now;
  }

  /** Stage `key` has measured progress `fraction` (0..1) at `now`. */
  measure(key: string, fraction: number, now: number): void {
    this.start(key, now);
    const s = this.stage(key);
    s.measured = Math.max(s.measured ?? 0, Math.min(1, Math.max(0, fraction)));
  }

  finish(key: string, now: number): void {
    const s = this.stage(key);
    s.startedAt ??= now;
    s.doneAt ??= now;
  }

  /** A stage's estimate replaced (e.g. the download's, once its size is known). */
  reestimate(key: string, estimateMs: number): void {
    this.stage(key).estimateMs = Math.max(1, estimateMs);
  }

  get done(): boolean {
    return this.stages.every((s) => s.doneAt !== undefined);
  }

  private stageFraction(s: StageState, now: number): number {
    if (s.doneAt !== undefined) return 1;
    if (s.startedAt === undefined) return 0;
    if (s.measured !== undefined) return Math.min(0.999, s.measured);
    return timeFraction(now - s.startedAt, s.estimateMs);
  }

  /** The share of the whole wait behind us at `now`: determinate, never lower than before. */
  fraction(now: number): number {
    if (this.done) return (this.shown = 1);
    const total = this.stages.reduce((a, s) => a + s.estimateMs, 0);
    const behind = this.stages.reduce((a, s) => a + s.estimateMs * this.stageFraction(s, now), 0);
    this.shown = Math.max(this.shown, Math.min(0.999, behind / total));
    return this.shown;
  }

  /**
   * Time left at `now`, ms, from the estimates (a measured stage: its rate so far); undefined
   * once a stage overran its estimate (the UI then says so instead of counting below zero).
   */
  remainingMs(now: number): number | undefined {
    let left = 0;
    for (const s of this.stages) {
      if (s.doneAt !== undefined) continue;
      if (s.startedAt === undefined) {
        left += s.estimateMs;
        continue;
      }
      const elapsed = now - s.startedAt;
      if (s.measured !== undefined && s.measured > 0.05 && elapsed > 500) {
        left += (elapsed / s.measured) * (1 - s.measured);
        continue;
      }
      if (s.measured !== undefined) {
        left += s.estimateMs * (1 - s.measured);
        continue;
      }
      if (elapsed > s.estimateMs) return undefined;
      left += s.estimateMs - elapsed;
    }
    return left;
  }
}
