/**
 * The analytic SAM semantics shared by every format: this header is the test oracle.
 * (`oracle.ts` is the same rule written in plain TypeScript.)
 *
 * ENCODER: a colour map, nothing learnt.
 *   The encoder receives the image already normalised the way its format expects (sam-hf and
 *   the SAM 2 layouts: /255 then ImageNet mean/std, done by the caller; sam1: inside the graph
 *   from 0..255 RGB). It average-pools the normalised [1,3,1024,1024] tensor with a 4×4 kernel,
 *   stride 4, giving the colour map C: [1,3,256,256]. Cell (i, j) of C is the mean normalised
 *   colour of frame pixels x ∈ [4j, 4j+4), y ∈ [4i, 4i+4); its centre in the 1024 frame is
 *   (4j+2, 4i+2), i.e. (j+0.5, i+0.5) in low-res units. Padding (zeros after normalising) is
 *   a colour like any other.
 *   - 64×64 embeddings (sam-hf `image_embeddings`, sam1 `image_embeddings`):
 *     SpaceToDepth(C, 4) → [1,48,64,64], channels 48..255 zero. Decoders invert it with
 *     DepthToSpace(4, mode DCR). sam-hf `image_positional_embeddings` are zeros.
 *   - SAM 2 layouts: C in channels 0..2 of the 256×256 map (`image_embeddings.0` /
 *     `high_res_feats_0`, 32 channels, the rest zero); the 128×128 and 64×64 maps are zeros.
 *
 * DECODER: colour similarity to the clicked colours, per candidate tolerance τ_k.
 *   Coordinates are in the 1024 frame (the frame the encoder saw). A point (x, y) maps to
 *   low-res units (u, v) = (x/4, y/4).
 *   1. Colour of a point: bilinear sample of C over cell centres at (u, v) clamped to
 *      [0.5, 255.5] (so the weights always sum to 1):
 *        c = Σ_ij C[:, i, j] · relu(1 − |j + 0.5 − u|) · relu(1 − |i + 0.5 − v|).
 *   2. Distance of cell p to point n: d_n(p) = Σ_ch |C[ch, p] − c_n[ch]|   (L1 over 3 channels,
 *      in normalised colour units).
 *   3. dpos(p) = min over positive points of d_n(p)  (BIG = 1e4 when there is none)
 *      dneg(p) = min over negative points of d_n(p)  (BIG when there is none)
 *      pos_k(p) = τ_k − dpos(p)             (= max over positive points of τ_k − d_n)
 *      neg_k(p) = dneg(p) − τ_k             (= min over negative points of d_n − τ_k)
 *   4. Previous mask (sam1, sam2), only when has_mask_input > 0.5:
 *        pos_k(p) = max(pos_k(p), mask_input(p) / GAIN)  (union with the previous mask, which
 *        the decoder itself gave in output units, step 8)
 *   5. logit_k(p) = min(pos_k(p), neg_k(p))
 *   6. Box (x0, y0, x1, y1) in the 1024 frame: its centre is one more positive point (step 1-3),
 *      and logit_k(p) = min(logit_k(p), inside(p)) with inside(p) the signed distance in
 *      low-res cells from the cell centre (j+0.5, i+0.5) to the nearest box edge:
 *        inside = min(j+0.5 − x0/4, x1/4 − (j+0.5), i+0.5 − y0/4, y1/4 − (i+0.5)).
 *   7. logits are clipped to [−20, 20].
 *   8. and multiplied by GAIN = 8 (a power of two: masks, edges and sub-pixel crossings are
 *      exactly those of the unscaled rule). The gain puts a flat shape's inside at 8·τ and its
 *      outside at 8·(τ − D), so SAM's stability score (IoU of the masks cut at +1 and −1) is
 *      near 1 for clean shapes and low for colour ramps, as with a real model.
 *   Points whose label is neither positive nor negative (nor a box corner where the format
 *   has them) are ignored: −1 (not-a-point / pad), −10 (sam-hf pad), anything else.
 *
 * CANDIDATES AND SCORES (chosen so "best" is always τ = 0.5):
 *   3-candidate formats (sam-hf, sam2-hf, sam2): τ = [0.25, 0.5, 1.0], base scores [0.6, 0.9, 0.7].
 *   sam1 (4 candidates): τ = [0.5, 0.25, 0.5, 1.0], base iou_predictions [0.8, 0.6, 0.9, 0.7]
 *   (token 0 = 0.8; best of tokens 1..3 is index 2, τ = 0.5).
 *   Predicted IoU = base · agreement, agreement = min(1, IoU(M_lo, M_hi) / 0.9) where M_lo and
 *   M_hi are the low-res masks (logit > 0) of the smallest and largest τ, IoU = (∩ + 0.001) /
 *   (∪ + 0.001): a prompt whose object does not depend on the tolerance (a flat shape: IoU
 *   ≥ 0.9) keeps the base scores exactly; one whose mask grows with the tolerance (a ramp, a
 *   click between similar colours) scores lower, like an ambiguous click on a real model.
 *   sam2-hf object_score_logits: +10 when there is a positive point or a box, else −10.
 *
 * WHAT A CLICK RETURNS. Take flat-coloured shapes on a flat background, a click well inside
 * a shape of colour s (so c = s), and let D be the L1 distance (normalised units) between s and
 * every other colour in the image. Cells fully inside the shape have logit τ; cells fully
 * outside have τ − D < 0 whenever D > τ. A boundary cell covering a fraction α of the shape
 * has colour α·s + (1−α)·b, so d = (1−α)·D and it is in the mask iff α > 1 − τ/D. With
 * τ = 0.5 and D ≥ 0.5 (pure red/green/blue/white/black on grey: D is 3-10 in ImageNet units)
 * the τ = 0.5 candidate is exactly the clicked shape at 256², except boundary cells less than
 * (1 − τ/D) covered: a slight, predictable erosion. Measured for a red disc (220,30,30) of
 * radius 180 px on grey (128) in ImageNet units (D ≈ 5): radius 44.65 cells instead of 45 at
 * 256² (IoU ≈ 0.985 with the cell-centre rasterisation), and 177.4 px instead of 180 after
 * bilinear upsampling of the logits to 1024² — the edge sits ≈ 2.6 px (< 1 cell) inside.
 */
