/**
 * The analytic decoder rule of common.ts in plain TypeScript, for tests that want the exact
 * expected logits rather than a shape-level check. Works in the normalised colour space of
 * whatever format is under test. Arrays are row-major, channels first.
 */
import { AGREEMENT_EPS, AGREEMENT_FULL, BIG, CELL, FRAME, LOGIT_CLAMP, LOGIT_GAIN, LOW_RES } from './common.js';

/** AveragePool 4×4 stride 4 of a normalised CHW [3,1024,1024] image → [3,256,256]. */
export function analyticColourMap(image: Float32Array): Float32Array {
  if (image.length !== 3 * FRAME * FRAME) throw new Error(`expected 3×${FRAME}×${FRAME} values, got ${image.length}`);
  const out = new Float32Array(3 * LOW_RES * LOW_RES);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < FRAME; y++) {
      const row = (c * LOW_RES + Math.floor(y / CELL)) * LOW_RES;
      const src = (c * FRAME + y) * FRAME;
      for (let x = 0; x < FRAME; x++) out[row + Math.floor(x / CELL)] += image[src + x];
    }
  }
  for (let i = 0; i < out.length; i++) out[i] /= CELL * CELL;
  return out;
}

export interface AnalyticPrompt {
  /** Points in the 1024 frame; `positive: false` is a negative click. Pads are simply left out. */
  points: ReadonlyArray<{ x: number; y: number; positive: boolean }>;
  /** (x0, y0, x1, y1) in the 1024 frame. */
  box?: readonly [number, number, number, number];
  /** Previous low-res logits [256·256] in output units (has_mask_input = 1). */
  mask?: Float32Array;
}

/** Bilinear sample of the colour map at (x, y) in the 1024 frame (cell centres, clamped). */
export function sampleColour(colour: Float32Array, x: number, y: number): [number, number, number] {
  const clamp = (v: number): number => Math.min(LOW_RES - 0.5, Math.max(0.5, v));
  const u = clamp(x / CELL);
  const v = clamp(y / CELL);
  const result: [number, number, number] = [0, 0, 0];
  const j0 = Math.floor(u - 0.5);
  const i0 = Math.floor(v - 0.5);
  for (let i = i0; i <= i0 + 1; i++) {
    for (let j = j0; j <= j0 + 1; j++) {
      if (i < 0 || j < 0 || i >= LOW_RES || j >= LOW_RES) continue;
      const w = Math.max(0, 1 - Math.abs(j + 0.5 - u)) * Math.max(0, 1 - Math.abs(i + 0.5 - v));
      for (let c = 0; c < 3; c++) result[c] += w * colour[(c * LOW_RES + i) * LOW_RES + j];
    }
  }
  return result;
}

/** Logits [K][256·256] of the analytic decoder for the given tolerances. */
export function analyticLogits(colour: Float32Array, prompt: AnalyticPrompt, taus: readonly number[]): Float32Array[] {
  const points = [...prompt.points];
  const box = prompt.box;
  if (box) points.push({ x: (box[0] + box[2]) / 2, y: (box[1] + box[3]) / 2, positive: true });
  const cells = LOW_RES * LOW_RES;
  const dpos = new Float32Array(cells).fill(BIG);
  const dneg = new Float32Array(cells).fill(BIG);
  for (const point of points) {
    const c = sampleColour(colour, point.x, point.y);
    const target = point.positive ? dpos : dneg;
    for (let p = 0; p < cells; p++) {
      const d = Math.abs(colour[p] - c[0]) + Math.abs(colour[cells + p] - c[1]) + Math.abs(colour[2 * cells + p] - c[2]);
      if (d < target[p]) target[p] = d;
    }
  }
  return taus.map((tau) => {
    const out = new Float32Array(cells);
    for (let p = 0; p < cells; p++) {
      let pos = tau - dpos[p];
      if (prompt.mask) pos = Math.max(pos, Math.fround(prompt.mask[p] / LOGIT_GAIN));
      let logit = Math.min(pos, dneg[p] - tau);
      if (box) {
        const gx = (p % LOW_RES) + 0.5;
        const gy = Math.floor(p / LOW_RES) + 0.5;
        const inside = Math.min(gx - box[0] / CELL, box[2] / CELL - gx, gy - box[1] / CELL, box[3] / CELL - gy);
        logit = Math.min(logit, inside);
      }
      out[p] = Math.min(LOGIT_CLAMP, Math.max(-LOGIT_CLAMP, logit)) * LOGIT_GAIN;
    }
    return out;
  });
}

/** The score factor of common.ts: min(1, IoU(mask of the smallest τ, mask of the largest τ) / 0.9). */
export function analyticAgreement(logits: readonly Float32Array[], taus: readonly number[]): number {
  const lo = logits[taus.indexOf(Math.min(...taus))]!;
  const hi = logits[taus.indexOf(Math.max(...taus))]!;
  let inter = 0;
  let union = 0;
  for (let p = 0; p < lo.length; p++) {
    const a = lo[p]! > 0;
    const b = hi[p]! > 0;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return Math.min(1, (inter + AGREEMENT_EPS) / (union + AGREEMENT_EPS) / AGREEMENT_FULL);
}
