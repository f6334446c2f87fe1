/**
 * Background removal strategies, over a salient model and optionally a SAM model.
 *
 * - 'salient': the salient model alone. alpha = its foreground map, mask = alpha ≥ threshold.
 * - 'salient+sam': the salient mask's bounding box (padded a little, as SAM was trained with
 *   jittered boxes) is SAM's box prompt; SAM's selected candidate is combined with the
 *   salient map by the rule of `combineSalientSam` below: SAM gives the edge wherever the two
 *   agree up to a band of `band` pixels; the salient model decides wherever they disagree by
 *   more than that.
 *
 * Then, for both: mask = alpha ≥ threshold; `largest` keeps only the largest connected part
 * (a removed part takes its faint sub-threshold fringe with it); `fillHoles` fills every
 * hole; a pixel fully transparent in the input is never in the mask. The cutout's alpha is
 * the float alpha through fixed levels (≤ 0.05 → 0, ≥ 0.95 → 1, linear between: background
 * noise goes, the 0.5 level stays), feathered by `feather` pixels via core/cutout's
 * makeCutout, and never more opaque than the input pixel was. The mask stays binary.
 */
import { fail, ErrorCode } from './errors.js';
import { scratchF32, scratchU8, TRANSIENT_SLOT, type ScratchBuffers } from './image/scratch.js';
import type { FloatMap, GrayImage, RgbaImage } from './image/types.js';
import { coverageAlpha } from './masks/alpha.js';
import { cleanupMask, fillHoles as fillAllHoles } from './masks/cleanup.js';
import { maskBounds } from './masks/measure.js';
import { alphaMask, type SalientModel } from './models/salient.js';
import type { SegmentModel } from './models/types.js';
import type { BoxPrompt } from './prompts/types.js';
import { candidateLogits } from './segment.js';
import { makeCutout, squaredDistanceTo } from './cutout/index.js';
import { gaussianBlurInPlace } from './cutout/filters.js';

export type RemoveBgStrategy = 'salient' | 'salient+sam';
export const REMOVE_BG_STRATEGIES: readonly RemoveBgStrategy[] = ['salient', 'salient+sam'];

export interface RemoveBgOptions {
  /** Default 'salient'. 'salient+sam' needs a SAM model. */
  strategy?: RemoveBgStrategy;
  /** Alpha at or above this is foreground (0 < t ≤ 1); default 0.5. */
  threshold?: number;
  /** Soften the cutout's edge over this many pixels (≥ 0); default 0. The mask stays binary. */
  feather?: number;
  /** Fill every hole in the mask; default false. */
  fillHoles?: boolean;
  /** Keep only the largest connected part; default false (all parts). */
  largest?: boolean;
  /**
   * 'salient+sam': disagreements lying within this many pixels of SAM's edge are SAM's call.
   * Default: two cells of SAM's 256-grid, i.e. max(2, ceil(2 · longest side / 256)).
   */
  band?: number;
  /**
   * Write the cutout over `image`'s own pixels, which the caller gives up (e.g. a decoded
   * file nothing else reads): one image-sized buffer less. Applies without feather; default
   * false. The result is the same either way.
   */
  inPlace?: boolean;
}

export interface RemoveBgResult {
  /** The image with the background transparent (the input's size). */
  cutout: RgbaImage;
  /** 255 = foreground. */
  mask: GrayImage;
  /** Foreground pixels / all pixels. */
  foreground: number;
  /** 'salient+sam': SAM's box prompt (original pixels); undefined when nothing was salient. */
  box?: BoxPrompt;
  /** 'salient+sam': pixels decided by SAM and by the salient model (see combineSalientSam). */
  decided?: { sam: number; salient: number };
  /** Model session time (salient + SAM encode/decode), and everything, in milliseconds. */
  modelMs: number;
  totalMs: number;
}

export interface RemoveBgModels {
  salient: SalientModel;
  sam?: SegmentModel;
}

const now = () => (globalThis.performance ?? Date).now();

