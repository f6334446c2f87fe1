/**
 * WebP (lossy VP8, lossless VP8L, and the extended VP8X container with alpha): the size from
 * the RIFF headers, the pixels from libwebp (core/image/wasm-codecs.ts). Animated WebP is
 * refused with a message: a cutout needs one frame.
 */
import { ErrorCode, fail } from '../errors.js';
import { checkImageSize } from './ops.js';
import type { RgbaImage, Size } from './types.js';
import { wasmDecoders } from './wasm-codecs.js';

function ascii(bytes: Uint8Array, at: number, text: string): boolean {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** True for a RIFF file of form WEBP. */
export function isWebp(bytes: Uint8Array): boolean {
  return ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP');
}

function damaged(what: string): never {
  fail(ErrorCode.InvalidImage, `The WebP file is truncated or corrupt (${what}). Export or download the image again.`);
}

/** The canvas size and whether it is animated, from the first chunk. */
function readHeader(bytes: Uint8Array): Size & { animated: boolean } {
  if (!isWebp(bytes)) fail(ErrorCode.InvalidImage, 'Not a WebP file: it does not start with RIFF....WEBP.');
  if (bytes.length < 30) damaged('no image header');
  const at = 12;
  const b = (i: number) => bytes[at + 8 + i]!;
  if (ascii(bytes, at, 'VP8X')) {
    // Flags, 3 reserved bytes, then canvas width-1 and height-1 as 24-bit little endian.
    const animated = (b(0) & 0x02) !== 0;
    return { width: 1 + (b(4) | (b(5) << 8) | (b(6) << 16)), height: 1 + (b(7) | (b(8) << 8) | (b(9) << 16)), animated };
  }
  if (ascii(bytes, at, 'VP8L')) {
    if (b(0) !== 0x2f) damaged('bad lossless signature');
    // 14 bits width-1, 14 bits height-1, little endian bit order.
    const bits = b(1) | (b(2) << 8) | (b(3) << 16) | (b(4) << 24);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff), animated: false };
  }
  if (ascii(bytes, at, 'VP8 ')) {
    // A 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height (2 bits of scale).
    if (b(3) !== 0x9d || b(4) !== 0x01 || b(5) !== 0x2a) damaged('bad lossy start code');
    return { width: (b(6) | (b(7) << 8)) & 0x3fff, height: (b(8) | (b(9) << 8)) & 0x3fff, animated: false };
  }
  return damaged(`unknown first chunk "${String.fromCharCode(...bytes.subarray(at, at + 4))}"`);
}

/** The image size from the headers alone. */
export function readWebpSize(bytes: Uint8Array): Size {
  const { width, height } = readHeader(bytes);
  if (width === 0 || height === 0) checkImageSize(width, height, 'WebP');
  return { width, height };
}

/** True for an animated WebP (VP8X with the animation flag). */
export function isAnimatedWebp(bytes: Uint8Array): boolean {
  return isWebp(bytes) && ascii(bytes, 12, 'VP8X') && bytes.length > 20 && (bytes[20]! & 0x02) !== 0;
}

/** Decodes a still WebP to RGBA. INVALID_IMAGE for animated or damaged files, IMAGE_SIZE above the limit. */
export function decodeWebp(bytes: Uint8Array): RgbaImage {
  const header = readHeader(bytes);
  checkImageSize(header.width, header.height, 'WebP');
  if (header.animated) {
    fail(ErrorCode.InvalidImage, 'This WebP image is animated; Cutout needs a still image. Export one frame as PNG and try again.');
  }
  const { pixels } = wasmDecoders().webp(bytes);
  if (!pixels || pixels.width !== header.width || pixels.height !== header.height || pixels.data.length !== header.width * header.height * 4) {
    damaged('libwebp could not decode it');
  }
  return { width: pixels.width, height: pixels.height, data: pixels.data };
}
