import { unzlibSync, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CutoutError, ErrorCode, isCutoutError } from '../../core/errors.js';
import { decodePng, encodePng, isPng, pngChunk, pngChunkSpans, readPngHeader, readPngSize } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import { SIGNATURE, buildPng, chunk, concat, ihdr, type PngSpec } from './png-builder.js';

/** Deterministic pseudo-random integer in [0, 2^bits) for pixel (x, y), channel c. */
function sample(x: number, y: number, c: number, bits: number, seed = 1): number {
  let h = (x * 374761393 + y * 668265263 + c * 2147483647 + seed * 1442695041) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) % 2 ** bits;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

function expectCode(fn: () => unknown, code: string): CutoutError {
  const e = catchError(fn);
  expect(e).toBeInstanceOf(CutoutError);
  expect((e as CutoutError).code).toBe(code);
  return e as CutoutError;
}

/** Expected RGBA from the spec, written from the PNG spec's rules (not from the decoder). */
function expectedRgba(spec: PngSpec): RgbaImage {
  const { width, height, colorType, bitDepth } = spec;
  const data = new Uint8Array(width * height * 4);
  const to8 = (v: number) => (bitDepth === 16 ? v >> 8 : Math.round((v * 255) / (2 ** bitDepth - 1)));
  const trns = spec.trns;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = spec.pixel(x, y);
      let rgba: number[];
      if (colorType === 0) {
        const key = trns ? (trns[0] << 8) | trns[1] : -1;
        rgba = [to8(s[0]), to8(s[0]), to8(s[0]), s[0] === key ? 0 : 255];
      } else if (colorType === 2) {
        const key = trns ? [(trns[0] << 8) | trns[1], (trns[2] << 8) | trns[3], (trns[4] << 8) | trns[5]] : [-1];
        const keyed = s[0] === key[0] && s[1] === key[1] && s[2] === key[2];
        rgba = [to8(s[0]), to8(s[1]), to8(s[2]), keyed ? 0 : 255];
      } else if (colorType === 3) {
        const p = spec.palette![s[0]];
        rgba = [p[0], p[1], p[2], trns && s[0] < trns.length ? trns[s[0]] : 255];
      } else if (colorType === 4) {
        rgba = [to8(s[0]), to8(s[0]), to8(s[0]), to8(s[1])];
      } else {
        rgba = s.map(to8);
      }
      data.set(rgba, (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

const VARIANTS: [PngSpec['colorType'], PngSpec['bitDepth']][] = [
  [0, 1], [0, 2], [0, 4], [0, 8], [0, 16],
  [2, 8], [2, 16],
  [3, 1], [3, 2], [3, 4], [3, 8],
  [4, 8], [4, 16],
  [6, 8], [6, 16],
];
const SIZES = [
  [1, 1],
  [3, 5],
  [9, 7],
  [17, 13],
];
const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

function specFor(colorType: PngSpec['colorType'], bitDepth: PngSpec['bitDepth'], width: number, height: number, interlace: boolean): PngSpec {
  const channels = CHANNELS[colorType];
  const spec: PngSpec = {
    width,
    height,
    colorType,
    bitDepth,
    interlace,
    pixel: (x, y) => Array.from({ length: channels }, (_, c) => sample(x, y, c, bitDepth)),
  };
  if (colorType === 3) {
    const n = 2 ** bitDepth;
    spec.palette = Array.from({ length: n }, (_, i) => [sample(i, 0, 0, 8, 7), sample(i, 0, 1, 8, 7), sample(i, 0, 2, 8, 7)]);
  }
  return spec;
}

describe('decodePng: every colour type, bit depth and interlacing', () => {
  for (const [colorType, bitDepth] of VARIANTS) {
    for (const interlace of [false, true]) {
      for (const [w, h] of SIZES) {
        it(`type ${colorType}, ${bitDepth}-bit, ${interlace ? 'Adam7' : 'progressive'}, ${w}×${h}`, () => {
          const spec = specFor(colorType, bitDepth, w, h, interlace);
          const img = decodePng(buildPng(spec));
          expect(img.width).toBe(w);
          expect(img.height).toBe(h);
          expect(img.data).toEqual(expectedRgba(spec).data);
        });
      }
    }
  }

  it('decodes each filter type used on every row (None, Sub, Up, Average, Paeth)', () => {
    for (let f = 0; f < 5; f++) {
      for (const interlace of [false, true]) {
        const spec = { ...specFor(6, 8, 9, 7, interlace), filter: () => f };
        expect(decodePng(buildPng(spec)).data).toEqual(expectedRgba(spec).data);
        const spec16 = { ...specFor(2, 16, 9, 7, interlace), filter: () => f };
        expect(decodePng(buildPng(spec16)).data).toEqual(expectedRgba(spec16).data);
        const spec1 = { ...specFor(0, 1, 17, 5, interlace), filter: () => f };
        expect(decodePng(buildPng(spec1)).data).toEqual(expectedRgba(spec1).data);
      }
    }
  });

  it('keeps the high byte of 16-bit samples', () => {
    const spec: PngSpec = { width: 2, height: 1, colorType: 6, bitDepth: 16, pixel: (x) => (x ? [0xffff, 0x80ff, 0x0100, 0x00ff] : [0x1234, 0xabcd, 0, 0xff00]) };
    expect(Array.from(decodePng(buildPng(spec)).data)).toEqual([0x12, 0xab, 0, 0xff, 0xff, 0x80, 1, 0]);
  });

  it('scales low bit depths to the full 0..255 range', () => {
    const spec: PngSpec = { width: 4, height: 1, colorType: 0, bitDepth: 2, pixel: (x) => [x] };
    expect(Array.from(decodePng(buildPng(spec)).data.filter((_, i) => i % 4 === 0))).toEqual([0, 85, 170, 255]);
  });

  it('splits across many IDAT chunks', () => {
    const spec = { ...specFor(6, 8, 17, 13, true), idatSize: 7 };
    expect(decodePng(buildPng(spec)).data).toEqual(expectedRgba(spec).data);
  });

  it('ignores unknown ancillary chunks', () => {
    const spec = { ...specFor(2, 8, 3, 5, false), extraChunks: [{ type: 'tEXt', data: new TextEncoder().encode('Comment\0hi') }, { type: 'zzZz', data: new Uint8Array(3) }] };
    expect(decodePng(buildPng(spec)).data).toEqual(expectedRgba(spec).data);
  });
});

describe('decodePng: transparency (tRNS)', () => {
  it('palette alpha, including a tRNS shorter than the palette', () => {
    for (const depth of [1, 2, 4, 8] as const) {
      const spec = specFor(3, depth, 9, 7, false);
      const n = spec.palette!.length;
      spec.trns = Array.from({ length: Math.max(1, n - 1) }, (_, i) => (i * 37) % 256);
      expect(decodePng(buildPng(spec)).data).toEqual(expectedRgba(spec).data);
    }
  });

  it('grey colour key at 1, 8 and 16 bits', () => {
    for (const depth of [1, 8, 16] as const) {
      const spec = specFor(0, depth, 9, 7, true);
      const key = spec.pixel(0, 0)[0];
      spec.trns = [key >> 8, key & 0xff];
      const img = decodePng(buildPng(spec));
      expect(img.data[3]).toBe(0);
      expect(img.data).toEqual(expectedRgba(spec).data);
    }
  });

  it('RGB colour key at 8 and 16 bits (16-bit keys compare all 16 bits)', () => {
    for (const depth of [8, 16] as const) {
      const spec = specFor(2, depth, 9, 7, false);
      const [r, g, b] = spec.pixel(1, 1);
      spec.trns = [r >> 8, r & 0xff, g >> 8, g & 0xff, b >> 8, b & 0xff];
      const img = decodePng(buildPng(spec));
      expect(img.data[(1 * 9 + 1) * 4 + 3]).toBe(0);
      expect(img.data).toEqual(expectedRgba(spec).data);
    }
    // Same high bytes, different low byte: not the key.
    const spec: PngSpec = { width: 2, height: 1, colorType: 2, bitDepth: 16, pixel: (x) => [0x1200 + x, 0x3400, 0x5600], trns: [0x12, 0x00, 0x34, 0x00, 0x56, 0x00] };
    expect(Array.from(decodePng(buildPng(spec)).data)).toEqual([0x12, 0x34, 0x56, 0, 0x12, 0x34, 0x56, 255]);
  });

  it('out-of-range palette indices read as opaque black', () => {
    const spec: PngSpec = { width: 2, height: 1, colorType: 3, bitDepth: 8, pixel: (x) => [x ? 200 : 0], palette: [[10, 20, 30]] };
    expect(Array.from(decodePng(buildPng(spec)).data)).toEqual([10, 20, 30, 255, 0, 0, 0, 255]);
  });
});

describe('encodePng', () => {
  it('round-trips RGBA with every level', () => {
    const w = 37;
    const h = 23;
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < data.length; i++) data[i] = sample(i, i >> 5, 0, 8);
    for (const level of [0, 1, 6, 9]) {
      const png = encodePng({ width: w, height: h, data }, { level });
      expect(isPng(png)).toBe(true);
      expect(readPngHeader(png)).toEqual({ width: w, height: h, bitDepth: 8, colorType: 6, interlaced: false });
      expect(decodePng(png).data).toEqual(data);
    }
  });

  it('writes grey images as colour type 0', () => {
    const w = 5;
    const h = 4;
    const data = Uint8Array.from({ length: w * h }, (_, i) => i * 13);
    const png = encodePng({ width: w, height: h, data });
    expect(readPngHeader(png).colorType).toBe(0);
    const img = decodePng(png);
    for (let i = 0; i < w * h; i++) expect(Array.from(img.data.subarray(i * 4, i * 4 + 4))).toEqual([data[i], data[i], data[i], 255]);
  });

  it('round-trips 1×1 images', () => {
    const rgba = { width: 1, height: 1, data: Uint8Array.from([1, 2, 3, 4]) };
    expect(decodePng(encodePng(rgba)).data).toEqual(rgba.data);
  });

  it('chooses filters per row (a smooth gradient is not stored unfiltered)', () => {
    const w = 64;
    const h = 16;
    const data = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x * 4, y * 16, (x + y) * 2, 255], (y * w + x) * 4);
    const png = encodePng({ width: w, height: h, data });
    // IDAT follows IHDR directly in our encoder's output.
    const idatLength = new DataView(png.buffer, png.byteOffset).getUint32(33);
    const raw = unzlibSync(png.subarray(41, 41 + idatLength));
    const filters = Array.from({ length: h }, (_, y) => raw[y * (w * 4 + 1)]);
    expect(filters.some((f) => f !== 0)).toBe(true);
    expect(filters.every((f) => f >= 0 && f <= 4)).toBe(true);
    expect(decodePng(png).data).toEqual(data);
  });

  it('rejects buffers of the wrong length and bad levels', () => {
    expectCode(() => encodePng({ width: 2, height: 2, data: new Uint8Array(7) }), ErrorCode.InvalidImage);
    expectCode(() => encodePng({ width: 0, height: 2, data: new Uint8Array(0) }), ErrorCode.ImageSize);
    expectCode(() => encodePng({ width: 1, height: 1, data: new Uint8Array(4) }, { level: 12 }), ErrorCode.InvalidOption);
  });
});

