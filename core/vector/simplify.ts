/**
 * Stage 2 of tracing: a contour's samples → a closed polygon of straight edges.
 *
 * The fidelity model. Every sample sits on a "gate": the short segment through it along the line
 * joining the two pixel centres on either side of its crack, reaching `tolerance` px each way. An
 * outline that crosses every gate, entering from the inside end, keeps every pixel next to the
 * boundary on its side; with tolerance < 0.5 px that is pixel-exact, 1 px strokes included.
 *
 * Straight edges. Starting at a sample, an edge grows while one straight line can still cross all
 * its gates in the walking direction. Each gate is two half-planes in the (slope, intercept) plane
 * of candidate lines, so feasibility is a small convex polygon clipped once per sample (a 2-D
 * linear program solved incrementally). The edge's line is the total-least-squares line of its
 * samples, moved into the feasible set when it falls outside.
 *
 * Caps. A run of cracks turning back on itself (east, then south, then west: the end of a stroke,
 * the top of a bump, every side of a lone pixel) always becomes an edge of its own, so square ends
 * and 1 px features keep their corners instead of being swallowed by a neighbouring slant.
 *
 * Vertices. Consecutive edges meet where their lines intersect; when that point is far from the
 * samples (nearly parallel lines, thin spikes), a short bridge edge joins the two lines instead.
 */
import type { Contour } from './types.js';

/** Euclidean length (Math.hypot is slow in V8). */
function hyp(x: number, y: number): number {
  return Math.sqrt(x * x + y * y);
}

/** A closed polygon fitted to a contour. Vertex k is where edge k ends and edge k+1 starts. */
export interface Polygon {
  /** Number of edges (= vertices). */
  size: number;
  /**
   * First sample of each edge and how many samples it covers. Bridges (count 0) are short edges
   * inserted where two lines do not meet near their samples; a bridge and its two vertices act
   * together as one (possibly chamfered) vertex.
   */
  first: Int32Array;
  count: Int32Array;
  /** A point on each edge's line and its unit direction (walking order). */
  px: Float64Array;
  py: Float64Array;
  dx: Float64Array;
  dy: Float64Array;
  /** Vertex positions. */
  vx: Float64Array;
  vy: Float64Array;
  /** Signed turn at each vertex, radians (positive = clockwise on screen, the turn around an outer boundary). */
  turn: Float64Array;
}

const LX = [0, 1, 0, -1];
const LY = [-1, 0, 1, 0];
const TX = [1, 0, -1, 0];
const TY = [0, 1, 0, -1];

/** How far (px) a vertex may fall short of the samples its edges must cover. */
const SLACK = 0;

/** Largest slope magnitude a line may take in its parameterisation (|m| ≤ M). */
const M = 64;

// Feasible-region scratch (convex polygon in the (m, c) plane).
let rm = new Float64Array(64);
let rc = new Float64Array(64);
let tm = new Float64Array(64);
let tc = new Float64Array(64);
let rn = 0;

let savedM = new Float64Array(64);
let savedC = new Float64Array(64);
let savedN = 0;

function saveRegion(): void {
  if (savedM.length < rn) {
    savedM = new Float64Array(rm.length);
    savedC = new Float64Array(rm.length);
  }
  for (let i = 0; i < rn; i++) {
    savedM[i] = rm[i]!;
    savedC[i] = rc[i]!;
  }
  savedN = rn;
}

function restoreRegion(): void {
  for (let i = 0; i < savedN; i++) {
    rm[i] = savedM[i]!;
    rc[i] = savedC[i]!;
  }
  rn = savedN;
}

function resetRegion(): void {
  rn = 4;
  rm[0] = -M;
  rc[0] = -1e4;
  rm[1] = M;
  rc[1] = -1e4;
  rm[2] = M;
  rc[2] = 1e4;
  rm[3] = -M;
  rc[3] = 1e4;
}

let on = 0;

/** Appends a vertex to the clip output unless it repeats the previous one. */
function emit(m: number, c: number): void {
  if (on > 0 && Math.abs(tm[on - 1]! - m) < 1e-12 && Math.abs(tc[on - 1]! - c) < 1e-12) return;
  tm[on] = m;
  tc[on++] = c;
}

