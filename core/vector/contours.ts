/**
 * Stage 1 of tracing: decompose a mask into closed boundaries.
 *
 * The boundary is followed along the pixel grid ("cracks": unit edges between an inside and an
 * outside pixel), always with the inside on the right, so every contour comes out closed, simple
 * and consistently oriented (see `Contour`). Each crack carries one sample point:
 *   - binary masks (GrayImage): the crack midpoint, i.e. exactly the pixel-edge boundary;
 *   - soft maps (FloatMap): the sub-pixel point where linear interpolation between the two pixel
 *     centres on either side of the crack crosses the threshold — the dual of marching squares.
 * Pixels outside the image count as outside; the boundary there runs along the image edge.
 *
 * Ambiguous corners (two inside pixels touching only diagonally): binary masks keep the inside
 * 8-connected (so holes are 4-connected background regions not touching the border); soft maps
 * decide by the mean of the four values (connected when it is above the threshold).
 *
 * Nesting: for every contour the innermost enclosing contour is found by scanning the row of its
 * leftmost crack to the left; parents, depths and hole flags come out of one pass.
 *
 * Thickness: each sample also records how thick the mask (or the gap) is there, so later stages
 * can keep thin strokes and narrow gaps pixel-exact while smoothing elsewhere.
 */
import { ErrorCode, fail } from '../errors.js';
import type { FloatMap, GrayImage } from '../image/types.js';
import type { Contour, ContourSet } from './types.js';

/** True when the mask is a float map (logits, probabilities) rather than 8-bit. */
export function isFloatMap(mask: GrayImage | FloatMap): mask is FloatMap {
  return mask.data instanceof Float32Array;
}

/** Checks the shape of a mask; raises INVALID_MASK with what is wrong and what to do. */
export function checkMask(mask: GrayImage | FloatMap, what = 'mask'): void {
  if (!mask || typeof mask !== 'object') fail(ErrorCode.InvalidMask, `the ${what} is missing: pass a GrayImage or FloatMap`);
  const { width, height, data } = mask;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    fail(ErrorCode.InvalidMask, `the ${what} is ${width}×${height}: it needs integer dimensions of at least 1×1`);
  }
  if (!(data instanceof Uint8Array) && !((data as unknown) instanceof Uint8ClampedArray) && !(data instanceof Float32Array)) {
    fail(ErrorCode.InvalidMask, `the ${what} data must be a Uint8Array (0..255) or a Float32Array (logits)`);
  }
  if (data.length !== width * height) {
    fail(
      ErrorCode.InvalidMask,
      `the ${what} holds ${data.length} values but ${width}×${height} needs ${width * height}: ` +
        'pass one value per pixel (a single channel), row by row',
    );
  }
}

/** How far (px) the thickness probe looks on each side of a crack. */
export const THICK_PROBE = 24;

/**
 * Growable working memory of `traceContours`, owned by the caller: pass one to reuse it across
 * traces of a job (it grows to the largest mask seen), or none to get a fresh one that is
 * released with the call. Two traces must not share one at the same time.
 */
export class ContourScratch {
  pts = new Float64Array(1 << 14);
  dirs = new Uint8Array(1 << 13);
  pix = new Int32Array(1 << 13);
  vRow = new Int32Array(1 << 12);
  vX = new Int32Array(1 << 12);
  vId = new Int32Array(1 << 12);
  vUp = new Uint8Array(1 << 12);
  grid = new Uint8Array(0);
  seen = new Uint8Array(0);

  /** Bytes held, for callers that bound their memory. */
  get byteLength(): number {
    return (
      this.pts.byteLength + this.dirs.byteLength + this.pix.byteLength + this.vRow.byteLength + this.vX.byteLength +
      this.vId.byteLength + this.vUp.byteLength + this.grid.byteLength + this.seen.byteLength
    );
  }

  growPts(need: number): void {
    if (need <= this.dirs.length) return;
    let n = this.dirs.length;
    while (n < need) n *= 2;
    this.pts = grown(this.pts, n * 2, Float64Array);
    this.dirs = grown(this.dirs, n, Uint8Array);
    this.pix = grown(this.pix, n, Int32Array);
  }

