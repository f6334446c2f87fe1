/**
 * The apply pipeline: the chosen candidate of a prediction → what the host inserts, in SOURCE
 * IMAGE pixels (plugin/protocol.ts). Pure (core only, no DOM): it runs in the inference
 * worker when there is one, else on the UI thread between yields.
 *
 *   cutout       logits at the work size (≤ 4096 long side) → soft alpha → cutout cropped
 *                to the mask bounds → PNG; `rect` is the crop in source pixels (the PNG is
 *                smaller than `rect` when the source is larger than 4096 on a side).
 *   vector-mask  logits at the work size → traceMask (threshold 0, sub-pixel) → paths scaled
 *   outline      into source pixels.
 */
import { boundsWhere } from '../core/masks/measure.js';
import { ErrorCode, fail } from '../core/errors.js';
import { resizeBilinearPil } from '../core/image/resize.js';
import { encodePng } from '../core/image/png.js';
import type { FloatMap, GrayImage, RgbaImage, Size } from '../core/image/types.js';
import { maskBounds } from '../core/masks/measure.js';
import type { DecodeResult } from '../core/models/types.js';
import { candidateLogits } from '../core/segment.js';
import { traceMask } from '../core/vector/trace.js';
import { makeCutout } from '../core/cutout/index.js';
import type { ApplyPayload, OutputKind, VectorPathData } from '../plugin/protocol.js';
import { rectToSource, workScale, workSize } from './layout.js';

/** Figma's createImage limit, and the largest side the pipeline works at. */
export const MAX_SIDE = 4096;

export interface ApplyOptions {
  output: OutputKind;
  /** Feather radius in source pixels (cutout). */
  feather: number;
  /** Tracing tolerance in source pixels (vector outputs). */
  smoothing: number;
  maxSide?: number;
}

export type ApplyResult = Pick<ApplyPayload, 'png' | 'rect' | 'paths'> & {
  /** Pixel size of the PNG (cutout), for messages. */
  pngSize?: Size;
};

export type ApplyProgress = (fraction: number, stage: string) => void;

/** Bounds [x0, x1) × [y0, y1) of the values > 0, grown by `pad` and clamped to the map. */
export function positiveBounds(map: FloatMap, pad: number): { x0: number; y0: number; x1: number; y1: number } {
  const { width: w, height: h, data } = map;
  const b = boundsWhere(w, h, (i) => data[i]! > 0);
  if (!b) return { x0: 0, y0: 0, x1: w, y1: h };
  return { x0: Math.max(0, b.x0 - pad), y0: Math.max(0, b.y0 - pad), x1: Math.min(w, b.x1 + pad), y1: Math.min(h, b.y1 + pad) };
}

function cropFloat(map: FloatMap, b: { x0: number; y0: number; x1: number; y1: number }): FloatMap {
  const w = b.x1 - b.x0;
  const h = b.y1 - b.y0;
  if (w === map.width && h === map.height) return map;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const from = (b.y0 + y) * map.width + b.x0;
    data.set(map.data.subarray(from, from + w), y * w);
  }
  return { width: w, height: h, data };
}

function isEmpty(logits: FloatMap): boolean {
  const d = logits.data;
  for (let i = 0; i < d.length; i++) if (d[i]! > 0) return false;
  return true;
}

/**
 * Builds the result for one candidate. `image` is the source image (its size is the
 * prediction's original size).
 */
