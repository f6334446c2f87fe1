/**
 * The analytic models in real onnxruntime-web (wasm, one thread): a click on a coloured shape
 * returns that shape, in every format. Preprocessing is written inline here on purpose (the
 * engine's own preprocessing is tested elsewhere against the reference fixtures).
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyticColourMap,
  analyticLogits,
  analyticModelFiles,
  buildSalient,
  buildSam1,
  buildSam2,
  buildSam2Hf,
  buildSamHf,
  generateAnalyticModels,
  LOW_RES,
  SALIENT_DESCRIPTOR,
  SCORES_3,
  SCORES_SAM1,
  TAUS_3,
  TAUS_SAM1,
  type AnalyticPrompt,
} from '../../models/analytic/index.js';
import { parseModel } from '../../models/analytic/graph.js';

ort.env.wasm.numThreads = 1;

// ---------------------------------------------------------------------------------------------
// Synthetic scenes: flat shapes on a flat background, rasterised at pixel centres.

type Rgb = readonly [number, number, number];
interface Shape {
  colour: Rgb;
  /** Inside test in the scene's own coordinates. */
  contains(x: number, y: number): boolean;
}
interface Image {
  width: number;
  height: number;
  /** RGB, row-major HWC, 0..255. */
  data: Uint8Array;
}

const GREY: Rgb = [128, 128, 128];
const RED: Rgb = [220, 30, 30];
const BLUE: Rgb = [30, 30, 220];

const disc = (cx: number, cy: number, r: number, colour: Rgb): Shape => ({
  colour,
  contains: (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r,
});
const rect = (x0: number, y0: number, x1: number, y1: number, colour: Rgb): Shape => ({
  colour,
  contains: (x, y) => x >= x0 && x < x1 && y >= y0 && y < y1,
});

/** Rasterises shapes given in scene units onto a width×height image (scene = image · scale⁻¹). */
function render(width: number, height: number, shapes: readonly Shape[], background: Rgb = GREY, scale = 1): Image {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = (x + 0.5) / scale;
      const sy = (y + 0.5) / scale;
      let colour = background;
      for (const s of shapes) if (s.contains(sx, sy)) colour = s.colour;
      data.set(colour, (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

/** Rasterises a shape at low-res cell centres of the 1024 frame (cell (i,j) ↔ (4j+2, 4i+2)). */
function lowRes(...shapes: Shape[]): Uint8Array {
  const out = new Uint8Array(LOW_RES * LOW_RES);
  for (let i = 0; i < LOW_RES; i++) {
    for (let j = 0; j < LOW_RES; j++) out[i * LOW_RES + j] = shapes.some((s) => s.contains(4 * j + 2, 4 * i + 2)) ? 1 : 0;
  }
  return out;
}

const threshold = (logits: Float32Array): Uint8Array => Uint8Array.from(logits, (v) => (v > 0 ? 1 : 0));

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i] & b[i];
    union += a[i] | b[i];
  }
  return union === 0 ? 1 : inter / union;
}
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
const count = (m: Uint8Array): number => m.reduce((s, v) => s + v, 0);

// Scene in the 1024 frame: a red disc and a blue square on grey.
const DISC = disc(300, 420, 180, RED);
const SQUARE = rect(600, 150, 900, 450, BLUE);
const SCENE = render(1024, 1024, [DISC, SQUARE]);
const ON_DISC = { x: 300, y: 420 };
const ON_SQUARE = { x: 750, y: 300 };
const ON_GREY = { x: 100, y: 900 };
const DISC_256 = lowRes(DISC);
const SQUARE_256 = lowRes(SQUARE);
const BOTH_256 = lowRes(DISC, SQUARE);

// ---------------------------------------------------------------------------------------------
// Preprocessing (minimal, inline).

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/** /255 then ImageNet mean/std, HWC → CHW (sam-hf, sam2-hf, sam2). The image is 1024². */
function imagenetChw(image: Image): Float32Array {
  const n = image.width * image.height;
  const out = new Float32Array(3 * n);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) out[c * n + p] = (image.data[p * 3 + c] / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
  }
  return out;
}

