/**
 * The result before it is applied: the same pipeline as Apply (ui/apply.ts, in the inference
 * worker when there is one: same makeCutout with feather and decontamination, same tracer and
 * tolerance), at the size the canvas shows instead of the source's, so it is quick. Requests
 * are debounced while a slider moves and only the newest answer is shown; an answer for a
 * request that was superseded meanwhile is dropped.
 */
import type { DecodeResult } from '../core/models/types.js';
import type { OutputKind, VectorPathData } from '../plugin/protocol.js';
import type { ApplyOptions, ApplyResult } from './apply.js';

export interface PreviewRequest {
  /** Identity of what is previewed: equal keys are not computed twice. */
  key: string;
  prediction: DecodeResult;
  candidate: number;
  options: ApplyOptions;
}

export type PreviewResult =
  | { key: string; output: 'cutout'; png: Uint8Array; rect: { x: number; y: number; width: number; height: number } }
  | { key: string; output: Exclude<OutputKind, 'cutout'>; paths: VectorPathData[] };

export interface PreviewDeps {
  /** Runs the apply pipeline (Engine.apply). */
  run(prediction: DecodeResult, candidate: number, options: ApplyOptions): Promise<ApplyResult>;
  /** The newest preview, or undefined when there is none (cleared, or its pipeline failed). */
  show(result: PreviewResult | undefined): void;
  /** Debounce (default 120 ms); injectable for tests. */
  delay?: (fn: () => void, ms: number) => { cancel(): void };
  delayMs?: number;
}

const timer = (fn: () => void, ms: number) => {
  const id = setTimeout(fn, ms);
  return { cancel: () => clearTimeout(id) };
};

export class ResultPreview {
  private pending: { cancel(): void } | undefined;
  /** The key of the newest request (shown or on its way). */
  private wanted: string | undefined;
  private running = false;
  private queued: PreviewRequest | undefined;

  constructor(private readonly deps: PreviewDeps) {}

  /** Asks for the preview of `req` (nothing happens if it is the one already wanted). */
  request(req: PreviewRequest): void {
    if (req.key === this.wanted) return;
    this.wanted = req.key;
    this.pending?.cancel();
    this.pending = (this.deps.delay ?? timer)(() => {
      this.pending = undefined;
      this.queued = req;
      void this.pump();
    }, this.deps.delayMs ?? 120);
  }

  /** No preview (the mask is shown again). */
  clear(): void {
    this.pending?.cancel();
    this.pending = undefined;
    this.queued = undefined;
    this.wanted = undefined;
    this.deps.show(undefined);
  }

  /** One computation at a time; while it runs only the newest request waits. */
  private async pump(): Promise<void> {
    if (this.running) return;
    while (this.queued) {
      const req = this.queued;
      this.queued = undefined;
      if (req.key !== this.wanted) continue;
      this.running = true;
      try {
        const r = await this.deps.run(req.prediction, req.candidate, req.options);
        if (req.key !== this.wanted) continue;
        if (req.options.output === 'cutout' && r.png && r.rect) this.deps.show({ key: req.key, output: 'cutout', png: r.png, rect: r.rect });
        else if (req.options.output !== 'cutout' && r.paths) this.deps.show({ key: req.key, output: req.options.output, paths: r.paths });
        else this.deps.show(undefined);
      } catch {
        // An empty or untraceable mask has no preview; Apply says why in words.
        if (req.key === this.wanted) this.deps.show(undefined);
      } finally {
        this.running = false;
      }
    }
  }
}
