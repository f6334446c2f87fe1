/**
 * A small scanline rasteriser for closed M/L/C/Z outlines, used to measure how well paths cover
 * the mask they came from (IoU) and by property tests. A pixel is inside when its centre is
 * inside the outline (even-odd or non-zero rule); cubics are flattened to within 0.01 px.
 */
import type { GrayImage } from '../image/types.js';
import { parsePathData } from './path.js';
import type { ClosedCurve, VectorPath } from './types.js';

export type FillRule = 'evenodd' | 'nonzero';

/** Flattens closed curves into line edges (x0, y0, x1, y1 quadruples). */
function flatten(curves: readonly ClosedCurve[], tol = 0.01): number[] {
  const e: number[] = [];
  for (const c of curves) {
    let x = c.x0;
    let y = c.y0;
    let j = 0;
    for (let k = 0; k < c.kinds.length; k++) {
      if (c.kinds[k] === 0) {
        const nx = c.coords[j]!;
        const ny = c.coords[j + 1]!;
        e.push(x, y, nx, ny);
        x = nx;
        y = ny;
        j += 2;
      } else {
        const [x1, y1, x2, y2, x3, y3] = [c.coords[j]!, c.coords[j + 1]!, c.coords[j + 2]!, c.coords[j + 3]!, c.coords[j + 4]!, c.coords[j + 5]!];
        j += 6;
        const dd = Math.max(Math.hypot(x - 2 * x1 + x2, y - 2 * y1 + y2), Math.hypot(x1 - 2 * x2 + x3, y1 - 2 * y2 + y3));
        const n = Math.max(1, Math.min(4096, Math.ceil(Math.sqrt((0.75 * dd) / tol))));
        let px = x;
        let py = y;
        for (let i = 1; i <= n; i++) {
          const t = i / n;
          const s = 1 - t;
          const qx = s * s * s * x + 3 * s * s * t * x1 + 3 * s * t * t * x2 + t * t * t * x3;
          const qy = s * s * s * y + 3 * s * s * t * y1 + 3 * s * t * t * y2 + t * t * t * y3;
          e.push(px, py, qx, qy);
          px = qx;
          py = qy;
        }
        x = x3;
        y = y3;
      }
    }
    if (x !== c.x0 || y !== c.y0) e.push(x, y, c.x0, c.y0);
  }
  return e;
}

/** Fills closed curves into `out` (255 inside), sampling at pixel centres. */
export function fillCurves(curves: readonly ClosedCurve[], out: GrayImage, rule: FillRule = 'evenodd'): GrayImage {
  const { width: W, height: H, data } = out;
  const edges = flatten(curves);
  const ne = edges.length / 4;
  // Bucket crossings by row: row j samples y = j + 0.5; an edge covers rows with centre in [ymin, ymax).
  const counts = new Int32Array(H + 1);
  for (let k = 0; k < ne; k++) {
    const y0 = edges[k * 4 + 1]!;
    const y1 = edges[k * 4 + 3]!;
    if (y0 === y1) continue;
    const lo = Math.max(0, Math.ceil(Math.min(y0, y1) - 0.5));
    const hi = Math.min(H - 1, Math.ceil(Math.max(y0, y1) - 0.5) - 1);
    for (let r = lo; r <= hi; r++) counts[r + 1]!++;
  }
  for (let r = 0; r < H; r++) counts[r + 1]! += counts[r]!;
  const xs = new Float64Array(counts[H]!);
  const ws = new Int8Array(counts[H]!);
  const fill = counts.slice(0, H);
  for (let k = 0; k < ne; k++) {
    const x0 = edges[k * 4]!;
    const y0 = edges[k * 4 + 1]!;
    const x1 = edges[k * 4 + 2]!;
    const y1 = edges[k * 4 + 3]!;
    if (y0 === y1) continue;
    const lo = Math.max(0, Math.ceil(Math.min(y0, y1) - 0.5));
    const hi = Math.min(H - 1, Math.ceil(Math.max(y0, y1) - 0.5) - 1);
    const w = y1 > y0 ? 1 : -1;
    for (let r = lo; r <= hi; r++) {
      const yc = r + 0.5;
      const i = fill[r]!++;
      xs[i] = x0 + ((yc - y0) * (x1 - x0)) / (y1 - y0);
      ws[i] = w;
    }
  }
  const order: number[] = [];
  for (let r = 0; r < H; r++) {
    const a = counts[r]!;
    const b = counts[r + 1]!;
    if (b - a < 2) continue;
    order.length = 0;
    for (let i = a; i < b; i++) order.push(i);
    order.sort((p, q) => xs[p]! - xs[q]!);
    let wind = 0;
    for (let t = 0; t < order.length - 1; t++) {
      wind += rule === 'evenodd' ? 1 : ws[order[t]!]!;
      const inside = rule === 'evenodd' ? (wind & 1) === 1 : wind !== 0;
      if (!inside) continue;
      const xa = xs[order[t]!]!;
      const xb = xs[order[t + 1]!]!;
      const i0 = Math.max(0, Math.ceil(xa - 0.5));
      const i1 = Math.min(W - 1, Math.ceil(xb - 0.5) - 1);
      const row = r * W;
      for (let i = i0; i <= i1; i++) data[row + i] = 255;
    }
  }
  return out;
}

/** Rasterises vector paths (each with its own winding rule) at width × height; 255 inside. */
export function rasterizePaths(paths: readonly VectorPath[] | string, width: number, height: number): GrayImage {
  const out: GrayImage = { width, height, data: new Uint8Array(width * height) };
  const list: readonly VectorPath[] = typeof paths === 'string' ? [{ windingRule: 'EVENODD', data: paths }] : paths;
  for (const p of list) fillCurves(parseLarge(p.data), out, p.windingRule === 'EVENODD' ? 'evenodd' : 'nonzero');
  return out;
}

/** Above this many characters path data is parsed a piece at a time. */
const PARSE_PIECE = 1 << 20;

/**
 * parsePathData over pieces that end after a "Z" followed by an absolute "M" (so no piece
 * depends on the one before): parsing a whole traced checkerboard at once holds a string per
 * number, hundreds of MB.
 */
function parseLarge(d: string): ClosedCurve[] {
  if (d.length <= PARSE_PIECE) return parsePathData(d);
  const curves: ClosedCurve[] = [];
  let from = 0;
  while (from < d.length) {
    let cut = d.length;
    const z = /[Zz]\s*M/g;
    z.lastIndex = Math.min(d.length, from + PARSE_PIECE);
    const m = z.exec(d);
    if (m) cut = m.index + 1;
    for (const c of parsePathData(d.slice(from, cut))) curves.push(c);
    from = cut;
  }
  return curves;
}

/**
 * Intersection over union of two same-sized masks, each inside where value ≥ threshold
 * (default 128). Two empty masks agree perfectly (1).
 */
export function maskOverlap(a: GrayImage, b: GrayImage, threshold = 128): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`maskOverlap: sizes differ (${a.width}×${a.height} vs ${b.width}×${b.height})`);
  }
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]! >= threshold;
    const y = b.data[i]! >= threshold;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}
