/**
 * gaussianBlurInPlace (core/cutout/filters.ts) gives exactly gaussianBlur's values, bit for
 * bit, on both of its paths (sampled kernel below σ 2, triple box above) and on planes
 * shorter or narrower than the kernel.
 */
import { describe, expect, it } from 'vitest';
import { gaussianBlur, gaussianBlurInPlace } from '../../core/cutout/filters.js';

function plane(w: number, h: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: w * h }, (_, i) => {
    s = (s * 1103515245 + 12345) >>> 0;
    // A hard-edged disc with noise: what a mask looks like, plus values between.
    const x = i % w;
    const y = Math.floor(i / w);
    return (x - w / 2) ** 2 + (y - h / 2) ** 2 < (Math.min(w, h) / 3) ** 2 ? 1 : (s >>> 8) / 2 ** 24 < 0.1 ? 0.5 : 0;
  });
}

describe('gaussianBlurInPlace', () => {
  for (const [w, h] of [[61, 47], [5, 90], [90, 3], [1, 1]] as const) {
    for (const sigma of [0.2, 0.8, 1.9, 2, 3.7, 10, 40]) {
      it(`${w}×${h}, σ ${sigma}: the same values as gaussianBlur`, () => {
        const src = plane(w, h, w * 31 + h);
        const want = gaussianBlur(src, w, h, sigma);
        const got = Float32Array.from(src);
        gaussianBlurInPlace(got, w, h, sigma);
        expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
      });
    }
  }
});
