import { IMAGENET_255, hwcValues, pixelValues } from '../preprocess.js';
import { argmax, floatData, splitMaps, tensorF32, inputShape } from '../runtime.js';
import type { FormatDriver } from './driver.js';
import { framePoints } from './driver.js';

/**
 * Meta's official SAM 1 decoder contract (segment_anything/utils/onnx.py; samexporter;
 * MobileSAM). Encoders come in two kinds: samexporter's `input_image` (H×W×3, 0-255,
 * resized; normalise and pad inside the graph) or a plain [1,3,1024,1024] input that we
 * normalise and pad ourselves.
 */
export const sam1: FormatDriver = {
  format: 'sam1',
  resize: 'longest',
  encoder: { inputs: [], outputs: ['image_embeddings'] },
  decoder: {
    inputs: ['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input', 'orig_im_size'],
    outputs: ['iou_predictions', 'low_res_masks'],
  },
  supports: () => ({ box: true, maskInput: true }),
  encodeFeeds(ort, encoder, resized, t) {
    const name = encoder.inputNames[0]!;
    const shape = inputShape(encoder, name);
    if (name === 'input_image' || (shape && shape.length === 3)) {
      return { [name]: tensorF32(ort, hwcValues(resized), [resized.height, resized.width, 3]) };
    }
    return { [name]: tensorF32(ort, pixelValues(resized, t, IMAGENET_255), [1, 3, t.frame, t.frame]) };
  },
  decodeFeeds(ort, _decoder, emb, prompt, t) {
    const { coords, labels } = framePoints(prompt, t, 'corners');
    if (!prompt.box) {
      // The official contract: without a box, one padding point (0,0) labelled -1.
      coords.push(0, 0);
      labels.push(-1);
    }
    const n = labels.length;
    const hasMask = prompt.previous ? 1 : 0;
    const feeds = {
      image_embeddings: emb.image_embeddings!,
      point_coords: tensorF32(ort, coords, [1, n, 2]),
      point_labels: tensorF32(ort, labels, [1, n]),
      mask_input: tensorF32(ort, prompt.previous ? prompt.previous.data : new Float32Array(256 * 256), [1, 1, 256, 256]),
      has_mask_input: tensorF32(ort, [hasMask], [1]),
      // Only sizes the graph's own full-size `masks` output, which we do not fetch: we
      // upsample the chosen low-res candidate ourselves. The resized frame keeps it small.
      orig_im_size: tensorF32(ort, [t.resized.height, t.resized.width], [2]),
    };
    return { feeds, fetch: ['iou_predictions', 'low_res_masks'], fallbacks: [] };
  },
  async read(out) {
    const scores = Array.from(await floatData(out.iou_predictions!));
    const logits = await floatData(out.low_res_masks!);
    splitMaps(logits, scores.length);
    return { logits, count: scores.length, scores };
  },
  /**
   * The official rule: with one click or a box alone (≤ 2 prompt points), the single-mask
   * token 0 is unreliable (ambiguity), so take the best of the multimask tokens 1-3; with
   * more points take token 0.
   */
  select(scores, prompt) {
    if (scores.length < 4) return argmax(scores);
    const points = prompt.points.length + (prompt.box ? 2 : 0);
    return points <= 2 ? argmax(scores, 1, 4) : 0;
  },
};
