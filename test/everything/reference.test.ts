/**
 * core/everything against a literal transcription of the reference (reference-oracle.ts) on
 * fixed decoder outputs: the same records, in the same filtering, NMS and small-region
 * post-processing, for several option sets. The "decoder" here returns fixed logits per grid
 * point; what is under test is everything after the decoder.
 */
import { describe, expect, it } from 'vitest';
import { segmentEverything, pointGrid, EVERYTHING_DEFAULTS } from '../../core/everything/index.js';
import { upsampleLogits } from '../../core/masks/upsample.js';
import { frameTransform, type ResizeMode } from '../../core/prompts/frames.js';
import type { DecodeResult, ImageEmbedding, SegmentModel } from '../../core/models/types.js';
import type { Prompt } from '../../core/prompts/types.js';
import { referenceGenerate, type OracleInput } from './reference-oracle.js';

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** numpy's build_point_grid, transcribed: linspace(offset, 1 − offset, n), x fastest. */
function numpyGrid(n: number): number[][] {
  const offset = 1 / (2 * n);
  const step = n > 1 ? (1 - offset - offset) / (n - 1) : 0;
  const side = Array.from({ length: n }, (_, i) => (i === n - 1 && n > 1 ? 1 - offset : offset + i * step));
  const out: number[][] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) out.push([side[i]!, side[j]!]);
  return out;
}

/**
 * Fixed decoder answers: per grid point, three candidates shaped as blobs around objects of
 * the scene with varied sharpness (some unstable), scores spread around the threshold,
 * and speckles (islands) and pinholes so small-region removal has work.
 */
function fixedOutputs(points: number[][], t: ReturnType<typeof frameTransform>, seed: number): DecodeResult[] {
  const r = rng(seed);
  const L = t.lowRes;
  const objects = [
    { cx: 0.3, cy: 0.3, rx: 0.15, ry: 0.2 },
    { cx: 0.7, cy: 0.6, rx: 0.2, ry: 0.15 },
    { cx: 0.5, cy: 0.5, rx: 0.45, ry: 0.45 },
  ];
  return points.map(([px, py]) => {
    const lowRes: Float32Array[] = [];
    const scores: number[] = [];
    // The nearest object, with some jitter per point so duplicates differ slightly.
    const near = objects.map((o, i) => [Math.hypot((px! - o.cx) / o.rx, (py! - o.cy) / o.ry), i] as const).sort((a, b) => a[0] - b[0]);
    for (let k = 0; k < 3; k++) {
      const o = objects[near[k % near.length]![1]]!;
      const jitter = (r() - 0.5) * 0.04;
      const slope = [0.5, 8, 200][Math.floor(r() * 3)]!;
      const m = new Float32Array(L * L);
      // Cells cover the image region of the frame (what the upsampling keeps).
      const sx = t.mode === 'square' ? L : (L * t.resized.width) / t.frame;
      const sy = t.mode === 'square' ? L : (L * t.resized.height) / t.frame;
      for (let y = 0; y < L; y++) {
        for (let x = 0; x < L; x++) {
          const u = (x + 0.5) / sx;
          const v = (y + 0.5) / sy;
          const d = Math.hypot((u - o.cx) / (o.rx + jitter), (v - o.cy) / (o.ry + jitter));
          m[y * L + x] = slope * (1 - d);
        }
      }
      // Speckles and pinholes.
      for (let s = 0; s < 6; s++) {
        const cx = Math.floor(r() * L);
        const cy = Math.floor(r() * L);
        const sign = r() < 0.5 ? 1 : -1;
        for (let y = cy; y < Math.min(L, cy + 3); y++) for (let x = cx; x < Math.min(L, cx + 3); x++) m[y * L + x] = sign * 40;
      }
      lowRes.push(m);
      scores.push(Math.fround(0.8 + r() * 0.2));
    }
    return { lowRes, scores, selected: 0, fallbacks: [], transform: t, decodeMs: 0 };
  });
}

