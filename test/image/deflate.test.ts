/**
 * core/image/deflate.ts is fflate's one-shot zlib compressor writing into reusable buffers:
 * the bytes must be exactly `zlibSync(data, { level })`'s, and encodePng's output must not
 * depend on whether (or in what order) its buffers were reused.
 */
import { unzlibSync, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { zlibCompress } from '../../core/image/deflate.js';
import { decodePng, encodePng } from '../../core/image/png.js';
import { ScratchBuffers } from '../../core/image/scratch.js';
import type { GrayImage, RgbaImage } from '../../core/image/types.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Data of several characters: noise, long runs, sparse changes, zeros, a noisy wave. */
function sample(n: number, kind: number, seed: number): Uint8Array {
  const r = rng(seed);
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 0) d[i] = r() * 256;
    else if (kind === 1) d[i] = (i >> 7) & 255;
    else if (kind === 2) d[i] = r() < 0.97 && i > 0 ? d[i - 1]! : r() * 256;
    else if (kind === 3) d[i] = 0;
    else d[i] = (Math.sin(i / 50) * 60 + 100 + r() * 8) | 0;
  }
  return d;
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

describe('zlibCompress', () => {
  it('writes exactly what fflate’s zlibSync writes, at every level, with and without reused buffers', () => {
    const scratch = new ScratchBuffers();
    const sizes = [0, 1, 2, 3, 5, 100, 1000, 7001, 65535, 65536, 70_000, 300_000];
    // Large then small then large again: reused buffers hold the previous call's leftovers.
    for (const n of [...sizes].reverse().concat(sizes)) {
      for (let kind = 0; kind < 5; kind++) {
        const data = sample(n, kind, n + kind);
        for (const level of n > 100_000 ? [1, 6, 9] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
          const want = zlibSync(data, { level: level as 6 });
          for (const s of [undefined, scratch]) {
            const { buffer, length } = zlibCompress(data, level, { before: 5, after: 3, scratch: s });
            expect(equal(buffer.subarray(5, 5 + length), want), `${n} bytes, kind ${kind}, level ${level}, ${s ? 'reused' : 'fresh'}`).toBe(true);
            expect(Array.from(buffer.subarray(5 + length, 8 + length))).toEqual([0, 0, 0]);
          }
        }
      }
    }
  });

  it('a 2-megapixel RGBA-sized input matches too (the hash table at its largest)', () => {
    const data = sample(1600 * 1200 * 4 + 1200, 4, 7);
    const want = zlibSync(data, { level: 6 });
    const { buffer, length } = zlibCompress(data, 6, { scratch: new ScratchBuffers() });
    expect(length).toBe(want.length);
    expect(equal(buffer.subarray(0, length), want)).toBe(true);
  });
});

describe('encodePng with reused buffers', () => {
  function rgba(w: number, h: number, seed: number): RgbaImage {
    const r = rng(seed);
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < data.length; i += 4) {
      const p = i / 4;
      data[i] = (p % w) * 3;
      data[i + 1] = r() < 0.9 ? 120 : r() * 256;
      data[i + 2] = Math.floor(p / w) * 5;
      data[i + 3] = r() < 0.3 ? 0 : 255;
    }
    return { width: w, height: h, data };
  }
  function grey(w: number, h: number, seed: number): GrayImage {
    const r = rng(seed);
    return { width: w, height: h, data: Uint8Array.from({ length: w * h }, (_, i) => ((i % w) + r() * 40) & 255) };
  }

  it('gives the same bytes as a fresh encode, for a sequence of sizes in both orders', () => {
    const images: Array<RgbaImage | GrayImage> = [rgba(1, 1, 1), grey(3, 2, 2), rgba(64, 48, 3), grey(300, 200, 4), rgba(333, 111, 5), grey(1001, 3, 6), rgba(640, 480, 7)];
    const fresh = images.map((img) => encodePng(img));
    for (const order of [images.map((_, i) => i), images.map((_, i) => images.length - 1 - i)]) {
      const scratch = new ScratchBuffers();
      for (const i of order) {
        expect(equal(encodePng(images[i]!, { scratch }), fresh[i]!)).toBe(true);
        const inSlot = encodePng(images[i]!, { scratch, outputSlot: 'png' });
        expect(equal(inSlot, fresh[i]!)).toBe(true);
      }
    }
  });

  it('its IDAT is fflate’s zlibSync of the filtered rows, and the PNG decodes back', () => {
    const img = rgba(97, 61, 9);
    const png = encodePng(img, { scratch: new ScratchBuffers(), level: 9 });
    // IDAT starts after the signature (8) and IHDR (25): length, type, data.
    const view = new DataView(png.buffer, png.byteOffset);
    const idatLength = view.getUint32(33);
    expect(String.fromCharCode(...png.subarray(37, 41))).toBe('IDAT');
    const idat = png.subarray(41, 41 + idatLength);
    expect(equal(idat, zlibSync(unzlibSync(idat), { level: 9 }))).toBe(true);
    expect(equal(decodePng(png).data, img.data)).toBe(true);
  });

  it('outputSlot: the PNG lives in the scratch until the next encode into that slot', () => {
    const scratch = new ScratchBuffers();
    const a = encodePng(rgba(50, 40, 1), { scratch, outputSlot: 'a' });
    const keep = a.slice();
    const b = encodePng(grey(50, 40, 2), { scratch, outputSlot: 'b' });
    expect(equal(a, keep)).toBe(true); // another slot leaves it alone
    expect(b.buffer).not.toBe(a.buffer);
    const again = encodePng(grey(20, 10, 3), { scratch, outputSlot: 'a' });
    expect(again.buffer).toBe(a.buffer);
  });
});
