/**
 * JPEG decoding (core/image/jpeg-decoder.ts: jpeg-js's decoder, same pixels, laid out for
 * batches), with the EXIF orientation applied so pixels come out the way the editor displays
 * them.
 */
import { ErrorCode, fail } from '../errors.js';
import { applyOrientation, jpegSegments, orientedSize, readExifOrientation } from './exif.js';
import { decodeJpegPixels } from './jpeg-decoder.js';
import { MAX_IMAGE_PIXELS, checkImageSize } from './ops.js';
import type { ScratchBuffers } from './scratch.js';
import type { RgbaImage, Size } from './types.js';

export interface DecodeJpegOptions {
  /** Rotate/mirror as the EXIF orientation tag says (default true). */
  applyExifOrientation?: boolean;
  /**
   * Reuse these buffers (batches): the pixels then live in its slot 'decode.rgba' (or
   * 'exif.oriented'), valid until the next decode with the same scratch (core/image/scratch.ts).
   */
  scratch?: ScratchBuffers;
}

/** True when the bytes start with a JPEG SOI marker followed by another marker. */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** SOFn markers (frame headers): C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xffc0 && marker <= 0xffcf && marker !== 0xffc4 && marker !== 0xffc8 && marker !== 0xffcc;
}

/** Width and height as stored in the frame header (before any EXIF rotation). */
function readStoredSize(bytes: Uint8Array): Size {
  if (!isJpeg(bytes)) fail(ErrorCode.InvalidImage, 'Not a JPEG file: it does not start with the JPEG SOI marker (FF D8 FF).');
  for (const seg of jpegSegments(bytes)) {
    if (isStartOfFrame(seg.marker)) {
      if (seg.end - seg.start < 6) break;
      const height = (bytes[seg.start + 1] << 8) | bytes[seg.start + 2];
      const width = (bytes[seg.start + 3] << 8) | bytes[seg.start + 4];
      return { width, height };
    }
    if (seg.marker === 0xffda) break; // Scan data before any frame header: corrupt.
  }
  fail(
    ErrorCode.InvalidImage,
    'The JPEG file is truncated or corrupt: no frame header (SOF) was found. Export or download the image again.',
  );
}

/**
 * Displayed image size from the JPEG headers alone (frame header + EXIF orientation, so
 * orientations 5..8 swap width and height), without decoding pixels.
 */
export function readJpegSize(bytes: Uint8Array): Size {
  const stored = readStoredSize(bytes);
  if (stored.width === 0 || stored.height === 0) checkImageSize(stored.width, stored.height, 'JPEG');
  return orientedSize(stored, readExifOrientation(bytes));
}

/**
 * Decodes a baseline or progressive JPEG to RGBA (alpha 255) and applies its EXIF
 * orientation. Fails with INVALID_IMAGE if the data cannot be decoded and IMAGE_SIZE for
 * 0×0 or over-limit images (checked from the header before decoding).
 */
export function decodeJpeg(bytes: Uint8Array, options: DecodeJpegOptions = {}): RgbaImage {
  const stored = readStoredSize(bytes);
  checkImageSize(stored.width, stored.height, 'JPEG');
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = decodeJpegPixels(bytes, {
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: 4096,
      scratch: options.scratch,
    });
  } catch (e) {
    // The decoder throws plain Errors (as jpeg-js does) for unsupported or damaged data.
    const reason = e instanceof Error ? e.message : String(e);
    fail(
      ErrorCode.InvalidImage,
      `The JPEG file could not be decoded (${reason}). It may be truncated, corrupt or use an ` +
        'unsupported variant (arithmetic coding, 12-bit); re-save it as a standard JPEG or PNG.',
      e,
    );
  }
  if (decoded.width !== stored.width || decoded.height !== stored.height || decoded.data.length !== stored.width * stored.height * 4) {
    fail(ErrorCode.InvalidImage, 'The JPEG file is corrupt: the decoded pixels do not match its frame header.');
  }
  const image: RgbaImage = { width: decoded.width, height: decoded.height, data: decoded.data };
  if (options.applyExifOrientation === false) return image;
  return applyOrientation(image, readExifOrientation(bytes), options.scratch);
}
