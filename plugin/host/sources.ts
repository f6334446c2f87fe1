/**
 * Source reading rules every host shares: whether original image bytes can stand for what the
 * layer shows, and the note the UI gets when a rendering is used instead.
 */
import { ErrorCode, fail } from '../../core/errors.js';
// Header readers only: core/image/jpeg.ts would pull the jpeg-js decoder (~70 kB) into the plugin code.
import { readExifOrientation } from '../../core/image/exif.js';
import { isPng, readPngSize } from '../../core/image/png.js';
import { MAX_IMAGE_SIDE, type Size } from './placement.js';

/**
 * The pixel size of an image fill's original bytes, or why they cannot be used: only PNG or
 * JPEG; a PNG must have the size the editor reports; a JPEG must not carry an EXIF rotation
 * (then the stored pixels are what the editor shows, at its reported size).
 */
export function checkFillBytes(bytes: Uint8Array, reported: Size, editor: string): { size: Size } | { reason: string } {
  if (isPng(bytes)) {
    const size = readPngSize(bytes);
    if (size.width !== reported.width || size.height !== reported.height) return { reason: `the image file does not match the size ${editor} shows` };
    return { size };
  }
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    if (readExifOrientation(bytes) !== 1) return { reason: 'the photo carries an EXIF rotation' };
    return { size: { width: reported.width, height: reported.height } };
  }
  return { reason: 'the image is not a PNG or JPEG (other formats are rendered)' };
}

/** The note shown with a source read from a rendering. */
export function exportNote(scale: number, reason?: string): string | undefined {
  const notes: string[] = [];
  if (reason) notes.push(`Using a rendering of the layer because ${reason}.`);
  if (scale < 1) notes.push(`Rendered at ${Math.round(scale * 100)}% to stay within ${MAX_IMAGE_SIDE} px.`);
  return notes.length ? notes.join(' ') : undefined;
}

/** A rendering the editor returned, checked: a PNG within MAX_IMAGE_SIDE. */
export function checkExport(bytes: unknown, name: string, editor: string): Size {
  if (!(bytes instanceof Uint8Array) || !isPng(bytes)) fail(ErrorCode.InvalidImage, `${editor} did not return a PNG for “${name}”.`);
  const px = readPngSize(bytes);
  if (px.width > MAX_IMAGE_SIDE || px.height > MAX_IMAGE_SIDE) {
    fail(ErrorCode.ImageSize, `${editor} rendered “${name}” at ${px.width}×${px.height} px, above the ${MAX_IMAGE_SIDE} px limit.`);
  }
  return px;
}
