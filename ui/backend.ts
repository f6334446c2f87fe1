/**
 * Where inference runs. `startBackend` tries a worker first (created from a data: URL of the
 * bundled worker source, then a blob: URL; null-origin iframes have refused blob: workers)
 * and keeps it only if it answers and passes the runtime self-test; otherwise inference runs
 * on the UI thread, yielding to input between steps.
 */
import { CutoutError, ErrorCode, type ErrorInfo } from '../core/errors.js';
import { errorFromInfo } from './errors.js';
import { decodeImage } from '../core/image/decode.js';
import type { RgbaImage } from '../core/image/types.js';
import { initImageCodecs, type CodecWasm } from '../core/image/wasm-codecs.js';
import type { DecodeResult } from '../core/models/types.js';
import type { Prompt } from '../core/prompts/types.js';
import type { ApplyOptions, ApplyProgress, ApplyResult } from './apply.js';
import { WORKER_SOURCE } from './build-config.js';
import type { SplitPayload } from '../plugin/protocol.js';
import type { SplitOptions } from './split-layers.js';
import { InferenceCore, type FindObjectsEvent, type FindObjectsRequest, type FoundObjects, type LoadedModel, type LoadModelRequest, type LoadSalientRequest, type RemoveBgRequest, type RemoveBgResultData } from './inference.js';
import { configureOrt, probeOrt, yieldToInput } from './runtime.js';

export interface Backend {
  readonly kind: 'worker' | 'main';
  loadModel(req: LoadModelRequest): Promise<LoadedModel>;
  setImage(image: RgbaImage): Promise<{ cached: boolean; encodeMs: number }>;
  predict(prompt: Prompt): Promise<DecodeResult>;
  apply(prediction: DecodeResult, candidate: number, options: ApplyOptions, onProgress?: ApplyProgress): Promise<ApplyResult>;
  loadSalient(req: LoadSalientRequest): Promise<{ id: string }>;
  removeBg(image: RgbaImage, req: RemoveBgRequest): Promise<RemoveBgResultData>;
  findObjects(req: FindObjectsRequest, onEvent: (e: FindObjectsEvent) => void): Promise<FoundObjects>;
  /** Not queued behind findObjects: it reaches the running job. */
  cancelFind(): Promise<void>;
  splitLayers(groups: number[][], options: SplitOptions): Promise<Pick<SplitPayload, 'objects' | 'background'>>;
  /** PNG, JPEG or WebP bytes to RGBA, off the UI thread when there is a worker. */
  decodeImage(bytes: Uint8Array): Promise<RgbaImage>;
  dispose(): Promise<void>;
}

/** Methods the worker answers (worker.ts). */
export type WorkerMethod = 'init' | 'loadModel' | 'setImage' | 'predict' | 'apply' | 'loadSalient' | 'removeBg' | 'findObjects' | 'cancelFind' | 'splitLayers' | 'decodeImage' | 'dispose';

export interface WorkerRequest {
  id: number;
  method: WorkerMethod;
  args: unknown[];
}

export type WorkerResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ErrorInfo }
  | { id: number; progress: [number, string] }
  /** A streamed event of a running call (findObjects' masks and progress). */
  | { id: number; event: unknown };

/** Inference on the UI thread: the same core, with a yield before each step. */
export class MainThreadBackend implements Backend {
  readonly kind = 'main' as const;
  private readonly core = new InferenceCore();

  async loadModel(req: LoadModelRequest): Promise<LoadedModel> {
    await yieldToInput();
    return this.core.loadModel(req);
  }
  async setImage(image: RgbaImage): Promise<{ cached: boolean; encodeMs: number }> {
    await yieldToInput();
    return this.core.setImage(image);
  }
  async predict(prompt: Prompt): Promise<DecodeResult> {
    await yieldToInput();
    return this.core.predict(prompt);
  }
  async apply(prediction: DecodeResult, candidate: number, options: ApplyOptions, onProgress?: ApplyProgress): Promise<ApplyResult> {
    await yieldToInput();
    return this.core.apply(prediction, candidate, options, onProgress);
  }
  async loadSalient(req: LoadSalientRequest): Promise<{ id: string }> {
    await yieldToInput();
    return this.core.loadSalient(req);
  }
  async removeBg(image: RgbaImage, req: RemoveBgRequest): Promise<RemoveBgResultData> {
    await yieldToInput();
    return this.core.removeBg(image, req);
  }
  async findObjects(req: FindObjectsRequest, onEvent: (e: FindObjectsEvent) => void): Promise<FoundObjects> {
    await yieldToInput();
    return this.core.findObjects(req, onEvent);
  }
  async cancelFind(): Promise<void> {
    this.core.cancelFind();
  }
  async splitLayers(groups: number[][], options: SplitOptions): Promise<Pick<SplitPayload, 'objects' | 'background'>> {
    await yieldToInput();
    return this.core.splitLayers(groups, options);
  }
  async decodeImage(bytes: Uint8Array): Promise<RgbaImage> {
    await yieldToInput();
    return decodeImage(bytes);
  }
  dispose(): Promise<void> {
    return this.core.dispose();
  }
}

