/**
 * core/image/jpeg-decoder.ts is jpeg-js's decoder with another memory layout: these tests hold
 * it to exactly jpeg-js's output — the same pixels, or the same error — on every sampling,
 * progressive, restart-interval, grey, CMYK/YCCK variant, on corrupt and truncated files, and
 * with buffers reused from one image to the next in either size order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeJpeg } from '../../core/image/jpeg.js';
import { decodeJpegPixels } from '../../core/image/jpeg-decoder.js';
import { ScratchBuffers } from '../../core/image/scratch.js';

const FIXTURES = join(import.meta.dirname, 'jpeg-fixtures');
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.jpg'))
  .sort()
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(FIXTURES, name))) }));

type Outcome = { width: number; height: number; data: Uint8Array } | { error: string };

function reference(bytes: Uint8Array, maxMemoryUsageInMB = 512): Outcome {
  try {
    const r = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB });
    return { width: r.width, height: r.height, data: r.data };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function ours(bytes: Uint8Array, scratch?: ScratchBuffers, maxMemoryUsageInMB = 512): Outcome {
  try {
    const r = decodeJpegPixels(bytes, { scratch, maxMemoryUsageInMB });
    // Copy: with a scratch the pixels are overwritten by the next decode.
    return { width: r.width, height: r.height, data: r.data.slice() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Equal outcomes, compared without building huge diffs. */
function same(a: Outcome, b: Outcome): boolean {
  if ('error' in a || 'error' in b) return 'error' in a && 'error' in b && a.error === b.error;
  return a.width === b.width && a.height === b.height && Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)) === 0;
}

function describeOutcome(o: Outcome): string {
  return 'error' in o ? `error "${o.error}"` : `${o.width}×${o.height} image`;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function photoLike(w: number, h: number, seed: number): Uint8Array {
  const r = rng(seed);
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      data[i] = ((x * 255) / w + 30 * r()) & 255;
      data[i + 1] = (128 + 100 * Math.sin(x / 5 + y / 7) + 10 * r()) & 255;
      data[i + 2] = ((x ^ y) * 3) & 255;
      data[i + 3] = 255;
    }
  }
  return data;
}

function jpegJs(w: number, h: number, quality: number, seed: number): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: w, height: h, data: photoLike(w, h, seed) }, quality).data);
}

/**
 * A baseline JPEG with `components` components (1×1 sampling), every 8×8 block flat (DC only,
 * quantiser 1), DC values from `seed`; an Adobe APP14 segment with `transform` when given.
 * cjpeg writes no CMYK, YCCK or two-component files, so these are built here.
 */
function flatBlockJpeg(w: number, h: number, components: number, seed: number, transform?: number): Uint8Array {
  const out: number[] = [0xff, 0xd8];
  const segment = (marker: number, payload: number[]) => out.push(0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 255, ...payload);
  if (transform !== undefined) segment(0xee, [0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, transform]);
  segment(0xdb, [0, ...new Array<number>(64).fill(1)]);
  const sof = [8, h >> 8, h & 255, w >> 8, w & 255, components];
  for (let c = 0; c < components; c++) sof.push(c + 1, 0x11, 0);
  segment(0xc0, sof);
  // DC table: the standard luminance one (categories 0..11); AC table: a single code, EOB.
  const dcBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
  const dcValues = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  segment(0xc4, [0x00, ...dcBits, ...dcValues, 0x10, 1, ...new Array<number>(15).fill(0), 0x00]);
  const sos = [components];
  for (let c = 0; c < components; c++) sos.push(c + 1, 0x00);
  segment(0xda, [...sos, 0, 63, 0]);
  // Canonical Huffman codes of the DC table.
  const dcCode: Array<{ code: number; length: number }> = [];
  for (let length = 1, code = 0, k = 0; length <= 16; length++, code <<= 1) {
    for (let j = 0; j < dcBits[length - 1]!; j++) dcCode[dcValues[k++]!] = { code: code++, length };
  }
  let acc = 0;
  let bits = 0;
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) {
      acc = (acc << 1) | ((value >> i) & 1);
      if (++bits === 8) {
        out.push(acc);
        if (acc === 0xff) out.push(0);
        acc = bits = 0;
      }
    }
  };
  const r = rng(seed);
  const pred = new Array<number>(components).fill(0);
  for (let by = 0; by < Math.ceil(h / 8); by++) {
    for (let bx = 0; bx < Math.ceil(w / 8); bx++) {
      for (let c = 0; c < components; c++) {
        const dc = Math.round((r() - 0.5) * 2000); // −1000 … 1000
        const diff = dc - pred[c]!;
        pred[c] = dc;
        const category = diff === 0 ? 0 : 32 - Math.clz32(Math.abs(diff));
        put(dcCode[category]!.code, dcCode[category]!.length);
        if (category) put(diff > 0 ? diff : diff - 1 + (1 << category), category);
        put(0, 1); // EOB
      }
    }
  }
  if (bits) put(0x7f, 8 - bits);
  out.push(0xff, 0xd9);
  return Uint8Array.from(out);
}

