/**
 * Interactive segmentation evaluation (the RITM protocol, as used for SAM's "NoC" and
 * "mIoU after k clicks" figures), over the engine's own Segmenter. Pure TypeScript.
 *
 * Per image: encode once; click k = 1, 2, … at `nextClick(gt, prediction, clicks so far)`;
 * every decode gets the full click history, and — when the model takes a mask input
 * (`model.supports.maskInput`, sam1 and sam2 layouts) and `refine` is on — the previous
 * prediction's low-res logits as `prompt.previous` (none at the first click).
 *
 * The prediction after each click is the model's selected candidate (`DecodeResult.selected`:
 * highest predicted IoU; for sam1 the official rule: best multimask output for a single click,
 * the single-mask token once there are more), thresholded at logit 0 at the original size.
 * That same candidate's logits are what `previous` carries to the next click.
 *
 * NoC@t = the first k with IoU ≥ t, or maxClicks when it is never reached (RITM
 * compute_noc_metric). Clicking stops at maxClicks, when nothing is left to correct (the
 * prediction equals the ground truth), or once IoU ≥ stopIoU after at least minClicks clicks.
 * Defaults: minClicks 5 and stopIoU = the highest threshold, so mIoU@1..5 are real IoUs after
 * exactly k clicks and NoC is found for every threshold. stopIoU > 1 simulates all maxClicks
 * clicks (RITM's --iou-analysis). When clicking stopped earlier than k, "IoU after k clicks"
 * is the last IoU (the mask the user is left with).
 */
import { fail, ErrorCode } from '../errors.js';
import type { GrayImage, RgbaImage } from '../image/types.js';
import { maskArea, maskBounds, maskIoU } from '../masks/measure.js';
import type { BoxPrompt, Prompt } from '../prompts/types.js';
import { candidateMask, lowResOf, type Prediction, type Segmenter } from '../segment.js';
import { nextClick, type Click } from './clicker.js';

export interface EvaluateOptions {
  /** Clicks per image at most (NoC when a threshold is never reached). Default 20. */
  maxClicks?: number;
  /** IoU thresholds for NoC. Default [0.85, 0.9]. */
  thresholds?: number[];
  /** Also evaluate one box prompt (the ground truth's bounding box). Default true. */
  useBox?: boolean;
  /** Feed the previous mask back when the model has a mask input. Default true. */
  refine?: boolean;
  /** Always simulate at least this many clicks (for mIoU@1..k). Default 5. */
  minClicks?: number;
  /** Stop once IoU ≥ this (after minClicks). Default max(thresholds); > 1 runs every click. */
  stopIoU?: number;
}

export type StopReason = 'target' | 'perfect' | 'max-clicks';

export interface ImageResult {
  name: string;
  width: number;
  height: number;
  /** The clicks made, in order (integer pixel indices; label 1 positive, 0 negative). */
  clicks: Click[];
  /** IoU after click k at index k − 1. */
  ious: number[];
  thresholds: number[];
  /** NoC per threshold (same order as `thresholds`). */
  noc: number[];
  maxClicks: number;
  /** IoU of the box prompt (ground-truth bounding box), when evaluated. */
  boxIoU?: number;
  /** Whether `previous` masks were fed back. */
  refined: boolean;
  stop: StopReason;
  encodeMs: number;
  decodeMs: number;
}

/** NoC at threshold t: first k (1-based) with IoU ≥ t, else maxClicks. */
export function numberOfClicks(ious: readonly number[], threshold: number, maxClicks: number): number {
  const k = ious.findIndex((v) => v >= threshold);
  return k < 0 ? maxClicks : k + 1;
}

/** IoU after k clicks (1-based); the last IoU when clicking stopped before k. */
export function iouAfter(result: Pick<ImageResult, 'ious'>, k: number): number {
  const { ious } = result;
  if (!ious.length) return 0;
  return ious[Math.min(k, ious.length) - 1]!;
}

/** The box prompt for a ground truth: its bounding box, edges on pixel boundaries (x1, y1 exclusive). */
export function gtBox(gt: GrayImage): BoxPrompt {
  const b = maskBounds(gt);
  if (!b) fail(ErrorCode.InvalidMask, 'the ground-truth mask is empty');
  return b;
}

function checkOptions(o: Required<EvaluateOptions>): void {
  if (!Number.isInteger(o.maxClicks) || o.maxClicks < 1) fail(ErrorCode.InvalidOption, `maxClicks must be a positive integer, got ${o.maxClicks}`);
  if (!Number.isInteger(o.minClicks) || o.minClicks < 1) fail(ErrorCode.InvalidOption, `minClicks must be a positive integer, got ${o.minClicks}`);
  if (!o.thresholds.length || o.thresholds.some((t) => !(t > 0 && t <= 1))) {
    fail(ErrorCode.InvalidOption, `thresholds must be IoUs in (0, 1], got [${o.thresholds.join(', ')}]`);
  }
}

