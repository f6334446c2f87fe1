import { zlibSync } from 'fflate';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { CutoutError, ErrorCode } from '../../core/errors.js';
import { decodeImage, describeUnsupported, detectImageFormat, readImageSize } from '../../core/image/decode.js';
import { encodePng } from '../../core/image/png.js';
import { SIGNATURE, chunk, concat, ihdr } from './png-builder.js';

function errorOf(fn: () => unknown): CutoutError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CutoutError);
    return e as CutoutError;
  }
  throw new Error('expected an error');
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function smallJpeg(width = 16, height = 8): Uint8Array {
  const data = new Uint8Array(width * height * 4).fill(200);
  return new Uint8Array(jpeg.encode({ width, height, data }, 90).data);
}

/** Overwrites the SOF0 width/height of a JPEG. */
function patchJpegSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const out = bytes.slice();
  const sof = out.findIndex((b, i) => b === 0xff && out[i + 1] === 0xc0);
  out.set([height >> 8, height & 0xff, width >> 8, width & 0xff], sof + 5);
  return out;
}

/** JPEG with an EXIF APP1 holding only an orientation tag. */
function withOrientation(bytes: Uint8Array, orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const payload = [...ascii('Exif\0\0'), ...tiff];
  const seg = [0xff, 0xe1, 0, payload.length + 2, ...payload];
  return Uint8Array.from([0xff, 0xd8, ...seg, ...bytes.subarray(2)]);
}

describe('format detection', () => {
  it('recognises PNG, JPEG and WebP by magic bytes', () => {
    expect(detectImageFormat(encodePng({ width: 1, height: 1, data: new Uint8Array(4) }))).toBe('png');
    expect(detectImageFormat(smallJpeg())).toBe('jpeg');
    expect(detectImageFormat(ascii('RIFF\x10\x00\x00\x00WEBPVP8 '))).toBe('webp');
    expect(detectImageFormat(ascii('GIF89a'))).toBeUndefined();
  });

  const others: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /empty file/],
    ['GIF', ascii('GIF89a\x01\x00\x01\x00\x00\x00\x00'), /GIF/],
    ['BMP', ascii('BM\x00\x00\x00\x00'), /BMP/],
    ['TIFF', ascii('II*\x00\x08\x00\x00\x00'), /TIFF/],
    ['HEIC', ascii('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00'), /HEIC/],
    ['AVIF', ascii('\x00\x00\x00\x18ftypavif\x00\x00\x00\x00'), /AVIF/],
    ['SVG', ascii('  <svg xmlns="http://www.w3.org/2000/svg"></svg>'), /SVG/],
    ['PDF', ascii('%PDF-1.7'), /PDF/],
    ['random', Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) % 256), /unrecognised data \(first bytes: 07 9e/],
  ];
  for (const [name, bytes, pattern] of others) {
    it(`${name} → INVALID_IMAGE naming it and asking for PNG, JPEG or WebP`, () => {
      expect(describeUnsupported(bytes)).toMatch(pattern);
      for (const fn of [() => decodeImage(bytes), () => readImageSize(bytes)]) {
        const e = errorOf(fn);
        expect(e.code).toBe(ErrorCode.InvalidImage);
        expect(e.message).toMatch(pattern);
        expect(e.message).toMatch(/a PNG, JPEG or WebP is expected/);
      }
    });
  }

  it('rejects non-Uint8Array input clearly', () => {
    const e = errorOf(() => decodeImage(new ArrayBuffer(8) as unknown as Uint8Array));
    expect(e.code).toBe(ErrorCode.InvalidImage);
    expect(e.message).toMatch(/Uint8Array/);
  });
});

