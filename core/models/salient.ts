/**
 * The `salient` model format: one-shot foreground models for background removal (U²-Net,
 * IS-Net, BiRefNet style). Image in, foreground map out; how to feed and read the graph is
 * stated by a descriptor (`cutout.json` in a model folder, or a registry entry's `descriptor`),
 * so one adapter serves them all.
 *
 * Semantics, in order:
 *  1. The image is flattened onto white if it has transparency (as for SAM: models see RGB).
 *  2. It is resized to `size` = [width, height] with Pillow's bilinear resize on uint8:
 *     `stretch` ignores the aspect ratio; `letterbox` keeps it (scale = min(W/w, H/h), sides
 *     rounded half up) and pads bottom/right — the image sits at the top-left corner, like
 *     SAM's frames, so the mapping back is a crop, not a shift.
 *  3. tensor = ((pixel / scale) − mean) / std per channel, NCHW [1,3,H,W]; `scale: 'max'`
 *     divides by the resized image's largest R, G or B value (U²-Net's ToTensorLab, rembg).
 *     Letterbox padding is 0 in the tensor (padded after normalising).
 *  4. `output` must be [1,1,H,W] or [1,H,W].
 *  5. Letterbox padding is cut off first (if the output's size differs from the input's,
 *     the output is resized to the input's size, then cropped, as SAM's post-processing does).
 *  6. `activation` (`none` | `sigmoid`), then `normalize` (`minmax` stretches the map to 0..1
 *     over the image region; a constant map becomes 0 = no foreground; `none` keeps it).
 *  7. Bilinear resize to the original size (F.interpolate, align_corners=False) and clamp to
 *     0..1: that is the alpha. The mask is alpha ≥ threshold (0.5 unless told otherwise).
 */
import { fail, ErrorCode } from '../errors.js';
import type { FloatMap, GrayImage, RgbaImage, Size } from '../image/types.js';
import { resizeBilinearPil } from '../image/resize.js';
import { scratchF32, scratchU8, TRANSIENT_SLOT, type ScratchBuffers } from '../image/scratch.js';
import { resizeFloatBilinear } from '../masks/upsample.js';
import { parseSalientDescriptor, SALIENT_DESCRIPTOR_FILE, type SalientDescriptor } from './salient-descriptor.js';
import { checkImage, flattenAlpha } from './preprocess.js';
import { expectNames, floatData, inputShape, runSession, tensorF32 } from './runtime.js';
import { openLeanEncoder } from './lean-encoder.js';
import type { ModelFiles, Ort, OrtSession, SessionOptions } from './types.js';

export { parseSalientDescriptor, salientDescriptorProblems, SALIENT_DESCRIPTOR_FILE, SALIENT_DESCRIPTOR_KEYS, type SalientDescriptor } from './salient-descriptor.js';


export interface SalientPrediction {
  /** Foreground probability 0..1 at the original image size. */
  alpha: FloatMap;
  /** Time spent in the model session alone (milliseconds). */
  ms: number;
}

export interface SalientModel {
  readonly id: string;
  readonly format: 'salient';
  readonly descriptor: SalientDescriptor;
  /** Graph rewrites applied at load, or why not (for benchmarks and diagnostics). */
  readonly optimisations?: readonly string[];
  /**
   * With `scratch` (batches), the working buffers and the returned alpha are reused: the alpha
   * is valid until the next call with the same scratch (see core/image/scratch.ts).
   */
  predict(image: RgbaImage, scratch?: ScratchBuffers): Promise<SalientPrediction>;
  dispose(): Promise<void>;
}

export interface SalientLoadOptions {
  /** Identifies the model in results (registry id or folder name). */
  id?: string;
  /** The descriptor, when the files hold no cutout.json (registry entries carry theirs). */
  descriptor?: SalientDescriptor | Record<string, unknown>;
  sessionOptions?: SessionOptions;
  /** Cut attention blocks over the budget (core/models/lean-encoder.ts), for graphs given as bytes. Default true. */
  leanAttention?: boolean;
}

const now = () => (globalThis.performance ?? Date).now();

/** Where the image lands in the network input (top-left; the rest is padding). */
export function salientInputSize(d: SalientDescriptor, original: Size): Size {
  const [W, H] = d.size;
  if (d.resize === 'stretch') return { width: W, height: H };
  const s = Math.min(W / original.width, H / original.height);
  return {
    width: Math.min(W, Math.max(1, Math.trunc(original.width * s + 0.5))),
    height: Math.min(H, Math.max(1, Math.trunc(original.height * s + 0.5))),
  };
}

