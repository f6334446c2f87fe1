import { fail, ErrorCode } from '../errors.js';
import type { RgbaImage } from '../image/types.js';
import { frameTransform } from '../prompts/frames.js';
import type { Prompt } from '../prompts/types.js';
import { validatePrompt } from '../prompts/validate.js';
import { resizeForFrame } from './preprocess.js';
import { DRIVERS, detectFormat, findModelFiles, type Variant } from './detect.js';
import { clipLogitsToBox, type FormatDriver } from './formats/driver.js';
import { expectNames, openSession, runSession, splitMaps, tensorBytes, withExternalData } from './runtime.js';
import { prepareDecoder, type SplitDecoder } from './split-decoder.js';
import { openLeanEncoder } from './lean-encoder.js';
import type { OnnxModel } from './onnx/model.js';
import type { Dim } from './onnx/shapes.js';
import type { DecodeResult, ImageEmbedding, ModelFiles, Ort, OrtSession, SamFormat, SegmentModel, SessionOptions } from './types.js';

export interface LoadOptions {
  /** Identifies the model in caches and results (registry id or folder name). */
  id?: string;
  /** Which file variant to prefer when a folder holds several. */
  variant?: Variant;
  /** Require this format (a mismatch is an error instead of a silent switch). */
  format?: SamFormat;
  sessionOptions?: SessionOptions;
  /** Separate options for the encoder (e.g. WebGPU for the encoder only). */
  encoderSessionOptions?: SessionOptions;
  /**
   * Compute the decoder's prompt-independent part once per image (core/models/precompute.ts),
   * for decoders given as bytes. Default true; any failure falls back to the full decoder
   * (see `optimisations`).
   */
  precompute?: boolean;
  /**
   * With precompute: regroup the prompt half's attention products (core/models/decoder-rewrite.ts).
   * Default true; checked against the full decoder at load like the split.
   */
  rewrite?: boolean;
  /**
   * Cut the encoder's attention blocks so that no tensor holds all heads' scores at once
   * (core/models/lean-encoder.ts), for encoders given as bytes. Default true; a block that
   * cannot be cut, or fails its check, leaves the encoder as it is (see `optimisations`).
   */
  leanAttention?: boolean;
  /** With lean attention: run the encoder's kernels on tiny inputs at load (core/models/warm-up.ts). Default true. */
  warmUp?: boolean;
}

const now = () => (globalThis.performance ?? Date).now();

class SamModel implements SegmentModel {
  readonly supports: { box: boolean; maskInput: boolean };
  constructor(
    private readonly ort: Ort,
    readonly id: string,
    private readonly driver: FormatDriver,
    private readonly encoder: OrtSession,
    private readonly decoder: OrtSession,
    private readonly files: { encoder: string; decoder: string },
    private readonly split?: SplitDecoder,
    /** Decoder optimisations applied at load, or why not (for benchmarks and diagnostics). */
    readonly optimisations: string[] = [],
  ) {
    this.supports = driver.supports(decoder);
  }

  get format(): SamFormat {
    return this.driver.format;
  }

  async encode(image: RgbaImage): Promise<ImageEmbedding> {
    const t = frameTransform(this.driver.resize, { width: image.width, height: image.height });
    const resized = resizeForFrame(image, t);
    const start = now();
    const feeds = this.driver.encodeFeeds(this.ort, this.encoder, resized, t);
    const out = await runSession(this.encoder, this.files.encoder, feeds);
    const tensors: ImageEmbedding['tensors'] = {};
    for (const name of this.driver.encoder.outputs.length ? this.driver.encoder.outputs : this.encoder.outputNames) {
      if (!out[name]) fail(ErrorCode.ModelFormat, `${this.files.encoder} did not return ${name}`);
      tensors[name] = out[name]!;
    }
    if (this.split) Object.assign(tensors, await this.split.boundary(tensors));
    return { modelId: this.id, format: this.format, transform: t, tensors, bytes: tensorBytes(tensors), encodeMs: now() - start };
  }

  async decode(embedding: ImageEmbedding, prompt: Prompt): Promise<DecodeResult> {
    if (embedding.modelId !== this.id) {
      fail(ErrorCode.State, `this embedding was made by model ${embedding.modelId}, not ${this.id}: encode the image with this model first`);
    }
    const t = embedding.transform;
    const p = validatePrompt(prompt, t.original);
    if (p.previous && !this.supports.maskInput) p.previous = undefined;
    const start = now();
    const { feeds, fetch, clipBox, fallbacks } = this.driver.decodeFeeds(this.ort, this.decoder, embedding.tensors, p, t);
    const run = this.split ? await this.split.promptFeeds(feeds, embedding.tensors) : feeds;
    const out = await runSession(this.decoder, this.files.decoder, run, fetch);
    const { logits, count, scores, objectScore } = await this.driver.read(out);
    if (clipBox) clipLogitsToBox(logits, t.lowRes, clipBox, t);
    const lowRes = splitMaps(logits, count, t.lowRes);
    return { lowRes, scores, selected: this.driver.select(scores, p), objectScore, fallbacks, transform: t, decodeMs: now() - start };
  }

