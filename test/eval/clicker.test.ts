/**
 * The simulated clicker against hand-made cases with known answers, and against a brute-force
 * transcription of RITM's rule (isegm/inference/clicker.py, Clicker._get_next_click):
 * pad by one zero pixel, exact EDT, crop, zero clicked pixels, positive iff max FN > max FP,
 * first maximum in row-major order.
 */
import { describe, expect, it } from 'vitest';
import { errorDistances, nextClick, squaredDistanceTransform } from '../../core/eval/clicker.js';
import type { GrayImage } from '../../core/image/types.js';

function mask(width: number, height: number, inside: (x: number, y: number) => boolean): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = inside(x, y) ? 255 : 0;
  return { width, height, data };
}
const rect = (x0: number, y0: number, x1: number, y1: number) => (x: number, y: number) => x >= x0 && x < x1 && y >= y0 && y < y1;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Brute force: squared distance from each inside pixel to the nearest outside pixel (padded grid). */
function bruteSquaredDt(inside: Uint8Array, width: number, height: number, pad: boolean): Float64Array {
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inside[y * width + x]) continue;
      let best = Infinity;
      const lo = pad ? -1 : 0;
      for (let yy = lo; yy < height - lo; yy++) {
        for (let xx = lo; xx < width - lo; xx++) {
          const off = xx < 0 || yy < 0 || xx >= width || yy >= height;
          if (off || !inside[yy * width + xx]) best = Math.min(best, (x - xx) ** 2 + (y - yy) ** 2);
        }
      }
      out[y * width + x] = best;
    }
  }
  return out;
}

/** RITM's _get_next_click, transcribed literally over the brute-force distances. */
function ritmReference(gt: GrayImage, pred: GrayImage | undefined, clicked: Array<{ x: number; y: number }>) {
  const { width, height } = gt;
  const fn = new Uint8Array(width * height);
  const fp = new Uint8Array(width * height);
  for (let i = 0; i < fn.length; i++) {
    const g = gt.data[i] !== 0;
    const p = pred ? pred.data[i] !== 0 : false;
    fn[i] = g && !p ? 1 : 0;
    fp[i] = !g && p ? 1 : 0;
  }
  const fnDt = bruteSquaredDt(fn, width, height, true);
  const fpDt = bruteSquaredDt(fp, width, height, true);
  for (const c of clicked) {
    fnDt[c.y * width + c.x] = 0;
    fpDt[c.y * width + c.x] = 0;
  }
  const fnMax = Math.max(...fnDt);
  const fpMax = Math.max(...fpDt);
  const positive = fnMax > fpMax;
  const dt = positive ? fnDt : fpDt;
  const index = dt.indexOf(positive ? fnMax : fpMax);
  return { x: index % width, y: Math.floor(index / width), label: positive ? 1 : 0, none: fnMax === 0 && fpMax === 0 };
}