/** Inference in a dedicated worker, one request at a time per method call. */
export class WorkerBackend implements Backend {
  readonly kind = 'worker' as const;
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void; progress?: ApplyProgress; event?: (e: unknown) => void }>();
  private dead: Error | undefined;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
      const msg = e.data;
      const p = this.pending.get(msg.id);
      if (!p) return;
      if ('progress' in msg) {
        p.progress?.(msg.progress[0], msg.progress[1]);
        return;
      }
      if ('event' in msg) {
        p.event?.(msg.event);
        return;
      }
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(errorFromInfo(msg.error));
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.fail(new CutoutError(ErrorCode.Inference, `The inference worker stopped (${e.message || 'unknown error'}). Close and reopen the plugin.`));
    };
  }

  private fail(err: Error): void {
    this.dead = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  call<T>(method: WorkerMethod, args: unknown[], progress?: ApplyProgress, transfer: Transferable[] = [], event?: (e: unknown) => void): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress, event });
      const req: WorkerRequest = { id, method, args };
      this.worker.postMessage(req, transfer);
    });
  }

  loadModel(req: LoadModelRequest): Promise<LoadedModel> {
    return this.call('loadModel', [req]);
  }
  setImage(image: RgbaImage): Promise<{ cached: boolean; encodeMs: number }> {
    return this.call('setImage', [image]);
  }
  predict(prompt: Prompt): Promise<DecodeResult> {
    return this.call('predict', [prompt]);
  }
  apply(prediction: DecodeResult, candidate: number, options: ApplyOptions, onProgress?: ApplyProgress): Promise<ApplyResult> {
    return this.call('apply', [prediction, candidate, options], onProgress);
  }
  loadSalient(req: LoadSalientRequest): Promise<{ id: string }> {
    return this.call('loadSalient', [req]);
  }
  removeBg(image: RgbaImage, req: RemoveBgRequest): Promise<RemoveBgResultData> {
    return this.call('removeBg', [image, req]);
  }
  findObjects(req: FindObjectsRequest, onEvent: (e: FindObjectsEvent) => void): Promise<FoundObjects> {
    return this.call('findObjects', [req], undefined, [], onEvent as (e: unknown) => void);
  }
  async cancelFind(): Promise<void> {
    await this.call('cancelFind', []);
  }
  splitLayers(groups: number[][], options: SplitOptions): Promise<Pick<SplitPayload, 'objects' | 'background'>> {
    return this.call('splitLayers', [groups, options]);
  }
  decodeImage(bytes: Uint8Array): Promise<RgbaImage> {
    // The bytes are the editor's reply, not needed here afterwards: moved, not copied.
    return this.call('decodeImage', [bytes], undefined, bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : []);
  }
  async dispose(): Promise<void> {
    await this.call('dispose', []).catch(() => undefined);
    this.worker.terminate();
  }
  terminate(): void {
    this.fail(new CutoutError(ErrorCode.Cancelled, 'The inference worker was stopped.'));
    this.worker.terminate();
  }
}

export interface BackendReport {
  kind: 'worker' | 'main';
  /** Why the worker is not used (for the settings/about panel and the test log). */
  workerNote?: string;
  startMs: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer within ${Math.round(ms / 1000)} s`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** Worker URLs to try, in order: data: (works in null-origin iframes), then blob:. */
function workerUrls(source: string): Array<{ kind: string; make(): string }> {
  return [
    { kind: 'data:', make: () => `data:text/javascript;charset=utf-8,${encodeURIComponent(source)}` },
    { kind: 'blob:', make: () => URL.createObjectURL(new Blob([source], { type: 'text/javascript' })) },
  ];
}

async function tryWorker(wasm: Uint8Array, threads: number, codecs: CodecWasm, timeoutMs: number): Promise<{ backend?: WorkerBackend; note: string }> {
  if (!WORKER_SOURCE) return { note: 'this build has no worker' };
  if (typeof Worker === 'undefined') return { note: 'workers are not available here' };
  const notes: string[] = [];
  for (const url of workerUrls(WORKER_SOURCE)) {
    let worker: Worker | undefined;
    let backend: WorkerBackend | undefined;
    try {
      worker = new Worker(url.make(), { name: 'cutout-inference' });
      backend = new WorkerBackend(worker);
      // A copy of the runtime bytes: the UI thread keeps its own for a fallback.
      await withTimeout(backend.call('init', [wasm, threads, codecs]), timeoutMs, `the ${url.kind} worker`);
      return { backend, note: `${url.kind} worker` };
    } catch (err) {
      backend?.terminate();
      worker?.terminate();
      notes.push(`${url.kind} worker: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { note: notes.join('; ') };
}

/**
 * The backend to use: a worker if one starts and passes the runtime self-test, else the UI
 * thread (configured and self-tested the same way; a failure there is the caller's error).
 */
export async function startBackend(
  wasm: Uint8Array,
  threads: number,
  codecs: CodecWasm,
  options: { preferWorker?: boolean; timeoutMs?: number } = {},
): Promise<{ backend: Backend; report: BackendReport }> {
  const start = performance.now();
  let note = 'worker disabled';
  if (options.preferWorker !== false) {
    const tried = await tryWorker(wasm, threads, codecs, options.timeoutMs ?? 20_000);
    if (tried.backend) return { backend: tried.backend, report: { kind: 'worker', startMs: performance.now() - start } };
    note = tried.note;
  }
  configureOrt(wasm, threads);
  await probeOrt();
  await initImageCodecs(codecs);
  return { backend: new MainThreadBackend(), report: { kind: 'main', workerNote: note, startMs: performance.now() - start } };
}
