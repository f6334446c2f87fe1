import { fail, ErrorCode } from '../errors.js';
import type { DecodeResult, ImageEmbedding, SegmentModel } from '../models/types.js';
import { nms, toXYWH, type XYXY } from './boxes.js';
import { countInside, maskBox, measureCandidate } from './candidate.js';
import { imagePoints } from './grid.js';
import { removeSmallRegions } from './regions.js';
import { EVERYTHING_DEFAULTS, type EverythingMask, type EverythingOptions, type EverythingResult, type XYWH } from './types.js';

/** The reference's crop_nms_thresh default. */
const CROP_NMS_THRESH = 0.7;

const now = () => (globalThis.performance ?? Date).now();

/** A model that can decode many single-point prompts in one run (see SegmentModel.decodePoints). */
type BatchDecoder = SegmentModel & {
  decodePoints?: (embedding: ImageEmbedding, points: ReadonlyArray<{ x: number; y: number }>) => Promise<DecodeResult[]>;
};

/**
 * The candidates the reference's multimask output gives: all of them, except for Meta's
 * official SAM 1 export whose first output is the single-mask token.
 */
export function multimaskIndices(r: DecodeResult, format: SegmentModel['format']): number[] {
  const all = r.lowRes.map((_, i) => i);
  return format === 'sam1' && all.length === 4 ? [1, 2, 3] : all;
}

function check(name: string, v: number, min: number, max: number, integer = false): void {
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(ErrorCode.InvalidOption, `${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${v}`);
  }
}

function resolve(o: EverythingOptions) {
  const r = {
    pointsPerSide: o.pointsPerSide ?? EVERYTHING_DEFAULTS.pointsPerSide,
    pointsPerBatch: o.pointsPerBatch ?? EVERYTHING_DEFAULTS.pointsPerBatch,
    predIouThresh: o.predIouThresh ?? EVERYTHING_DEFAULTS.predIouThresh,
    stabilityScoreThresh: o.stabilityScoreThresh ?? EVERYTHING_DEFAULTS.stabilityScoreThresh,
    stabilityScoreOffset: o.stabilityScoreOffset ?? EVERYTHING_DEFAULTS.stabilityScoreOffset,
    maskThreshold: o.maskThreshold ?? EVERYTHING_DEFAULTS.maskThreshold,
    boxNmsThresh: o.boxNmsThresh ?? EVERYTHING_DEFAULTS.boxNmsThresh,
    minMaskRegionArea: o.minMaskRegionArea ?? EVERYTHING_DEFAULTS.minMaskRegionArea,
    skipCovered: o.skipCovered ?? EVERYTHING_DEFAULTS.skipCovered,
  };
  check('pointsPerSide', r.pointsPerSide, 1, 128, true);
  check('pointsPerBatch', r.pointsPerBatch, 1, 1024, true);
  check('predIouThresh', r.predIouThresh, 0, 1);
  check('stabilityScoreThresh', r.stabilityScoreThresh, 0, 1);
  check('stabilityScoreOffset', r.stabilityScoreOffset, 0, 1000);
  check('maskThreshold', r.maskThreshold, -1000, 1000);
  check('boxNmsThresh', r.boxNmsThresh, 0, 1);
  check('minMaskRegionArea', r.minMaskRegionArea, 0, Number.MAX_SAFE_INTEGER, true);
  return r;
}

interface Accepted {
  id: number;
  mask: EverythingMask['segmentation'];
  area: number;
  box: XYXY;
  iou: number;
  stability: number;
  point: [number, number];
}

function record(a: Accepted, crop: XYWH): EverythingMask {
  return {
    id: a.id,
    segmentation: a.mask,
    area: a.area,
    bbox: toXYWH(a.box),
    predicted_iou: a.iou,
    stability_score: a.stability,
    point_coords: [[a.point[0], a.point[1]]],
    crop_box: crop,
  };
}

/**
 * Segment everything: the reference's automatic mask generator (one crop layer) over an image
 * already encoded with `model`. Grid points are decoded as single foreground clicks; each
 * multimask candidate is kept if its predicted IoU is above `predIouThresh` and its stability
 * score at least `stabilityScoreThresh`; duplicates are removed by box NMS on predicted IoU;
 * with `minMaskRegionArea`, small holes and islands are removed and NMS runs again preferring
 * unchanged masks. Returns the masks largest first.
 */
