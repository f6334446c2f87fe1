/**
 * Mask + image → cutout: an RGBA image whose alpha comes from the mask, optionally grown or shrunk,
 * feathered, cleaned of background-coloured fringes and cropped to what is left.
 *
 *   alpha         GrayImage: its values (soft edges kept) or, with `threshold`, a hard edge;
 *                 FloatMap (logits): anti-aliased coverage of value > threshold (default 0)
 *   expand        signed distance to the edge (exact Euclidean distance transform), shifted by
 *                 `expand` px and anti-aliased: positive grows, negative shrinks
 *   feather       Gaussian blur of alpha (σ = feather / 2, three box blurs per axis)
 *   decontaminate semi-transparent pixels take the colour of the nearby opaque foreground
 *   crop          to the bounds of alpha > 0, returning where the crop sits in the image
 * The result's alpha is that alpha times the image's own: a transparent pixel stays transparent.
 */
import { boundsWhere } from '../masks/measure.js';
import { ErrorCode, fail } from '../errors.js';
import { scratchU8, type ScratchBuffers } from '../image/scratch.js';
import type { FloatMap, GrayImage, RgbaImage } from '../image/types.js';
import { cropRgba, rgbaToGray } from '../image/ops.js';
import { coverageAlpha } from '../masks/alpha.js';
import { gaussianBlur, squaredDistanceTo, tripleBoxBlurInPlace } from './filters.js';

export interface CutoutOptions {
  /** Feather radius, px: alpha fades over about ±feather around the edge. 0: crisp. */
  feather: number;
  /** Grow (> 0) or shrink (< 0) the mask by this many px before feathering. */
  expand: number;
  /** Replace the colour of semi-transparent edge pixels by the nearby foreground colour. */
  decontaminate: boolean;
  /** Crop to the bounds of the visible (alpha > 0) pixels. */
  crop: boolean;
  /**
   * GrayImage: values ≥ threshold are opaque, the rest transparent (a hard edge); unset, the
   * mask's own values are the alpha. FloatMap: the logit level of the edge (default 0).
   */
  threshold?: number;
}

export const DEFAULT_CUTOUT_OPTIONS: Readonly<CutoutOptions> = Object.freeze({
  feather: 0,
  expand: 0,
  decontaminate: false,
  crop: false,
});

export interface CutoutResult {
  /** The cutout (not premultiplied). */
  image: RgbaImage;
  /** Position of the cutout's top-left pixel in the source image (0, 0 unless cropped). */
  offset: { x: number; y: number };
}

function checkOptions(o: CutoutOptions): void {
  if (typeof o.feather !== 'number' || !(o.feather >= 0) || o.feather > 10000) {
    fail(ErrorCode.InvalidOption, `feather must be a number of pixels from 0 to 10000, got ${String(o.feather)}`);
  }
  if (typeof o.expand !== 'number' || !Number.isFinite(o.expand) || Math.abs(o.expand) > 10000) {
    fail(ErrorCode.InvalidOption, `expand must be a number of pixels between -10000 and 10000 (negative shrinks), got ${String(o.expand)}`);
  }
  if (o.threshold !== undefined && (typeof o.threshold !== 'number' || !Number.isFinite(o.threshold))) {
    fail(ErrorCode.InvalidOption, `threshold must be a finite number, got ${String(o.threshold)}`);
  }
}

function checkInputs(image: RgbaImage, mask: GrayImage | FloatMap): void {
  if (!image || !(image.data instanceof Uint8Array) || image.data.length !== image.width * image.height * 4 || !(image.width >= 1 && image.height >= 1)) {
    fail(ErrorCode.InvalidImage, 'the image must be an RGBA image (4 bytes per pixel) of at least 1×1 pixel');
  }
  if (!mask || !(mask.data instanceof Uint8Array || mask.data instanceof Float32Array)) {
    fail(ErrorCode.InvalidMask, 'the mask must be a GrayImage (Uint8Array) or a FloatMap (Float32Array)');
  }
  if (mask.width !== image.width || mask.height !== image.height) {
    fail(
      ErrorCode.InvalidMask,
      `the mask is ${mask.width}×${mask.height} but the image is ${image.width}×${image.height}: ` +
        'resize the mask (or upsample the logits) to the image size first',
    );
  }
  if (mask.data.length !== mask.width * mask.height) {
    fail(ErrorCode.InvalidMask, `the mask holds ${mask.data.length} values but ${mask.width}×${mask.height} needs ${mask.width * mask.height}: pass one channel`);
  }
}

