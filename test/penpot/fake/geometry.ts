/**
 * Shape geometry of the fake, following Penpot's data model (common/geom/shapes/transforms.cljc,
 * checked against penpot/penpot at 66bb6a1, the source of @penpot/plugin-types 1.5.0).
 *
 * Penpot stores, per shape, a `selrect` (the unrotated box, centred on the shape's centre),
 * `points` (the four corners of that box after the shape's transform) and a `transform` matrix
 * about the centre, recomputed from the points after every change (calculate-transform);
 * `rotation`, `flip-x`, `flip-y` are separate BOOKKEEPING values updated by modifiers. The fake
 * stores the same information as
 *
 *   Geom = { cx, cy, w, h, m, rotation, flipX, flipY }
 *
 *   local space  = the unrotated box, (0..w) × (0..h)
 *   local → page = T(cx, cy) · M · T(−w/2, −h/2)
 *   M            = the orthonormal 2×2 `transform` (columns = the box's x and y axes on the
 *                  page; a reflection when the shape is mirrored)
 *   points       = local (0,0), (w,0), (w,h), (0,h) on the page (Penpot's order)
 *
 * For shapes made and changed the ordinary way M = R(rotation) · S(flipX ? −1 : 1, flipY ? −1 : 1)
 * with R(θ) = [[cos θ, −sin θ], [sin θ, cos θ]] in y-down page space (positive = clockwise on
 * screen, Penpot's gmt/rotate-matrix) — the brief's model. But the bookkeeping can drift from
 * M exactly as in Penpot: apply-transform-generic toggles flip-x / flip-y whenever a transform
 * reverses the box's x / y edge (adjust-shape-flips: dot product of the edge before and after <
 * 0), negates the rotation when an odd number of flips toggled, and a rotation modifier then
 * adds its angle modulo 360. So rotating a shape by more than 90° (e.g. `rotation = 180`)
 * leaves rotation = 180 AND flipX = flipY = true while the shape is only turned, not mirrored.
 *
 * What the plugin API reports (frontend/src/app/plugins/shape.cljs), which CONTRADICTS a naive
 * reading of the typings ("The x-coordinate of the shape's position"):
 *   x, y          = top-left of the axis-aligned bounds of `points` (grc/points->rect), NOT the
 *                   unrotated box's corner — for a rotated shape x/y move as it turns;
 *                   setting x moves the shape (and its children) so that this AABB starts at x.
 *   bounds        = the same axis-aligned bounds; width/height = the UNROTATED box size.
 *   center        = (cx, cy); rotation (bookkeeping) in [0, 360) degrees.
 *   parentX       = x − parent's selrect x (the parent's unrotated box corner, 0 for the root).
 */
import { type Mat, I, ap, inv, mul } from '../../figma/fake/affine.js';

export type { Mat };
export { I, ap, inv, mul };

