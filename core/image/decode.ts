/**
 * One entry point for image bytes: sniff the format from its magic bytes, then decode or read
 * the size from the headers. PNG and JPEG are what editors export, WebP what the web serves
 * (and designers paste into fills); every other input gets an error naming what it looks like.
 */
import { ErrorCode, fail } from '../errors.js';
import { decodeJpeg, isJpeg, readJpegSize } from './jpeg.js';
import { checkImageSize } from './ops.js';
import { decodePng, isPng, readPngSize } from './png.js';
import type { ScratchBuffers } from './scratch.js';
import type { RgbaImage, Size } from './types.js';
import { decodeWebp, isWebp, readWebpSize } from './webp.js';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** The format from the magic bytes, undefined for anything else. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (isPng(bytes)) return 'png';
  if (isJpeg(bytes)) return 'jpeg';
  if (isWebp(bytes)) return 'webp';
  return undefined;
}

function startsWith(bytes: Uint8Array, ascii: string, at = 0): boolean {
  if (bytes.length < at + ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[at + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

/** A short human description of bytes that are not PNG, JPEG or WebP, for error messages. */
export function describeUnsupported(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file (0 bytes)';
  if (startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a')) return 'a GIF image';
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return 'a WebP image';
  if (startsWith(bytes, 'BM')) return 'a BMP image';
  if (startsWith(bytes, 'II*\0') || startsWith(bytes, 'MM\0*')) return 'a TIFF image';
  if (startsWith(bytes, 'ftyp', 4)) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (brand.startsWith('avi')) return 'an AVIF image';
    if (brand.startsWith('hei') || brand.startsWith('mif') || brand.startsWith('hev')) return 'a HEIC/HEIF image';
    return `an ISO media file (brand "${brand}")`;
  }
  if (startsWith(bytes, '8BPS')) return 'a Photoshop (PSD) file';
  if (startsWith(bytes, '%PDF')) return 'a PDF document';
  if (startsWith(bytes, '\0\0\x01\0')) return 'an ICO icon';
  if (startsWith(bytes, '\xff\x0a') || startsWith(bytes, '\0\0\0\x0cJXL ')) return 'a JPEG XL image';
  const head = String.fromCharCode(...bytes.subarray(0, 256)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'an SVG document';
  if (bytes.length < 8 && bytes[0] === 0x89) return `a ${bytes.length}-byte fragment (too short to be an image)`;
  const hex = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unrecognised data (first bytes: ${hex})`;
}

function unsupported(bytes: Uint8Array): never {
  fail(
    ErrorCode.InvalidImage,
    `Cannot read this image: it is ${describeUnsupported(bytes)}, but a PNG, JPEG or WebP is expected. ` +
      'Export the layer or convert the file to PNG or JPEG and try again.',
  );
}

function checkBytes(bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    const kind = bytes instanceof ArrayBuffer ? 'an ArrayBuffer (wrap it in new Uint8Array(...))' : typeof bytes;
    fail(ErrorCode.InvalidImage, `Image bytes must be a Uint8Array, got ${kind}.`);
  }
}

/**
 * Decodes PNG, JPEG or WebP bytes to RGBA (JPEG with its EXIF orientation applied). Fails with
 * INVALID_IMAGE for other formats and damaged files, IMAGE_SIZE for 0×0 images and images
 * above the pixel limit (checked from the header, before any pixel buffer is allocated).
 * With `scratch` (batches) the pixels may live in its buffers, valid until the next decode
 * with it (see core/image/scratch.ts).
 */
export function decodeImage(bytes: Uint8Array, options: { scratch?: ScratchBuffers } = {}): RgbaImage {
  checkBytes(bytes);
  const format = detectImageFormat(bytes);
  if (format === undefined) unsupported(bytes);
  const size = readImageSize(bytes);
  checkImageSize(size.width, size.height, format === 'png' ? 'PNG' : format === 'jpeg' ? 'JPEG' : 'WebP');
  if (format === 'webp') return decodeWebp(bytes);
  return format === 'png' ? decodePng(bytes, { scratch: options.scratch }) : decodeJpeg(bytes, { scratch: options.scratch });
}

/**
 * The size decodeImage would return, from the headers alone (PNG IHDR; JPEG frame header
 * with EXIF orientations 5..8 swapping width and height). Reports sizes above the pixel
 * limit as they are, so a caller can explain or downscale; 0×0 is an IMAGE_SIZE error.
 */
export function readImageSize(bytes: Uint8Array): Size {
  checkBytes(bytes);
  const format = detectImageFormat(bytes);
  if (format === 'png') return readPngSize(bytes);
  if (format === 'jpeg') return readJpegSize(bytes);
  if (format === 'webp') return readWebpSize(bytes);
  unsupported(bytes);
}
