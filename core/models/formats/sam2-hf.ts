import { IMAGENET_UNIT, pixelValues } from '../preprocess.js';
import { argmax, floatData, splitMaps, tensorF32, tensorLike, inputType } from '../runtime.js';
import type { FormatDriver } from './driver.js';
import { frameBox, hfPoints } from './driver.js';

/**
 * transformers.js layout of SAM 2 / 2.1 (onnx-community/sam2*-ONNX): square 1024 resize,
 * three image embeddings, points [1,1,N,2], labels int64, optional `input_boxes` [1,nb,4].
 * No mask input. `object_score_logits` says whether there is an object at all.
 */
export const sam2Hf: FormatDriver = {
  format: 'sam2-hf',
  resize: 'square',
  encoder: { inputs: ['pixel_values'], outputs: ['image_embeddings.0', 'image_embeddings.1', 'image_embeddings.2'] },
  decoder: {
    inputs: ['image_embeddings.0', 'image_embeddings.1', 'image_embeddings.2', 'input_points', 'input_labels'],
    outputs: ['iou_scores', 'pred_masks'],
  },
  supports: (decoder) => ({ box: decoder.inputNames.includes('input_boxes'), maskInput: false }),
  encodeFeeds(ort, _encoder, resized, t) {
    return { pixel_values: tensorF32(ort, pixelValues(resized, t, IMAGENET_UNIT), [1, 3, t.frame, t.frame]) };
  },
  decodeFeeds(ort, decoder, emb, prompt, t) {
    const { coords, labels, nativeBox, clipBox, fallbacks } = hfPoints(decoder, prompt, t);
    const n = labels.length;
    const feeds: Record<string, import('../types.js').OrtTensor> = {
      'image_embeddings.0': emb['image_embeddings.0']!,
      'image_embeddings.1': emb['image_embeddings.1']!,
      'image_embeddings.2': emb['image_embeddings.2']!,
      input_points: tensorF32(ort, coords, [1, 1, n, 2]),
      input_labels: tensorLike(ort, inputType(decoder, 'input_labels') ?? 'int64', labels, [1, 1, n]),
    };
    if (nativeBox) {
      feeds.input_boxes = prompt.box ? tensorF32(ort, frameBox(prompt.box, t), [1, 1, 4]) : tensorF32(ort, [], [1, 0, 4]);
    }
    const fetch = ['iou_scores', 'pred_masks'];
    if (decoder.outputNames.includes('object_score_logits')) fetch.push('object_score_logits');
    return { feeds, fetch, clipBox, fallbacks };
  },
  async read(out) {
    const scores = Array.from(await floatData(out.iou_scores!));
    const logits = await floatData(out.pred_masks!);
    splitMaps(logits, scores.length);
    const obj = out.object_score_logits ? (await floatData(out.object_score_logits))[0] : undefined;
    return { logits, count: scores.length, scores, objectScore: obj };
  },
  select: (scores) => argmax(scores),
};
