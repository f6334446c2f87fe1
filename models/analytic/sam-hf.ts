/**
 * Analytic `sam-hf` model (transformers.js layout of SAM 1: Xenova/slimsam-*, sam-vit-*).
 *
 * Files: `vision_encoder.onnx`, `prompt_encoder_mask_decoder.onnx`.
 *
 * vision_encoder: `pixel_values` f32 [1,3,1024,1024] (the caller resizes the long side to 1024,
 *   rescales 1/255, normalises with ImageNet mean/std and zero-pads bottom/right)
 *   → `image_embeddings` [1,256,64,64] = SpaceToDepth(AveragePool4(pixel_values), 4) in
 *     channels 0..47, zeros elsewhere;
 *   → `image_positional_embeddings` [1,256,64,64] = zeros (ignored by the decoder).
 *
 * prompt_encoder_mask_decoder: `image_embeddings`, `image_positional_embeddings`,
 *   `input_points` f32 [1,1,N,2] (x, y in the 1024 frame), `input_labels` int64 [1,1,N]
 *   (1 positive, 0 negative; −1 not-a-point and −10 pad are ignored, as is any other value)
 *   → `pred_masks` [1,1,3,256,256] logits, candidates τ = [0.25, 0.5, 1.0];
 *   → `iou_scores` [1,1,3] = [0.6, 0.9, 0.7] · agreement (common.ts; best = index 1, τ = 0.5).
 *   No boxes and no mask input, like the real export.
 *
 * Logit of candidate k at low-res cell p (see common.ts for the full rule):
 *   min(τ_k − min_{positive n} d_n(p), min_{negative n} d_n(p) − τ_k), clipped to ±20,
 *   d_n(p) = L1 distance between the colour of cell p and the colour bilinearly sampled at
 *   point n (both in normalised units).
 */
import { GraphBuilder } from './graph.js';
import { colourMap, flattenPoints, labelIs, packEmbedding64, promptLogits, scoresOutput, SCORES_3, TAUS_3, unpackEmbedding64, zeros } from './common.js';

export const SAM_HF_FILES = {
  encoder: 'vision_encoder.onnx',
  decoder: 'prompt_encoder_mask_decoder.onnx',
} as const;

export function buildSamHfEncoder(): Uint8Array {
  const g = new GraphBuilder('analytic_sam_hf_vision_encoder');
  const pixels = g.input('pixel_values', 'float', [1, 3, 1024, 1024]);
  packEmbedding64(g, colourMap(g, pixels), 'image_embeddings');
  zeros(g, [1, 256, 64, 64], 'image_positional_embeddings');
  g.output('image_embeddings', 'float', [1, 256, 64, 64]);
  g.output('image_positional_embeddings', 'float', [1, 256, 64, 64]);
  return g.serialize('Analytic sam-hf vision encoder (colour map); see models/analytic/sam-hf.ts');
}

export function buildSamHfDecoder(): Uint8Array {
  const g = new GraphBuilder('analytic_sam_hf_prompt_encoder_mask_decoder');
  const embeddings = g.input('image_embeddings', 'float', [1, 256, 64, 64]);
  g.input('image_positional_embeddings', 'float', [1, 256, 64, 64]);
  const rawPoints = g.input('input_points', 'float', [1, 1, 'num_points', 2]);
  const rawLabels = g.input('input_labels', 'int64', [1, 1, 'num_points']);

  const { points, labels } = flattenPoints(g, rawPoints, rawLabels, 'int64');
  const { logits, agreement } = promptLogits(g, {
    colour: unpackEmbedding64(g, embeddings),
    points,
    positive: labelIs(g, labels, 1, 'int64'),
    negative: labelIs(g, labels, 0, 'int64'),
    taus: TAUS_3,
  });
  g.op('Reshape', [logits, g.i64([1, 1, 3, 256, 256])], {}, 'pred_masks');
  scoresOutput(g, SCORES_3, agreement, [1, 1, 3], 'iou_scores');
  g.output('iou_scores', 'float', [1, 1, 3]);
  g.output('pred_masks', 'float', [1, 1, 3, 256, 256]);
  return g.serialize('Analytic sam-hf prompt encoder + mask decoder; see models/analytic/sam-hf.ts');
}

export function buildSamHf(): { encoder: Uint8Array; decoder: Uint8Array } {
  return { encoder: buildSamHfEncoder(), decoder: buildSamHfDecoder() };
}
