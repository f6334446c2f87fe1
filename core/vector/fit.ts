/**
 * Stage 3 of tracing: polygon + samples → a closed outline of cubic Béziers and lines.
 *
 * Vertices turning more than the corner angle stay sharp. Elsewhere the outline is smoothed the
 * way a designer would draw it: curves run between the midpoints of polygon edges, tangent to the
 * edges there (so consecutive curves join smoothly), and each curve is stretched over as many
 * edges as one cubic can follow while still crossing every sample's gate (see simplify.ts) —
 * an exponential then binary search per curve.
 *
 * A cubic with fixed end tangents is fitted by least squares on the two handle lengths, with
 * chord-length parameters refined by Newton steps toward each sample's nearest curve point
 * (Schneider's method, "An Algorithm for Automatically Fitting Digitized Curves", Graphics Gems,
 * 1990). The error of a sample is measured along its gate: how far from the sample the curve
 * crosses the line between the two pixel centres. When even one edge cannot be bridged by a
 * curve, the polygon itself is used there (which crosses every gate by construction).
 */
import type { Polygon } from './simplify.js';
import type { ClosedCurve, Contour } from './types.js';

export interface FitOptions {
  /** Largest gate error allowed, px. */
  tolerance: number;
  /** Vertices turning by at least this much (radians) stay corners. */
  cornerAngle: number;
}

/** A curve never spans more than this much accumulated turning (radians). */
const MAX_SPAN_TURN = (170 * Math.PI) / 180;

// Sample scratch for one span.
let qx = new Float64Array(1024);
let qy = new Float64Array(1024);
let qa = new Uint8Array(1024);
let qu = new Float64Array(1024);
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
}

/** Gate error of a sample against a curve point B with tangent T (see module comment). */
function gateError(bx: number, by: number, tx: number, ty: number, i: number): number {
  const dx = bx - qx[i]!;
  const dy = by - qy[i]!;
  const cr = dx * ty - dy * tx;
  const den = qa[i] === 0 ? -tx : ty;
  const tl = Math.abs(tx) + Math.abs(ty);
  if (Math.abs(den) <= 1e-6 * tl || tl === 0) return 1e3 + Math.abs(dx) + Math.abs(dy);
  return Math.abs(cr / den);
}

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
  tol: number,
): boolean {
  const chord = Math.hypot(p3x - p0x, p3y - p0y);
  const m = qn;
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
    acc += Math.hypot(qx[i]! - lx, qy[i]! - ly);
    qu[i] = acc;
    lx = qx[i]!;
    ly = qy[i]!;
  }
  acc += Math.hypot(p3x - lx, p3y - ly);
  if (acc <= 0) return false;
  for (let i = 0; i < m; i++) qu[i] = qu[i]! / acc;

  for (let iter = 0; iter < 4; iter++) {
    // Least squares for the handle lengths a (at P0) and b (at P3): P1 = P0 + a·t0, P2 = P3 − b·t3.
    let c11 = 0;
    let c12 = 0;
    let c22 = 0;
    let x1 = 0;
    let x2 = 0;
    for (let i = 0; i < m; i++) {
      const u = qu[i]!;
      const v = 1 - u;
      const b0 = v * v * v;
      const b1 = 3 * u * v * v;
      const b2 = 3 * u * u * v;
      const b3 = u * u * u;
      const ax = t0x * b1;
      const ay = t0y * b1;
      const cx = -t3x * b2;
      const cy = -t3y * b2;
      const rx = qx[i]! - p0x * (b0 + b1) - p3x * (b2 + b3);
      const ry = qy[i]! - p0y * (b0 + b1) - p3y * (b2 + b3);
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
    const p1x = p0x + a * t0x;
    const p1y = p0y + a * t0y;
    const p2x = p3x - b * t3x;
    const p2y = p3y - b * t3y;
    ctrl[0] = p1x;
    ctrl[1] = p1y;
    ctrl[2] = p2x;
    ctrl[3] = p2y;

    // Error along the gates.
    let worst = 0;
    for (let i = 0; i < m; i++) {
      const u = qu[i]!;
      const v = 1 - u;
      const b0 = v * v * v;
      const b1 = 3 * u * v * v;
      const b2 = 3 * u * u * v;
      const b3 = u * u * u;
      const bx = b0 * p0x + b1 * p1x + b2 * p2x + b3 * p3x;
      const by = b0 * p0y + b1 * p1y + b2 * p2y + b3 * p3y;
      const tx = 3 * (v * v * (p1x - p0x) + 2 * u * v * (p2x - p1x) + u * u * (p3x - p2x));
      const ty = 3 * (v * v * (p1y - p0y) + 2 * u * v * (p2y - p1y) + u * u * (p3y - p2y));
      const e = gateError(bx, by, tx, ty, i);
      if (e > worst) {
        worst = e;
        if (worst > 12 * tol) break;
      }
    }
    if (worst <= tol) return true;
    if (worst > 12 * tol || iter === 3) return false;

    // Newton step on each parameter toward the nearest point.
    for (let i = 0; i < m; i++) {
      const u = qu[i]!;
      const v = 1 - u;
      const b0 = v * v * v;
      const b1 = 3 * u * v * v;
      const b2 = 3 * u * u * v;
      const b3 = u * u * u;
      const dx = b0 * p0x + b1 * p1x + b2 * p2x + b3 * p3x - qx[i]!;
      const dy = b0 * p0y + b1 * p1y + b2 * p2y + b3 * p3y - qy[i]!;
      const tx = 3 * (v * v * (p1x - p0x) + 2 * u * v * (p2x - p1x) + u * u * (p3x - p2x));
      const ty = 3 * (v * v * (p1y - p0y) + 2 * u * v * (p2y - p1y) + u * u * (p3y - p2y));
      const sx = 6 * (v * (p2x - 2 * p1x + p0x) + u * (p3x - 2 * p2x + p1x));
      const sy = 6 * (v * (p2y - 2 * p1y + p0y) + u * (p3y - 2 * p2y + p1y));
      const num = dx * tx + dy * ty;
      const den = tx * tx + ty * ty + dx * sx + dy * sy;
      if (Math.abs(den) > 1e-12) {
        const nu = u - num / den;
        qu[i] = nu < 0 ? 0 : nu > 1 ? 1 : nu;
      }
    }
  }
  return false;
}

