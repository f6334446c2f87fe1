/**
 * PNG decoding and encoding on typed arrays (zlib via fflate).
 *
 * Decoding covers the whole PNG 1.2 pixel model — every colour type and bit depth, palettes
 * with tRNS, grey/RGB colour keys, Adam7 interlacing — and always yields 8-bit RGBA.
 * 16-bit samples keep their high byte, as Pillow does for RGB(A)/LA 16-bit PNGs.
 * Encoding writes 8-bit RGBA (colour type 6) or grey (colour type 0) with per-row adaptive
 * filtering.
 */
import { unzlibSync, zlibSync } from 'fflate';
import { ErrorCode, fail } from '../errors.js';
import { checkImageSize } from './ops.js';
import { scratchU8, TRANSIENT_SLOT, type ScratchBuffers } from './scratch.js';
import type { GrayImage, RgbaImage, Size } from './types.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** What IHDR says about the image. */
export interface PngHeader {
  width: number;
  height: number;
  /** 1, 2, 4, 8 or 16 bits per sample. */
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
}

export interface DecodePngOptions {
  /**
   * Verify chunk CRCs (default true). A critical chunk (IHDR, PLTE, IDAT) with a bad CRC is an
   * error; an ancillary one (tRNS, text, ...) is dropped, as libpng does.
   */
  checkCrc?: boolean;
  /**
   * Reuse these buffers (batches): the pixels are then returned in its slot 'decode.rgba',
   * valid until the next decode with the same scratch (see core/image/scratch.ts).
   */
  scratch?: ScratchBuffers;
}

export interface EncodePngOptions {
  /** zlib level 0 (store) … 9 (smallest); default 6. */
  level?: number;
  /** Reuse these buffers for the filtered rows (batches). */
  scratch?: ScratchBuffers;
  /**
   * The zlib compressor (default fflate's `zlibSync`). The CLI passes node:zlib's, which is
   * native and about three times faster; any conforming zlib stream decodes the same.
   */
  zlib?: ZlibCompress;
  /**
   * With `scratch`: the PNG returned lives in this slot of it (valid until the next encode
   * into the same slot) instead of a fresh array. Give each PNG that must coexist its own slot.
   */
  outputSlot?: string;
}

/** Compresses `data` into one zlib stream (RFC 1950) at `level` 0..9. */
export type ZlibCompress = (data: Uint8Array, level: number) => Uint8Array;

const fflateZlib: ZlibCompress = (data, level) => zlibSync(data, { level: level as 6 });

// Bit depths allowed per colour type (PNG spec, table 11.1) and samples per pixel.
const ALLOWED_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

// Adam7 passes: x0, y0, dx, dy.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

// ---------------------------------------------------------------------------------------------
// Small byte helpers

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

function chunkType(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309) of bytes[start, end); the table is built on first use. */
function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function invalid(message: string, cause?: unknown): never {
  fail(ErrorCode.InvalidImage, message, cause);
}

// ---------------------------------------------------------------------------------------------
// Header

