/**
 * Lean attention (core/models/onnx/chunk-attention.ts, core/models/lean-encoder.ts): attention
 * blocks cut into pieces compute what the original graph computes, no tensor of the rewritten
 * graph exceeds the budget, graphs that cannot be cut load unchanged and say why, and a wrong
 * rewrite is caught by the load-time check.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ort } from '../helpers/ort.js';
import { fixtureDir, requireFixture } from '../fixtures.js';
import { GraphBuilder } from '../../models/analytic/graph.js';
import { parseModel } from '../../core/models/onnx/model.js';
import { analyseAttention, writeChunked, ELEMENT_BYTES } from '../../core/models/onnx/chunk-attention.js';
import { inferShapes, type Dim } from '../../core/models/onnx/shapes.js';
import { inferElemTypes } from '../../core/models/onnx/types.js';
import { openLeanEncoder, planLeanEncoder, ATTENTION_BUDGET, type LeanEncoderArgs } from '../../core/models/lean-encoder.js';
import { decodePng } from '../../core/image/png.js';
import { loadSamModel } from '../../core/models/sam-model.js';
import type { OrtTensor, SegmentModel } from '../../core/models/types.js';
import { probeNoise } from '../../core/models/probe-noise.js';

/** Largest tensor a graph computes, by inferred shapes with its inputs' sizes fixed (bytes). */
function largestTensor(bytes: Uint8Array, inputShapes: Map<string, Dim[]>): number {
  const m = parseModel(bytes);
  const types = inferElemTypes(m.graph);
  const info = inferShapes(m.graph, m.bytes, { inputShapes, types });
  let largest = 0;
  for (const n of m.graph.nodes) {
    for (const o of n.outputs) {
      const s = info.get(o)?.shape;
      const e = ELEMENT_BYTES[types.get(o) ?? -1];
      if (!s || !e) continue;
      expect(s.every((d) => typeof d === 'number'), `${o} has a known shape`).toBe(true);
      largest = Math.max(largest, (s as number[]).reduce((a, b) => a * b, 1) * e);
    }
  }
  return largest;
}

/** Largest difference of two output sets, relative to each output's spread. */
function relativeDiff(a: Record<string, OrtTensor>, b: Record<string, OrtTensor>, names: readonly string[]): number {
  let worst = 0;
  for (const name of names) {
    const x = a[name]!.data as Float32Array;
    const y = b[name]!.data as Float32Array;
    expect(y.length).toBe(x.length);
    let lo = Infinity;
    let hi = -Infinity;
    let diff = 0;
    for (let i = 0; i < x.length; i++) {
      lo = Math.min(lo, x[i]!);
      hi = Math.max(hi, x[i]!);
      diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    }
    worst = Math.max(worst, diff / (hi - lo));
  }
  return worst;
}

const H = 2;
const G = 8; // token grid G × G
const N = G * G;
const D = 4;

/**
 * SAM's global attention in miniature: scores = Q·Kᵀ + (rel_h ⊕ rel_w) with the decomposed
 * relative-position sum built by Unsqueeze + Add + Reshape, softmax, then ·V. `extra`
 * inserts an op on the scores (to make a block that cannot be cut).
 */
function attentionGraph(extra?: (b: GraphBuilder, scores: string) => string): Uint8Array {
  const b = new GraphBuilder('attention');
  const q = b.input('q', 'float', [1, H, N, D]);
  const kt = b.input('kt', 'float', [1, H, D, N]);
  const v = b.input('v', 'float', [1, H, N, D]);
  const rh = b.input('rel_h', 'float', [H, G, G, G]);
  const rw = b.input('rel_w', 'float', [H, G, G, G]);
  const uh = b.op('Unsqueeze', [rh, b.i64([4])]);
  const uw = b.op('Unsqueeze', [rw, b.i64([3])]);
  const bias = b.reshape(b.add(uh, uw), [1, H, N, N]);
  let scores = b.add(b.op('MatMul', [q, kt]), bias);
  if (extra) scores = extra(b, scores);
  const p = b.op('Softmax', [scores], { axis: -1 });
  b.op('MatMul', [p, v], {}, 'out');
  b.output('out', 'float', [1, H, N, D]);
  return b.serialize();
}

