/**
 * A cutout PNG limited to the part of the source a layer shows, for hosts whose image fills
 * cannot crop (Penpot): the PNG covers `rect` (source pixels, possibly downscaled), the layer
 * shows `shown`.
 */
import { ErrorCode, fail } from '../errors.js';
import { cropRgba } from '../image/ops.js';
import { decodePng, encodePng } from '../image/png.js';

/** A rectangle in source pixels (may be fractional). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The whole PNG pixels inside `shown` (rounded inwards, so nothing shows beyond the layer) and
 * the source rectangle they cover. The PNG comes back untouched when it lies inside already.
 */
export function cropCutoutToShown(png: Uint8Array, rect: Rect, shown: Rect): { png: Uint8Array; cover: Rect } {
  const img = decodePng(png);
  const sx = img.width / rect.width;
  const sy = img.height / rect.height;
  const eps = 1e-6;
  const x0 = Math.max(0, Math.ceil((shown.x - rect.x) * sx - eps));
  const y0 = Math.max(0, Math.ceil((shown.y - rect.y) * sy - eps));
  const x1 = Math.min(img.width, Math.floor((shown.x + shown.width - rect.x) * sx + eps));
  const y1 = Math.min(img.height, Math.floor((shown.y + shown.height - rect.y) * sy + eps));
  if (x0 === 0 && y0 === 0 && x1 === img.width && y1 === img.height) return { png, cover: rect };
  if (!(x1 > x0 && y1 > y0)) fail(ErrorCode.InvalidOption, 'The cutout lies outside the part of the layer that is visible.');
  return {
    png: encodePng(cropRgba(img, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 })),
    cover: { x: rect.x + x0 / sx, y: rect.y + y0 / sy, width: (x1 - x0) / sx, height: (y1 - y0) / sy },
  };
}
