/**
 * Segment everything end to end through real onnxruntime-web on the analytic models
 * (models/analytic): their predicted IoU falls when a mask depends on the colour tolerance,
 * and their logits are steep at clean colour edges (stability near 1), so with the
 * reference's default thresholds a scene of K flat shapes on a flat background must come back
 * as exactly K + 1 masks: each shape, and the background around them (the area left once the
 * shapes are cut out; it is an object like the others, the largest).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ort } from '../helpers/ort.js';
import { analyticModelFiles } from '../../models/analytic/index.js';
import { loadSamModel } from '../../core/models/sam-model.js';
import { segmentEverything, type EverythingMask } from '../../core/everything/index.js';
import { maskIoU } from '../../core/masks/measure.js';
import { isCutoutError } from '../../core/errors.js';
import type { GrayImage, RgbaImage } from '../../core/image/types.js';
import type { ImageEmbedding, SamFormat, SegmentModel } from '../../core/models/types.js';
import { render, truth, type Shape } from '../helpers/synthetic.js';

const W = 320;
const H = 240;
// Far from the ImageNet mean (the colour of SAM 1's zero padding after normalising): with a
// background close to it, the largest-tolerance mask of a background click spills into the
// padding and the click is (rightly) ambiguous.
const BG: [number, number, number] = [60, 60, 60];
const shapes: Shape[] = [
  { kind: 'disc', cx: 70, cy: 70, r: 45, color: [220, 40, 40] },
  { kind: 'rect', x0: 150, y0: 30, x1: 290, y1: 100, color: [40, 200, 60] },
  { kind: 'disc', cx: 230, cy: 175, r: 50, color: [40, 60, 220] },
  { kind: 'rect', x0: 30, y0: 150, x1: 130, y1: 220, color: [240, 230, 60] },
];
const image = render(W, H, BG, shapes);
const truths = shapes.map((_, k) => truth(W, H, shapes, k));
const background: GrayImage = { width: W, height: H, data: truths.reduce((acc, t) => acc.map((v, i) => (t.data[i] ? 0 : v)), new Uint8Array(W * H).fill(255)) };

/** For each expected region (shapes then background), the one mask matching it with IoU ≥ 0.95. */
function match(masks: EverythingMask[]): number[] {
  return [...truths, background].map((t) => {
    const hits = masks.map((m, i) => [maskIoU(m.segmentation, t), i] as const).filter(([iou]) => iou >= 0.95);
    return hits.length === 1 ? hits[0]![1] : -1;
  });
}

const formats: SamFormat[] = ['sam-hf', 'sam2-hf', 'sam1', 'sam2'];

describe.each(formats)('segment everything on the analytic %s model', (format) => {
  let model: SegmentModel;
  let emb: ImageEmbedding;
  beforeAll(async () => {
    model = await loadSamModel(ort, analyticModelFiles()[format], { id: `analytic-${format}` });
    emb = await model.encode(image);
  }, 120_000);

  it('K shapes on a background come back as exactly the K shapes plus the background, with the reference defaults', async () => {
    const streamed: number[] = [];
    const progress: number[] = [];
    const r = await segmentEverything(model, emb, { pointsPerSide: 12, onMask: (m) => streamed.push(m.id), onProgress: (p) => progress.push(p.done) });
    expect(r.masks.length).toBe(shapes.length + 1);
    const m = match(r.masks);
    expect(m.every((i) => i >= 0)).toBe(true);
    expect(new Set(m).size).toBe(shapes.length + 1);
    // Largest first: the background first.
    expect(m[shapes.length]).toBe(0);
    for (let i = 1; i < r.masks.length; i++) expect(r.masks[i]!.area).toBeLessThanOrEqual(r.masks[i - 1]!.area);
    for (const mask of r.masks) {
      expect(mask.predicted_iou).toBeGreaterThan(0.88);
      expect(mask.stability_score).toBeGreaterThanOrEqual(0.95);
      expect(mask.segmentation.width).toBe(W);
      const [x, y] = mask.point_coords[0];
      expect(mask.segmentation.data[Math.floor(y) * W + Math.floor(x)]).toBe(255);
      expect(streamed).toContain(mask.id);
    }
    // Each shape's box, in the reference's convention (w = x_max − x_min).
    const disc = r.masks[m[0]!]!;
    expect(disc.bbox[0]).toBeGreaterThanOrEqual(24);
    expect(disc.bbox[0]).toBeLessThanOrEqual(27);
    expect(disc.bbox[2]).toBeGreaterThanOrEqual(86);
    expect(disc.bbox[2]).toBeLessThanOrEqual(91);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(144);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // Points inside an accepted shape are not decoded again.
    expect(r.stats.skipped).toBeGreaterThan(0);
    expect(r.stats.decoded + r.stats.skipped).toBe(144);
  }, 300_000);

  it('a colour ramp has no object: its clicks are ambiguous (low predicted IoU) and nothing is returned', async () => {
    const ramp: RgbaImage = { width: W, height: H, data: new Uint8Array(W * H * 4) };
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) ramp.data.set([Math.round((x / W) * 255), 90, Math.round((y / H) * 255), 255], (y * W + x) * 4);
    const e = await model.encode(ramp);
    // Stability off: the predicted IoU alone must reject every candidate.
    const r = await segmentEverything(model, e, { pointsPerSide: 4, stabilityScoreThresh: 0 });
    expect(r.stats.accepted).toBe(0);
    expect(r.masks).toEqual([]);
  }, 300_000);
});

describe('segment everything: exact reference behaviour, cancel, options (analytic sam-hf)', () => {
  let model: SegmentModel;
  let emb: ImageEmbedding;
  beforeAll(async () => {
    model = await loadSamModel(ort, analyticModelFiles()['sam-hf'], { id: 'analytic-sam-hf' });
    emb = await model.encode(image);
  }, 120_000);

  it('without skipping covered points every point is decoded and the same objects come back', async () => {
    const fast = await segmentEverything(model, emb, { pointsPerSide: 12 });
    const exact = await segmentEverything(model, emb, { pointsPerSide: 12, skipCovered: false });
    expect(exact.stats.decoded).toBe(144);
    expect(exact.stats.skipped).toBe(0);
    expect(exact.stats.decoderRuns).toBeGreaterThan(fast.stats.decoderRuns);
    expect(exact.masks.length).toBe(shapes.length + 1);
    expect(match(exact.masks).every((i) => i >= 0)).toBe(true);
    exact.masks.forEach((m, i) => expect(maskIoU(m.segmentation, fast.masks[i]!.segmentation)).toBeGreaterThanOrEqual(0.99));
  }, 300_000);

  it('an aborted run stops between decoder runs with CANCELLED', async () => {
    const ac = new AbortController();
    let runs = 0;
    const p = segmentEverything(model, emb, {
      pointsPerSide: 12,
      signal: ac.signal,
      onProgress: (pr) => {
        if (pr.done > 0 && ++runs === 3) ac.abort();
      },
    });
    await expect(p).rejects.toSatisfy((e: unknown) => isCutoutError(e, 'CANCELLED'));
    expect(runs).toBe(3);
  }, 300_000);

  it('refuses options out of range with a message naming them', async () => {
    await expect(segmentEverything(model, emb, { pointsPerSide: 0 })).rejects.toThrow(/pointsPerSide must be a whole number from 1 to 128, got 0/);
    await expect(segmentEverything(model, emb, { predIouThresh: 1.5 })).rejects.toThrow(/predIouThresh/);
    await expect(segmentEverything(model, emb, { minMaskRegionArea: -1 })).rejects.toThrow(/minMaskRegionArea/);
  });
});