import type { GraphBuilder } from './graph.js';

/** Side of the square frame the encoders see. */
export const FRAME = 1024;
/** Side of the low-resolution mask / colour map. */
export const LOW_RES = 256;
/** Frame pixels per low-res cell. */
export const CELL = FRAME / LOW_RES;
/** "No such point" distance. */
export const BIG = 1e4;
/** Logits are clipped to ±LOGIT_CLAMP (before the gain). */
export const LOGIT_CLAMP = 20;
/** Output logits = GAIN · the clipped rule (a power of two, so the scaling is exact). */
export const LOGIT_GAIN = 8;
/** Tolerance agreement at or above which the base scores are kept unchanged. */
export const AGREEMENT_FULL = 0.9;

/** Candidate tolerances and scores of the 3-candidate formats (sam-hf, sam2-hf, sam2). */
export const TAUS_3 = [0.25, 0.5, 1.0] as const;
export const SCORES_3 = [0.6, 0.9, 0.7] as const;
/** sam1: token 0 (single-mask output) then the three multimask tokens. */
export const TAUS_SAM1 = [0.5, 0.25, 0.5, 1.0] as const;
export const SCORES_SAM1 = [0.8, 0.6, 0.9, 0.7] as const;
/** sam2-hf object_score_logits: +OBJECT_SCORE with a positive prompt, −OBJECT_SCORE without. */
export const OBJECT_SCORE = 10;

/** Normalisation used inside the sam1 encoder (samexporter --use-preprocess), 0..255 space. */
export const SAM1_MEAN = [123.675, 116.28, 103.53] as const;
export const SAM1_STD = [58.395, 57.12, 57.375] as const;

/** Low-res cell centres 0.5 … 255.5 as a [1,256] float initializer. */
function cellCentres(g: GraphBuilder): string {
  return g.f32(
    Array.from({ length: LOW_RES }, (_, i) => i + 0.5),
    [1, LOW_RES],
  );
}

/** AveragePool 4×4 stride 4: normalised [1,3,1024,1024] → colour map [1,3,256,256]. */
export function colourMap(g: GraphBuilder, image: string): string {
  return g.op('AveragePool', [image], { kernel_shape: [CELL, CELL], strides: [CELL, CELL] });
}

/** Zero-pads the channel axis of a [1,c,h,w] tensor to `channels`. */
export function padChannels(g: GraphBuilder, x: string, have: number, channels: number, output?: string): string {
  return g.op('Pad', [x, g.i64([0, 0, 0, 0, 0, channels - have, 0, 0]), g.f32(0)], { mode: 'constant' }, output);
}