/** True when the bytes start with the 8-byte PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) return false;
  return true;
}

/** Parses and validates IHDR (which must be the first chunk) without touching pixel data. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (!isPng(bytes)) {
    invalid('Not a PNG file: the first 8 bytes are not the PNG signature.');
  }
  if (bytes.length < 33) {
    invalid(
      `The PNG file is truncated: it is ${bytes.length} bytes long, too short to hold its ` +
        'header. Export or download the image again.',
    );
  }
  if (u32(bytes, 8) !== 13 || chunkType(bytes, 12) !== 'IHDR') {
    invalid('The PNG file is corrupt: its first chunk is not a 13-byte IHDR header.');
  }
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  const bitDepth = bytes[24];
  const colorType = bytes[25];
  const depths = ALLOWED_DEPTHS[colorType];
  if (!depths) {
    invalid(`The PNG file is corrupt: colour type ${colorType} does not exist (0, 2, 3, 4, 6 do).`);
  }
  if (!depths.includes(bitDepth)) {
    invalid(
      `The PNG file is corrupt: bit depth ${bitDepth} is not allowed with colour type ` +
        `${colorType} (allowed: ${depths.join(', ')}).`,
    );
  }
  if (bytes[26] !== 0 || bytes[27] !== 0) {
    invalid('The PNG file uses an unknown compression or filter method; only method 0 exists.');
  }
  if (bytes[28] > 1) {
    invalid(`The PNG file uses unknown interlace method ${bytes[28]}; only 0 and 1 (Adam7) exist.`);
  }
  if (width > 0x7fffffff || height > 0x7fffffff) {
    invalid(`The PNG file is corrupt: its header declares ${width}×${height} pixels.`);
  }
  return { width, height, bitDepth, colorType, interlaced: bytes[28] === 1 };
}

/** Image size from the PNG header alone. A 0×0 header is an IMAGE_SIZE error. */
export function readPngSize(bytes: Uint8Array): Size {
  const { width, height } = readPngHeader(bytes);
  if (width === 0 || height === 0) checkImageSize(width, height, 'PNG');
  return { width, height };
}

// ---------------------------------------------------------------------------------------------
// Decoding

interface PngChunks {
  header: PngHeader;
  idat: Uint8Array[];
  idatLength: number;
  /** 256 RGBA entries (palette images); missing entries are opaque black. */
  palette?: Uint8Array;
  paletteSize: number;
  /** Grey or RGB colour key from tRNS (in sample units of the bit depth). */
  colorKey?: readonly number[];
}

function readChunks(bytes: Uint8Array, checkCrc: boolean): PngChunks {
  const header = readPngHeader(bytes);
  const chunks: PngChunks = { header, idat: [], idatLength: 0, paletteSize: 0 };
  let paletteBytes: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  let pos = 8;
  let first = true;
  while (true) {
    if (pos === bytes.length) break; // No IEND: tolerated if the image data turns out complete.
    if (pos + 12 > bytes.length) {
      invalid(`The PNG file is truncated at byte ${pos} (inside a chunk header). Export it again.`);
    }
    const length = u32(bytes, pos);
    const type = chunkType(bytes, pos + 4);
    if (length > 0x7fffffff) {
      invalid(`The PNG file is corrupt: chunk "${type}" at byte ${pos} declares ${length} bytes.`);
    }
    const dataStart = pos + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) {
      invalid(
        `The PNG file is truncated: chunk "${type}" at byte ${pos} needs ${length + 12} bytes ` +
          `but only ${bytes.length - pos} remain. Export or download the image again.`,
      );
    }
    // Bit 5 of the first type byte clear (upper case) marks a chunk decoders must understand.
    const critical = (bytes[pos + 4] & 0x20) === 0;
    const crcOk = !checkCrc || crc32(bytes, pos + 4, dataEnd) === u32(bytes, dataEnd);
    if (!crcOk && critical) {
      invalid(
        `The PNG file is corrupt: chunk "${type}" at byte ${pos} fails its CRC check. ` +
          'Export or download the image again.',
      );
    }
    pos = dataEnd + 4;
    if (first) {
      first = false; // IHDR, already parsed by readPngHeader.
      continue;
    }
    if (!crcOk) continue; // Damaged ancillary chunk: dropped.
    const data = bytes.subarray(dataStart, dataEnd);
    if (type === 'IDAT') {
      chunks.idat.push(data);
      chunks.idatLength += length;
    } else if (type === 'PLTE') {
      if (length % 3 !== 0 || length === 0 || length > 768) {
        invalid(`The PNG file is corrupt: its palette (PLTE) has ${length} bytes.`);
      }
      paletteBytes = data;
    } else if (type === 'tRNS') {
      trns = data;
    } else if (type === 'IEND') {
      break;
    } else if (type === 'IHDR') {
      invalid('The PNG file is corrupt: it has two IHDR headers.');
    } else if (critical) {
      invalid(
        `The PNG file needs chunk "${type}", which this decoder does not know` +
          (type === 'CgBI' ? ' (an Apple-optimised PNG; convert it with a standard tool)' : '') +
          '. Re-save the image as a standard PNG.',
      );
    }
  }

  const { colorType, bitDepth } = header;
  if (colorType === 3) {
    if (!paletteBytes) invalid('The PNG file is corrupt: it is a palette image without a palette (PLTE).');
    const palette = new Uint8Array(256 * 4);
    for (let i = 0; i < 256; i++) palette[i * 4 + 3] = 255;
    const n = paletteBytes.length / 3;
    for (let i = 0; i < n; i++) {
      palette[i * 4] = paletteBytes[i * 3];
      palette[i * 4 + 1] = paletteBytes[i * 3 + 1];
      palette[i * 4 + 2] = paletteBytes[i * 3 + 2];
    }
    // tRNS gives alpha for the first entries; extra entries beyond the palette are ignored.
    if (trns) for (let i = 0; i < Math.min(trns.length, n); i++) palette[i * 4 + 3] = trns[i];
    chunks.palette = palette;
    chunks.paletteSize = n;
  } else if (trns && colorType === 0 && trns.length >= 2) {
    chunks.colorKey = [((trns[0] << 8) | trns[1]) & ((1 << bitDepth) - 1)];
  } else if (trns && colorType === 2 && trns.length >= 6) {
    chunks.colorKey = [(trns[0] << 8) | trns[1], (trns[2] << 8) | trns[3], (trns[4] << 8) | trns[5]];
  }
  if (chunks.idat.length === 0) {
    invalid('The PNG file has no image data (no IDAT chunk); it is truncated or corrupt.');
  }
  return chunks;
}