  async dispose(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release(), this.split?.release()]);
  }
}

/**
 * The encoder's input dims as the driver feeds them: the driver builds its feeds for two
 * images of different shapes, and the dims that agree are fixed (a graph taking the resized
 * image itself keeps its varying dims symbolic, and so is not rewritten).
 */
export function encoderInputShapes(ort: Ort, driver: FormatDriver, model: OnnxModel): Map<string, Dim[]> {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.filter((i) => !inits.has(i.name));
  // Drivers read only the encoder's input names and declared shapes.
  const described = {
    inputNames: inputs.map((i) => i.name),
    outputNames: model.graph.outputs.map((o) => o.name),
    inputMetadata: inputs.map((i) => ({ name: i.name, isTensor: true, type: 'float32', shape: (i.dims ?? []).map((d) => d ?? -1) })),
  } as unknown as OrtSession;
  const probes = [
    { width: 640, height: 480 },
    { width: 480, height: 640 },
  ].map((size) => {
    const t = frameTransform(driver.resize, size);
    const image = { width: t.resized.width, height: t.resized.height, data: new Uint8Array(t.resized.width * t.resized.height * 4) };
    return driver.encodeFeeds(ort, described, image, t);
  });
  const out = new Map<string, Dim[]>();
  for (const i of inputs) {
    const [a, b] = probes.map((p) => p[i.name]?.dims);
    if (!a || !b || a.length !== b.length) continue;
    const declared = i.dims ?? a.map(() => undefined);
    out.set(i.name, a.map((d, k) => (d === b[k] ? d : typeof declared[k] === 'number' ? declared[k]! : `$${declared[k] ?? `dim${k}`}`)));
  }
  return out;
}

/**
 * Loads a SAM model from its files (bytes or paths/URLs by file name): finds the
 * encoder/decoder pair, opens the decoder first (small; it tells the format), checks both
 * graphs' names against the format, then opens the encoder.
 */
export async function loadSamModel(ort: Ort, files: ModelFiles, options: LoadOptions = {}): Promise<SegmentModel> {
  const pair = findModelFiles(Object.keys(files), options.variant);
  let decoder = await openSession(ort, pair.decoder, files[pair.decoder]!, withExternalData(files, pair.decoder, options.sessionOptions));
  let encoder: OrtSession | undefined;
  try {
    const format = detectFormat(decoder, pair.decoder);
    if (options.format && options.format !== format) {
      fail(ErrorCode.ModelFormat, `expected a ${options.format} model but ${pair.decoder} is a ${format} decoder`);
    }
    const driver = DRIVERS[format];
    expectNames(decoder, pair.decoder, format, driver.decoder.inputs, driver.decoder.outputs);
    const lean = await openLeanEncoder(ort, {
      name: pair.encoder,
      source: files[pair.encoder]!,
      inputShapes: (model) => encoderInputShapes(ort, driver, model),
      sessionOptions: withExternalData(files, pair.encoder, options.encoderSessionOptions ?? options.sessionOptions),
      lean: options.leanAttention ?? true,
      warmUp: options.warmUp ?? true,
    });
    encoder = lean.session;
    expectNames(encoder, pair.encoder, format, driver.encoder.inputs, driver.encoder.outputs);
    if (!driver.encoder.inputs.length && encoder.inputNames.length !== 1) {
      fail(ErrorCode.ModelFormat, `${pair.encoder} should have one image input, found [${encoder.inputNames.join(', ')}]`);
    }
    const prepared = await prepareDecoder(ort, {
      driver,
      name: pair.decoder,
      source: files[pair.decoder]!,
      full: decoder,
      encoder,
      sessionOptions: options.sessionOptions,
      precompute: options.precompute ?? true,
      rewrite: options.rewrite ?? true,
    });
    decoder = prepared.decoder;
    return new SamModel(ort, options.id ?? format, driver, encoder, decoder, pair, prepared.split, [...prepared.optimisations, ...lean.optimisations]);
  } catch (err) {
    await decoder.release().catch(() => undefined);
    await encoder?.release().catch(() => undefined);
    throw err;
  }
}
