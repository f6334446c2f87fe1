/**
 * Layout math for the canvas: zoom-to-fit, view ⇄ image coordinates, drag detection and the
 * sizes the UI works at. Pure: (x, y) and (width, height) everywhere, image pixels are the
 * source image's pixels (x right, y down), view pixels are CSS pixels of the canvas element.
 */
import type { BoxPrompt } from '../core/prompts/types.js';
import type { Size } from '../core/image/types.js';

export interface Point {
  x: number;
  y: number;
}

/** Image → view: view = offset + image · scale. */
export interface Fit {
  x: number;
  y: number;
  scale: number;
}

/**
 * Scale and offset that show the whole image centred in the view with `padding` CSS px on
 * every side; small images are not blown up beyond `maxScale` (default: 4× for a readable
 * preview of icons, never more).
 */
export function fitContain(image: Size, view: Size, padding = 12, maxScale = 4): Fit {
  const w = Math.max(1, view.width - 2 * padding);
  const h = Math.max(1, view.height - 2 * padding);
  const scale = Math.min(w / image.width, h / image.height, maxScale);
  return {
    scale,
    x: (view.width - image.width * scale) / 2,
    y: (view.height - image.height * scale) / 2,
  };
}

export function viewToImage(fit: Fit, p: Point): Point {
  return { x: (p.x - fit.x) / fit.scale, y: (p.y - fit.y) / fit.scale };
}

export function imageToView(fit: Fit, p: Point): Point {
  return { x: fit.x + p.x * fit.scale, y: fit.y + p.y * fit.scale };
}

export function insideImage(p: Point, size: Size): boolean {
  return p.x >= 0 && p.y >= 0 && p.x <= size.width && p.y <= size.height;
}

export function clampToImage(p: Point, size: Size): Point {
  return { x: Math.min(size.width, Math.max(0, p.x)), y: Math.min(size.height, Math.max(0, p.y)) };
}

/** A press becomes a drag (box) once the pointer moved this many CSS px. */
export const DRAG_THRESHOLD = 4;

export function isDrag(start: Point, now: Point, threshold = DRAG_THRESHOLD): boolean {
  return Math.hypot(now.x - start.x, now.y - start.y) >= threshold;
}

/** The box spanned by two corners (any order), clamped to the image. */
export function boxFromCorners(a: Point, b: Point, size: Size): BoxPrompt {
  const p = clampToImage(a, size);
  const q = clampToImage(b, size);
  return { x0: Math.min(p.x, q.x), y0: Math.min(p.y, q.y), x1: Math.max(p.x, q.x), y1: Math.max(p.y, q.y) };
}

/** `size` scaled down (never up) so its long side is at most `maxSide`; sides ≥ 1, rounded. */
export function fitLongSide(size: Size, maxSide: number): Size {
  const long = Math.max(size.width, size.height);
  if (long <= maxSide) return { width: size.width, height: size.height };
  const s = maxSide / long;
  return { width: Math.max(1, Math.round(size.width * s)), height: Math.max(1, Math.round(size.height * s)) };
}

/** The size the apply pipeline works at: the source, or ≤ maxSide on the long side. */
export function workSize(source: Size, maxSide = 4096): Size {
  return fitLongSide(source, maxSide);
}

/**
 * Size of the mask preview drawn over the image: the image as shown on screen in device
 * pixels, never larger than the image, capped so one upsample stays fast (≤ 1024).
 */
export function previewMaskSize(image: Size, fit: Fit, devicePixelRatio: number, cap = 1024): Size {
  const shownLong = Math.max(image.width, image.height) * fit.scale * devicePixelRatio;
  const long = Math.max(1, Math.round(Math.min(cap, shownLong)));
  return fitLongSide(image, long);
}

/** Source pixels per work pixel on each axis. */
export function workScale(source: Size, work: Size): { x: number; y: number } {
  return { x: source.width / work.width, y: source.height / work.height };
}

/** A crop in work pixels → the same region in source pixels. */
export function rectToSource(
  crop: { x: number; y: number; width: number; height: number },
  source: Size,
  work: Size,
): { x: number; y: number; width: number; height: number } {
  const s = workScale(source, work);
  return { x: crop.x * s.x, y: crop.y * s.y, width: crop.width * s.x, height: crop.height * s.y };
}
