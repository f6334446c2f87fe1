/**
 * Analytic `sam2` model (samexporter layout of SAM 2 / 2.1).
 *
 * Files: `encoder.onnx`, `decoder.onnx`.
 *
 * encoder: `image` f32 [1,3,1024,1024] (square resize, /255, ImageNet mean/std, by the caller)
 *   → `high_res_feats_0` [1,32,256,256]: channels 0..2 = AveragePool4(image), rest 0;
 *   → `high_res_feats_1` [1,64,128,128] and `image_embed` [1,256,64,64]: zeros.
 *
 * decoder: `image_embed`, `high_res_feats_0`, `high_res_feats_1` (only high_res_feats_0 is
 *   read), `point_coords` f32 [1,N,2] (x/W·1024, y/H·1024), `point_labels` f32 [1,N]
 *   (1 positive, 0 negative, 2 box top-left, 3 box bottom-right, −1 pad; anything else
 *   ignored; at most one box), `mask_input` [1,1,256,256], `has_mask_input` [1]
 *   → `masks` [1,3,256,256] logits, candidates τ = [0.25, 0.5, 1.0];
 *   → `iou_predictions` [1,3] = [0.6, 0.9, 0.7] · agreement (common.ts; best = index 1, τ = 0.5).
 *
 * Logit of candidate k at low-res cell p (see common.ts for the full rule):
 *   pos = τ_k − min_{positive n} d_n(p); with has_mask_input > 0.5, pos = max(pos, mask_input);
 *   logit = min(pos, min_{negative n} d_n(p) − τ_k); with a box (labels 2 and 3) its centre is
 *   one more positive point and logit = min(logit, inside(p)), inside = signed distance in
 *   low-res cells from the cell centre to the nearest box edge. Clipped ±20.
 */
import { GraphBuilder } from './graph.js';
import { boxFromCornerLabels, colourMap, flattenPoints, labelIs, padChannels, promptLogits, scoresOutput, SCORES_3, TAUS_3, zeros } from './common.js';

export const SAM2_FILES = {
  encoder: 'encoder.onnx',
  decoder: 'decoder.onnx',
} as const;

export function buildSam2Encoder(): Uint8Array {
  const g = new GraphBuilder('analytic_sam2_encoder');
  const image = g.input('image', 'float', [1, 3, 1024, 1024]);
  padChannels(g, colourMap(g, image), 3, 32, 'high_res_feats_0');
  zeros(g, [1, 64, 128, 128], 'high_res_feats_1');
  zeros(g, [1, 256, 64, 64], 'image_embed');
  g.output('high_res_feats_0', 'float', [1, 32, 256, 256]);
  g.output('high_res_feats_1', 'float', [1, 64, 128, 128]);
  g.output('image_embed', 'float', [1, 256, 64, 64]);
  return g.serialize('Analytic sam2 encoder (colour map); see models/analytic/sam2.ts');
}

export function buildSam2Decoder(): Uint8Array {
  const g = new GraphBuilder('analytic_sam2_decoder');
  g.input('image_embed', 'float', [1, 256, 64, 64]);
  const features = g.input('high_res_feats_0', 'float', [1, 32, 256, 256]);
  g.input('high_res_feats_1', 'float', [1, 64, 128, 128]);
  const rawPoints = g.input('point_coords', 'float', [1, 'num_points', 2]);
  const rawLabels = g.input('point_labels', 'float', [1, 'num_points']);
  const maskInput = g.input('mask_input', 'float', [1, 1, 256, 256]);
  const hasMask = g.input('has_mask_input', 'float', [1]);

  const { points, labels } = flattenPoints(g, rawPoints, rawLabels, 'float');
  const { logits, agreement } = promptLogits(g, {
    colour: g.slice(features, [0], [3], [1]),
    points,
    positive: labelIs(g, labels, 1, 'float'),
    negative: labelIs(g, labels, 0, 'float'),
    taus: TAUS_3,
    box: boxFromCornerLabels(g, points, labels),
    mask: { logits: maskInput, present: hasMask },
  });
  g.op('Reshape', [logits, g.i64([1, 3, 256, 256])], {}, 'masks');
  scoresOutput(g, SCORES_3, agreement, [1, 3], 'iou_predictions');
  g.output('masks', 'float', [1, 3, 256, 256]);
  g.output('iou_predictions', 'float', [1, 3]);
  return g.serialize('Analytic sam2 decoder (samexporter layout); see models/analytic/sam2.ts');
}

export function buildSam2(): { encoder: Uint8Array; decoder: Uint8Array } {
  return { encoder: buildSam2Encoder(), decoder: buildSam2Decoder() };
}