/** Checks and completes options (INVALID_OPTION naming the bad one). */
export function resolveRemoveBgOptions(o: RemoveBgOptions = {}): Required<Omit<RemoveBgOptions, 'band'>> & { band?: number } {
  const strategy = o.strategy ?? 'salient';
  if (!REMOVE_BG_STRATEGIES.includes(strategy)) {
    fail(ErrorCode.InvalidOption, `unknown strategy "${strategy}"; use ${REMOVE_BG_STRATEGIES.join(' or ')}`);
  }
  const threshold = o.threshold ?? 0.5;
  if (!(threshold > 0 && threshold <= 1)) fail(ErrorCode.InvalidOption, `threshold must be in (0, 1], got ${threshold}`);
  const feather = o.feather ?? 0;
  if (!(feather >= 0 && feather <= 1000)) fail(ErrorCode.InvalidOption, `feather must be 0 to 1000 pixels, got ${feather}`);
  if (o.band !== undefined && !(o.band >= 0 && Number.isFinite(o.band))) fail(ErrorCode.InvalidOption, `band must be ≥ 0 pixels, got ${o.band}`);
  return { strategy, threshold, feather, fillHoles: !!o.fillHoles, largest: !!o.largest, band: o.band, inPlace: !!o.inPlace };
}

/**
 * Removes the background of one image. `signal` is checked between stages (an aborted
 * call rejects with CANCELLED before the next model run).
 *
 * `scratch` (batches, one image at a time): every large working buffer is reused from it, and
 * the result's cutout and mask live in it, valid until the next call with the same scratch
 * (encode or copy them first). The result is the same with or without it.
 */
export async function removeBackground(
  image: RgbaImage,
  models: RemoveBgModels,
  options: RemoveBgOptions = {},
  signal?: AbortSignal,
  scratch?: ScratchBuffers,
): Promise<RemoveBgResult> {
  const o = resolveRemoveBgOptions(options);
  if (o.strategy === 'salient+sam' && !models.sam) {
    fail(ErrorCode.InvalidOption, "strategy 'salient+sam' needs a SAM model as well as the salient one");
  }
  const t0 = now();
  const salient = await models.salient.predict(image, scratch);
  let modelMs = salient.ms;
  let alpha = salient.alpha;
  let box: BoxPrompt | undefined;
  let decided: RemoveBgResult['decided'];
  if (o.strategy === 'salient+sam') {
    checkAbort(signal);
    box = salientBox(alphaMask(alpha, o.threshold));
    if (box) {
      const sam = models.sam!;
      const embedding = await sam.encode(image);
      checkAbort(signal);
      const p = await sam.decode(embedding, { points: [], box });
      modelMs += embedding.encodeMs + p.decodeMs;
      for (const t of Object.values(embedding.tensors)) t.dispose?.();
      const logits = candidateLogits(p);
      const band = o.band ?? defaultBand(image.width, image.height);
      const combined = combineSalientSam(alpha, logits, { threshold: o.threshold, band });
      alpha = combined.alpha;
      decided = combined.decided;
    } else decided = { sam: 0, salient: image.width * image.height };
  }
  checkAbort(signal);
  const { mask, alpha: alpha8 } = finishMask(alpha, o, scratch);
  // A pixel fully transparent in the input is never foreground (the model saw it flattened
  // onto white, and may have counted it in).
  const src = image.data;
  let opaque = true;
  for (let i = 3; i < src.length; i += 4) if (src[i] !== 255) { opaque = false; break; }
  if (!opaque) for (let i = 0, p = 0; p < mask.data.length; i += 4, p++) if (src[i + 3] === 0) mask.data[p] = alpha8.data[p] = 0;
  let cutout: RgbaImage;
  if (o.inPlace && o.feather > 0) {
    // What makeCutout gives with feather, over the image itself: the blurred alpha in the
    // transient slot (the salient model's full-size alpha, dead once the mask is made), so a
    // feathered cutout costs no image-sized plane more than a sharp one.
    const a = alpha8.data;
    const plane = scratchF32(scratch, TRANSIENT_SLOT, a.length);
    for (let p = 0; p < a.length; p++) plane[p] = a[p]! / 255;
    gaussianBlurInPlace(plane, image.width, image.height, o.feather / 2);
    for (let p = 0, i = 3; p < a.length; p++, i += 4) {
      const v = plane[p]!;
      const out = Math.round((v <= 0 ? 0 : v >= 1 ? 1 : v) * 255);
      src[i] = src[i] === 255 ? out : Math.round((out * src[i]!) / 255);
    }
    cutout = image;
  } else if (o.inPlace && o.feather === 0) {
    // What makeCutout gives without feather (the image with alpha8 as its alpha, times the
    // input's own alpha), pixel by pixel over the image itself.
    const a = alpha8.data;
    if (opaque) for (let p = 0, i = 3; p < a.length; p++, i += 4) src[i] = a[p]!;
    else for (let p = 0, i = 3; p < a.length; p++, i += 4) src[i] = src[i] === 255 ? a[p]! : Math.round((a[p]! * src[i]!) / 255);
    cutout = image;
  } else {
    // makeCutout keeps a pixel transparent in the input so: the cutout's alpha is at most the input's.
    cutout = makeCutout(image, alpha8, { feather: o.feather }, scratch).image;
  }
  let area = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) area++;
  return { cutout, mask, foreground: area / mask.data.length, box, decided, modelMs, totalMs: now() - t0 };
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) fail(ErrorCode.Cancelled, 'background removal was cancelled');
}