/** Whether the straight segment P0→P3 crosses every scratch gate within tol. */
function fitsLine(p0x: number, p0y: number, p3x: number, p3y: number, tol: number): boolean {
  const tx = p3x - p0x;
  const ty = p3y - p0y;
  for (let i = 0; i < qn; i++) if (gateError(p0x, p0y, tx, ty, i) > tol) return false;
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
      const ml = Math.hypot(mx, my);
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
    const L = Math.hypot(cx, cy);
    if (L > 1e-9) {
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

/** Smooths a polygon into a closed outline of lines and cubics. */
export function fitOutline(contour: Contour, poly: Polygon, options: FitOptions): ClosedCurve {
  const { tolerance: tol, cornerAngle } = options;
  const K = poly.size;
  const n = contour.dirs.length;
  const pts = contour.points;
  const dirs = contour.dirs;
  const corner = new Uint8Array(K);
  let anyCorner = -1;
  for (let k = 0; k < K; k++) {
    if (Math.abs(poly.turn[k]!) >= cornerAngle) {
      corner[k] = 1;
      if (anyCorner < 0) anyCorner = k;
    }
  }

  // Knots in walking order: midpoint of edge k, then vertex k if it is a corner. Edge indices are
  // "unwrapped" (they keep growing past K) so a span never has to think about wrapping around.
  const mod = (e: number): number => ((e % K) + K) % K;
  const kEdge: number[] = [];
  const kCorner: number[] = [];
  const kx: number[] = [];
  const ky: number[] = [];
  const e0 = anyCorner >= 0 ? anyCorner + 1 : 0;
  if (anyCorner >= 0) {
    kEdge.push(e0 - 1);
    kCorner.push(1);
    kx.push(poly.vx[anyCorner]!);
    ky.push(poly.vy[anyCorner]!);
  }
  for (let s = 0; s < K; s++) {
    const e = e0 + s;
    const k = mod(e);
    const p = mod(e - 1);
    kEdge.push(e);
    kCorner.push(0);
    kx.push((poly.vx[p]! + poly.vx[k]!) / 2);
    ky.push((poly.vy[p]! + poly.vy[k]!) / 2);
    if (corner[k] && s < K - 1) {
      kEdge.push(e);
      kCorner.push(1);
      kx.push(poly.vx[k]!);
      ky.push(poly.vy[k]!);
    }
  }
  const Nk = kEdge.length;
  const edgeOf = (u: number): number => {
    const w = Math.floor(u / Nk);
    return kEdge[u - w * Nk]! + K * w;
  };
  const isCorner = (u: number): boolean => kCorner[u % Nk] === 1;

  const collect = (u: number, v: number): void => {
    qn = 0;
    const ea = edgeOf(u);
    const eb = edgeOf(v);
    const aCorner = isCorner(u);
    const bCorner = isCorner(v);
    for (let e = ea; e <= eb; e++) {
      const k = mod(e);
      const cnt = poly.count[k]!;
      let lo = 0;
      let hi = cnt;
      if (e === ea) {
        if (aCorner) continue;
        lo = cnt >> 1;
      }
      if (e === eb && !bCorner) hi = (cnt + 1) >> 1;
      if (hi <= lo) continue;
      ensureScratch(qn + (hi - lo) + 1);
      const f = poly.first[k]!;
      for (let t = lo; t < hi; t++) {
        const i = (f + t) % n;
        qx[qn] = pts[i * 2]!;
        qy[qn] = pts[i * 2 + 1]!;
        qa[qn++] = dirs[i]! & 1;
      }
    }
  };

  const spanTurn = (u: number, v: number): number => {
    const ea = edgeOf(u);
    const eb = edgeOf(v);
    let s = 0;
    for (let e = isCorner(u) ? ea + 1 : ea; e <= eb - 1; e++) s += Math.abs(poly.turn[mod(e)]!);
    return s;
  };

  const tangentOut = (u: number): [number, number] => {
    const e = edgeOf(u);
    const k = mod(isCorner(u) ? e + 1 : e);
    return [poly.dx[k]!, poly.dy[k]!];
  };
  const tangentIn = (v: number): [number, number] => {
    const k = mod(edgeOf(v));
    return [poly.dx[k]!, poly.dy[k]!];
  };

  // Tries the span u→v; on success the control points are in ctrl (or line = true).
  let spanIsLine = false;
  const trySpan = (u: number, v: number): boolean => {
    collect(u, v);
    const ax = kx[u % Nk]!;
    const ay = ky[u % Nk]!;
    const bx = kx[v % Nk]!;
    const by = ky[v % Nk]!;
    const [t0x, t0y] = tangentOut(u);
    const [t3x, t3y] = tangentIn(v);
    const cx = bx - ax;
    const cy = by - ay;
    const L = Math.hypot(cx, cy);
    if (L < 1e-9) return false;
    // Straight when both tangents lie along the chord.
    if (Math.abs(t0x * cy - t0y * cx) < 1e-3 * L && Math.abs(t3x * cy - t3y * cx) < 1e-3 * L && t0x * cx + t0y * cy > 0) {
      spanIsLine = true;
      return fitsLine(ax, ay, bx, by, tol);
    }
    spanIsLine = false;
    return fitCubic(ax, ay, t0x, t0y, bx, by, t3x, t3y, tol);
  };

  const out = new CurveBuilder(kx[0]!, ky[0]!);
  const end = Nk;
  let u = 0;
  while (u < end) {
    // Candidates: knots up to the next corner (inclusive) or the end of the loop.
    let limit = u + 1;
    while (limit < end && !isCorner(limit)) limit++;
    let vmax = u + 1;
    while (vmax < limit && spanTurn(u, vmax + 1) <= MAX_SPAN_TURN) vmax++;

    const emitLine = (v: number): void => out.line(kx[v % Nk]!, ky[v % Nk]!);
    const save = new Float64Array(4);
    let saveLine = false;
    let best = -1;
    if (trySpan(u, u + 1)) {
      best = u + 1;
      save.set(ctrl);
      saveLine = spanIsLine;
      let lo = u + 1;
      let hi = -1;
      let step = 1;
      while (lo < vmax) {
        const v = Math.min(vmax, u + step * 2);
        step *= 2;
        if (trySpan(u, v)) {
          lo = v;
          best = v;
          save.set(ctrl);
          saveLine = spanIsLine;
        } else {
          hi = v;
          break;
        }
      }
      if (hi > 0) {
        while (hi - lo > 1) {
          const mid = (lo + hi) >> 1;
          if (trySpan(u, mid)) {
            lo = mid;
            best = mid;
            save.set(ctrl);
            saveLine = spanIsLine;
          } else hi = mid;
        }
      }
    }
    if (best < 0) {
      // Not even one edge: keep the polygon here (through the vertex) or a straight half-edge.
      const v = u + 1;
      if (!isCorner(u) && !isCorner(v)) {
        const k = mod(edgeOf(u));
        out.line(poly.vx[k]!, poly.vy[k]!);
      }
      emitLine(v);
      u = v;
      continue;
    }
    if (saveLine) emitLine(best);
    else out.cubic(save[0]!, save[1]!, save[2]!, save[3]!, kx[best % Nk]!, ky[best % Nk]!);
    u = best;
  }
  return out.finish();
}
