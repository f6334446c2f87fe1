/**
 * Stage 3 of tracing: polygon + samples → a closed outline of cubic Béziers and lines.
 *
 * Knots. Curves start and end on knots: the middle of each polygon edge (moved onto the boundary
 * and turned to its tangent by a quadratic least-squares fit of the edge's samples — or, for soft
 * maps, put on the sample polyline itself), the corners, and the ends of straight runs. A vertex is
 * a corner when it turns by at least the corner angle and the samples come close to it; a short
 * edge cutting off a corner (a rotated square's tip) is folded into one sharp corner. Straight pixel
 * runs next to corners, or much longer than the local curvature allows, are drawn as lines.
 *
 * Curves. From each knot one cubic is stretched over as many knots as it can while still crossing
 * every sample's gate within its allowance (see simplify.ts; the allowance shrinks to the exact
 * tolerance on thin features): a gallop-then-bisect search around the previous span's length.
 * The cubic leaves along the knot's tangent; its end tangent is fitted too when the next piece
 * is free to follow it (G1 joins), else fixed. Handles come from least squares with chord-length
 * parameters refined by Newton steps (Schneider, "An Algorithm for Automatically Fitting Digitized
 * Curves", Graphics Gems, 1990); a candidate must keep advancing along its chord (no loops).
 *
 * Error. A sample's error is measured along its gate: how far from the sample the curve crosses
 * the line between the two pixel centres on either side of it (for grazing crossings in thick
 * regions, twice the distance instead). Where no curve reaches the next knot, the polygon itself is
 * used (it crosses every gate by construction).
 */
import type { Polygon } from './simplify.js';
import type { ClosedCurve, Contour } from './types.js';

/** Euclidean length (Math.hypot is slow in V8). */
function hyp(x: number, y: number): number {
  return Math.sqrt(x * x + y * y);
}

export interface FitOptions {
  /**
   * Largest gate error allowed, px, where the mask is thick. Where it is thin (a stroke or a gap
   * only a few pixels across) the allowance shrinks linearly to `exactTolerance`: flipping a
   * pixel there would change the shape, so thin structures stay exact.
   */
  tolerance: number;
  /** Gate error allowed on features THIN_PX px across or less (default 0.45: pixel-exact). */
  exactTolerance?: number;
  /** Vertices turning by at least this much (radians) stay corners. */
  cornerAngle: number;
}

/** Features this thin (px) or thinner get the exact tolerance; from THICK_PX on, the full one. */
const THIN_PX = 3;
const THICK_PX = 24;

/** How close (px) the samples next to a sharp vertex must come for it to be a corner. */
const CORNER_REACH = 0.6;

/** Straight polygon edges at least this long (px) are drawn as lines. */
const LONG_EDGE = 6;

/** A curve never spans more than this much accumulated turning (radians). */
const MAX_SPAN_TURN = (170 * Math.PI) / 180;
/** A free end tangent may turn at most this far (cosine of ~15°) from the estimated one. */
const FREE_END_COS = Math.cos((15 * Math.PI) / 180);

/** Least-squares rounds (each after a Newton reparameterisation) per candidate curve. */
const MAX_ITER = 8;

// Sample scratch for one span.
let qx = new Float64Array(1024);
let qy = new Float64Array(1024);
let qa = new Uint8Array(1024);
let qu = new Float64Array(1024);
/** 1 / allowed gate error of each scratch sample. */
let qi = new Float64Array(1024);
let qn = 0;

function ensureScratch(n: number): void {
  if (n <= qx.length) return;
  let m = qx.length;
  while (m < n) m *= 2;
  const gx = new Float64Array(m);
  gx.set(qx);
  qx = gx;
  const gy = new Float64Array(m);
  gy.set(qy);
  qy = gy;
  const ga = new Uint8Array(m);
  ga.set(qa);
  qa = ga;
  qu = new Float64Array(m);
  const gi = new Float64Array(m);
  gi.set(qi);
  qi = gi;
}

/**
 * Gate error of a sample against a curve point B with tangent T (see module comment), relative
 * to the sample's allowance: ≤ 1 passes.
 */
function gateError(bx: number, by: number, tx: number, ty: number, i: number): number {
  const dx = bx - qx[i]!;
  const dy = by - qy[i]!;
  const den = qa[i] === 0 ? -tx : ty;
  const inv = qi[i]!;
  const tl = (tx < 0 ? -tx : tx) + (ty < 0 ? -ty : ty);
  let e = (den < 0 ? -den : den) <= 1e-6 * tl || tl === 0 ? 1e3 : Math.abs((dx * ty - dy * tx) / den);
  // Where the allowance exceeds half a pixel, a curve grazing along a gate (nearly parallel to
  // it) is judged by its distance instead: it may flip only pixels whose centres it nearly
  // touches. (For pixel-exact allowances on binary masks the crossing alone decides; soft maps'
  // sub-pixel samples are points on the edge, judged by distance when grazing at any allowance.)
  if (e * inv > 1 && (inv < 2 || subpixelGates)) {
    const g = 2 * Math.sqrt(dx * dx + dy * dy);
    if (g < e) e = g;
  }
  return e * inv;
}

/** Crossing offset along a sample's gate (axis 0: along y, 1: along x) of the line P + s·T. */
function lineGateError(px: number, py: number, tx: number, ty: number, sx: number, sy: number, axis: number): number {
  const den = axis === 0 ? -tx : ty;
  if (Math.abs(den) < 1e-9) return Infinity;
  return Math.abs(((px - sx) * ty - (py - sy) * tx) / den);
}

