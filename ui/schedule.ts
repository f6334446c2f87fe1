/**
 * One inference at a time, two lanes:
 *  - commit: clicks, boxes, undo re-decodes, apply. Never dropped, run in order.
 *  - hover:  previews. At most one waits; a newer hover replaces it (the older one resolves
 *            as superseded without running), and a commit drops the waiting hover.
 * So while a decode is in flight, any number of pointer moves cost one decode afterwards —
 * the newest — and a click never waits behind a stale preview.
 */

export const SUPERSEDED: unique symbol = Symbol('superseded');
export type Superseded = typeof SUPERSEDED;

interface Job {
  task: () => Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

export class InferenceScheduler {
  private readonly commits: Job[] = [];
  private hoverJob: Job | undefined;
  private running = false;
  private idleWaiters: Array<() => void> = [];
  /** Hovers run / dropped so far (for tests and the debug panel). */
  readonly stats = { commits: 0, hovers: 0, superseded: 0 };

  get busy(): boolean {
    return this.running || this.commits.length > 0 || this.hoverJob !== undefined;
  }

  commit<T>(task: () => Promise<T>): Promise<T> {
    this.dropHover();
    return new Promise<T>((resolve, reject) => {
      this.commits.push({ task, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  hover<T>(task: () => Promise<T>): Promise<T | Superseded> {
    this.dropHover();
    return new Promise<T | Superseded>((resolve, reject) => {
      this.hoverJob = { task, resolve: resolve as (v: unknown) => void, reject };
      this.pump();
    });
  }

  /** Drops a waiting hover (e.g. the pointer left the canvas). */
  cancelHover(): void {
    this.dropHover();
  }

  /** Resolves when nothing runs or waits. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private dropHover(): void {
    const h = this.hoverJob;
    if (!h) return;
    this.hoverJob = undefined;
    this.stats.superseded++;
    h.resolve(SUPERSEDED);
  }

  private pump(): void {
    if (this.running) return;
    const job = this.commits.shift() ?? this.hoverJob;
    if (!job) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
      return;
    }
    if (job === this.hoverJob) {
      this.hoverJob = undefined;
      this.stats.hovers++;
    } else {
      this.stats.commits++;
    }
    this.running = true;
    let p: Promise<unknown>;
    try {
      p = job.task();
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(job.resolve, job.reject).finally(() => {
      this.running = false;
      this.pump();
    });
  }
}