const SMALL_BUDGET = 10_000; // bytes: the 32 KB score tensors must be cut in 4
const fixedInputs = () => new Map<string, Dim[]>();

function attentionFeeds(): Record<string, OrtTensor> {
  const t = (name: string, dims: number[], seed: number) => new ort.Tensor('float32', probeNoise(dims.reduce((a, b) => a * b, 1), seed), dims);
  return {
    q: t('q', [1, H, N, D], 1),
    kt: t('kt', [1, H, D, N], 2),
    v: t('v', [1, H, N, D], 3),
    rel_h: t('rel_h', [H, G, G, G], 4),
    rel_w: t('rel_w', [H, G, G, G], 5),
  };
}

async function run(bytes: Uint8Array, feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
  const s = await ort.InferenceSession.create(bytes);
  try {
    return (await s.run(feeds)) as Record<string, OrtTensor>;
  } finally {
    await s.release();
  }
}

async function openSmall(bytes: Uint8Array, extra: Partial<LeanEncoderArgs> = {}) {
  return openLeanEncoder(ort, { name: 'attention.onnx', source: bytes, inputShapes: fixedInputs, budget: SMALL_BUDGET, ...extra });
}

describe('lean attention on a hand-built attention block', () => {
  it('cuts the block along the queries, reaching back through the relative-position sum, and computes the same output', async () => {
    const bytes = attentionGraph();
    const a = analyseAttention(parseModel(bytes), { inputShapes: fixedInputs(), budget: SMALL_BUDGET });
    if (typeof a === 'string') throw new Error(a);
    expect(a.refused).toEqual([]);
    expect(a.plans).toHaveLength(1);
    const plan = a.plans[0]!;
    // Two heads cannot bring 32 KB under 10 KB; four blocks of 16 queries can.
    expect({ axis: plan.axis, chunks: plan.chunks, exit: plan.exit }).toEqual({ axis: 2, chunks: 4, exit: 'out' });
    // rel_h enters sliced along its row axis (the query's h), rel_w likewise; Kᵀ and V whole.
    const sliced = Object.fromEntries([...plan.sliced].map(([t, axes]) => [t, [...axes]]));
    expect(sliced.q).toEqual([2]);
    expect(Object.values(sliced).filter((axes) => axes[0] === 1)).toHaveLength(2);
    expect([...plan.whole].sort()).toEqual(['kt', 'v']);

    const rewritten = writeChunked(a);
    expect(largestTensor(bytes, fixedInputs())).toBe(H * N * N * 4);
    expect(largestTensor(rewritten, fixedInputs())).toBeLessThanOrEqual(SMALL_BUDGET);
    const feeds = attentionFeeds();
    const [want, got] = [await run(bytes, feeds), await run(rewritten, feeds)];
    expect(relativeDiff(want, got, ['out'])).toBeLessThanOrEqual(1e-6);
  });

  it('is used at load after its check, and says so', async () => {
    const lean = await openSmall(attentionGraph());
    try {
      expect(lean.rewritten).toBeDefined();
      // The second line is the kernel warm-up's (test/engine/warm-up.test.ts).
      expect(lean.optimisations).toHaveLength(2);
      expect(lean.optimisations[1]).toMatch(/^warm-up: /);
      expect(lean.optimisations[0]).toMatch(/^lean attention: 1 attention blocks cut \(1 in 4 pieces along axis 2 of \[1,2,64,4\]\); largest tensor 0 MB → 0 MB .*1 distinct block checked.*max difference \d\.\de-\d+/);
      const out = await lean.session.run(attentionFeeds());
      const want = await run(attentionGraph(), attentionFeeds());
      expect(relativeDiff(want, out as Record<string, OrtTensor>, ['out'])).toBeLessThanOrEqual(1e-6);
    } finally {
      await lean.session.release();
    }
  });

  it('a wrong rewrite (the relative-position rows sliced along the wrong, equally long axis) is caught and the encoder loads unchanged', async () => {
    const bytes = attentionGraph();
    const lean = await openSmall(bytes, {
      alterPlans: (plans) => {
        for (const p of plans) {
          for (const [t, axes] of p.sliced) {
            if (!axes.has(1)) continue;
            // h and w rows have the same length: shapes still agree, values do not.
            p.sliced.set(t, new Set([2]));
            for (const [n, need] of p.reads) {
              n.inputs.forEach((inp, i) => {
                if (inp === t && need[i] === 1) need[i] = 2;
              });
            }
          }
        }
      },
    });
    try {
      expect(lean.rewritten).toBeUndefined();
      expect(lean.optimisations[0]).toMatch(/^lean attention: rewrite refused, encoder unchanged \(block .* differs from the original by \d\.\d+e[-+]\d+ of its spread\)/);
      // The session is the original graph's.
      const out = await lean.session.run(attentionFeeds());
      expect(relativeDiff(await run(bytes, attentionFeeds()), out as Record<string, OrtTensor>, ['out'])).toBe(0);
    } finally {
      await lean.session.release();
    }
  });

  it('a block with an op it has no rule for loads unchanged and says which', async () => {
    // A cumulative sum over the queries: no piece of queries can be computed alone.
    const bytes = attentionGraph((b, s) => b.op('CumSum', [s, b.i64([2])]));
    const lean = await openSmall(bytes);
    try {
      expect(lean.rewritten).toBeUndefined();
      expect(lean.optimisations).toEqual([expect.stringMatching(/^lean attention: encoder unchanged \(.*Softmax.*: cannot be cut within 0 MB per tensor \(.*CumSum \(no rule for it\)\)\)$/)]);
      expect(lean.session.outputNames).toEqual(['out']);
    } finally {
      await lean.session.release();
    }
  });

  it('a block with two outputs leaving it, or nothing over the budget, loads unchanged and says why', async () => {
    const b = new GraphBuilder('two-exits');
    const q = b.input('q', 'float', [1, H, N, D]);
    const kt = b.input('kt', 'float', [1, H, D, N]);
    const p = b.op('Softmax', [b.op('MatMul', [q, kt])], { axis: -1 });
    b.op('MatMul', [p, q], {}, 'out');
    b.op('ReduceMax', [p], { axes: [3], keepdims: 1 }, 'peak');
    b.output('out', 'float', [1, H, N, D]);
    b.output('peak', 'float', [1, H, N, 1]);
    const bytes = b.serialize();
    const twoExits = await openSmall(bytes);
    await twoExits.session.release();
    expect(twoExits.optimisations).toEqual([expect.stringMatching(/^lean attention: encoder unchanged \(.*: 2 outputs leave the region \(out, peak\)\)$/)]);

    const roomy = await openSmall(bytes, { budget: ATTENTION_BUDGET });
    await roomy.session.release();
    expect(roomy.optimisations).toEqual(['lean attention: encoder unchanged (no tensor over 64 MB (largest 0 MB))']);

    const off = await openSmall(bytes, { lean: false });
    await off.session.release();
    expect(off.optimisations).toEqual(['lean attention: off']);
  });
});

