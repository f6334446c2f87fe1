/**
 * Everything that runs models, in one object that lives either in the inference worker or,
 * when no worker starts, on the UI thread (engine.ts picks). Plain data in and out, so the
 * worker can expose it method by method over postMessage.
 *
 * The encoder tries WebGPU when the build has it and an adapter exists: the model is loaded
 * twice (encoder on WebGPU, and all on wasm), both encode one probe image, and WebGPU is kept
 * only if the embeddings and the probe's mask agree within tolerance; otherwise wasm.
 */
import { ErrorCode, fail } from '../core/errors.js';
import type { RgbaImage } from '../core/image/types.js';
import { EmbeddingCache } from '../core/models/embedding-cache.js';
import { loadSamModel } from '../core/models/sam-model.js';
import { floatData } from '../core/models/runtime.js';
import type { DecodeResult, Ort, SegmentModel } from '../core/models/types.js';
import { maskIoU } from '../core/masks/measure.js';
import type { Prompt } from '../core/prompts/types.js';
import { candidateMask, Segmenter } from '../core/segment.js';
import { loadSalientModel, type SalientDescriptor, type SalientModel } from '../core/models/salient.js';
import { removeBackground, type RemoveBgOptions } from '../core/removebg.js';
import { segmentEverything, type EverythingMask, type EverythingProgress, type EverythingStats } from '../core/everything/index.js';
import type { ImageEmbedding } from '../core/models/types.js';
import type { SplitPayload } from '../plugin/protocol.js';
import { buildSplitLayers, previewSize, type PreviewMask, type SplitOptions, toPreviewMask, unionMasks } from './split-layers.js';
import { buildResult, cutoutResult, type ApplyOptions, type ApplyProgress, type ApplyResult } from './apply.js';
import { ort as productOrt, webgpuAdapterAvailable } from './runtime.js';

export interface LoadModelRequest {
  id: string;
  files: Record<string, Uint8Array>;
  /** Try WebGPU for the encoder (only where the build and the machine have it). */
  webgpu: boolean;
}

export interface LoadSalientRequest {
  id: string;
  files: Record<string, Uint8Array>;
  /** Registry entries carry the descriptor; folders hold cutout.json instead. */
  descriptor?: SalientDescriptor;
}

export interface RemoveBgRequest extends RemoveBgOptions {
  /** Work at most at this long side (Figma's image limit); default 4096. */
  maxSide?: number;
}

export type RemoveBgResultData = ApplyResult & { foreground: number; modelMs: number };

/** What the split panel asks of the generator (the rest are the reference's defaults). */
export interface FindObjectsRequest {
  pointsPerSide?: number;
  /** The preview masks' long side. */
  previewSide?: number;
}

export type FindObjectsEvent = { kind: 'mask'; mask: PreviewMask } | { kind: 'progress'; progress: EverythingProgress };

export interface FoundObjects {
  /** Authoritative, largest first (streamed masks not in it were duplicates). */
  masks: PreviewMask[];
  stats: EverythingStats;
}

/**
 * The model as the generator sees it, yielding to the event loop before each decoder run:
 * onnxruntime's runs may finish without one, and a worker only reads a Cancel between tasks.
 */
function yieldingModel(model: SegmentModel): SegmentModel {
  const pause = () => new Promise<void>((r) => setTimeout(r, 0));
  const batch = (model as { decodePoints?: (e: ImageEmbedding, p: Array<{ x: number; y: number }>) => Promise<DecodeResult[]> }).decodePoints;
  const wrapped: SegmentModel & { decodePoints?: unknown } = {
    id: model.id,
    format: model.format,
    supports: model.supports,
    encode: (image) => model.encode(image),
    decode: async (e, prompt) => {
      await pause();
      return model.decode(e, prompt);
    },
    dispose: async () => undefined,
  };
  if (batch) {
    wrapped.decodePoints = async (e: ImageEmbedding, points: Array<{ x: number; y: number }>) => {
      await pause();
      return batch.call(model, e, points);
    };
  }
  return wrapped;
}

export interface LoadedModel {
  id: string;
  format: string;
  supports: { box: boolean; maskInput: boolean };
  /** Where the encoder runs. */
  device: 'wasm' | 'webgpu';
  /** Why WebGPU is not used, when it was tried. */
  note?: string;
}

const WASM = { executionProviders: ['wasm'] };