describe('decodeJpegPixels gives jpeg-js’s result exactly', () => {
  it('the fixtures cover the variants they claim', () => {
    const names = fixtures.map((f) => f.name).join(' ');
    for (const v of ['-420', '-422', '-440', '-411', '-444', '-progressive', '-restart1row', '-restart3blocks', '-grey', '-optimized', '-arithmetic']) expect(names).toContain(v);
  });

  it('cjpeg fixtures: every sampling, progressive, restart intervals, grey, optimised tables', () => {
    for (const f of fixtures) {
      const want = reference(f.bytes);
      const got = ours(f.bytes);
      expect(same(got, want), `${f.name}: ${describeOutcome(got)} vs jpeg-js's ${describeOutcome(want)}`).toBe(true);
      if (f.name.includes('arithmetic')) expect('error' in want).toBe(true);
      else expect('error' in want).toBe(false);
    }
  });

  it('jpeg-js-encoded images of many sizes and qualities', () => {
    for (const [w, h] of [[1, 1], [8, 8], [9, 17], [100, 75], [257, 129]] as const) {
      for (const q of [10, 50, 90, 100]) {
        const bytes = jpegJs(w, h, q, w * 1000 + q);
        expect(same(ours(bytes), reference(bytes)), `${w}×${h} q${q}`).toBe(true);
      }
    }
  });

  it('CMYK and YCCK (Adobe transforms 0, 1, 2), and the four- and two-component refusals', () => {
    for (const [w, h] of [[16, 16], [21, 13], [64, 40]] as const) {
      for (const transform of [0, 1, 2]) {
        const bytes = flatBlockJpeg(w, h, 4, w + transform, transform);
        const want = reference(bytes);
        expect('error' in want, describeOutcome(want)).toBe(false);
        expect(same(ours(bytes), want), `${w}×${h} transform ${transform}`).toBe(true);
      }
      const noAdobe = flatBlockJpeg(w, h, 4, 3);
      expect(ours(noAdobe)).toEqual({ error: 'Unsupported color mode (4 components)' });
      expect(reference(noAdobe)).toEqual(ours(noAdobe));
      const two = flatBlockJpeg(w, h, 2, 5);
      expect(ours(two)).toEqual({ error: 'Unsupported color mode' });
      expect(reference(two)).toEqual(ours(two));
      const grey = flatBlockJpeg(w, h, 1, 7);
      expect(same(ours(grey), reference(grey))).toBe(true);
    }
  });

  it('corrupt and truncated files: the same pixels or the same error', () => {
    const random = rng(99);
    const bases = [...fixtures.filter((f) => !f.name.includes('arithmetic')).map((f) => f.bytes), jpegJs(40, 24, 80, 1), flatBlockJpeg(24, 16, 4, 2, 2)];
    let errors = 0;
    let images = 0;
    for (const bytes of bases) {
      for (let t = 0; t < 30; t++) {
        const b = bytes.slice();
        // Mostly in the headers and the first scans, where a flipped byte changes the most.
        const span = t % 2 ? b.length : Math.min(b.length, 700);
        for (let k = 1 + Math.floor(random() * 3); k > 0; k--) b[Math.floor(random() * span)] = Math.floor(random() * 256);
        const want = reference(b, 64);
        const got = ours(b, undefined, 64);
        if ('error' in want) errors++;
        else images++;
        expect(same(got, want), `corruption ${t}: ${describeOutcome(got)} vs jpeg-js's ${describeOutcome(want)}`).toBe(true);
      }
      for (const n of [2, 20, Math.floor(bytes.length / 3), Math.floor(bytes.length / 2), bytes.length - 3]) {
        const b = bytes.subarray(0, n);
        expect(same(ours(b, undefined, 64), reference(b, 64)), `truncated to ${n}`).toBe(true);
      }
    }
    // Both kinds occurred: corrupt files that still decode, and ones refused.
    expect(errors).toBeGreaterThan(50);
    expect(images).toBeGreaterThan(50);
  });

  it('the memory accounting refuses what jpeg-js refuses, with its message', () => {
    const bytes = jpegJs(400, 300, 90, 3);
    const want = reference(bytes, 1);
    expect(want).toMatchObject({ error: expect.stringContaining('maxMemoryUsageInMB limit exceeded') });
    expect(ours(bytes, undefined, 1)).toEqual(want);
  });

  it('reused buffers: a sequence of different sizes and kinds, in both orders, decodes as fresh', () => {
    const inputs = [
      ...fixtures.filter((f) => !f.name.includes('arithmetic')).map((f) => f.bytes),
      jpegJs(257, 129, 90, 11),
      jpegJs(9, 17, 50, 12),
      flatBlockJpeg(64, 40, 4, 13, 2),
      jpegJs(120, 300, 75, 14),
    ];
    const bySize = [...inputs].sort((a, b) => a.length - b.length);
    for (const order of [bySize, [...bySize].reverse(), inputs]) {
      const scratch = new ScratchBuffers();
      for (const bytes of order) {
        const want = reference(bytes);
        expect(same(ours(bytes, scratch), want)).toBe(true);
      }
      expect(scratch.bytes).toBeGreaterThan(0);
    }
  });

  it('decodeJpeg with a scratch returns the pixels in it, equal to a fresh decode', () => {
    const scratch = new ScratchBuffers();
    const big = jpegJs(200, 100, 90, 21);
    const small = jpegJs(30, 20, 90, 22);
    const a = decodeJpeg(big, { scratch });
    const fresh = decodeJpeg(big);
    expect(Buffer.compare(Buffer.from(a.data), Buffer.from(fresh.data))).toBe(0);
    const b = decodeJpeg(small, { scratch });
    expect(b.data.buffer).toBe(a.data.buffer); // the same slot, reused
    expect(Buffer.compare(Buffer.from(b.data), Buffer.from(decodeJpeg(small).data))).toBe(0);
  });
});
