/**
 * WebP headers (lossy VP8, lossless VP8L, extended VP8X): size and animation from the RIFF
 * chunks alone, without the decoder, so the plugin's host code can check a fill cheaply.
 */
import { ErrorCode, fail } from '../errors.js';
import { checkImageSize } from './ops.js';
import type { Size } from './types.js';

function ascii(bytes: Uint8Array, at: number, text: string): boolean {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** True for a RIFF file of form WEBP. */
export function isWebp(bytes: Uint8Array): boolean {
  return ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP');
}

export function damagedWebp(what: string): never {
  fail(ErrorCode.InvalidImage, `The WebP file is truncated or corrupt (${what}). Export or download the image again.`);
}

/** The canvas size and whether it is animated, from the first chunk. */
export function readWebpHeader(bytes: Uint8Array): Size & { animated: boolean } {
  if (!isWebp(bytes)) fail(ErrorCode.InvalidImage, 'Not a WebP file: it does not start with RIFF....WEBP.');
  if (bytes.length < 30) damagedWebp('no image header');
  const at = 12;
  const b = (i: number) => bytes[at + 8 + i]!;
  if (ascii(bytes, at, 'VP8X')) {
    // Flags, 3 reserved bytes, then canvas width-1 and height-1 as 24-bit little endian.
    const animated = (b(0) & 0x02) !== 0;
    return { width: 1 + (b(4) | (b(5) << 8) | (b(6) << 16)), height: 1 + (b(7) | (b(8) << 8) | (b(9) << 16)), animated };
  }
  if (ascii(bytes, at, 'VP8L')) {
    if (b(0) !== 0x2f) damagedWebp('bad lossless signature');
    // 14 bits width-1, 14 bits height-1, little endian bit order.
    const bits = b(1) | (b(2) << 8) | (b(3) << 16) | (b(4) << 24);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff), animated: false };
  }
  if (ascii(bytes, at, 'VP8 ')) {
    // A 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height (2 bits of scale).
    if (b(3) !== 0x9d || b(4) !== 0x01 || b(5) !== 0x2a) damagedWebp('bad lossy start code');
    return { width: (b(6) | (b(7) << 8)) & 0x3fff, height: (b(8) | (b(9) << 8)) & 0x3fff, animated: false };
  }
  return damagedWebp(`unknown first chunk "${String.fromCharCode(...bytes.subarray(at, at + 4))}"`);
}

/** The image size from the headers alone. */
export function readWebpSize(bytes: Uint8Array): Size {
  const { width, height } = readWebpHeader(bytes);
  if (width === 0 || height === 0) checkImageSize(width, height, 'WebP');
  return { width, height };
}

/** True for an animated WebP (VP8X with the animation flag). */
export function isAnimatedWebp(bytes: Uint8Array): boolean {
  return isWebp(bytes) && ascii(bytes, 12, 'VP8X') && bytes.length > 20 && (bytes[20]! & 0x02) !== 0;
}