/** The mask as alpha in [0, 1]. */
export function maskAlpha(mask: GrayImage | FloatMap, threshold?: number): Float32Array {
  const n = mask.width * mask.height;
  const alpha = new Float32Array(n);
  if (mask.data instanceof Float32Array) {
    for (let i = 0; i < n; i++) {
      if (mask.data[i] !== mask.data[i]) fail(ErrorCode.InvalidMask, `the mask has a NaN at pixel ${i % mask.width}, ${Math.floor(i / mask.width)}`);
    }
    const cov = coverageAlpha(mask as FloatMap, threshold ?? 0).data;
    for (let i = 0; i < n; i++) alpha[i] = cov[i]! / 255;
  } else if (threshold === undefined) {
    for (let i = 0; i < n; i++) alpha[i] = mask.data[i]! / 255;
  } else {
    for (let i = 0; i < n; i++) alpha[i] = mask.data[i]! >= threshold ? 1 : 0;
  }
  return alpha;
}

/** Grows (d > 0) or shrinks (d < 0) the alpha ≥ ½ region by d px, with an anti-aliased edge. */
export function expandAlpha(alpha: Float32Array, w: number, h: number, d: number): Float32Array {
  if (d === 0) return alpha;
  const inside = (i: number) => alpha[i]! >= 0.5;
  // New alpha = 0.5 + signed distance of the pixel centre to the edge (+ inside) + d, clamped.
  // Growing only changes outside pixels (distance to the inside), shrinking only inside ones.
  const out = new Float32Array(alpha.length);
  if (d > 0) {
    const toInside = squaredDistanceTo(inside, w, h);
    for (let i = 0; i < out.length; i++) {
      const a = inside(i) ? 1 : 1 - Math.sqrt(toInside[i]!) + d;
      out[i] = a <= 0 ? 0 : a >= 1 ? 1 : a;
    }
  } else {
    const toOutside = squaredDistanceTo((i) => !inside(i), w, h);
    for (let i = 0; i < out.length; i++) {
      const a = inside(i) ? Math.sqrt(toOutside[i]!) + d : 0;
      out[i] = a <= 0 ? 0 : a >= 1 ? 1 : a;
    }
  }
  return out;
}

/**
 * Colour decontamination. The foreground colour near the edge is estimated from opaque pixels
 * (a normalised blur: blur(colour · w) / blur(w) with w = 1 on opaque pixels, widened where no
 * opaque pixel is near), then every semi-transparent pixel takes that colour — mixed with its own
 * in proportion to its alpha when it lies inside the original mask (it may hold real detail),
 * fully when outside (it can only hold background). Works in place on `rgba`.
 */
