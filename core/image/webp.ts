/**
 * WebP decoding by libwebp (core/image/wasm-codecs.ts). Animated WebP is refused with a
 * message: a cutout needs one frame.
 */
import { ErrorCode, fail } from '../errors.js';
import { checkImageSize } from './ops.js';
import type { RgbaImage } from './types.js';
import { wasmDecoders } from './wasm-codecs.js';
import { damagedWebp, readWebpHeader } from './webp-header.js';

export { isAnimatedWebp, isWebp, readWebpSize } from './webp-header.js';

/** Decodes a still WebP to RGBA. INVALID_IMAGE for animated or damaged files, IMAGE_SIZE above the limit. */
export function decodeWebp(bytes: Uint8Array): RgbaImage {
  const header = readWebpHeader(bytes);
  checkImageSize(header.width, header.height, 'WebP');
  if (header.animated) {
    fail(ErrorCode.InvalidImage, 'This WebP image is animated; Cutout needs a still image. Export one frame as PNG and try again.');
  }
  const { pixels } = wasmDecoders().webp(bytes);
  if (!pixels || pixels.width !== header.width || pixels.height !== header.height || pixels.data.length !== header.width * header.height * 4) {
    damagedWebp('libwebp could not decode it');
  }
  return { width: pixels.width, height: pixels.height, data: pixels.data };
}
