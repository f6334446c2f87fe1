import { describe, expect, it } from 'vitest';
import { isCutoutError } from '../../core/errors.js';
import { parsePathData } from '../../core/vector/path.js';
import { maskOverlap, rasterizePaths } from '../../core/vector/rasterize.js';
import { DEFAULT_TRACE_OPTIONS, traceMask, traceOutlines } from '../../core/vector/trace.js';
import type { ClosedCurve } from '../../core/vector/types.js';
import { corpus, fromPredicate, samLikeLogits, samLikeMask, softDisc } from '../../corpus/masks.js';

/** Points densely sampled along closed curves. */
function sampleCurve(c: ClosedCurve, per = 50): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let x = c.x0;
  let y = c.y0;
  let j = 0;
  for (let k = 0; k < c.kinds.length; k++) {
    if (c.kinds[k] === 0) {
      const nx = c.coords[j]!;
      const ny = c.coords[j + 1]!;
      for (let i = 0; i < per; i++) out.push([x + ((nx - x) * i) / per, y + ((ny - y) * i) / per]);
      x = nx;
      y = ny;
      j += 2;
    } else {
      const [a, b, cc, d, e, f] = Array.from(c.coords.subarray(j, j + 6)) as [number, number, number, number, number, number];
      for (let i = 0; i < per; i++) {
        const t = i / per;
        const s = 1 - t;
        out.push([s * s * s * x + 3 * s * s * t * a + 3 * s * t * t * cc + t * t * t * e, s * s * s * y + 3 * s * s * t * b + 3 * s * t * t * d + t * t * t * f]);
      }
      x = e;
      y = f;
      j += 6;
    }
  }
  return out;
}

describe('traceMask', () => {
  it('has one defaults object', () => {
    expect(DEFAULT_TRACE_OPTIONS).toMatchObject({ tolerance: 1, thinTolerance: 0.45, threshold: 'auto', minArea: 0, mode: 'compound', cornerAngle: 60 });
    expect(Object.isFrozen(DEFAULT_TRACE_OPTIONS)).toBe(true);
  });

  it('traces soft logits (FloatMap, threshold 0) into a circle with radius error < 0.1 px', () => {
    for (const [cx, cy, r] of [
      [64.3, 63.7, 40.25],
      [32.6, 31.2, 12.4],
      [50.2, 49.9, 5.3],
    ] as const) {
      const ol = traceOutlines(softDisc(128, 128, cx, cy, r), { threshold: 0 });
      expect(ol).toHaveLength(1);
      const d = sampleCurve(ol[0]!.curve).map(([x, y]) => Math.hypot(x - cx, y - cy));
      const mean = d.reduce((a, b) => a + b, 0) / d.length;
      expect(Math.abs(mean - r), `r = ${r}`).toBeLessThan(0.1);
      // And it stays within the tolerance everywhere.
      expect(Math.max(...d.map((v) => Math.abs(v - r)))).toBeLessThan(DEFAULT_TRACE_OPTIONS.tolerance);
      expect(ol[0]!.curve.kinds.length).toBeLessThanOrEqual(6);
    }
  });

  it('a tighter tolerance follows a soft circle more closely', () => {
    const ol = traceOutlines(softDisc(128, 128, 64.3, 63.7, 40.25), { tolerance: 0.1 });
    const d = sampleCurve(ol[0]!.curve).map(([x, y]) => Math.hypot(x - 64.3, y - 63.7) - 40.25);
    expect(Math.max(...d.map(Math.abs))).toBeLessThan(0.12);
  });

  it('traces SAM-like logits and their thresholded mask alike', () => {
    const soft = traceMask(samLikeLogits(512));
    const hard = traceMask(samLikeMask(512));
    expect({ parts: soft.parts, holes: soft.holes }).toEqual({ parts: 3, holes: 3 });
    expect({ parts: hard.parts, holes: hard.holes }).toEqual({ parts: 3, holes: 3 });
    const a = rasterizePaths(soft.paths, 512, 512);
    expect(maskOverlap(a, samLikeMask(512))).toBeGreaterThan(0.995);
  });

  it('drops parts and holes below minArea only when asked', () => {
    const m = fromPredicate(40, 40, (x, y) => (x > 5 && x < 35 && y > 5 && y < 35 && !(x > 19 && x < 21 && y > 19 && y < 21)) || (x > 37 && y > 37));
    expect(traceMask(m)).toMatchObject({ parts: 2, holes: 1 });
    expect(traceMask(m, { minArea: 10 })).toMatchObject({ parts: 1, holes: 0 });
  });

  it('per-part mode: one path per part, holes with their part, islands separate', () => {
    const item = corpus().find((c) => c.name === 'nested-rings')!;
    const r = traceMask(item.mask, { mode: 'per-part' });
    expect(r.paths).toHaveLength(3);
    expect(r.paths.map((p) => parsePathData(p.data).length)).toEqual([2, 2, 1]);
  });

  it('cornerAngle 0 gives polygons (lines only)', () => {
    const item = corpus().find((c) => c.name === 'letter-O')!;
    const r = traceMask(item.mask, { cornerAngle: 0 });
    expect(r.paths[0]!.data).not.toContain('C');
  });

  it('reports progress in [0, 1], non-decreasing, 0 first and 1 last', () => {
    const seen: number[] = [];
    traceMask(samLikeMask(256), { onProgress: (f) => seen.push(f) });
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.length).toBeGreaterThan(3);
  });

  it('rejects bad options with INVALID_OPTION and a message naming the option', () => {
    const m = fromPredicate(4, 4, () => true);
    const bad = [{ tolerance: 0 }, { tolerance: NaN }, { thinTolerance: -1 }, { minArea: -1 }, { mode: 'x' }, { cornerAngle: 200 }, { threshold: NaN }, { onProgress: 3 }];
    for (const o of bad) {
      try {
        traceMask(m, o as never);
        expect.unreachable();
      } catch (err) {
        expect(isCutoutError(err, 'INVALID_OPTION')).toBe(true);
        expect((err as Error).message).toContain(Object.keys(o)[0]!);
      }
    }
  });
});