describe('exact Euclidean distance transform', () => {
  it('equals brute force on random masks of many shapes (unpadded and padded)', () => {
    const rnd = random(42);
    for (const [w, h, density] of [
      [1, 1, 0.5],
      [1, 9, 0.7],
      [13, 1, 0.7],
      [7, 5, 0.9],
      [16, 11, 0.6],
      [23, 17, 0.95],
      [30, 30, 0.3],
    ] as const) {
      for (let trial = 0; trial < 5; trial++) {
        const inside = new Uint8Array(w * h).map(() => (rnd() < density ? 1 : 0));
        if (inside.some((v) => !v)) expect(Array.from(squaredDistanceTransform(inside, w, h))).toEqual(Array.from(bruteSquaredDt(inside, w, h, false)));
        expect(Array.from(errorDistances(inside, w, h))).toEqual(Array.from(bruteSquaredDt(inside, w, h, true)));
      }
    }
  });

  it('a raster with no outside pixel is at infinite distance (the reason for padding)', () => {
    const all = new Uint8Array(6).fill(1);
    expect(Array.from(squaredDistanceTransform(all, 3, 2))).toEqual(new Array(6).fill(Infinity));
    expect(Array.from(errorDistances(all, 3, 2))).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe('nextClick (RITM protocol)', () => {
  it('empty prediction: a positive click at the deepest point of the ground truth (rectangle)', () => {
    // x 10..19, y 5..24: distance 5 is reached at x ∈ {14, 15}, y ∈ 9..20; first in row-major order.
    const gt = mask(40, 30, rect(10, 5, 20, 25));
    expect(nextClick(gt, undefined)).toEqual({ x: 14, y: 9, label: 1 });
    expect(nextClick(gt, mask(40, 30, () => false))).toEqual({ x: 14, y: 9, label: 1 });
  });

  it('empty prediction on a disc: the centre pixel', () => {
    const gt = mask(41, 41, (x, y) => (x - 20) ** 2 + (y - 20) ** 2 <= 64);
    expect(nextClick(gt, undefined)).toEqual({ x: 20, y: 20, label: 1 });
  });

  it('the image border counts as boundary (1-pixel zero padding)', () => {
    // Whole 5×3 image is object: row 1 is 2 from the padding above and below; x = 1..3 also ≥ 2
    // from the sides, so the first maximum is (1, 1).
    expect(nextClick(mask(5, 3, () => true), undefined)).toEqual({ x: 1, y: 1, label: 1 });
  });

  it('a false-positive blob deeper than the false negatives gives a negative click inside the blob', () => {
    const gt = mask(40, 30, rect(5, 5, 15, 25));
    // Prediction misses a 2-px strip of the object (FN depth 1) and adds a 10×10 blob (FP depth 5).
    const pred = mask(40, 30, (x, y) => (rect(7, 5, 15, 25)(x, y) ? true : rect(25, 10, 35, 20)(x, y)));
    expect(nextClick(gt, pred)).toEqual({ x: 29, y: 14, label: 0 });
  });

  it('false negatives deeper than a small false positive give a positive click', () => {
    const gt = mask(40, 30, rect(5, 5, 25, 25));
    // Prediction: only the left quarter of the object plus a 2×2 FP speck.
    const pred = mask(40, 30, (x, y) => rect(5, 5, 10, 25)(x, y) || rect(30, 2, 32, 4)(x, y));
    // FN = x 10..24, y 5..24 (15 wide): depth 8 at x = 17, first row with depth 8 is y = 12.
    expect(nextClick(gt, pred)).toEqual({ x: 17, y: 12, label: 1 });
  });

  it('a tie between FN and FP depth is a negative click, as in RITM (is_positive = fn_max > fp_max)', () => {
    const gt = mask(30, 10, rect(2, 2, 7, 7));
    const pred = mask(30, 10, rect(20, 2, 25, 7)); // FN and FP: identical 5×5 squares
    expect(nextClick(gt, pred)).toEqual({ x: 22, y: 4, label: 0 });
  });

  it('never clicks a pixel twice (not_clicked_map)', () => {
    const gt = mask(12, 12, rect(5, 5, 8, 8)); // 3×3: centre depth 2, the rest depth 1
    expect(nextClick(gt, undefined)).toEqual({ x: 6, y: 6, label: 1 });
    expect(nextClick(gt, undefined, [{ x: 6, y: 6 }])).toEqual({ x: 5, y: 5, label: 1 });
  });

  it('nothing to correct: undefined (the evaluation stops)', () => {
    const gt = mask(10, 10, rect(2, 2, 6, 6));
    expect(nextClick(gt, gt)).toBeUndefined();
    // Remaining errors only at already-clicked pixels count as nothing to correct too.
    const pred = mask(10, 10, (x, y) => rect(2, 2, 6, 6)(x, y) && !(x === 3 && y === 3));
    expect(nextClick(gt, pred, [{ x: 3, y: 3 }])).toBeUndefined();
  });

  it('rejects a prediction of another size', () => {
    expect(() => nextClick(mask(10, 10, () => true), mask(10, 9, () => true))).toThrow(/10×9/);
  });

  it('agrees with a literal transcription of RITM on random ground truths, predictions and click histories', () => {
    const rnd = random(7);
    let negatives = 0;
    for (let trial = 0; trial < 150; trial++) {
      const w = 4 + Math.floor(rnd() * 20);
      const h = 4 + Math.floor(rnd() * 20);
      // Blobby masks: union of a few random rectangles.
      const blobs = (n: number) => {
        const rs = Array.from({ length: n }, () => {
          const x0 = Math.floor(rnd() * w);
          const y0 = Math.floor(rnd() * h);
          return rect(x0, y0, x0 + 1 + Math.floor(rnd() * w * 0.6), y0 + 1 + Math.floor(rnd() * h * 0.6));
        });
        return mask(w, h, (x, y) => rs.some((r) => r(x, y)));
      };
      const gt = blobs(1 + Math.floor(rnd() * 3));
      const pred = trial % 5 === 0 ? undefined : blobs(1 + Math.floor(rnd() * 3));
      const clicked = Array.from({ length: Math.floor(rnd() * 4) }, () => ({ x: Math.floor(rnd() * w), y: Math.floor(rnd() * h) }));
      const ref = ritmReference(gt, pred, clicked);
      const got = nextClick(gt, pred, clicked);
      if (ref.none) expect(got).toBeUndefined();
      else expect(got, `trial ${trial}`).toEqual({ x: ref.x, y: ref.y, label: ref.label });
      if (got?.label === 0) negatives++;
    }
    expect(negatives).toBeGreaterThan(10); // both branches exercised
  });
});