/**
 * Clips the region by a·m + b·c ≤ r into the spare buffers; returns the number of vertices left
 * (0: empty). `commitClip` makes the result the region.
 */
function clipTo(a: number, b: number, r: number): number {
  if (rn + 2 > tm.length) {
    const n = tm.length * 2;
    const g = (x: Float64Array): Float64Array<ArrayBuffer> => {
      const y = new Float64Array(n);
      y.set(x);
      return y;
    };
    rm = g(rm);
    rc = g(rc);
    tm = g(tm);
    tc = g(tc);
    savedM = g(savedM);
    savedC = g(savedC);
  }
  const eps = 1e-12;
  on = 0;
  let pm = rm[rn - 1]!;
  let pc = rc[rn - 1]!;
  let pf = a * pm + b * pc - r;
  for (let i = 0; i < rn; i++) {
    const qm = rm[i]!;
    const qc = rc[i]!;
    const qf = a * qm + b * qc - r;
    if (pf <= eps !== qf <= eps) {
      const t = pf / (pf - qf);
      emit(pm + t * (qm - pm), pc + t * (qc - pc));
    }
    if (qf <= eps) emit(qm, qc);
    pm = qm;
    pc = qc;
    pf = qf;
  }
  if (on > 1 && Math.abs(tm[on - 1]! - tm[0]!) < 1e-12 && Math.abs(tc[on - 1]! - tc[0]!) < 1e-12) on--;
  return on;
}

function commitClip(): void {
  const sm = rm;
  const sc = rc;
  rm = tm;
  rc = tc;
  tm = sm;
  tc = sc;
  rn = on;
}

/** Clips the region by a·m + b·c ≤ r. Returns false (region unchanged) when nothing would be left. */
function clip(a: number, b: number, r: number): boolean {
  if (clipTo(a, b, r) === 0) return false;
  commitClip();
  return true;
}

/**
 * Parameterisations of an oriented line, relative to an origin sample:
 * 0: y = m·x + c walking +x; 1: same walking −x; 2: x = m·y + c walking +y; 3: same walking −y.
 * A point must lie on the right of the walking direction: σ·(m·u + c − v) ≤ 0, where
 * (u, v) = (x, y) for modes 0/1 and (y, x) for modes 2/3, σ = +1 for modes 0 and 3, −1 otherwise.
 */
const SIGMA = [1, -1, -1, 1];

function modeOfDirection(x: number, y: number): number {
  return Math.abs(x) >= Math.abs(y) ? (x >= 0 ? 0 : 1) : y >= 0 ? 2 : 3;
}
const MODE_OF_CRACK = [0, 2, 1, 3];

/** Adds the gate of one sample; false when the line set becomes empty. */
function addGate(mode: number, ox: number, oy: number, sx: number, sy: number, d: number, tol: number): boolean {
  const s = SIGMA[mode]!;
  const lx = LX[d]!;
  const ly = LY[d]!;
  // Inside end must be on the right, outside end on the left.
  const ix = sx - tol * lx - ox;
  const iy = sy - tol * ly - oy;
  const ex = sx + tol * lx - ox;
  const ey = sy + tol * ly - oy;
  const A = mode < 2;
  const iu = A ? ix : iy;
  const iv = A ? iy : ix;
  const eu = A ? ex : ey;
  const ev = A ? ey : ex;
  if (!clip(s * iu, s, s * iv)) return false;
  return clip(-s * eu, -s, -s * ev);
}

function insideRegion(m: number, c: number): boolean {
  if (rn < 3) return false;
  // A degenerate (zero-area) region: let the projection find its nearest point.
  let area = 0;
  for (let i = 0, j = rn - 1; i < rn; j = i++) area += rm[j]! * rc[i]! - rm[i]! * rc[j]!;
  if (Math.abs(area) < 1e-12) return false;
  let sign = 0;
  for (let i = 0, j = rn - 1; i < rn; j = i++) {
    const cr = (rm[i]! - rm[j]!) * (c - rc[j]!) - (rc[i]! - rc[j]!) * (m - rm[j]!);
    if (Math.abs(cr) < 1e-12) continue;
    const sg = cr > 0 ? 1 : -1;
    if (sign === 0) sign = sg;
    else if (sg !== sign) return false;
  }
  return true;
}

