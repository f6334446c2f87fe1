import { describe, expect, it } from 'vitest';
import { maskOverlap } from '../../core/vector/rasterize.js';
import { isValidPathData } from '../../core/vector/path.js';
import { toSvg } from '../../core/vector/svg.js';
import { traceMask } from '../../core/vector/trace.js';
import { corpus } from '../../corpus/masks.js';
import { renderWithResvg, topology } from './helpers.js';

const items = corpus();

describe('tracing fidelity on the corpus (rendered by resvg, default options)', () => {
  it.each(items.map((c) => [c.name, c] as const))('%s: IoU ≥ 0.98, valid data, holes and parts kept', (_name, item) => {
    const { mask } = item;
    const r = traceMask(mask);
    for (const p of r.paths) {
      expect(isValidPathData(p.data)).toBe(true);
      expect(p.windingRule).toBe('EVENODD');
    }
    const rendered = renderWithResvg(r.paths, mask.width, mask.height);
    expect(maskOverlap(rendered, mask)).toBeGreaterThanOrEqual(0.98);
    const t = topology(mask);
    expect({ parts: r.parts, holes: r.holes }).toEqual(t);
  });

  it('keeps 1 px strokes exact, straight and diagonal, where potrace loses them', () => {
    for (const item of items.filter((c) => c.name.startsWith('stroke-1px'))) {
      const r = traceMask(item.mask);
      const rendered = renderWithResvg(r.paths, item.mask.width, item.mask.height);
      expect(maskOverlap(rendered, item.mask), item.name).toBeGreaterThanOrEqual(0.98);
    }
  });

  it('draws squares, rectangles and single pixels with exact corners', () => {
    const one = traceMask({ width: 1, height: 1, data: Uint8Array.of(255) });
    expect(one.paths[0]!.data).toBe('M 0 0 L 1 0 L 1 1 L 0 1 L 0 0 Z');
    const full = traceMask({ width: 7, height: 3, data: new Uint8Array(21).fill(255) });
    expect(full.paths[0]!.data).toBe('M 0 0 L 7 0 L 7 3 L 0 3 L 0 0 Z');
    const square = items.find((c) => c.name === 'square-holes')!;
    const d = traceMask(square.mask).paths[0]!.data;
    expect(d).not.toContain('C');
    expect(d.split(' L ').length - 1).toBe(12); // 3 rectangles × 4 sides
  });

  it('writes the SVG the CLI contract describes', () => {
    const item = items.find((c) => c.name === 'letter-B')!;
    const r = traceMask(item.mask);
    const svg = toSvg(r.paths, 64, 64);
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">');
    expect(svg).toMatch(/<path d="[MLCZ0-9. -]+" fill="#000" fill-rule="evenodd"\/>/);
    for (const m of svg.matchAll(/ d="([^"]*)"/g)) expect(m[1]!.replace(/[-0-9. ]/g, '')).toMatch(/^[MLCZ]*$/);
  });

  it('empty masks give no paths', () => {
    const r = traceMask({ width: 5, height: 4, data: new Uint8Array(20) });
    expect(r).toEqual({ paths: [], parts: 0, holes: 0, segments: 0, width: 5, height: 4 });
    expect(toSvg(r.paths, 5, 4)).not.toContain('<path');
  });
});
