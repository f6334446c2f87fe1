/** plugin/figma/placement.ts: pure math, checked against independent forward formulas. */
import { describe, expect, it } from 'vitest';
import {
  type Affine,
  apply,
  compose,
  corners,
  determinant,
  exportPixels,
  exportScale,
  imageToLocalForExport,
  imageToLocalForFill,
  invert,
  multiply,
  pathsBounds,
  placePaths,
  placeRect,
  transformPath,
  visibleImageRect,
} from '../../plugin/host/placement.js';
import { CutoutError, ErrorCode } from '../../core/errors.js';
import { checkPathData, formatNumber, parsePathData } from '../../core/vector/path.js';
import { parseVectorPath } from './fake/index.js';

const close = (a: { x: number; y: number }, b: { x: number; y: number }, tol = 1e-9) => {
  expect(Math.abs(a.x - b.x)).toBeLessThan(tol);
  expect(Math.abs(a.y - b.y)).toBeLessThan(tol);
};

const rot = (deg: number, tx = 0, ty = 0): Affine => {
  const r = (deg * Math.PI) / 180;
  return [
    [Math.cos(r), Math.sin(r), tx],
    [-Math.sin(r), Math.cos(r), ty],
  ];
};

describe('affine basics', () => {
  it('multiply applies the right operand first; invert undoes', () => {
    const a = rot(30, 5, 7);
    const b: Affine = [
      [2, 0, 1],
      [0, 3, -1],
    ];
    const p = apply(multiply(a, b), 2, 5);
    const q = apply(b, 2, 5);
    close(p, apply(a, q.x, q.y));
    close(apply(compose(a, invert(a)), 3, 4), { x: 3, y: 4 });
    expect(() => invert([[1, 2, 0], [2, 4, 0]])).toThrow(/cannot be inverted/);
  });
});

describe('image fills → node-local space', () => {
  it('FILL covers and centres (3000×2000 in 300×300 → 0.15, cropped left and right)', () => {
    const m = imageToLocalForFill('FILL', { width: 3000, height: 2000 }, { width: 300, height: 300 });
    close(apply(m, 0, 0), { x: -75, y: 0 });
    close(apply(m, 3000, 2000), { x: 375, y: 300 });
    expect(visibleImageRect(m, { width: 3000, height: 2000 }, { width: 300, height: 300 })).toEqual({ x: 500, y: 0, width: 2000, height: 2000 });
  });

  it('FIT contains and centres', () => {
    const m = imageToLocalForFill('FIT', { width: 400, height: 200 }, { width: 300, height: 300 });
    close(apply(m, 0, 0), { x: 0, y: 75 });
    close(apply(m, 400, 200), { x: 300, y: 225 });
    expect(visibleImageRect(m, { width: 400, height: 200 }, { width: 300, height: 300 })).toEqual({ x: 0, y: 0, width: 400, height: 200 });
  });

  it('CROP: imageTransform maps node-normalised → image-normalised; the image sits at its inverse', () => {
    const T: Affine = [
      [0.5, 0, 0.25],
      [0, 0.5, 0.1],
    ];
    const W = 400;
    const H = 300;
    const w = 300;
    const h = 200;
    const m = imageToLocalForFill('CROP', { width: W, height: H }, { width: w, height: h }, T);
    // forward definition: local (x, y) shows image pixel T(x/w, y/h)·(W, H)
    for (const [x, y] of [
      [0, 0],
      [300, 200],
      [120, 33],
    ]) {
      const n = apply(T, x / w, y / h);
      close(apply(m, n.x * W, n.y * H), { x, y }, 1e-9);
    }
    expect(visibleImageRect(m, { width: W, height: H }, { width: w, height: h })).toEqual({ x: 100, y: 30, width: 200, height: 150 });
  });

  it('CROP with a rotated imageTransform', () => {
    const T: Affine = [
      [0, 0.5, 0.2],
      [-0.5, 0, 0.8],
    ];
    const m = imageToLocalForFill('CROP', { width: 100, height: 100 }, { width: 50, height: 80 }, T);
    const n = apply(T, 0.3, 0.6);
    close(apply(m, n.x * 100, n.y * 100), { x: 15, y: 48 });
  });

  it('exports: pixels → page box → local through the inverse absolute transform', () => {
    const abs = rot(30, 100, 50);
    const w = 200;
    const h = 100;
    const c = corners(abs, { x: 0, y: 0, width: w, height: h });
    const x0 = Math.min(...c.map((p) => p.x));
    const y0 = Math.min(...c.map((p) => p.y));
    const box = { x: x0, y: y0, width: Math.max(...c.map((p) => p.x)) - x0, height: Math.max(...c.map((p) => p.y)) - y0 };
    const px = exportPixels(box, 2);
    const m = imageToLocalForExport(box, px, abs);
    // the page point of export pixel (u, v), back in local space, is where the node is
    const u = 37;
    const v = 81;
    const page = { x: box.x + (u * box.width) / px.width, y: box.y + (v * box.height) / px.height };
    close(apply(abs, apply(m, u, v).x, apply(m, u, v).y), page, 1e-9);
  });
});

