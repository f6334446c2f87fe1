/**
 * The prompt half's regrouped attention products (core/models/decoder-rewrite.ts), in real
 * onnxruntime-web on the fixture decoders: the engine with the rewrite must answer what the
 * unmodified decoder answers on every cases.json prompt; a graph with nothing to rewrite
 * loads unchanged and says why; a wrong rewrite is caught by the check at load.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ort } from '../helpers/ort.js';
import { readF16 } from '../helpers/raw.js';
import { fixtureDir, requireFixture } from '../fixtures.js';
import { analyticModelFiles } from '../../models/analytic/index.js';
import { GraphBuilder } from '../../models/analytic/graph.js';
import { attentionOutput, rewriteDecoder, type Rule } from '../../core/models/decoder-rewrite.js';
import { prepareDecoder } from '../../core/models/split-decoder.js';
import { DRIVERS } from '../../core/models/detect.js';
import { loadSamModel } from '../../core/models/sam-model.js';
import { frameTransform } from '../../core/prompts/frames.js';
import type { ImageEmbedding, OrtTensor, SegmentModel } from '../../core/models/types.js';
import type { Prompt } from '../../core/prompts/types.js';
import { probeNoise } from '../../core/models/probe-noise.js';

type Model = SegmentModel & { optimisations: string[] };

/** Largest difference relative to the reference's largest magnitude. */
function relDiff(want: ArrayLike<number>, got: ArrayLike<number>): number {
  let range = 1e-12;
  let diff = 0;
  for (let i = 0; i < want.length; i++) {
    range = Math.max(range, Math.abs(want[i]!));
    diff = Math.max(diff, Math.abs(want[i]! - got[i]!));
  }
  return diff / range;
}

interface Case {
  image: string;
  width: number;
  height: number;
  image_embeddings_f16?: string | string[];
  prompts: Array<{ points: number[][]; labels: number[] }>;
}

const promptOf = (p: Case['prompts'][number]): Prompt => ({ points: p.points.map(([x, y], i) => ({ x: x!, y: y!, label: p.labels[i] as 0 | 1 })) });

/**
 * The stored embeddings of the first case (SAM: the image embedding, with a made-up
 * positional embedding, which the encoder computes from the grid alone).
 */
function storedTensors(dir: string, c: Case, format: 'sam-hf' | 'sam2-hf'): ImageEmbedding['tensors'] {
  if (format === 'sam-hf') {
    return {
      image_embeddings: new ort.Tensor('float32', readF16(join(dir, c.image_embeddings_f16 as string)), [1, 256, 64, 64]),
      image_positional_embeddings: new ort.Tensor('float32', probeNoise(256 * 4096, 5, 1), [1, 256, 64, 64]),
    };
  }
  const dims = [[1, 32, 256, 256], [1, 64, 128, 128], [1, 256, 64, 64]];
  return Object.fromEntries((c.image_embeddings_f16 as string[]).map((f, i) => [`image_embeddings.${i}`, new ort.Tensor('float32', readF16(join(dir, f)), dims[i]!)]));
}