const SAM1_MEAN = [123.675, 116.28, 103.53];
const SAM1_STD = [58.395, 57.12, 57.375];

/** What the sam1 encoder computes inside its graph, for the oracle: normalise, CHW, zero-pad. */
function sam1Chw(image: Image): Float32Array {
  const out = new Float32Array(3 * 1024 * 1024);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      for (let c = 0; c < 3; c++) {
        out[(c * 1024 + y) * 1024 + x] = (image.data[(y * image.width + x) * 3 + c] - SAM1_MEAN[c]) / SAM1_STD[c];
      }
    }
  }
  return out;
}

/** PyTorch F.interpolate(mode="bilinear", align_corners=False) of one [h,w] plane. */
function resizeBilinear(src: Float32Array, h: number, w: number, oh: number, ow: number): Float32Array {
  const out = new Float32Array(oh * ow);
  const sourceIndex = (dst: number, scale: number): number => Math.max(0, (dst + 0.5) * scale - 0.5);
  for (let y = 0; y < oh; y++) {
    const sy = sourceIndex(y, h / oh);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, h - 1);
    const ly = sy - y0;
    for (let x = 0; x < ow; x++) {
      const sx = sourceIndex(x, w / ow);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, w - 1);
      const lx = sx - x0;
      const top = src[y0 * w + x0] * (1 - lx) + src[y0 * w + x1] * lx;
      const bottom = src[y1 * w + x0] * (1 - lx) + src[y1 * w + x1] * lx;
      out[y * ow + x] = top * (1 - ly) + bottom * ly;
    }
  }
  return out;
}

function crop(src: Float32Array, w: number, ch: number, cw: number): Float32Array {
  const out = new Float32Array(ch * cw);
  for (let y = 0; y < ch; y++) out.set(src.subarray(y * w, y * w + cw), y * cw);
  return out;
}

// ---------------------------------------------------------------------------------------------
// One harness per SAM format: encode once, decode prompts into per-candidate low-res logits.

const POSITIVE = 1;
const NEGATIVE = 0;
interface Point {
  x: number;
  y: number;
  label: number;
}
interface Prompt {
  points?: Point[];
  box?: [number, number, number, number];
  mask?: Float32Array;
  hasMask?: boolean;
}
interface Decoded {
  /** Per candidate, 256² logits. */
  logits: Float32Array[];
  scores: number[];
  outputs: ort.InferenceSession.OnnxValueMapType;
}
interface Harness {
  name: string;
  taus: readonly number[];
  scores: readonly number[];
  /** Index of the τ = 0.5 candidate that "best" selects. */
  best: number;
  box: boolean;
  mask: boolean;
  /** Labels that mean "no point" in this format. */
  padLabels: number[];
  /** Normalised CHW 1024² image the encoder saw (oracle input). */
  normalised(image: Image): Float32Array;
  encode(image: Image): Promise<void>;
  decode(prompt: Prompt): Promise<Decoded>;
}

