import { fail, ErrorCode } from './errors.js';
import type { FloatMap, GrayImage, RgbaImage, Size } from './image/types.js';
import { upsampleLogits, upsampleToMask } from './masks/upsample.js';
import { EmbeddingCache } from './models/embedding-cache.js';
import type { DecodeResult, ImageEmbedding, SegmentModel } from './models/types.js';
import type { LowResMask, Prompt } from './prompts/types.js';

/** A decoded prompt: candidates plus what is needed to turn them into masks. */
export interface Prediction extends DecodeResult {
  prompt: Prompt;
}

/**
 * The interactive session over one image, in the manner of SamPredictor: `setImage` once
 * (encodes, or reuses a cached embedding), then `predict` per prompt. Calling `predict`
 * before `setImage` is an error that says so.
 */
export class Segmenter {
  private embedding: ImageEmbedding | undefined;
  constructor(
    readonly model: SegmentModel,
    private readonly cache: EmbeddingCache = new EmbeddingCache(),
  ) {}

  /** Encodes the image (or takes it from the cache). Returns whether it was cached. */
  async setImage(image: RgbaImage): Promise<{ cached: boolean; encodeMs: number; size: Size }> {
    const key = EmbeddingCache.key(this.model.id, image);
    const hit = this.cache.get(key);
    if (hit) {
      this.embedding = hit;
      return { cached: true, encodeMs: 0, size: hit.transform.original };
    }
    this.embedding = undefined;
    const e = await this.model.encode(image);
    this.cache.set(key, e);
    this.embedding = e;
    return { cached: false, encodeMs: e.encodeMs, size: e.transform.original };
  }

  get imageSize(): Size | undefined {
    return this.embedding?.transform.original;
  }

  /** The current image's embedding (for decoders run outside `predict`, e.g. segment everything). */
  get currentEmbedding(): ImageEmbedding | undefined {
    return this.embedding;
  }

  async predict(prompt: Prompt): Promise<Prediction> {
    if (!this.embedding) fail(ErrorCode.State, 'no image is set: call setImage(image) before predict(prompt)');
    const r = await this.model.decode(this.embedding, prompt);
    return { ...r, prompt };
  }
}

/** The candidate's low-res logits, to pass as `previous` in the next prompt (refinement). */
export function lowResOf(p: DecodeResult, index = p.selected): LowResMask {
  return { width: 256, height: 256, data: p.lowRes[index]! };
}

/** Binary mask of a candidate (255 inside), at the original size unless `size` is given. */
export function candidateMask(p: DecodeResult, index = p.selected, size: Size = p.transform.original, threshold = 0): GrayImage {
  if (index < 0 || index >= p.lowRes.length) fail(ErrorCode.InvalidOption, `candidate ${index} does not exist (0..${p.lowRes.length - 1})`);
  return upsampleToMask(p.lowRes[index]!, p.transform, size, threshold);
}

/** Logits of a candidate upsampled to `size` (for soft alpha and sub-pixel tracing). */
export function candidateLogits(p: DecodeResult, index = p.selected, size: Size = p.transform.original): FloatMap {
  if (index < 0 || index >= p.lowRes.length) fail(ErrorCode.InvalidOption, `candidate ${index} does not exist (0..${p.lowRes.length - 1})`);
  return upsampleLogits(p.lowRes[index]!, p.transform, size);
}