describe('decomposition for new nodes', () => {
  const M = compose(rot(-40, 30, 20), [[-1, 0, 200], [0, 1, 0]] as Affine, [[0.25, 0, 0], [0, 0.25, 0]] as Affine);

  it('placeRect: unit axes, size carries the scale, corners coincide (flip kept)', () => {
    const r = { x: 40, y: 10, width: 100, height: 60 };
    const g = placeRect(M, r);
    const t = g.relativeTransform;
    expect(Math.hypot(t[0][0], t[1][0])).toBeCloseTo(1, 12);
    expect(Math.hypot(t[0][1], t[1][1])).toBeCloseTo(1, 12);
    expect(determinant(t)).toBeCloseTo(-1, 12);
    expect(g.width).toBeCloseTo(25, 12);
    const want = corners(M, r);
    const got = corners(t, { x: 0, y: 0, width: g.width, height: g.height });
    got.forEach((p, i) => close(p, want[i], 1e-9));
  });

  it('placePaths: paths land where M puts them; local bounds start at 0', () => {
    const data = ['M 10 10 L 110 10 L 110 50 Z', 'M 20 60 C 40 100 80 100 100 60 Z'];
    const v = placePaths(M, data);
    const b = pathsBounds(v.paths)!;
    expect(b.x).toBeCloseTo(0, 3);
    expect(b.y).toBeCloseTo(0, 3);
    expect(v.width).toBeCloseTo(b.width, 3);
    const [src] = parsePathData(data[1]);
    const [dst] = parsePathData(v.paths[1]);
    close(apply(v.relativeTransform, dst.x0, dst.y0), apply(M, src.x0, src.y0), 1e-3);
    expect(dst.kinds).toEqual(src.kinds);
    for (let j = 0; j < src.coords.length; j += 2) {
      close(apply(v.relativeTransform, dst.coords[j], dst.coords[j + 1]), apply(M, src.coords[j], src.coords[j + 1]), 1e-3);
    }
    for (const d of v.paths) expect(() => parseVectorPath(d)).not.toThrow();
  });

  it('exact curve bounds (not control points)', () => {
    const b = pathsBounds(['M 0 0 C 0 -40 100 -40 100 0'])!;
    expect(b.y).toBeCloseTo(-30, 9);
    expect(b.height).toBeCloseTo(30, 9);
  });
});

describe('path data (the one grammar, core/vector/path.ts)', () => {
  it('writes only what Figma accepts (no exponents, no -0, 3 decimals)', () => {
    expect(formatNumber(1e-9)).toBe('0');
    expect(formatNumber(-0.00001)).toBe('0');
    expect(formatNumber(123456789.123456)).toBe('123456789.123');
    expect(formatNumber(-2.5)).toBe('-2.5');
    const out = transformPath('M 1e-7 0 L 10,20 C 1 2 3 4 5 6 Z', [[1, 0, 0.5], [0, -1, 0]]);
    expect(out).toBe('M 0.5 0 L 10.5 -20 C 1.5 -2 3.5 -4 5.5 -6 Z');
    expect(() => parseVectorPath(out)).not.toThrow();
    expect(checkPathData(out)).toBe(out);
  });

  it('refuses what the writer cannot produce with INVALID_MASK', () => {
    for (const bad of ['m 0 0 l 1 1 z', 'M 0 0 A 1 1 0 0 1 2 2 Z', 'M 0 0 L 1 Z', 'L 0 0 Z', 'M 0 0 L 1 1', 'M 0.00001 0 L 1 1 Z', 'M 0 0 Q 1 1 2 0 Z']) {
      let err: unknown;
      try {
        checkPathData(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(CutoutError);
      expect((err as CutoutError).code).toBe(ErrorCode.InvalidMask);
    }
  });

  it('placement failures carry error codes, not plain errors', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof CutoutError ? e.code : 'plain Error';
      }
      return 'no error';
    };
    expect(codeOf(() => invert([[0, 0, 1], [0, 0, 1]]))).toBe(ErrorCode.ImageSize);
    expect(codeOf(() => placeRect([[0, 0, 0], [0, 0, 0]], { x: 0, y: 0, width: 1, height: 1 }))).toBe(ErrorCode.ImageSize);
    expect(codeOf(() => placePaths([[2, 0, 0], [0, 2, 0]], ['']))).toBe(ErrorCode.InvalidMask);
    expect(codeOf(() => exportScale({ width: 0, height: 0 }, 1))).toBe(ErrorCode.ImageSize);
    expect(codeOf(() => imageToLocalForFill('FILL', { width: 0, height: 10 }, { width: 10, height: 10 }))).toBe(ErrorCode.ImageSize);
  });
});
