import { IMAGENET_UNIT, pixelValues } from '../preprocess.js';
import { argmax, floatData, splitMaps, tensorF32, tensorLike, inputType } from '../runtime.js';
import type { FormatDriver } from './driver.js';
import { frameBox, hfPoints } from './driver.js';

/**
 * transformers.js layout (Xenova/slimsam-*, Xenova/sam-vit-*): vision_encoder +
 * prompt_encoder_mask_decoder. Points [1,1,N,2] in the frame, labels int64 [1,1,N].
 * No mask input; boxes only on exports that have `input_boxes` (else the box fallback).
 */
export const samHf: FormatDriver = {
  format: 'sam-hf',
  resize: 'longest',
  encoder: { inputs: ['pixel_values'], outputs: ['image_embeddings', 'image_positional_embeddings'] },
  decoder: {
    inputs: ['image_embeddings', 'image_positional_embeddings', 'input_points', 'input_labels'],
    outputs: ['iou_scores', 'pred_masks'],
  },
  supports: (decoder) => ({ box: decoder.inputNames.includes('input_boxes'), maskInput: false }),
  encodeFeeds(ort, _encoder, resized, t) {
    return { pixel_values: tensorF32(ort, pixelValues(resized, t, IMAGENET_UNIT), [1, 3, t.frame, t.frame]) };
  },
  decodeFeeds(ort, decoder, emb, prompt, t) {
    const { coords, labels, nativeBox, clipBox, fallbacks } = hfPoints(decoder, prompt, t);
    const n = labels.length;
    const feeds = {
      image_embeddings: emb.image_embeddings!,
      image_positional_embeddings: emb.image_positional_embeddings!,
      input_points: tensorF32(ort, coords, [1, 1, n, 2]),
      input_labels: tensorLike(ort, inputType(decoder, 'input_labels') ?? 'int64', labels, [1, 1, n]),
      ...(nativeBox && prompt.box ? { input_boxes: tensorF32(ort, frameBox(prompt.box, t), [1, 1, 4]) } : {}),
    };
    return { feeds, fetch: ['iou_scores', 'pred_masks'], clipBox, fallbacks };
  },
  async read(out) {
    const scores = Array.from(await floatData(out.iou_scores!));
    const logits = await floatData(out.pred_masks!);
    splitMaps(logits, scores.length);
    return { logits, count: scores.length, scores };
  },
  select: (scores) => argmax(scores),
};
