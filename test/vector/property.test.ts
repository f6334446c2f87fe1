import { describe, expect, it } from 'vitest';
import { contourList, traceContours, polylineArea, pixelEdgePolygon } from '../../core/vector/contours.js';
import { isValidPathData, parsePathData } from '../../core/vector/path.js';
import { maskOverlap, rasterizePaths } from '../../core/vector/rasterize.js';
import { traceMask } from '../../core/vector/trace.js';
import { randomMask, topology } from './helpers.js';

const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);

describe('property: random masks', () => {
  it('never crash, give valid closed paths, and keep every part and hole', () => {
    for (const seed of SEEDS) {
      const mask = randomMask(seed);
      const r = traceMask(mask);
      const t = topology(mask);
      expect({ seed, parts: r.parts, holes: r.holes }).toEqual({ seed, ...t });
      for (const p of r.paths) {
        expect(isValidPathData(p.data), `seed ${seed}`).toBe(true);
        // Every subpath returns to its start before Z.
        for (const c of parsePathData(p.data)) {
          const n = c.coords.length;
          expect([c.coords[n - 2], c.coords[n - 1]]).toEqual([c.x0, c.y0]);
        }
      }
      expect(r.paths.length).toBe(r.parts + r.holes > 0 ? 1 : 0);
    }
  });

  it('are pixel-exact under centre sampling when the tolerance is below half a pixel', () => {
    for (const seed of SEEDS) {
      const mask = randomMask(seed);
      const r = traceMask(mask, { tolerance: 0.45 });
      const raster = rasterizePaths(r.paths, mask.width, mask.height);
      expect(maskOverlap(raster, mask), `seed ${seed}`).toBe(1);
    }
  });

  it('stay faithful at the default tolerance', () => {
    for (const seed of SEEDS) {
      const mask = randomMask(seed);
      const r = traceMask(mask);
      const raster = rasterizePaths(r.paths, mask.width, mask.height);
      expect(maskOverlap(raster, mask), `seed ${seed}`).toBeGreaterThanOrEqual(0.97);
    }
  });

  it('per-part mode gives one path per part with the same topology', () => {
    for (const seed of SEEDS.slice(0, 100)) {
      const mask = randomMask(seed);
      const r = traceMask(mask, { mode: 'per-part' });
      expect(r.paths.length).toBe(r.parts);
      const compound = traceMask(mask);
      const a = rasterizePaths(r.paths, mask.width, mask.height);
      const b = rasterizePaths(compound.paths, mask.width, mask.height);
      expect(maskOverlap(a, b), `seed ${seed}`).toBe(1);
    }
  });

  it('contours are consistently oriented and nested', () => {
    for (const seed of SEEDS) {
      const mask = randomMask(seed);
      const contours = contourList(traceContours(mask));
      let area = 0;
      for (const c of contours) {
        const poly = pixelEdgePolygon(c);
        const a = polylineArea(poly);
        expect(a).toBe(c.area);
        expect(c.hole).toBe(a < 0);
        expect(c.depth % 2 === 1).toBe(c.hole);
        if (c.parent >= 0) {
          const p = contours[c.parent]!;
          expect(p.hole).toBe(!c.hole);
          expect(p.depth).toBe(c.depth - 1);
          expect(Math.abs(p.area)).toBeGreaterThan(Math.abs(c.area));
        } else expect(c.hole).toBe(false);
        area += c.area;
      }
      // Outer areas minus hole areas = the number of inside pixels.
      let inside = 0;
      for (const v of mask.data) if (v >= 128) inside++;
      expect(area).toBe(inside);
    }
  });
});