describe('decodeImage', () => {
  it('decodes 1×1 PNG and JPEG', () => {
    const png = decodeImage(encodePng({ width: 1, height: 1, data: Uint8Array.from([9, 8, 7, 6]) }));
    expect(png).toEqual({ width: 1, height: 1, data: Uint8Array.from([9, 8, 7, 6]) });
    const jpg = decodeImage(smallJpeg(1, 1));
    expect([jpg.width, jpg.height, jpg.data.length]).toEqual([1, 1, 4]);
  });

  it('applies the JPEG EXIF orientation, and readImageSize agrees', () => {
    const rotated = withOrientation(smallJpeg(16, 8), 6);
    expect(readImageSize(rotated)).toEqual({ width: 8, height: 16 });
    const img = decodeImage(rotated);
    expect([img.width, img.height]).toEqual([8, 16]);
    expect(readImageSize(withOrientation(smallJpeg(16, 8), 3))).toEqual({ width: 16, height: 8 });
  });

  it('0×0 images are IMAGE_SIZE (PNG and JPEG)', () => {
    const png = concat([SIGNATURE, ihdr(0, 0, 8, 2), chunk('IEND', new Uint8Array(0))]);
    expect(errorOf(() => decodeImage(png)).code).toBe(ErrorCode.ImageSize);
    expect(errorOf(() => readImageSize(png)).code).toBe(ErrorCode.ImageSize);
    const jpg = patchJpegSize(smallJpeg(), 0, 0);
    expect(errorOf(() => decodeImage(jpg)).code).toBe(ErrorCode.ImageSize);
    expect(errorOf(() => readImageSize(jpg)).code).toBe(ErrorCode.ImageSize);
  });

  it('refuses images above 200 megapixels before allocating, but reports their size', () => {
    const idat = chunk('IDAT', zlibSync(new Uint8Array(1000)));
    const png = concat([SIGNATURE, ihdr(20000, 15000, 8, 6), idat, chunk('IEND', new Uint8Array(0))]);
    expect(readImageSize(png)).toEqual({ width: 20000, height: 15000 });
    const e = errorOf(() => decodeImage(png));
    expect(e.code).toBe(ErrorCode.ImageSize);
    expect(e.message).toMatch(/300\.0 megapixels.*limit is 200/);

    const jpg = patchJpegSize(smallJpeg(), 60000, 60000);
    expect(readImageSize(jpg)).toEqual({ width: 60000, height: 60000 });
    expect(errorOf(() => decodeImage(jpg)).code).toBe(ErrorCode.ImageSize);
  });

  it('decodes a genuine 10000×8000 (80 MP) grey PNG of zeros without running out of memory', () => {
    const width = 10000;
    const height = 8000;
    // Filter byte 0 + zeros for every row compresses to a few tens of kilobytes.
    const idat = zlibSync(new Uint8Array(height * (width + 1)), { level: 9 });
    expect(idat.length).toBeLessThan(200_000);
    const png = concat([SIGNATURE, ihdr(width, height, 8, 0), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
    expect(readImageSize(png)).toEqual({ width, height });
    const img = decodeImage(png);
    expect([img.width, img.height, img.data.length]).toEqual([width, height, width * height * 4]);
    // Spot checks: black, opaque.
    for (const i of [0, 12345 * 4, (width * height - 1) * 4]) expect(Array.from(img.data.subarray(i, i + 4))).toEqual([0, 0, 0, 255]);
    // Output (320 MB) plus the inflated rows (80 MB) and small change: nowhere near a crash.
    expect(process.memoryUsage().arrayBuffers).toBeLessThan(1.2e9);
  });

  it('truncated PNG and JPEG are INVALID_IMAGE', () => {
    const png = encodePng({ width: 8, height: 8, data: Uint8Array.from({ length: 256 }, (_, i) => (i * 37) % 256) });
    expect(errorOf(() => decodeImage(png.subarray(0, png.length - 20))).code).toBe(ErrorCode.InvalidImage);
    const jpg = smallJpeg(32, 32);
    expect(errorOf(() => decodeImage(jpg.subarray(0, jpg.length - 30))).code).toBe(ErrorCode.InvalidImage);
  });
});