/** Bytes in one scanline of `width` pixels (without the filter byte). */
function rowBytes(width: number, bitsPerPixel: number): number {
  return Math.floor((width * bitsPerPixel + 7) / 8);
}

/** The pass layout: for each non-empty pass, its geometry and the offset of its first row. */
interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
  offset: number;
}

function passes(header: PngHeader, bitsPerPixel: number): { list: Pass[]; size: number } {
  const { width, height } = header;
  const geometry = header.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const list: Pass[] = [];
  let size = 0;
  for (const [x0, y0, dx, dy] of geometry) {
    const pw = width > x0 ? Math.ceil((width - x0) / dx) : 0;
    const ph = height > y0 ? Math.ceil((height - y0) / dy) : 0;
    if (pw === 0 || ph === 0) continue; // Empty passes contribute no bytes, not even filter bytes.
    list.push({ x0, y0, dx, dy, width: pw, height: ph, offset: size });
    size += ph * (1 + rowBytes(pw, bitsPerPixel));
  }
  return { list, size };
}

/** Reverses the per-row filters of one pass in place. */
function unfilter(raw: Uint8Array, offset: number, rows: number, len: number, bpp: number): void {
  let prev = -1; // Start of the previous (already unfiltered) row; none for the first row.
  let pos = offset;
  for (let r = 0; r < rows; r++) {
    const filter = raw[pos];
    const line = pos + 1;
    const end = line + len;
    switch (filter) {
      case 0:
        break;
      case 1: // Sub
        for (let i = line + bpp; i < end; i++) raw[i] += raw[i - bpp];
        break;
      case 2: // Up
        if (prev >= 0) for (let i = line, j = prev; i < end; i++, j++) raw[i] += raw[j];
        break;
      case 3: // Average
        if (prev >= 0) {
          for (let i = line, j = prev; i < line + bpp; i++, j++) raw[i] += raw[j] >> 1;
          for (let i = line + bpp, j = prev + bpp; i < end; i++, j++) raw[i] += (raw[i - bpp] + raw[j]) >> 1;
        } else {
          for (let i = line + bpp; i < end; i++) raw[i] += raw[i - bpp] >> 1;
        }
        break;
      case 4: // Paeth; without a previous row it reduces to Sub.
        if (prev >= 0) {
          for (let i = line, j = prev; i < line + bpp; i++, j++) raw[i] += raw[j];
          for (let i = line + bpp, j = prev + bpp; i < end; i++, j++) {
            const a = raw[i - bpp];
            const b = raw[j];
            const c = raw[j - bpp];
            const pa = Math.abs(b - c);
            const pb = Math.abs(a - c);
            const pc = Math.abs(a + b - 2 * c);
            raw[i] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          }
        } else {
          for (let i = line + bpp; i < end; i++) raw[i] += raw[i - bpp];
        }
        break;
      default:
        invalid(`The PNG file is corrupt: row ${r} uses unknown filter type ${filter}.`);
    }
    prev = line;
    pos = end;
  }
}

