/**
 * A deliberately simple, independent PNG writer for tests: any colour type, bit depth,
 * Adam7, tRNS/PLTE, explicit per-row filters and IDAT splitting, so decoder tests know the
 * expected pixels exactly. Not used by the product code.
 */
import { zlibSync } from 'fflate';

export interface PngSpec {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  interlace?: boolean;
  /** Samples of pixel (x, y) at the native bit depth: 1 value (grey/index), 2, 3 or 4. */
  pixel: (x: number, y: number) => number[];
  /** RGB triples for colour type 3. */
  palette?: number[][];
  /** Raw tRNS payload. */
  trns?: number[];
  /** Filter for row r of a pass (default: cycles 0..4). */
  filter?: (row: number) => number;
  /** Split the zlib stream into IDAT chunks of this many bytes. */
  idatSize?: number;
  /** Extra chunks inserted before IDAT. */
  extraChunks?: { type: string; data: Uint8Array }[];
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Uint8Array {
  const d = new Uint8Array(13);
  const v = new DataView(d.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  d[8] = bitDepth;
  d[9] = colorType;
  d[12] = interlace;
  return chunk('IHDR', d);
}

/** Packs one row of samples (already at native depth) into bytes. */
function packRow(samples: number[], bitDepth: number): Uint8Array {
  if (bitDepth === 16) {
    const out = new Uint8Array(samples.length * 2);
    samples.forEach((s, i) => {
      out[2 * i] = s >> 8;
      out[2 * i + 1] = s & 0xff;
    });
    return out;
  }
  if (bitDepth === 8) return Uint8Array.from(samples);
  const out = new Uint8Array(Math.ceil((samples.length * bitDepth) / 8));
  samples.forEach((s, i) => {
    const bit = i * bitDepth;
    out[bit >> 3] |= s << (8 - bitDepth - (bit % 8));
  });
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  if (pb <= pc) return b;
  return c;
}

/** Forward filter as written in the PNG spec (textbook form, independent of the decoder's). */
function filterRow(type: number, row: Uint8Array, prev: Uint8Array | undefined, bpp: number): Uint8Array {
  const out = new Uint8Array(row.length + 1);
  out[0] = type;
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp] : 0;
    const b = prev ? prev[i] : 0;
    const c = prev && i >= bpp ? prev[i - bpp] : 0;
    const pred = [0, a, b, Math.floor((a + b) / 2), paeth(a, b, c)][type];
    out[i + 1] = (row[i] - pred + 256) % 256;
  }
  return out;
}

export function buildPng(spec: PngSpec): Uint8Array {
  const { width, height, colorType, bitDepth } = spec;
  const channels = CHANNELS[colorType];
  const bpp = Math.max(1, (channels * bitDepth) >> 3);
  const filterFor = spec.filter ?? ((r: number) => r % 5);
  const passes = spec.interlace ? ADAM7 : [[0, 0, 1, 1]];
  const rows: Uint8Array[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    let prev: Uint8Array | undefined;
    let r = 0;
    for (let y = y0; y < height; y += dy) {
      const samples: number[] = [];
      for (let x = x0; x < width; x += dx) samples.push(...spec.pixel(x, y));
      if (samples.length === 0) break; // Empty pass: no bytes at all.
      const row = packRow(samples, bitDepth);
      rows.push(filterRow(filterFor(r++), row, prev, bpp));
      prev = row;
    }
  }
  const z = zlibSync(concat(rows));
  const parts = [SIGNATURE, ihdr(width, height, bitDepth, colorType, spec.interlace ? 1 : 0)];
  if (spec.palette) parts.push(chunk('PLTE', Uint8Array.from(spec.palette.flat())));
  if (spec.trns) parts.push(chunk('tRNS', Uint8Array.from(spec.trns)));
  for (const c of spec.extraChunks ?? []) parts.push(chunk(c.type, c.data));
  const size = spec.idatSize ?? z.length;
  for (let o = 0; o < z.length; o += size) parts.push(chunk('IDAT', z.subarray(o, o + size)));
  parts.push(chunk('IEND', new Uint8Array(0)));
  return concat(parts);
}
