/**
 * Bilinear resize that reproduces Pillow's `Image.resize(size, Image.BILINEAR)` on 8-bit
 * images bit for bit — the resize the SAM reference processors run — so the model sees the
 * same pixels here as in Python.
 *
 * Pillow's algorithm (libImaging/Resample.c), re-derived here:
 * - a separable triangle filter whose support widens by the scale factor when downscaling
 *   (antialiasing), so every source pixel under the output pixel's footprint contributes;
 * - per output pixel, weights computed in double, normalised to sum 1, then converted to
 *   fixed point with 22 fractional bits (32 bits minus 8 for the value, minus 2 headroom);
 * - integer accumulation starting at one half (rounding), then >> 22 and clamp to 0..255;
 * - horizontal pass first, into an 8-bit intermediate holding only the source rows the
 *   vertical pass will read, then the vertical pass. Each pass is skipped when its
 *   dimension does not change. The 8-bit intermediate is part of the result: doing both
 *   passes in float would differ by ±1 in places.
 * RGBA channels are filtered independently (no premultiplication), which is what Pillow does
 * for RGB/RGBX data and what the processors see after `convert('RGB')`.
 */
import { ErrorCode, fail } from '../errors.js';
import { MAX_IMAGE_PIXELS } from './ops.js';
import { scratchU8, type ScratchBuffers } from './scratch.js';
import type { GrayImage, RgbaImage, Size } from './types.js';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** Fixed-point filter taps for one axis: output i reads `bounds[2i+1]` inputs from `bounds[2i]`. */
interface Taps {
  /** Stride between consecutive outputs' weights. */
  ksize: number;
  bounds: Int32Array;
  weights: Int32Array;
}

/** Triangle (bilinear) filter, support 1. */
function triangle(x: number): number {
  if (x < 0) x = -x;
  return x < 1 ? 1 - x : 0;
}

/**
 * Taps mapping `inSize` samples to `outSize`. The arithmetic (order of operations included)
 * follows Pillow's precompute_coeffs and normalize_coeffs_8bpc so the rounded weights are
 * identical.
 */
function computeTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = scale < 1 ? 1 : scale;
  const support = 1 * filterScale; // Triangle support (1) widened when downscaling.
  const ksize = Math.ceil(support) * 2 + 1;
  const invFilterScale = 1 / filterScale;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero; Math.trunc does the same.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const v = triangle((x + xmin - center + 0.5) * invFilterScale);
      w[x] = v;
      sum += v;
    }
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const v = sum !== 0 ? w[x] / sum : w[x];
      weights[base + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

/*
 * Accumulators stay below 2^31 (255 · (2^22 + ksize/2) + 2^21), so int32 arithmetic is
 * exact, and `>> 22` into a Uint8ClampedArray is Pillow's clip8: shift, then clamp to 0..255.
 */

/** Horizontal pass over source rows [rowFirst, rowFirst + rows), 4 interleaved channels. */
function horizontal4(src: Uint8Array, srcWidth: number, rowFirst: number, rows: number, outWidth: number, taps: Taps, out: Uint8Array): Uint8Array {
  const clip = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  const { ksize, bounds, weights } = taps;
  let o = 0;
  for (let y = 0; y < rows; y++) {
    const row = (rowFirst + y) * srcWidth * 4;
    for (let xx = 0; xx < outWidth; xx++) {
      const n = bounds[xx * 2 + 1];
      let p = row + bounds[xx * 2] * 4;
      let k = xx * ksize;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let s3 = HALF;
      for (let t = 0; t < n; t++, p += 4, k++) {
        const wk = weights[k];
        s0 += src[p] * wk;
        s1 += src[p + 1] * wk;
        s2 += src[p + 2] * wk;
        s3 += src[p + 3] * wk;
      }
      clip[o] = s0 >> PRECISION_BITS;
      clip[o + 1] = s1 >> PRECISION_BITS;
      clip[o + 2] = s2 >> PRECISION_BITS;
      clip[o + 3] = s3 >> PRECISION_BITS;
      o += 4;
    }
  }
  return out;
}

/** Horizontal pass, one channel. */
function horizontal1(src: Uint8Array, srcWidth: number, rowFirst: number, rows: number, outWidth: number, taps: Taps, out: Uint8Array): Uint8Array {
  const clip = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  const { ksize, bounds, weights } = taps;
  let o = 0;
  for (let y = 0; y < rows; y++) {
    const row = (rowFirst + y) * srcWidth;
    for (let xx = 0; xx < outWidth; xx++) {
      const n = bounds[xx * 2 + 1];
      const p = row + bounds[xx * 2];
      const k = xx * ksize;
      let s = HALF;
      for (let t = 0; t < n; t++) s += src[p + t] * weights[k + t];
      clip[o++] = s >> PRECISION_BITS;
    }
  }
  return out;
}

/**
 * Vertical pass over rows of `rowLength` bytes (any channel count: channels never mix
 * vertically). Accumulates whole rows at a time so memory is read sequentially.
 */
function vertical(src: Uint8Array, rowLength: number, outHeight: number, taps: Taps, rowShift: number, out: Uint8Array): Uint8Array {
  const clip = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  const acc = new Int32Array(rowLength);
  const { ksize, bounds, weights } = taps;
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = bounds[yy * 2] - rowShift;
    const n = bounds[yy * 2 + 1];
    acc.fill(HALF);
    for (let t = 0; t < n; t++) {
      const wk = weights[yy * ksize + t];
      const row = (ymin + t) * rowLength;
      for (let i = 0; i < rowLength; i++) acc[i] += src[row + i] * wk;
    }
    const o = yy * rowLength;
    for (let i = 0; i < rowLength; i++) clip[o + i] = acc[i] >> PRECISION_BITS;
  }
  return out;
}