describe('readPngSize / isPng', () => {
  it('reads the size from the header alone', () => {
    const png = buildPng(specFor(6, 8, 9, 7, false));
    expect(readPngSize(png)).toEqual({ width: 9, height: 7 });
    expect(readPngSize(png.subarray(0, 33))).toEqual({ width: 9, height: 7 });
  });

  it('isPng checks the signature only', () => {
    expect(isPng(SIGNATURE)).toBe(true);
    expect(isPng(new Uint8Array([0x89, 0x50, 0x4e]))).toBe(false);
    expect(isPng(new TextEncoder().encode('GIF89a...'))).toBe(false);
  });
});

describe('decodePng: damaged and hostile input', () => {
  const good = buildPng(specFor(6, 8, 17, 13, true));

  it('every truncation fails with INVALID_IMAGE, never a RangeError', () => {
    for (let n = 0; n < good.length; n++) {
      const cut = good.subarray(0, n);
      if (n === good.length - 12) {
        // Only IEND is missing and the image data is complete: decoded, as browsers do.
        expect(decodePng(cut).data).toEqual(decodePng(good).data);
        continue;
      }
      const e = catchError(() => decodePng(cut));
      expect(isCutoutError(e, ErrorCode.InvalidImage), `truncated at ${n}: ${String(e)}`).toBe(true);
    }
  });

  it('names truncation in the message', () => {
    const e = expectCode(() => decodePng(good.subarray(0, good.length - 30)), ErrorCode.InvalidImage);
    expect(e.message).toMatch(/truncated/);
  });

  it('reports CRC damage in critical chunks; tolerates it in ancillary ones or when asked', () => {
    const bad = good.slice();
    bad[45] ^= 0xff; // Inside the IDAT payload (IDAT starts at byte 33, its data at 41).
    const e = expectCode(() => decodePng(bad), ErrorCode.InvalidImage);
    expect(e.message).toMatch(/CRC/);

    const spec = { ...specFor(3, 8, 3, 3, false), trns: [0, 0, 0] };
    const withTrns = buildPng(spec);
    const trnsAt = withTrns.findIndex((_, i) => String.fromCharCode(...withTrns.subarray(i, i + 4)) === 'tRNS');
    const damaged = withTrns.slice();
    damaged[trnsAt + 4 + 3 + 1] ^= 1; // Flip a bit of the stored CRC.
    const opaque = decodePng(damaged);
    for (let i = 3; i < opaque.data.length; i += 4) expect(opaque.data[i]).toBe(255);

    // With CRC checks off, a damaged CRC is ignored.
    const crcOnly = good.slice();
    const idatAt = 8 + 25;
    const len = new DataView(crcOnly.buffer).getUint32(idatAt);
    crcOnly[idatAt + 8 + len] ^= 0xff;
    expectCode(() => decodePng(crcOnly), ErrorCode.InvalidImage);
    expect(decodePng(crcOnly, { checkCrc: false }).data).toEqual(decodePng(good).data);
  });

  it('random byte corruption only ever raises CutoutErrors', () => {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const bases = [good, buildPng(specFor(3, 2, 9, 7, false)), buildPng(specFor(0, 16, 5, 3, true))];
    for (let t = 0; t < 1500; t++) {
      const b = bases[t % bases.length].slice();
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) b[8 + Math.floor(rand() * (b.length - 8))] = Math.floor(rand() * 256);
      try {
        const img = decodePng(b, { checkCrc: false });
        expect(img.data.length).toBe(img.width * img.height * 4);
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(CutoutError);
      }
    }
  });

  it('random bytes, GIF and empty input are not PNG', () => {
    const random = Uint8Array.from({ length: 100 }, (_, i) => (i * 7919) % 256);
    for (const bytes of [random, new TextEncoder().encode('GIF89a\x01\x00\x01\x00'), new Uint8Array(0)]) {
      expect(expectCode(() => decodePng(bytes), ErrorCode.InvalidImage).message).toMatch(/Not a PNG/);
    }
  });

  it('a 0×0 header is IMAGE_SIZE', () => {
    const png = concat([SIGNATURE, ihdr(0, 0, 8, 6), chunk('IDAT', new Uint8Array([0x78, 0x9c, 3, 0, 0, 0, 0, 1])), chunk('IEND', new Uint8Array(0))]);
    expectCode(() => decodePng(png), ErrorCode.ImageSize);
    expectCode(() => readPngSize(png), ErrorCode.ImageSize);
  });

  it('rejects bad headers with clear messages', () => {
    expect(expectCode(() => decodePng(concat([SIGNATURE, ihdr(4, 4, 3, 6)])), ErrorCode.InvalidImage).message).toMatch(/bit depth 3/);
    expect(expectCode(() => decodePng(concat([SIGNATURE, ihdr(4, 4, 8, 5)])), ErrorCode.InvalidImage).message).toMatch(/colour type 5/);
    expect(expectCode(() => decodePng(concat([SIGNATURE, chunk('IDAT', new Uint8Array(13))])), ErrorCode.InvalidImage).message).toMatch(/IHDR/);
  });

  it('palette image without PLTE, image without IDAT, unknown critical chunk', () => {
    const noPlte = concat([SIGNATURE, ihdr(1, 1, 8, 3), chunk('IDAT', new Uint8Array([0x78, 0x9c, 0x63, 0x60, 0, 0, 0, 2, 0, 1])), chunk('IEND', new Uint8Array(0))]);
    expect(expectCode(() => decodePng(noPlte), ErrorCode.InvalidImage).message).toMatch(/PLTE/);
    const noIdat = concat([SIGNATURE, ihdr(1, 1, 8, 0), chunk('IEND', new Uint8Array(0))]);
    expect(expectCode(() => decodePng(noIdat), ErrorCode.InvalidImage).message).toMatch(/IDAT/);
    const spec = { ...specFor(0, 8, 2, 2, false), extraChunks: [{ type: 'ABCD', data: new Uint8Array(1) }] };
    expect(expectCode(() => decodePng(buildPng(spec)), ErrorCode.InvalidImage).message).toMatch(/ABCD/);
  });

  it('a bad filter type is INVALID_IMAGE', () => {
    const spec = { ...specFor(0, 8, 2, 2, false), filter: () => 0 };
    const png = buildPng(spec);
    // Rebuild with filter byte 7 by hand.
    const raw = new Uint8Array([7, 1, 2, 0, 3, 4]);
    const bad = concat([SIGNATURE, ihdr(2, 2, 8, 0), chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array(0))]);
    expect(decodePng(png).width).toBe(2);
    expect(expectCode(() => decodePng(bad), ErrorCode.InvalidImage).message).toMatch(/filter type 7/);
  });

  it('image data shorter or longer than the header says', () => {
    const short = concat([SIGNATURE, ihdr(2, 2, 8, 0), chunk('IDAT', zlibSync(new Uint8Array(5))), chunk('IEND', new Uint8Array(0))]);
    expect(expectCode(() => decodePng(short), ErrorCode.InvalidImage).message).toMatch(/truncated/);
    // Extra data (e.g. a zlib bomb) is cut off at the expected size, never allocated.
    const long = concat([SIGNATURE, ihdr(2, 2, 8, 0), chunk('IDAT', zlibSync(new Uint8Array(10_000_000))), chunk('IEND', new Uint8Array(0))]);
    expect(decodePng(long).data).toEqual(Uint8Array.from([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]));
  });
});