/** A SegmentModel whose decoder answers are the fixed ones above, looked up by the clicked point. */
function fixedModel(points: number[][], outputs: DecodeResult[], W: number, H: number): { model: SegmentModel; embedding: ImageEmbedding; calls: () => number } {
  let calls = 0;
  const model: SegmentModel = {
    id: 'fixed',
    format: 'sam-hf',
    supports: { box: false, maskInput: false },
    encode: () => Promise.reject(new Error('not used')),
    decode: async (_e, prompt: Prompt) => {
      calls++;
      const p = prompt.points[0]!;
      const i = points.findIndex(([x, y]) => Math.abs(x! * W - p.x) < 1e-9 && Math.abs(y! * H - p.y) < 1e-9);
      if (i < 0 || prompt.points.length !== 1 || p.label !== 1) throw new Error(`unexpected prompt ${JSON.stringify(prompt)}`);
      return outputs[i]!;
    },
    dispose: async () => undefined,
  };
  const embedding = { modelId: 'fixed', format: 'sam-hf', transform: outputs[0]!.transform, tensors: {}, bytes: 0, encodeMs: 0 } as ImageEmbedding;
  return { model, embedding, calls: () => calls };
}

interface Case {
  name: string;
  mode: ResizeMode;
  W: number;
  H: number;
  n: number;
  seed: number;
  opts: Partial<Omit<OracleInput, 'batches' | 'width' | 'height'>>;
}

const cases: Case[] = [
  { name: 'defaults, square frame', mode: 'square', W: 64, H: 48, n: 6, seed: 1, opts: {} },
  { name: 'defaults, longest-side frame', mode: 'longest', W: 50, H: 70, n: 6, seed: 2, opts: {} },
  { name: 'loose filters, tight NMS', mode: 'square', W: 60, H: 40, n: 5, seed: 3, opts: { predIouThresh: 0.82, stabilityScoreThresh: 0.6, boxNmsThresh: 0.3 } },
  { name: 'small regions removed', mode: 'longest', W: 72, H: 54, n: 5, seed: 4, opts: { predIouThresh: 0.8, stabilityScoreThresh: 0.5, minMaskRegionArea: 12 } },
  { name: 'small regions, low NMS (post-processing at max(box, crop) = 0.7)', mode: 'square', W: 48, H: 48, n: 4, seed: 5, opts: { predIouThresh: 0, stabilityScoreThresh: 0, boxNmsThresh: 0.2, minMaskRegionArea: 30 } },
  { name: 'other offset and threshold', mode: 'square', W: 40, H: 56, n: 5, seed: 6, opts: { stabilityScoreOffset: 3, maskThreshold: 0.5, stabilityScoreThresh: 0.7 } },
];

