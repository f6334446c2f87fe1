/** Boxes as [x0, y0, x1, y1] with x1, y1 the last inside pixel (the reference's mask boxes). */
export type XYXY = [number, number, number, number];

/** The reference's area of a box: (x1 − x0)·(y1 − y0), no +1. */
export function boxArea(b: XYXY): number {
  return (b[2] - b[0]) * (b[3] - b[1]);
}

export function boxIoU(a: XYXY, b: XYXY): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const inter = w > 0 && h > 0 ? w * h : 0;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy non-maximum suppression: by score, highest first (ties keep the earlier index), a
 * box is kept unless its IoU with an already kept box is above `threshold`. Returns the kept
 * indices in score order.
 */
export function nms(boxes: readonly XYXY[], scores: readonly number[], threshold: number): number[] {
  const order = boxes.map((_, i) => i).sort((i, j) => scores[j]! - scores[i]! || i - j);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.every((k) => boxIoU(boxes[k]!, boxes[i]!) <= threshold)) kept.push(i);
  }
  return kept;
}

/** [x0, y0, x1, y1] → [x, y, w, h]. */
export function toXYWH(b: XYXY): [number, number, number, number] {
  return [b[0], b[1], b[2] - b[0], b[3] - b[1]];
}