describe('decodePng: a header claiming more than its data can hold', () => {
  const png = (width: number, height: number, raw: Uint8Array, level: 0 | 1 | 9 = 9) =>
    concat([SIGNATURE, ihdr(width, height, 8, 6), chunk('IDAT', zlibSync(raw, { level })), chunk('IEND', new Uint8Array(0))]);

  it('14000×14000 RGBA from a few hundred bytes fails before allocating the image', () => {
    const bomb = png(14000, 14000, new Uint8Array(1000));
    expect(bomb.length).toBeLessThan(200);
    let err: unknown;
    try {
      decodePng(bomb);
    } catch (e) {
      err = e;
    }
    expect(isCutoutError(err, ErrorCode.InvalidImage)).toBe(true);
    expect((err as Error).message).toMatch(
      /^The PNG file is corrupt or truncated: its 14000×14000 header needs 784014000 bytes of image data, more than its \d+ compressed bytes can hold\./,
    );
  });

  it('the most compressible real image (all zero, best compression) still decodes', () => {
    const w = 2000;
    const h = 1500;
    const raw = new Uint8Array((w * 4 + 1) * h);
    const img = decodePng(png(w, h, raw));
    expect(img.width).toBe(w);
    expect(img.data.every((v) => v === 0)).toBe(true);
  });
});