/**
 * NCHW input data [1,3,H,W] for an image, per the descriptor (steps 1-3 above). With
 * `scratch`, the data is its slot 'salient.tensor'.
 */
export function salientTensor(d: SalientDescriptor, image: RgbaImage, scratch?: ScratchBuffers): Float32Array {
  checkImage(image);
  const [W, H] = d.size;
  const fit = salientInputSize(d, image);
  const flat = flattenAlpha(image, scratch);
  const resized = flat.width === fit.width && flat.height === fit.height ? flat : resizeBilinearPil(flat, fit.width, fit.height, scratch);
  const px = resized.data;
  let divisor: number;
  if (d.scale === 'max') {
    let max = 0;
    for (let i = 0; i < px.length; i += 4) max = Math.max(max, px[i]!, px[i + 1]!, px[i + 2]!);
    divisor = max > 0 ? max : 1;
  } else divisor = d.scale;
  const out = scratchF32(scratch, 'salient.tensor', 3 * W * H, true); // zeros: the letterbox padding
  for (let c = 0; c < 3; c++) {
    const plane = c * W * H;
    const m = d.mean[c]!;
    const s = d.std[c]!;
    for (let y = 0; y < fit.height; y++) {
      const src = y * fit.width * 4 + c;
      const dst = plane + y * W;
      for (let x = 0; x < fit.width; x++) out[dst + x] = (px[src + x * 4]! / divisor - m) / s;
    }
  }
  return out;
}

/**
 * The model's output map → alpha at the original size (steps 5-7 above). With `scratch`, the
 * alpha lives in its slots 'salient.region' / TRANSIENT_SLOT (until the next decode or encode).
 */
export function salientAlpha(d: SalientDescriptor, map: FloatMap, original: Size, scratch?: ScratchBuffers): FloatMap {
  const [W, H] = d.size;
  const fit = salientInputSize(d, original);
  const regionData = (n: number) => scratchF32(scratch, 'salient.region', n);
  let region: FloatMap = map;
  if (fit.width !== W || fit.height !== H) {
    if (map.width === W && map.height === H) region = crop(map, fit, regionData(fit.width * fit.height));
    else region = resizeFloatBilinear(map, { width: W, height: H }, fit, regionData(Math.min(W, fit.width) * Math.min(H, fit.height)));
  }
  if (region === map) {
    const copy = regionData(map.data.length);
    copy.set(map.data);
    region = { width: map.width, height: map.height, data: copy };
  }
  const v = region.data;
  if (d.activation === 'sigmoid') for (let i = 0; i < v.length; i++) v[i] = 1 / (1 + Math.exp(-v[i]!));
  if (d.normalize === 'minmax') {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      if (v[i]! < lo) lo = v[i]!;
      if (v[i]! > hi) hi = v[i]!;
    }
    const range = hi - lo;
    if (range > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i]! - lo) / range;
    else v.fill(0);
  }
  const alpha =
    region.width === original.width && region.height === original.height
      ? region
      : resizeFloatBilinear(region, original, original, scratchF32(scratch, TRANSIENT_SLOT, original.width * original.height));
  const a = alpha.data;
  for (let i = 0; i < a.length; i++) a[i] = a[i]! < 0 ? 0 : a[i]! > 1 ? 1 : a[i]!;
  return alpha;
}

function crop(map: FloatMap, size: Size, out: Float32Array): FloatMap {
  for (let y = 0; y < size.height; y++) out.set(map.data.subarray(y * map.width, y * map.width + size.width), y * size.width);
  return { width: size.width, height: size.height, data: out };
}

/** Binary mask of an alpha map: 255 where alpha ≥ threshold (with `scratch`: its slot 'salient.mask'). */
export function alphaMask(alpha: FloatMap, threshold = 0.5, scratch?: ScratchBuffers): GrayImage {
  const data = scratchU8(scratch, 'salient.mask', alpha.data.length);
  for (let i = 0; i < data.length; i++) data[i] = alpha.data[i]! >= threshold ? 255 : 0;
  return { width: alpha.width, height: alpha.height, data };
}

