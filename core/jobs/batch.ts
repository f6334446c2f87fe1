/**
 * The batch engine: a queue over item sources (images to load lazily), processed with a
 * bounded number in flight (1 by default: one model session, one image in memory at a time).
 *
 * Contract
 * - Sources are pulled lazily from the iterable, one when a worker is free: a source costs
 *   nothing until `load()` is called, and nothing of it is kept once its item is done.
 * - Each item runs `load → process → onResult`. A failure anywhere in that chain fails that
 *   item only: its error is collected (ErrorInfo, plain data) and reported in the summary,
 *   and the batch goes on. `onResult` is called once per item with its outcome, as soon as it
 *   is known (streamed, in completion order). If `onResult` throws on a success (say the
 *   file could not be written), the item counts as failed and `onResult` is called once more
 *   with the failure. If it throws on a failure, the batch stops and `runBatch` rejects.
 * - Memory is bounded: the engine holds no reference to an item's image or result after
 *   `onResult` returns (the summary keeps counts and error messages only). `onResult` is
 *   awaited before the worker takes the next item, which is the back-pressure.
 * - Cancel (AbortSignal): no item starts after the abort. Items in flight at that moment are
 *   DROPPED: `process` receives the signal and may stop early; whatever it returns is
 *   discarded and `onResult` is not called for them. So once `abort()` has been called, the
 *   results delivered are exactly those delivered before it. `runBatch` still waits for
 *   in-flight work to settle (nothing keeps using a model behind the caller's back) and
 *   resolves with `cancelled: true`; it never rejects because of the abort.
 * - Progress (`onProgress`): when an item starts (current = that item) and when one ends
 *   (done = items finished, ok or failed). The time left is the moving average of the last
 *   `etaWindow` items' durations × items left ÷ concurrency; unknown until one item ended
 *   or when the total is unknown.
 *
 * - Between items the engine yields to the host's event loop (a zero-delay timer), so a
 *   cancel or a repaint is never starved by a run of items that resolve without I/O.
 *
 * Pure TypeScript: no DOM, no Node API; `performance.now` when present.
 */
import { CutoutError, ErrorCode, toErrorInfo, type ErrorInfo } from '../errors.js';

/** Something to process: `load()` is called when its turn comes, not before. */
export interface ItemSource<T> {
  id: string;
  /** Shown in progress and reports (file name, layer name). */
  name: string;
  load(signal: AbortSignal): Promise<T>;
}

export interface ItemInfo {
  id: string;
  name: string;
  /** 0-based position in the source order. */
  index: number;
}

export type ItemResult<R> =
  | (ItemInfo & { ok: true; value: R; ms: number })
  | (ItemInfo & { ok: false; error: ErrorInfo; ms: number });

export interface BatchProgress {
  /** Items finished (ok or failed). */
  done: number;
  /** Items in all; undefined when the source is an iterable of unknown length. */
  total: number | undefined;
  failed: number;
  /** The item that just started (after 'start') or just ended (after 'end'). */
  current: ItemInfo;
  event: 'start' | 'end';
  elapsedMs: number;
  /** Estimated time left, from the moving average of recent item durations. */
  etaMs: number | undefined;
}

export interface BatchOptions<R> {
  /** Items in flight at once; default 1. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Total number of items, for progress when the sources are not an array. */
  total?: number;
  /** How many recent item durations the time-left estimate averages; default 10. */
  etaWindow?: number;
  onResult?(result: ItemResult<R>): void | Promise<void>;
  onProgress?(progress: BatchProgress): void;
}

export interface BatchSummary {
  /** Items whose outcome was delivered. */
  total: number;
  ok: number;
  failed: number;
  /** Failed items, in completion order. */
  errors: Array<ItemInfo & { error: ErrorInfo }>;
  cancelled: boolean;
  /** Items in flight when the batch was cancelled, whose results were dropped. */
  dropped: number;
  elapsedMs: number;
}

export type Processor<T, R> = (input: T, item: ItemInfo, signal: AbortSignal) => Promise<R>;

const now = () => (globalThis.performance ?? Date).now();

/** Moving average over the last `size` samples. */
export class MovingAverage {
  private readonly samples: number[] = [];
  private sum = 0;
  constructor(private readonly size: number) {}
  add(v: number): void {
    this.samples.push(v);
    this.sum += v;
    if (this.samples.length > this.size) this.sum -= this.samples.shift()!;
  }
  get count(): number {
    return this.samples.length;
  }
  get value(): number | undefined {
    return this.samples.length ? this.sum / this.samples.length : undefined;
  }
}


