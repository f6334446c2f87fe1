/**
 * Penpot geometry ⇄ the shared placement math (plugin/host/placement.ts, Figma's conventions).
 * Pure functions over plain numbers.
 *
 * Penpot's plugin API gives a shape as x, y (page position of its unrotated box), width,
 * height, rotation (degrees, about the box's centre) and flipX / flipY; positions are absolute
 * (page space), whatever the nesting — groups carry no transform of their own. We read it as
 *   local → page = T(x + w/2, y + h/2) · R(rotation) · S(flipX ? −1 : 1, flipY ? −1 : 1) · T(−w/2, −h/2)
 * with R(θ) = [[cos θ, −sin θ], [sin θ, cos θ]] in y-down page space (clockwise on screen, as
 * Penpot's rotation handle turns). This is our reading of the typings' comments ("the rotation
 * in degrees of the shape with respect to its center"); real Penpot was not available to check.
 */
import { type Affine, type NodeGeometry, type Rect, affine, apply, compose, scaling, translation } from '../host/placement.js';

export interface ShapeFrame {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Degrees. */
  rotation: number;
  flipX: boolean;
  flipY: boolean;
}

const RAD = Math.PI / 180;

function rotationMatrix(deg: number): Affine {
  const t = deg * RAD;
  const c = Math.cos(t);
  const s = Math.sin(t);
  return affine(c, -s, 0, s, c, 0);
}

/** local → page for a shape frame. */
export function frameToPage(f: ShapeFrame): Affine {
  const w = f.width;
  const h = f.height;
  return compose(
    translation(f.x + w / 2, f.y + h / 2),
    rotationMatrix(f.rotation || 0),
    scaling(f.flipX ? -1 : 1, f.flipY ? -1 : 1),
    translation(-w / 2, -h / 2),
  );
}

/**
 * The frame whose local → page map is `geometry` (a unit-axes transform and a size, as
 * placeRect gives): rotation from the first axis, a reflection expressed as flipX.
 */
export function geometryToFrame(g: NodeGeometry): ShapeFrame {
  const m = g.relativeTransform;
  const det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
  const flipX = det < 0;
  // L = R(θ)·S(±1, 1): its first column is ±(cos θ, sin θ).
  const sign = flipX ? -1 : 1;
  let rotation = Math.atan2(sign * m[1][0], sign * m[0][0]) / RAD;
  if (Math.abs(rotation) < 1e-9) rotation = 0;
  rotation = ((rotation % 360) + 360) % 360;
  if (Math.abs(rotation - 360) < 1e-9) rotation = 0;
  const centre = apply(m, g.width / 2, g.height / 2);
  return { x: centre.x - g.width / 2, y: centre.y - g.height / 2, width: g.width, height: g.height, rotation, flipX, flipY: false };
}

/** The page-space box of `rect` under `m` (for checks and tests). */
export function pageCorners(m: Affine, r: Rect): Array<{ x: number; y: number }> {
  return [apply(m, r.x, r.y), apply(m, r.x + r.width, r.y), apply(m, r.x + r.width, r.y + r.height), apply(m, r.x, r.y + r.height)];
}