for (const [name, format] of [
  ['sam-reference', 'sam-hf'],
  ['sam2-reference', 'sam2-hf'],
] as const) {
  describe.skipIf(!requireFixture(name))(`${name}: rewritten prompt half`, () => {
    const dir = fixtureDir(name)!;
    const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')).cases as Case[];
    let rewritten: Model;
    let plain: Model;
    let tensors: ImageEmbedding['tensors'];

    beforeAll(async () => {
      const onnx = join(dir, 'onnx');
      const files = {
        'vision_encoder.onnx': new Uint8Array(readFileSync(join(onnx, 'vision_encoder_quantized.onnx'))),
        'prompt_encoder_mask_decoder.onnx': new Uint8Array(readFileSync(join(onnx, 'prompt_encoder_mask_decoder.onnx'))),
      };
      rewritten = (await loadSamModel(ort, files, { id: name })) as Model;
      plain = (await loadSamModel(ort, files, { id: name, precompute: false })) as Model;
      tensors = storedTensors(dir, cases.find((c) => c.image_embeddings_f16)!, format);
    }, 600_000);
    afterAll(async () => {
      await Promise.all([rewritten?.dispose(), plain?.dispose()]);
    });

    it('regroups every attention between image and prompt tokens, checked at load', () => {
      const note = rewritten.optimisations.find((o) => o.startsWith('rewrite:'));
      expect(note).toMatch(/^rewrite: 2 attention outputs as A\(V·Wo\), 2 image-token keys as \(q·Wkᵀ\)·Xᵀ, 2 image-token values as \(A·X\)·Wv, 1 image-token queries as X·\(Wq·kᵀ\)/);
      // SAM 2 adds the high-resolution features between the upscaling steps: that head stays as it is.
      if (format === 'sam-hf') expect(note).toMatch(/, 1 mask upscaling with the channels last \(ConvTranspose as MatMul\);/);
      else expect(note).not.toMatch(/upscaling/);
      expect(Number(/max relative difference (\S+),/.exec(note!)![1])).toBeLessThanOrEqual(1e-5);
    });

    for (const c of cases) {
      c.prompts.forEach((p, pi) => {
        it(`${c.image} prompt ${pi}: the same logits and scores as the unmodified decoder`, async () => {
          const emb: ImageEmbedding = { modelId: name, format, transform: frameTransform(DRIVERS[format].resize, { width: c.width, height: c.height }), tensors, bytes: 0, encodeMs: 0 };
          const want = await plain.decode(emb, promptOf(p));
          const got = await rewritten.decode(emb, promptOf(p));
          expect(relDiff(want.scores, got.scores)).toBeLessThanOrEqual(1e-5);
          want.lowRes.forEach((m, k) => expect(relDiff(m, got.lowRes[k]!), `candidate ${k}`).toBeLessThanOrEqual(1e-5));
          expect(got.selected).toBe(want.selected);
        }, 120_000);
      });
    }

    it('a box with ten points (more prompt tokens than a head has channels) is still exact', async () => {
      const emb: ImageEmbedding = { modelId: name, format, transform: frameTransform(DRIVERS[format].resize, { width: 640, height: 480 }), tensors, bytes: 0, encodeMs: 0 };
      const p: Prompt = {
        points: Array.from({ length: 10 }, (_, i) => ({ x: 30 + 55 * i, y: 40 + 37 * i, label: (i % 3 ? 1 : 0) as 0 | 1 })),
        box: { x0: 50, y0: 60, x1: 500, y1: 400 },
      };
      const want = await plain.decode(emb, p);
      const got = await rewritten.decode(emb, p);
      want.lowRes.forEach((m, k) => expect(relDiff(m, got.lowRes[k]!), `candidate ${k}`).toBeLessThanOrEqual(1e-5));
    }, 120_000);
  });
}

describe('graphs the rewrite must leave alone', () => {
  it('the rules find nothing on the analytic decoders', () => {
    for (const format of ['sam-hf', 'sam1', 'sam2-hf', 'sam2'] as const) {
      const files = analyticModelFiles()[format];
      const name = Object.keys(files).find((f) => /decoder/.test(f))!;
      expect(rewriteDecoder(files[name]!), format).toBe('no attention between image and prompt tokens and no mask upscaling to rewrite');
    }
  });

  it('an analytic decoder (no attention) loads unchanged and says why', async () => {
    const files = analyticModelFiles()['sam-hf'];
    const on = (await loadSamModel(ort, files, { id: 'a' })) as Model;
    const off = (await loadSamModel(ort, files, { id: 'a', rewrite: false })) as Model;
    expect(on.optimisations[0]).toMatch(/^precompute: \d+ image-only nodes/);
    expect(on.optimisations[1]).toBe('rewrite: none, prompt half unchanged (no attention between image and prompt tokens and no mask upscaling to rewrite)');
    expect(off.optimisations.some((o) => o.startsWith('rewrite:'))).toBe(false);
    const image = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 4).fill(120) };
    const emb = await on.encode(image);
    const p: Prompt = { points: [{ x: 20, y: 30, label: 1 }] };
    const [a, b] = [await on.decode(emb, p), await off.decode(emb, p)];
    expect(a.scores).toEqual(b.scores);
    a.lowRes.forEach((m, k) => expect(m).toEqual(b.lowRes[k]));
    await Promise.all([on.dispose(), off.dispose()]);
  });

  it('says why for unreadable bytes and for an attention whose shapes do not fit', () => {
    expect(rewriteDecoder(new Uint8Array([1, 2, 3]))).toMatch(/^not a readable ONNX model/);
    // An attention over 8 keys (no big side): nothing to gain, left alone.
    const g = new GraphBuilder('small-attention');
    g.input('a', 'float', [1, 8, 8, 8]);
    g.input('v', 'float', [1, 8, 8, 16]);
    g.op('MatMul', ['a', 'v'], {}, 'av');
    g.op('Transpose', ['av'], { perm: [0, 2, 1, 3] }, 't');
    g.op('Reshape', ['t', g.i64([1, 1, 8, 128])], {}, 'r');
    g.op('MatMul', ['r', g.constant('float', [128, 32], probeNoise(128 * 32, 3, 0.1))], {}, 'out');
    g.output('out', 'float', [1, 1, 8, 32]);
    expect(rewriteDecoder(g.serialize())).toBe('no attention between image and prompt tokens and no mask upscaling to rewrite');
  });
});

