/**
 * Path data: the writer (absolute M, L, C, Z only, one space between tokens, numbers rounded to
 * at most 3 decimals without exponents — the grammar Figma's `vectorPaths` accepts and SVG
 * reads), a parser for the same subset, a validator, and transforms into a target frame.
 */
import { ErrorCode, fail } from '../errors.js';
import type { ClosedCurve, FrameTransform } from './types.js';

/** A number as path data wants it: ≤ 3 decimals, no exponent, no "-0", no trailing zeros. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) fail(ErrorCode.InvalidOption, `cannot write ${v} into path data: coordinates must be finite`);
  if (Math.abs(v) >= 1e15) fail(ErrorCode.InvalidOption, `cannot write ${v} into path data: coordinates must stay below 1e15 in magnitude`);
  const r = Math.round(v * 1000);
  if (r === 0) return '0';
  const neg = r < 0;
  const a = Math.abs(r);
  const int = Math.floor(a / 1000);
  const frac = a - int * 1000;
  let s = String(int);
  if (frac !== 0) {
    let f = String(frac).padStart(3, '0');
    while (f.endsWith('0')) f = f.slice(0, -1);
    s += '.' + f;
  }
  return neg ? '-' + s : s;
}

/** An affine map x' = a·x + b·y + tx, y' = c·x + d·y + ty. */
export type Affine = [a: number, b: number, tx: number, c: number, d: number, ty: number];

/** Normalises a frame transform to an affine map (identity when absent). */
export function toAffine(t?: FrameTransform | null): Affine {
  if (!t) return [1, 0, 0, 0, 1, 0];
  if ('matrix' in t) {
    const m = t.matrix;
    const out: Affine = [m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2]];
    if (!out.every(Number.isFinite)) fail(ErrorCode.InvalidOption, 'transform.matrix must hold 6 finite numbers [[a, b, tx], [c, d, ty]]');
    return out;
  }
  const s = t.scale ?? 1;
  const sx = typeof s === 'number' ? s : s.x;
  const sy = typeof s === 'number' ? s : s.y;
  const ox = t.offset?.x ?? 0;
  const oy = t.offset?.y ?? 0;
  if (![sx, sy, ox, oy].every(Number.isFinite)) fail(ErrorCode.InvalidOption, 'transform scale and offset must be finite numbers');
  return [sx, 0, ox, 0, sy, oy];
}

/** Applies an affine map to a closed curve (curves stay curves under affine maps). */
export function transformCurve(c: ClosedCurve, m: Affine): ClosedCurve {
  const [a, b, tx, cc, d, ty] = m;
  const coords = new Float64Array(c.coords.length);
  for (let i = 0; i < coords.length; i += 2) {
    const x = c.coords[i]!;
    const y = c.coords[i + 1]!;
    coords[i] = a * x + b * y + tx;
    coords[i + 1] = cc * x + d * y + ty;
  }
  return { x0: a * c.x0 + b * c.y0 + tx, y0: cc * c.x0 + d * c.y0 + ty, kinds: c.kinds, coords };
}

/**
 * Writes closed curves as one path data string: "M x y L x y C x y x y x y Z M …". A transform,
 * when given, maps image pixels into the target frame first.
 */
export function pathData(curves: readonly ClosedCurve[], transform?: FrameTransform | null): string {
  const m = transform ? toAffine(transform) : null;
  // One flat string per curve: a list of every number's string would cost ~40 bytes a number.
  const parts: string[] = [];
  const one: string[] = [];
  for (const c0 of curves) {
    if (c0.kinds.length === 0) continue;
    const c = m ? transformCurve(c0, m) : c0;
    one.length = 0;
    one.push('M', formatNumber(c.x0), formatNumber(c.y0));
    let j = 0;
    for (let k = 0; k < c.kinds.length; k++) {
      if (c.kinds[k] === 0) {
        one.push('L', formatNumber(c.coords[j]!), formatNumber(c.coords[j + 1]!));
        j += 2;
      } else {
        one.push('C');
        for (let q = 0; q < 6; q++) one.push(formatNumber(c.coords[j + q]!));
        j += 6;
      }
    }
    one.push('Z');
    parts.push(one.join(' '));
  }
  return parts.join(' ');
}

/** Number of drawn segments (lines and cubics) in curves. */
export function countSegments(curves: readonly ClosedCurve[]): number {
  let n = 0;
  for (const c of curves) n += c.kinds.length;
  return n;
}

