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
import { ErrorCode, fail } from '../core/errors.js';
import { resizeBilinearPil } from '../core/image/resize.js';
import { encodePng } from '../core/image/png.js';
import type { FloatMap, RgbaImage, Size } from '../core/image/types.js';
import type { DecodeResult } from '../core/models/types.js';
import { candidateLogits } from '../core/segment.js';
import { traceMask } from '../core/vector/trace.js';
import { makeCutout } from '../core/cutout/index.js';
import type { ApplyPayload, OutputKind, VectorPathData } from '../plugin/protocol.js';
import { workSize } from './layout.js';

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

/** Source pixels per work pixel on each axis. */
export function workScale(source: Size, work: Size): { x: number; y: number } {
  return { x: source.width / work.width, y: source.height / work.height };
}

/** A crop in work pixels → the same region in source pixels. */
export function rectToSource(
  crop: { x: number; y: number; width: number; height: number },
  source: Size,
  work: Size,
): { x: number; y: number; width: number; height: number } {
  const s = workScale(source, work);
  return { x: crop.x * s.x, y: crop.y * s.y, width: crop.width * s.x, height: crop.height * s.y };
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

  if (options.output === 'cutout') {
    onProgress(0.3, 'Cutting out');
    const pixels = work.width === source.width && work.height === source.height ? image : resizeBilinearPil(image, work.width, work.height);
    const cut = makeCutout(pixels, logits, { feather: options.feather / scale.x, crop: true });
    onProgress(0.7, 'Encoding PNG');
    const png = encodePng(cut.image);
    const rect = rectToSource({ x: cut.offset.x, y: cut.offset.y, width: cut.image.width, height: cut.image.height }, source, work);
    onProgress(1, 'Done');
    return { png, rect, pngSize: { width: cut.image.width, height: cut.image.height } };
  }

  onProgress(0.2, 'Tracing');
  const traced = traceMask(logits, {
    threshold: 0,
    tolerance: Math.max(0.2, options.smoothing / scale.x),
    minArea: 4,
    transform: scale.x === 1 && scale.y === 1 ? null : { scale: { x: scale.x, y: scale.y } },
    onProgress: (f) => onProgress(0.2 + 0.75 * f, 'Tracing'),
  });
  const paths: VectorPathData[] = traced.paths.map((p) => ({ windingRule: p.windingRule, data: p.data }));
  if (!paths.length) fail(ErrorCode.InvalidMask, 'The selection is too small to trace: click on a larger area.');
  onProgress(1, 'Done');
  return { paths };
}