/** Whether the current contour's samples are sub-pixel (soft map) points. */
let subpixelGates = false;

/** Fit result of the last successful `fitCubic` call. */
const ctrl = new Float64Array(4);

/**
 * Fits a cubic from P0 (leaving along t0) to P3 (arriving along t3) to the scratch samples.
 * Writes the inner control points into `ctrl` and returns whether every gate error ≤ tol.
 */
function fitCubic(
  p0x: number,
  p0y: number,
  t0x: number,
  t0y: number,
  p3x: number,
  p3y: number,
  t3x: number,
  t3y: number,
  freeEnd = false,
): boolean {
  const chord = hyp(p3x - p0x, p3y - p0y);
  const m = qn;
  // Local aliases of the scratch arrays (module-level bindings are slower in hot loops).
  const QX = qx;
  const QY = qy;
  const QU = qu;
  const QA = qa;
  const QI = qi;
  const graze = subpixelGates;
  if (m === 0) {
    ctrl[0] = p0x + (t0x * chord) / 3;
    ctrl[1] = p0y + (t0y * chord) / 3;
    ctrl[2] = p3x - (t3x * chord) / 3;
    ctrl[3] = p3y - (t3y * chord) / 3;
    return true;
  }
  // Chord-length parameters.
  let acc = 0;
  let lx = p0x;
  let ly = p0y;
  for (let i = 0; i < m; i++) {
    const ex = QX[i]! - lx;
    const ey = QY[i]! - ly;
    acc += Math.sqrt(ex * ex + ey * ey);
    QU[i] = acc;
    lx = QX[i]!;
    ly = QY[i]!;
  }
  acc += Math.sqrt((p3x - lx) * (p3x - lx) + (p3y - ly) * (p3y - ly));
  if (acc <= 0) return false;
  for (let i = 0; i < m; i++) QU[i] = QU[i]! / acc;

  let prevWorst = Infinity;
  for (let iter = 0; iter < MAX_ITER; iter++) {
    // Least squares. Fixed end tangent: handle lengths a (at P0) and b (at P3), P1 = P0 + a·t0,
    // P2 = P3 − b·t3. Free end tangent: a and the whole of P2.
    let p1x: number;
    let p1y: number;
    let p2x: number;
    let p2y: number;
    if (freeEnd) {
      let m11 = 0;
      let m12 = 0;
      let m13 = 0;
      let m22 = 0;
      let r1 = 0;
      let r2 = 0;
      let r3 = 0;
      for (let i = 0; i < m; i++) {
        const u = QU[i]!;
        const v = 1 - u;
        const b0 = v * v * v;
        const b1 = 3 * u * v * v;
        const b2 = 3 * u * u * v;
        const b3 = u * u * u;
        const rx = QX[i]! - p0x * (b0 + b1) - p3x * b3;
        const ry = QY[i]! - p0y * (b0 + b1) - p3y * b3;
        m11 += b1 * b1;
        m12 += b1 * b2;
        m22 += b2 * b2;
        r1 += b1 * (t0x * rx + t0y * ry);
        r2 += b2 * rx;
        r3 += b2 * ry;
      }
      m13 = m12 * t0y;
      const m12x = m12 * t0x;
      // [m11 m12x m13; m12x m22 0; m13 0 m22]·[a x2 y2] = [r1 r2 r3]
      const det = m11 * m22 * m22 - m12x * m12x * m22 - m13 * m13 * m22;
      let a = chord / 3;
      if (Math.abs(det) > 1e-12 * (m11 * m22 * m22 + 1e-30)) a = (r1 * m22 * m22 - m12x * r2 * m22 - m13 * r3 * m22) / det;
      const eps = 1e-6 * chord;
      if (!(a > eps) || a > 2 * chord) a = chord / 3;
      p1x = p0x + a * t0x;
      p1y = p0y + a * t0y;
      p2x = m22 > 1e-12 ? (r2 - m12x * a) / m22 : p3x - (t3x * chord) / 3;
      p2y = m22 > 1e-12 ? (r3 - m13 * a) / m22 : p3y - (t3y * chord) / 3;
      const bl = hyp(p3x - p2x, p3y - p2y);
      if (!(bl > eps) || bl > 2 * chord) return false;
      // Stay near the boundary's own tangent there: the next curve starts along this one.
      if (((p3x - p2x) * t3x + (p3y - p2y) * t3y) / bl < FREE_END_COS) return false;
    } else {
      let c11 = 0;
      let c12 = 0;
      let c22 = 0;
      let x1 = 0;
      let x2 = 0;
      for (let i = 0; i < m; i++) {
        const u = QU[i]!;
        const v = 1 - u;
        const b0 = v * v * v;
        const b1 = 3 * u * v * v;
        const b2 = 3 * u * u * v;
        const b3 = u * u * u;
        const ax = t0x * b1;
        const ay = t0y * b1;
        const cx = -t3x * b2;
        const cy = -t3y * b2;
        const rx = QX[i]! - p0x * (b0 + b1) - p3x * (b2 + b3);
        const ry = QY[i]! - p0y * (b0 + b1) - p3y * (b2 + b3);
        c11 += ax * ax + ay * ay;
        c12 += ax * cx + ay * cy;
        c22 += cx * cx + cy * cy;
        x1 += ax * rx + ay * ry;
        x2 += cx * rx + cy * ry;
      }
      const det = c11 * c22 - c12 * c12;
      let a = 0;
      let b = 0;
      if (Math.abs(det) > 1e-12 * (c11 * c22 + 1e-30)) {
        a = (x1 * c22 - x2 * c12) / det;
        b = (c11 * x2 - c12 * x1) / det;
      }
      const eps = 1e-6 * chord;
      if (!(a > eps && b > eps) || a > 2 * chord || b > 2 * chord) a = b = chord / 3;
      p1x = p0x + a * t0x;
      p1y = p0y + a * t0y;
      p2x = p3x - b * t3x;
      p2y = p3y - b * t3y;
    }
    ctrl[0] = p1x;
    ctrl[1] = p1y;
    ctrl[2] = p2x;
    ctrl[3] = p2y;
    // The curve must keep moving forward along its chord (no loops, no doubling back): the
    // derivative's component along the chord is a quadratic in u, positive on [0, 1].
    if (!advances(p0x, p0y, p1x, p1y, p2x, p2y, p3x, p3y)) return false;

    // Error along the gates, and in the same pass a Newton step on each parameter toward the
    // sample's nearest curve point (used by the next round, if any).
    let worst = 0;
    const d1x = p1x - p0x;
    const d1y = p1y - p0y;
    const d2x = p2x - p1x;
    const d2y = p2y - p1y;
    const d3x = p3x - p2x;
    const d3y = p3y - p2y;
    const e1x = p2x - 2 * p1x + p0x;
    const e1y = p2y - 2 * p1y + p0y;
    const e2x = p3x - 2 * p2x + p1x;
    const e2y = p3y - 2 * p2y + p1y;
    for (let i = 0; i < m; i++) {
      const u = QU[i]!;
      const v = 1 - u;
      const b0 = v * v * v;
      const b1 = 3 * u * v * v;
      const b2 = 3 * u * u * v;
      const b3 = u * u * u;
      const bx = b0 * p0x + b1 * p1x + b2 * p2x + b3 * p3x;
      const by = b0 * p0y + b1 * p1y + b2 * p2y + b3 * p3y;
      const tx = 3 * (v * v * d1x + 2 * u * v * d2x + u * u * d3x);
      const ty = 3 * (v * v * d1y + 2 * u * v * d2y + u * u * d3y);
      // Gate error (see gateError), inlined.
      const gdx = bx - QX[i]!;
      const gdy = by - QY[i]!;
      const den = QA[i] === 0 ? -tx : ty;
      const inv = QI[i]!;
      const tl = (tx < 0 ? -tx : tx) + (ty < 0 ? -ty : ty);
      let e = (den < 0 ? -den : den) <= 1e-6 * tl || tl === 0 ? 1e3 : Math.abs((gdx * ty - gdy * tx) / den);
      if (e * inv > 1 && (inv < 2 || graze)) {
        const g = 2 * Math.sqrt(gdx * gdx + gdy * gdy);
        if (g < e) e = g;
      }
      e *= inv;
      if (e > worst) {
        worst = e;
        if (worst > 12) break;
      }
      // Newton step toward the nearest point.
      const sx = 6 * (v * e1x + u * e2x);
      const sy = 6 * (v * e1y + u * e2y);
      const nd = tx * tx + ty * ty + gdx * sx + gdy * sy;
      if (Math.abs(nd) > 1e-12) {
        const nu = u - (gdx * tx + gdy * ty) / nd;
        QU[i] = nu < 0 ? 0 : nu > 1 ? 1 : nu;
      }
    }
    if (worst <= 1) return true;
    // Give up when hopeless or when reparameterisation stops helping.
    if (worst > 12 || (iter === 0 && worst > 4) || iter === MAX_ITER - 1 || (iter >= 2 && (worst > 3 || worst > prevWorst * 0.98))) return false;
    prevWorst = worst;
  }
  return false;
}

