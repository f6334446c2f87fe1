/**
 * Kernel warm-up at load (core/models/warm-up.ts): the warm-up graph built from each fixture
 * encoder runs in onnxruntime-web, copies one node of every distinct compute kind — including
 * the Cast, Pad and Einsum nodes whose wasm functions otherwise tier up during the first
 * encode — and a lean-encoder load runs it and says so.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ort } from '../helpers/ort.js';
import { fixtureDir, requireFixture } from '../fixtures.js';
import { planLeanEncoder, openLeanEncoder } from '../../core/models/lean-encoder.js';
import { planWarmUp, runWarmUp } from '../../core/models/warm-up.js';
import type { ChunkAnalysis } from '../../core/models/onnx/chunk-attention.js';

const SHAPES = () => new Map([['pixel_values', [1, 3, 1024, 1024]]]);

function fixtureEncoder(name: 'sam-reference', file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(fixtureDir(name)!, 'onnx', file)));
}

describe.skipIf(!requireFixture('sam-reference'))('warm-up on the SlimSAM fixture encoders', () => {
  for (const [file, ops] of [
    ['vision_encoder.onnx', ['Cast', 'Conv', 'Einsum', 'Erf', 'LayerNormalization', 'MatMul', 'Pad', 'Softmax']],
    ['vision_encoder_quantized.onnx', ['Cast', 'ConvInteger', 'DynamicQuantizeLinear', 'Einsum', 'MatMulInteger', 'Pad', 'Softmax']],
  ] as const) {
    it(`${file}: one tiny node per kind, runnable`, async () => {
      const a = planLeanEncoder(fixtureEncoder('sam-reference', file), SHAPES) as ChunkAnalysis;
      expect(typeof a).toBe('object');
      const plan = planWarmUp(a.model, a.info!, a.types!)!;
      expect(plan).toBeDefined();
      const kinds = new Set(plan.nodes.map((n) => n.opType));
      for (const op of ops) expect(kinds, `warm-up covers ${op}`).toContain(op);
      // Tiny: every fed input holds at most a million values (the encoder's hold tens of millions).
      for (const i of plan.inputs) expect(i.dims.reduce((x, y) => x * y, 1), i.name).toBeLessThanOrEqual(1 << 20);
      const r = await runWarmUp(ort, plan, 1);
      expect(r.nodes).toBe(plan.nodes.length);
    }, 300_000);
  }

  it('a lean-encoder load runs the warm-up and says so; off when asked', async () => {
    const source = fixtureEncoder('sam-reference', 'vision_encoder_quantized.onnx');
    const on = await openLeanEncoder(ort, { name: 'enc', source, inputShapes: SHAPES });
    await on.session.release();
    expect(on.optimisations.join('\n')).toMatch(/warm-up: \d+ distinct kernels \(.*Cast.*\) run 8× on tiny inputs/);
    const off = await openLeanEncoder(ort, { name: 'enc', source, inputShapes: SHAPES, warmUp: false });
    await off.session.release();
    expect(off.optimisations.join('\n')).toContain('warm-up: off');
  }, 600_000);
});
