/**
 * Placement math shared by the editor hosts: pure functions, no editor global. Written in
 * Figma's conventions (the first host); other hosts convert their geometry into these
 * (plugin/penpot/geometry.ts).
 *
 * Conventions (each checked against Figma's typings and public code, see the notes below):
 * - An `Affine` uses Figma's `Transform` layout [[a, b, tx], [c, d, ty]]:
 *   x' = a·x + b·y + tx, y' = c·x + d·y + ty. `multiply(p, q)` applies q first, then p.
 * - A node's LOCAL space: (0, 0) its top-left corner, (width, height) its bottom-right, before
 *   its own transform. `relativeTransform` maps local → the node's CONTAINER space (the nearest
 *   ancestor that is a page, frame, component, instance or section: groups and boolean
 *   operations do not count); `absoluteTransform` maps local → page space. Both always have
 *   unit axes: size lives in width/height. rotation = atan2(-m10, m00) in degrees.
 * - SOURCE IMAGE space: pixels of the bytes the UI received, x right, y down, (0, 0) the
 *   top-left corner of the top-left pixel.
 * - Image fills map image → local:
 *     FILL  cover, centred:   s = max(w/W, h/H), offset ((w − W·s)/2, (h − H·s)/2)
 *     FIT   contain, centred: s = min(w/W, h/H), same centring
 *     CROP  `imageTransform` T maps the node's NORMALISED space (local / (w, h)) to the
 *           image's normalised space (pixels / (W, H)) — the same convention as
 *           `gradientTransform`; its inverse places the image: image → local =
 *           diag(w, h) · T⁻¹ · diag(1/W, 1/H).
 *     TILE  not placed from the fill: such layers are exported instead.
 * - Exports (`exportAsync({useAbsoluteBounds: true})`) render the node's axis-aligned
 *   absolute bounding box: export pixel (px, py) ↔ page point
 *   (box.x + px·box.width/pixelWidth, box.y + py·box.height/pixelHeight).
 */
import { ErrorCode, fail } from '../../core/errors.js';
import { pathDataBounds, transformPathData, type Affine as CoreAffine } from '../../core/vector/path.js';

export type Affine = [[number, number, number], [number, number, number]];

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What a new rectangle or vector node takes: a unit-axes transform plus a size. */
export interface NodeGeometry {
  /** For `node.relativeTransform`: rotation/reflection (unit axes) and translation. */
  relativeTransform: Affine;
  width: number;
  height: number;
}

export const IDENTITY: Affine = [
  [1, 0, 0],
  [0, 1, 0],
];

export function affine(a: number, b: number, tx: number, c: number, d: number, ty: number): Affine {
  return [
    [a, b, tx],
    [c, d, ty],
  ];
}

/** p ∘ q: applies q, then p. */
export function multiply(p: Affine, q: Affine): Affine {
  const [[a1, b1, t1], [c1, d1, u1]] = p;
  const [[a2, b2, t2], [c2, d2, u2]] = q;
  return affine(
    a1 * a2 + b1 * c2,
    a1 * b2 + b1 * d2,
    a1 * t2 + b1 * u2 + t1,
    c1 * a2 + d1 * c2,
    c1 * b2 + d1 * d2,
    c1 * t2 + d1 * u2 + u1,
  );
}

export function compose(...ms: Affine[]): Affine {
  let out = IDENTITY;
  for (const m of ms) out = multiply(out, m);
  return out;
}

export function determinant(m: Affine): number {
  return m[0][0] * m[1][1] - m[0][1] * m[1][0];
}

export function invert(m: Affine): Affine {
  const [[a, b, tx], [c, d, ty]] = m;
  const det = a * d - b * c;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) {
    fail(ErrorCode.ImageSize, `The transform [[${a}, ${b}, ${tx}], [${c}, ${d}, ${ty}]] cannot be inverted (determinant ${det}).`);
  }
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  return affine(ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty));
}

export function apply(m: Affine, x: number, y: number): Point {
  return { x: m[0][0] * x + m[0][1] * y + m[0][2], y: m[1][0] * x + m[1][1] * y + m[1][2] };
}

