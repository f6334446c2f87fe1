/**
 * Parity with transformers' reference SAM / SAM 2 processors and decoders, on the shared
 * fixtures (real graphs, random weights): preprocessing, decoder logits from the stored
 * embeddings, and the reference post-processing (upsample + threshold) of stored logits.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ort } from '../helpers/ort.js';
import { readF16, readF32, stats, maxAbsDiff } from '../helpers/raw.js';
import { fixtureDir, requireFixture } from '../fixtures.js';
import { decodePng } from '../../core/image/png.js';
import { loadSamModel } from '../../core/models/sam-model.js';
import { frameTransform } from '../../core/prompts/frames.js';
import { upsampleToMask } from '../../core/masks/upsample.js';
import { maskIoU } from '../../core/masks/measure.js';
import type { ImageEmbedding, SegmentModel } from '../../core/models/types.js';
import type { GrayImage } from '../../core/image/types.js';

interface RefPrompt {
  points: number[][];
  labels: number[];
  iou_scores: number[];
  low_res_logits: string;
  masks: string[];
}
interface RefCase {
  image: string;
  width: number;
  height: number;
  image_embeddings_f16?: string | string[];
  prompts: RefPrompt[];
}

function loadCases(dir: string): RefCase[] {
  return JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')).cases as RefCase[];
}

function refMask(dir: string, file: string): GrayImage {
  const img = decodePng(new Uint8Array(readFileSync(join(dir, file))));
  const data = new Uint8Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i * 4]! > 127 ? 255 : 0;
  return { width: img.width, height: img.height, data };
}

const promptOf = (p: RefPrompt) => ({
  points: p.points.map(([x, y], i) => ({ x: x!, y: y!, label: p.labels[i] as 0 | 1 })),
});

for (const [name, mode] of [
  ['sam-reference', 'longest'],
  ['sam2-reference', 'square'],
] as const) {
  describe.skipIf(!requireFixture(name))(`${name}: post-processing of the reference logits`, () => {
    const dir = fixtureDir(name)!;
    for (const c of loadCases(dir)) {
      c.prompts.forEach((p, pi) => {
        it(`${c.image} prompt ${pi}: upsample + threshold reproduces the reference masks`, () => {
          const t = frameTransform(mode, { width: c.width, height: c.height });
          const low = readF32(join(dir, p.low_res_logits));
          p.masks.forEach((m, k) => {
            const ours = upsampleToMask(low.subarray(k * 65536, (k + 1) * 65536), t);
            const iou = maskIoU(ours, refMask(dir, m));
            expect(iou, `candidate ${k}`).toBeGreaterThanOrEqual(0.995);
          });
        });
      });
    }
  });
}

describe.skipIf(!requireFixture('sam-reference'))('sam-reference: decoder from the stored embeddings', () => {
  const dir = fixtureDir('sam-reference')!;
  const cases = loadCases(dir).filter((c) => c.image_embeddings_f16);
  let model: SegmentModel;
  let embedding: ImageEmbedding;

  beforeAll(async () => {
    const onnx = join(dir, 'onnx');
    model = await loadSamModel(ort, {
      'vision_encoder.onnx': new Uint8Array(readFileSync(join(onnx, 'vision_encoder.onnx'))),
      'prompt_encoder_mask_decoder.onnx': new Uint8Array(readFileSync(join(onnx, 'prompt_encoder_mask_decoder.onnx'))),
    }, { id: 'sam-reference' });
    // One real encoder run: gives the (image-independent) positional embeddings and lets
    // us check the encoder against the stored reference embeddings.
    const c = cases[0]!;
    const image = decodePng(new Uint8Array(readFileSync(join(dir, c.image))));
    embedding = await model.encode(image);
  }, 600_000);

  it('the fp32 encoder in onnxruntime-web reproduces the reference embeddings', async () => {
    const c = cases[0]!;
    const ref = readF16(join(dir, c.image_embeddings_f16 as string));
    const ours = embedding.tensors.image_embeddings!.data as Float32Array;
    const { std } = stats(ref);
    // float16 storage alone accounts for ~1e-3 of the spread.
    expect(maxAbsDiff(ours, ref) / std).toBeLessThan(2e-2);
  });

  for (const c of cases) {
    c.prompts.forEach((p, pi) => {
      it(`${c.image} prompt ${pi}: logits and scores match`, async () => {
        const ref = readF16(join(dir, c.image_embeddings_f16 as string));
        const emb: ImageEmbedding = {
          ...embedding,
          transform: frameTransform('longest', { width: c.width, height: c.height }),
          tensors: {
            image_embeddings: new ort.Tensor('float32', ref, [1, 256, 64, 64]),
            image_positional_embeddings: embedding.tensors.image_positional_embeddings!,
          },
        };
        const r = await model.decode(emb, promptOf(p));
        const refLow = readF32(join(dir, p.low_res_logits));
        const ours = new Float32Array(3 * 65536);
        r.lowRes.forEach((m, k) => ours.set(m, k * 65536));
        expect(maxAbsDiff(ours, refLow) / stats(refLow).std).toBeLessThanOrEqual(1e-2);
        r.scores.forEach((s, k) => expect(Math.abs(s - p.iou_scores[k]!)).toBeLessThanOrEqual(1e-4));
      });
    });
  }
});

describe.skipIf(!requireFixture('sam2-reference'))('sam2-reference: decoder from the stored embeddings', () => {
  const dir = fixtureDir('sam2-reference')!;
  const cases = loadCases(dir).filter((c) => c.image_embeddings_f16);
  let decoderOnly: { run: (emb: ImageEmbedding, p: RefPrompt) => ReturnType<SegmentModel['decode']> };

  beforeAll(async () => {
    const onnx = join(dir, 'onnx');
    const model = await loadSamModel(ort, {
      'vision_encoder.onnx': new Uint8Array(readFileSync(join(onnx, 'vision_encoder_quantized.onnx'))),
      'prompt_encoder_mask_decoder.onnx': new Uint8Array(readFileSync(join(onnx, 'prompt_encoder_mask_decoder.onnx'))),
    }, { id: 'sam2-reference' });
    expect(model.format).toBe('sam2-hf');
    decoderOnly = { run: (emb, p) => model.decode(emb, promptOf(p)) };
  }, 600_000);

  for (const c of cases) {
    c.prompts.forEach((p, pi) => {
      it(`${c.image} prompt ${pi}: logits, scores and full-size masks match`, async () => {
        const files = c.image_embeddings_f16 as string[];
        const dims = [[1, 32, 256, 256], [1, 64, 128, 128], [1, 256, 64, 64]];
        const t = frameTransform('square', { width: c.width, height: c.height });
        const tensors: ImageEmbedding['tensors'] = {};
        files.forEach((f, i) => (tensors[`image_embeddings.${i}`] = new ort.Tensor('float32', readF16(join(dir, f)), dims[i]!)));
        const emb: ImageEmbedding = { modelId: 'sam2-reference', format: 'sam2-hf', transform: t, tensors, bytes: 0, encodeMs: 0 };
        const r = await decoderOnly.run(emb, p);
        const refLow = readF32(join(dir, p.low_res_logits));
        const ours = new Float32Array(3 * 65536);
        r.lowRes.forEach((m, k) => ours.set(m, k * 65536));
        expect(maxAbsDiff(ours, refLow) / stats(refLow).std).toBeLessThanOrEqual(1e-2);
        r.scores.forEach((s, k) => expect(Math.abs(s - p.iou_scores[k]!)).toBeLessThanOrEqual(1e-4));
        p.masks.forEach((m, k) => {
          const iou = maskIoU(upsampleToMask(r.lowRes[k]!, t), refMask(dir, m));
          expect(iou, `candidate ${k}`).toBeGreaterThanOrEqual(0.99);
        });
      });
    });
  }
});