/** Whether B'(u)·(P3 − P0) > 0 for every u in [0, 1]. */
function advances(p0x: number, p0y: number, p1x: number, p1y: number, p2x: number, p2y: number, p3x: number, p3y: number): boolean {
  const cx = p3x - p0x;
  const cy = p3y - p0y;
  // B'(u)/3 = (1−u)²·A + 2u(1−u)·B + u²·C with A = P1−P0, B = P2−P1, C = P3−P2.
  const a = (p1x - p0x) * cx + (p1y - p0y) * cy;
  const b = (p2x - p1x) * cx + (p2y - p1y) * cy;
  const c = (p3x - p2x) * cx + (p3y - p2y) * cy;
  if (a <= 0 || c <= 0) return false;
  // Quadratic in Bernstein form: its minimum on [0, 1] is at u* = (a − b)/(a − 2b + c) if inside.
  const den = a - 2 * b + c;
  if (Math.abs(den) < 1e-12) return b > 0 || a + c > 0;
  const u = (a - b) / den;
  if (u <= 0 || u >= 1) return true;
  const v = 1 - u;
  return v * v * a + 2 * u * v * b + u * u * c > 0;
}

/** Whether the straight segment P0→P3 crosses every scratch gate within its allowance. */
function fitsLine(p0x: number, p0y: number, p3x: number, p3y: number): boolean {
  const tx = p3x - p0x;
  const ty = p3y - p0y;
  for (let i = 0; i < qn; i++) if (gateError(p0x, p0y, tx, ty, i) > 1) return false;
  return true;
}

