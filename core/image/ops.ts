import { ErrorCode, fail } from '../errors.js';
import type { GrayImage, RgbaImage } from './types.js';

/**
 * Largest image the decoders accept. A 200-megapixel image already needs 800 MB as RGBA;
 * beyond that a browser tab or a plugin iframe runs out of memory long before we finish.
 */
export const MAX_IMAGE_PIXELS = 200_000_000;

/**
 * Checks decoded dimensions before any pixel buffer is allocated, so a hostile or corrupt
 * header fails with a clear error instead of a RangeError or an out-of-memory crash.
 * `what` names the source in the message ("PNG", "JPEG").
 */
export function checkImageSize(width: number, height: number, what: string): void {
  if (!(width >= 1 && height >= 1)) {
    fail(
      ErrorCode.ImageSize,
      `The ${what} is ${width}×${height} pixels: an image needs at least 1×1 pixel. ` +
        'Export the layer again or pick another image.',
    );
  }
  const pixels = width * height;
  if (pixels > MAX_IMAGE_PIXELS) {
    fail(
      ErrorCode.ImageSize,
      `The ${what} is ${width}×${height} pixels (${(pixels / 1e6).toFixed(1)} megapixels); ` +
        `the limit is ${MAX_IMAGE_PIXELS / 1e6} megapixels. Downscale it and try again.`,
    );
  }
}

/**
 * Luma as Pillow's `convert('L')` computes it (ITU-R 601-2, fixed point with rounding), so
 * grey inputs derived here match the Python references. Alpha is ignored.
 */
export function rgbaToGray(img: RgbaImage): GrayImage {
  const { width, height, data } = img;
  const out = new Uint8Array(width * height);
  for (let i = 0, j = 0; j < out.length; i += 4, j++) {
    out[j] = (data[i] * 19595 + data[i + 1] * 38470 + data[i + 2] * 7471 + 0x8000) >>> 16;
  }
  return { width, height, data: out };
}

/** Expands a grey image to opaque RGBA (R = G = B = grey, A = 255). */
export function grayToRgba(img: GrayImage): RgbaImage {
  const { width, height, data } = img;
  const out = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i++, j += 4) {
    const v = data[i];
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
    out[j + 3] = 255;
  }
  return { width, height, data: out };
}

/** The whole-pixel rectangle (x, y, width, height) of an RGBA image, copied (it must lie inside). */
export function cropRgba(img: RgbaImage, r: { x: number; y: number; width: number; height: number }): RgbaImage {
  const { width: w, data } = img;
  const out = new Uint8Array(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) out.set(data.subarray(((r.y + y) * w + r.x) * 4, ((r.y + y) * w + r.x + r.width) * 4), y * r.width * 4);
  return { width: r.width, height: r.height, data: out };
}