// 0, or an optionally negative non-zero number: integer part without leading zeros, at most
// three decimals without trailing zeros.
const POS = '(?:[1-9][0-9]*(?:\\.[0-9]{0,2}[1-9])?|0\\.[0-9]{0,2}[1-9])';
const NUM = `(?:0|-?${POS})`;
const SUBPATH = `M ${NUM} ${NUM}(?: L ${NUM} ${NUM}| C ${NUM} ${NUM} ${NUM} ${NUM} ${NUM} ${NUM})* Z`;
/**
 * The exact grammar the writer produces (and Figma's vectorPaths accepts): closed subpaths of
 * absolute M, L, C, Z separated by single spaces, numbers with at most 3 decimals, no exponent.
 * An empty string (no outline) is also valid.
 */
export const PATH_DATA_PATTERN = new RegExp(`^(?:${SUBPATH}(?: ${SUBPATH})*)?$`);

export function isValidPathData(d: string): boolean {
  return PATH_DATA_PATTERN.test(d);
}

/** Throws INVALID_MASK unless `d` is in the writer's grammar (what every path Cutout sends must be). */
export function checkPathData(d: unknown): string {
  if (typeof d !== 'string' || !isValidPathData(d)) {
    const shown = typeof d === 'string' ? JSON.stringify(d.length > 40 ? `${d.slice(0, 40)}…` : d) : String(d);
    fail(ErrorCode.InvalidMask, `vector path ${shown} is malformed: it must be closed subpaths of absolute M, L, C and Z with numbers of at most 3 decimals`);
  }
  return d;
}

const ARITY: Readonly<Record<string, number>> = { M: 2, L: 2, C: 6, Z: 0 };

/**
 * Path data of absolute M, L, C, Z (any whitespace or commas, exponents allowed) mapped by `m`
 * and written in the writer's grammar, command for command (no segment added or dropped);
 * INVALID_MASK naming the token for anything else.
 */
export function transformPathData(d: string, m: Affine): string {
  const [a, b, tx, c, dd, ty] = m;
  const tokens = d.trim().split(/[\s,]+/).filter((t) => t.length > 0);
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const cmd = tokens[i]!;
    const n = ARITY[cmd];
    if (n === undefined) fail(ErrorCode.InvalidMask, `vector path is malformed: "${cmd}" at token ${i} is not one of the absolute commands M, L, C, Z`);
    if (out.length === 0 && cmd !== 'M') fail(ErrorCode.InvalidMask, `vector path is malformed: it must start with M, found "${cmd}"`);
    out.push(cmd);
    for (let k = 1; k <= n; k += 2) {
      const x = Number(tokens[i + k]);
      const y = Number(tokens[i + k + 1]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        fail(ErrorCode.InvalidMask, `vector path is malformed: ${cmd} at token ${i} needs ${n} numbers`);
      }
      out.push(formatNumber(a * x + b * y + tx), formatNumber(c * x + dd * y + ty));
    }
    i += n + 1;
  }
  return out.join(' ');
}

/** Exact bounds of the curves drawn by path data (see curvesBounds); null when it draws nothing. */
export function pathDataBounds(data: readonly string[]): { x: number; y: number; width: number; height: number } | null {
  return curvesBounds(data.flatMap((d) => parsePathData(d)));
}

/** Exact bounds of what the curves draw (Bézier extrema, not control points); null when they draw nothing. */
export function curvesBounds(curves: readonly ClosedCurve[]): { x: number; y: number; width: number; height: number } | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const addX = (x: number): void => {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
  };
  const addY = (y: number): void => {
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  };
  const add = (x: number, y: number): void => {
    addX(x);
    addY(y);
  };
  for (const c of curves) {
    if (c.kinds.length === 0) continue;
    let cx = c.x0;
    let cy = c.y0;
    add(cx, cy);
    let j = 0;
    for (let k = 0; k < c.kinds.length; k++) {
      if (c.kinds[k] === 0) {
        cx = c.coords[j]!;
        cy = c.coords[j + 1]!;
        j += 2;
      } else {
        const [ax, ay, bx, by, ex, ey] = [c.coords[j]!, c.coords[j + 1]!, c.coords[j + 2]!, c.coords[j + 3]!, c.coords[j + 4]!, c.coords[j + 5]!];
        for (const t of cubicExtrema(cx, ax, bx, ex)) addX(cubicAt(cx, ax, bx, ex, t));
        for (const t of cubicExtrema(cy, ay, by, ey)) addY(cubicAt(cy, ay, by, ey, t));
        cx = ex;
        cy = ey;
        j += 6;
      }
      add(cx, cy);
    }
  }
  return x0 <= x1 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

