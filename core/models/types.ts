import type * as ortTypes from 'onnxruntime-web';
import type { RgbaImage, Size } from '../image/types.js';
import type { FrameTransform } from '../prompts/frames.js';
import type { Prompt } from '../prompts/types.js';

/** The onnxruntime module in use: onnxruntime-web (product) or onnxruntime-node (reference). */
export type Ort = Pick<typeof ortTypes, 'InferenceSession' | 'Tensor' | 'env'>;
export type OrtSession = ortTypes.InferenceSession;
export type OrtTensor = ortTypes.Tensor;
export type SessionOptions = ortTypes.InferenceSession.SessionOptions;

export type SamFormat = 'sam-hf' | 'sam2-hf' | 'sam1' | 'sam2';
export type ModelFormat = SamFormat | 'salient';
export const SAM_FORMATS: readonly SamFormat[] = ['sam-hf', 'sam2-hf', 'sam1', 'sam2'];

/** Model files by file name: bytes, or a path/URL the runtime can open itself. */
export type ModelFiles = Record<string, Uint8Array | string>;

/** What `encode` returns: the image-side tensors plus the sizes needed to map prompts. */
export interface ImageEmbedding {
  modelId: string;
  format: SamFormat;
  transform: FrameTransform;
  tensors: Record<string, OrtTensor>;
  /** Approximate memory held, for the cache's budget. */
  bytes: number;
  encodeMs: number;
}

/** Raw decoder answer: candidates as low-res logits, in the model's output order. */
export interface DecodeResult {
  /** One 256×256 logit map per candidate. */
  lowRes: Float32Array[];
  /** Predicted IoU per candidate. */
  scores: number[];
  /** Index chosen by the format's rule (official rule for sam1, best score otherwise). */
  selected: number;
  /** SAM 2's object presence logit, when the model gives one (> 0: an object is there). */
  objectScore?: number;
  /** Prompt features this model lacks that were emulated (e.g. 'box-as-point'). */
  fallbacks: string[];
  transform: FrameTransform;
  decodeMs: number;
}

export interface SegmentModel {
  readonly id: string;
  readonly format: SamFormat;
  /** Which prompt features the loaded graphs take natively. */
  readonly supports: { box: boolean; maskInput: boolean };
  /** What the loader did to speed up clicks (e.g. the decoder split), or why it did not. */
  readonly optimisations?: readonly string[];
  encode(image: RgbaImage): Promise<ImageEmbedding>;
  decode(embedding: ImageEmbedding, prompt: Prompt): Promise<DecodeResult>;
  dispose(): Promise<void>;
}

export interface SizeInfo {
  original: Size;
  resized: Size;
}
