/**
 * The simulated user of interactive-segmentation evaluation, after RITM
 * (SamsungLabs/ritm_interactive_segmentation, isegm/inference/clicker.py, Clicker._get_next_click):
 *
 *   FN = gt ∧ ¬pred, FP = ¬gt ∧ pred;
 *   each is padded with a 1-pixel border of zeros (the image border counts as a boundary);
 *   exact Euclidean distance transform of each (distance from every error pixel to the nearest
 *   non-error pixel; OpenCV DIST_L2 with DIST_MASK_PRECISE there, Felzenszwalb–Huttenlocher here);
 *   the border is cropped off again and pixels already clicked are zeroed (RITM's not_clicked_map);
 *   positive click iff max(FN distance) > max(FP distance) — strictly: a tie is a negative click,
 *   as in RITM;
 *   the click goes to the first pixel, in row-major order (smallest y, then smallest x; numpy's
 *   np.where order), whose distance equals that maximum.
 *
 * Clicks are integer pixel indices (x = column, y = row), passed to the model as they are, like
 * RITM and SAM's own evaluation (SAM's prompt encoder adds the half-pixel shift itself).
 *
 * Pure TypeScript: no Node or DOM API.
 */
import type { GrayImage } from '../image/types.js';
import type { PointPrompt } from '../prompts/types.js';

export type Click = PointPrompt;

/** 1D squared Euclidean distance transform of a sampled function (Felzenszwalb & Huttenlocher 2012). */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  // Lower envelope of the parabolas y = (q − p)² + f(p), over the finite samples only
  // (infinite ones never win; skipping them keeps every quantity exact in float64).
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q]!;
    if (fq === Infinity) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let s = 0;
    for (;;) {
      const p = v[k]!;
      s = (fq + q * q - (f[p]! + p * p)) / (2 * q - 2 * p);
      if (s <= z[k]!) k--; // z[0] = −∞ stops this at k = 0
      else break;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    d.fill(Infinity, 0, n);
    return;
  }
  let j = 0;
  for (let q = 0; q < n; q++) {
    while (z[j + 1]! < q) j++;
    const p = v[j]!;
    d[q] = (q - p) * (q - p) + f[p]!;
  }
}

/**
 * Squared exact Euclidean distance from every pixel with `inside[i]` to the nearest pixel
 * without it (0 outside). `inside` is width × height, row-major. Pixels off the raster count
 * as outside only if the caller pads; this function does not.
 * Values are integers (sums of squares), exact in float64.
 */
export function squaredDistanceTransform(inside: Uint8Array, width: number, height: number): Float64Array {
  const n = width * height;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = inside[i] ? Infinity : 0;
  const len = Math.max(width, height);
  const f = new Float64Array(len);
  const d = new Float64Array(len);
  const v = new Int32Array(len);
  const z = new Float64Array(len + 1);
  // Columns, then rows.
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) f[y] = out[y * width + x]!;
    edt1d(f, height, d, v, z);
    for (let y = 0; y < height; y++) out[y * width + x] = d[y]!;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) f[x] = out[row + x]!;
    edt1d(f, width, d, v, z);
    for (let x = 0; x < width; x++) out[row + x] = d[x]!;
  }
  return out;
}

/**
 * RITM's distance map of an error mask: pad by one pixel of zeros, exact EDT, crop.
 * Returns squared distances (monotone in the distance, so maxima and ties are the same).
 */
export function errorDistances(error: Uint8Array, width: number, height: number): Float64Array {
  const pw = width + 2;
  const ph = height + 2;
  const padded = new Uint8Array(pw * ph);
  for (let y = 0; y < height; y++) padded.set(error.subarray(y * width, (y + 1) * width), (y + 1) * pw + 1);
  const dt = squaredDistanceTransform(padded, pw, ph);
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = dt[(y + 1) * pw + x + 1]!;
  }
  return out;
}

/** Largest value and the first (row-major) index holding it. */
function argmax(values: Float64Array): { max: number; index: number } {
  let max = 0;
  let index = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i]! > max) {
      max = values[i]!;
      index = i;
    }
  }
  return { max, index };
}

/**
 * The next simulated click for prediction `pred` against ground truth `gt` (non-zero = inside;
 * `pred` undefined = nothing predicted yet, as before the first click). `clicked` are the
 * clicks made so far: their pixels are never chosen again (RITM's not_clicked_map).
 *
 * Returns undefined when there is nothing left to correct (no FN and no FP pixel that may be
 * clicked). RITM would then emit a negative click at pixel (0, 0); the evaluation stops instead.
 */
export function nextClick(gt: GrayImage, pred: GrayImage | undefined, clicked: ReadonlyArray<{ x: number; y: number }> = []): Click | undefined {
  const { width, height } = gt;
  if (gt.data.length !== width * height) throw new RangeError(`nextClick: gt buffer holds ${gt.data.length} bytes, expected ${width * height}`);
  if (pred && (pred.width !== width || pred.height !== height || pred.data.length !== width * height)) {
    throw new RangeError(`nextClick: prediction is ${pred.width}×${pred.height}, ground truth ${width}×${height}`);
  }
  const n = width * height;
  const fn = new Uint8Array(n);
  const fp = new Uint8Array(n);
  const g = gt.data;
  const p = pred?.data;
  for (let i = 0; i < n; i++) {
    const inGt = g[i] !== 0;
    const inPred = p !== undefined && p[i] !== 0;
    if (inGt && !inPred) fn[i] = 1;
    else if (!inGt && inPred) fp[i] = 1;
  }
  const fnDist = errorDistances(fn, width, height);
  const fpDist = errorDistances(fp, width, height);
  for (const c of clicked) {
    if (!Number.isInteger(c.x) || !Number.isInteger(c.y) || c.x < 0 || c.y < 0 || c.x >= width || c.y >= height) continue;
    fnDist[c.y * width + c.x] = 0;
    fpDist[c.y * width + c.x] = 0;
  }
  const fnBest = argmax(fnDist);
  const fpBest = argmax(fpDist);
  if (fnBest.max === 0 && fpBest.max === 0) return undefined;
  const positive = fnBest.max > fpBest.max;
  const index = positive ? fnBest.index : fpBest.index;
  return { x: index % width, y: Math.floor(index / width), label: positive ? 1 : 0 };
}