const f32 = (data: number[] | Float32Array, dims: number[]): ort.Tensor => new ort.Tensor('float32', Float32Array.from(data), dims);
const i64 = (data: number[], dims: number[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(data.map(BigInt)), dims);
const EMPTY_MASK = new Float32Array(LOW_RES * LOW_RES);

function splitCandidates(t: ort.Tensor, k: number): Float32Array[] {
  const data = t.data as Float32Array;
  const plane = LOW_RES * LOW_RES;
  return Array.from({ length: k }, (_, i) => data.slice(i * plane, (i + 1) * plane));
}

async function sessions(bytes: { encoder: Uint8Array; decoder: Uint8Array }) {
  return {
    encoder: await ort.InferenceSession.create(bytes.encoder),
    decoder: await ort.InferenceSession.create(bytes.decoder),
  };
}

async function samHfHarness(): Promise<Harness> {
  const s = await sessions(buildSamHf());
  let embeddings: ort.InferenceSession.OnnxValueMapType = {};
  return {
    name: 'sam-hf', taus: TAUS_3, scores: SCORES_3, best: 1, box: false, mask: false, padLabels: [-1, -10],
    normalised: imagenetChw,
    async encode(image) {
      embeddings = await s.encoder.run({ pixel_values: f32(imagenetChw(image), [1, 3, 1024, 1024]) });
    },
    async decode(prompt) {
      const points = prompt.points ?? [];
      const out = await s.decoder.run({
        image_embeddings: embeddings.image_embeddings,
        image_positional_embeddings: embeddings.image_positional_embeddings,
        input_points: f32(points.flatMap((p) => [p.x, p.y]), [1, 1, points.length, 2]),
        input_labels: i64(points.map((p) => p.label), [1, 1, points.length]),
      });
      return { logits: splitCandidates(out.pred_masks, 3), scores: Array.from(out.iou_scores.data as Float32Array), outputs: out };
    },
  };
}

async function sam2HfHarness(): Promise<Harness> {
  const s = await sessions(buildSam2Hf());
  let embeddings: ort.InferenceSession.OnnxValueMapType = {};
  return {
    name: 'sam2-hf', taus: TAUS_3, scores: SCORES_3, best: 1, box: true, mask: false, padLabels: [-1, -10],
    normalised: imagenetChw,
    async encode(image) {
      embeddings = await s.encoder.run({ pixel_values: f32(imagenetChw(image), [1, 3, 1024, 1024]) });
    },
    async decode(prompt) {
      const points = prompt.points ?? [];
      const boxes = prompt.box ? [prompt.box] : [];
      const out = await s.decoder.run({
        'image_embeddings.0': embeddings['image_embeddings.0'],
        'image_embeddings.1': embeddings['image_embeddings.1'],
        'image_embeddings.2': embeddings['image_embeddings.2'],
        input_points: f32(points.flatMap((p) => [p.x, p.y]), [1, 1, points.length, 2]),
        input_labels: i64(points.map((p) => p.label), [1, 1, points.length]),
        input_boxes: f32(boxes.flat(), [1, boxes.length, 4]),
      });
      return { logits: splitCandidates(out.pred_masks, 3), scores: Array.from(out.iou_scores.data as Float32Array), outputs: out };
    },
  };
}

/** sam1 / sam2 point encoding: box corners as labels 2/3; without a box, Meta's (0,0,−1) pad. */
function cornerPoints(prompt: Prompt): Point[] {
  const points = [...(prompt.points ?? [])];
  if (prompt.box) {
    const [x0, y0, x1, y1] = prompt.box;
    points.push({ x: x0, y: y0, label: 2 }, { x: x1, y: y1, label: 3 });
  } else {
    points.push({ x: 0, y: 0, label: -1 });
  }
  return points;
}

/** `origSize` (H, W) is the size before the long-side-1024 resize (default: the encoded image's). */
async function sam1Harness(origSize?: [number, number]): Promise<Harness> {
  const s = await sessions(buildSam1());
  let embeddings: ort.InferenceSession.OnnxValueMapType = {};
  let size: [number, number] = origSize ?? [1024, 1024];
  return {
    name: 'sam1', taus: TAUS_SAM1, scores: SCORES_SAM1, best: 2, box: true, mask: true, padLabels: [-1],
    normalised: sam1Chw,
    async encode(image) {
      size = origSize ?? [image.height, image.width];
      const data = Float32Array.from(image.data);
      embeddings = await s.encoder.run({ input_image: f32(data, [image.height, image.width, 3]) });
    },
    async decode(prompt) {
      const points = cornerPoints(prompt);
      const out = await s.decoder.run({
        image_embeddings: embeddings.image_embeddings,
        point_coords: f32(points.flatMap((p) => [p.x, p.y]), [1, points.length, 2]),
        point_labels: f32(points.map((p) => p.label), [1, points.length]),
        mask_input: f32(prompt.mask ?? EMPTY_MASK, [1, 1, 256, 256]),
        has_mask_input: f32([prompt.hasMask ? 1 : 0], [1]),
        orig_im_size: f32(size, [2]),
      });
      return { logits: splitCandidates(out.low_res_masks, 4), scores: Array.from(out.iou_predictions.data as Float32Array), outputs: out };
    },
  };
}

async function sam2Harness(): Promise<Harness> {
  const s = await sessions(buildSam2());
  let embeddings: ort.InferenceSession.OnnxValueMapType = {};
  return {
    name: 'sam2', taus: TAUS_3, scores: SCORES_3, best: 1, box: true, mask: true, padLabels: [-1],
    normalised: imagenetChw,
    async encode(image) {
      embeddings = await s.encoder.run({ image: f32(imagenetChw(image), [1, 3, 1024, 1024]) });
    },
    async decode(prompt) {
      const points = prompt.box ? cornerPoints(prompt) : [...(prompt.points ?? [])];
      const out = await s.decoder.run({
        image_embed: embeddings.image_embed,
        high_res_feats_0: embeddings.high_res_feats_0,
        high_res_feats_1: embeddings.high_res_feats_1,
        point_coords: f32(points.flatMap((p) => [p.x, p.y]), [1, points.length, 2]),
        point_labels: f32(points.map((p) => p.label), [1, points.length]),
        mask_input: f32(prompt.mask ?? EMPTY_MASK, [1, 1, 256, 256]),
        has_mask_input: f32([prompt.hasMask ? 1 : 0], [1]),
      });
      return { logits: splitCandidates(out.masks, 3), scores: Array.from(out.iou_predictions.data as Float32Array), outputs: out };
    },
  };
}

const HARNESSES: Record<string, () => Promise<Harness>> = {
  'sam-hf': samHfHarness,
  'sam2-hf': sam2HfHarness,
  sam1: sam1Harness,
  sam2: sam2Harness,
};

const pos = (p: { x: number; y: number }): Point => ({ ...p, label: POSITIVE });
const neg = (p: { x: number; y: number }): Point => ({ ...p, label: NEGATIVE });

// ---------------------------------------------------------------------------------------------

describe.each(Object.keys(HARNESSES))('analytic %s', (format) => {
  let h: Harness;
  let colour: Float32Array;
  const best = async (prompt: Prompt): Promise<Uint8Array> => threshold((await h.decode(prompt)).logits[h.best]);

  beforeAll(async () => {
    h = await HARNESSES[format]();
    await h.encode(SCENE);
    colour = analyticColourMap(h.normalised(SCENE));
  });

  it('a click on the disc returns the disc (τ = 0.5) and the documented scores', async () => {
    const out = await h.decode({ points: [pos(ON_DISC)] });
    expect(out.scores).toEqual(h.scores.map(Math.fround));
    expect(h.taus[h.best]).toBe(0.5);
    // "Best" = argmax of the scores (of tokens 1..3 for sam1) is the τ = 0.5 candidate.
    const first = h.scores.length === 4 ? 1 : 0;
    const multi = out.scores.slice(first);
    expect(first + multi.indexOf(Math.max(...multi))).toBe(h.best);
    const mask = threshold(out.logits[h.best]);
    expect(iou(mask, DISC_256)).toBeGreaterThanOrEqual(0.97);
    // Candidates grow with τ; every candidate stays on the disc in this scene.
    const sizes = out.logits.map((l) => count(threshold(l)));
    const order = h.taus.map((t, i) => [t, sizes[i]] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < order.length; i++) expect(order[i][1]).toBeGreaterThanOrEqual(order[i - 1][1]);
    for (const l of out.logits) expect(iou(threshold(l), DISC_256)).toBeGreaterThanOrEqual(0.95);
  });

  it('matches the TypeScript oracle of the documented rule', async () => {
    const prompt: Prompt = { points: [pos(ON_DISC), pos({ x: 450, y: 420 }), neg(ON_SQUARE), pos({ x: 481, y: 420 })] };
    const oracle: AnalyticPrompt = { points: prompt.points!.map((p) => ({ x: p.x, y: p.y, positive: p.label === POSITIVE })) };
    if (h.box) {
      prompt.box = oracle.box = [100, 200, 700, 640];
    }
    if (h.mask) {
      const previous = analyticLogits(colour, { points: [{ ...ON_SQUARE, positive: true }] }, [0.5])[0];
      prompt.mask = oracle.mask = previous;
      prompt.hasMask = true;
    }
    const out = await h.decode(prompt);
    const expected = analyticLogits(colour, oracle, h.taus);
    for (let k = 0; k < h.taus.length; k++) expect(maxAbsDiff(out.logits[k], expected[k])).toBeLessThan(1e-3);
  });

  it('a negative click removes what resembles it, and alone selects nothing', async () => {
    const union = await best({ points: [pos(ON_DISC), pos(ON_SQUARE)] });
    expect(iou(union, BOTH_256)).toBeGreaterThanOrEqual(0.97);
    const trimmed = await best({ points: [pos(ON_DISC), pos(ON_SQUARE), neg({ x: 700, y: 200 })] });
    expect(iou(trimmed, DISC_256)).toBeGreaterThanOrEqual(0.97);
    // A negative click elsewhere (on grey) leaves the disc alone.
    expect(iou(await best({ points: [pos(ON_DISC), neg(ON_GREY)] }), DISC_256)).toBeGreaterThanOrEqual(0.97);
    const only = await h.decode({ points: [neg(ON_DISC)] });
    for (const l of only.logits) expect(count(threshold(l))).toBe(0);
  });

  it('two positive clicks return the union', async () => {
    const mask = await best({ points: [pos(ON_DISC), pos(ON_SQUARE)] });
    expect(iou(mask, BOTH_256)).toBeGreaterThanOrEqual(0.97);
    expect(count(mask)).toBeGreaterThan(count(DISC_256) + count(SQUARE_256) * 0.9);
  });

  it('ignores pad / not-a-point labels', async () => {
    const single = await h.decode({ points: [pos(ON_DISC)] });
    for (const label of h.padLabels) {
      const padded = await h.decode({ points: [{ ...ON_SQUARE, label }, pos(ON_DISC), { x: 0, y: 0, label }] });
      for (let k = 0; k < h.taus.length; k++) expect(maxAbsDiff(padded.logits[k], single.logits[k])).toBe(0);
    }
  });

  // Formats without boxes / mask input get no such test (rather than a skipped one).
  if (format !== 'sam-hf') it('a box selects its centre colour clipped to the box', async () => {
    // Around the whole disc.
    const whole = await best({ box: [100, 220, 500, 620] });
    expect(iou(whole, DISC_256)).toBeGreaterThanOrEqual(0.97);
    // The left half of the disc: centre (205, 420) is red; the result is disc ∩ box.
    const half = await best({ box: [100, 220, 310, 620] });
    const expected = lowRes({ colour: RED, contains: (x, y) => DISC.contains(x, y) && x >= 100 && x < 310 && y >= 220 && y < 620 });
    expect(iou(half, expected)).toBeGreaterThanOrEqual(0.95);
    // A positive click outside the box is clipped away by the box (the square lies outside).
    const boxed = await best({ box: [100, 220, 500, 620], points: [pos(ON_SQUARE)] });
    expect(iou(boxed, DISC_256)).toBeGreaterThanOrEqual(0.97);
  });

  if (format === 'sam1' || format === 'sam2') it('mask_input is united with the new click only when has_mask_input = 1', async () => {
    const previous = (await h.decode({ points: [pos(ON_SQUARE)] })).logits[h.best];
    expect(iou(threshold(previous), SQUARE_256)).toBeGreaterThanOrEqual(0.97);
    const refined = await best({ points: [pos(ON_DISC)], mask: previous, hasMask: true });
    expect(iou(refined, BOTH_256)).toBeGreaterThanOrEqual(0.97);
    const ignored = await best({ points: [pos(ON_DISC)], mask: previous, hasMask: false });
    expect(iou(ignored, DISC_256)).toBeGreaterThanOrEqual(0.97);
  });

});

describe('analytic sam2-hf specifics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await sam2HfHarness();
    await h.encode(SCENE);
  });

  it('object_score_logits is +10 with a positive point or a box, −10 otherwise', async () => {
    const score = async (prompt: Prompt): Promise<number> => ((await h.decode(prompt)).outputs.object_score_logits.data as Float32Array)[0];
    expect(await score({ points: [pos(ON_DISC)] })).toBe(10);
    expect(await score({ points: [neg(ON_DISC)] })).toBe(-10);
    expect(await score({ points: [{ ...ON_DISC, label: -10 }] })).toBe(-10);
    expect(await score({ box: [100, 220, 500, 620] })).toBe(10);
  });

  it('accepts a box with no points at all (N = 0)', async () => {
    const out = await h.decode({ points: [], box: [100, 220, 500, 620] });
    expect(iou(threshold(out.logits[1]), DISC_256)).toBeGreaterThanOrEqual(0.97);
  });
});

