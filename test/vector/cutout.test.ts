import { describe, expect, it } from 'vitest';
import { makeCutout, maskAlpha, maskFromRgba } from '../../core/cutout/cutout.js';
import { boxesForGauss, gaussianBlur, squaredDistanceTo } from '../../core/cutout/filters.js';
import { isCutoutError } from '../../core/errors.js';
import type { FloatMap, GrayImage, RgbaImage } from '../../core/image/types.js';
import { fromPredicate, softDisc } from '../../corpus/masks.js';

/** An image whose left half is red foreground-ish and right half green background. */
function image(w: number, h: number, fg: [number, number, number], bg: [number, number, number], inside: (x: number, y: number) => boolean): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = inside(x + 0.5, y + 0.5) ? fg : bg;
      data.set([...c, 255], (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data };
}

const alphaAt = (img: RgbaImage, x: number, y: number) => img.data[(y * img.width + x) * 4 + 3]!;
const count = (img: RgbaImage, pred: (a: number) => boolean) => {
  let n = 0;
  for (let i = 3; i < img.data.length; i += 4) if (pred(img.data[i]!)) n++;
  return n;
};

describe('makeCutout', () => {
  const disc = (x: number, y: number) => Math.hypot(x - 20, y - 20) <= 10;
  const img = image(40, 40, [200, 30, 30], [20, 200, 20], disc);
  const mask = fromPredicate(40, 40, disc);

  it('takes alpha from the mask and keeps the colours', () => {
    const { image: out, offset } = makeCutout(img, mask);
    expect(offset).toEqual({ x: 0, y: 0 });
    expect(out.width).toBe(40);
    expect(alphaAt(out, 20, 20)).toBe(255);
    expect(alphaAt(out, 2, 2)).toBe(0);
    let inside = 0;
    for (const v of mask.data) if (v) inside++;
    expect(count(out, (a) => a === 255)).toBe(inside);
    expect(Array.from(out.data.subarray((20 * 40 + 20) * 4, (20 * 40 + 20) * 4 + 3))).toEqual([200, 30, 30]);
  });

  it("keeps the image's own transparency: alpha is the mask's times the image's, and the crop follows what is visible", () => {
    const see = image(40, 40, [200, 30, 30], [20, 200, 20], () => true);
    // The left half of the disc is transparent in the image, the right half half-transparent.
    for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) see.data[(y * 40 + x) * 4 + 3] = x < 20 ? 0 : 128;
    const { image: out, offset } = makeCutout(see, mask, { crop: true });
    expect(offset).toEqual({ x: 20, y: 10 });
    expect(alphaAt(out, 5, 10)).toBe(128);
    const soft = makeCutout(see, fromPredicate(40, 40, () => true), { feather: 2 }).image;
    expect([alphaAt(soft, 5, 20), alphaAt(soft, 30, 20)]).toEqual([0, 128]);
  });

  it('crops to the mask bounds and says where the crop sits', () => {
    const { image: out, offset } = makeCutout(img, mask, { crop: true });
    expect(offset).toEqual({ x: 10, y: 10 });
    expect([out.width, out.height]).toEqual([20, 20]);
    expect(alphaAt(out, 10, 10)).toBe(255);
  });

  it('feathers: a symmetric soft edge, 50% at the original boundary, wider with the radius', () => {
    const half = fromPredicate(40, 10, (x) => x < 20);
    const plain = image(40, 10, [255, 255, 255], [255, 255, 255], () => true);
    const row = (f: number) => {
      const out = makeCutout(plain, half, { feather: f }).image;
      return Array.from({ length: 40 }, (_, x) => alphaAt(out, x, 5));
    };
    const r2 = row(2);
    const r6 = row(6);
    expect(r2[0]).toBe(255);
    expect(r2[39]).toBe(0);
    // Symmetric around the edge between pixels 19 and 20.
    for (let k = 0; k < 10; k++) expect(Math.abs(r2[19 - k]! + r2[20 + k]! - 255)).toBeLessThanOrEqual(2);
    const soft = (r: number[]) => r.filter((a) => a > 5 && a < 250).length;
    expect(soft(r6)).toBeGreaterThan(soft(r2));
    expect(soft(r2)).toBeGreaterThanOrEqual(3);
  });

  it('expands and contracts by whole pixels (distance transform)', () => {
    const square = fromPredicate(40, 40, (x, y) => x > 10 && x < 30 && y > 10 && y < 30);
    const area = (e: number) => count(makeCutout(img, square, { expand: e }).image, (a) => a >= 128);
    expect(area(0)).toBe(400);
    expect(area(2)).toBeGreaterThan(24 * 24 - 4 * 4);
    expect(area(2)).toBeLessThanOrEqual(24 * 24);
    expect(area(-3)).toBe(14 * 14);
    expect(count(makeCutout(img, square, { expand: -20 }).image, (a) => a > 0)).toBe(0);
  });

  it('decontaminates fringes: semi-transparent edge pixels lose the background colour', () => {
    const { image: dirty } = makeCutout(img, mask, { feather: 3 });
    const { image: clean } = makeCutout(img, mask, { feather: 3, decontaminate: true });
    let greenDirty = 0;
    let greenClean = 0;
    for (let i = 0; i < dirty.data.length; i += 4) {
      const a = dirty.data[i + 3]!;
      if (a > 0 && a < 255) {
        greenDirty += dirty.data[i + 1]!;
        greenClean += clean.data[i + 1]!;
        // Foreground colour estimated from the opaque red inside.
        expect(clean.data[i]!).toBeGreaterThan(150);
      }
    }
    expect(greenClean).toBeLessThan(greenDirty * 0.3);
    // Opaque pixels keep their colour.
    expect(Array.from(clean.data.subarray((20 * 40 + 20) * 4, (20 * 40 + 20) * 4 + 4))).toEqual([200, 30, 30, 255]);
  });

  it('soft logits (FloatMap) give anti-aliased alpha; a threshold gives a hard edge', () => {
    const logits: FloatMap = softDisc(40, 40, 20.3, 19.8, 9.6);
    const out = makeCutout(img, logits).image;
    expect(count(out, (a) => a > 0 && a < 255)).toBeGreaterThan(20);
    const g: GrayImage = { width: 40, height: 40, data: new Uint8Array(1600).fill(100) };
    expect(count(makeCutout(img, g).image, (a) => a === 100)).toBe(1600);
    expect(count(makeCutout(img, g, { threshold: 50 }).image, (a) => a === 255)).toBe(1600);
    expect(count(makeCutout(img, g, { threshold: 150 }).image, (a) => a === 0)).toBe(1600);
  });

  it('rejects a mask of another size, an empty crop and bad options', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => makeCutout(img, fromPredicate(39, 40, () => true)), 'INVALID_MASK'],
      [() => makeCutout(img, fromPredicate(40, 40, () => false), { crop: true }), 'INVALID_MASK'],
      [() => makeCutout(img, mask, { feather: -1 }), 'INVALID_OPTION'],
      [() => makeCutout(img, mask, { expand: NaN }), 'INVALID_OPTION'],
      [() => makeCutout(img, { width: 40, height: 40, data: new Float32Array(1600).fill(NaN) }), 'INVALID_MASK'],
    ];
    for (const [fn, code] of cases) {
      try {
        fn();
        expect.unreachable();
      } catch (err) {
        expect(isCutoutError(err, code as never), String(err)).toBe(true);
      }
    }
    try {
      makeCutout(img, fromPredicate(39, 40, () => true));
    } catch (err) {
      expect((err as Error).message).toMatch(/39×40.*40×40/);
    }
  });
});

