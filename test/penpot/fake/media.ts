/**
 * The fake's media store: what `penpot.uploadMediaData` accepts and hands back.
 *
 * Penpot (frontend data/media.cljs validate-file, backend media.clj):
 *  - the declared MIME type must be one of app.common.media/image-types: image/jpeg,
 *    image/png, image/webp, image/gif, image/svg+xml — else "media-type-not-allowed";
 *  - image/svg+xml blobs are not uploaded as media at all (process-blobs routes them to the SVG
 *    importer), so the fake refuses them rather than inventing an ImageData;
 *  - the backend identifies the bytes with ImageMagick: unreadable → "invalid-image", a type other
 *    than the declared one → "media-type-mismatch";
 *  - size limit: the backend's :media-max-file-size, default 30 MiB (backend/src/app/config.clj,
 *    `(* 1024 1024 30)`), checked as size > max → "media-max-file-size-reached";
 *  - width/height come from the identified image, EXIF orientation 6/8 swapping them (the fake
 *    uses core/image's reading, which also swaps for 5/7, as browsers display them).
 * The fake decodes PNG, JPEG, WebP (core/image) and GIF (its first frame, test/helpers/gif.ts)
 * completely so garbage is rejected.
 */
import { decodeImage, readImageSize } from '../../../core/image/decode.js';
import type { RgbaImage } from '../../../core/image/types.js';
import { decodeGif } from '../../helpers/gif.js';

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/svg+xml'] as const;
export const DEFAULT_MAX_UPLOAD_BYTES = 30 * 1024 * 1024;

export interface StoredMedia {
  id: string;
  name: string;
  mtype: string;
  width: number;
  height: number;
  bytes: Uint8Array;
  pixels?: RgbaImage;
}

/** Penpot-like upload failure: `code` is the backend/frontend error code. */
export class MediaError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function ascii(b: Uint8Array, at: number, s: string): boolean {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** The MIME type ImageMagick would identify, from the magic bytes (undefined: unreadable). */
export function sniffMime(b: Uint8Array): string | undefined {
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 'PNG\r\n\x1a\n')) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'image/gif';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'image/webp';
  const head = String.fromCharCode(...b.subarray(0, 256)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'image/svg+xml';
  return undefined;
}

function gifSize(b: Uint8Array): { width: number; height: number } {
  if (b.length < 13) throw new Error('truncated GIF header');
  return { width: b[6] | (b[7] << 8), height: b[8] | (b[9] << 8) };
}

export class MediaStore {
  private readonly items = new Map<string, StoredMedia>();

  constructor(
    private readonly newId: () => string,
    readonly maxBytes: number,
  ) {}

  /** Runs Penpot's checks; returns the stored media or throws MediaError. */
  upload(name: string, bytes: Uint8Array, mimeType: string): StoredMedia {
    if (!(IMAGE_TYPES as readonly string[]).includes(mimeType)) {
      throw new MediaError('media-type-not-allowed', `media type ${mimeType} is not supported`);
    }
    if (mimeType === 'image/svg+xml') {
      throw new MediaError(
        'fake-not-emulated',
        'fake: uploadMediaData with image/svg+xml is not emulated (Penpot routes SVG blobs to its SVG importer instead of storing media)',
      );
    }
    if (bytes.length > this.maxBytes) {
      throw new MediaError('media-max-file-size-reached', `the uploaded file size ${bytes.length} is greater than the maximum ${this.maxBytes}`);
    }
    const actual = sniffMime(bytes);
    if (actual === undefined || actual === 'image/svg+xml') throw new MediaError('invalid-image', 'invalid image');
    if (actual !== mimeType) {
      throw new MediaError(
        'media-type-mismatch',
        `Seems like you are uploading a file whose content does not match the extension.Expected: ${mimeType}. Got: ${actual}`,
      );
    }
    let width: number;
    let height: number;
    let pixels: RgbaImage | undefined;
    try {
      if (actual === 'image/gif') {
        ({ width, height } = gifSize(bytes));
        pixels = decodeGif(bytes);
      } else {
        ({ width, height } = readImageSize(bytes));
        pixels = decodeImage(bytes);
      }
    } catch {
      throw new MediaError('invalid-image', 'invalid image');
    }
    if (!(width > 0 && height > 0)) throw new MediaError('invalid-image', 'invalid image');
    const media: StoredMedia = { id: this.newId(), name, mtype: actual, width, height, bytes: bytes.slice(), pixels };
    this.items.set(media.id, media);
    return media;
  }

  get(id: string): StoredMedia | undefined {
    return this.items.get(id);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  get size(): number {
    return this.items.size;
  }

  /** RGBA pixels for the renderer (PNG, JPEG, GIF). */
  pixels(id: string): RgbaImage {
    const m = this.items.get(id);
    if (!m) throw new Error(`fake: no media ${id}`);
    if (!m.pixels) throw new Error(`fake: rendering ${m.mtype} image fills is not emulated (only PNG, JPEG and GIF)`);
    return m.pixels;
  }
}