describe('analytic sam1 masks at orig_im_size', () => {
  it('equals the official two-step upsampling of low_res_masks (300×700 image)', async () => {
    const H = 300;
    const W = 700;
    const scale = 1024 / Math.max(H, W);
    const h2 = Math.floor(H * scale + 0.5); // 439
    const w2 = Math.floor(W * scale + 0.5); // 1024
    const shapes = [disc(200, 150, 100, RED), rect(450, 60, 650, 240, BLUE)];
    const resized = render(w2, h2, shapes, GREY, scale);
    const h = await sam1Harness([H, W]);
    await h.encode(resized);
    const out = await h.decode({ points: [pos({ x: 200 * scale, y: 150 * scale })] });
    const masks = out.outputs.masks as ort.Tensor;
    expect(masks.dims).toEqual([1, 4, H, W]);
    // The encoder's in-graph normalisation and bottom padding (439 → 1024 rows) match the oracle.
    const oracle = analyticLogits(analyticColourMap(sam1Chw(resized)), { points: [{ x: 200 * scale, y: 150 * scale, positive: true }] }, TAUS_SAM1);
    for (let k = 0; k < 4; k++) expect(maxAbsDiff(out.logits[k], oracle[k])).toBeLessThan(1e-3);
    for (let k = 0; k < 4; k++) {
      const up = resizeBilinear(out.logits[k], 256, 256, 1024, 1024);
      const reference = resizeBilinear(crop(up, 1024, h2, w2), h2, w2, H, W);
      const got = (masks.data as Float32Array).subarray(k * H * W, (k + 1) * H * W);
      expect(maxAbsDiff(got, reference)).toBeLessThan(1e-3);
    }
    // And the best candidate is the disc in original pixels (eroded by ≈ 2.6 px of the 1024
    // frame, ≈ 1.8 px here: IoU ≈ 0.964 for a radius of 100 px; see common.ts).
    const expected = new Uint8Array(H * W);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expected[y * W + x] = shapes[0].contains(x + 0.5, y + 0.5) ? 1 : 0;
    const best = threshold((masks.data as Float32Array).slice(2 * H * W, 3 * H * W));
    expect(iou(best, expected)).toBeGreaterThanOrEqual(0.95);
  });
});

