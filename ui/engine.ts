/**
 * The UI's handle on inference: starts the runtime (worker or UI thread), downloads and
 * loads the chosen model with byte progress, encodes each image once (per model), decodes
 * each prompt, and coalesces hover previews (schedule.ts: only the newest hover is decoded
 * while one is in flight). All backend calls go through one scheduler, so the worker never
 * sees two requests interleave.
 */
import { CutoutError, ErrorCode } from '../core/errors.js';
import type { RgbaImage } from '../core/image/types.js';
import { downloadModel, type ModelStore } from '../core/models/download.js';
import type { DecodeResult } from '../core/models/types.js';
import type { Prompt } from '../core/prompts/types.js';
import type { ApplyOptions, ApplyProgress, ApplyResult } from './apply.js';
import type { Backend, BackendReport } from './backend.js';
import type { FindObjectsEvent, FindObjectsRequest, FoundObjects, LoadedModel, RemoveBgRequest, RemoveBgResultData } from './inference.js';
import type { SplitPayload } from '../plugin/protocol.js';
import type { SplitOptions } from './split-layers.js';
import type { ModelChoice } from './models.js';
import { PendingHover } from './pending.js';
import { InferenceScheduler, SUPERSEDED, type Superseded } from './schedule.js';

export type EngineEvent =
  | { type: 'download'; model: ModelChoice; loaded: number; total: number; file: string }
  | { type: 'model-opening'; model: ModelChoice }
  | { type: 'model-ready'; model: ModelChoice; info: LoadedModel; ms: number }
  | { type: 'salient-ready'; model: ModelChoice; ms: number }
  | { type: 'model-error'; model: ModelChoice; error: unknown }
  /** `first`: the first encode in this runtime (it costs more: the wasm heap grows). */
  | { type: 'encoding'; startedAt: number; modelId: string; first: boolean }
  | { type: 'encoded'; ms: number; cached: boolean }
  | { type: 'encode-error'; error: unknown };

export interface EngineDeps {
  /** Resolves with the backend once the runtime has started. */
  backend: Promise<{ backend: Backend; report: BackendReport }>;
  store: Promise<ModelStore>;
  onEvent(e: EngineEvent): void;
  /** Try WebGPU for encoders (only matters in a WebGPU build). */
  webgpu?: boolean;
  fetchImpl?: typeof fetch;
  /** Give a download up after this long without bytes (core's default, 30 s, when absent). */
  stallMs?: number;
}

const now = () => performance.now();

export class Engine {
  readonly scheduler = new InferenceScheduler();
  private modelGen = 0;
  private modelPromise: Promise<LoadedModel> | undefined;
  private loaded: { choice: ModelChoice; info: LoadedModel } | undefined;
  private download: AbortController | undefined;
  private salientGen = 0;
  private salientPromise: Promise<ModelChoice> | undefined;
  private salientLoaded: ModelChoice | undefined;
  private salientDownload: AbortController | undefined;
  /** Ids of the models last asked for (loading or loaded; cleared when that load fails). */
  private samWanted: string | undefined;
  private salientWanted: string | undefined;
  private image: RgbaImage | undefined;
  private imageGen = 0;
  /** `${modelGen}:${imageGen}` of what the backend has encoded. */
  private encodedKey = '';
  /** Encodes the runtime has run (the first is the slow one). */
  private encodes = 0;
  /** The newest hover made before the embedding existed: run once it does. */
  private readonly pendingHover = new PendingHover<Prompt>();

  constructor(private readonly deps: EngineDeps) {}

  get model(): { choice: ModelChoice; info: LoadedModel } | undefined {
    return this.loaded;
  }

  /** The SAM model asked for last, while it loads or is loaded (undefined after it failed). */
  get wantedModelId(): string | undefined {
    return this.samWanted;
  }

  /** The background-removal model asked for last (as `wantedModelId`). */
  get wantedSalientId(): string | undefined {
    return this.salientWanted;
  }

  get hasImage(): boolean {
    return this.image !== undefined;
  }

  get isEncoded(): boolean {
    return this.image !== undefined && this.loaded !== undefined && this.encodedKey === `${this.modelGen}:${this.imageGen}`;
  }

  private async backend(): Promise<Backend> {
    return (await this.deps.backend).backend;
  }