/** Loads a fixture model with the rewrite on and off and compares the embeddings of one image. */
async function compareFixture(name: 'sam-reference' | 'sam2-reference', encoder: string): Promise<{ diff: number; optimisations: readonly string[] }> {
  const dir = fixtureDir(name)!;
  const onnx = (f: string) => new Uint8Array(readFileSync(join(dir, 'onnx', f)));
  const files = { 'vision_encoder.onnx': onnx(encoder), 'prompt_encoder_mask_decoder.onnx': onnx('prompt_encoder_mask_decoder.onnx') };
  const image = decodePng(new Uint8Array(readFileSync(join(dir, 'images', name === 'sam-reference' ? 'chelsea.png' : 'astronaut.png'))));
  const lean = (await loadSamModel(ort, files, { precompute: false })) as SegmentModel & { optimisations: string[] };
  const a = await lean.encode(image);
  await lean.dispose();
  const plain = await loadSamModel(ort, files, { precompute: false, leanAttention: false });
  const b = await plain.encode(image);
  await plain.dispose();
  return { diff: relativeDiff(b.tensors, a.tensors, Object.keys(b.tensors)), optimisations: lean.optimisations };
}

describe.skipIf(!requireFixture('sam-reference'))('lean attention on the SlimSAM fixture encoders', () => {
  for (const [encoder, label] of [
    ['vision_encoder.onnx', 'fp32'],
    ['vision_encoder_quantized.onnx', 'int8'],
  ] as const) {
    it(`${label}: the 4 global blocks are cut per head, no tensor over the budget remains, and the embeddings equal the original's`, async () => {
      const bytes = new Uint8Array(readFileSync(join(fixtureDir('sam-reference')!, 'onnx', encoder)));
      const shapes = () => new Map<string, Dim[]>([['pixel_values', [1, 3, 1024, 1024]]]);
      const a = planLeanEncoder(bytes, shapes);
      if (typeof a === 'string') throw new Error(a);
      expect(a.refused).toEqual([]);
      expect(a.plans.map((p) => [p.label, p.axis, p.chunks])).toEqual(
        [2, 5, 8, 11].map((l) => [`/vision_encoder/layers.${l}/attn/Softmax`, 1, 12]),
      );
      expect(largestTensor(bytes, shapes())).toBe(12 * 4096 * 4096 * 4);
      expect(largestTensor(writeChunked(a), shapes())).toBeLessThanOrEqual(ATTENTION_BUDGET);

      const { diff, optimisations } = await compareFixture('sam-reference', encoder);
      expect(optimisations.find((o) => o.startsWith('lean attention'))).toMatch(/^lean attention: 4 attention blocks cut \(4 in 12 pieces along axis 1 of \[1,12,4096,14\]\); largest tensor 768 MB → 64 MB/);
      expect(diff).toBeLessThanOrEqual(1e-5);
    }, 1_500_000);
  }
});