/** Colour map → 64×64 embedding: SpaceToDepth(4) gives 48 channels, zero-padded to 256. */
export function packEmbedding64(g: GraphBuilder, colour: string, output: string): string {
  const packed = g.op('SpaceToDepth', [colour], { blocksize: CELL });
  return padChannels(g, packed, 3 * CELL * CELL, 256, output);
}

/** 64×64 embedding → colour map [1,3,256,256] (DepthToSpace DCR inverts SpaceToDepth). */
export function unpackEmbedding64(g: GraphBuilder, embedding: string): string {
  const packed = g.slice(embedding, [0], [3 * CELL * CELL], [1]);
  return g.op('DepthToSpace', [packed], { blocksize: CELL, mode: 'DCR' });
}

/** A float zeros tensor of fixed shape as a graph output (no large initializer). */
export function zeros(g: GraphBuilder, dims: readonly number[], output: string): string {
  const value = { name: '', dims: [1], dataType: 1, rawData: new Uint8Array(4) };
  return g.op('ConstantOfShape', [g.i64(dims)], { value }, output);
}

/**
 * Flattens points to [N,2] and labels to [N], then appends one null point (0,0) with label
 * −1 so every reduction over points has at least one element (N may be 0).
 */
export function flattenPoints(g: GraphBuilder, points: string, labels: string, labelType: 'float' | 'int64'): { points: string; labels: string } {
  const flatPoints = g.op('Concat', [g.reshape(points, [-1, 2]), g.f32([0, 0], [1, 2])], { axis: 0 });
  const nullLabel = labelType === 'float' ? g.f32([-1]) : g.i64([-1]);
  const flatLabels = g.op('Concat', [g.reshape(labels, [-1]), nullLabel], { axis: 0 });
  return { points: flatPoints, labels: flatLabels };
}

/** Float 0/1 flag per label: label == value. */
export function labelIs(g: GraphBuilder, labels: string, value: number, labelType: 'float' | 'int64'): string {
  const v = labelType === 'float' ? g.f32(value) : g.i64([value], []);
  return g.toFloat(g.op('Equal', [labels, v]));
}

/**
 * Box from sam1-style corner points (label 2 top-left, 3 bottom-right; at most one box):
 * corners [4] = (x0, y0, x1, y1) and present [1] = 1 when both corners are given.
 */
export function boxFromCornerLabels(g: GraphBuilder, points: string, labels: string): { corners: string; present: string } {
  const topLeft = labelIs(g, labels, 2, 'float');
  const bottomRight = labelIs(g, labels, 3, 'float');
  const pick = (flag: string): string => g.reduceSum(g.mul(points, g.reshape(flag, [-1, 1])), [0], 0);
  const corners = g.op('Concat', [pick(topLeft), pick(bottomRight)], { axis: 0 });
  const present = g.mul(g.reduce('ReduceMax', topLeft, [0], 1), g.reduce('ReduceMax', bottomRight, [0], 1));
  return { corners, present };
}

export interface PromptLogitsInput {
  /** Colour map [1,3,256,256]. */
  colour: string;
  /** Points [M,2], (x, y) in the 1024 frame, M ≥ 1. */
  points: string;
  /** Float 0/1 per point [M]. */
  positive: string;
  negative: string;
  taus: readonly number[];
  /** Box corners [4] (x0, y0, x1, y1, 1024 frame) and presence [1] (float 0/1). */
  box?: { corners: string; present: string };
  /** Previous low-res logits [1,1,256,256] and has_mask_input [1]. */
  mask?: { logits: string; present: string };
}

/**
 * The decoder rule of the header: returns logits [K,256,256] (K = taus.length, clipped to ±20,
 * times GAIN), anyPositive [1] (1 when a positive point or a box is present) and agreement [1]
 * (the factor of the base scores).
 */