  /** Downloads the files of a model (or takes them from the store), with byte progress. */
  private async fetchFiles(choice: ModelChoice, signal: AbortSignal): Promise<Record<string, Uint8Array>> {
    const store = await this.deps.store;
    const emit = this.deps.onEvent;
    const files = await downloadModel(
      { id: choice.id, files: choice.files },
      {
        store,
        signal,
        fetchImpl: this.deps.fetchImpl,
        ...(this.deps.stallMs !== undefined ? { stallMs: this.deps.stallMs } : {}),
        onProgress: (pr) => emit({ type: 'download', model: choice, loaded: pr.loaded, total: pr.total, file: pr.file }),
      },
    );
    return files.files;
  }

  /** Downloads (or takes from the store) and loads a SAM model; a newer call supersedes it. */
  loadModel(choice: ModelChoice): Promise<LoadedModel> {
    this.download?.abort();
    const abort = new AbortController();
    this.download = abort;
    const gen = ++this.modelGen;
    this.loaded = undefined;
    this.pendingHover.drop();
    this.samWanted = choice.id;
    const started = now();
    const superseded = () => new CutoutError(ErrorCode.Cancelled, 'Another model was chosen.');
    const p = (async () => {
      const files = await this.fetchFiles(choice, abort.signal);
      if (gen !== this.modelGen) throw superseded();
      const backend = await this.backend();
      this.deps.onEvent({ type: 'model-opening', model: choice });
      const info = await this.scheduler.commit(() => backend.loadModel({ id: choice.id, files, webgpu: this.deps.webgpu ?? true }));
      if (gen !== this.modelGen) throw superseded();
      this.loaded = { choice, info };
      this.deps.onEvent({ type: 'model-ready', model: choice, info, ms: now() - started });
      return info;
    })();
    p.catch((error: unknown) => {
      if (gen !== this.modelGen) return;
      this.samWanted = undefined;
      this.deps.onEvent({ type: 'model-error', model: choice, error });
    });
    this.modelPromise = p;
    return p;
  }

  /** Loads a background-removal (salient) model for batches; a newer call supersedes it. */
  loadSalient(choice: ModelChoice): Promise<ModelChoice> {
    this.salientDownload?.abort();
    const abort = new AbortController();
    this.salientDownload = abort;
    const gen = ++this.salientGen;
    this.salientLoaded = undefined;
    this.salientWanted = choice.id;
    const started = now();
    const superseded = () => new CutoutError(ErrorCode.Cancelled, 'Another model was chosen.');
    const p = (async () => {
      const files = await this.fetchFiles(choice, abort.signal);
      if (gen !== this.salientGen) throw superseded();
      const backend = await this.backend();
      this.deps.onEvent({ type: 'model-opening', model: choice });
      await this.scheduler.commit(() => backend.loadSalient({ id: choice.id, files, ...(choice.descriptor ? { descriptor: choice.descriptor } : {}) }));
      if (gen !== this.salientGen) throw superseded();
      this.salientLoaded = choice;
      this.deps.onEvent({ type: 'salient-ready', model: choice, ms: now() - started });
      return choice;
    })();
    p.catch((error: unknown) => {
      if (gen !== this.salientGen) return;
      this.salientWanted = undefined;
      this.deps.onEvent({ type: 'model-error', model: choice, error });
    });
    this.salientPromise = p;
    return p;
  }

  get salientModel(): ModelChoice | undefined {
    return this.salientLoaded;
  }

  /** Waits for the newest salient model requested (rejects if it failed). */
  async salientReady(): Promise<ModelChoice> {
    for (;;) {
      const p = this.salientPromise;
      if (!p) throw new CutoutError(ErrorCode.State, 'No background-removal model is chosen yet.');
      try {
        const c = await p;
        if (p === this.salientPromise) return c;
      } catch (err) {
        if (p === this.salientPromise) throw err;
      }
    }
  }

  /** Decodes image bytes in the backend (the worker when there is one). */
  async decodeImage(bytes: Uint8Array): Promise<RgbaImage> {
    const backend = await this.backend();
    return backend.decodeImage(bytes);
  }

  /** Background removal of one image with the salient model (and SAM for 'salient+sam'). */
  async removeBg(image: RgbaImage, req: RemoveBgRequest): Promise<RemoveBgResultData> {
    await this.salientReady();
    if (req.strategy === 'salient+sam') await this.modelReady();
    const backend = await this.backend();
    return this.scheduler.commit(() => backend.removeBg(image, req));
  }