export function scaling(sx: number, sy: number): Affine {
  return affine(sx, 0, 0, 0, sy, 0);
}

export function translation(tx: number, ty: number): Affine {
  return affine(1, 0, tx, 0, 1, ty);
}

/** The four corners of `rect` mapped by `m`: top-left, top-right, bottom-right, bottom-left. */
export function corners(m: Affine, rect: Rect): Point[] {
  const { x, y, width: w, height: h } = rect;
  return [apply(m, x, y), apply(m, x + w, y), apply(m, x + w, y + h), apply(m, x, y + h)];
}

/** Axis-aligned bounds of points. */
export function boundsOf(points: readonly Point[]): Rect {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function intersect(a: Rect, b: Rect): Rect | null {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

// ---------------------------------------------------------------------------------------------
// Image → node-local maps

export type FillScaleMode = 'FILL' | 'FIT' | 'CROP';

/**
 * image pixels → node-local coordinates for an image fill. `imageTransform` is required for
 * CROP (a missing one means identity: the image stretched over the node).
 */
export function imageToLocalForFill(mode: FillScaleMode, image: Size, node: Size, imageTransform?: Affine): Affine {
  checkSize(image, 'image');
  checkSize(node, 'layer');
  const { width: W, height: H } = image;
  const { width: w, height: h } = node;
  if (mode === 'FILL' || mode === 'FIT') {
    const s = mode === 'FILL' ? Math.max(w / W, h / H) : Math.min(w / W, h / H);
    return affine(s, 0, (w - W * s) / 2, 0, s, (h - H * s) / 2);
  }
  const t = imageTransform ?? IDENTITY;
  return compose(scaling(w, h), invert(t), scaling(1 / W, 1 / H));
}

/**
 * image pixels → node-local coordinates for an export made with `useAbsoluteBounds: true`:
 * the export covers `box` (the node's absoluteBoundingBox, page space) with `pixels`.
 */
export function imageToLocalForExport(box: Rect, pixels: Size, nodeAbsolute: Affine): Affine {
  checkSize(pixels, 'export');
  checkSize(box, 'layer bounds');
  const imageToPage = affine(box.width / pixels.width, 0, box.x, 0, box.height / pixels.height, box.y);
  return multiply(invert(nodeAbsolute), imageToPage);
}

/**
 * The part of the image the layer shows, in image pixels: the node's box mapped into the
 * image, bounded, intersected with the image. Null when the layer shows none of it.
 */
export function visibleImageRect(imageToLocal: Affine, image: Size, node: Size): Rect | null {
  const localToImage = invert(imageToLocal);
  const box = boundsOf(corners(localToImage, { x: 0, y: 0, width: node.width, height: node.height }));
  const r = intersect(box, { x: 0, y: 0, width: image.width, height: image.height });
  return r === null ? null : snapRect(r);
}

/** Removes float noise (1e-9 px) so whole-pixel rectangles stay whole. */
function snapRect(r: Rect): Rect {
  const snap = (v: number) => (Math.abs(v - Math.round(v)) < 1e-7 ? Math.round(v) : v);
  const x0 = snap(r.x);
  const y0 = snap(r.y);
  const x1 = snap(r.x + r.width);
  const y1 = snap(r.y + r.height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function checkSize(s: Size, what: string): void {
  if (!(s.width > 0 && s.height > 0 && Number.isFinite(s.width) && Number.isFinite(s.height))) {
    fail(ErrorCode.ImageSize, `The ${what} size must be positive, got ${s.width}×${s.height}.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Decomposition into what a new node takes

interface Axes {
  /** Unit axis vectors (columns of the node transform). */
  ux: Point;
  uy: Point;
  /** Length of one image pixel along each axis, in container units. */
  sx: number;
  sy: number;
}

function axesOf(m: Affine): Axes {
  const sx = Math.hypot(m[0][0], m[1][0]);
  const sy = Math.hypot(m[0][1], m[1][1]);
  if (!(sx > 1e-12 && sy > 1e-12)) fail(ErrorCode.ImageSize, 'The placement transform is degenerate (zero scale).');
  return { ux: { x: m[0][0] / sx, y: m[1][0] / sx }, uy: { x: m[0][1] / sy, y: m[1][1] / sy }, sx, sy };
}

/**
 * The node that covers `rect` (image pixels) when image pixels map to the container by `m`:
 * a unit-axes transform (rotation, reflection, and skew only if `m` has one) and a size.
 * Corners agree exactly: local (0,0) ↔ m(rect.x, rect.y), (width, 0) ↔ m(rect.x + rect.width,
 * rect.y), and so on.
 */
export function placeRect(m: Affine, rect: Rect): NodeGeometry {
  const { ux, uy, sx, sy } = axesOf(m);
  const p0 = apply(m, rect.x, rect.y);
  return {
    relativeTransform: affine(ux.x, uy.x, p0.x, ux.y, uy.y, p0.y),
    width: sx * rect.width,
    height: sy * rect.height,
  };
}

/** A vector placed so its paths coincide with image-pixel paths mapped by `m`. */
export interface VectorPlacement extends NodeGeometry {
  /** The paths in the vector node's local space (bounds start at 0, 0). */
  paths: string[];
}

/**
 * Places image-pixel paths through `m`: the node's axes follow `m`'s (unit length), the path
 * coordinates carry the scale and are shifted so their exact bounds start at (0, 0) (what a
 * vector node's own box is), and the node's translation takes the shift.
 */
export function placePaths(m: Affine, data: readonly string[]): VectorPlacement {
  const { ux, uy, sx, sy } = axesOf(m);
  const scaled = data.map((d) => transformPath(d, scaling(sx, sy)));
  const b = pathsBounds(scaled);
  if (b === null) fail(ErrorCode.InvalidMask, 'The vector result has no points.');
  const paths = scaled.map((d) => transformPath(d, translation(-b.x, -b.y)));
  const p0 = apply(m, 0, 0);
  // local (0,0) ↔ scaled-path point (b.x, b.y) ↔ container U·(b.x, b.y) + m(0, 0)
  const tx = p0.x + ux.x * b.x + uy.x * b.y;
  const ty = p0.y + ux.y * b.x + uy.y * b.y;
  return { relativeTransform: affine(ux.x, uy.x, tx, ux.y, uy.y, ty), width: b.width, height: b.height, paths };
}

// ---------------------------------------------------------------------------------------------
// Path data: core/vector/path.ts owns the grammar (parse, write, transform, bounds)

/** `m` in core's flat affine layout [a, b, tx, c, d, ty], for core/vector/path.ts. */
export function flatAffine(m: Affine): CoreAffine {
  return [m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2]];
}

/** Every coordinate of `data` mapped by `m`, written in the one path grammar (core/vector/path.ts). */
export function transformPath(data: string, m: Affine): string {
  return transformPathData(data, flatAffine(m));
}

/** Exact bounds of the drawn curves (Bézier extrema, not control points); null if empty. */
export function pathsBounds(data: readonly string[]): Rect | null {
  return pathDataBounds(data);
}

// ---------------------------------------------------------------------------------------------
// Export scale

/** Longest side Figma accepts for an image (createImage) and the most we ever export. */
export const MAX_IMAGE_SIDE = 4096;

/**
 * Export scale for a node whose bounding box is `box`: `preferred` (≥ 1: at least the node's
 * own size) unless that would exceed `maxSide` pixels on the long side.
 */
export function exportScale(box: Size, preferred: number, maxSide = MAX_IMAGE_SIDE): number {
  const longest = Math.max(box.width, box.height);
  if (!(longest > 0)) fail(ErrorCode.ImageSize, 'The layer has no size to export.');
  const want = Math.max(1, Number.isFinite(preferred) ? preferred : 1);
  return Math.min(want, maxSide / longest);
}

/** The pixel size an export at `scale` produces (Figma rounds to whole pixels, at least 1). */
export function exportPixels(box: Size, scale: number): Size {
  return { width: Math.max(1, Math.round(box.width * scale)), height: Math.max(1, Math.round(box.height * scale)) };
}