/** Alpha map 0..1 → 8-bit (rounded). */
export function alphaToGray(alpha: FloatMap): GrayImage {
  const data = new Uint8Array(alpha.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(alpha.data[i]! * 255);
  return { width: alpha.width, height: alpha.height, data };
}

class Salient implements SalientModel {
  readonly format = 'salient' as const;
  constructor(
    private readonly ort: Ort,
    readonly id: string,
    readonly descriptor: SalientDescriptor,
    private readonly session: OrtSession,
    readonly optimisations: readonly string[] = [],
  ) {}

  async predict(image: RgbaImage, scratch?: ScratchBuffers): Promise<SalientPrediction> {
    const d = this.descriptor;
    const data = salientTensor(d, image, scratch);
    const input = tensorF32(this.ort, data, [1, 3, d.size[1], d.size[0]]);
    const start = now();
    let out;
    try {
      out = await runSession(this.session, d.model, { [d.input]: input }, [d.output]);
    } finally {
      input.dispose?.();
    }
    const ms = now() - start;
    const t = out[d.output];
    if (!t) return fail(ErrorCode.ModelFormat, `${d.model} did not return ${d.output}`);
    const dims = t.dims;
    const ok = (dims.length === 4 && dims[0] === 1 && dims[1] === 1) || (dims.length === 3 && dims[0] === 1);
    if (!ok) {
      t.dispose?.();
      fail(ErrorCode.ModelFormat, `${d.model}: output ${d.output} should be [1,1,H,W] or [1,H,W], found [${dims.join(',')}]`);
    }
    const values = await floatData(t);
    const map: FloatMap = { width: dims[dims.length - 1]!, height: dims[dims.length - 2]!, data: values };
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) {
        t.dispose?.();
        fail(ErrorCode.Inference, `${d.model} returned a non-finite value (${values[i]}) in ${d.output}: the model or its descriptor is wrong`);
      }
    }
    const alpha = salientAlpha(d, map, image, scratch);
    t.dispose?.();
    return { alpha, ms };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** The descriptor from the files (cutout.json) or the options, checked against the files. */
export async function salientDescriptorOf(files: ModelFiles, given?: SalientLoadOptions['descriptor']): Promise<SalientDescriptor> {
  const names = Object.keys(files).filter((n) => n !== SALIENT_DESCRIPTOR_FILE);
  if (given) return parseSalientDescriptor(given, names);
  const src = files[SALIENT_DESCRIPTOR_FILE];
  if (src === undefined) {
    return fail(ErrorCode.ModelFormat, `no ${SALIENT_DESCRIPTOR_FILE} found next to the model (found ${names.join(', ') || 'no files'}); a salient model folder needs one`);
  }
  return parseSalientDescriptor(await readText(src), names);
}

/** Bytes, or a path/URL fetched with the web's fetch (browsers, Node ≥ 18). */
export async function readText(src: Uint8Array | string): Promise<string> {
  if (src instanceof Uint8Array) return new TextDecoder().decode(src);
  let res: Response;
  try {
    res = await fetch(src);
  } catch (err) {
    return fail(ErrorCode.ModelLoad, `could not read ${src}: ${(err as Error).message}`, err);
  }
  if (!res.ok) fail(ErrorCode.ModelLoad, `could not read ${src}: HTTP ${res.status}`);
  return res.text();
}

/**
 * Loads a salient model: descriptor (cutout.json or `options.descriptor`), then the graph it
 * names; its input and output names are checked against the descriptor (a mismatch says what
 * was expected and what was found), and a fixed input shape against `size`.
 */
export async function loadSalientModel(ort: Ort, files: ModelFiles, options: SalientLoadOptions = {}): Promise<SalientModel> {
  const d = await salientDescriptorOf(files, options.descriptor);
  const lean = await openLeanEncoder(ort, {
    name: d.model,
    source: files[d.model]!,
    // The network input is always size[1] × size[0] (stretched or letterboxed into it).
    inputShapes: () => new Map([[d.input, [1, 3, d.size[1], d.size[0]]]]),
    sessionOptions: options.sessionOptions,
    lean: options.leanAttention ?? true,
  });
  const session = lean.session;
  try {
    expectNames(session, d.model, `salient (per ${SALIENT_DESCRIPTOR_FILE})`, [d.input], [d.output]);
    const shape = inputShape(session, d.input);
    if (shape && shape.length === 4) {
      const want = [1, 3, d.size[1], d.size[0]];
      const bad = shape.some((s, i) => typeof s === 'number' && s > 0 && s !== want[i]);
      if (bad) {
        fail(ErrorCode.ModelFormat, `${d.model}: input ${d.input} is [${shape.join(',')}] but the descriptor's size [${d.size.join(',')}] means [${want.join(',')}]`);
      }
    }
    return new Salient(ort, options.id ?? d.model.replace(/\.onnx$/, ''), d, session, lean.optimisations);
  } catch (err) {
    await session.release().catch(() => undefined);
    throw err;
  }
}
