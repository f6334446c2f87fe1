import type { RgbaImage } from '../../image/types.js';
import type { FrameTransform, ResizeMode } from '../../prompts/frames.js';
import { originalToFrame, frameToLowRes } from '../../prompts/frames.js';
import type { BoxPrompt, Prompt } from '../../prompts/types.js';
import type { Ort, OrtSession, OrtTensor, SamFormat } from '../types.js';

/**
 * What differs between SAM formats, as plain functions over the sessions: names of the
 * graph inputs/outputs, how the image becomes encoder feeds, how a prompt becomes decoder
 * feeds, and how the answer is read. Everything else (sessions, caching, sizes,
 * upsampling) is shared.
 */
export interface FormatDriver {
  format: SamFormat;
  resize: ResizeMode;
  encoder: { inputs: readonly string[]; outputs: readonly string[] };
  decoder: { inputs: readonly string[]; outputs: readonly string[] };
  /** Prompt features the decoder graph takes natively. */
  supports(decoder: OrtSession): { box: boolean; maskInput: boolean };
  encodeFeeds(ort: Ort, encoder: OrtSession, resized: RgbaImage, t: FrameTransform): Record<string, OrtTensor>;
  decodeFeeds(ort: Ort, decoder: OrtSession, embedding: Record<string, OrtTensor>, prompt: Prompt, t: FrameTransform): DecodeFeeds;
  /** Reads candidates (C × 256 × 256 logits) and scores from the decoder outputs. */
  read(outputs: Record<string, OrtTensor>): Promise<{ logits: Float32Array; count: number; scores: number[]; objectScore?: number }>;
  /** Index of the candidate to present first. */
  select(scores: number[], prompt: Prompt): number;
}

export interface DecodeFeeds {
  feeds: Record<string, OrtTensor>;
  /** Outputs to fetch (the rest of the graph is not needed). */
  fetch: string[];
  /** A box the graph could not take: the engine clips the mask to it afterwards. */
  clipBox?: BoxPrompt;
  fallbacks: string[];
}

/** Points in the frame, with SAM's labels; a box as two corner points labelled 2 and 3. */
export function framePoints(prompt: Prompt, t: FrameTransform, box: 'corners' | 'none'): { coords: number[]; labels: number[] } {
  const coords: number[] = [];
  const labels: number[] = [];
  for (const p of prompt.points) {
    const [x, y] = originalToFrame(t, p.x, p.y);
    coords.push(x, y);
    labels.push(p.label);
  }
  if (box === 'corners' && prompt.box) {
    const [x0, y0] = originalToFrame(t, prompt.box.x0, prompt.box.y0);
    const [x1, y1] = originalToFrame(t, prompt.box.x1, prompt.box.y1);
    coords.push(x0, y0, x1, y1);
    labels.push(2, 3);
  }
  return { coords, labels };
}

/** The box in frame pixels, [x0, y0, x1, y1]. */
export function frameBox(box: BoxPrompt, t: FrameTransform): number[] {
  const [x0, y0] = originalToFrame(t, box.x0, box.y0);
  const [x1, y1] = originalToFrame(t, box.x1, box.y1);
  return [x0, y0, x1, y1];
}

/**
 * Fallback for graphs without a box input: the box becomes a foreground point at its
 * centre (added by the caller) and the low-res logits are clipped to the box here. The
 * clip uses the signed distance to the box edges (in cells), scaled to the logits' range,
 * so that after bilinear upsampling the mask edge falls on the box edge.
 */
export function clipLogitsToBox(logits: Float32Array, side: number, box: BoxPrompt, t: FrameTransform): void {
  let [bx0, by0] = frameToLowRes(t, ...originalToFrame(t, box.x0, box.y0));
  let [bx1, by1] = frameToLowRes(t, ...originalToFrame(t, box.x1, box.y1));
  // A box thinner than one cell (a sliver, or any box on a 1-pixel-wide image) would
  // exclude every cell centre: widen it to one cell around its centre.
  if (bx1 - bx0 < 1) [bx0, bx1] = [(bx0 + bx1) / 2 - 0.5, (bx0 + bx1) / 2 + 0.5];
  if (by1 - by0 < 1) [by0, by1] = [(by0 + by1) / 2 - 0.5, (by0 + by1) / 2 + 0.5];
  let peak = 1;
  for (let i = 0; i < logits.length; i++) peak = Math.max(peak, Math.abs(logits[i]!));
  const n = side * side;
  for (let y = 0; y < side; y++) {
    const cy = y + 0.5;
    const dy = Math.min(cy - by0, by1 - cy);
    for (let x = 0; x < side; x++) {
      const cx = x + 0.5;
      const d = Math.min(dy, cx - bx0, bx1 - cx);
      const cap = d * peak;
      for (let k = y * side + x; k < logits.length; k += n) if (logits[k]! > cap) logits[k] = cap;
    }
  }
}

/** The centre of the box as an extra foreground point (box fallback). */
export function withBoxCentre(prompt: Prompt): Prompt {
  if (!prompt.box) return prompt;
  const b = prompt.box;
  return { ...prompt, points: [...prompt.points, { x: (b.x0 + b.x1) / 2, y: (b.y0 + b.y1) / 2, label: 1 }] };
}

/**
 * Points for the transformers.js layouts (sam-hf, sam2-hf): labels 1/0, a box natively
 * when the graph has `input_boxes`, else the box fallback; a box alone gets one padding
 * point (label −10, ignored by the prompt encoder).
 */
export function hfPoints(decoder: OrtSession, prompt: Prompt, t: FrameTransform): {
  coords: number[];
  labels: number[];
  nativeBox: boolean;
  clipBox?: BoxPrompt;
  fallbacks: string[];
} {
  const nativeBox = decoder.inputNames.includes('input_boxes');
  const fallback = !!prompt.box && !nativeBox;
  const { coords, labels } = framePoints(nativeBox ? prompt : withBoxCentre(prompt), t, 'none');
  if (!labels.length) {
    coords.push(0, 0);
    labels.push(-10);
  }
  return {
    coords,
    labels,
    nativeBox,
    clipBox: fallback ? prompt.box : undefined,
    fallbacks: fallback ? ['box-as-centre-point-and-clip'] : [],
  };
}