/** Output under construction. */
class CurveBuilder {
  kinds: number[] = [];
  coords: number[] = [];
  x = 0;
  y = 0;
  constructor(
    readonly x0: number,
    readonly y0: number,
  ) {
    this.x = x0;
    this.y = y0;
  }
  line(x: number, y: number): void {
    const k = this.kinds.length;
    if (Math.abs(x - this.x) < 1e-9 && Math.abs(y - this.y) < 1e-9) return;
    if (k > 0 && this.kinds[k - 1] === 0) {
      // Merge with the previous line when the shared point lies on the merged line.
      const c = this.coords.length;
      const sx = c >= 4 ? this.coords[c - 4]! : this.x0;
      const sy = c >= 4 ? this.coords[c - 3]! : this.y0;
      const ax = this.x - sx;
      const ay = this.y - sy;
      const bx = x - this.x;
      const by = y - this.y;
      const mx = x - sx;
      const my = y - sy;
      const ml = hyp(mx, my);
      if (ax * bx + ay * by > 0 && ml > 0 && Math.abs(ax * my - ay * mx) / ml < 0.005) {
        this.coords[c - 2] = x;
        this.coords[c - 1] = y;
        this.x = x;
        this.y = y;
        return;
      }
    }
    this.kinds.push(0);
    this.coords.push(x, y);
    this.x = x;
    this.y = y;
  }
  cubic(x1: number, y1: number, x2: number, y2: number, x: number, y: number): void {
    // A cubic whose handles lie on the chord (between its ends) is a line.
    const cx = x - this.x;
    const cy = y - this.y;
    const L = hyp(cx, cy);
    if (L < 0.05) {
      // Too short to bend visibly.
      this.line(x, y);
      return;
    }
    {
      const d1 = Math.abs((x1 - this.x) * cy - (y1 - this.y) * cx) / L;
      const d2 = Math.abs((x2 - this.x) * cy - (y2 - this.y) * cx) / L;
      const s1 = ((x1 - this.x) * cx + (y1 - this.y) * cy) / (L * L);
      const s2 = ((x2 - this.x) * cx + (y2 - this.y) * cy) / (L * L);
      if (d1 < 0.01 && d2 < 0.01 && s1 >= 0 && s1 <= 1 && s2 >= 0 && s2 <= 1) {
        this.line(x, y);
        return;
      }
    }
    this.kinds.push(1);
    this.coords.push(x1, y1, x2, y2, x, y);
    this.x = x;
    this.y = y;
  }
  finish(): ClosedCurve {
    // The last segment must end exactly at the start point.
    const c = this.coords.length;
    if (c >= 2) {
      this.coords[c - 2] = this.x0;
      this.coords[c - 1] = this.y0;
    }
    return { x0: this.x0, y0: this.y0, kinds: Uint8Array.from(this.kinds), coords: Float64Array.from(this.coords) };
  }
}

// 1 / allowance by thickness, for the last (tolerance, exact) pair asked.
let tableTol = -1;
let tableExact = -1;
const table = new Float64Array(256);
function allowanceTable(tol: number, exact: number): Float64Array {
  if (tol !== tableTol || exact !== tableExact) {
    for (let t = 0; t < 256; t++) {
      const f = Math.min(1, Math.max(0, (t - THIN_PX) / (THICK_PX - THIN_PX)));
      table[t] = 1 / (exact + (tol - exact) * f);
    }
    tableTol = tol;
    tableExact = exact;
  }
  return table;
}