/** Nearest point of the region to (m, c), with m scaled by w (slope errors matter along the edge). */
function projectIntoRegion(m: number, c: number, w: number): [number, number] {
  let bm = rm[0]!;
  let bc = rc[0]!;
  let best = Infinity;
  for (let i = 0, j = rn - 1; i < rn; j = i++) {
    const am = rm[j]! * w;
    const ac = rc[j]!;
    const em = rm[i]! * w - am;
    const ec = rc[i]! - ac;
    const L = em * em + ec * ec;
    let t = L > 0 ? ((m * w - am) * em + (c - ac) * ec) / L : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const qm = am + t * em;
    const qc = ac + t * ec;
    const dd = (qm - m * w) ** 2 + (qc - c) ** 2;
    if (dd < best) {
      best = dd;
      bm = qm / w;
      bc = qc;
    }
  }
  return [bm, bc];
}

/** Marks sample indices where an edge must start: the first sample of a cap run and the one after it. */
function capBreaks(dirs: Uint8Array): Uint8Array {
  const n = dirs.length;
  const brk = new Uint8Array(n);
  const starts: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || dirs[i] !== dirs[i - 1]) starts.push(i);
  // The walk starts on a run boundary (see contours.ts), so runs never wrap around index 0.
  const R = starts.length;
  for (let r = 0; r < R; r++) {
    const prev = dirs[starts[(r + R - 1) % R]!]!;
    const next = dirs[starts[(r + 1) % R]!]!;
    if (((prev + 2) & 3) === next) {
      brk[starts[r]!] = 1;
      brk[r + 1 < R ? starts[r + 1]! : 0] = 1;
    }
  }
  return brk;
}

/** Fits the polygon of straight edges to a contour at the given gate tolerance (px). */
export function fitPolygon(contour: Contour, tolerance: number): Polygon {
  const n = contour.dirs.length;
  // Caps are a pixel-grid notion: soft maps' sub-pixel samples already carry the true shape.
  if (!contour.subpixel) {
    const brk = capBreaks(contour.dirs);
    let start = 0;
    while (start < n && !brk[start]) start++;
    if (start === n) {
      start = 0;
      brk[0] = 1;
    }
    return greedyEdges(contour, tolerance, brk, start);
  }
  // Without caps there is no natural place to start: start once at sample 0, then again where
  // that pass's last edge began (a place where an edge had to end anyway), and keep the better.
  const none = new Uint8Array(n);
  none[0] = 1;
  const a = greedyEdges(contour, tolerance, none, 0);
  if (a.size < 3) return a;
  let s2 = a.first[a.size - 1]!;
  if (a.count[a.size - 1] === 0) s2 = a.first[a.size - 2]!;
  const again = new Uint8Array(n);
  again[s2] = 1;
  const b = greedyEdges(contour, tolerance, again, s2);
  return b.size < a.size ? b : a;
}