export interface Geom {
  cx: number;
  cy: number;
  w: number;
  h: number;
  /** The orthonormal transform, column-major: local x axis (m[0], m[1]), local y axis (m[2], m[3]). */
  m: [number, number, number, number];
  /** Bookkeeping: degrees in [0, 360), clockwise on screen. */
  rotation: number;
  flipX: boolean;
  flipY: boolean;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Pt = [number, number];

const RAD = Math.PI / 180;

export function mod360(a: number): number {
  const r = ((a % 360) + 360) % 360;
  return r === 360 || Object.is(r, -0) ? 0 : r;
}

export function translation(x: number, y: number): Mat {
  return [
    [1, 0, x],
    [0, 1, y],
  ];
}

export function scaling(sx: number, sy: number): Mat {
  return [
    [sx, 0, 0],
    [0, sy, 0],
  ];
}

export function rotation(deg: number): Mat {
  const t = deg * RAD;
  const c = Math.cos(t);
  const s = Math.sin(t);
  return [
    [c, -s, 0],
    [s, c, 0],
  ];
}

/** Rotation by `deg` about (x, y). */
export function rotationAbout(deg: number, x: number, y: number): Mat {
  return mul(translation(x, y), mul(rotation(deg), translation(-x, -y)));
}

/** Scale (sx, sy) about (x, y) in page axes. */
export function scalingAbout(sx: number, sy: number, x: number, y: number): Mat {
  return mul(translation(x, y), mul(scaling(sx, sy), translation(-x, -y)));
}

/** The shape's `transform` (no translation). */
export function linearOf(g: Geom): Mat {
  const [a, b, c, d] = g.m;
  return [
    [a, c, 0],
    [b, d, 0],
  ];
}

/** M for a rotation and flips: R(rotation) · S(flips). */
export function orientation(rot: number, flipX = false, flipY = false): Geom['m'] {
  const m = mul(rotation(rot), scaling(flipX ? -1 : 1, flipY ? -1 : 1));
  return [m[0][0], m[1][0], m[0][1], m[1][1]];
}

export function localToPage(g: Geom): Mat {
  return mul(translation(g.cx, g.cy), mul(linearOf(g), translation(-g.w / 2, -g.h / 2)));
}

export function pointsOf(g: Geom): Pt[] {
  const m = localToPage(g);
  return [ap(m, 0, 0), ap(m, g.w, 0), ap(m, g.w, g.h), ap(m, 0, g.h)];
}

export function aabb(points: readonly Pt[]): Rect {
  if (points.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function joinRects(rects: readonly Rect[]): Rect {
  return aabb(rects.flatMap((r) => [[r.x, r.y] as Pt, [r.x + r.width, r.y + r.height] as Pt]));
}

/** Penpot's selrect: the unrotated box. */
export function selrectOf(g: Geom): Rect {
  return { x: g.cx - g.w / 2, y: g.cy - g.h / 2, width: g.w, height: g.h };
}

const dot = (a: Pt, b: Pt) => a[0] * b[0] + a[1] * b[1];

/**
 * The geometry after the page-space transform `m` (plus `rotDelta` degrees of rotation
 * bookkeeping for rotation modifiers), with Penpot's flip / rotation bookkeeping. Throws when
 * `m` would skew the box (a non-uniform scale of a rotated shape): Penpot then stores a
 * general matrix, which this fake does not model.
 */
export function transformGeom(g: Geom, m: Mat, rotDelta = 0): Geom {
  const [a, b, c, d] = g.m;
  const u: Pt = [m[0][0] * a + m[0][1] * b, m[1][0] * a + m[1][1] * b];
  const v: Pt = [m[0][0] * c + m[0][1] * d, m[1][0] * c + m[1][1] * d];
  const nu = Math.hypot(...u);
  const nv = Math.hypot(...v);
  if (!(nu > 0 && nv > 0)) throw new Error('fake: this transform collapses the shape');
  const ux: Pt = [u[0] / nu, u[1] / nu];
  const vy: Pt = [v[0] / nv, v[1] / nv];
  if (Math.abs(dot(ux, vy)) > 1e-9) {
    throw new Error(
      'fake: this transform would skew the shape (non-uniform scaling of a rotated shape); Penpot stores a general matrix then, which the fake does not emulate',
    );
  }
  const w = g.w * nu;
  const h = g.h * nv;
  // adjust-shape-flips: (p1 − p0) and (p3 − p0) before vs after
  const dotX = g.w > 0 && w > 0 ? dot([a, b], ux) : 0;
  const dotY = g.h > 0 && h > 0 ? dot([c, d], vy) : 0;
  let { flipX, flipY, rotation: rot } = g;
  const negX = dotX < -1e-12;
  const negY = dotY < -1e-12;
  if (negX) flipX = !flipX;
  if (negY) flipY = !flipY;
  if (negX !== negY) rot = -rot;
  rot = mod360(rot + rotDelta);
  const [cx, cy] = ap(m, g.cx, g.cy);
  return { cx, cy, w, h, m: [ux[0], ux[1], vy[0], vy[1]], rotation: rot, flipX, flipY };
}

/** Geometry of a box given by its unrotated top-left corner, size and rotation about its centre. */
export function geomFromBox(x: number, y: number, w: number, h: number, rot = 0, flipX = false, flipY = false): Geom {
  return { cx: x + w / 2, cy: y + h / 2, w, h, m: orientation(rot, flipX, flipY), rotation: mod360(rot), flipX, flipY };
}

/** Is (x, y) inside the polygon `pts` (convex or not; even-odd)? */
export function insidePolygon(pts: readonly Pt[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i];
    const [xj, yj] = pts[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
