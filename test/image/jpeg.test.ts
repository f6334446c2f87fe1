import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { CutoutError, ErrorCode } from '../../core/errors.js';
import { applyOrientation, orientedSize, parseExifOrientation, readExifOrientation } from '../../core/image/exif.js';
import { decodeJpeg, isJpeg, readJpegSize } from '../../core/image/jpeg.js';
import type { RgbaImage } from '../../core/image/types.js';

function encodeJpeg(img: RgbaImage, quality = 95): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: img.width, height: img.height, data: img.data }, quality).data);
}

/** TIFF block holding one IFD0 entry: Orientation (0x0112) as SHORT, either byte order. */
function exifTiff(orientation: number, littleEndian: boolean, extraEntriesBefore = 0): Uint8Array {
  const entries = extraEntriesBefore + 1;
  const tiff = new Uint8Array(8 + 2 + entries * 12 + 4);
  const v = new DataView(tiff.buffer);
  tiff.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  v.setUint16(2, 42, littleEndian);
  v.setUint32(4, 8, littleEndian);
  v.setUint16(8, entries, littleEndian);
  for (let i = 0; i < entries; i++) {
    const e = 10 + i * 12;
    const last = i === entries - 1;
    v.setUint16(e, last ? 0x0112 : 0x010f, littleEndian); // 0x010F Make, as a decoy before it.
    v.setUint16(e + 2, last ? 3 : 2, littleEndian);
    v.setUint32(e + 4, last ? 1 : 4, littleEndian);
    if (last) v.setUint16(e + 8, orientation, littleEndian);
    else tiff.set([0x41, 0x42, 0x43, 0], e + 8);
  }
  return tiff; // Next-IFD offset stays 0.
}

/** The JPEG with an APP1 "Exif\0\0" + tiff segment inserted right after SOI. */
function withExif(jpegBytes: Uint8Array, tiff: Uint8Array): Uint8Array {
  const payload = new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]);
  const seg = new Uint8Array([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload]);
  const out = new Uint8Array(jpegBytes.length + seg.length);
  out.set(jpegBytes.subarray(0, 2), 0);
  out.set(seg, 2);
  out.set(jpegBytes.subarray(2), 2 + seg.length);
  return out;
}

/** 64×32 image of four flat quadrants: red (TL), green (TR), blue (BL), white (BR). */
const QUAD_COLOURS = { TL: [255, 0, 0], TR: [0, 255, 0], BL: [0, 0, 255], BR: [255, 255, 255] } as const;
function quadrants(): RgbaImage {
  const w = 64;
  const h = 32;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = y < 16 ? (x < 32 ? QUAD_COLOURS.TL : QUAD_COLOURS.TR) : x < 32 ? QUAD_COLOURS.BL : QUAD_COLOURS.BR;
      data.set([...c, 255], (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data };
}

function pixel(img: RgbaImage, x: number, y: number): number[] {
  return Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3));
}

function expectNear(actual: number[], expected: readonly number[], tolerance: number): void {
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance));
}

