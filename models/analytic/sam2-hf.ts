/**
 * Analytic `sam2-hf` model (transformers.js layout of SAM 2 / 2.1: onnx-community/sam2*-ONNX).
 *
 * Files: `vision_encoder.onnx`, `prompt_encoder_mask_decoder.onnx`.
 *
 * vision_encoder: `pixel_values` f32 [1,3,1024,1024] (square resize, /255, ImageNet mean/std,
 *   done by the caller)
 *   → `image_embeddings.0` [1,32,256,256]: channels 0..2 = AveragePool4(pixel_values), rest 0;
 *   → `image_embeddings.1` [1,64,128,128] and `image_embeddings.2` [1,256,64,64]: zeros.
 *
 * prompt_encoder_mask_decoder: `input_points` f32 [1,1,N,2] (x·1024/W, y·1024/H),
 *   `input_labels` int64 [1,1,N] (1 positive, 0 negative; −1, −10 and anything else ignored),
 *   `input_boxes` f32 [1,nb,4] (nb = 0 or 1; x0, y0, x1, y1 in the 1024 frame; only the first
 *   box is used), `image_embeddings.0/1/2` (only .0 is read)
 *   → `pred_masks` [1,1,3,256,256] logits, candidates τ = [0.25, 0.5, 1.0];
 *   → `iou_scores` [1,1,3] = [0.6, 0.9, 0.7] · agreement (common.ts; best = index 1, τ = 0.5);
 *   → `object_score_logits` [1,1,1] = +10 with a positive point or a box, else −10.
 *
 * Logit of candidate k at low-res cell p (see common.ts for the full rule):
 *   min(τ_k − min_{positive n} d_n(p), min_{negative n} d_n(p) − τ_k), then with a box:
 *   its centre is one more positive point and the logit is min(logit, inside(p)), inside =
 *   signed distance in low-res cells from the cell centre to the nearest box edge. Clipped ±20.
 */
import { GraphBuilder } from './graph.js';
import { colourMap, flattenPoints, labelIs, OBJECT_SCORE, padChannels, promptLogits, scoresOutput, SCORES_3, TAUS_3, zeros } from './common.js';

export const SAM2_HF_FILES = {
  encoder: 'vision_encoder.onnx',
  decoder: 'prompt_encoder_mask_decoder.onnx',
} as const;

export function buildSam2HfEncoder(): Uint8Array {
  const g = new GraphBuilder('analytic_sam2_hf_vision_encoder');
  const pixels = g.input('pixel_values', 'float', [1, 3, 1024, 1024]);
  padChannels(g, colourMap(g, pixels), 3, 32, 'image_embeddings.0');
  zeros(g, [1, 64, 128, 128], 'image_embeddings.1');
  zeros(g, [1, 256, 64, 64], 'image_embeddings.2');
  g.output('image_embeddings.0', 'float', [1, 32, 256, 256]);
  g.output('image_embeddings.1', 'float', [1, 64, 128, 128]);
  g.output('image_embeddings.2', 'float', [1, 256, 64, 64]);
  return g.serialize('Analytic sam2-hf vision encoder (colour map); see models/analytic/sam2-hf.ts');
}

export function buildSam2HfDecoder(): Uint8Array {
  const g = new GraphBuilder('analytic_sam2_hf_prompt_encoder_mask_decoder');
  const rawPoints = g.input('input_points', 'float', [1, 1, 'num_points', 2]);
  const rawLabels = g.input('input_labels', 'int64', [1, 1, 'num_points']);
  const boxes = g.input('input_boxes', 'float', [1, 'num_boxes', 4]);
  const features = g.input('image_embeddings.0', 'float', [1, 32, 256, 256]);
  g.input('image_embeddings.1', 'float', [1, 64, 128, 128]);
  g.input('image_embeddings.2', 'float', [1, 256, 64, 64]);

  const { points, labels } = flattenPoints(g, rawPoints, rawLabels, 'int64');
  // First box, or a zero box when nb = 0 (then present = 0).
  const padded = g.op('Concat', [boxes, g.f32([0, 0, 0, 0], [1, 1, 4])], { axis: 1 });
  const corners = g.reshape(g.slice(padded, [0], [1], [1]), [4]);
  const boxCount = g.slice(g.op('Shape', [boxes]), [1], [2], [0]); // [1] int64
  const present = g.toFloat(g.op('Greater', [boxCount, g.i64([0])]));

  const { logits, anyPositive, agreement } = promptLogits(g, {
    colour: g.slice(features, [0], [3], [1]),
    points,
    positive: labelIs(g, labels, 1, 'int64'),
    negative: labelIs(g, labels, 0, 'int64'),
    taus: TAUS_3,
    box: { corners, present },
  });
  g.op('Reshape', [logits, g.i64([1, 1, 3, 256, 256])], {}, 'pred_masks');
  scoresOutput(g, SCORES_3, agreement, [1, 1, 3], 'iou_scores');
  const objectScore = g.sub(g.mul(anyPositive, g.f32(2 * OBJECT_SCORE)), g.f32(OBJECT_SCORE));
  g.op('Reshape', [objectScore, g.i64([1, 1, 1])], {}, 'object_score_logits');
  g.output('iou_scores', 'float', [1, 1, 3]);
  g.output('pred_masks', 'float', [1, 1, 3, 256, 256]);
  g.output('object_score_logits', 'float', [1, 1, 1]);
  return g.serialize('Analytic sam2-hf prompt encoder + mask decoder; see models/analytic/sam2-hf.ts');
}

export function buildSam2Hf(): { encoder: Uint8Array; decoder: Uint8Array } {
  return { encoder: buildSam2HfEncoder(), decoder: buildSam2HfDecoder() };
}