describe('cutout helpers', () => {
  it('maskFromRgba uses alpha when the image has transparency, else luminance', () => {
    const rgba: RgbaImage = { width: 2, height: 1, data: Uint8Array.of(255, 255, 255, 10, 0, 0, 0, 200) };
    expect(Array.from(maskFromRgba(rgba).data)).toEqual([10, 200]);
    const opaque: RgbaImage = { width: 2, height: 1, data: Uint8Array.of(255, 255, 255, 255, 0, 0, 0, 255) };
    expect(Array.from(maskFromRgba(opaque).data)).toEqual([255, 0]);
  });

  it('maskAlpha maps masks to [0, 1]', () => {
    expect(Array.from(maskAlpha({ width: 2, height: 1, data: Uint8Array.of(0, 255) }))).toEqual([0, 1]);
  });

  it('the distance transform is exact Euclidean', () => {
    const w = 7;
    const h = 5;
    const d = squaredDistanceTo((i) => i === 2 * w + 3, w, h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(d[y * w + x]).toBe((x - 3) ** 2 + (y - 2) ** 2);
  });

  it('three box blurs approximate the Gaussian variance and keep constants', () => {
    const sizes = boxesForGauss(4);
    const variance = sizes.reduce((a, s) => a + (s * s - 1) / 12, 0);
    expect(Math.abs(variance - 16)).toBeLessThan(1.5);
    const flat = gaussianBlur(new Float32Array(100).fill(0.7), 10, 10, 3);
    for (const v of flat) expect(v).toBeCloseTo(0.7, 5);
  });
});
