import type { Size } from '../image/types.js';
import { longestSideSize } from '../image/resize.js';

/**
 * Coordinate frames. SAM sees the image resized into a square `frame` (1024):
 *  - 'longest' (SAM 1, sam-hf): aspect kept, long side = frame, zero padding bottom/right;
 *  - 'square'  (SAM 2): stretched to frame × frame.
 * Its masks come back on a `lowRes` grid (256 × 256) covering the whole frame (padding too).
 *
 * original pixels  ⇄  frame pixels  ⇄  low-res cells
 * Every function says which way it goes; all take and return (x, y) / (width, height).
 */
export type ResizeMode = 'longest' | 'square';

export interface FrameTransform {
  mode: ResizeMode;
  /** The image as given. */
  original: Size;
  /** The image inside the frame (== frame × frame for 'square'). */
  resized: Size;
  /** Side of the square model input (1024). */
  frame: number;
  /** Side of the low-resolution mask grid (256). */
  lowRes: number;
}

export function frameTransform(mode: ResizeMode, original: Size, frame = 1024, lowRes = 256): FrameTransform {
  const resized = mode === 'longest' ? longestSideSize(original.width, original.height, frame) : { width: frame, height: frame };
  return { mode, original: { ...original }, resized, frame, lowRes };
}

/** Original pixels → frame pixels (what the decoders take as point coordinates). */
export function originalToFrame(t: FrameTransform, x: number, y: number): [number, number] {
  return [(x * t.resized.width) / t.original.width, (y * t.resized.height) / t.original.height];
}

/** Frame pixels → original pixels. */
export function frameToOriginal(t: FrameTransform, x: number, y: number): [number, number] {
  return [(x * t.original.width) / t.resized.width, (y * t.original.height) / t.resized.height];
}

/** Frame pixels → low-res grid coordinates (continuous; cell i spans [i, i+1)). */
export function frameToLowRes(t: FrameTransform, x: number, y: number): [number, number] {
  const s = t.lowRes / t.frame;
  return [x * s, y * s];
}

/** Low-res grid coordinates → frame pixels. */
export function lowResToFrame(t: FrameTransform, x: number, y: number): [number, number] {
  const s = t.frame / t.lowRes;
  return [x * s, y * s];
}

/** Original pixels → low-res grid coordinates. */
export function originalToLowRes(t: FrameTransform, x: number, y: number): [number, number] {
  const [fx, fy] = originalToFrame(t, x, y);
  return frameToLowRes(t, fx, fy);
}

/** Low-res grid coordinates → original pixels. */
export function lowResToOriginal(t: FrameTransform, x: number, y: number): [number, number] {
  const [fx, fy] = lowResToFrame(t, x, y);
  return frameToOriginal(t, fx, fy);
}

/**
 * The part of the low-res grid that shows the image (the rest is padding), as a size in
 * cells (continuous). For 'square' this is the whole grid.
 */
export function lowResImageExtent(t: FrameTransform): Size {
  const s = t.lowRes / t.frame;
  return { width: t.resized.width * s, height: t.resized.height * s };
}