describe.skipIf(!requireFixture('sam-reference'))('a wrong rewrite is caught at load', () => {
  /** The attention-output rule with a plausible bug: the heads' weights not moved next to each other. */
  const forgetsTranspose: Rule = (ctx) =>
    attentionOutput(ctx).map((r) => ({
      ...r,
      nodes: r.nodes.map((n) => ('opType' in n && n.opType === 'Transpose' ? { ...n, attributes: { perm: { ints: [0, 1, 2, 3] } } } : n)),
    }));

  it('falls back to the prompt half as split, says why, and answers as the unmodified decoder', async () => {
    const onnx = join(fixtureDir('sam-reference')!, 'onnx');
    const bytes = new Uint8Array(readFileSync(join(onnx, 'prompt_encoder_mask_decoder.onnx')));
    const encoder = await ort.InferenceSession.create(new Uint8Array(readFileSync(join(onnx, 'vision_encoder_quantized.onnx'))));
    const args = { driver: DRIVERS['sam-hf'], name: 'decoder', source: bytes, encoder, precompute: true };
    const wrong = await prepareDecoder(ort, { ...args, full: await ort.InferenceSession.create(bytes), rewrite: (g) => rewriteDecoder(g, [forgetsTranspose]) });
    expect(wrong.optimisations[0]).toMatch(/^precompute: \d+ image-only nodes/);
    expect(wrong.optimisations[1]).toMatch(/^rewrite: refused, prompt half unchanged \(its outputs differ from the full decoder's by \S+ \(relative\), more than 0\.00001\)$/);
    const right = await prepareDecoder(ort, { ...args, full: await ort.InferenceSession.create(bytes), rewrite: false });
    // The session kept is the prompt half as split: the same answers, bit for bit.
    const split = right.split!;
    const emb: Record<string, OrtTensor> = {
      image_embeddings: new ort.Tensor('float32', probeNoise(256 * 4096, 8, 1), [1, 256, 64, 64]),
      image_positional_embeddings: new ort.Tensor('float32', probeNoise(256 * 4096, 9, 1), [1, 256, 64, 64]),
    };
    const t = frameTransform('longest', { width: 640, height: 480 });
    const { feeds, fetch } = DRIVERS['sam-hf'].decodeFeeds(ort, right.decoder, emb, { points: [{ x: 100, y: 200, label: 1 }] }, t);
    const a = await wrong.decoder.run(await wrong.split!.promptFeeds(feeds, emb), fetch);
    const b = await right.decoder.run(await split.promptFeeds(feeds, emb), fetch);
    for (const k of fetch) expect(a[k]!.data).toEqual(b[k]!.data);
    await Promise.all([wrong.decoder.release(), right.decoder.release(), wrong.split?.release(), split.release(), encoder.release()]);
  }, 600_000);
});