  growV(need: number): void {
    if (need <= this.vRow.length) return;
    let n = this.vRow.length;
    while (n < need) n *= 2;
    this.vRow = grown(this.vRow, n, Int32Array);
    this.vX = grown(this.vX, n, Int32Array);
    this.vId = grown(this.vId, n, Int32Array);
    this.vUp = grown(this.vUp, n, Uint8Array);
  }

  /** Zeroed padded grids of at least `size` cells. */
  grids(size: number): void {
    if (this.grid.length < size) {
      this.grid = new Uint8Array(size);
      this.seen = new Uint8Array(size);
    } else {
      this.grid.fill(0, 0, size);
      this.seen.fill(0, 0, size);
    }
  }
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number, Ctor: new (n: number) => T): T {
  const b = new Ctor(n);
  b.set(a);
  return b;
}

/**
 * Traces every boundary of a mask. GrayImage: inside = value ≥ threshold (default 128).
 * FloatMap: inside = value > threshold (default 0, SAM's logit convention), samples sub-pixel.
 */
export function traceContours(mask: GrayImage | FloatMap, threshold?: number, scratch = new ContourScratch()): ContourSet {
  checkMask(mask);
  const float = isFloatMap(mask);
  const thr = threshold ?? (float ? 0 : 128);
  if (!Number.isFinite(thr)) fail(ErrorCode.InvalidOption, `threshold must be a finite number, got ${thr}`);
  const { width: W, height: H } = mask;
  const S = W + 2;
  // Padded inside-grid: one ring of outside pixels around the image (a reused buffer).
  const size = S * (H + 2);
  scratch.grids(size);
  const G = scratch.grid;
  if (float) {
    const d = (mask as FloatMap).data;
    for (let y = 0; y < H; y++) {
      const row = y * W;
      const g = (y + 1) * S + 1;
      for (let x = 0; x < W; x++) {
        const v = d[row + x]!;
        if (v !== v) {
          fail(ErrorCode.InvalidMask, `the mask has a NaN at pixel (${x}, ${y}): clean the logits (or replace NaN with a large negative value) first`);
        }
        if (v > thr) G[g + x] = 1;
      }
    }
  } else {
    const d = (mask as GrayImage).data;
    for (let y = 0; y < H; y++) {
      const row = y * W;
      const g = (y + 1) * S + 1;
      for (let x = 0; x < W; x++) if (d[row + x]! >= thr) G[g + x] = 1;
    }
  }
  const fdata = float ? (mask as FloatMap).data : null;

  // Visited flags for east-going cracks (the top edge of an inside pixel below an outside one).
  const seen = scratch.seen;
  const F = [1, S, -1, -S];
  const L = [-S, 1, S, -1];
  const FX = [1, 0, -1, 0];
  const FY = [0, 1, 0, -1];
  const LX = [0, 1, 0, -1];
  const LY = [-1, 0, 1, 0];

  // Per contour, in plain number lists (no object per contour: a checkerboard has millions).
  const offs: number[] = [];
  const startXs: number[] = [];
  const startYs: number[] = [];
  const areas: number[] = [];
  const rows: number[] = [];
  const minXs: number[] = [];
  // A contour's leftmost crack in one row: the start row for outer boundaries, the row above
  // for holes (the start crack is the bottom of a hole pixel); the area sign decides after.
  let nPts = 0;
  let nV = 0;

  for (let y = 0; y < H; y++) {
    let p = (y + 1) * S + 1;
    for (let x = 0; x < W; x++, p++) {
      if (G[p] === 0 || G[p - S] !== 0 || seen[p] !== 0) continue;
      // New contour: starts with the east-going crack on top of pixel (x, y).
      const id = areas.length;
      const start = nPts;
      let q = p;
      let px = x;
      let py = y;
      let d = 0;
      let area = 0;
      let minX = 0x7fffffff;
      let minXAbove = 0x7fffffff;
      for (;;) {
        if (nPts >= scratch.dirs.length) scratch.growPts(nPts + 1);
        // Sample for the crack (q, d): between pixel (px, py) and its outside neighbour.
        let f = 0.5;
        if (fdata !== null) {
          const nx = px + LX[d]!;
          const ny = py + LY[d]!;
          if (nx >= 0 && ny >= 0 && nx < W && ny < H) {
            const vi = fdata[py * W + px]!;
            const vo = fdata[ny * W + nx]!;
            f = (vi - thr) / (vi - vo);
          }
        }
        const o = nPts * 2;
        scratch.pts[o] = px + 0.5 + f * LX[d]!;
        scratch.pts[o + 1] = py + 0.5 + f * LY[d]!;
        scratch.pix[nPts] = py * W + px;
        scratch.dirs[nPts++] = d;
        if (d === 0) seen[q] = 1;
        else if (d === 1 || d === 3) {
          // Vertical crack: x of the crack, row py. South: right edge of the pixel (inside on the left).
          const cx = d === 1 ? px + 1 : px;
          area += d === 1 ? cx : -cx;
          if (py === y) {
            if (cx < minX) minX = cx;
          } else if (py === y - 1 && cx < minXAbove) minXAbove = cx;
          if (nV >= scratch.vRow.length) scratch.growV(nV + 1);
          scratch.vRow[nV] = py;
          scratch.vX[nV] = cx;
          scratch.vId[nV] = id;
          scratch.vUp[nV] = d === 3 ? 1 : 0;
          nV++;
        }
        // Next crack.
        const ar = q + F[d]!;
        const al = ar + L[d]!;
        if (G[al] !== 0) {
          let left = true;
          if (G[ar] === 0 && fdata !== null) {
            // Saddle: the four values around the corner decide.
            const ax = px + FX[d]!;
            const ay = py + FY[d]!;
            const sum =
              fdata[py * W + px]! +
              fdata[ay * W + ax]! +
              fdata[(ay + LY[d]!) * W + ax + LX[d]!]! +
              fdata[(py + LY[d]!) * W + px + LX[d]!]!;
            left = sum * 0.25 > thr;
          }
          if (left) {
            px += FX[d]! + LX[d]!;
            py += FY[d]! + LY[d]!;
            q = al;
            d = (d + 3) & 3;
          } else d = (d + 1) & 3;
        } else if (G[ar] !== 0) {
          px += FX[d]!;
          py += FY[d]!;
          q = ar;
        } else d = (d + 1) & 3;
        if (d === 0 && q === p) break;
      }
      offs.push(start);
      startXs.push(x);
      startYs.push(y);
      areas.push(area);
      rows.push(area > 0 ? y : y - 1);
      minXs.push(area > 0 ? minX : minXAbove);
    }
  }
  offs.push(nPts);

  const n = areas.length;
  const parent = nestContours(n, areas, rows, minXs, scratch, nV, H);
  const depth = new Int32Array(n).fill(-1);
  const chain: number[] = [];
  for (let k = 0; k < n; k++) {
    // Iterative: parents may come later in raster order.
    let j = k;
    chain.length = 0;
    while (j >= 0 && depth[j]! < 0) {
      chain.push(j);
      j = parent[j]!;
    }
    let dd = j < 0 ? -1 : depth[j]!;
    for (let i = chain.length - 1; i >= 0; i--) depth[chain[i]!] = ++dd;
  }
  const points = scratch.pts.slice(0, nPts * 2);
  const dirs = scratch.dirs.slice(0, nPts);
  const offsets = Int32Array.from(offs);
  const thickness = new Uint8Array(nPts);
  for (let k = 0; k < n; k++) measureThickness(points, dirs, scratch.pix, offsets[k]!, offsets[k + 1]!, G, W, H, thickness);
  return {
    width: W,
    height: H,
    count: n,
    subpixel: float,
    points,
    dirs,
    thickness,
    offsets,
    startX: Int32Array.from(startXs),
    startY: Int32Array.from(startYs),
    area: Float64Array.from(areas),
    parent,
    depth,
  };
}