/** Greedy straight edges from `start`, never crossing a break (a sample where an edge must start). */
function greedyEdges(contour: Contour, tolerance: number, brk: Uint8Array, start: number): Polygon {
  const pts = contour.points;
  const dirs = contour.dirs;
  const n = dirs.length;
  const first: number[] = [];
  const count: number[] = [];
  const lpx: number[] = [];
  const lpy: number[] = [];
  const ldx: number[] = [];
  const ldy: number[] = [];

  let covered = 0;
  let i = start;
  while (covered < n) {
    const ox = pts[i * 2]!;
    const oy = pts[i * 2 + 1]!;
    // Walking direction: the crack's own when the run continues, else the chord a few samples on.
    let mode = MODE_OF_CRACK[dirs[i]!]!;
    const i1 = (i + 1) % n;
    if (covered + 1 < n && !brk[i1] && dirs[i1] !== dirs[i]) {
      let q = 0;
      let k = i;
      while (q < 4 && covered + q + 1 < n && !brk[(k + 1) % n]) {
        k = (k + 1) % n;
        q++;
      }
      mode = modeOfDirection(pts[k * 2]! - ox, pts[k * 2 + 1]! - oy);
    }
    resetRegion();
    if (!addGate(mode, ox, oy, ox, oy, dirs[i]!, tolerance)) {
      mode = MODE_OF_CRACK[dirs[i]!]!;
      resetRegion();
      addGate(mode, ox, oy, ox, oy, dirs[i]!, tolerance);
    }
    // Running sums for the total-least-squares line (relative to the origin sample).
    let cnt = 1;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    let syy = 0;
    let j = i;
    while (covered + cnt < n) {
      const nj = (j + 1) % n;
      if (brk[nj]) break;
      const x = pts[nj * 2]!;
      const y = pts[nj * 2 + 1]!;
      // Save the region: a failed clip must not change it.
      saveRegion();
      if (!addGate(mode, ox, oy, x, y, dirs[nj]!, tolerance)) {
        restoreRegion();
        break;
      }
      const ux = x - ox;
      const uy = y - oy;
      sx += ux;
      sy += uy;
      sxx += ux * ux;
      sxy += ux * uy;
      syy += uy * uy;
      cnt++;
      j = nj;
    }
    // Representative line.
    let dxl: number;
    let dyl: number;
    let cx = sx / cnt;
    let cy = sy / cnt;
    if (cnt === 1) {
      // A lone sample: along its crack on the pixel grid, along its neighbours' chord when sub-pixel.
      dxl = TX[dirs[i]!]!;
      dyl = TY[dirs[i]!]!;
      if (contour.subpixel && n > 2) {
        const a = (i + n - 1) % n;
        const b = (i + 1) % n;
        const gx = pts[b * 2]! - pts[a * 2]!;
        const gy = pts[b * 2 + 1]! - pts[a * 2 + 1]!;
        const gl = hyp(gx, gy);
        if (gl > 1e-9) {
          dxl = gx / gl;
          dyl = gy / gl;
        }
      }
      cx = 0;
      cy = 0;
    } else {
      const vxx = sxx / cnt - cx * cx;
      const vxy = sxy / cnt - cx * cy;
      const vyy = syy / cnt - cy * cy;
      const th = 0.5 * Math.atan2(2 * vxy, vxx - vyy);
      dxl = Math.cos(th);
      dyl = Math.sin(th);
      const lx = pts[j * 2]! - ox;
      const ly = pts[j * 2 + 1]! - oy;
      if (dxl * lx + dyl * ly < 0) {
        dxl = -dxl;
        dyl = -dyl;
      }
    }
    // Into the mode's (m, c), check feasibility, back to point + direction.
    const A = mode < 2;
    const du = A ? dxl : dyl;
    const dv = A ? dyl : dxl;
    let m = Math.abs(du) < 1e-9 ? (dv * du >= 0 ? M : -M) : dv / du;
    if (m > M) m = M;
    else if (m < -M) m = -M;
    let c = (A ? cy : cx) - m * (A ? cx : cy);
    if (!insideRegion(m, c)) {
      const half = Math.max(1, Math.sqrt(Math.max(0, sxx / cnt - cx * cx + syy / cnt - cy * cy)));
      [m, c] = projectIntoRegion(m, c, half);
    }
    const sgn = mode === 0 || mode === 2 ? 1 : -1;
    const norm = Math.sqrt(1 + m * m);
    if (A) {
      lpx.push(ox);
      lpy.push(oy + c);
      ldx.push(sgn / norm);
      ldy.push((sgn * m) / norm);
    } else {
      lpx.push(ox + c);
      lpy.push(oy);
      ldx.push((sgn * m) / norm);
      ldy.push(sgn / norm);
    }
    first.push(i);
    count.push(cnt);
    covered += cnt;
    i = (j + 1) % n;
  }
  return joinEdges(pts, n, first, count, lpx, lpy, ldx, ldy, tolerance);
}