/** Two cells of SAM's 256-grid over the image's longest side, at least 2 pixels. */
export function defaultBand(width: number, height: number): number {
  return Math.max(2, Math.ceil((2 * Math.max(width, height)) / 256));
}

/**
 * SAM's box prompt from the salient mask: its bounding box (pixel edges: x1, y1 exclusive)
 * padded by 2.5% of its size (at least 2 px) on each side, clipped to the image.
 */
export function salientBox(mask: GrayImage): BoxPrompt | undefined {
  const b = maskBounds(mask);
  if (!b) return undefined;
  const px = Math.max(2, 0.025 * (b.x1 - b.x0));
  const py = Math.max(2, 0.025 * (b.y1 - b.y0));
  return {
    x0: Math.max(0, b.x0 - px),
    y0: Math.max(0, b.y0 - py),
    x1: Math.min(mask.width, b.x1 + px),
    y1: Math.min(mask.height, b.y1 + py),
  };
}

/**
 * THE COMBINATION RULE ('salient+sam'). With S the salient alpha, Ms = S ≥ threshold,
 * Mm = SAM's mask (logits > 0) and E = SAM's edge (pixels of Mm with a 4-neighbour on the
 * other side):
 *  1. Where Ms and Mm agree, the pixel is SAM's.
 *  2. The pixels where they disagree form connected parts (8-connectivity). A part lying
 *     entirely within `band` pixels (Euclidean) of E is an edge disagreement — both models
 *     put the edge there, up to the band — and is SAM's: SAM's crisp edge wins. Any other
 *     part is a real disagreement (SAM missed a piece, or took background) and is the salient
 *     model's: the whole part, so no seam opens where the band ends.
 *  3. alpha = S on the salient model's pixels; on SAM's pixels, Mm (0 or 1), except on E
 *     away from the salient model's pixels (no salient pixel among the 8 neighbours), where
 *     it is SAM's anti-aliased coverage (coverageAlpha of the logits).
 * So with no SAM edge at all (SAM empty or everything), every disagreement is salient's.
 * `decided` counts the pixels each model decided.
 */