export function promptLogits(g: GraphBuilder, input: PromptLogitsInput): { logits: string; anyPositive: string; agreement: string } {
  let { points, positive, negative } = input;
  const { colour, box, mask, taus } = input;
  const one = g.f32(1);
  const big = g.f32(BIG);

  if (box) {
    // The box centre is one more positive point (present = 0 makes it a null point).
    const centre = g.reduce('ReduceMean', g.reshape(box.corners, [2, 2]), [0], 1); // [1,2]
    points = g.op('Concat', [points, centre], { axis: 0 });
    positive = g.op('Concat', [positive, box.present], { axis: 0 });
    negative = g.op('Concat', [negative, g.f32([0])], { axis: 0 });
  }

  // 1. Colour at each point: separable bilinear weights over cell centres.
  const centres = cellCentres(g); // [1,256]
  const uv = g.op('Clip', [g.div(points, g.f32(CELL)), g.f32(0.5), g.f32(LOW_RES - 0.5)]); // [M,2]
  const weights = (column: number): string => {
    const coordinate = g.slice(uv, [column], [column + 1], [1]); // [M,1]
    return g.relu(g.sub(one, g.abs(g.sub(centres, coordinate)))); // [M,256]
  };
  const wx = weights(0);
  const wy = weights(1);
  const map = g.reshape(colour, [3, LOW_RES, LOW_RES]);
  const alongX = g.op('MatMul', [map, g.transpose(wx, [1, 0])]); // [3,256(i),M]
  const sampled = g.reduceSum(g.mul(alongX, g.transpose(wy, [1, 0])), [1], 0); // [3,M]
  const pointColour = g.reshape(g.transpose(sampled, [1, 0]), [-1, 3, 1, 1]); // [M,3,1,1]

  // 2. L1 colour distance of every cell to every point: [M,256,256].
  const distance = g.reduceSum(g.abs(g.sub(colour, pointColour)), [1], 0);

  // 3. Nearest positive / negative colour (BIG when there is none).
  const nearest = (flag: string): string => {
    const penalty = g.reshape(g.mul(g.sub(one, flag), big), [-1, 1, 1]);
    return g.reduce('ReduceMin', g.add(distance, penalty), [0], 0); // [256,256]
  };
  const tau = g.f32(taus, [taus.length, 1, 1]);
  let pos = g.sub(tau, nearest(positive)); // [K,256,256]
  const neg = g.sub(nearest(negative), tau);

  // 4. Union with the previous mask.
  if (mask) {
    const previous = g.op('Where', [
      g.op('Greater', [mask.present, g.f32(0.5)]),
      g.div(g.reshape(mask.logits, [LOW_RES, LOW_RES]), g.f32(LOGIT_GAIN)),
      g.f32(-BIG),
    ]);
    pos = g.max(pos, previous);
  }

  // 5.
  let logits = g.min(pos, neg);

  // 6. Inside the box (signed distance in cells; +BIG when there is no box).
  if (box) {
    const c = g.div(box.corners, g.f32(CELL));
    const edge = (k: number): string => g.slice(c, [k], [k + 1], [0]); // [1]
    const rows = g.reshape(centres, [LOW_RES, 1]);
    const inside = g.min(
      g.sub(centres, edge(0)),
      g.sub(edge(2), centres),
      g.sub(rows, edge(1)),
      g.sub(edge(3), rows),
    ); // [256,256]
    const noBox = g.mul(g.sub(one, box.present), big);
    logits = g.min(logits, g.add(inside, noBox));
  }

  // 7.
  logits = g.op('Clip', [logits, g.f32(-LOGIT_CLAMP), g.f32(LOGIT_CLAMP)]);
  const anyPositive = g.reduce('ReduceMax', positive, [0], 1); // [1]

  // Scores: agreement between the masks of the smallest and the largest tolerance.
  const lo = taus.indexOf(Math.min(...taus));
  const hi = taus.indexOf(Math.max(...taus));
  const inside = g.toFloat(g.op('Greater', [logits, g.f32(0)]));
  const mLo = g.slice(inside, [lo], [lo + 1], [0]);
  const mHi = g.slice(inside, [hi], [hi + 1], [0]);
  const eps = g.f32(AGREEMENT_EPS);
  const count = (x: string): string => g.reshape(g.reduceSum(x, [0, 1, 2], 0), [1]);
  const iou = g.div(g.add(count(g.min(mLo, mHi)), eps), g.add(count(g.max(mLo, mHi)), eps));
  const agreement = g.min(g.div(iou, g.f32(AGREEMENT_FULL)), g.f32([1]));

  // 8.
  logits = g.mul(logits, g.f32(LOGIT_GAIN));
  return { logits, anyPositive, agreement };
}

/** Added to both counts of the agreement IoU (an empty pair of masks agrees). */
export const AGREEMENT_EPS = 0.001;

/** Scores output: base · agreement, reshaped to the format's dims. */
export function scoresOutput(g: GraphBuilder, base: readonly number[], agreement: string, dims: readonly number[], output: string): string {
  return g.op('Reshape', [g.mul(g.f32(base, [base.length]), agreement), g.i64(dims)], {}, output);
}
