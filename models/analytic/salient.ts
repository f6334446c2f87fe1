/**
 * Analytic `salient` model (one-shot foreground / background removal).
 *
 * Files: `model.onnx`, `cutout.json` (the descriptor below).
 *
 * model: `input` f32 [1,3,320,320], tensor = (pixel/255 − 0.5) / 1 (stretch resize)
 *   → `output` [1,1,320,320] logits:
 *       ref      = mean colour of the top-left 4×4 block (the background colour)
 *       d(p)     = Σ_ch |x(p) − ref|                 (L1, normalised units: 1 = 255 levels)
 *       logit(p) = clip(40 · (d(p) − 0.1), −20, 20)
 *   so sigmoid(logit) > 0.5 exactly on pixels whose colour differs from the background's by
 *   more than 0.1 (25.5 levels summed over R, G, B). On a synthetic image with a flat
 *   background in the top-left corner, that is every non-background pixel.
 */
import { GraphBuilder } from './graph.js';
import { LOGIT_CLAMP } from './common.js';

export const SALIENT_SIZE = 320;
/** L1 threshold (normalised units) and gain of the salient logit. */
export const SALIENT_THRESHOLD = 0.1;
export const SALIENT_GAIN = 40;
/** Side of the top-left block whose mean colour is the background. */
export const SALIENT_REF_BLOCK = 4;

export const SALIENT_FILES = {
  model: 'model.onnx',
  descriptor: 'cutout.json',
} as const;

/** The descriptor written next to model.onnx. */
export const SALIENT_DESCRIPTOR = {
  format: 'salient',
  model: SALIENT_FILES.model,
  input: 'input',
  output: 'output',
  size: [SALIENT_SIZE, SALIENT_SIZE],
  resize: 'stretch',
  mean: [0.5, 0.5, 0.5],
  std: [1, 1, 1],
  scale: 255,
  activation: 'sigmoid',
  normalize: 'none',
} as const;

export function buildSalientModel(): Uint8Array {
  const g = new GraphBuilder('analytic_salient');
  const x = g.input('input', 'float', [1, 3, SALIENT_SIZE, SALIENT_SIZE]);
  const block = g.slice(x, [0, 0], [SALIENT_REF_BLOCK, SALIENT_REF_BLOCK], [2, 3]);
  const ref = g.reduce('ReduceMean', block, [2, 3], 1); // [1,3,1,1]
  const distance = g.reduceSum(g.abs(g.sub(x, ref)), [1], 1); // [1,1,320,320]
  const logit = g.mul(g.sub(distance, g.f32(SALIENT_THRESHOLD)), g.f32(SALIENT_GAIN));
  g.op('Clip', [logit, g.f32(-LOGIT_CLAMP), g.f32(LOGIT_CLAMP)], {}, 'output');
  g.output('output', 'float', [1, 1, SALIENT_SIZE, SALIENT_SIZE]);
  return g.serialize('Analytic salient model (distance to the corner colour); see models/analytic/salient.ts');
}

export function buildSalient(): { model: Uint8Array; descriptor: string } {
  return { model: buildSalientModel(), descriptor: `${JSON.stringify(SALIENT_DESCRIPTOR, null, 2)}\n` };
}