/**
 * Converts `count` pixels of one unfiltered scanline (starting at raw[line]) to RGBA,
 * writing pixel i at out[outIndex + i * outStep].
 */
type RowUnpacker = (raw: Uint8Array, line: number, count: number, out: Uint8Array, outIndex: number, outStep: number) => void;

function rowUnpacker(chunks: PngChunks): RowUnpacker {
  const { colorType, bitDepth } = chunks.header;
  const key = chunks.colorKey;
  if (colorType === 3) {
    const pal = chunks.palette!;
    // Out-of-range indices read the pre-filled opaque black entries, as libpng and browsers do.
    if (bitDepth === 8) {
      return (raw, line, count, out, o, step) => {
        for (let i = 0; i < count; i++, o += step) {
          const p = raw[line + i] * 4;
          out[o] = pal[p];
          out[o + 1] = pal[p + 1];
          out[o + 2] = pal[p + 2];
          out[o + 3] = pal[p + 3];
        }
      };
    }
    const mask = (1 << bitDepth) - 1;
    return (raw, line, count, out, o, step) => {
      for (let i = 0; i < count; i++, o += step) {
        const bit = i * bitDepth;
        const p = ((raw[line + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & mask) * 4;
        out[o] = pal[p];
        out[o + 1] = pal[p + 1];
        out[o + 2] = pal[p + 2];
        out[o + 3] = pal[p + 3];
      }
    };
  }
  if (colorType === 0) {
    const k = key ? key[0] : -1;
    if (bitDepth === 16) {
      return (raw, line, count, out, o, step) => {
        for (let i = 0, s = line; i < count; i++, o += step, s += 2) {
          const v = raw[s];
          out[o] = out[o + 1] = out[o + 2] = v;
          out[o + 3] = ((v << 8) | raw[s + 1]) === k ? 0 : 255;
        }
      };
    }
    if (bitDepth === 8) {
      return (raw, line, count, out, o, step) => {
        for (let i = 0; i < count; i++, o += step) {
          const v = raw[line + i];
          out[o] = out[o + 1] = out[o + 2] = v;
          out[o + 3] = v === k ? 0 : 255;
        }
      };
    }
    // 1, 2, 4 bits: scale to 0..255 (×255, ×85, ×17) so white stays white.
    const mask = (1 << bitDepth) - 1;
    const scale = 255 / mask;
    return (raw, line, count, out, o, step) => {
      for (let i = 0; i < count; i++, o += step) {
        const bit = i * bitDepth;
        const s = (raw[line + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & mask;
        out[o] = out[o + 1] = out[o + 2] = s * scale;
        out[o + 3] = s === k ? 0 : 255;
      }
    };
  }
  if (colorType === 2) {
    const hasKey = key !== undefined;
    const [kr, kg, kb] = key ?? [-1, -1, -1];
    if (bitDepth === 16) {
      return (raw, line, count, out, o, step) => {
        for (let i = 0, s = line; i < count; i++, o += step, s += 6) {
          out[o] = raw[s];
          out[o + 1] = raw[s + 2];
          out[o + 2] = raw[s + 4];
          out[o + 3] =
            hasKey &&
            ((raw[s] << 8) | raw[s + 1]) === kr &&
            ((raw[s + 2] << 8) | raw[s + 3]) === kg &&
            ((raw[s + 4] << 8) | raw[s + 5]) === kb
              ? 0
              : 255;
        }
      };
    }
    return (raw, line, count, out, o, step) => {
      for (let i = 0, s = line; i < count; i++, o += step, s += 3) {
        const r = raw[s];
        const g = raw[s + 1];
        const b = raw[s + 2];
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
        out[o + 3] = r === kr && g === kg && b === kb ? 0 : 255;
      }
    };
  }
  // Grey+alpha (4) and RGBA (6): 16-bit samples keep their high byte.
  const channels = CHANNELS[colorType];
  const bytesPerSample = bitDepth >> 3;
  const stride = channels * bytesPerSample;
  if (colorType === 4) {
    return (raw, line, count, out, o, step) => {
      for (let i = 0, s = line; i < count; i++, o += step, s += stride) {
        out[o] = out[o + 1] = out[o + 2] = raw[s];
        out[o + 3] = raw[s + bytesPerSample];
      }
    };
  }
  if (bitDepth === 8 && colorType === 6) {
    return (raw, line, count, out, o, step) => {
      if (step === 4) {
        out.set(raw.subarray(line, line + count * 4), o);
        return;
      }
      for (let i = 0, s = line; i < count; i++, o += step, s += 4) {
        out[o] = raw[s];
        out[o + 1] = raw[s + 1];
        out[o + 2] = raw[s + 2];
        out[o + 3] = raw[s + 3];
      }
    };
  }
  return (raw, line, count, out, o, step) => {
    for (let i = 0, s = line; i < count; i++, o += step, s += 8) {
      out[o] = raw[s];
      out[o + 1] = raw[s + 2];
      out[o + 2] = raw[s + 4];
      out[o + 3] = raw[s + 6];
    }
  };
}

const MAX_DEFLATE_RATIO = 1032;

function inflateImageData(chunks: PngChunks, size: number, scratch?: ScratchBuffers): Uint8Array {
  let zdata: Uint8Array;
  if (chunks.idat.length === 1) {
    zdata = chunks.idat[0];
  } else {
    zdata = scratchU8(scratch, 'png.idat', chunks.idatLength);
    let o = 0;
    for (const c of chunks.idat) {
      zdata.set(c, o);
      o += c.length;
    }
  }
  // Deflate expands at most 1032:1 (a 258-byte match per two 1-bit codes), plus a block
  // header: image data needing more than that cannot be in these IDAT bytes, so a tiny file
  // claiming a huge size fails here, before the buffer for it is allocated.
  const most = chunks.idatLength * MAX_DEFLATE_RATIO + 1024;
  if (size > most) {
    invalid(
      `The PNG file is corrupt or truncated: its ${chunks.header.width}×${chunks.header.height} header needs ${size} bytes ` +
        `of image data, more than its ${chunks.idatLength} compressed bytes can hold. Export or download it again.`,
    );
  }
  // Inflating into a buffer of exactly the expected size both saves memory and caps what a
  // malicious stream can make us allocate (fflate truncates to the given buffer).
  // fflate hands an empty stream's buffer back untouched: a reused one is zeroed for that case,
  // so the result is what a fresh buffer gives.
  let raw: Uint8Array;
  try {
    raw = unzlibSync(zdata, { out: scratchU8(scratch, TRANSIENT_SLOT, size, zdata.length <= 10) });
  } catch (e) {
    invalid(
      `The PNG image data is corrupt or truncated (zlib: ${e instanceof Error ? e.message : String(e)}). ` +
        'Export or download the image again.',
      e,
    );
  }
  if (raw.length < size) {
    invalid(
      `The PNG image data is truncated: it holds ${raw.length} of the ${size} bytes its ` +
        `${chunks.header.width}×${chunks.header.height} header requires. Export or download it again.`,
    );
  }
  return raw;
}

/**
 * Decodes a PNG of any standard colour type, bit depth and interlacing to 8-bit RGBA.
 * Fails with INVALID_IMAGE for anything malformed or truncated and IMAGE_SIZE for 0×0 or
 * over-limit images (checked before any pixel buffer is allocated).
 */
export function decodePng(bytes: Uint8Array, options: DecodePngOptions = {}): RgbaImage {
  const chunks = readChunks(bytes, options.checkCrc ?? true);
  const { header } = chunks;
  const { width, height, bitDepth, colorType } = header;
  checkImageSize(width, height, 'PNG');

  const bitsPerPixel = CHANNELS[colorType] * bitDepth;
  const bpp = Math.max(1, bitsPerPixel >> 3); // Filter byte distance.
  const layout = passes(header, bitsPerPixel);
  const raw = inflateImageData(chunks, layout.size, options.scratch);

  // Every pixel is written below (the Adam7 passes cover each once), so a reused buffer needs
  // no clearing.
  const out = scratchU8(options.scratch, 'decode.rgba', width * height * 4);
  const unpack = rowUnpacker(chunks);
  for (const p of layout.list) {
    const len = rowBytes(p.width, bitsPerPixel);
    unfilter(raw, p.offset, p.height, len, bpp);
    for (let r = 0; r < p.height; r++) {
      const line = p.offset + r * (len + 1) + 1;
      const y = p.y0 + r * p.dy;
      unpack(raw, line, p.width, out, (y * width + p.x0) * 4, p.dx * 4);
    }
  }
  options.scratch?.dropHuge('png.idat');
  return { width, height, data: out };
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Sum of |filtered byte| read as signed, libpng's heuristic for picking a row filter. */
function signedCost(v: number): number {
  return v < 128 ? v : 256 - v;
}

function paethPredictor(a: number, b: number, c: number): number {
  const pa = Math.abs(b - c);
  const pb = Math.abs(a - c);
  const pc = Math.abs(a + b - 2 * c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Filters one row into dst (filter byte first), choosing among None, Sub, Up, Average and
 * Paeth the one with the smallest sum of absolute signed residuals. `prev` is the start of
 * the previous row in src, or -1 for the first row (whose "up" neighbours are zero).
 */
function filterRow(src: Uint8Array, line: number, prev: number, len: number, bpp: number, dst: Uint8Array, d: number): void {
  const hasUp = prev >= 0;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  let c4 = 0;
  for (let i = 0; i < len; i++) {
    const x = src[line + i];
    const a = i >= bpp ? src[line + i - bpp] : 0;
    const b = hasUp ? src[prev + i] : 0;
    const c = hasUp && i >= bpp ? src[prev + i - bpp] : 0;
    c0 += signedCost(x);
    c1 += signedCost((x - a) & 0xff);
    c2 += signedCost((x - b) & 0xff);
    c3 += signedCost((x - ((a + b) >> 1)) & 0xff);
    c4 += signedCost((x - paethPredictor(a, b, c)) & 0xff);
  }
  const costs = [c0, c1, c2, c3, c4];
  let best = 0;
  for (let f = 1; f < 5; f++) if (costs[f] < costs[best]) best = f;
  dst[d] = best;
  const o = d + 1;
  // Uint8Array stores wrap modulo 256, which is exactly the filter arithmetic.
  for (let i = 0; i < len; i++) {
    const x = src[line + i];
    if (best === 0) {
      dst[o + i] = x;
      continue;
    }
    const a = i >= bpp ? src[line + i - bpp] : 0;
    const b = hasUp ? src[prev + i] : 0;
    if (best === 1) dst[o + i] = x - a;
    else if (best === 2) dst[o + i] = x - b;
    else if (best === 3) dst[o + i] = x - ((a + b) >> 1);
    else dst[o + i] = x - paethPredictor(a, b, hasUp && i >= bpp ? src[prev + i - bpp] : 0);
  }
}

function writeChunk(out: Uint8Array, pos: number, type: string, data: Uint8Array): number {
  putU32(out, pos, data.length);
  for (let i = 0; i < 4; i++) out[pos + 4 + i] = type.charCodeAt(i);
  out.set(data, pos + 8);
  putU32(out, pos + 8 + data.length, crc32(out, pos + 4, pos + 8 + data.length));
  return pos + 12 + data.length;
}

/** A whole chunk (length, type, data, CRC) ready to splice into a PNG. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  writeChunk(out, 0, type, data);
  return out;
}

/** One chunk of a PNG: `start` is its length field, `end` the byte after its CRC. */
export interface PngChunkSpan {
  type: string;
  start: number;
  end: number;
  data: Uint8Array;
}

/**
 * The chunks of a PNG in file order, when they tile the file exactly from the signature to
 * the end; undefined otherwise. Only the framing is checked (not CRCs or contents): callers
 * that need a well-formed image decode it.
 */
export function pngChunkSpans(bytes: Uint8Array): PngChunkSpan[] | undefined {
  if (!isPng(bytes)) return undefined;
  const spans: PngChunkSpan[] = [];
  let pos = 8;
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) return undefined;
    const length = u32(bytes, pos);
    const end = pos + 12 + length;
    if (end > bytes.length) return undefined;
    spans.push({ type: chunkType(bytes, pos + 4), start: pos, end, data: bytes.subarray(pos + 8, pos + 8 + length) });
    pos = end;
  }
  return spans;
}

/**
 * Encodes an RGBA image (colour type 6) or a grey image (colour type 0) as an 8-bit,
 * non-interlaced PNG. The kind is told apart by the buffer length (w·h·4 or w·h).
 */
export function encodePng(image: RgbaImage | GrayImage, options: EncodePngOptions = {}): Uint8Array {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    fail(ErrorCode.ImageSize, `Cannot encode a ${width}×${height} image as PNG: it needs at least 1×1 pixel.`);
  }
  const pixels = width * height;
  const channels = data.length === pixels * 4 ? 4 : data.length === pixels ? 1 : 0;
  if (channels === 0) {
    invalid(
      `Cannot encode as PNG: the buffer holds ${data.length} bytes, but a ${width}×${height} ` +
        `image needs ${pixels * 4} (RGBA) or ${pixels} (grey).`,
    );
  }
  const level = options.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    fail(ErrorCode.InvalidOption, `PNG compression level must be an integer from 0 to 9, got ${level}.`);
  }

  const len = width * channels;
  // Every byte is written by filterRow.
  const raw = scratchU8(options.scratch, TRANSIENT_SLOT, height * (len + 1));
  for (let y = 0; y < height; y++) {
    filterRow(data, y * len, y > 0 ? (y - 1) * len : -1, len, channels, raw, y * (len + 1));
  }
  const stream = (options.zlib ?? fflateZlib)(raw, level);
  options.scratch?.dropHuge(TRANSIENT_SLOT);
  const ihdr = new Uint8Array(13);
  putU32(ihdr, 0, width);
  putU32(ihdr, 4, height);
  ihdr[8] = 8;
  ihdr[9] = channels === 4 ? 6 : 0;
  // Compression, filter method and interlace stay 0.

  const idatAt = 8 + (12 + 13) + 8;
  const total = idatAt + stream.length + 4 + 12;
  const png = options.scratch && options.outputSlot ? options.scratch.u8(options.outputSlot, total) : new Uint8Array(total);
  png.set(SIGNATURE, 0);
  writeChunk(png, 8, 'IHDR', ihdr);
  putU32(png, idatAt - 8, stream.length);
  for (let i = 0; i < 4; i++) png[idatAt - 4 + i] = 'IDAT'.charCodeAt(i);
  png.set(stream, idatAt);
  putU32(png, idatAt + stream.length, crc32(png, idatAt - 4, idatAt + stream.length));
  writeChunk(png, idatAt + stream.length + 4, 'IEND', new Uint8Array(0));
  return png;
}
