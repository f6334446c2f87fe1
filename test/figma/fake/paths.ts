/**
 * Figma's vectorPaths grammar, enforced strictly: absolute M, L, Q, C and Z, tokens separated
 * by single spaces, plain decimal numbers. Anything else throws, as Figma's setter does.
 * Also: exact curve bounds and flattening for the renderer's winding test.
 */
const ARITY: Record<string, number> = { M: 2, L: 2, Q: 4, C: 6, Z: 0 };
const NUMBER = /^-?(\d+(\.\d+)?|\.\d+)$/;

export interface Seg {
  cmd: 'M' | 'L' | 'Q' | 'C' | 'Z';
  pts: number[];
}

export function parseStrict(data: string): Seg[] {
  if (typeof data !== 'string') throw new Error('in set_vectorPaths: path data must be a string');
  if (data.length === 0) return [];
  if (data !== data.trim() || /\s{2,}/.test(data) || /[^\S ]/.test(data)) {
    throw new Error(`in set_vectorPaths: Failed to parse path data: tokens must be separated by single spaces ("${data.slice(0, 40)}")`);
  }
  const tokens = data.split(' ');
  const segs: Seg[] = [];
  let i = 0;
  while (i < tokens.length) {
    const cmd = tokens[i];
    const n = ARITY[cmd];
    if (n === undefined) throw new Error(`in set_vectorPaths: Failed to parse path data: unexpected token "${cmd}"`);
    if (segs.length === 0 && cmd !== 'M') throw new Error('in set_vectorPaths: Failed to parse path data: must start with M');
    const pts: number[] = [];
    for (let k = 1; k <= n; k++) {
      const t = tokens[i + k];
      if (t === undefined || !NUMBER.test(t)) {
        throw new Error(`in set_vectorPaths: Failed to parse path data: "${t ?? '<end>'}" is not a number (after ${cmd})`);
      }
      pts.push(Number(t));
    }
    segs.push({ cmd: cmd as Seg['cmd'], pts });
    i += n + 1;
  }
  return segs;
}

/** Closed polygons approximating the path (curves split into 24 pieces). */
export function flatten(segs: readonly Seg[]): number[][] {
  const polys: number[][] = [];
  let cur: number[] = [];
  let cx = 0;
  let cy = 0;
  let sx = 0;
  let sy = 0;
  const close = () => {
    if (cur.length >= 6) polys.push(cur);
    cur = [];
  };
  for (const s of segs) {
    const p = s.pts;
    if (s.cmd === 'M') {
      close();
      cx = sx = p[0];
      cy = sy = p[1];
      cur.push(cx, cy);
    } else if (s.cmd === 'L') {
      cx = p[0];
      cy = p[1];
      cur.push(cx, cy);
    } else if (s.cmd === 'Q') {
      for (let k = 1; k <= 24; k++) {
        const t = k / 24;
        const u = 1 - t;
        cur.push(u * u * cx + 2 * u * t * p[0] + t * t * p[2], u * u * cy + 2 * u * t * p[1] + t * t * p[3]);
      }
      cx = p[2];
      cy = p[3];
    } else if (s.cmd === 'C') {
      for (let k = 1; k <= 24; k++) {
        const t = k / 24;
        const u = 1 - t;
        cur.push(
          u * u * u * cx + 3 * u * u * t * p[0] + 3 * u * t * t * p[2] + t * t * t * p[4],
          u * u * u * cy + 3 * u * u * t * p[1] + 3 * u * t * t * p[3] + t * t * t * p[5],
        );
      }
      cx = p[4];
      cy = p[5];
    } else {
      cx = sx;
      cy = sy;
      close();
    }
  }
  close();
  return polys;
}

/** Winding number of (x, y) against closed polygons. */
export function winding(polys: readonly number[][], x: number, y: number): number {
  let w = 0;
  for (const poly of polys) {
    const n = poly.length / 2;
    for (let i = 0; i < n; i++) {
      const x0 = poly[2 * i];
      const y0 = poly[2 * i + 1];
      const j = (i + 1) % n;
      const x1 = poly[2 * j];
      const y1 = poly[2 * j + 1];
      if (y0 <= y) {
        if (y1 > y && (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0) > 0) w++;
      } else if (y1 <= y && (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0) < 0) w--;
    }
  }
  return w;
}

/** Exact bounds of the drawn geometry: vertices plus Bézier extrema (derivative roots). */
export function segBounds(segs: readonly Seg[]): { x0: number; y0: number; x1: number; y1: number } | null {
  const xs: number[] = [];
  const ys: number[] = [];
  let cx = 0;
  let cy = 0;
  const cubic = (a: number, b: number, c: number, d: number, out: number[]) => {
    // roots of the derivative 3[(b-a)(1-t)^2 + 2(c-b)(1-t)t + (d-c)t^2]
    const A = -a + 3 * b - 3 * c + d;
    const B = 2 * (a - 2 * b + c);
    const C = b - a;
    const ts: number[] = [];
    if (Math.abs(A) < 1e-12) {
      if (Math.abs(B) > 1e-12) ts.push(-C / B);
    } else {
      const disc = B * B - 4 * A * C;
      if (disc >= 0) ts.push((-B + Math.sqrt(disc)) / (2 * A), (-B - Math.sqrt(disc)) / (2 * A));
    }
    for (const t of ts) {
      if (t > 0 && t < 1) {
        const u = 1 - t;
        out.push(u * u * u * a + 3 * u * u * t * b + 3 * u * t * t * c + t * t * t * d);
      }
    }
  };
  const quad = (a: number, b: number, c: number, out: number[]) => {
    const den = a - 2 * b + c;
    if (Math.abs(den) < 1e-12) return;
    const t = (a - b) / den;
    if (t > 0 && t < 1) out.push((1 - t) * (1 - t) * a + 2 * (1 - t) * t * b + t * t * c);
  };
  for (const s of segs) {
    const p = s.pts;
    if (s.cmd === 'Q') {
      quad(cx, p[0], p[2], xs);
      quad(cy, p[1], p[3], ys);
    } else if (s.cmd === 'C') {
      cubic(cx, p[0], p[2], p[4], xs);
      cubic(cy, p[1], p[3], p[5], ys);
    }
    if (p.length >= 2) {
      cx = p[p.length - 2];
      cy = p[p.length - 1];
      xs.push(cx);
      ys.push(cy);
    }
  }
  if (xs.length === 0) return null;
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}
