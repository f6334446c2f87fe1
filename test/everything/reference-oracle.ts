/**
 * A literal transcription, for tests only, of segment-anything's automatic mask generator
 * (SamAutomaticMaskGenerator._process_batch / _process_crop / postprocess_small_regions and
 * utils/amg.py: calculate_stability_score, batched_mask_to_box, remove_small_regions,
 * box_xyxy_to_xywh; torchvision's batched_nms with one category), one crop layer.
 * Written the reference's way — dense masks, whole-batch filters, boxes from row/column
 * maxima — and independently of core/everything, so the two can disagree.
 */
export interface OracleInput {
  /** Per grid point: the multimask candidates' logits at the original size, and their predicted IoUs. */
  batches: Array<{ point: [number, number]; masks: Float32Array[]; iou: number[] }>;
  width: number;
  height: number;
  predIouThresh: number;
  stabilityScoreThresh: number;
  stabilityScoreOffset: number;
  maskThreshold: number;
  boxNmsThresh: number;
  minMaskRegionArea: number;
  cropNmsThresh?: number;
}

export interface OracleRecord {
  segmentation: Uint8Array; // 0/1, row-major H×W
  area: number;
  bbox: number[];
  predicted_iou: number;
  point_coords: number[][];
  stability_score: number;
}

// calculate_stability_score: (masks > t + off).sum / (masks > t − off).sum
function calculateStabilityScore(mask: Float32Array, maskThreshold: number, offset: number): number {
  let intersections = 0;
  let unions = 0;
  for (const v of mask) {
    if (v > maskThreshold + offset) intersections++;
    if (v > maskThreshold - offset) unions++;
  }
  return intersections / unions; // NaN for 0/0, as torch
}

// batched_mask_to_box, written with the reference's max/min over row and column indicators.
function batchedMaskToBox(mask: Uint8Array, h: number, w: number): number[] {
  const inHeight = new Array(h).fill(0);
  const inWidth = new Array(w).fill(0);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask[y * w + x]) { inHeight[y] = 1; inWidth[x] = 1; }
  let bottom = 0; let top = Infinity; let right = 0; let left = Infinity;
  for (let y = 0; y < h; y++) { bottom = Math.max(bottom, inHeight[y] * y); top = Math.min(top, inHeight[y] * y + h * (1 - inHeight[y])); }
  for (let x = 0; x < w; x++) { right = Math.max(right, inWidth[x] * x); left = Math.min(left, inWidth[x] * x + w * (1 - inWidth[x])); }
  const empty = right < left || bottom < top;
  return empty ? [0, 0, 0, 0] : [left, top, right, bottom];
}

// torchvision.ops.box_iou / nms: area (x2−x1)(y2−y1), suppress IoU > threshold; stable order on ties.
function boxIou(a: number[], b: number[]): number {
  const area = (r: number[]) => (r[2]! - r[0]!) * (r[3]! - r[1]!);
  const ltx = Math.max(a[0]!, b[0]!); const lty = Math.max(a[1]!, b[1]!);
  const rbx = Math.min(a[2]!, b[2]!); const rby = Math.min(a[3]!, b[3]!);
  const inter = Math.max(rbx - ltx, 0) * Math.max(rby - lty, 0);
  return inter / (area(a) + area(b) - inter);
}
function batchedNms(boxes: number[][], scores: number[], iouThreshold: number): number[] {
  const order = scores.map((s, i) => [s, i] as const).sort((p, q) => q[0] - p[0] || p[1] - q[1]).map((p) => p[1]);
  const suppressed = new Set<number>();
  const keep: number[] = [];
  for (const i of order) {
    if (suppressed.has(i)) continue;
    keep.push(i);
    for (const j of order) if (!suppressed.has(j) && j !== i && !keep.includes(j) && boxIou(boxes[i]!, boxes[j]!) > iouThreshold) suppressed.add(j);
  }
  return keep;
}