describe('pngChunkSpans / pngChunk (chunk framing, used to mark the CLI\'s own outputs)', () => {
  const png = encodePng({ width: 3, height: 2, data: new Uint8Array(24).fill(200) });

  it('lists the chunks of a PNG in order, tiling the file', () => {
    const spans = pngChunkSpans(png)!;
    expect(spans.map((s) => s.type)).toEqual(['IHDR', ...spans.slice(1, -1).map(() => 'IDAT'), 'IEND']);
    expect(spans[0]!.start).toBe(8);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBe(spans[i - 1]!.end);
    expect(spans.at(-1)!.end).toBe(png.length);
    expect(spans[0]!.data.length).toBe(13);
  });

  it('a chunk made by pngChunk has a right CRC and, spliced in before IEND, leaves the image readable', () => {
    const iend = pngChunkSpans(png)!.at(-1)!;
    const text = pngChunk('tEXt', new TextEncoder().encode('Software\0test'));
    const marked = concat([png.subarray(0, iend.start), text, png.subarray(iend.start)]);
    expect(pngChunkSpans(marked)!.map((s) => s.type).slice(-2)).toEqual(['tEXt', 'IEND']);
    expect(decodePng(marked).width).toBe(3);
    // The same bytes as the suite's own chunk writer (an independent CRC).
    expect(text).toEqual(chunk('tEXt', new TextEncoder().encode('Software\0test')));
  });

  it('undefined when the framing is broken: not a PNG, a truncated chunk, bytes after the last chunk', () => {
    expect(pngChunkSpans(new Uint8Array(20))).toBeUndefined();
    expect(pngChunkSpans(png.subarray(0, png.length - 3))).toBeUndefined();
    expect(pngChunkSpans(concat([png, new Uint8Array([1, 2, 3])]))).toBeUndefined();
  });
});
