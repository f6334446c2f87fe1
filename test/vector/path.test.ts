import { describe, expect, it } from 'vitest';
import { isCutoutError } from '../../core/errors.js';
import { countSegments, formatNumber, isValidPathData, parsePathData, pathData, PATH_DATA_PATTERN, toAffine } from '../../core/vector/path.js';
import { fillCurves, maskOverlap, rasterizePaths } from '../../core/vector/rasterize.js';
import { toSvg } from '../../core/vector/svg.js';
import { traceMask } from '../../core/vector/trace.js';
import type { ClosedCurve } from '../../core/vector/types.js';
import { corpus } from '../../corpus/masks.js';
import { renderWithResvg } from './helpers.js';

const square = (x: number, y: number, s: number): ClosedCurve => ({
  x0: x,
  y0: y,
  kinds: Uint8Array.of(0, 0, 0, 0),
  coords: Float64Array.of(x + s, y, x + s, y + s, x, y + s, x, y),
});

describe('numbers in path data', () => {
  it('rounds to at most 3 decimals, never uses exponents or -0', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(-0.0004)).toBe('0');
    expect(formatNumber(1e-7)).toBe('0');
    expect(formatNumber(12.5)).toBe('12.5');
    expect(formatNumber(1 / 3)).toBe('0.333');
    expect(formatNumber(-2 / 3)).toBe('-0.667');
    expect(formatNumber(0.0005)).toBe('0.001');
    expect(formatNumber(1.9999)).toBe('2');
    expect(formatNumber(123456789.123456)).toBe('123456789.123');
  });

  it('rejects non-finite and absurd coordinates with a clear error', () => {
    for (const v of [NaN, Infinity, 1e21]) {
      try {
        formatNumber(v);
        expect.unreachable();
      } catch (err) {
        expect(isCutoutError(err, 'INVALID_OPTION')).toBe(true);
      }
    }
  });
});

describe('path data writer and grammar', () => {
  it('writes absolute M L C Z separated by single spaces', () => {
    const c: ClosedCurve = { x0: 0, y0: 0, kinds: Uint8Array.of(0, 1, 0), coords: Float64Array.of(10, 0, 10, 5, 5, 10, 0, 10, 0, 0) };
    const d = pathData([c, square(20, 20, 2)]);
    expect(d).toBe('M 0 0 L 10 0 C 10 5 5 10 0 10 L 0 0 Z M 20 20 L 22 20 L 22 22 L 20 22 L 20 20 Z');
    expect(isValidPathData(d)).toBe(true);
    expect(countSegments([c, square(20, 20, 2)])).toBe(7);
  });

  it('the grammar check rejects what Figma would not take', () => {
    for (const bad of ['M 0 0 L 1 1', 'm 0 0 l 1 1 z', 'M 0 0  L 1 1 Z', 'M 0 0 L 1e3 1 Z', 'M 0 0 Q 1 1 2 2 Z', 'M 0 0 L 1.2345 1 Z', 'M 0,0 L 1 1 Z', 'M 0 0 L -0 1 Z', 'M 0 0 L 01 1 Z', ' M 0 0 L 1 1 Z']) {
      expect(PATH_DATA_PATTERN.test(bad), bad).toBe(false);
    }
    expect(isValidPathData('')).toBe(true);
  });

  it('maps into a target frame by scale and offset or a 2×3 affine', () => {
    const s = square(0, 0, 10);
    expect(pathData([s], { scale: 2, offset: { x: 5, y: -1 } })).toBe('M 5 -1 L 25 -1 L 25 19 L 5 19 L 5 -1 Z');
    expect(pathData([s], { scale: { x: 0.5, y: 3 } })).toBe('M 0 0 L 5 0 L 5 30 L 0 30 L 0 0 Z');
    // Figma layout [[a, b, tx], [c, d, ty]]: a 90° rotation plus translation.
    expect(pathData([s], { matrix: [[0, -1, 100], [1, 0, 0]] })).toBe('M 100 0 L 100 10 L 90 10 L 90 0 L 100 0 Z');
    expect(toAffine(null)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(() => toAffine({ matrix: [[NaN, 0, 0], [0, 1, 0]] })).toThrow(/finite/);
  });

  it('traceMask applies the transform to its paths', () => {
    const mask = { width: 4, height: 2, data: new Uint8Array(8).fill(255) };
    const r = traceMask(mask, { transform: { scale: 0.5, offset: { x: 10, y: 20 } } });
    expect(r.paths[0]!.data).toBe('M 10 20 L 12 20 L 12 21 L 10 21 L 10 20 Z');
  });

  it('parses its own output (and relative, H/V, comma forms) back', () => {
    const d = pathData([square(1, 2, 3)]);
    const back = parsePathData(d);
    expect(back).toHaveLength(1);
    expect(Array.from(back[0]!.coords)).toEqual([4, 2, 4, 5, 1, 5, 1, 2]);
    const rel = parsePathData('m 1,2 h 3 v 3 h -3 z');
    expect(Array.from(rel[0]!.coords)).toEqual([4, 2, 4, 5, 1, 5, 1, 2]);
  });
});

describe('rasteriser', () => {
  it('fills even-odd and non-zero like resvg on traced shapes', () => {
    for (const item of corpus().filter((c) => /ring|letter|disc|organic-128/.test(c.name))) {
      const r = traceMask(item.mask);
      const ours = rasterizePaths(r.paths, item.mask.width, item.mask.height);
      const ref = renderWithResvg(r.paths, item.mask.width, item.mask.height);
      // Centre sampling and anti-aliased coverage differ only on pixels the outline nearly halves.
      expect(maskOverlap(ours, ref), item.name).toBeGreaterThan(0.98);
    }
  });

  it('distinguishes the winding rules', () => {
    // Two nested squares walked the same way: a hole under even-odd, filled under non-zero.
    const curves = [square(0, 0, 10), square(3, 3, 4)];
    const eo = fillCurves(curves, { width: 10, height: 10, data: new Uint8Array(100) }, 'evenodd');
    const nz = fillCurves(curves, { width: 10, height: 10, data: new Uint8Array(100) }, 'nonzero');
    expect(eo.data[5 * 10 + 5]).toBe(0);
    expect(nz.data[5 * 10 + 5]).toBe(255);
    expect(eo.data[1 * 10 + 1]).toBe(255);
  });

  it('samples pixel centres', () => {
    const out = fillCurves([square(0.6, 0.6, 1.8)], { width: 3, height: 3, data: new Uint8Array(9) });
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 255, 0, 0, 0, 0]);
  });
});

describe('SVG writer', () => {
  it('escapes attributes and writes one path per vector path', () => {
    const svg = toSvg([{ windingRule: 'NONZERO', data: 'M 0 0 L 1 0 L 1 1 Z' }], 3, 2, { fill: 'url("#a")&', background: '#fff' });
    expect(svg).toContain('width="3" height="2" viewBox="0 0 3 2"');
    expect(svg).toContain('fill-rule="nonzero"');
    expect(svg).toContain('fill="url(&quot;#a&quot;)&amp;"');
    expect(svg).toContain('<rect width="3" height="2" fill="#fff"/>');
  });
});
