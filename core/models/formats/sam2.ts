import { IMAGENET_UNIT, pixelValues } from '../preprocess.js';
import { argmax, floatData, splitMaps, tensorF32, tensorLike, inputType } from '../runtime.js';
import type { OrtTensor } from '../types.js';
import type { FormatDriver } from './driver.js';
import { framePoints } from './driver.js';

/**
 * SAM 2 / 2.1 in samexporter's layout: square resize, encoder → image_embed +
 * high_res_feats_0/1; decoder with mask input, boxes as corner points labelled 2/3, the
 * padding point added inside the graph, low-res masks out (we upsample and threshold).
 */
export const sam2: FormatDriver = {
  format: 'sam2',
  resize: 'square',
  encoder: { inputs: ['image'], outputs: ['high_res_feats_0', 'high_res_feats_1', 'image_embed'] },
  decoder: {
    inputs: ['image_embed', 'high_res_feats_0', 'high_res_feats_1', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input'],
    outputs: ['masks', 'iou_predictions'],
  },
  supports: () => ({ box: true, maskInput: true }),
  encodeFeeds(ort, _encoder, resized, t) {
    return { image: tensorF32(ort, pixelValues(resized, t, IMAGENET_UNIT), [1, 3, t.frame, t.frame]) };
  },
  decodeFeeds(ort, decoder, emb, prompt, t) {
    const { coords, labels } = framePoints(prompt, t, 'corners');
    const n = labels.length;
    const feeds: Record<string, OrtTensor> = {
      image_embed: emb.image_embed!,
      high_res_feats_0: emb.high_res_feats_0!,
      high_res_feats_1: emb.high_res_feats_1!,
      point_coords: tensorF32(ort, coords, [1, n, 2]),
      point_labels: tensorLike(ort, inputType(decoder, 'point_labels'), labels, [1, n]),
      mask_input: tensorF32(ort, prompt.previous ? prompt.previous.data : new Float32Array(256 * 256), [1, 1, 256, 256]),
      has_mask_input: tensorF32(ort, [prompt.previous ? 1 : 0], [1]),
    };
    // Some exports also take the original size (their `masks` are then full size).
    if (decoder.inputNames.includes('orig_im_size')) {
      feeds.orig_im_size = tensorLike(ort, inputType(decoder, 'orig_im_size'), [t.lowRes, t.lowRes], [2]);
    }
    return { feeds, fetch: ['masks', 'iou_predictions'], fallbacks: [] };
  },
  async read(out) {
    const scores = Array.from(await floatData(out.iou_predictions!));
    const logits = await floatData(out.masks!);
    splitMaps(logits, scores.length);
    return { logits, count: scores.length, scores };
  },
  select: (scores) => argmax(scores),
};