// cv2.connectedComponentsWithStats(mask, 8): labels with 0 for the zero pixels.
function connectedComponents8(m: Uint8Array, h: number, w: number): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(h * w).fill(-1);
  const sizes: number[] = [0];
  for (let i = 0; i < h * w; i++) if (!m[i]) { labels[i] = 0; sizes[0]!++; }
  let n = 1;
  for (let i = 0; i < h * w; i++) {
    if (labels[i] !== -1) continue;
    const queue = [i]; labels[i] = n; let size = 0;
    while (queue.length) {
      const p = queue.shift()!; size++;
      const py = Math.floor(p / w); const px = p % w;
      for (const [dy, dx] of [[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]] as const) {
        const y = py + dy; const x = px + dx;
        if (y < 0 || y >= h || x < 0 || x >= w) continue;
        const q = y * w + x;
        if (labels[q] === -1) { labels[q] = n; queue.push(q); }
      }
    }
    sizes.push(size); n++;
  }
  return { labels, sizes };
}

// remove_small_regions(mask, area_thresh, mode)
function removeSmallRegions(mask: Uint8Array, h: number, w: number, areaThresh: number, mode: 'holes' | 'islands'): [Uint8Array, boolean] {
  const correctHoles = mode === 'holes';
  const working = mask.map((v) => (correctHoles ? 1 : 0) ^ v);
  const { labels, sizes: stats } = connectedComponents8(working, h, w);
  const nLabels = stats.length;
  const sizes = stats.slice(1);
  const smallRegions = sizes.flatMap((s, i) => (s < areaThresh ? [i + 1] : []));
  if (smallRegions.length === 0) return [mask, false];
  let fillLabels = [0, ...smallRegions];
  if (!correctHoles) {
    fillLabels = [...Array(nLabels).keys()].filter((i) => !fillLabels.includes(i));
    if (fillLabels.length === 0) fillLabels = [sizes.indexOf(Math.max(...sizes)) + 1];
  }
  return [labels.map((l) => (fillLabels.includes(l) ? 1 : 0)) as unknown as Uint8Array, true];
}

export function referenceGenerate(input: OracleInput): OracleRecord[] {
  const { width: w, height: h } = input;
  type Row = { mask: Float32Array | Uint8Array; iou: number; point: [number, number]; stability?: number; box?: number[] };
  let data: Row[] = [];
  for (const b of input.batches) {
    // _process_batch (one point per batch is enough: every filter is per candidate)
    let batch: Row[] = b.masks.map((mask, k) => ({ mask, iou: b.iou[k]!, point: b.point }));
    if (input.predIouThresh > 0.0) batch = batch.filter((r) => r.iou > input.predIouThresh);
    for (const r of batch) r.stability = calculateStabilityScore(r.mask as Float32Array, input.maskThreshold, input.stabilityScoreOffset);
    if (input.stabilityScoreThresh > 0.0) batch = batch.filter((r) => r.stability! >= input.stabilityScoreThresh);
    for (const r of batch) {
      r.mask = Uint8Array.from(r.mask as Float32Array, (v) => (v > input.maskThreshold ? 1 : 0));
      r.box = batchedMaskToBox(r.mask, h, w);
    }
    data.push(...batch);
  }
  // _process_crop: NMS within the crop
  data = batchedNms(data.map((r) => r.box!), data.map((r) => r.iou), input.boxNmsThresh).map((i) => data[i]!);
  // generate(): postprocess_small_regions
  if (input.minMaskRegionArea > 0 && data.length) {
    const newMasks: Uint8Array[] = [];
    const scores: number[] = [];
    for (const r of data) {
      let [mask, changed] = removeSmallRegions(r.mask as Uint8Array, h, w, input.minMaskRegionArea, 'holes');
      let unchanged = !changed;
      [mask, changed] = removeSmallRegions(mask, h, w, input.minMaskRegionArea, 'islands');
      unchanged = unchanged && !changed;
      newMasks.push(mask);
      scores.push(unchanged ? 1 : 0);
    }
    const boxes = newMasks.map((m) => batchedMaskToBox(m, h, w));
    const keep = batchedNms(boxes, scores, Math.max(input.boxNmsThresh, input.cropNmsThresh ?? 0.7));
    for (const i of keep) if (scores[i] === 0.0) { data[i]!.mask = newMasks[i]!; data[i]!.box = boxes[i]!; }
    data = keep.map((i) => data[i]!);
  }
  return data.map((r) => ({
    segmentation: r.mask as Uint8Array,
    area: (r.mask as Uint8Array).reduce((s, v) => s + v, 0),
    bbox: [r.box![0]!, r.box![1]!, r.box![2]! - r.box![0]!, r.box![3]! - r.box![1]!],
    predicted_iou: r.iou,
    point_coords: [[...r.point]],
    stability_score: r.stability!,
  }));
}
