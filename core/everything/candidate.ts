import type { GrayImage } from '../image/types.js';
import { forEachLogitRow } from '../masks/upsample.js';
import type { FrameTransform } from '../prompts/frames.js';
import type { XYXY } from './boxes.js';

/** One decoder candidate measured at the original size. */
export interface Measured {
  mask: GrayImage;
  area: number;
  /** [0, 0, 0, 0] for an empty mask, as the reference's batched_mask_to_box. */
  box: XYXY;
  stability: number;
}

/**
 * The reference's stability score on logits: pixels above threshold + offset over pixels
 * above threshold − offset (a mask with no pixel above the lower cut scores 0 here; the
 * reference divides 0 by 0 there, and NaN fails its `>=` filter just the same).
 */
export function stabilityFromCounts(inner: number, outer: number): number {
  return outer === 0 ? 0 : inner / outer;
}

/**
 * Upsamples a candidate's low-res logits to the original size the way the reference does,
 * and in the same pass cuts the mask at `threshold`, counts both stability cuts and finds
 * the box. Only the binary mask is kept.
 */
export function measureCandidate(lowRes: Float32Array, t: FrameTransform, threshold: number, offset: number): Measured {
  const { width: W, height: H } = t.original;
  const data = new Uint8Array(W * H);
  const hi = threshold + offset;
  const lo = threshold - offset;
  let inner = 0;
  let outer = 0;
  let area = 0;
  let x0 = W;
  let y0 = H;
  let x1 = -1;
  let y1 = -1;
  forEachLogitRow(lowRes, t, t.original, (y, row) => {
    const base = y * W;
    let rowMin = -1;
    let rowMax = -1;
    for (let x = 0; x < W; x++) {
      const v = row[x]!;
      if (v > hi) inner++;
      if (v > lo) outer++;
      if (v > threshold) {
        data[base + x] = 255;
        area++;
        if (rowMin < 0) rowMin = x;
        rowMax = x;
      }
    }
    if (rowMin >= 0) {
      if (rowMin < x0) x0 = rowMin;
      if (rowMax > x1) x1 = rowMax;
      if (y < y0) y0 = y;
      y1 = y;
    }
  });
  const box: XYXY = x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1, y1];
  return { mask: { width: W, height: H, data }, area, box, stability: stabilityFromCounts(inner, outer) };
}

/** Box of a binary mask (255/0), [0, 0, 0, 0] when empty. */
export function maskBox(mask: GrayImage): XYXY {
  const { width: W, height: H, data } = mask;
  let x0 = W;
  let y0 = H;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < H; y++) {
    const base = y * W;
    for (let x = 0; x < W; x++) {
      if (!data[base + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1, y1];
}

export function countInside(mask: GrayImage): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) n++;
  return n;
}
