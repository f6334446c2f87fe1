/**
 * A cost stand-in for a real salient model, for measuring the engine's overhead over the
 * model time: the analytic salient model (models/analytic/salient.ts, same output exactly)
 * plus a branch of 3×3 convolutions whose result is multiplied by 0 and added to the logit.
 * onnxruntime has no algebraic rule that removes `x · 0`, so the convolutions really run.
 *
 * Cost: AveragePool 320² → 160², a 3→C convolution, then `layers` C→C 3×3 convolutions at
 * 160². The default, 64 channels × 21 layers, is 19.9 GMACs: U²-NetP's cost at 320² (19.8
 * GMACs of convolutions, counted from model/u2net.py's U2NETP; its 128→64 and 64→16
 * convolutions at full resolution dominate). U²-NetP is the lightest salient model in the
 * registry, so it is where the engine's overhead weighs most.
 */
import { GraphBuilder } from '../models/analytic/graph.js';
import { LOGIT_CLAMP, SALIENT_DESCRIPTOR, SALIENT_GAIN, SALIENT_REF_BLOCK, SALIENT_SIZE, SALIENT_THRESHOLD } from '../models/analytic/index.js';

export interface StandInOptions {
  /** Convolutions after the first (0: just the analytic model's cost). Default 21. */
  layers?: number;
  /** Channels of the convolutions. Default 64. */
  channels?: number;
}

/** Multiply-adds of the conv branch. */
export function standInMacs({ layers = 21, channels = 64 }: StandInOptions = {}): number {
  if (layers === 0) return 0;
  const s = SALIENT_SIZE / 2;
  return s * s * 9 * (3 * channels + layers * channels * channels);
}

export function buildStandInSalient({ layers = 21, channels: CH = 64 }: StandInOptions = {}): { model: Uint8Array; descriptor: string } {
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
  let out = logit;
  if (layers > 0) {
    let h = g.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
    h = g.relu(g.op('Conv', [h, g.f32(weights(CH * 3 * 9), [CH, 3, 3, 3]), g.f32(weights(CH), [CH])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }));
    for (let i = 0; i < layers; i++) {
      h = g.relu(g.op('Conv', [h, g.f32(weights(CH * CH * 9), [CH, CH, 3, 3]), g.f32(weights(CH), [CH])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }));
    }
    out = g.add(logit, g.mul(g.reduce('ReduceMean', h, [1, 2, 3], 1), g.f32(0)));
  }
  g.op('Clip', [out, g.f32(-LOGIT_CLAMP), g.f32(LOGIT_CLAMP)], {}, 'output');
  g.output('output', 'float', [1, 1, SALIENT_SIZE, SALIENT_SIZE]);
  return {
    model: g.serialize(`Analytic salient model plus ${layers} cost-only ${CH}-channel 3x3 convolutions; see bench/removebg-model.ts`),
    descriptor: `${JSON.stringify(SALIENT_DESCRIPTOR, null, 2)}\n`,
  };
}