/**
 * Runs the protocol on one image. `gt` is a mask of the image's size (non-zero = object).
 * The segmenter's model decides refinement (`supports.maskInput`).
 */
export async function evaluateImage(
  segmenter: Segmenter,
  image: RgbaImage,
  gt: GrayImage,
  options: EvaluateOptions & { name?: string } = {},
): Promise<ImageResult> {
  const thresholds = options.thresholds ?? [0.85, 0.9];
  const o: Required<EvaluateOptions> = {
    maxClicks: options.maxClicks ?? 20,
    thresholds,
    useBox: options.useBox ?? true,
    refine: options.refine ?? true,
    minClicks: options.minClicks ?? 5,
    stopIoU: options.stopIoU ?? Math.max(...thresholds),
  };
  checkOptions(o);
  const name = options.name ?? '';
  const what = name ? ` (${name})` : '';
  if (gt.width !== image.width || gt.height !== image.height) {
    fail(ErrorCode.InvalidMask, `the ground-truth mask is ${gt.width}×${gt.height} but the image is ${image.width}×${image.height}${what}`);
  }
  if (maskArea(gt) === 0) fail(ErrorCode.InvalidMask, `the ground-truth mask is empty${what}: nothing to click on`);

  const { encodeMs } = await segmenter.setImage(image);
  const refined = o.refine && segmenter.model.supports.maskInput;
  const clicks: Click[] = [];
  const ious: number[] = [];
  let decodeMs = 0;
  let pred: GrayImage | undefined;
  let last: Prediction | undefined;
  let stop: StopReason = 'max-clicks';

  for (let k = 1; k <= o.maxClicks; k++) {
    const click = nextClick(gt, pred, clicks);
    if (!click) {
      stop = 'perfect';
      break;
    }
    clicks.push(click);
    const prompt: Prompt = { points: clicks.map((c) => ({ ...c })) };
    if (refined && last) prompt.previous = lowResOf(last);
    last = await segmenter.predict(prompt);
    decodeMs += last.decodeMs;
    pred = candidateMask(last);
    const iou = maskIoU(pred, gt);
    ious.push(iou);
    if (k >= o.minClicks && iou >= o.stopIoU) {
      stop = 'target';
      break;
    }
  }

  let boxIoU: number | undefined;
  if (o.useBox) {
    const p = await segmenter.predict({ points: [], box: gtBox(gt) });
    decodeMs += p.decodeMs;
    boxIoU = maskIoU(candidateMask(p), gt);
  }

  return {
    name,
    width: image.width,
    height: image.height,
    clicks,
    ious,
    thresholds: [...thresholds],
    noc: thresholds.map((t) => numberOfClicks(ious, t, o.maxClicks)),
    maxClicks: o.maxClicks,
    boxIoU,
    refined,
    stop,
    encodeMs,
    decodeMs,
  };
}

export interface EvalSummary {
  images: number;
  /** Mean NoC@85 / NoC@90 (null when that threshold was not evaluated or there are no images). */
  noc85: number | null;
  noc90: number | null;
  /** Mean IoU after k = 1..5 clicks (fewer entries when maxClicks < 5). */
  miou_at: number[];
  /** Mean IoU of the box prompt (null when not evaluated). */
  box_miou: number | null;
  /** Images that never reached IoU 0.9 within maxClicks. */
  failures: number;
  /** Their names. */
  failed: string[];
  /** Mean number of clicks simulated per image. */
  clicks_mean: number | null;
}

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function nocAt(results: readonly ImageResult[], threshold: number): number | null {
  const values: number[] = [];
  for (const r of results) {
    const i = r.thresholds.findIndex((t) => Math.abs(t - threshold) < 1e-9);
    if (i < 0) return null;
    values.push(r.noc[i]!);
  }
  return mean(values);
}

export function summarise(results: readonly ImageResult[]): EvalSummary {
  const maxK = Math.min(5, ...results.map((r) => r.maxClicks));
  const miou_at: number[] = [];
  if (results.length) for (let k = 1; k <= maxK; k++) miou_at.push(mean(results.map((r) => iouAfter(r, k)))!);
  const boxes = results.filter((r) => r.boxIoU !== undefined).map((r) => r.boxIoU!);
  const failed = results.flatMap((r, i) => (r.ious.some((v) => v >= 0.9) ? [] : [r.name || `#${i + 1}`]));
  return {
    images: results.length,
    noc85: results.length ? nocAt(results, 0.85) : null,
    noc90: results.length ? nocAt(results, 0.9) : null,
    miou_at,
    box_miou: boxes.length === results.length ? mean(boxes) : null,
    failures: failed.length,
    failed,
    clicks_mean: mean(results.map((r) => r.clicks.length)),
  };
}
