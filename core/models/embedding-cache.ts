import type { RgbaImage } from '../image/types.js';
import type { ImageEmbedding } from './types.js';

/**
 * Content key of an image: two independent 32-bit hashes over its pixels plus its size.
 * Synchronous and fast (one pass), collision odds ~2^-64 for a session's handful of images.
 */
export function imageKey(img: RgbaImage): string {
  const d = img.data;
  const words = new Uint32Array(d.buffer, d.byteOffset, d.byteOffset % 4 === 0 ? d.length >> 2 : 0);
  let h1 = 0x811c9dc5 ^ img.width;
  let h2 = 0x9747b28c ^ img.height;
  if (words.length) {
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      h1 = Math.imul(h1 ^ w, 0x01000193);
      h2 = Math.imul(h2 + w, 0x5bd1e995) ^ (h2 >>> 15);
    }
  } else {
    for (let i = 0; i < d.length; i++) {
      h1 = Math.imul(h1 ^ d[i]!, 0x01000193);
      h2 = Math.imul(h2 + d[i]!, 0x5bd1e995) ^ (h2 >>> 15);
    }
  }
  for (let i = words.length * 4; i < d.length; i++) h1 = Math.imul(h1 ^ d[i]!, 0x01000193);
  return `${img.width}x${img.height}:${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}`;
}

/** LRU of image embeddings, bounded by bytes (an SAM-ViT embedding is ~4 MB, SAM 2 ~30 MB). */
export class EmbeddingCache {
  private readonly map = new Map<string, ImageEmbedding>();
  private used = 0;
  constructor(readonly maxBytes = 256 * 1024 * 1024) {}

  static key(modelId: string, image: RgbaImage): string {
    return `${modelId}|${imageKey(image)}`;
  }

  get(key: string): ImageEmbedding | undefined {
    const e = this.map.get(key);
    if (e) {
      this.map.delete(key);
      this.map.set(key, e);
    }
    return e;
  }

  set(key: string, e: ImageEmbedding): void {
    const old = this.map.get(key);
    if (old) {
      this.used -= old.bytes;
      this.map.delete(key);
    }
    if (e.bytes > this.maxBytes) return;
    this.map.set(key, e);
    this.used += e.bytes;
    for (const [k, v] of this.map) {
      if (this.used <= this.maxBytes) break;
      this.map.delete(k);
      this.used -= v.bytes;
    }
  }

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.used;
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
  }
}