describe('segment everything matches the reference transcription on fixed decoder outputs', () => {
  it('grid points are the reference grid', () => {
    for (const n of [1, 2, 7, 16, 32]) {
      const want = numpyGrid(n);
      const got = pointGrid(n);
      expect(got.length).toBe(n * n);
      got.forEach((p, i) => {
        expect(p[0]).toBe(want[i]![0]);
        expect(p[1]).toBe(want[i]![1]);
      });
    }
  });

  for (const c of cases) {
    it(c.name, async () => {
      const t = frameTransform(c.mode, { width: c.W, height: c.H });
      const grid = numpyGrid(c.n);
      const outputs = fixedOutputs(grid, t, c.seed);
      const opts = {
        predIouThresh: EVERYTHING_DEFAULTS.predIouThresh,
        stabilityScoreThresh: EVERYTHING_DEFAULTS.stabilityScoreThresh,
        stabilityScoreOffset: EVERYTHING_DEFAULTS.stabilityScoreOffset,
        maskThreshold: EVERYTHING_DEFAULTS.maskThreshold,
        boxNmsThresh: EVERYTHING_DEFAULTS.boxNmsThresh,
        minMaskRegionArea: EVERYTHING_DEFAULTS.minMaskRegionArea,
        ...c.opts,
      };
      const want = referenceGenerate({
        ...opts,
        width: c.W,
        height: c.H,
        batches: grid.map((p, i) => ({
          point: [p[0]! * c.W, p[1]! * c.H],
          masks: outputs[i]!.lowRes.map((l) => upsampleLogits(l, t).data),
          iou: outputs[i]!.scores,
        })),
      });
      const { model, embedding, calls } = fixedModel(grid, outputs, c.W, c.H);
      const got = await segmentEverything(model, embedding, { ...opts, pointsPerSide: c.n, skipCovered: false });
      expect(calls()).toBe(c.n * c.n);
      expect(got.stats.decoded).toBe(c.n * c.n);
      // The reference returns NMS order; we return largest first.
      const sorted = [...want].sort((a, b) => b.area - a.area || b.predicted_iou - a.predicted_iou);
      expect(want.length).toBeGreaterThan(0);
      expect(got.masks.map((m) => [m.area, m.bbox, m.predicted_iou, m.stability_score, m.point_coords])).toEqual(
        sorted.map((r) => [r.area, r.bbox, r.predicted_iou, r.stability_score, r.point_coords]),
      );
      got.masks.forEach((m, i) => {
        expect(m.segmentation.width).toBe(c.W);
        expect(m.segmentation.height).toBe(c.H);
        expect(Array.from(m.segmentation.data, (v) => (v ? 1 : 0))).toEqual(Array.from(sorted[i]!.segmentation));
        expect(m.crop_box).toEqual([0, 0, c.W, c.H]);
      });
    });
  }

  it('the small-region NMS runs at max(box_nms_thresh, 0.7), as the reference', async () => {
    // Two masks whose boxes overlap little while each has a far island, and overlap more
    // (box IoU 0.32) once the islands are removed: kept both at 0.7, one of them at 0.2.
    const L = 256;
    const t = frameTransform('square', { width: L, height: L });
    const rect = (m: Float32Array, x0: number, y0: number, x1: number, y1: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * L + x] = 40;
    };
    const a = new Float32Array(L * L).fill(-40);
    rect(a, 0, 80, 160, 160);
    rect(a, 40, 240, 44, 244);
    const b = new Float32Array(L * L).fill(-40);
    rect(b, 80, 80, 240, 160);
    rect(b, 200, 8, 204, 12);
    const empty = new Float32Array(L * L).fill(-40);
    const out: DecodeResult = { lowRes: [a, b, empty], scores: [0.95, 0.94, 0.5], selected: 0, fallbacks: [], transform: t, decodeMs: 0 };
    const grid = numpyGrid(1);
    const opts = { predIouThresh: 0.88, stabilityScoreThresh: 0.95, stabilityScoreOffset: 1, maskThreshold: 0, boxNmsThresh: 0.2, minMaskRegionArea: 100 };
    const want = referenceGenerate({ ...opts, width: L, height: L, batches: [{ point: [L / 2, L / 2], masks: out.lowRes.map((l) => upsampleLogits(l, t).data), iou: out.scores }] });
    const { model, embedding } = fixedModel(grid, [out], L, L);
    const got = await segmentEverything(model, embedding, { ...opts, pointsPerSide: 1, skipCovered: false });
    expect(want.length).toBe(2);
    expect(got.masks.map((m) => [m.area, m.bbox])).toEqual(want.map((r) => [r.area, r.bbox]).sort((p, q) => (q[0] as number) - (p[0] as number)));
  });

  it('the cases exercise every filter', async () => {
    // Guard against a fixture that filters nothing: each stage must drop something somewhere.
    const seen = { iou: false, stability: false, nms: false, small: false };
    for (const c of cases) {
      const t = frameTransform(c.mode, { width: c.W, height: c.H });
      const grid = numpyGrid(c.n);
      const outputs = fixedOutputs(grid, t, c.seed);
      const { model, embedding } = fixedModel(grid, outputs, c.W, c.H);
      const base = { pointsPerSide: c.n, skipCovered: false, ...c.opts };
      const all = await segmentEverything(model, embedding, { ...base, predIouThresh: 0, stabilityScoreThresh: 0, boxNmsThresh: 1, minMaskRegionArea: 0 });
      const r = await segmentEverything(model, embedding, { ...base, boxNmsThresh: 1, minMaskRegionArea: 0 });
      const noIou = await segmentEverything(model, embedding, { ...base, predIouThresh: 0, boxNmsThresh: 1, minMaskRegionArea: 0 });
      if (noIou.stats.accepted < all.stats.accepted) seen.stability = true;
      if (r.stats.accepted < noIou.stats.accepted) seen.iou = true;
      const nmsd = await segmentEverything(model, embedding, { ...base, minMaskRegionArea: 0 });
      if (nmsd.masks.length < nmsd.stats.accepted) seen.nms = true;
      if ((c.opts.minMaskRegionArea ?? 0) > 0) {
        const small = await segmentEverything(model, embedding, base);
        if (small.masks.some((m, i) => m.area !== nmsd.masks[i]?.area)) seen.small = true;
      }
    }
    expect(seen).toEqual({ iou: true, stability: true, nms: true, small: true });
  });
});
