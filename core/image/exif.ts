/**
 * JPEG header walking and EXIF orientation.
 *
 * Cameras store pixels as the sensor saw them and record the rotation in EXIF tag 0x0112;
 * editors, browsers and Pillow's `ImageOps.exif_transpose` show the rotated image, so we
 * apply the same rotation right after decoding. Malformed metadata never blocks decoding:
 * it reads as orientation 1 (as stored).
 */
import { ErrorCode, fail } from '../errors.js';
import { scratchU8, type ScratchBuffers } from './scratch.js';
import type { RgbaImage, Size } from './types.js';

/** One marker segment of a JPEG header: payload is bytes[start, end). */
export interface JpegSegment {
  marker: number;
  /** Offset of the 0xFF that starts the marker. */
  offset: number;
  start: number;
  end: number;
}

/**
 * The header segments of a JPEG, in order, up to and including SOS (after which the
 * entropy-coded data begins). Stops quietly at the first malformed or truncated segment;
 * callers decide whether what they were looking for was found.
 */
export function* jpegSegments(bytes: Uint8Array): Generator<JpegSegment> {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return;
  let pos = 2;
  while (pos < bytes.length) {
    // Skip stray bytes between segments (libjpeg tolerates them too), then fill bytes.
    while (pos < bytes.length && bytes[pos] !== 0xff) pos++;
    const offset = pos;
    while (pos < bytes.length && bytes[pos] === 0xff) pos++;
    if (pos >= bytes.length) return;
    const marker = 0xff00 | bytes[pos++];
    if (marker === 0xffd9) return; // EOI
    // Standalone markers carry no length: SOI, TEM, RSTn.
    if (marker === 0xffd8 || marker === 0xff01 || (marker >= 0xffd0 && marker <= 0xffd7)) continue;
    if (pos + 2 > bytes.length) return;
    const length = (bytes[pos] << 8) | bytes[pos + 1];
    if (length < 2 || pos + length > bytes.length) return;
    yield { marker, offset, start: pos + 2, end: pos + length };
    if (marker === 0xffda) return; // SOS
    pos += length;
  }
}

/** SOFn markers (frame headers): C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
export function isStartOfFrame(marker: number): boolean {
  return marker >= 0xffc0 && marker <= 0xffcf && marker !== 0xffc4 && marker !== 0xffc8 && marker !== 0xffcc;
}

/**
 * Width and height as the frame header stores them (before any EXIF rotation); null when no
 * frame header comes before the scan data (truncated or corrupt). Header only: no decoder.
 */
export function readJpegFrameSize(bytes: Uint8Array): Size | null {
  for (const seg of jpegSegments(bytes)) {
    if (isStartOfFrame(seg.marker)) {
      if (seg.end - seg.start < 6) return null;
      return { height: (bytes[seg.start + 1] << 8) | bytes[seg.start + 2], width: (bytes[seg.start + 3] << 8) | bytes[seg.start + 4] };
    }
    if (seg.marker === 0xffda) return null;
  }
  return null;
}

/**
 * Orientation (1..8) from a TIFF-structured EXIF block (the bytes after "Exif\0\0").
 * Returns 1 when the tag is absent or anything is malformed.
 */
export function parseExifOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  let little: boolean;
  if (tiff[0] === 0x49 && tiff[1] === 0x49) little = true;
  else if (tiff[0] === 0x4d && tiff[1] === 0x4d) little = false;
  else return 1;
  const u16 = (o: number) => (little ? tiff[o] | (tiff[o + 1] << 8) : (tiff[o] << 8) | tiff[o + 1]);
  const u32 = (o: number) =>
    little
      ? (tiff[o] | (tiff[o + 1] << 8) | (tiff[o + 2] << 16) | (tiff[o + 3] << 24)) >>> 0
      : ((tiff[o] << 24) | (tiff[o + 1] << 16) | (tiff[o + 2] << 8) | tiff[o + 3]) >>> 0;
  if (u16(2) !== 42) return 1;
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (u16(entry) !== 0x0112) continue;
    const type = u16(entry + 2);
    // SHORT is what the standard says; a few writers use LONG.
    const value = type === 3 ? u16(entry + 8) : type === 4 ? u32(entry + 8) : 0;
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

/** EXIF orientation (1..8) of a JPEG, read from its APP1 "Exif" segment; 1 if none. */
export function readExifOrientation(jpegBytes: Uint8Array): number {
  for (const seg of jpegSegments(jpegBytes)) {
    if (seg.marker !== 0xffe1 || seg.end - seg.start < 14) continue;
    const b = jpegBytes;
    const s = seg.start;
    // "Exif\0\0"; other APP1 segments (XMP) are skipped.
    if (b[s] === 0x45 && b[s + 1] === 0x78 && b[s + 2] === 0x69 && b[s + 3] === 0x66 && b[s + 4] === 0 && b[s + 5] === 0) {
      return parseExifOrientation(b.subarray(s + 6, seg.end));
    }
  }
  return 1;
}

/** The displayed size of a stored `size` under `orientation`: 5..8 swap width and height. */
export function orientedSize(size: Size, orientation: number): Size {
  return orientation >= 5 && orientation <= 8 ? { width: size.height, height: size.width } : { width: size.width, height: size.height };
}

/**
 * Rotates/mirrors pixels as EXIF `orientation` prescribes, giving the image as it should be
 * displayed (the same result as Pillow's `ImageOps.exif_transpose`):
 * 1 as stored · 2 mirror left-right · 3 rotate 180° · 4 mirror top-bottom ·
 * 5 transpose · 6 rotate 90° clockwise · 7 transverse · 8 rotate 90° counter-clockwise.
 * Orientation 1 returns the input object itself. With `scratch` (batches) the result is its
 * slot 'exif.oriented', valid until the next call with it.
 */
export function applyOrientation(img: RgbaImage, orientation: number, scratch?: ScratchBuffers): RgbaImage {
  if (!Number.isInteger(orientation) || orientation < 1 || orientation > 8) {
    fail(ErrorCode.InvalidOption, `EXIF orientation must be an integer from 1 to 8, got ${orientation}.`);
  }
  if (orientation === 1) return img;
  const { width: w, height: h } = img;
  const n = w * h;
  // Move whole pixels as 32-bit words; Uint32Array needs a 4-byte aligned offset.
  const data = img.data.byteOffset % 4 === 0 ? img.data : img.data.slice();
  const src = new Uint32Array(data.buffer, data.byteOffset, n);
  // With `scratch`: its slot 'exif.oriented' (every pixel is written).
  const out = scratchU8(scratch, 'exif.oriented', n * 4);
  const dst = new Uint32Array(out.buffer, 0, n);
  const { width: ow, height: oh } = orientedSize(img, orientation);
  // For each output row: where its first pixel comes from, and the step to the next one.
  for (let yo = 0, o = 0; yo < oh; yo++) {
    let s: number;
    let step: number;
    switch (orientation) {
      case 2: s = yo * w + w - 1; step = -1; break;
      case 3: s = (h - 1 - yo) * w + w - 1; step = -1; break;
      case 4: s = (h - 1 - yo) * w; step = 1; break;
      case 5: s = yo; step = w; break;
      case 6: s = (h - 1) * w + yo; step = -w; break;
      case 7: s = (h - 1) * w + w - 1 - yo; step = -w; break;
      default: s = w - 1 - yo; step = w; break; // 8
    }
    for (let xo = 0; xo < ow; xo++, o++, s += step) dst[o] = src[s];
  }
  return { width: ow, height: oh, data: out };
}
