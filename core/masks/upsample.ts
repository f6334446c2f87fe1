import type { FloatMap, GrayImage, Size } from '../image/types.js';
import type { FrameTransform } from '../prompts/frames.js';

/**
 * Bilinear resampling exactly as PyTorch's `F.interpolate(mode="bilinear",
 * align_corners=False)` with an explicit output size: source coordinate
 * (dst + 0.5) · in/out − 0.5, clamped at 0, neighbours x0 and min(x0 + 1, in − 1).
 * PyTorch mixes horizontally first, then vertically; so do we, so the float rounding
 * follows the same order.
 */
interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  w0: Float32Array;
  w1: Float32Array;
}

/** Taps for `count` output samples of an axis resized from `inSize` to `outSize`. */
function axisTaps(inSize: number, outSize: number, count: number): Taps {
  const i0 = new Int32Array(count);
  const i1 = new Int32Array(count);
  const w0 = new Float32Array(count);
  const w1 = new Float32Array(count);
  const scale = Math.fround(inSize / outSize);
  for (let d = 0; d < count; d++) {
    let src = Math.fround(Math.fround(scale * (d + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const a = Math.floor(src);
    const b = a < inSize - 1 ? a + 1 : a;
    const l1 = Math.fround(src - a);
    i0[d] = a;
    i1[d] = b;
    w1[d] = l1;
    w0[d] = Math.fround(1 - l1);
  }
  return { i0, i1, w0, w1 };
}

/**
 * Resize `src` to outSize and keep the top-left `keep` region (the crop of SAM 1's padded
 * frame) — without computing what the crop throws away. `into` (exactly W·H floats, e.g. a
 * reused scratch buffer) receives the result instead of a new array; every value is written.
 */
export function resizeFloatBilinear(src: FloatMap, outSize: Size, keep: Size = outSize, into?: Float32Array): FloatMap {
  const W = Math.min(keep.width, outSize.width);
  const H = Math.min(keep.height, outSize.height);
  const tx = axisTaps(src.width, outSize.width, W);
  const ty = axisTaps(src.height, outSize.height, H);
  if (into && into.length !== W * H) throw new RangeError(`resizeFloatBilinear: into holds ${into.length} floats, ${W}×${H} needs ${W * H}`);
  const out = into ?? new Float32Array(W * H);
  forEachRow(src, tx, ty, W, H, (y, row) => out.set(row, y * W));
  return { width: W, height: H, data: out };
}

/**
 * Streams the resized rows to `sink` (row buffer is reused: copy what you keep). Only the
 * source rows that some output row needs are resized horizontally, each once.
 */
function forEachRow(src: FloatMap, tx: Taps, ty: Taps, W: number, H: number, sink: (y: number, row: Float32Array) => void): void {
  const sw = src.width;
  const s = src.data;
  const cache = new Map<number, Float32Array>();
  // Rows dropped from the cache are reused (every value is rewritten): a handful of row
  // buffers per call instead of one per source row.
  const spare: Float32Array[] = [];
  const horiz = (sy: number): Float32Array => {
    let r = cache.get(sy);
    if (r) return r;
    r = spare.pop() ?? new Float32Array(W);
    const base = sy * sw;
    for (let x = 0; x < W; x++) r[x] = tx.w0[x]! * s[base + tx.i0[x]!]! + tx.w1[x]! * s[base + tx.i1[x]!]!;
    cache.set(sy, r);
    return r;
  };
  const row = new Float32Array(W);
  for (let y = 0; y < H; y++) {
    const a = horiz(ty.i0[y]!);
    const b = horiz(ty.i1[y]!);
    const w0 = ty.w0[y]!;
    const w1 = ty.w1[y]!;
    for (let x = 0; x < W; x++) row[x] = w0 * a[x]! + w1 * b[x]!;
    // Rows are visited in order, so sources below the current lower tap are done.
    for (const [k, r] of cache) {
      if (k < ty.i0[y]!) {
        cache.delete(k);
        spare.push(r);
      }
    }
    sink(y, row);
  }
}

/**
 * Low-res logits (lowRes × lowRes) → logits over the original image, the way the reference
 * post-processing does it:
 *  - 'longest' (SAM 1 family): → frame × frame, crop to the resized size, → original size;
 *  - 'square'  (SAM 2 family): → original size in one step.
 * The result can be huge (original size); use `upsampleToMask` when only the binary mask
 * is wanted.
 */
export function upsampleLogits(lowRes: Float32Array, t: FrameTransform, out: Size = t.original): FloatMap {
  const mid = stageOne(lowRes, t);
  return resizeFloatBilinear(mid, out);
}

/** Same as upsampleLogits, thresholded (> threshold → 255) row by row: no full float copy. */
export function upsampleToMask(lowRes: Float32Array, t: FrameTransform, out: Size = t.original, threshold = 0): GrayImage {
  const mid = stageOne(lowRes, t);
  const tx = axisTaps(mid.width, out.width, out.width);
  const ty = axisTaps(mid.height, out.height, out.height);
  const data = new Uint8Array(out.width * out.height);
  forEachRow(mid, tx, ty, out.width, out.height, (y, row) => {
    const base = y * out.width;
    for (let x = 0; x < row.length; x++) data[base + x] = row[x]! > threshold ? 255 : 0;
  });
  return { width: out.width, height: out.height, data };
}

/**
 * The rows of upsampleLogits, one at a time (the row buffer is reused: copy what you keep),
 * for measures over many candidates without a full-size float map each.
 */
export function forEachLogitRow(lowRes: Float32Array, t: FrameTransform, out: Size, sink: (y: number, row: Float32Array) => void): void {
  const mid = stageOne(lowRes, t);
  const tx = axisTaps(mid.width, out.width, out.width);
  const ty = axisTaps(mid.height, out.height, out.height);
  forEachRow(mid, tx, ty, out.width, out.height, sink);
}

/** The first stage: the low-res grid as the image region of the frame (SAM 1) or as is. */
function stageOne(lowRes: Float32Array, t: FrameTransform): FloatMap {
  const grid: FloatMap = { width: t.lowRes, height: t.lowRes, data: lowRes };
  if (t.mode === 'square') return grid;
  return resizeFloatBilinear(grid, { width: t.frame, height: t.frame }, t.resized);
}
