/**
 * GIF for the fakes (pure TypeScript): a decoder for the first frame, so the fakes can render a
 * GIF image fill as the editors do, and a small encoder for test images. The plugin itself never
 * decodes GIF: it reads such layers from the editor's rendering.
 */
import type { RgbaImage } from '../../core/image/types.js';

const isGif = (b: Uint8Array) => b.length >= 13 && String.fromCharCode(...b.subarray(0, 6)).match(/^GIF8[79]a$/) !== null;

/** The first frame of a GIF, as RGBA over the logical screen (transparent where it does not draw). */
export function decodeGif(b: Uint8Array): RgbaImage {
  if (!isGif(b)) throw new Error('not a GIF');
  const width = b[6] | (b[7] << 8);
  const height = b[8] | (b[9] << 8);
  let pos = 13;
  let palette: Uint8Array | null = null;
  if (b[10] & 0x80) {
    const n = 3 << ((b[10] & 7) + 1);
    palette = b.subarray(pos, pos + n);
    pos += n;
  }
  let transparent = -1;
  const out = new Uint8Array(width * height * 4);
  const skipBlocks = () => {
    while (pos < b.length && b[pos] !== 0) pos += b[pos] + 1;
    pos++;
  };
  while (pos < b.length) {
    const kind = b[pos++];
    if (kind === 0x3b) break;
    if (kind === 0x21) {
      const label = b[pos++];
      if (label === 0xf9 && b[pos] >= 4 && b[pos + 1] & 1) transparent = b[pos + 4];
      skipBlocks();
      continue;
    }
    if (kind !== 0x2c) throw new Error(`GIF: unexpected block 0x${kind.toString(16)}`);
    const left = b[pos] | (b[pos + 1] << 8);
    const top = b[pos + 2] | (b[pos + 3] << 8);
    const w = b[pos + 4] | (b[pos + 5] << 8);
    const h = b[pos + 6] | (b[pos + 7] << 8);
    const flags = b[pos + 8];
    pos += 9;
    let colors = palette;
    if (flags & 0x80) {
      const n = 3 << ((flags & 7) + 1);
      colors = b.subarray(pos, pos + n);
      pos += n;
    }
    if (!colors) throw new Error('GIF: no colour table');
    const indices = lzwDecode(b, pos, b[pos], w * h);
    pos++;
    skipBlocks();
    const rows = flags & 0x40 ? interlacedRows(h) : [...Array(h).keys()];
    for (let i = 0; i < w * h && i < indices.length; i++) {
      const x = left + (i % w);
      const y = top + rows[Math.floor(i / w)];
      const c = indices[i];
      if (c === transparent || x >= width || y >= height) continue;
      const o = (y * width + x) * 4;
      out[o] = colors[c * 3];
      out[o + 1] = colors[c * 3 + 1];
      out[o + 2] = colors[c * 3 + 2];
      out[o + 3] = 255;
    }
    break; // first frame only
  }
  return { width, height, data: out };
}

function interlacedRows(h: number): number[] {
  const rows: number[] = [];
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) for (let y = start; y < h; y += step) rows.push(y);
  return rows;
}

/** LZW data of an image block starting at `at` (the minimum code size byte, then sub-blocks). */
function lzwDecode(b: Uint8Array, at: number, minSize: number, count: number): Uint8Array {
  const data: number[] = [];
  let p = at + 1;
  while (p < b.length && b[p] !== 0) {
    for (let i = 1; i <= b[p]; i++) data.push(b[p + i]);
    p += b[p] + 1;
  }
  const clear = 1 << minSize;
  const eoi = clear + 1;
  const out = new Uint8Array(count);
  let n = 0;
  let size = minSize + 1;
  let prefix = new Int32Array(4096);
  let suffix = new Uint8Array(4096);
  let next = eoi + 1;
  let prev = -1;
  let bits = 0;
  let acc = 0;
  let i = 0;
  const firstOf = (code: number) => {
    while (code >= clear) code = prefix[code];
    return code;
  };
  const emit = (code: number) => {
    const stack: number[] = [];
    while (code >= clear) {
      stack.push(suffix[code]);
      code = prefix[code];
    }
    stack.push(code);
    for (let k = stack.length - 1; k >= 0 && n < count; k--) out[n++] = stack[k];
  };
  while (n < count) {
    while (bits < size && i < data.length) {
      acc |= data[i++] << bits;
      bits += 8;
    }
    if (bits < size) break;
    const code = acc & ((1 << size) - 1);
    acc >>>= size;
    bits -= size;
    if (code === clear) {
      size = minSize + 1;
      next = eoi + 1;
      prev = -1;
      prefix = new Int32Array(4096);
      suffix = new Uint8Array(4096);
      continue;
    }
    if (code === eoi) break;
    if (prev === -1) {
      emit(code);
    } else {
      const known = code < next;
      const first = firstOf(known ? code : prev);
      if (next < 4096) {
        prefix[next] = prev;
        suffix[next] = first;
        next++;
      }
      emit(code);
      if (next === 1 << size && size < 12) size++;
    }
    prev = code;
  }
  return out;
}

/**
 * A GIF of `img` (opaque pixels; at most 256 distinct colours): a global colour table and one
 * frame, LZW-coded with a clear code often enough that the code size never grows.
 */
export function encodeGif(img: RgbaImage): Uint8Array {
  const colors = new Map<number, number>();
  const indices = new Uint8Array(img.width * img.height);
  for (let i = 0; i < indices.length; i++) {
    const key = (img.data[i * 4] << 16) | (img.data[i * 4 + 1] << 8) | img.data[i * 4 + 2];
    let c = colors.get(key);
    if (c === undefined) {
      c = colors.size;
      if (c >= 256) throw new Error('encodeGif: more than 256 colours');
      colors.set(key, c);
    }
    indices[i] = c;
  }
  const table = new Uint8Array(256 * 3);
  for (const [key, c] of colors) table.set([key >> 16, (key >> 8) & 255, key & 255], c * 3);
  // Codes of 9 bits: CLEAR (256), then at most 254 pixel codes before the next CLEAR.
  const codes: number[] = [];
  for (let i = 0; i < indices.length; i++) {
    if (i % 254 === 0) codes.push(256);
    codes.push(indices[i]);
  }
  codes.push(257);
  const packed: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of codes) {
    acc |= c << bits;
    bits += 9;
    while (bits >= 8) {
      packed.push(acc & 255);
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) packed.push(acc & 255);
  const blocks: number[] = [];
  for (let i = 0; i < packed.length; i += 255) {
    const chunk = packed.slice(i, i + 255);
    blocks.push(chunk.length, ...chunk);
  }
  const w = img.width;
  const h = img.height;
  return new Uint8Array([
    ...[0x47, 0x49, 0x46, 0x38, 0x39, 0x61],
    w & 255, w >> 8, h & 255, h >> 8, 0xf7, 0, 0,
    ...table,
    0x2c, 0, 0, 0, 0, w & 255, w >> 8, h & 255, h >> 8, 0,
    8, ...blocks, 0,
    0x3b,
  ]);
}
