/**
 * Plain data passed between the tracing stages (contours → polygon → curves → path data).
 *
 * Coordinates are image pixels: x right, y down, (0, 0) the top-left corner of the top-left
 * pixel, so pixel (i, j) covers [i, i+1] × [j, j+1] and its centre is (i + 0.5, j + 0.5).
 */

/** Crack directions along the pixel grid: east, south, west, north (y down). */
export const DIR_E = 0;
export const DIR_S = 1;
export const DIR_W = 2;
export const DIR_N = 3;

/**
 * One closed boundary of the mask.
 *
 * Orientation (documented, relied upon): every contour is walked with the inside of the mask
 * on its RIGHT-hand side. On screen (y down) outer boundaries therefore run clockwise and hole
 * boundaries counter-clockwise; the shoelace sum ½Σ(xᵢyᵢ₊₁ − xᵢ₊₁yᵢ) is positive for outer
 * boundaries and negative for holes. (In a y-up frame the same paths are outer CCW, holes CW.)
 */
export interface Contour {
  /** True when the samples are sub-pixel crossings of a soft map (FloatMap), false for binary. */
  subpixel: boolean;
  /**
   * One sample per boundary crack (the unit pixel edge between an inside and an outside pixel),
   * interleaved x, y, in walking order. For a binary mask the sample is the crack's midpoint; for
   * a soft map it is where the linear interpolation between the two pixel centres across the
   * crack reaches the threshold (sub-pixel iso-contour, as in marching squares).
   */
  points: Float64Array;
  /** Crack direction of each sample (DIR_E … DIR_N); the inside pixel is on the right. */
  dirs: Uint8Array;
  /**
   * Local thickness at each sample: the shorter of the straight runs of inside pixels (from the
   * crack inward, and across through the inside pixel along the crack) and of outside pixels
   * (likewise), in px, capped at THICK_PROBE (contours.ts). Thin strokes and narrow gaps have
   * small values; the fitter keeps them exact.
   */
  thickness: Uint8Array;
  /** Pixel corner at which the first crack starts (integers). */
  startX: number;
  startY: number;
  /** Signed area enclosed by the pixel-edge boundary, px²: > 0 outer boundary, < 0 hole. */
  area: number;
  /** True for a hole boundary (area < 0). */
  hole: boolean;
  /** Index of the innermost contour enclosing this one, or -1 (top level). */
  parent: number;
  /** Nesting depth: 0 for top-level parts, 1 for their holes, 2 for islands in holes, ... */
  depth: number;
}

/**
 * All boundaries of a mask, in raster order of their first crack, laid out flat: contour k owns
 * samples offsets[k] .. offsets[k + 1] of points (x, y pairs), dirs and thickness, and entry k of
 * the per-contour arrays (fields as in `Contour`). A mask can have a contour per pixel, so there
 * is no object per contour; `contourAt` (contours.ts) makes one on demand.
 */
export interface ContourSet {
  width: number;
  height: number;
  count: number;
  subpixel: boolean;
  points: Float64Array;
  dirs: Uint8Array;
  thickness: Uint8Array;
  /** count + 1 sample indices. */
  offsets: Int32Array;
  startX: Int32Array;
  startY: Int32Array;
  area: Float64Array;
  parent: Int32Array;
  depth: Int32Array;
}

/**
 * A closed outline made of straight and cubic segments. Segment k is a line when kinds[k] = 0
 * (one end point in coords) or a cubic when kinds[k] = 1 (control 1, control 2, end point).
 * The last segment ends at (x0, y0).
 */
export interface ClosedCurve {
  x0: number;
  y0: number;
  kinds: Uint8Array;
  coords: Float64Array;
}

/** One Figma-style vector path. `data` uses only absolute M, L, C and Z. */
export interface VectorPath {
  windingRule: 'EVENODD' | 'NONZERO';
  data: string;
}

/**
 * A transform from image pixels into a target frame: either scale and offset
 * (x' = x·sx + ox, y' = y·sy + oy) or an affine matrix in Figma's `Transform` layout
 * [[a, b, tx], [c, d, ty]] meaning x' = a·x + b·y + tx, y' = c·x + d·y + ty.
 */
export type FrameTransform =
  | { scale?: number | { x: number; y: number }; offset?: { x: number; y: number } }
  | { matrix: [[number, number, number], [number, number, number]] };
