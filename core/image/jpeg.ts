/**
 * JPEG decoding (MozJPEG's libjpeg-turbo decoder as wasm, core/image/wasm-codecs.ts: the same
 * pixels as the reference's libjpeg-turbo), with the EXIF orientation applied so pixels come
 * out the way the editor displays them.
 */
import { ErrorCode, fail } from '../errors.js';
import { applyOrientation, isStartOfFrame, jpegSegments, orientedSize, readExifOrientation } from './exif.js';
import { checkImageSize } from './ops.js';
import type { ScratchBuffers } from './scratch.js';
import type { RgbaImage, Size } from './types.js';
import { wasmDecoders } from './wasm-codecs.js';

export interface DecodeJpegOptions {
  /** Rotate/mirror as the EXIF orientation tag says (default true). */
  applyExifOrientation?: boolean;
  /**
   * Reuse these buffers (batches) for the EXIF rotation: the pixels may then live in its slot
   * 'exif.oriented', valid until the next decode with the same scratch (core/image/scratch.ts).
   */
  scratch?: ScratchBuffers;
}

/** True when the bytes start with a JPEG SOI marker followed by another marker. */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
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
 * Rejects a Huffman-coded frame whose declared size no data of this length could fill,
 * before the decoder allocates its coefficient planes (256 bytes per 8×8 block): a few
 * hundred bytes claiming 14000×14000 would otherwise cost gigabytes and seconds first.
 *
 * Bound: every block of a component has its DC coded at least once (baseline, or a
 * progressive DC-first scan), and a Huffman code is at least one bit; so the entropy-coded
 * data, which lies after the first SOS, holds at least one bit per block of the component
 * with the most blocks. Arithmetic-coded frames (which can go below a bit per block) are
 * left to the decoder, which refuses them anyway.
 */
function checkDataCanFillFrame(bytes: Uint8Array): void {
  let frame: { width: number; height: number; blocks: number } | undefined;
  for (const seg of jpegSegments(bytes)) {
    if (isStartOfFrame(seg.marker)) {
      if (seg.marker > 0xffc2 || seg.end - seg.start < 6) return;
      const b = bytes;
      const height = (b[seg.start + 1] << 8) | b[seg.start + 2];
      const width = (b[seg.start + 3] << 8) | b[seg.start + 4];
      const count = b[seg.start + 5];
      if (seg.end - seg.start < 6 + 3 * count || count === 0) return; // the decoder explains
      const factors: Array<[number, number]> = [];
      for (let i = 0; i < count; i++) {
        const hv = b[seg.start + 6 + 3 * i + 1];
        factors.push([Math.max(1, hv >> 4), Math.max(1, hv & 15)]);
      }
      const maxH = Math.max(...factors.map((f) => f[0]));
      const maxV = Math.max(...factors.map((f) => f[1]));
      const bw = Math.ceil(width / 8);
      const bh = Math.ceil(height / 8);
      const blocks = Math.max(...factors.map(([h, v]) => Math.ceil((bw * h) / maxH) * Math.ceil((bh * v) / maxV)));
      frame = { width, height, blocks };
    } else if (seg.marker === 0xffda) {
      if (!frame) return;
      const available = bytes.length - seg.end;
      const needed = Math.ceil(frame.blocks / 8);
      if (available < needed) {
        fail(
          ErrorCode.InvalidImage,
          `The JPEG file is corrupt or truncated: its header says ${frame.width}×${frame.height}, which needs at least ` +
            `${needed} bytes of image data, but only ${Math.max(0, available)} follow. Export or download the image again.`,
        );
      }
      return;
    }
  }
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
  checkDataCanFillFrame(bytes);
  const { pixels: decoded, warnings } = wasmDecoders().jpeg(bytes);
  if (!decoded || warnings.length > 0) {
    // libjpeg would go on past damage with grey blocks; the reference (PIL) refuses a
    // truncated file, and a cutout of half-grey pixels is no use either.
    const reason = warnings.length > 0 ? ` (${warnings[0]!.trim()})` : '';
    fail(
      ErrorCode.InvalidImage,
      `The JPEG file could not be decoded${reason}: it may be truncated, corrupt or use an unsupported variant ` +
        '(12-bit, or CMYK); re-save it as a standard JPEG or PNG.',
    );
  }
  if (decoded.width !== stored.width || decoded.height !== stored.height || decoded.data.length !== stored.width * stored.height * 4) {
    fail(ErrorCode.InvalidImage, 'The JPEG file is corrupt: the decoded pixels do not match its frame header.');
  }
  const image: RgbaImage = { width: decoded.width, height: decoded.height, data: decoded.data };
  if (options.applyExifOrientation === false) return image;
  return applyOrientation(image, readExifOrientation(bytes), options.scratch);
}
