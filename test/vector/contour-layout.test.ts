import { describe, expect, it } from 'vitest';
import { ContourScratch, contourAt, contourList, contourSetBytes, traceContours } from '../../core/vector/contours.js';
import { traceMask } from '../../core/vector/trace.js';
import type { GrayImage } from '../../core/image/types.js';
import { organicMask } from '../../corpus/masks.js';

function checker(n: number, cell = 1): GrayImage {
  const data = new Uint8Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) data[y * n + x] = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? 255 : 0;
  return { width: n, height: n, data };
}

describe('contour set layout', () => {
  it('is flat: a checkerboard with a contour per pixel costs a bounded number of bytes per sample and per contour', () => {
    const set = traceContours(checker(300));
    const samples = set.dirs.length;
    expect(set.count).toBeGreaterThan(40_000);
    // Nothing per contour but entries of typed arrays: every field is a number, a flag or a typed array.
    for (const v of Object.values(set)) {
      expect(typeof v === 'number' || typeof v === 'boolean' || ArrayBuffer.isView(v), String(v)).toBe(true);
    }
    // x, y (2 × 8), dir (1), thickness (1) per sample; offset, start x/y, area, parent, depth per contour.
    expect(contourSetBytes(set)).toBeLessThanOrEqual(samples * 18 + (set.count + 1) * 4 + set.count * (4 + 4 + 8 + 4 + 4));
  });

  it('contourAt gives views that agree with the flat arrays', () => {
    const set = traceContours(organicMask(80, 60, 3, 4));
    const list = contourList(set);
    expect(list).toHaveLength(set.count);
    let samples = 0;
    for (let k = 0; k < set.count; k++) {
      const c = contourAt(set, k);
      expect(c.points.buffer).toBe(set.points.buffer);
      expect(c.dirs.length).toBe(set.offsets[k + 1]! - set.offsets[k]!);
      expect(c.hole).toBe(set.area[k]! < 0);
      samples += c.dirs.length;
    }
    expect(samples).toBe(set.dirs.length);
  });
});

describe('contour scratch', () => {
  it('a reused scratch, a fresh one and a trace nested inside another give the same contours', () => {
    const a = organicMask(120, 90, 5, 5);
    const b = checker(64, 3);
    const fresh = [traceContours(a), traceContours(b)];
    const shared = new ContourScratch();
    const reused = [traceContours(b, undefined, shared), traceContours(a, undefined, shared)];
    expect(reused[1]).toEqual(fresh[0]);
    expect(reused[0]).toEqual(fresh[1]);
    // Re-entrancy: a trace started from another trace's progress callback.
    const sequential = [traceMask(a), traceMask(b)];
    let inner: ReturnType<typeof traceMask> | null = null;
    const outer = traceMask(a, {
      onProgress: (f) => {
        if (inner === null && f > 0.3 && f < 0.9) inner = traceMask(b);
      },
    });
    expect(inner).not.toBeNull();
    expect(outer).toEqual(sequential[0]);
    expect(inner).toEqual(sequential[1]);
  });

  it('is the caller\'s: it grows to the largest mask traced with it', () => {
    const scratch = new ContourScratch();
    const before = scratch.byteLength;
    traceContours(checker(200), undefined, scratch);
    expect(scratch.byteLength).toBeGreaterThan(before + 200 * 200);
  });
});

describe('rasterising large path data', () => {
  it('parses megabytes of path data piecewise with the same pixels as one parse', async () => {
    const { fillCurves, rasterizePaths } = await import('../../core/vector/rasterize.js');
    const { parsePathData } = await import('../../core/vector/path.js');
    const mask = checker(400);
    const r = traceMask(mask);
    const d = r.paths[0]!.data;
    expect(d.length).toBeGreaterThan(3 << 20);
    const whole = fillCurves(parsePathData(d), { width: 400, height: 400, data: new Uint8Array(400 * 400) });
    const pieces = rasterizePaths(r.paths, 400, 400);
    expect(Buffer.from(pieces.data).equals(Buffer.from(whole.data))).toBe(true);
    expect(Buffer.from(pieces.data).equals(Buffer.from(mask.data))).toBe(true);
  });
});