function joinEdges(
  pts: Float64Array,
  n: number,
  first: number[],
  count: number[],
  lpx: number[],
  lpy: number[],
  ldx: number[],
  ldy: number[],
  tolerance: number,
): Polygon {
  const K = first.length;
  const maxJump = Math.max(1.5, 2 * tolerance + 0.5);
  const F: number[] = [];
  const C: number[] = [];
  const PX: number[] = [];
  const PY: number[] = [];
  const DX: number[] = [];
  const DY: number[] = [];
  const VX: number[] = [];
  const VY: number[] = [];
  for (let k = 0; k < K; k++) {
    const k2 = (k + 1) % K;
    F.push(first[k]!);
    C.push(count[k]!);
    PX.push(lpx[k]!);
    PY.push(lpy[k]!);
    DX.push(ldx[k]!);
    DY.push(ldy[k]!);
    const last = (first[k]! + count[k]! - 1) % n;
    const nxt = first[k2]!;
    const ax = pts[last * 2]!;
    const ay = pts[last * 2 + 1]!;
    const bx = pts[nxt * 2]!;
    const by = pts[nxt * 2 + 1]!;
    const jx = (ax + bx) / 2;
    const jy = (ay + by) / 2;
    const d1x = ldx[k]!;
    const d1y = ldy[k]!;
    const d2x = ldx[k2]!;
    const d2y = ldy[k2]!;
    const cr = d1x * d2y - d1y * d2x;
    let ok = false;
    if (Math.abs(cr) > 1e-9) {
      // lp1 + s·d1 = lp2 + t·d2
      const wx = lpx[k2]! - lpx[k]!;
      const wy = lpy[k2]! - lpy[k]!;
      const s = (wx * d2y - wy * d2x) / cr;
      const ix = lpx[k]! + s * d1x;
      const iy = lpy[k]! + s * d1y;
      // The vertex must not cut off this edge's last sample nor the next edge's first one:
      // each edge has to cover (cross the gates of) its own samples.
      const late = (ix - ax) * d1x + (iy - ay) * d1y;
      const early = (bx - ix) * d2x + (by - iy) * d2y;
      if ((ix - jx) ** 2 + (iy - jy) ** 2 <= maxJump * maxJump && late >= -SLACK && early >= -SLACK) {
        VX.push(ix);
        VY.push(iy);
        ok = true;
      }
    }
    if (!ok) {
      // Bridge: from the last sample's foot on this line to the next sample's foot on the next line.
      const sa = (ax - lpx[k]!) * d1x + (ay - lpy[k]!) * d1y;
      const fax = lpx[k]! + sa * d1x;
      const fay = lpy[k]! + sa * d1y;
      const sb = (bx - lpx[k2]!) * d2x + (by - lpy[k2]!) * d2y;
      const fbx = lpx[k2]! + sb * d2x;
      const fby = lpy[k2]! + sb * d2y;
      VX.push(fax);
      VY.push(fay);
      const gx = fbx - fax;
      const gy = fby - fay;
      const gl = hyp(gx, gy);
      if (gl > 1e-9) {
        F.push(nxt);
        C.push(0);
        PX.push(fax);
        PY.push(fay);
        DX.push(gx / gl);
        DY.push(gy / gl);
        VX.push(fbx);
        VY.push(fby);
      }
    }
  }
  const size = F.length;
  const turn = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const k2 = (k + 1) % size;
    turn[k] = Math.atan2(DX[k]! * DY[k2]! - DY[k]! * DX[k2]!, DX[k]! * DX[k2]! + DY[k]! * DY[k2]!);
  }
  return {
    size,
    first: Int32Array.from(F),
    count: Int32Array.from(C),
    px: Float64Array.from(PX),
    py: Float64Array.from(PY),
    dx: Float64Array.from(DX),
    dy: Float64Array.from(DY),
    vx: Float64Array.from(VX),
    vy: Float64Array.from(VY),
    turn,
  };
}