/** Smooths a polygon into a closed outline of lines and cubics. */
export function fitOutline(contour: Contour, poly: Polygon, options: FitOptions): ClosedCurve {
  const { tolerance: tol, cornerAngle } = options;
  const exact = Math.min(tol, options.exactTolerance ?? 0.45);
  const invTol = allowanceTable(tol, exact);
  subpixelGates = contour.subpixel;
  const thick = contour.thickness;
  const K = poly.size;
  const n = contour.dirs.length;
  const pts = contour.points;
  const dirs = contour.dirs;
  const mod = (e: number): number => ((e % K) + K) % K;
  // Vertex positions (a local copy: short edges at corners are folded into them below).
  const vx = Float64Array.from(poly.vx);
  const vy = Float64Array.from(poly.vy);
  const absorbed = new Uint8Array(K);
  // Vertices merged into a folded corner.
  const folded = new Uint8Array(K);
  const isBridge = (k: number): boolean => poly.count[mod(k)] === 0 || absorbed[mod(k)] === 1;

  // A short edge between two turns that together make a corner (the cut-off tip of a rotated
  // square's vertex, a pixel run or two long, possibly with a bridge) is folded into one sharp
  // corner where the lines on either side meet — if that corner still crosses the short edge's
  // gates within their allowance (a stroke's square end, for one, stays square).
  for (let k = 0; k < K; k++) {
    const cnt = poly.count[k]!;
    if (cnt === 0 || cnt > 3 || absorbed[k]) continue;
    let a = mod(k - 1);
    let b = mod(k + 1);
    let t = poly.turn[a]! + poly.turn[k]!;
    let from = a;
    if (poly.count[a] === 0) {
      a = mod(a - 1);
      t += poly.turn[a]!;
      from = a;
    }
    let to = k;
    if (poly.count[b] === 0) {
      t += poly.turn[b]!;
      to = b;
      b = mod(b + 1);
    }
    if (a === b || a === k || b === k || poly.count[a] === 0 || poly.count[b] === 0 || absorbed[a] || absorbed[b]) continue;
    if (Math.abs(t) < cornerAngle || Math.abs(t) > (150 * Math.PI) / 180) continue;
    if (hyp(vx[to]! - vx[from]!, vy[to]! - vy[from]!) > 3) continue;
    const d1x = poly.dx[a]!;
    const d1y = poly.dy[a]!;
    const d2x = poly.dx[b]!;
    const d2y = poly.dy[b]!;
    const cr = d1x * d2y - d1y * d2x;
    if (Math.abs(cr) < 1e-6) continue;
    const wx = vx[to]! - vx[from]!;
    const wy = vy[to]! - vy[from]!;
    const sa = (wx * d2y - wy * d2x) / cr;
    const ix = vx[from]! + sa * d1x;
    const iy = vy[from]! + sa * d1y;
    if (hyp(ix - (vx[from]! + vx[to]!) / 2, iy - (vy[from]! + vy[to]!) / 2) > 2) continue;
    let ok = true;
    for (let q = 0; q < cnt && ok; q++) {
      const i = (poly.first[k]! + q) % n;
      const e = Math.min(
        lineGateError(ix, iy, d1x, d1y, pts[i * 2]!, pts[i * 2 + 1]!, dirs[i]! & 1),
        lineGateError(ix, iy, d2x, d2y, pts[i * 2]!, pts[i * 2 + 1]!, dirs[i]! & 1),
      );
      if (e * invTol[thick[i]!]! > 1) ok = false;
    }
    if (!ok) continue;
    for (let j = from; ; j = mod(j + 1)) {
      vx[j] = ix;
      vy[j] = iy;
      if (j !== from) absorbed[j] = 1;
      folded[j] = 1;
      if (j === to) break;
    }
  }

  // A sharp vertex is a corner only when the boundary really goes there: the samples on either
  // side of it lie close to it. (A small circle's polygon turns sharply too, but its vertices
  // stand off the samples, and a curve fits it better.)
  const nearSamples = (k: number): boolean => {
    const a = (poly.first[k]! + poly.count[k]! - 1) % n;
    const b = poly.first[mod(k + 1)]!;
    const x = vx[k]!;
    const y = vy[k]!;
    const da = hyp(pts[a * 2]! - x, pts[a * 2 + 1]! - y);
    const db = hyp(pts[b * 2]! - x, pts[b * 2 + 1]! - y);
    return Math.min(da, db) <= CORNER_REACH;
  };

  // With a tolerance above a pixel, wiggles smaller than it are not corners: both edges at a
  // corner must then be at least twice the tolerance long.
  const bigEnough = (k: number): boolean => {
    if (tol <= 1) return true;
    const a = mod(k - 1);
    const b = mod(k + 1);
    const l1 = hyp(vx[k]! - vx[a]!, vy[k]! - vy[a]!);
    const l2 = hyp(vx[b]! - vx[k]!, vy[b]! - vy[k]!);
    return Math.min(l1, l2) >= 2 * tol;
  };

  // Corners. A bridge and its two vertices turn as one: both ends are corners or neither is.
  const corner = new Uint8Array(K);
  for (let k = 0; k < K; k++) {
    if (folded[k]) {
      corner[k] = 1;
      continue;
    }
    if (isBridge(k)) continue;
    if (isBridge(k + 1)) {
      const t = poly.turn[k]! + poly.turn[mod(k + 1)]!;
      if (Math.abs(t) >= cornerAngle) corner[k] = corner[mod(k + 1)] = 1;
    } else if (Math.abs(poly.turn[k]!) >= cornerAngle && nearSamples(k) && bigEnough(k)) corner[k] = 1;
  }
  // The outline starts at a corner when there is one: preferably where the contour starts (the
  // top-left of an outer boundary), else the first one after it.
  let anyCorner = corner[K - 1] ? K - 1 : -1;
  for (let k = 0; k < K && anyCorner < 0; k++) if (corner[k]) anyCorner = k;

  // Curves run through the middle of each edge tangent to it. The edge's line is a chord of a
  // curved boundary, so its middle sits inside a convex bend (outside a concave one): a quadratic
  // least-squares fit of the edge's samples in the edge's frame moves the knot onto the boundary
  // and turns its tangent to the boundary's.
  const tanX = Float64Array.from(poly.dx);
  const tanY = Float64Array.from(poly.dy);
  // Edge shape from a quadratic least-squares fit y = a·x² + b·x + c of its samples in the edge's
  // frame (x along the edge from its midpoint, y across): the sagitta |a|·h² says whether the edge
  // is straight or a chord of a curve; for a curve, (b, c) correct the knot's tangent and position.
  // Length of the nearest non-bridge edge from k going in direction step.
  const edgeLen = (k: number, step: number): number => {
    let j = k;
    for (let g = 0; g < 3 && isBridge(j); g++) j += step;
    const a = mod(j - 1);
    const b = mod(j);
    return hyp(vx[b]! - vx[a]!, vy[b]! - vy[a]!);
  };
  // Radius of a circle through edge k and its neighbour on one side (step −1: before, +1: after),
  // from the turn between them; 0 at a corner.
  const sideRadius = (k: number, step: number, len: number): number => {
    const v0 = step < 0 ? mod(k - 1) : k;
    if (corner[v0]) return 0;
    let turn = poly.turn[v0]!;
    let j = k + step;
    for (let g = 0; g < 3 && isBridge(j); g++) {
      turn += poly.turn[mod(step < 0 ? j - 1 : j)]!;
      j += step;
    }
    const a = mod(j - 1);
    const b = mod(j);
    const nb = hyp(vx[b]! - vx[a]!, vy[b]! - vy[a]!);
    return (len + nb) / 2 / Math.max(1e-6, Math.abs(turn));
  };
  // Soft maps: samples are points on the edge itself, so the knot goes onto the sample polyline
  // where the edge's midpoint projects, tangent to the samples around it.
  const onSamples = (k: number, mx: number, my: number, dx: number, dy: number): [number, number, number] => {
    const cnt = poly.count[k]!;
    const f = poly.first[k]!;
    let prev = -Infinity;
    for (let t = 0; t < cnt; t++) {
      const i = (f + t) % n;
      const proj = (pts[i * 2]! - mx) * dx + (pts[i * 2 + 1]! - my) * dy;
      if (proj >= 0 && t > 0) {
        const j = (f + t - 1) % n;
        const w = proj - prev > 1e-12 ? -prev / (proj - prev) : 0;
        const x = pts[j * 2]! + w * (pts[i * 2]! - pts[j * 2]!);
        const y = pts[j * 2 + 1]! + w * (pts[i * 2 + 1]! - pts[j * 2 + 1]!);
        const a = (j + n - 2) % n;
        const b = (i + 2) % n;
        const tx = pts[b * 2]! - pts[a * 2]!;
        const ty = pts[b * 2 + 1]! - pts[a * 2 + 1]!;
        const tl = hyp(tx, ty);
        if (tl > 0 && (tx * dx + ty * dy) / tl > 0.9) {
          tanX[k] = tx / tl;
          tanY[k] = ty / tl;
          return [x, y, CURVED];
        }
        return [mx, my, 0];
      }
      prev = proj;
    }
    return [mx, my, 0];
  };
  const STRAIGHT = 1;
  const CURVED = 2;
  const edgeShape = (k: number, mx: number, my: number): [number, number, number] => {
    const cnt = poly.count[k]!;
    if (cnt < 5) return [mx, my, 0];
    const dx = poly.dx[k]!;
    const dy = poly.dy[k]!;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    const f = poly.first[k]!;
    for (let t = 0; t < cnt; t++) {
      const i = (f + t) % n;
      const rx = pts[i * 2]! - mx;
      const ry = pts[i * 2 + 1]! - my;
      const x = rx * dx + ry * dy;
      const y = ry * dx - rx * dy;
      const x2 = x * x;
      s0++;
      s1 += x;
      s2 += x2;
      s3 += x2 * x;
      s4 += x2 * x2;
      t0 += y;
      t1 += x * y;
      t2 += x2 * y;
    }
    // [s4 s3 s2; s3 s2 s1; s2 s1 s0]·[a b c] = [t2 t1 t0] by Cramer's rule.
    const det = s4 * (s2 * s0 - s1 * s1) - s3 * (s3 * s0 - s1 * s2) + s2 * (s3 * s1 - s2 * s2);
    if (!(Math.abs(det) > 1e-9)) return [mx, my, 0];
    const a = (t2 * (s2 * s0 - s1 * s1) - s3 * (t1 * s0 - s1 * t0) + s2 * (t1 * s1 - s2 * t0)) / det;
    const half = Math.sqrt(s2 / s0) * 1.7;
    const sag = Math.abs(a) * half * half;
    const len = hyp(vx[k]! - vx[mod(k - 1)]!, vy[k]! - vy[mod(k - 1)]!);
    // Straight pixel runs also occur on curves: a digitised curve of radius R has flat stretches up
    // to about √(8R) px long. A run is a straight line when it ends at a corner, or when it is much
    // longer than its neighbours and than the curvature around it allows (R from the neighbouring
    // edge and the turn between them).
    if (sag < 0.22 * exact && len >= LONG_EDGE) {
      const r0 = sideRadius(k, -1, len);
      const r1 = sideRadius(k, 1, len);
      if (r0 === 0 || r1 === 0 || (len >= 2 * Math.max(edgeLen(k - 1, -1), edgeLen(k + 1, 1)) && len > Math.sqrt(8 * Math.min(r0, r1)))) {
        return [mx, my, STRAIGHT];
      }
    }
    if (contour.subpixel) return onSamples(k, mx, my, dx, dy);
    if (!(sag >= 0.33 * exact)) return [mx, my, 0];
    const b = (s4 * (t1 * s0 - s1 * t0) - t2 * (s3 * s0 - s1 * s2) + s2 * (s3 * t0 - t1 * s2)) / det;
    const c = (s4 * (s2 * t0 - t1 * s1) - s3 * (s3 * t0 - t1 * s2) + t2 * (s3 * s1 - s2 * s2)) / det;
    // The shift must leave the polygon (the exact fallback) valid next to the knot: only where
    // every sample of the edge allows more than the exact tolerance plus the shift.
    let allow = Infinity;
    for (let t = 0; t < cnt; t++) allow = Math.min(allow, 1 / invTol[thick[(f + t) % n]!]!);
    if (!(Math.abs(c) <= 0.5 && Math.abs(b) <= 0.3 && Math.abs(c) <= allow - exact)) return [mx, my, 0];
    // The y axis is the direction turned by +90° on screen: (−dy, dx).
    const nx = -dy;
    const ny = dx;
    const tl = hyp(1, b);
    tanX[k] = (dx + b * nx) / tl;
    tanY[k] = (dy + b * ny) / tl;
    return [mx + c * nx, my + c * ny, CURVED];
  };

  // Knots in walking order: the midpoint of each (non-bridge) edge, then its end vertex when that
  // is a corner. Edge indices are "unwrapped" (they keep growing past K) so spans never wrap.
  const kEdge: number[] = [];
  const kCorner: number[] = [];
  // Hard knots end every curve that reaches them: corners and the ends of straight runs.
  const kHard: number[] = [];
  const kx: number[] = [];
  const ky: number[] = [];
  let e0 = 0;
  if (anyCorner >= 0) {
    e0 = anyCorner + 1;
    kEdge.push(e0 - 1);
    kCorner.push(1);
    kHard.push(1);
    kx.push(vx[anyCorner]!);
    ky.push(vy[anyCorner]!);
  } else {
    while (isBridge(e0)) e0++;
  }
  // Edge shapes first (knots on straight runs depend on their neighbours).
  const shapes = new Uint8Array(K);
  const mids = new Float64Array(K * 2);
  for (let k = 0; k < K; k++) {
    if (isBridge(k)) continue;
    const p = mod(k - 1);
    const [x, y, shape] = edgeShape(k, (vx[p]! + vx[k]!) / 2, (vy[p]! + vy[k]!) / 2);
    shapes[k] = shape;
    mids[k * 2] = x;
    mids[k * 2 + 1] = y;
  }
  // Two straight runs meeting at a slight bend (a digital straight line split in two) form one
  // line: no knots between them.
  const SLIGHT = (10 * Math.PI) / 180;
  const joinsStraight = (v: number): boolean => {
    if (corner[v] || shapes[v] !== STRAIGHT) return false;
    let t = poly.turn[v]!;
    let w = mod(v + 1);
    if (isBridge(w)) {
      if (corner[w]) return false;
      t += poly.turn[w]!;
      w = mod(w + 1);
    }
    return shapes[w] === STRAIGHT && Math.abs(t) < SLIGHT;
  };
  // The same seen from the edge after the junction (v is the vertex where that edge starts).
  const joinsStraightBefore = (v: number): boolean => {
    let u = v;
    if (isBridge(u)) u = mod(u - 1);
    return joinsStraight(u);
  };
  for (let s = 0; s < K; s++) {
    const e = e0 + s;
    const k = mod(e);
    const p = mod(e - 1);
    if (!isBridge(k)) {
      if (shapes[k] === STRAIGHT) {
        // A straight run is drawn as a line: knots where it starts and ends (unless a corner is
        // there already), a little inside so the neighbouring curves have room to turn.
        const ax = vx[p]!;
        const ay = vy[p]!;
        const bx = vx[k]!;
        const by = vy[k]!;
        const len = hyp(bx - ax, by - ay);
        const inset = Math.min(1, len / 4) / len;
        if (!corner[p] && !joinsStraightBefore(p)) {
          kEdge.push(e);
          kCorner.push(0);
          kHard.push(2);
          kx.push(ax + (bx - ax) * inset);
          ky.push(ay + (by - ay) * inset);
        }
        if (!corner[k] && !joinsStraight(k)) {
          kEdge.push(e);
          kCorner.push(0);
          kHard.push(2);
          kx.push(bx - (bx - ax) * inset);
          ky.push(by - (by - ay) * inset);
        }
      } else {
        kEdge.push(e);
        kCorner.push(0);
        kHard.push(0);
        kx.push(mids[k * 2]!);
        ky.push(mids[k * 2 + 1]!);
      }
    }
    if (corner[k] && !(anyCorner >= 0 && s === K - 1)) {
      kEdge.push(e);
      kCorner.push(1);
      kHard.push(1);
      kx.push(vx[k]!);
      ky.push(vy[k]!);
    }
  }
  const Nk = kEdge.length;
  const edgeOf = (u: number): number => {
    const w = Math.floor(u / Nk);
    return kEdge[u - w * Nk]! + K * w;
  };
  const isCorner = (u: number): boolean => kCorner[u % Nk] === 1;
  const isHard = (u: number): boolean => kHard[u % Nk] !== 0;
  // First and last polygon vertex a span from u to v goes through (none when first > last).
  const firstVertex = (u: number): number => (isCorner(u) ? edgeOf(u) + 1 : edgeOf(u));
  const lastVertex = (v: number): number => edgeOf(v) - 1;

  // Samples of the span u→v: those of the edges in between, and on an edge holding a midpoint
  // knot only the ones past (start) or before (end) the knot along the edge.
  const collect = (u: number, v: number): void => {
    qn = 0;
    const ea = edgeOf(u);
    const eb = edgeOf(v);
    const aCorner = isCorner(u);
    const bCorner = isCorner(v);
    const ax = kx[u % Nk]!;
    const ay = ky[u % Nk]!;
    const bx = kx[v % Nk]!;
    const by = ky[v % Nk]!;
    for (let e = ea; e <= eb; e++) {
      if (e === ea && aCorner) continue;
      const k = mod(e);
      const cnt = poly.count[k]!;
      if (cnt === 0) continue;
      const ddx = poly.dx[k]!;
      const ddy = poly.dy[k]!;
      const fromA = e === ea;
      const toB = e === eb && !bCorner;
      ensureScratch(qn + cnt + 1);
      const f = poly.first[k]!;
      for (let t = 0; t < cnt; t++) {
        const i = (f + t) % n;
        const x = pts[i * 2]!;
        const y = pts[i * 2 + 1]!;
        if (fromA && (x - ax) * ddx + (y - ay) * ddy < 0) continue;
        if (toB && (x - bx) * ddx + (y - by) * ddy > 0) continue;
        qx[qn] = x;
        qy[qn] = y;
        qi[qn] = invTol[thick[i]!]!;
        qa[qn++] = dirs[i]! & 1;
      }
    }
  };

  // Total turning of the vertices a span goes through (a bridge counts with its net turn).
  const spanTurn = (u: number, v: number): number => {
    let s = 0;
    let net = 0;
    for (let e = firstVertex(u); e <= lastVertex(v); e++) {
      net += poly.turn[mod(e)]!;
      if (!isBridge(e + 1)) {
        s += Math.abs(net);
        net = 0;
      }
    }
    return s + Math.abs(net);
  };

  // At a corner the curve leaves along the next edge's line; at a midpoint knot, tangent to the
  // boundary — or, once a curve has ended there with a free tangent, along that curve.
  let joinU = -1;
  let joinX = 0;
  let joinY = 0;
  let t0x = 0;
  let t0y = 0;
  let t3x = 0;
  let t3y = 0;
  const tangentOut = (u: number): void => {
    if (u === joinU) {
      t0x = joinX;
      t0y = joinY;
    } else if (isCorner(u)) {
      const k = mod(edgeOf(u) + 1);
      t0x = poly.dx[k]!;
      t0y = poly.dy[k]!;
    } else {
      const k = mod(edgeOf(u));
      t0x = tanX[k]!;
      t0y = tanY[k]!;
    }
  };
  const tangentIn = (v: number): void => {
    const k = mod(edgeOf(v));
    t3x = isCorner(v) ? poly.dx[k]! : tanX[k]!;
    t3y = isCorner(v) ? poly.dy[k]! : tanY[k]!;
  };

  // Tries the span u→v; on success the control points are in ctrl (or spanIsLine).
  let spanIsLine = false;
  const trySpan = (u: number, v: number): boolean => {
    collect(u, v);
    const ax = kx[u % Nk]!;
    const ay = ky[u % Nk]!;
    const bx = kx[v % Nk]!;
    const by = ky[v % Nk]!;
    tangentOut(u);
    tangentIn(v);
    const cx = bx - ax;
    const cy = by - ay;
    const L = hyp(cx, cy);
    if (L < 1e-9) return false;
    // Straight when both tangents lie along the chord, or between two ends of straight runs
    // (corners included) whenever the chord itself fits.
    spanIsLine = true;
    if (Math.abs(t0x * cy - t0y * cx) < 1e-3 * L && Math.abs(t3x * cy - t3y * cx) < 1e-3 * L && t0x * cx + t0y * cy > 0) {
      return fitsLine(ax, ay, bx, by);
    }
    if (isHard(u) && isHard(v) && fitsLine(ax, ay, bx, by)) return true;
    spanIsLine = false;
    // The end tangent is left to the fit except where the next piece's tangent is already fixed:
    // at hard knots and where the loop closes.
    if (!isHard(v) && v < Nk && fitCubic(ax, ay, t0x, t0y, bx, by, t3x, t3y, true)) return true;
    return fitCubic(ax, ay, t0x, t0y, bx, by, t3x, t3y, false);
  };

  const out = new CurveBuilder(kx[0]!, ky[0]!);
  const save = new Float64Array(4);
  let lastSpan = 2;
  let u = 0;
  while (u < Nk) {
    // Candidates: knots up to the next hard knot (inclusive) or the end of the loop.
    let limit = u + 1;
    while (limit < Nk && !isHard(limit)) limit++;
    let vmax = u + 1;
    while (vmax < limit && spanTurn(u, vmax + 1) <= MAX_SPAN_TURN) vmax++;

    // Furthest knot a curve can reach (feasibility is close to monotone in the span): probe
    // around the previous span's length first — neighbouring spans tend to be alike — then gallop
    // outward or bisect.
    let saveLine = false;
    let best = -1;
    let lo = u;
    let hi = vmax + 1;
    const probe = (v: number): boolean => {
      if (trySpan(u, v)) {
        lo = v;
        best = v;
        save.set(ctrl);
        saveLine = spanIsLine;
        return true;
      }
      hi = v;
      return false;
    };
    const guess = Math.min(vmax, Math.max(u + 1, u + lastSpan));
    if (probe(guess)) {
      let step = 1;
      while (hi > lo + 1 && lo < vmax) {
        if (!probe(Math.min(vmax, lo + step))) break;
        step *= 2;
      }
    } else if (guess - 1 > u) probe(guess - 1);
    while (hi - lo > 1) probe((lo + hi) >> 1);
    if (best > 0) lastSpan = best - u;
    if (best < 0) {
      // Not even to the next knot: follow the polygon (which crosses every gate) through the
      // vertices in between.
      const v = u + 1;
      for (let e = firstVertex(u); e <= lastVertex(v); e++) out.line(vx[mod(e)]!, vy[mod(e)]!);
      out.line(kx[v % Nk]!, ky[v % Nk]!);
      u = v;
      continue;
    }
    const ex = kx[best % Nk]!;
    const ey = ky[best % Nk]!;
    if (saveLine) out.line(ex, ey);
    else {
      out.cubic(save[0]!, save[1]!, save[2]!, save[3]!, ex, ey);
      const tx = ex - save[2]!;
      const ty = ey - save[3]!;
      const tl = hyp(tx, ty);
      if (tl > 1e-9) {
        joinU = best;
        joinX = tx / tl;
        joinY = ty / tl;
      }
    }
    u = best;
  }
  return out.finish();
}