describe.skipIf(!requireFixture('sam2-reference'))('lean attention on the SAM 2 Hiera fixture encoder', () => {
  it('int8: the 3 global blocks are cut per head (the largest tensor left is an MLP activation), and the embeddings equal the original\'s', async () => {
    const bytes = new Uint8Array(readFileSync(join(fixtureDir('sam2-reference')!, 'onnx', 'vision_encoder_quantized.onnx')));
    const shapes = () => new Map<string, Dim[]>([['pixel_values', [1, 3, 1024, 1024]]]);
    const a = planLeanEncoder(bytes, shapes);
    if (typeof a === 'string') throw new Error(a);
    // Hiera's first stage has MLP activations over the budget too (int32 MatMulInteger
    // outputs on 256 × 256 tokens): not attention, left whole, and said so.
    expect(a.refused.length).toBeGreaterThan(0);
    for (const r of a.refused) expect(r).toMatch(/: tensors over the budget outside attention \(no Softmax among them\)$/);
    expect(a.plans.map((p) => [p.axis, p.chunks, p.shapes.get(p.exit)])).toEqual(Array(3).fill([1, 4, [1, 4, 4096, 96]]));
    expect(largestTensor(bytes, shapes())).toBe(4 * 4096 * 4096 * 4);
    expect(a.largestAfter).toBeLessThan(a.largest);
    expect(largestTensor(writeChunked(a), shapes())).toBe(a.largestAfter);

    const { diff, optimisations } = await compareFixture('sam2-reference', 'vision_encoder_quantized.onnx');
    expect(optimisations.find((o) => o.startsWith('lean attention'))).toMatch(/^lean attention: 3 attention blocks cut/);
    expect(diff).toBeLessThanOrEqual(1e-5);
  }, 1_500_000);
});