export function decontaminate(rgba: Uint8Array, alpha: Float32Array, inside: Uint8Array, w: number, h: number, radius: number): void {
  const n = w * h;
  let any = false;
  for (let i = 0; i < n && !any; i++) any = alpha[i]! >= 0.999;
  if (!any) return;
  // Three float planes in all (the weight sums kept, one plane being blurred, its scratch) and a
  // byte per pixel saying which radius serves it: the colour sums are blurred one channel at a
  // time and used at once, instead of holding a blurred plane per channel per radius.
  const semi = (i: number) => alpha[i]! > 0 && alpha[i]! < 0.999;
  const work = new Float32Array(n);
  const tmp = new Float32Array(n);
  const loadWeight = (): void => {
    for (let i = 0; i < n; i++) work[i] = alpha[i]! >= 0.999 ? 1 : 0;
  };
  const radii = [Math.max(2, Math.ceil(radius))];
  loadWeight();
  tripleBoxBlurInPlace(work, w, h, radii[0]!, tmp);
  const wsum = Float32Array.from(work);
  const level = new Uint8Array(n); // index into radii; 255: no estimate
  // Pixels still without an estimate get a wider one (up to 4 widenings).
  for (let pass = 0; pass < 4; pass++) {
    let missing = false;
    for (let i = 0; i < n && !missing; i++) missing = semi(i) && !(wsum[i]! > 1e-4);
    if (!missing) break;
    const r = radii[radii.length - 1]! * 3;
    radii.push(r);
    loadWeight();
    tripleBoxBlurInPlace(work, w, h, r, tmp);
    for (let i = 0; i < n; i++) {
      if (!(wsum[i]! > 1e-4) && work[i]! > 0) {
        wsum[i] = work[i]!;
        level[i] = radii.length - 1;
      }
    }
  }
  for (let c = 0; c < 3; c++) {
    for (let k = 0; k < radii.length; k++) {
      for (let i = 0; i < n; i++) work[i] = alpha[i]! >= 0.999 ? rgba[i * 4 + c]! : 0;
      tripleBoxBlurInPlace(work, w, h, radii[k]!, tmp);
      for (let i = 0; i < n; i++) {
        const a = alpha[i]!;
        if (level[i] !== k || a >= 0.999 || !(wsum[i]! > 1e-6)) continue;
        const keep = inside[i] ? a : 0;
        const v = (work[i]! / wsum[i]!) * (1 - keep) + rgba[i * 4 + c]! * keep;
        rgba[i * 4 + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
  }
}

/**
 * Cuts the masked object out of an image (see the module comment for the steps). With
 * `scratch` (batches) the uncropped cutout is its slot 'cutout.rgba', valid until the next call
 * with the same scratch.
 */
export function makeCutout(image: RgbaImage, mask: GrayImage | FloatMap, options?: Partial<CutoutOptions>, scratch?: ScratchBuffers): CutoutResult {
  const o: CutoutOptions = { ...DEFAULT_CUTOUT_OPTIONS };
  if (options) for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  checkOptions(o);
  checkInputs(image, mask);
  const { width: w, height: h } = image;
  const n = w * h;
  const rgba = scratchU8(scratch, 'cutout.rgba', n * 4);
  rgba.set(image.data);

  if (mask.data instanceof Uint8Array && o.threshold === undefined && o.expand === 0 && o.feather === 0 && !o.decontaminate) {
    // An 8-bit alpha used as is: round(float32(v / 255) · 255) is v for every byte, so the
    // mask's values go straight into the alpha channel (no float copy of the mask).
    const m = mask.data;
    for (let i = 0; i < n; i++) rgba[i * 4 + 3] = m[i]!;
  } else {
    const original = maskAlpha(mask, o.threshold);
    let alpha = o.expand !== 0 ? expandAlpha(original, w, h, o.expand) : original;
    if (o.feather > 0) alpha = gaussianBlur(alpha, w, h, o.feather / 2);

    if (o.decontaminate) {
      const inside = new Uint8Array(n);
      for (let i = 0; i < n; i++) inside[i] = original[i]! >= 0.5 ? 1 : 0;
      decontaminate(rgba, alpha, inside, w, h, Math.max(2, o.feather + 2));
    }
    for (let i = 0; i < n; i++) {
      const a = alpha[i]!;
      rgba[i * 4 + 3] = Math.round((a <= 0 ? 0 : a >= 1 ? 1 : a) * 255);
    }
  }
  // What was transparent in the image stays so: the cutout's alpha is the mask's times the
  // image's own (a PNG with transparency, a palette with tRNS).
  const src = image.data;
  for (let i = 3; i < src.length; i += 4) if (src[i] !== 255) rgba[i] = Math.round((rgba[i]! * src[i]!) / 255);

  if (!o.crop) return { image: { width: w, height: h, data: rgba }, offset: { x: 0, y: 0 } };

  const box = boundsWhere(w, h, (i) => rgba[i * 4 + 3] !== 0);
  if (!box) {
    fail(ErrorCode.InvalidMask, 'the mask is empty: nothing to cut out (check the mask, its threshold, or a negative expand)');
  }
  const { x0, y0 } = box;
  const cropped = cropRgba({ width: w, height: h, data: rgba }, { x: x0, y: y0, width: box.x1 - x0, height: box.y1 - y0 });
  return { image: cropped, offset: { x: x0, y: y0 } };
}

/**
 * A mask read from an RGBA image (e.g. a PNG): its alpha channel when the image has any
 * transparency, otherwise its luminance (Rec. 601). Inside is then value ≥ 128.
 */
export function maskFromRgba(img: RgbaImage): GrayImage {
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    if (img.data[i * 4 + 3] !== 255) {
      const out = new Uint8Array(n);
      for (let j = 0; j < n; j++) out[j] = img.data[j * 4 + 3]!;
      return { width: img.width, height: img.height, data: out };
    }
  }
  return rgbaToGray(img);
}
