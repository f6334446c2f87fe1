/**
 * The fake's image store: what figma.createImage / getImageByHash hand out. Bytes are kept
 * as given (getBytesAsync returns the original file); the size comes from the file header;
 * pixels are decoded lazily (core/image) only when the renderer needs them.
 */
import { decodeImage } from '../../../core/image/decode.js';
import { isJpeg, readJpegSize } from '../../../core/image/jpeg.js';
import { isPng, readPngSize } from '../../../core/image/png.js';
import type { RgbaImage } from '../../../core/image/types.js';
import { decodeGif } from '../../helpers/gif.js';

export const MAX_SIDE = 4096;

export interface StoredImage {
  hash: string;
  bytes: Uint8Array;
  format: 'PNG' | 'JPEG' | 'GIF';
  width: number;
  height: number;
  pixels?: RgbaImage;
}

function isGif(b: Uint8Array): boolean {
  return b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38 && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61;
}

/** 40 hex digits, like Figma's (SHA-1 sized) image hashes; deterministic in the bytes. */
function hashBytes(bytes: Uint8Array): string {
  let out = '';
  for (let seed = 0; seed < 5; seed++) {
    let h = (0x811c9dc5 ^ (seed * 0x9e3779b9)) >>> 0;
    for (let i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= bytes.length + seed;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

export class ImageStore {
  private readonly images = new Map<string, StoredImage>();

  add(bytes: Uint8Array): StoredImage {
    if (!(bytes instanceof Uint8Array)) throw new Error('in createImage: Expected Uint8Array');
    let format: StoredImage['format'];
    let width: number;
    let height: number;
    try {
      if (isPng(bytes)) {
        format = 'PNG';
        ({ width, height } = readPngSize(bytes));
      } else if (isJpeg(bytes)) {
        format = 'JPEG';
        ({ width, height } = readJpegSize(bytes));
      } else if (isGif(bytes)) {
        format = 'GIF';
        width = bytes[6] | (bytes[7] << 8);
        height = bytes[8] | (bytes[9] << 8);
      } else {
        throw new Error('unsupported');
      }
    } catch {
      throw new Error('in createImage: Image type is unsupported');
    }
    if (width > MAX_SIDE || height > MAX_SIDE) {
      throw new Error(`in createImage: Image is too large (${width}×${height}); images must be at most ${MAX_SIDE}×${MAX_SIDE} pixels`);
    }
    const copy = bytes.slice();
    const hash = hashBytes(copy);
    const existing = this.images.get(hash);
    if (existing) return existing;
    const img: StoredImage = { hash, bytes: copy, format, width, height };
    this.images.set(hash, img);
    return img;
  }

  get(hash: string): StoredImage | undefined {
    return this.images.get(hash);
  }

  has(hash: string): boolean {
    return this.images.has(hash);
  }

  pixels(hash: string): RgbaImage {
    const img = this.images.get(hash);
    if (!img) throw new Error(`fake: no image ${hash}`);
    // Figma draws a GIF fill's first frame in the editor and in exports.
    if (!img.pixels) img.pixels = img.format === 'GIF' ? decodeGif(img.bytes) : decodeImage(img.bytes);
    return img.pixels;
  }

  get size(): number {
    return this.images.size;
  }
}
