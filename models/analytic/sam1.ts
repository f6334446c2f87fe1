/**
 * Analytic `sam1` model: Meta's official ONNX decoder contract (segment_anything/utils/onnx.py)
 * with a samexporter `--use-preprocess` encoder.
 *
 * Files: `encoder.onnx`, `decoder.onnx`.
 *
 * encoder: `input_image` f32 [H,W,3], 0..255 RGB, already resized so the long side is 1024
 *   (H, W ≤ 1024, dynamic). Inside the graph, exactly as samexporter: (x − mean) / std with
 *   mean [123.675, 116.28, 103.53], std [58.395, 57.12, 57.375], HWC → CHW, zero-pad
 *   bottom/right to 1024×1024, add the batch axis. Then
 *   → `image_embeddings` [1,256,64,64] = SpaceToDepth(AveragePool4(x), 4) in channels 0..47.
 *
 * decoder (all inputs f32): `image_embeddings` [1,256,64,64], `point_coords` [1,N,2] (resized
 *   frame = the 1024 frame), `point_labels` [1,N] (1 positive, 0 negative, 2 box top-left,
 *   3 box bottom-right, −1 pad; anything else ignored; at most one box), `mask_input`
 *   [1,1,256,256], `has_mask_input` [1], `orig_im_size` [2] (H, W)
 *   → `low_res_masks` [1,4,256,256] logits, candidates τ = [0.5, 0.25, 0.5, 1.0];
 *   → `iou_predictions` [1,4] = [0.8, 0.6, 0.9, 0.7] · agreement (common.ts; token 0 = 0.8; best of 1..3 is
 *     index 2, τ = 0.5);
 *   → `masks` [1,4,H,W]: low_res_masks upsampled the official way: Resize linear half_pixel
 *     (= F.interpolate bilinear, align_corners=False) to 1024², crop to the resized size
 *     h' = floor(H·1024/max(H,W) + 0.5) (likewise w'), Resize linear half_pixel to (H, W).
 *
 * Logit of candidate k at low-res cell p (see common.ts for the full rule):
 *   pos = τ_k − min_{positive n} d_n(p); with has_mask_input > 0.5, pos = max(pos, mask_input);
 *   logit = min(pos, min_{negative n} d_n(p) − τ_k); with a box (labels 2 and 3) its centre is
 *   one more positive point and logit = min(logit, inside(p)), inside = signed distance in
 *   low-res cells from the cell centre to the nearest box edge. Clipped ±20.
 */
import { GraphBuilder } from './graph.js';
import {
  boxFromCornerLabels,
  colourMap,
  FRAME,
  flattenPoints,
  labelIs,
  packEmbedding64,
  promptLogits, scoresOutput,
  SAM1_MEAN,
  SAM1_STD,
  SCORES_SAM1,
  TAUS_SAM1,
  unpackEmbedding64,
} from './common.js';

export const SAM1_FILES = {
  encoder: 'encoder.onnx',
  decoder: 'decoder.onnx',
} as const;

export function buildSam1Encoder(): Uint8Array {
  const g = new GraphBuilder('analytic_sam1_encoder');
  const image = g.input('input_image', 'float', ['image_height', 'image_width', 3]);
  const normalised = g.div(g.sub(image, g.f32(SAM1_MEAN, [3])), g.f32(SAM1_STD, [3]));
  const chw = g.transpose(normalised, [2, 0, 1]);
  const hw = g.slice(g.op('Shape', [image]), [0], [2], [0]);
  const padHW = g.sub(g.i64([FRAME, FRAME]), hw);
  const pads = g.op('Concat', [g.i64([0, 0, 0, 0]), padHW], { axis: 0 }); // [c0,h0,w0,c1,h1,w1]
  const padded = g.op('Pad', [chw, pads, g.f32(0)], { mode: 'constant' });
  const batch = g.op('Unsqueeze', [padded, g.i64([0])]);
  packEmbedding64(g, colourMap(g, batch), 'image_embeddings');
  g.output('image_embeddings', 'float', [1, 256, 64, 64]);
  return g.serialize('Analytic sam1 encoder (samexporter preprocessing + colour map); see models/analytic/sam1.ts');
}

export function buildSam1Decoder(): Uint8Array {
  const g = new GraphBuilder('analytic_sam1_decoder');
  const embeddings = g.input('image_embeddings', 'float', [1, 256, 64, 64]);
  const rawPoints = g.input('point_coords', 'float', [1, 'num_points', 2]);
  const rawLabels = g.input('point_labels', 'float', [1, 'num_points']);
  const maskInput = g.input('mask_input', 'float', [1, 1, 256, 256]);
  const hasMask = g.input('has_mask_input', 'float', [1]);
  const origSize = g.input('orig_im_size', 'float', [2]);

  const { points, labels } = flattenPoints(g, rawPoints, rawLabels, 'float');
  const { logits, agreement } = promptLogits(g, {
    colour: unpackEmbedding64(g, embeddings),
    points,
    positive: labelIs(g, labels, 1, 'float'),
    negative: labelIs(g, labels, 0, 'float'),
    taus: TAUS_SAM1,
    box: boxFromCornerLabels(g, points, labels),
    mask: { logits: maskInput, present: hasMask },
  });
  const lowRes = g.op('Reshape', [logits, g.i64([1, 4, 256, 256])], {}, 'low_res_masks');
  scoresOutput(g, SCORES_SAM1, agreement, [1, 4], 'iou_predictions');

  // Official postprocessing (Meta's SamOnnxModel.mask_postprocessing).
  const resize = { mode: 'linear', coordinate_transformation_mode: 'half_pixel' };
  const full = g.op('Resize', [lowRes, '', '', g.i64([1, 4, FRAME, FRAME])], resize);
  const scale = g.div(g.f32(FRAME), g.reduce('ReduceMax', origSize, [0], 1));
  const prepadded = g.op('Cast', [g.op('Floor', [g.add(g.mul(origSize, scale), g.f32(0.5))])], { to: 7 });
  const cropped = g.op('Slice', [full, g.i64([0, 0]), prepadded, g.i64([2, 3])]);
  const sizes = g.op('Concat', [g.i64([1, 4]), g.op('Cast', [origSize], { to: 7 })], { axis: 0 });
  g.op('Resize', [cropped, '', '', sizes], resize, 'masks');

  g.output('masks', 'float', [1, 4, 'orig_height', 'orig_width']);
  g.output('iou_predictions', 'float', [1, 4]);
  g.output('low_res_masks', 'float', [1, 4, 256, 256]);
  return g.serialize('Analytic sam1 decoder (official contract); see models/analytic/sam1.ts');
}

export function buildSam1(): { encoder: Uint8Array; decoder: Uint8Array } {
  return { encoder: buildSam1Encoder(), decoder: buildSam1Decoder() };
}