/** Contour k of a set, as views into the set's arrays (made on demand, nothing copied). */
export function contourAt(set: ContourSet, k: number): Contour {
  const a = set.offsets[k]!;
  const b = set.offsets[k + 1]!;
  const area = set.area[k]!;
  return {
    subpixel: set.subpixel,
    points: set.points.subarray(a * 2, b * 2),
    dirs: set.dirs.subarray(a, b),
    thickness: set.thickness.subarray(a, b),
    startX: set.startX[k]!,
    startY: set.startY[k]!,
    area,
    hole: area < 0,
    parent: set.parent[k]!,
    depth: set.depth[k]!,
  };
}

/** Every contour of a set as objects: for small masks and tests (one object per contour). */
export function contourList(set: ContourSet): Contour[] {
  const out: Contour[] = [];
  for (let k = 0; k < set.count; k++) out.push(contourAt(set, k));
  return out;
}

/** Bytes held by a contour set's arrays. */
export function contourSetBytes(set: ContourSet): number {
  return (
    set.points.byteLength + set.dirs.byteLength + set.thickness.byteLength + set.offsets.byteLength + set.startX.byteLength +
    set.startY.byteLength + set.area.byteLength + set.parent.byteLength + set.depth.byteLength
  );
}

/**
 * Local thickness at each sample of one contour (see Contour.thickness): pixels of the sample's
 * kind met walking from the sample along the boundary normal — estimated from the samples three
 * steps either side — inward, and of the other kind outward, whichever run is shorter. Pixels
 * outside the image count as an endless outside, so the border never makes a shape look thin.
 */