export async function segmentEverything(model: SegmentModel, embedding: ImageEmbedding, options: EverythingOptions = {}): Promise<EverythingResult> {
  const o = resolve(options);
  const start = now();
  const t = embedding.transform;
  const { width: W, height: H } = t.original;
  const crop: XYWH = [0, 0, W, H];
  const points = imagePoints(o.pointsPerSide, W, H);
  const accepted: Accepted[] = [];
  // Masks that make covered points skip: not the ones over half the image (a background).
  const covering: Accepted[] = [];
  const coverLimit = (W * H) / 2;
  let done = 0;
  let skipped = 0;
  let decoded = 0;
  let runs = 0;
  let decodeMs = 0;
  const progress = () => options.onProgress?.({ done, total: points.length, skipped, accepted: accepted.length });
  const aborted = () => {
    if (options.signal?.aborted) fail(ErrorCode.Cancelled, 'segment everything was cancelled');
  };
  const covered = ([x, y]: [number, number]) => {
    const i = Math.min(H - 1, Math.floor(y)) * W + Math.min(W - 1, Math.floor(x));
    return covering.some((a) => a.mask.data[i] !== 0);
  };
  const batcher = (model as BatchDecoder).decodePoints?.bind(model);

  progress();
  let next = 0;
  while (next < points.length) {
    aborted();
    const batch: Array<[number, number]> = [];
    while (next < points.length && batch.length < (batcher ? o.pointsPerBatch : 1)) {
      const p = points[next++]!;
      if (o.skipCovered && covered(p)) {
        skipped++;
        done++;
      } else batch.push(p);
    }
    if (!batch.length) continue;
    const t0 = now();
    let results: DecodeResult[];
    if (batcher) {
      results = await batcher(embedding, batch.map(([x, y]) => ({ x, y })));
      runs++;
    } else {
      results = [];
      for (const [x, y] of batch) {
        results.push(await model.decode(embedding, { points: [{ x, y, label: 1 }] }));
        runs++;
      }
    }
    decodeMs += now() - t0;
    decoded += batch.length;
    for (const [k, r] of results.entries()) {
      for (const c of multimaskIndices(r, model.format)) {
        const iou = r.scores[c]!;
        if (o.predIouThresh > 0 && !(iou > o.predIouThresh)) continue;
        const m = measureCandidate(r.lowRes[c]!, t, o.maskThreshold, o.stabilityScoreOffset);
        if (o.stabilityScoreThresh > 0 && !(m.stability >= o.stabilityScoreThresh)) continue;
        const a: Accepted = { id: accepted.length, mask: m.mask, area: m.area, box: m.box, iou, stability: m.stability, point: batch[k]! };
        accepted.push(a);
        if (a.area <= coverLimit) covering.push(a);
        options.onMask?.(record(a, crop));
      }
    }
    done += batch.length;
    progress();
  }
  aborted();

  let kept = nms(accepted.map((a) => a.box), accepted.map((a) => a.iou), o.boxNmsThresh).map((i) => accepted[i]!);
  // The reference runs this NMS at max(box_nms_thresh, crop_nms_thresh), crop_nms_thresh
  // defaulting to 0.7 even without crop layers.
  if (o.minMaskRegionArea > 0 && kept.length) kept = removeSmall(kept, o.minMaskRegionArea, Math.max(o.boxNmsThresh, CROP_NMS_THRESH));

  const masks = kept.map((a) => record(a, crop)).sort((a, b) => b.area - a.area || a.id - b.id);
  return {
    masks,
    stats: { points: points.length, decoded, skipped, decoderRuns: runs, accepted: accepted.length, kept: masks.length, decodeMs, totalMs: now() - start },
  };
}

/**
 * The reference's post-processing of small regions: fill small holes, drop small islands,
 * then NMS again with unchanged masks preferred (score 1) over changed ones (score 0); the
 * changed masks that survive take their new shape and box.
 */
function removeSmall(masks: Accepted[], minArea: number, nmsThresh: number): Accepted[] {
  const next = masks.map((a) => {
    const holes = removeSmallRegions(a.mask, minArea, 'holes');
    const islands = removeSmallRegions(holes.mask, minArea, 'islands');
    return { mask: islands.mask, unchanged: !holes.changed && !islands.changed };
  });
  const boxes = next.map((n) => maskBox(n.mask));
  const keep = nms(boxes, next.map((n) => (n.unchanged ? 1 : 0)), nmsThresh);
  return keep.map((i) => (next[i]!.unchanged ? masks[i]! : { ...masks[i]!, mask: next[i]!.mask, box: boxes[i]!, area: countInside(next[i]!.mask) }));
}
