import { describe, expect, it } from 'vitest';
import { isCutoutError } from '../../core/errors.js';
import type { FloatMap, GrayImage } from '../../core/image/types.js';
import { contourList, pixelEdgePolygon, polylineArea, traceContours } from '../../core/vector/contours.js';
import { corpus, fromPredicate, softDisc } from '../../corpus/masks.js';

function mask(rows: string[]): GrayImage {
  const h = rows.length;
  const w = rows[0]!.length;
  const data = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (data[y * w + x] = ch === '#' ? 255 : 0)));
  return { width: w, height: h, data };
}

describe('contours', () => {
  it('walk a pixel with the inside on the right: clockwise on screen, crack midpoints', () => {
    const contours = contourList(traceContours(mask(['...', '.#.', '...'])));
    expect(contours).toHaveLength(1);
    const c = contours[0]!;
    expect(Array.from(c.points)).toEqual([1.5, 1, 2, 1.5, 1.5, 2, 1, 1.5]);
    expect(Array.from(c.dirs)).toEqual([0, 1, 2, 3]);
    expect(c.area).toBe(1);
    expect(c.hole).toBe(false);
    expect(Array.from(pixelEdgePolygon(c))).toEqual([1, 1, 2, 1, 2, 2, 1, 2]);
  });

  it('give holes the opposite orientation and nest ring in ring in ring', () => {
    const item = corpus().find((c) => c.name === 'nested-rings')!;
    const contours = contourList(traceContours(item.mask));
    // Three parts (outer ring, middle ring, centre disc) and two holes, depths 0..4.
    expect(contours.map((c) => c.depth).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const c of contours) {
      expect(c.hole).toBe(c.depth % 2 === 1);
      expect(Math.sign(polylineArea(c.points))).toBe(c.hole ? -1 : 1);
      if (c.depth > 0) expect(contours[c.parent]!.depth).toBe(c.depth - 1);
      else expect(c.parent).toBe(-1);
    }
  });

  it('keep the inside 8-connected: diagonal pixels form one part, the background around them no hole', () => {
    const contours = contourList(traceContours(mask(['#.', '.#'])));
    expect(contours).toHaveLength(1);
    const ring = traceContours(mask(['.#.', '#.#', '.#.']));
    // A diamond of 4 diagonal pixels: one part whose middle is a (4-connected) hole.
    expect(contourList(ring).filter((c) => !c.hole)).toHaveLength(1);
    expect(contourList(ring).filter((c) => c.hole)).toHaveLength(1);
  });

  it('run along the image border for masks that touch it', () => {
    const contours = contourList(traceContours({ width: 3, height: 2, data: new Uint8Array(6).fill(255) }));
    expect(Array.from(pixelEdgePolygon(contours[0]!))).toEqual([0, 0, 3, 0, 3, 2, 0, 2]);
    expect(contours[0]!.area).toBe(6);
  });

  it('threshold: GrayImage inside at ≥ threshold, FloatMap inside above it', () => {
    const g: GrayImage = { width: 3, height: 1, data: Uint8Array.of(127, 128, 200) };
    expect(contourList(traceContours(g))[0]!.area).toBe(2);
    expect(contourList(traceContours(g, 200))[0]!.area).toBe(1);
    const f: FloatMap = { width: 3, height: 1, data: Float32Array.of(0, 0.5, -1) };
    expect(contourList(traceContours(f))[0]!.area).toBe(1);
    expect(contourList(traceContours(f, -2))[0]!.area).toBe(3);
  });

  it('find sub-pixel crossings in soft maps by linear interpolation', () => {
    // A horizontal ramp: value = 1.75 − x at pixel centres x + 0.5 → crosses 0 at x = 1.75.
    const w = 4;
    const h = 3;
    const data = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = y === 0 || y === h - 1 ? -1 : 1.75 - (x + 0.5);
    const c = contourList(traceContours({ width: w, height: h, data }))[0]!;
    const east = [...c.dirs.keys()].filter((i) => c.dirs[i] === 1).map((i) => c.points[i * 2]);
    expect(east).toEqual([1.75]);
  });

  it('a soft disc gives sample points on its circle', () => {
    const contours = contourList(traceContours(softDisc(64, 64, 31.3, 30.8, 20.2)));
    expect(contours).toHaveLength(1);
    const p = contours[0]!.points;
    let worst = 0;
    for (let i = 0; i < p.length; i += 2) worst = Math.max(worst, Math.abs(Math.hypot(p[i]! - 31.3, p[i + 1]! - 30.8) - 20.2));
    expect(worst).toBeLessThan(0.05);
  });

  it('reject malformed masks with INVALID_MASK', () => {
    const bad: Array<GrayImage | FloatMap> = [
      { width: 0, height: 1, data: new Uint8Array(0) },
      { width: 2, height: 2, data: new Uint8Array(3) },
      { width: 1.5, height: 2, data: new Uint8Array(3) },
      { width: 2, height: 1, data: Float32Array.of(0, NaN) },
    ];
    for (const m of bad) {
      try {
        traceContours(m);
        expect.unreachable();
      } catch (err) {
        expect(isCutoutError(err, 'INVALID_MASK')).toBe(true);
      }
    }
  });

  it('record local thickness: thin strokes small, big shapes large', () => {
    const stroke = contourList(traceContours(fromPredicate(20, 9, (x, y) => y >= 4 && y < 5 && x > 2 && x < 18)))[0]!;
    expect(Math.max(...stroke.thickness)).toBe(1);
    const big = contourList(traceContours(fromPredicate(60, 60, (x, y) => Math.hypot(x - 30, y - 30) < 25)))[0]!;
    expect(Math.min(...big.thickness)).toBeGreaterThan(12);
  });
});