/** A small synthetic image with shapes, to compare two encoders' outputs. */
function probeImage(): RgbaImage {
  const w = 96;
  const h = 64;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const inDisc = (x - 30) ** 2 + (y - 32) ** 2 < 18 ** 2;
      const inBox = x > 60 && x < 88 && y > 12 && y < 52;
      data[i] = inDisc ? 220 : inBox ? 30 : 120 + (x >> 2);
      data[i + 1] = inDisc ? 40 : inBox ? 160 : 120 + (y >> 2);
      data[i + 2] = inDisc ? 40 : inBox ? 220 : 128;
      data[i + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}

/** Largest difference relative to the reference tensor's largest magnitude. */
async function relativeDiff(a: SegmentModelEmbedding, b: SegmentModelEmbedding): Promise<number> {
  let worst = 0;
  for (const name of Object.keys(b.tensors)) {
    const x = await floatData(a.tensors[name]!);
    const y = await floatData(b.tensors[name]!);
    if (x.length !== y.length) return Number.POSITIVE_INFINITY;
    let maxAbs = 1e-6;
    let maxDiff = 0;
    for (let i = 0; i < y.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(y[i]!));
      maxDiff = Math.max(maxDiff, Math.abs(x[i]! - y[i]!));
    }
    if (!Number.isFinite(maxDiff)) return Number.POSITIVE_INFINITY;
    worst = Math.max(worst, maxDiff / maxAbs);
  }
  return worst;
}
type SegmentModelEmbedding = Awaited<ReturnType<SegmentModel['encode']>>;

/** Loads with the encoder on WebGPU if it agrees with wasm on a probe; else all on wasm. */
async function loadVerified(req: LoadModelRequest, ort: Ort): Promise<{ model: SegmentModel; device: 'wasm' | 'webgpu'; note?: string }> {
  const wasmModel = await loadSamModel(ort, req.files, { id: req.id, sessionOptions: WASM });
  if (!req.webgpu || !(await webgpuAdapterAvailable())) return { model: wasmModel, device: 'wasm' };
  let gpuModel: SegmentModel | undefined;
  try {
    gpuModel = await loadSamModel(ort, req.files, {
      id: req.id,
      sessionOptions: WASM,
      encoderSessionOptions: { executionProviders: ['webgpu'] },
    });
    const probe = probeImage();
    const [eg, ec] = [await gpuModel.encode(probe), await wasmModel.encode(probe)];
    const diff = await relativeDiff(eg, ec);
    const prompt: Prompt = { points: [{ x: 30, y: 32, label: 1 }] };
    const [dg, dc] = [await gpuModel.decode(eg, prompt), await wasmModel.decode(ec, prompt)];
    const iou = maskIoU(candidateMask(dg, dc.selected), candidateMask(dc, dc.selected));
    if (diff > 0.02 || iou < 0.98) {
      await gpuModel.dispose();
      return { model: wasmModel, device: 'wasm', note: `WebGPU disagreed with the CPU (difference ${diff.toFixed(3)}, mask IoU ${iou.toFixed(3)}): using the CPU.` };
    }
    await wasmModel.dispose();
    return { model: gpuModel, device: 'webgpu' };
  } catch (err) {
    await gpuModel?.dispose().catch(() => undefined);
    return { model: wasmModel, device: 'wasm', note: `WebGPU could not run this model (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): using the CPU.` };
  }
}

export class InferenceCore {
  private model: SegmentModel | undefined;
  private segmenter: Segmenter | undefined;
  private image: RgbaImage | undefined;
  private salient: SalientModel | undefined;
  private readonly cache = new EmbeddingCache(192 * 1024 * 1024);

  /** `ort`: the runtime (tests in Node hand in onnxruntime-web's Node build). */
  constructor(private readonly ort: Ort = productOrt) {}
  /** The last completed find-objects run's masks (full size), for splitLayers. */
  private found = new Map<number, EverythingMask>();
  private finding: AbortController | undefined;

  async loadModel(req: LoadModelRequest): Promise<LoadedModel> {
    await this.disposeModel();
    const { model, device, note } = await loadVerified(req, this.ort);
    this.model = model;
    this.segmenter = new Segmenter(model, this.cache);
    return { id: model.id, format: model.format, supports: { ...model.supports }, device, ...(note ? { note } : {}) };
  }

  /** Encodes the image (or reuses its cached embedding) and keeps it for `apply`. */
  async setImage(image: RgbaImage): Promise<{ cached: boolean; encodeMs: number }> {
    if (!this.segmenter) fail(ErrorCode.State, 'no model is loaded yet: choose a model first');
    this.image = image;
    this.found.clear();
    const r = await this.segmenter.setImage(image);
    return { cached: r.cached, encodeMs: r.encodeMs };
  }

