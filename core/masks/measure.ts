import type { FloatMap, GrayImage } from '../image/types.js';

/** Pixels of a logit map above the threshold. */
export function countAbove(data: Float32Array, threshold = 0): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (data[i]! > threshold) n++;
  return n;
}

/** Non-zero pixels of a mask. */
export function maskArea(mask: GrayImage): number {
  let n = 0;
  const d = mask.data;
  for (let i = 0; i < d.length; i++) if (d[i]) n++;
  return n;
}

/** Intersection over union of two same-sized masks (non-zero = inside). Two empty masks: 1. */
export function maskIoU(a: GrayImage, b: GrayImage): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`maskIoU: sizes differ (${a.width}×${a.height} vs ${b.width}×${b.height})`);
  }
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i] !== 0;
    const y = b.data[i] !== 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * SAM's stability score: IoU between the masks thresholded at threshold ± offset. Masks
 * that barely change when the cut-off moves are ones the model is sure of.
 */
export function stabilityScore(logits: Float32Array, threshold = 0, offset = 1): number {
  let inner = 0;
  let outer = 0;
  const hi = threshold + offset;
  const lo = threshold - offset;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > hi) inner++;
    if (v > lo) outer++;
  }
  return outer === 0 ? 0 : inner / outer;
}

/** Box [x0, x1) × [y0, y1) of the pixels where `inside(i)` holds (i = y·width + x), or undefined. */
export function boundsWhere(width: number, height: number, inside: (i: number) => boolean): { x0: number; y0: number; x1: number; y1: number } | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (inside(row + x)) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? undefined : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Bounding box of the non-zero pixels, or undefined for an empty mask. */
export function maskBounds(mask: GrayImage): { x0: number; y0: number; x1: number; y1: number } | undefined {
  const d = mask.data;
  return boundsWhere(mask.width, mask.height, (i) => d[i] !== 0);
}

/** Threshold a float map into a mask (> threshold → 255). */
export function thresholdMap(map: FloatMap, threshold = 0): GrayImage {
  const data = new Uint8Array(map.data.length);
  for (let i = 0; i < data.length; i++) data[i] = map.data[i]! > threshold ? 255 : 0;
  return { width: map.width, height: map.height, data };
}
