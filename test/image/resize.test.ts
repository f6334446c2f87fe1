import { describe, expect, it } from 'vitest';
import { CutoutError, ErrorCode } from '../../core/errors.js';
import { longestSideSize, resizeBilinearPil, resizeGrayBilinearPil } from '../../core/image/resize.js';
import type { RgbaImage } from '../../core/image/types.js';

function randomImage(width: number, height: number, seed = 1): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, data };
}

function transpose(img: RgbaImage): RgbaImage {
  const { width: w, height: h } = img;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(img.data.subarray((y * w + x) * 4, (y * w + x) * 4 + 4), (x * h + y) * 4);
  return { width: h, height: w, data };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CutoutError);
    return (e as CutoutError).code;
  }
  throw new Error('expected an error');
}

describe('longestSideSize', () => {
  it('matches the reference processors on the fixture sizes', () => {
    expect(longestSideSize(512, 512)).toEqual({ width: 1024, height: 1024 });
    expect(longestSideSize(451, 300)).toEqual({ width: 1024, height: 681 });
    expect(longestSideSize(600, 400)).toEqual({ width: 1024, height: 683 });
    expect(longestSideSize(1500, 700)).toEqual({ width: 1024, height: 478 });
    expect(longestSideSize(333, 517)).toEqual({ width: 660, height: 1024 });
    expect(longestSideSize(4000, 3000)).toEqual({ width: 1024, height: 768 });
    expect(longestSideSize(100, 50, 64)).toEqual({ width: 64, height: 32 });
  });

  it('never returns a 0 side; rejects empty sizes and bad targets', () => {
    expect(longestSideSize(1, 5000)).toEqual({ width: 1, height: 1024 });
    expect(codeOf(() => longestSideSize(0, 10))).toBe(ErrorCode.ImageSize);
    expect(codeOf(() => longestSideSize(10, 10, 0))).toBe(ErrorCode.InvalidOption);
  });
});

describe('resizeBilinearPil', () => {
  it('downscales with the widened (antialiasing) filter: hand-computed 4→2', () => {
    // scale 2: support 2, weights 3/7, 3/7, 1/7 (mirrored for the second pixel).
    const img = { width: 4, height: 1, data: Uint8Array.from([0, 70, 140, 210].flatMap((v) => [v, v, v, 255])) };
    const out = resizeBilinearPil(img, 2, 1);
    expect(Array.from(out.data)).toEqual([50, 50, 50, 255, 160, 160, 160, 255]);
  });

  it('upscales with the plain triangle filter: hand-computed 2→4', () => {
    const img = { width: 2, height: 1, data: Uint8Array.from([0, 0, 0, 0, 100, 200, 40, 255]) };
    const out = resizeBilinearPil(img, 4, 1);
    // Weights 1 | .75 .25 | .25 .75 | 1, rounded to nearest (e.g. alpha .25 · 255 = 63.75 → 64).
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 25, 50, 10, 64, 75, 150, 30, 191, 100, 200, 40, 255]);
  });

  it('same size is a copy', () => {
    const img = randomImage(7, 5);
    const out = resizeBilinearPil(img, 7, 5);
    expect(out.data).toEqual(img.data);
    expect(out.data).not.toBe(img.data);
  });

  it('keeps constant images constant', () => {
    for (const v of [0, 1, 128, 254, 255]) {
      const img = { width: 37, height: 23, data: new Uint8Array(37 * 23 * 4).fill(v) };
      for (const [w, h] of [[10, 7], [100, 91], [1, 1], [37, 5], [3, 23]]) {
        expect(resizeBilinearPil(img, w, h).data.every((x) => x === v)).toBe(true);
      }
    }
  });

  it('is horizontal then vertical with an 8-bit intermediate (as Pillow)', () => {
    const img = randomImage(61, 47, 3);
    for (const [w, h] of [[20, 30], [150, 13], [9, 100], [200, 190]]) {
      const twoSteps = resizeBilinearPil(resizeBilinearPil(img, w, img.height), w, h);
      expect(resizeBilinearPil(img, w, h).data).toEqual(twoSteps.data);
    }
  });

  it('treats both axes alike (transposing commutes with a one-axis resize)', () => {
    const img = randomImage(53, 29, 5);
    expect(transpose(resizeBilinearPil(img, 17, 29)).data).toEqual(resizeBilinearPil(transpose(img), 29, 17).data);
    expect(transpose(resizeBilinearPil(img, 53, 80)).data).toEqual(resizeBilinearPil(transpose(img), 80, 53).data);
  });

  it('grey resize equals each RGBA channel resized', () => {
    const img = randomImage(41, 33, 9);
    const out = resizeBilinearPil(img, 19, 70);
    for (let c = 0; c < 4; c++) {
      const grey = { width: 41, height: 33, data: img.data.filter((_, i) => i % 4 === c) };
      expect(resizeGrayBilinearPil(grey, 19, 70).data).toEqual(out.data.filter((_, i) => i % 4 === c));
    }
  });

  it('rejects bad targets and buffers', () => {
    const img = randomImage(4, 4);
    expect(codeOf(() => resizeBilinearPil(img, 0, 4))).toBe(ErrorCode.InvalidOption);
    expect(codeOf(() => resizeBilinearPil(img, 2.5, 4))).toBe(ErrorCode.InvalidOption);
    expect(codeOf(() => resizeBilinearPil(img, 20000, 20000))).toBe(ErrorCode.ImageSize);
    expect(codeOf(() => resizeBilinearPil({ width: 4, height: 4, data: new Uint8Array(10) }, 2, 2))).toBe(ErrorCode.InvalidImage);
    expect(codeOf(() => resizeBilinearPil({ width: 0, height: 4, data: new Uint8Array(0) }, 2, 2))).toBe(ErrorCode.ImageSize);
  });

});