describe('analytic salient', () => {
  it('foreground is exactly the non-background pixels of a 320² image', async () => {
    const session = await ort.InferenceSession.create(buildSalient().model);
    const image = render(320, 320, [disc(100, 120, 70, RED), rect(180, 40, 300, 200, BLUE), rect(40, 250, 290, 290, [255, 255, 255])]);
    const n = 320 * 320;
    const input = new Float32Array(3 * n);
    for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) input[c * n + p] = (image.data[p * 3 + c] / 255 - 0.5) / 1;
    const out = await session.run({ input: f32(input, [1, 3, 320, 320]) });
    expect(out.output.dims).toEqual([1, 1, 320, 320]);
    const logits = out.output.data as Float32Array;
    let mismatches = 0;
    for (let p = 0; p < n; p++) {
      const foreground = 1 / (1 + Math.exp(-logits[p])) > 0.5;
      const differs = image.data[p * 3] !== GREY[0] || image.data[p * 3 + 1] !== GREY[1] || image.data[p * 3 + 2] !== GREY[2];
      if (foreground !== differs) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(SALIENT_DESCRIPTOR).toMatchObject({ input: 'input', output: 'output', size: [320, 320], activation: 'sigmoid' });
  });
});

describe('analytic model files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cutout-analytic-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one folder per format with the names the engine detects, idempotently', async () => {
    const dirs = await generateAnalyticModels(dir);
    const listing = async (d: string): Promise<string[]> => (await readdir(d)).sort();
    expect(await listing(dirs['sam-hf'])).toEqual(['prompt_encoder_mask_decoder.onnx', 'vision_encoder.onnx']);
    expect(await listing(dirs['sam2-hf'])).toEqual(['prompt_encoder_mask_decoder.onnx', 'vision_encoder.onnx']);
    expect(await listing(dirs.sam1)).toEqual(['decoder.onnx', 'encoder.onnx']);
    expect(await listing(dirs.sam2)).toEqual(['decoder.onnx', 'encoder.onnx']);
    expect(await listing(dirs.salient)).toEqual(['cutout.json', 'model.onnx']);

    const mtimes = async (): Promise<number[]> =>
      Promise.all(Object.values(dirs).flatMap(async (d) => (await readdir(d)).map((n) => path.join(d, n)))).then((lists) =>
        Promise.all(lists.flat().map(async (f) => (await stat(f)).mtimeMs)),
      );
    const before = await mtimes();
    await new Promise((r) => setTimeout(r, 20));
    expect(await generateAnalyticModels(dir)).toEqual(dirs);
    expect(await mtimes()).toEqual(before);
  });

  it('load and agree in onnxruntime-node (the CLI runtime)', async () => {
    const ortNode = await import('onnxruntime-node');
    const files = analyticModelFiles();
    for (const entries of Object.values(files)) {
      for (const [name, bytes] of Object.entries(entries)) if (name.endsWith('.onnx')) await ortNode.InferenceSession.create(bytes);
    }
    const embeddings = new Float32Array(256 * 64 * 64).map((_, i) => Math.sin(i));
    const feeds = (T: typeof ort.Tensor | typeof ortNode.Tensor) => ({
      image_embeddings: new T('float32', embeddings, [1, 256, 64, 64]),
      point_coords: new T('float32', Float32Array.from([300, 420, 700, 100, 0, 0]), [1, 3, 2]),
      point_labels: new T('float32', Float32Array.from([1, 0, -1]), [1, 3]),
      mask_input: new T('float32', new Float32Array(65536), [1, 1, 256, 256]),
      has_mask_input: new T('float32', Float32Array.from([0]), [1]),
      orig_im_size: new T('float32', Float32Array.from([300, 700]), [2]),
    });
    const native = await (await ortNode.InferenceSession.create(files.sam1['decoder.onnx'])).run(feeds(ortNode.Tensor));
    const web = await (await ort.InferenceSession.create(files.sam1['decoder.onnx'])).run(feeds(ort.Tensor));
    for (const name of ['low_res_masks', 'masks', 'iou_predictions']) {
      expect(native[name].dims).toEqual(web[name].dims);
      expect(maxAbsDiff(native[name].data as Float32Array, web[name].data as Float32Array)).toBeLessThan(1e-4);
    }
  });

  it('are tiny, opset 17, IR 8, and deterministic', () => {
    const files = analyticModelFiles();
    const again = analyticModelFiles();
    for (const [format, entries] of Object.entries(files)) {
      for (const [name, bytes] of Object.entries(entries)) {
        expect(bytes.length, `${format}/${name}`).toBeLessThan(64 * 1024);
        expect(bytes).toEqual(again[format as keyof typeof files][name]);
        if (!name.endsWith('.onnx')) continue;
        const model = parseModel(bytes);
        expect(Number(model.irVersion)).toBe(8);
        expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
      }
    }
  });
});