  async predict(prompt: Prompt): Promise<DecodeResult> {
    if (!this.segmenter) fail(ErrorCode.State, 'no model is loaded yet: choose a model first');
    const p = await this.segmenter.predict(prompt);
    // Return the decode result only (the prompt's `previous` need not travel back).
    const { prompt: _prompt, ...result } = p;
    return result;
  }

  apply(prediction: DecodeResult, candidate: number, options: ApplyOptions, onProgress?: ApplyProgress): ApplyResult {
    if (!this.image) fail(ErrorCode.State, 'no image is set: select an image layer first');
    return buildResult(this.image, prediction, candidate, options, onProgress);
  }

  /** Segment everything on the current image's embedding; streams masks and progress through onEvent. */
  async findObjects(req: FindObjectsRequest, onEvent: (e: FindObjectsEvent) => void): Promise<FoundObjects> {
    const model = this.model;
    const embedding = this.segmenter?.currentEmbedding;
    const image = this.image;
    if (!model || !embedding || !image) fail(ErrorCode.State, 'the image is not analysed yet: wait for it, then try again');
    this.finding?.abort();
    const controller = new AbortController();
    this.finding = controller;
    this.found.clear();
    const size = previewSize(image, req.previewSide);
    try {
      const result = await segmentEverything(yieldingModel(model), embedding, {
        ...(req.pointsPerSide ? { pointsPerSide: req.pointsPerSide } : {}),
        signal: controller.signal,
        onMask: (m) => onEvent({ kind: 'mask', mask: toPreviewMask(m.id, m.segmentation, size) }),
        onProgress: (progress) => onEvent({ kind: 'progress', progress }),
      });
      if (this.image !== image) fail(ErrorCode.State, 'the image changed while objects were being found');
      this.found = new Map(result.masks.map((m) => [m.id, m]));
      return { masks: result.masks.map((m) => toPreviewMask(m.id, m.segmentation, size)), stats: result.stats };
    } finally {
      if (this.finding === controller) this.finding = undefined;
    }
  }

  /** Stops a running findObjects (it rejects with CANCELLED). */
  cancelFind(): boolean {
    this.finding?.abort();
    return true;
  }

  /** The layers for the objects (each a list of found mask ids, merged), ready for `split-apply`. */
  splitLayers(groups: number[][], options: SplitOptions): Pick<SplitPayload, 'objects' | 'background'> {
    const image = this.image;
    if (!image) fail(ErrorCode.State, 'no image is set: select an image layer first');
    const masks = groups.map((ids) => {
      const parts = ids.map((id) => this.found.get(id));
      if (!parts.length || parts.some((p) => !p)) fail(ErrorCode.State, 'the objects are out of date: find them again');
      return unionMasks(parts.map((p) => p!.segmentation));
    });
    return buildSplitLayers(image, masks, options);
  }

  async loadSalient(req: LoadSalientRequest): Promise<{ id: string }> {
    const old = this.salient;
    this.salient = undefined;
    await old?.dispose().catch(() => undefined);
    this.salient = await loadSalientModel(this.ort, req.files, { id: req.id, descriptor: req.descriptor, sessionOptions: WASM });
    return { id: this.salient.id };
  }

  /** Background removal of one image (batch): the cutout cropped to its foreground, as PNG. */
  async removeBg(image: RgbaImage, req: RemoveBgRequest): Promise<RemoveBgResultData> {
    if (!this.salient) fail(ErrorCode.State, 'no background-removal model is loaded yet');
    const sam = req.strategy === 'salient+sam' ? this.model : undefined;
    if (req.strategy === 'salient+sam' && !sam) fail(ErrorCode.State, 'the Segment Anything model is not loaded yet');
    const { maxSide, ...options } = req;
    return cutoutResult(image, maxSide, async (pixels) => {
      const r = await removeBackground(pixels, { salient: this.salient!, ...(sam ? { sam } : {}) }, options);
      return { cutout: r.cutout, mask: r.mask, extra: { foreground: r.foreground, modelMs: r.modelMs } };
    });
  }

  private async disposeModel(): Promise<void> {
    this.cache.clear();
    this.segmenter = undefined;
    const m = this.model;
    this.model = undefined;
    await m?.dispose().catch(() => undefined);
  }

  async dispose(): Promise<void> {
    this.image = undefined;
    await this.disposeModel();
    await this.salient?.dispose().catch(() => undefined);
    this.salient = undefined;
  }
}
