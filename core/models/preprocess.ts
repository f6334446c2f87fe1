import type { RgbaImage } from '../image/types.js';
import { resizeBilinearPil } from '../image/resize.js';
import { scratchU8, type ScratchBuffers } from '../image/scratch.js';
import type { FrameTransform } from '../prompts/frames.js';
import { fail, ErrorCode } from '../errors.js';
import { checkImageSize } from '../image/ops.js';

/** Per-channel normalisation: value = (pixel · scale − mean) / std. */
export interface Normalisation {
  scale: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

export const IMAGENET_UNIT: Normalisation = {
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

/** Meta's SAM 1 normalisation, in 0-255 space. */
export const IMAGENET_255: Normalisation = {
  scale: 1,
  mean: [123.675, 116.28, 103.53],
  std: [58.395, 57.12, 57.375],
};

export function checkImage(img: RgbaImage): void {
  checkImageSize(img.width, img.height, 'image');
  if (img.data.length !== img.width * img.height * 4) {
    fail(ErrorCode.InvalidImage, `the image buffer holds ${img.data.length} bytes, expected ${img.width * img.height * 4} for ${img.width}×${img.height} RGBA`);
  }
}

/**
 * Transparent pixels carry arbitrary colour under alpha 0; SAM only sees RGB, so images with
 * transparency are flattened onto white first (what a designer sees on a canvas). Opaque
 * images pass through untouched, which keeps bit parity with the reference processors.
 */
export function flattenAlpha(img: RgbaImage, scratch?: ScratchBuffers): RgbaImage {
  const d = img.data;
  let opaque = true;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) { opaque = false; break; }
  if (opaque) return img;
  // With `scratch`: its slot 'flatten' (every byte is written).
  const out = scratchU8(scratch, 'flatten', d.length);
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3]!;
    for (let c = 0; c < 3; c++) out[i + c] = Math.round((d[i + c]! * a + 255 * (255 - a)) / 255);
    out[i + 3] = 255;
  }
  return { width: img.width, height: img.height, data: out };
}

/** The image resized into the frame as the reference does (PIL bilinear on uint8). */
export function resizeForFrame(img: RgbaImage, t: FrameTransform): RgbaImage {
  checkImage(img);
  const flat = flattenAlpha(img);
  if (flat.width === t.resized.width && flat.height === t.resized.height) return flat;
  return resizeBilinearPil(flat, t.resized.width, t.resized.height);
}

/**
 * NCHW float tensor data [1,3,frame,frame]: normalised, zero-padded bottom/right AFTER
 * normalising (as the reference processors do, so the padding is 0, not −mean/std).
 */
export function pixelValues(resized: RgbaImage, t: FrameTransform, norm: Normalisation): Float32Array {
  const f = t.frame;
  const out = new Float32Array(3 * f * f);
  const { width: w, height: h, data } = resized;
  for (let c = 0; c < 3; c++) {
    const plane = c * f * f;
    const m = norm.mean[c]!;
    const s = norm.std[c]!;
    const k = norm.scale;
    for (let y = 0; y < h; y++) {
      const src = y * w * 4 + c;
      const dst = plane + y * f;
      for (let x = 0; x < w; x++) out[dst + x] = Math.fround(Math.fround(data[src + x * 4]! * k) - m) / s;
    }
  }
  return out;
}

/** HWC float data in 0-255 (samexporter's `input_image`, normalised inside the graph). */
export function hwcValues(resized: RgbaImage): Float32Array {
  const n = resized.width * resized.height;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[i * 3] = resized.data[i * 4]!;
    out[i * 3 + 1] = resized.data[i * 4 + 1]!;
    out[i * 3 + 2] = resized.data[i * 4 + 2]!;
  }
  return out;
}
