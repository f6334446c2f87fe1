/**
 * A cost stand-in for a real salient model, for measuring the engine's overhead over the
 * model time: the analytic salient model (models/analytic/salient.ts, same output exactly)
 * plus a branch of 3×3 convolutions whose result is multiplied by 0 and added to the logit.
 * onnxruntime has no algebraic rule that removes `x · 0`, so the convolutions really run.
 *
 * Cost: AveragePool 320² → 160², a 3→32 convolution, then `layers` 32→32 convolutions at
 * 160² (236 M multiply-adds each). With 8 layers that is 1.9 GMACs — about a tenth of
 * U²-NetP at 320² (≈ 20 GMACs counted from model/u2net.py's U2NETP: the 128→64 and
 * 64→16 convolutions at full resolution dominate). A cheaper model makes the overhead ratio
 * larger, so the figure measured with it is an upper bound for the real model.
 */
import { GraphBuilder } from '../models/analytic/graph.js';
import { LOGIT_CLAMP, SALIENT_DESCRIPTOR, SALIENT_GAIN, SALIENT_REF_BLOCK, SALIENT_SIZE, SALIENT_THRESHOLD } from '../models/analytic/index.js';

const CH = 32;

/** Multiply-adds of the conv branch. */
export function standInMacs(layers: number): number {
  const s = SALIENT_SIZE / 2;
  return s * s * 9 * (3 * CH + layers * CH * CH);
}

export function buildStandInSalient(layers = 8): { model: Uint8Array; descriptor: string } {
  const g = new GraphBuilder('standin_salient');
  const x = g.input('input', 'float', [1, 3, SALIENT_SIZE, SALIENT_SIZE]);
  // The analytic rule.
  const block = g.slice(x, [0, 0], [SALIENT_REF_BLOCK, SALIENT_REF_BLOCK], [2, 3]);
  const ref = g.reduce('ReduceMean', block, [2, 3], 1);
  const distance = g.reduceSum(g.abs(g.sub(x, ref)), [1], 1);
  const logit = g.mul(g.sub(distance, g.f32(SALIENT_THRESHOLD)), g.f32(SALIENT_GAIN));
  // The cost branch (deterministic small weights).
  let seed = 1;
  const weights = (n: number) =>
    Array.from({ length: n }, () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed / 2 ** 32 - 0.5) * 0.1;
    });
  let h = g.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
  h = g.relu(g.op('Conv', [h, g.f32(weights(CH * 3 * 9), [CH, 3, 3, 3]), g.f32(weights(CH), [CH])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }));
  for (let i = 0; i < layers; i++) {
    h = g.relu(g.op('Conv', [h, g.f32(weights(CH * CH * 9), [CH, CH, 3, 3]), g.f32(weights(CH), [CH])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }));
  }
  const nothing = g.mul(g.reduce('ReduceMean', h, [1, 2, 3], 1), g.f32(0));
  g.op('Clip', [g.add(logit, nothing), g.f32(-LOGIT_CLAMP), g.f32(LOGIT_CLAMP)], {}, 'output');
  g.output('output', 'float', [1, 1, SALIENT_SIZE, SALIENT_SIZE]);
  return {
    model: g.serialize(`Analytic salient model plus ${layers} cost-only 3x3 convolutions; see bench/removebg-model.ts`),
    descriptor: `${JSON.stringify(SALIENT_DESCRIPTOR, null, 2)}\n`,
  };
}