export function buildResult(
  image: RgbaImage,
  prediction: DecodeResult,
  candidate: number,
  options: ApplyOptions,
  onProgress: ApplyProgress = () => undefined,
): ApplyResult {
  const source: Size = { width: image.width, height: image.height };
  const o = prediction.transform.original;
  if (o.width !== source.width || o.height !== source.height) {
    fail(ErrorCode.State, `the mask was made for a ${o.width}×${o.height} image but the image is ${source.width}×${source.height}: click again`);
  }
  const work = workSize(source, options.maxSide ?? MAX_SIDE);
  const scale = workScale(source, work);
  onProgress(0.05, 'Building the mask');
  const logits = candidateLogits(prediction, candidate, work);
  if (isEmpty(logits)) {
    fail(ErrorCode.InvalidMask, 'The selection is empty: click on the object (or drag a box around it) and try again.');
  }

  // Work only around the object: its bounds plus room for the feather and the anti-aliasing.
  const feather = options.feather / scale.x;
  const box = positiveBounds(logits, Math.ceil(2 * feather + 4));
  const region = cropFloat(logits, box);

  if (options.output === 'cutout') {
    onProgress(0.3, 'Cutting out');
    const full = work.width === source.width && work.height === source.height ? image : resizeBilinearPil(image, work.width, work.height);
    const pixels = cropRgba(full, box);
    const cut = makeCutout(pixels, region, { feather, decontaminate: true, crop: true });
    onProgress(0.7, 'Encoding PNG');
    const png = encodePng(cut.image);
    const crop = { x: box.x0 + cut.offset.x, y: box.y0 + cut.offset.y, width: cut.image.width, height: cut.image.height };
    const rect = rectToSource(crop, source, work);
    onProgress(1, 'Done');
    return { png, rect, pngSize: { width: cut.image.width, height: cut.image.height } };
  }

  onProgress(0.2, 'Tracing');
  const traced = traceMask(region, {
    threshold: 0,
    tolerance: Math.max(0.2, options.smoothing / scale.x),
    minArea: 4,
    transform: { scale: { x: scale.x, y: scale.y }, offset: { x: box.x0 * scale.x, y: box.y0 * scale.y } },
    onProgress: (f) => onProgress(0.2 + 0.75 * f, 'Tracing'),
  });
  const paths: VectorPathData[] = traced.paths.map((p) => ({ windingRule: p.windingRule, data: p.data }));
  if (!paths.length) fail(ErrorCode.InvalidMask, 'The selection is too small to trace: click on a larger area.');
  onProgress(1, 'Done');
  return { paths };
}

/** The region [x0, x1) × [y0, y1) of an image, copied. */
export function cropRgba(img: RgbaImage, b: { x0: number; y0: number; x1: number; y1: number }): RgbaImage {
  const w = b.x1 - b.x0;
  const h = b.y1 - b.y0;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const from = ((b.y0 + y) * img.width + b.x0) * 4;
    data.set(img.data.subarray(from, from + w * 4), y * w * 4);
  }
  return { width: w, height: h, data };
}

/**
 * Batch packaging: runs `make` on the image at the work size (≤ maxSide), crops its cutout
 * to the mask's bounds and encodes it; `rect` is that crop in source pixels.
 */
export async function cutoutResult<E extends object>(
  image: RgbaImage,
  maxSide: number | undefined,
  make: (pixels: RgbaImage) => Promise<{ cutout: RgbaImage; mask: GrayImage; extra: E }>,
): Promise<ApplyResult & E> {
  const source: Size = { width: image.width, height: image.height };
  const work = workSize(source, maxSide ?? MAX_SIDE);
  const pixels = work.width === source.width && work.height === source.height ? image : resizeBilinearPil(image, work.width, work.height);
  const { cutout, mask, extra } = await make(pixels);
  const b = maskBounds(mask);
  if (!b) fail(ErrorCode.InvalidMask, 'No foreground was found in this image, so nothing was cut out.');
  // The cutout may be feathered beyond the binary mask: grow the crop to its visible alpha.
  const alphaBounds = maskBounds({ width: cutout.width, height: cutout.height, data: alphaChannel(cutout) }) ?? b;
  const crop = cropRgba(cutout, alphaBounds);
  const png = encodePng(crop);
  const rect = rectToSource({ x: alphaBounds.x0, y: alphaBounds.y0, width: crop.width, height: crop.height }, source, work);
  return { png, rect, pngSize: { width: crop.width, height: crop.height }, ...extra };
}

function alphaChannel(img: RgbaImage): Uint8Array {
  const a = new Uint8Array(img.width * img.height);
  for (let i = 0; i < a.length; i++) a[i] = img.data[i * 4 + 3]!;
  return a;
}