describe('decodeJpeg', () => {
  it('decodes what jpeg-js encoded, within JPEG tolerance', () => {
    const w = 48;
    const h = 40;
    const data = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x * 5, y * 6, 128 + ((x - y) >> 1), 255], (y * w + x) * 4);
    const bytes = encodeJpeg({ width: w, height: h, data }, 95);
    expect(isJpeg(bytes)).toBe(true);
    expect(readJpegSize(bytes)).toEqual({ width: w, height: h });
    const img = decodeJpeg(bytes);
    expect([img.width, img.height]).toEqual([w, h]);
    let maxDiff = 0;
    let sum = 0;
    for (let i = 0; i < data.length; i++) {
      const d = Math.abs(img.data[i] - data[i]);
      maxDiff = Math.max(maxDiff, d);
      sum += d;
    }
    expect(maxDiff).toBeLessThanOrEqual(12);
    expect(sum / data.length).toBeLessThan(2);
    for (let i = 3; i < img.data.length; i += 4) expect(img.data[i]).toBe(255);
  });

  it('decodes a 1×1 JPEG', () => {
    const img = decodeJpeg(encodeJpeg({ width: 1, height: 1, data: Uint8Array.from([200, 100, 50, 255]) }));
    expect([img.width, img.height]).toEqual([1, 1]);
    expectNear(pixel(img, 0, 0), [200, 100, 50], 6);
  });

  it('fails on truncated or corrupt data with INVALID_IMAGE', () => {
    const bytes = encodeJpeg(quadrants());
    for (const n of [3, 20, 100, 300, bytes.length - 40]) {
      const e = (() => {
        try {
          decodeJpeg(bytes.subarray(0, n));
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e, `truncated at ${n}`).toBeInstanceOf(CutoutError);
      expect((e as CutoutError).code).toBe(ErrorCode.InvalidImage);
    }
    expect(() => decodeJpeg(new Uint8Array([1, 2, 3, 4]))).toThrow(/Not a JPEG/);
  });

  it('a 0×0 frame header is IMAGE_SIZE', () => {
    const bytes = encodeJpeg(quadrants()).slice();
    const sof = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
    bytes.fill(0, sof + 5, sof + 9); // height, width
    expect(() => decodeJpeg(bytes)).toThrow(expect.objectContaining({ code: ErrorCode.ImageSize }));
    expect(() => readJpegSize(bytes)).toThrow(expect.objectContaining({ code: ErrorCode.ImageSize }));
  });
});

describe('EXIF orientation', () => {
  const base = encodeJpeg(quadrants(), 95);

  it('reads the tag in both byte orders and after other entries', () => {
    for (const o of [1, 2, 3, 4, 5, 6, 7, 8]) {
      expect(readExifOrientation(withExif(base, exifTiff(o, true)))).toBe(o);
      expect(readExifOrientation(withExif(base, exifTiff(o, false, 2)))).toBe(o);
    }
    expect(readExifOrientation(base)).toBe(1);
  });

  it('treats malformed EXIF as orientation 1', () => {
    expect(parseExifOrientation(new Uint8Array(0))).toBe(1);
    expect(parseExifOrientation(exifTiff(9, true))).toBe(1);
    expect(parseExifOrientation(exifTiff(6, true).subarray(0, 20))).toBe(1);
    const badOffset = exifTiff(6, true);
    new DataView(badOffset.buffer).setUint32(4, 1000, true);
    expect(parseExifOrientation(badOffset)).toBe(1);
    expect(readExifOrientation(withExif(base, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])))).toBe(1);
  });

  // Where each stored quadrant's colour lands in the displayed image (TL, TR, BL, BR of the output).
  const cases: { o: number; size: [number, number]; corners: (keyof typeof QUAD_COLOURS)[] }[] = [
    { o: 3, size: [64, 32], corners: ['BR', 'BL', 'TR', 'TL'] },
    { o: 6, size: [32, 64], corners: ['BL', 'TL', 'BR', 'TR'] }, // 90° clockwise
    { o: 8, size: [32, 64], corners: ['TR', 'BR', 'TL', 'BL'] }, // 90° counter-clockwise
  ];
  for (const { o, size, corners } of cases) {
    it(`orientation ${o}: size ${size.join('×')} and pixel placement`, () => {
      const bytes = withExif(base, exifTiff(o, o !== 6));
      expect(readJpegSize(bytes)).toEqual({ width: size[0], height: size[1] });
      const img = decodeJpeg(bytes);
      expect([img.width, img.height]).toEqual(size);
      const [w, h] = size;
      const probes = [
        [w / 4, h / 4],
        [(3 * w) / 4, h / 4],
        [w / 4, (3 * h) / 4],
        [(3 * w) / 4, (3 * h) / 4],
      ];
      probes.forEach(([x, y], i) => expectNear(pixel(img, x, y), QUAD_COLOURS[corners[i]], 24));
      const raw = decodeJpeg(bytes, { applyExifOrientation: false });
      expect([raw.width, raw.height]).toEqual([64, 32]);
    });
  }
});