function measureThickness(
  pts: Float64Array,
  dirs: Uint8Array,
  pix: Int32Array,
  from: number,
  to: number,
  G: Uint8Array,
  W: number,
  H: number,
  out: Uint8Array,
): void {
  const n = to - from;
  const S = W + 2;
  const LXs = [0, 1, 0, -1];
  const LYs = [-1, 0, 1, 0];
  // Every other sample is probed; the ones between take the smaller of their neighbours' values
  // (thickness changes slowly along a boundary, and the smaller value is the cautious one).
  const step = n >= 8 ? 2 : 1;
  for (let i = 0; i < n; i += step) {
    const o = from + i;
    const d = dirs[o]!;
    let nx = -LXs[d]!;
    let ny = -LYs[d]!;
    if (n >= 8) {
      const a = from + ((i + n - 3) % n);
      const b = from + ((i + 3) % n);
      const tx = pts[b * 2]! - pts[a * 2]!;
      const ty = pts[b * 2 + 1]! - pts[a * 2 + 1]!;
      const tl = Math.sqrt(tx * tx + ty * ty);
      // Inside is on the right of the walking direction: (−ty, tx) on screen (y down).
      if (tl > 0) {
        nx = -ty / tl;
        ny = tx / tl;
      }
    }
    // March from the centre of the inside pixel inward, and from the outside pixel outward, along
    // the normal and 45° either side of it; the shortest run counts (a stroke's end is thin even
    // though the normal there runs along the stroke).
    const p = pix[o]!;
    const cx = (p % W) + 0.5;
    const cy = Math.floor(p / W) + 0.5;
    const ox = cx + LXs[d]!;
    const oy = cy + LYs[d]!;
    let tin = THICK_PROBE;
    let tout = THICK_PROBE;
    for (let r = -1; r <= 1; r++) {
      const ux = r === 0 ? nx : (nx - r * ny) * Math.SQRT1_2;
      const uy = r === 0 ? ny : (ny + r * nx) * Math.SQRT1_2;
      // Unit steps near the edge, where thin features are told apart; two-pixel steps further in.
      let a = 1;
      for (let j = 1; a < tin; j += j < 6 ? 1 : 2) {
        const fx = cx + j * ux;
        const fy = cy + j * uy;
        if (fx < 0 || fy < 0 || fx >= W || fy >= H || G[((fy | 0) + 1) * S + (fx | 0) + 1] === 0) break;
        a = j + 1;
      }
      if (a < tin) tin = a;
      let b = 0;
      const lim = tout < tin ? tout : tin;
      for (let j = 0; b < lim; j += j < 6 ? 1 : 2) {
        const fx = ox - j * ux;
        const fy = oy - j * uy;
        if (fx < 0 || fy < 0 || fx >= W || fy >= H) {
          b = lim;
          break;
        }
        if (G[((fy | 0) + 1) * S + (fx | 0) + 1] !== 0) break;
        b = j + 1;
      }
      if (b < tout) tout = b;
    }
    const t = tout < tin ? tout : tin;
    out[o] = t < 1 ? 1 : t;
  }
  if (step === 2) {
    for (let i = 1; i < n; i += 2) {
      const a = out[from + i - 1]!;
      const b = out[from + ((i + 1) % n)]!;
      out[from + i] = a < b ? a : b;
    }
  }
}