function cubicAt(a: number, b: number, c: number, d: number, t: number): number {
  const u = 1 - t;
  return u * u * u * a + 3 * u * u * t * b + 3 * u * t * t * c + t * t * t * d;
}

/** Parameters in (0, 1) where a cubic's coordinate has a turning point. */
function cubicExtrema(a: number, b: number, c: number, d: number): number[] {
  // derivative / 3: (b−a)(1−t)² + 2(c−b)(1−t)t + (d−c)t²  →  A t² + B t + C
  const A = -a + 3 * b - 3 * c + d;
  const B = 2 * (a - 2 * b + c);
  const C = b - a;
  const roots: number[] = [];
  if (Math.abs(A) < 1e-12) {
    if (Math.abs(B) > 1e-12) roots.push(-C / B);
  } else {
    const disc = B * B - 4 * A * C;
    if (disc >= 0) {
      const r = Math.sqrt(disc);
      roots.push((-B + r) / (2 * A), (-B - r) / (2 * A));
    }
  }
  return roots.filter((t) => t > 0 && t < 1);
}

/**
 * Parses path data made of absolute or relative M, L, H, V, C, Z (with implicit repeats, commas
 * or spaces) into closed curves. Open subpaths are closed with a line. Used by the rasteriser
 * and to read other tracers' output.
 */
export function parsePathData(d: string): ClosedCurve[] {
  const tokens = d.match(/[MLHVCZmlhvcz]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g) ?? [];
  const curves: ClosedCurve[] = [];
  let kinds: number[] = [];
  let coords: number[] = [];
  let sx = 0;
  let sy = 0;
  let x = 0;
  let y = 0;
  let open = false;
  let i = 0;
  let cmd = '';
  const num = (): number => {
    const t = tokens[i++];
    const v = t === undefined ? NaN : Number(t);
    if (!Number.isFinite(v)) fail(ErrorCode.InvalidOption, `malformed path data near token ${i}: expected a number, got "${t}"`);
    return v;
  };
  const close = (): void => {
    if (!open) return;
    if (kinds.length && (x !== sx || y !== sy)) {
      kinds.push(0);
      coords.push(sx, sy);
    }
    if (kinds.length) curves.push({ x0: sx, y0: sy, kinds: Uint8Array.from(kinds), coords: Float64Array.from(coords) });
    kinds = [];
    coords = [];
    open = false;
    x = sx;
    y = sy;
  };
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (/^[A-Za-z]$/.test(t)) {
      cmd = t;
      i++;
      if (cmd === 'Z' || cmd === 'z') {
        close();
        continue;
      }
    } else if (cmd === '' || cmd === 'Z' || cmd === 'z') {
      fail(ErrorCode.InvalidOption, `malformed path data: number "${t}" without a command`);
    }
    const rel = cmd === cmd.toLowerCase();
    const ox = rel ? x : 0;
    const oy = rel ? y : 0;
    switch (cmd.toUpperCase()) {
      case 'M': {
        close();
        x = ox + num();
        y = oy + num();
        sx = x;
        sy = y;
        open = true;
        cmd = rel ? 'l' : 'L'; // Implicit repeats after a moveto are linetos.
        break;
      }
      case 'L':
        x = ox + num();
        y = oy + num();
        kinds.push(0);
        coords.push(x, y);
        break;
      case 'H':
        x = ox + num();
        kinds.push(0);
        coords.push(x, y);
        break;
      case 'V':
        y = oy + num();
        kinds.push(0);
        coords.push(x, y);
        break;
      case 'C': {
        const c = [ox + num(), oy + num(), ox + num(), oy + num(), ox + num(), oy + num()];
        x = c[4]!;
        y = c[5]!;
        kinds.push(1);
        coords.push(...c);
        break;
      }
      default:
        fail(ErrorCode.InvalidOption, `path command "${cmd}" is not supported (only M L H V C Z)`);
    }
  }
  close();
  return curves;
}