/**
 * With `scratch`, the intermediate and the result live in its slots 'resize.temp' and
 * 'resize.out' (valid until the next resize with that scratch).
 */
function resample(data: Uint8Array, width: number, height: number, channels: 1 | 4, outWidth: number, outHeight: number, scratch?: ScratchBuffers): Uint8Array {
  const needHorizontal = outWidth !== width;
  const needVertical = outHeight !== height;
  const out = () => scratchU8(scratch, 'resize.out', outWidth * outHeight * channels);
  if (!needHorizontal && !needVertical) {
    // Pillow returns a copy too.
    if (!scratch) return data.slice();
    const copy = out();
    copy.set(data);
    return copy;
  }
  const vTaps = computeTaps(height, outHeight);
  if (!needHorizontal) return vertical(data, width * channels, outHeight, vTaps, 0, out());

  // Only the source rows the vertical pass reads go through the horizontal pass.
  const rowFirst = needVertical ? vTaps.bounds[0] : 0;
  const rowLast = needVertical ? vTaps.bounds[outHeight * 2 - 2] + vTaps.bounds[outHeight * 2 - 1] : height;
  const hTaps = computeTaps(width, outWidth);
  const horizontal = channels === 4 ? horizontal4 : horizontal1;
  if (!needVertical) return horizontal(data, width, rowFirst, rowLast - rowFirst, outWidth, hTaps, out());
  const temp = horizontal(data, width, rowFirst, rowLast - rowFirst, outWidth, hTaps, scratchU8(scratch, 'resize.temp', outWidth * (rowLast - rowFirst) * channels));
  return vertical(temp, outWidth * channels, outHeight, vTaps, rowFirst, out());
}

function checkTarget(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    fail(ErrorCode.InvalidOption, `Resize target must be whole pixels, at least 1×1; got ${width}×${height}.`);
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    fail(ErrorCode.ImageSize, `Resize target ${width}×${height} is above the ${MAX_IMAGE_PIXELS / 1e6}-megapixel limit.`);
  }
}

function checkSource(img: { width: number; height: number; data: Uint8Array }, channels: number, kind: string): void {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    fail(ErrorCode.ImageSize, `Cannot resize a ${width}×${height} image: it needs at least 1×1 pixel.`);
  }
  if (data.length !== width * height * channels) {
    fail(
      ErrorCode.InvalidImage,
      `Cannot resize: the ${kind} buffer holds ${data.length} bytes, expected ${width * height * channels} for ${width}×${height}.`,
    );
  }
}

/**
 * Resizes RGBA to width×height exactly as Pillow's `resize((width, height), BILINEAR)` does
 * on RGB/RGBX data (channels independent, antialiased when downscaling). For images whose
 * alpha is 255 everywhere this is also Pillow's result for mode RGBA.
 */
export function resizeBilinearPil(img: RgbaImage, width: number, height: number, scratch?: ScratchBuffers): RgbaImage {
  checkSource(img, 4, 'RGBA');
  checkTarget(width, height);
  return { width, height, data: resample(img.data, img.width, img.height, 4, width, height, scratch) };
}

/** Grey counterpart of resizeBilinearPil: Pillow's BILINEAR resize on mode "L". */
export function resizeGrayBilinearPil(img: GrayImage, width: number, height: number, scratch?: ScratchBuffers): GrayImage {
  checkSource(img, 1, 'grey');
  checkTarget(width, height);
  return { width, height, data: resample(img.data, img.width, img.height, 1, width, height, scratch) };
}

/**
 * Size after scaling the longest side to `longest`, rounded as the SAM references do
 * (segment-anything's ResizeLongestSide, transformers' SamImageProcessor):
 * scale = longest / max(w, h); side = int(side · scale + 0.5), scale first as they do (for
 * longest = 1024 this equals int(side · longest / max + 0.5) for every side up to 8000).
 * A side that would round to 0 (extreme aspect ratios, where the reference fails) is 1.
 */
export function longestSideSize(width: number, height: number, longest = 1024): Size {
  if (!(width >= 1 && height >= 1 && Number.isFinite(width) && Number.isFinite(height))) {
    fail(ErrorCode.ImageSize, `Cannot scale a ${width}×${height} image: it needs at least 1×1 pixel.`);
  }
  if (!Number.isInteger(longest) || longest < 1) {
    fail(ErrorCode.InvalidOption, `The longest side must be a positive whole number of pixels, got ${longest}.`);
  }
  const scale = (longest * 1.0) / Math.max(width, height);
  return {
    width: Math.max(1, Math.trunc(width * scale + 0.5)),
    height: Math.max(1, Math.trunc(height * scale + 0.5)),
  };
}