describe('applyOrientation', () => {
  // 3×2 image whose pixels are numbered 0..5 in the red channel.
  const w = 3;
  const h = 2;
  const img: RgbaImage = { width: w, height: h, data: Uint8Array.from({ length: 24 }, (_, i) => (i % 4 === 0 ? i / 4 : i % 4)) };
  type Grid = number[][];
  const grid = (im: RgbaImage): Grid => Array.from({ length: im.height }, (_, y) => Array.from({ length: im.width }, (_, x) => im.data[(y * im.width + x) * 4]));
  const transpose = (g: Grid): Grid => g[0].map((_, x) => g.map((row) => row[x]));
  const flipLR = (g: Grid): Grid => g.map((row) => [...row].reverse());
  const flipTB = (g: Grid): Grid => [...g].reverse();
  const src = grid(img);
  // Pillow's exif_transpose: 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE,
  // 6 ROTATE_270 (90° cw), 7 TRANSVERSE, 8 ROTATE_90 (90° ccw).
  const expected: Record<number, Grid> = {
    1: src,
    2: flipLR(src),
    3: flipTB(flipLR(src)),
    4: flipTB(src),
    5: transpose(src),
    6: flipLR(transpose(src)),
    7: flipLR(flipTB(transpose(src))),
    8: flipTB(transpose(src)),
  };
  for (let o = 1; o <= 8; o++) {
    it(`orientation ${o}`, () => {
      const out = applyOrientation(img, o);
      expect(grid(out)).toEqual(expected[o]);
      expect({ width: out.width, height: out.height }).toEqual(orientedSize(img, o));
      // Channels travel with their pixel.
      for (let i = 0; i < out.data.length; i += 4) expect(Array.from(out.data.subarray(i + 1, i + 4))).toEqual([1, 2, 3]);
    });
  }

  it('works on unaligned views and rejects invalid orientations', () => {
    const buf = new Uint8Array(25);
    buf.set(img.data, 1);
    const view = { width: w, height: h, data: buf.subarray(1) };
    expect(grid(applyOrientation(view, 6))).toEqual(expected[6]);
    expect(() => applyOrientation(img, 0)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidOption }));
    expect(() => applyOrientation(img, 9)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidOption }));
  });
});

describe('decodeJpeg: a frame header claiming more than the data can fill', () => {
  /** The JPEG with its SOF0 width and height replaced. */
  function withFrameSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
    const out = bytes.slice();
    for (let i = 2; i + 9 < out.length; i++) {
      if (out[i] === 0xff && out[i + 1] === 0xc0) {
        out[i + 5] = height >> 8;
        out[i + 6] = height & 255;
        out[i + 7] = width >> 8;
        out[i + 8] = width & 255;
        return out;
      }
    }
    throw new Error('no SOF0');
  }
  const small = encodeJpeg({ width: 8, height: 8, data: new Uint8Array(256).fill(128) }, 50);

  it('a tiny file whose header says 14000×14000 fails at once, saying why', () => {
    // No EOI either: the scan then runs off the end of the data (zero bits), so without the
    // check the decoder would fill all 3 million blocks of the claimed frame (GBs, seconds).
    const bomb = withFrameSize(small, 14000, 14000).subarray(0, small.length - 2);
    expect(bomb.length).toBeLessThan(1000);
    let err: unknown;
    try {
      decodeJpeg(bomb);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CutoutError);
    expect((err as CutoutError).code).toBe(ErrorCode.InvalidImage);
    expect((err as Error).message).toMatch(
      /^The JPEG file is corrupt or truncated: its header says 14000×14000, which needs at least 382813 bytes of image data, but only \d+ follow\./,
    );
  });

  it('a flat image (one of the cheapest to code) still decodes: the bound is under what real data needs', () => {
    const flat = encodeJpeg({ width: 1024, height: 1024, data: new Uint8Array(1024 * 1024 * 4).fill(200) }, 10);
    const img = decodeJpeg(flat);
    expect(img.width).toBe(1024);
  });
});