  /** Waits for the newest model requested (rejects if it failed). */
  async modelReady(): Promise<LoadedModel> {
    for (;;) {
      const p = this.modelPromise;
      if (!p) throw new CutoutError(ErrorCode.State, 'No model is chosen yet.');
      try {
        const info = await p;
        if (p === this.modelPromise) return info;
      } catch (err) {
        if (p === this.modelPromise) throw err;
      }
    }
  }

  /** The image prompts refer to from now on (encoded lazily, or now with `encode`). */
  setImage(image: RgbaImage | undefined): void {
    this.pendingHover.drop();
    this.image = image;
    this.imageGen++;
    this.encodedKey = '';
  }

  /** Inside a scheduler task: makes sure the backend holds the current image's embedding. */
  private async ensureEncoded(backend: Backend): Promise<void> {
    const key = `${this.modelGen}:${this.imageGen}`;
    if (this.encodedKey === key) return;
    const image = this.image;
    if (!image) throw new CutoutError(ErrorCode.State, 'Select an image layer first.');
    if (!this.loaded) throw new CutoutError(ErrorCode.State, 'The model is not loaded yet.');
    const startedAt = now();
    this.deps.onEvent({ type: 'encoding', startedAt, modelId: this.loaded.choice.id, first: this.encodes === 0 });
    try {
      const r = await backend.setImage(image);
      if (!r.cached) this.encodes++;
      const current = `${this.modelGen}:${this.imageGen}` === key;
      if (current) this.encodedKey = key;
      this.deps.onEvent({ type: 'encoded', ms: now() - startedAt, cached: r.cached });
      if (current) this.pendingHover.release();
    } catch (error) {
      this.pendingHover.drop();
      this.deps.onEvent({ type: 'encode-error', error });
      throw error;
    }
  }

  /** Encodes the current image now (after the model is ready). */
  async encode(): Promise<void> {
    await this.modelReady();
    const backend = await this.backend();
    await this.scheduler.commit(() => this.ensureEncoded(backend));
  }

  async decode(prompt: Prompt): Promise<DecodeResult> {
    await this.modelReady();
    const backend = await this.backend();
    return this.scheduler.commit(async () => {
      await this.ensureEncoded(backend);
      return backend.predict(prompt);
    });
  }

  /**
   * A preview decode; SUPERSEDED if a newer hover or a commit came first, or there is no
   * image. Made while the image is being analysed (or the model loads), it waits — only the
   * newest such hover — and runs as soon as the embedding exists.
   */
  async hover(prompt: Prompt): Promise<DecodeResult | Superseded> {
    if (!this.image) return SUPERSEDED;
    if (!this.isEncoded && !(await this.pendingHover.hold(prompt))) return SUPERSEDED;
    if (!this.isEncoded) return SUPERSEDED;
    const backend = await this.backend();
    const gen = `${this.modelGen}:${this.imageGen}`;
    return this.scheduler.hover(async () => {
      if (`${this.modelGen}:${this.imageGen}` !== gen || this.encodedKey !== gen) return SUPERSEDED;
      return backend.predict(prompt);
    });
  }

  /** Whether a hover waits for the embedding. */
  get hoverPending(): boolean {
    return this.pendingHover.waiting;
  }

  cancelHover(): void {
    this.pendingHover.drop();
    this.scheduler.cancelHover();
  }

  async apply(prediction: DecodeResult, candidate: number, options: ApplyOptions, onProgress?: ApplyProgress): Promise<ApplyResult> {
    await this.modelReady();
    const backend = await this.backend();
    return this.scheduler.commit(async () => {
      await this.ensureEncoded(backend);
      return backend.apply(prediction, candidate, options, onProgress);
    });
  }

  /** Segment everything on the current image (encoding it first if needed); one commit. */
  async findObjects(req: FindObjectsRequest, onEvent: (e: FindObjectsEvent) => void): Promise<FoundObjects> {
    await this.modelReady();
    const backend = await this.backend();
    return this.scheduler.commit(async () => {
      await this.ensureEncoded(backend);
      return backend.findObjects(req, onEvent);
    });
  }

  /** Stops a running findObjects at its next decoder run (outside the queue, so it reaches it). */
  async cancelFind(): Promise<void> {
    const backend = await this.backend();
    await backend.cancelFind();
  }

  async splitLayers(groups: number[][], options: SplitOptions): Promise<Pick<SplitPayload, 'objects' | 'background'>> {
    const backend = await this.backend();
    return this.scheduler.commit(() => backend.splitLayers(groups, options));
  }
}