/**
 * Runs `process` over every source (see the contract above). Resolves with the summary when
 * every item is done or the batch was cancelled.
 */
export async function runBatch<T, R>(
  sources: Iterable<ItemSource<T>> | AsyncIterable<ItemSource<T>>,
  process: Processor<T, R>,
  options: BatchOptions<R> = {},
): Promise<BatchSummary> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const total = Array.isArray(sources) ? sources.length : options.total;
  const outer = options.signal;
  // Our own controller: aborted by the caller's signal, passed to load/process.
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onAbort, { once: true });
  const signal = controller.signal;

  const iterator =
    Symbol.asyncIterator in sources
      ? (sources as AsyncIterable<ItemSource<T>>)[Symbol.asyncIterator]()
      : (sources as Iterable<ItemSource<T>>)[Symbol.iterator]();
  let exhausted = false;
  let nextIndex = 0;
  // Pulls are serialised so concurrent workers never call next() at once.
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<{ source: ItemSource<T>; index: number } | undefined> => {
    const p = pulling.then(async () => {
      if (exhausted || signal.aborted) return undefined;
      const r = await iterator.next();
      if (r.done) {
        exhausted = true;
        return undefined;
      }
      return { source: r.value, index: nextIndex++ };
    });
    pulling = p.catch(() => undefined);
    return p;
  };

  const started = now();
  const durations = new MovingAverage(Math.max(1, options.etaWindow ?? 10));
  const summary: BatchSummary = { total: 0, ok: 0, failed: 0, errors: [], cancelled: false, dropped: 0, elapsedMs: 0 };
  let fatal: { error: unknown } | undefined;

  const progress = (event: 'start' | 'end', current: ItemInfo) => {
    if (!options.onProgress) return;
    const avg = durations.value;
    const left = total === undefined ? undefined : Math.max(0, total - summary.total);
    options.onProgress({
      done: summary.total,
      total,
      failed: summary.failed,
      current,
      event,
      elapsedMs: now() - started,
      etaMs: avg === undefined || left === undefined ? undefined : (avg * left) / Math.min(concurrency, Math.max(1, left)),
    });
  };

  const deliver = async (result: ItemResult<R>): Promise<void> => {
    try {
      await options.onResult?.(result);
      count(result);
    } catch (err) {
      if (!result.ok) throw err;
      const failure: ItemResult<R> = { id: result.id, name: result.name, index: result.index, ok: false, error: toErrorInfo(err), ms: result.ms };
      await options.onResult?.(failure);
      count(failure);
    }
  };
  const count = (r: ItemResult<R>) => {
    summary.total++;
    if (r.ok) summary.ok++;
    else {
      summary.failed++;
      summary.errors.push({ id: r.id, name: r.name, index: r.index, error: r.error });
    }
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      // A macrotask boundary between items: model runs and file reads can resolve as
      // microtasks only, which would starve the host's events (a cancel click, SIGINT, a
      // progress repaint) until the whole batch is over.
      await new Promise<void>((r) => setTimeout(r, 0));
      if (fatal || signal.aborted) return;
      let next;
      try {
        next = await pull();
      } catch (err) {
        // The source itself failed (not one item): nothing more can be pulled.
        fatal ??= { error: err };
        controller.abort(err);
        return;
      }
      if (!next) return;
      const info: ItemInfo = { id: next.source.id, name: next.source.name, index: next.index };
      progress('start', info);
      const t0 = now();
      let result: ItemResult<R>;
      try {
        const input = await next.source.load(signal);
        if (signal.aborted) throw new CutoutError(ErrorCode.Cancelled, 'the batch was cancelled');
        const value = await process(input, info, signal);
        result = { ...info, ok: true, value, ms: now() - t0 };
      } catch (err) {
        result = { ...info, ok: false, error: toErrorInfo(err), ms: now() - t0 };
      }
      if (signal.aborted) {
        summary.dropped++;
        return;
      }
      durations.add(result.ms);
      try {
        await deliver(result);
      } catch (err) {
        fatal ??= { error: err };
        controller.abort(err);
        return;
      }
      progress('end', info);
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    outer?.removeEventListener('abort', onAbort);
    if (!exhausted) await Promise.resolve((iterator as Iterator<unknown> | AsyncIterator<unknown>).return?.()).catch(() => undefined);
  }
  if (fatal) throw fatal.error;
  summary.cancelled = signal.aborted;
  summary.elapsedMs = now() - started;
  return summary;
}