/**
 * Innermost enclosing contour of each contour. A contour's leftmost crack in the row where it
 * starts has nothing of the same contour to its left; scanning further left, the first contour
 * met whose nearest crack has its enclosed side facing us is the parent (any contour enclosing
 * the point must be crossed before any contour enclosing that one).
 */
function nestContours(
  n: number,
  areas: readonly number[],
  rows: readonly number[],
  minXs: readonly number[],
  scratch: ContourScratch,
  nV: number,
  H: number,
): Int32Array {
  const { vRow, vX, vId, vUp } = scratch;
  const parent = new Int32Array(n).fill(-1);
  if (n <= 1) return parent;
  // Counting sort of vertical cracks by row, then by x within a row.
  const rowStart = new Int32Array(H + 1);
  for (let i = 0; i < nV; i++) rowStart[vRow[i]! + 1]!++;
  for (let r = 0; r < H; r++) rowStart[r + 1]! += rowStart[r]!;
  const fill = rowStart.slice(0, H);
  const order = new Int32Array(nV);
  for (let i = 0; i < nV; i++) order[fill[vRow[i]!]!++] = i;
  const sortedRows = new Uint8Array(H);
  const sortRow = (r: number): void => {
    const a = rowStart[r]!;
    const b = rowStart[r + 1]!;
    for (let i = a + 1; i < b; i++) {
      const v = order[i]!;
      const key = vX[v]!;
      let j = i - 1;
      while (j >= a && vX[order[j]!]! > key) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = v;
    }
    sortedRows[r] = 1;
  };
  const stamp = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    const row = rows[k]!;
    const minX = minXs[k]!;
    if (!sortedRows[row]) sortRow(row);
    const a = rowStart[row]!;
    let i = rowStart[row + 1]! - 1;
    while (i >= a && vX[order[i]!]! >= minX) i--;
    for (; i >= a; i--) {
      const v = order[i]!;
      const c = vId[v]!;
      if (c === k || stamp[c] === k) continue;
      stamp[c] = k;
      // The pixel right of this crack is inside the mask when the crack goes north.
      const insideMaskRight = vUp[v] === 1;
      const cOuter = areas[c]! > 0;
      if (insideMaskRight === cOuter) {
        parent[k] = c;
        break;
      }
    }
  }
  return parent;
}

/**
 * The pixel-edge boundary of a contour as a closed polygon of pixel corners (integers,
 * interleaved x, y), one vertex per change of direction, starting at (startX, startY).
 */
export function pixelEdgePolygon(c: Contour): Int32Array {
  const { dirs } = c;
  const n = dirs.length;
  const out: number[] = [];
  let x = c.startX;
  let y = c.startY;
  const DX = [1, 0, -1, 0];
  const DY = [0, 1, 0, -1];
  for (let i = 0; i < n; i++) {
    const d = dirs[i]!;
    if (i === 0 || d !== dirs[i - 1]) out.push(x, y);
    x += DX[d]!;
    y += DY[d]!;
  }
  return Int32Array.from(out);
}

/** Shoelace area of an interleaved closed polyline (positive = clockwise on screen, y down). */
export function polylineArea(pts: ArrayLike<number>): number {
  const n = pts.length >> 1;
  let s = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) s += pts[j * 2]! * pts[i * 2 + 1]! - pts[i * 2]! * pts[j * 2 + 1]!;
  return s / 2;
}