export function combineSalientSam(
  salient: FloatMap,
  samLogits: FloatMap,
  options: { threshold?: number; band: number },
): { alpha: FloatMap; decided: { sam: number; salient: number } } {
  const { width: w, height: h } = salient;
  if (samLogits.width !== w || samLogits.height !== h) {
    fail(ErrorCode.InvalidMask, `SAM's map is ${samLogits.width}×${samLogits.height}, the salient one ${w}×${h}: they must match`);
  }
  const t = options.threshold ?? 0.5;
  const n = w * h;
  const S = salient.data;
  const L = samLogits.data;
  // Edge of SAM's mask.
  const edge = new Uint8Array(n);
  let edges = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const m = L[p]! > 0;
      if ((x > 0 && L[p - 1]! > 0 !== m) || (x < w - 1 && L[p + 1]! > 0 !== m) || (y > 0 && L[p - w]! > 0 !== m) || (y < h - 1 && L[p + w]! > 0 !== m)) {
        edge[p] = 1;
        edges++;
      }
    }
  }
  const dist2 = edges ? squaredDistanceTo((i) => edge[i] === 1, w, h) : undefined;
  const band2 = options.band * options.band;

  // Disagreement parts: label them, note whether each stays inside the band.
  const labels = new Int32Array(n); // 0 = agreement; k > 0 = part k
  const salientPart: boolean[] = [false];
  const stack = new Int32Array(n);
  const differs = (p: number) => S[p]! >= t !== L[p]! > 0;
  let salientPixels = 0;
  for (let start = 0; start < n; start++) {
    if (labels[start] || !differs(start)) continue;
    const k = salientPart.length;
    const members: number[] = [];
    let sp = 0;
    stack[sp++] = start;
    labels[start] = k;
    let outside = false;
    while (sp) {
      const p = stack[--sp]!;
      members.push(p);
      if (!dist2 || dist2[p]! > band2) outside = true;
      const x = p % w;
      const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w || (dx === 0 && dy === 0)) continue;
          const q = yy * w + xx;
          if (!labels[q] && differs(q)) {
            labels[q] = k;
            stack[sp++] = q;
          }
        }
      }
    }
    salientPart.push(outside);
    if (outside) salientPixels += members.length;
  }

  const cover = coverageAlpha(samLogits);
  const out = new Float32Array(n);
  const isSalient = (p: number) => labels[p] !== 0 && salientPart[labels[p]!]!;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (isSalient(p)) {
        out[p] = S[p]!;
        continue;
      }
      let v = L[p]! > 0 ? 1 : 0;
      if (edge[p]) {
        let nearSalient = false;
        for (let dy = -1; dy <= 1 && !nearSalient; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx >= 0 && xx < w && isSalient(yy * w + xx)) {
              nearSalient = true;
              break;
            }
          }
        }
        if (!nearSalient) v = cover.data[p]! / 255;
      }
      out[p] = v;
    }
  }
  return { alpha: { width: w, height: h, data: out }, decided: { sam: n - salientPixels, salient: salientPixels } };
}

/**
 * Alpha levels of the cutout: a salient model's map is rarely exactly 0 on the background or
 * 1 on the object (the analytic model gives 0.018 and 0.9997; real ones a few percent of
 * noise). Below ALPHA_FLOOR is background, above ALPHA_CEIL is opaque, linear in between; the
 * 0.5 level is unchanged, so is the default mask.
 */
export const ALPHA_FLOOR = 0.05;
export const ALPHA_CEIL = 0.95;

/**
 * Binary mask and 8-bit alpha from a float alpha: mask = alpha ≥ threshold, then `largest`
 * and `fillHoles`; alpha = the levels above applied to the float alpha. Pixels a cleanup
 * removed get alpha 0, as does the sub-threshold fringe connected to them (8-connected, not
 * touching a kept pixel); filled holes get 255.
 */
export function finishMask(
  alpha: FloatMap,
  o: { threshold: number; fillHoles: boolean; largest: boolean },
  scratch?: ScratchBuffers,
): { mask: GrayImage; alpha: GrayImage } {
  const { width: w, height: h } = alpha;
  const A = alpha.data;
  let mask = alphaMask(alpha, o.threshold, scratch);
  const raw = mask.data;
  if (o.largest) mask = cleanupMask(mask, { largestOnly: true });
  if (o.fillHoles) mask = fillAllHoles(mask);
  const M = mask.data;
  const a8 = scratchU8(scratch, 'removebg.alpha8', w * h); // every value is written
  const k = 255 / (ALPHA_CEIL - ALPHA_FLOOR);
  for (let p = 0; p < a8.length; p++) {
    if (M[p] !== raw[p]) {
      a8[p] = M[p] ? 255 : 0; // filled hole / removed part
      continue;
    }
    const v = (A[p]! - ALPHA_FLOOR) * k;
    a8[p] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  if (o.largest) {
    // Zero the fringe of removed parts: sub-threshold soft pixels reachable from a removed
    // pixel without passing next to a kept one.
    const stack: number[] = [];
    const seen = new Uint8Array(w * h);
    for (let p = 0; p < a8.length; p++) if (raw[p] && !M[p]) (stack.push(p), (seen[p] = 1));
    const touchesKept = (p: number) => {
      const x = p % w;
      const y = (p - x) / w;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) if (M[yy * w + xx]) return true;
      return false;
    };
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
          const q = yy * w + xx;
          if (seen[q] || M[q] || raw[q] || !a8[q] || touchesKept(q)) continue;
          seen[q] = 1;
          a8[q] = 0;
          stack.push(q);
        }
      }
    }
  }
  return { mask, alpha: { width: w, height: h, data: a8 } };
}
