/**
 * The engine side of core/models/precompute.ts: opens the two halves of a split decoder,
 * runs the image half once per image, and turns the format driver's decoder feeds into the
 * prompt half's feeds.
 *
 * What the drivers feed is learnt from the drivers themselves: at load, a few probe prompts
 * (one point, three points, a box, a box with points, a previous mask) go through
 * `decodeFeeds`; input dims that are the same in every probe are the fixed sizes the split
 * may assume (e.g. batch 1, point batch 1), and the outputs they fetch are the outputs the
 * prompt half keeps. The prompt half declares those sizes, so a feed that ever breaks the
 * assumption is refused by the runtime rather than computed differently. Before the split
 * replaces the full decoder, both run once on a random embedding and must agree.
 */
import { frameTransform } from '../prompts/frames.js';
import type { Prompt } from '../prompts/types.js';
import type { FormatDriver } from './formats/driver.js';
import { describeRewrite, rewriteDecoder, type DecoderRewrite } from './decoder-rewrite.js';
import { pruneToOutputs, trySplit, type DecoderSplit } from './precompute.js';
import { openSession, runSession } from './runtime.js';
import type { Ort, OrtSession, OrtTensor, SessionOptions } from './types.js';
import { probeNoise } from './probe-noise.js';

export interface SplitDecoder {
  /** The image half (image inputs → boundary tensors). */
  readonly image: OrtSession;
  readonly split: DecoderSplit;
  /** The boundary tensors for an embedding's tensors (runs the image half). */
  boundary(tensors: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  /**
   * Feeds for the prompt half: the driver's feeds it takes, plus the boundary tensors from
   * the embedding (computed here, once per embedding, if the embedding lacks them).
   */
  promptFeeds(feeds: Record<string, OrtTensor>, tensors: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface PreparedDecoder {
  /** The session to decode with: the prompt half, a pruned graph, or the full decoder. */
  decoder: OrtSession;
  split?: SplitDecoder;
  /** What was done (or why not), for benchmarks and diagnostics. */
  optimisations: string[];
}

export interface PrepareArgs {
  driver: FormatDriver;
  /** Decoder file name (for messages). */
  name: string;
  source: Uint8Array | string;
  /** The full decoder, already open (format detection needs it). Released when replaced. */
  full: OrtSession;
  encoder: OrtSession;
  sessionOptions?: SessionOptions;
  precompute: boolean;
  /**
   * Regroup the prompt half's products (core/models/decoder-rewrite.ts) once it is split;
   * default on. A function replaces the rewriter (tests).
   */
  rewrite?: boolean | ((promptGraph: Uint8Array) => DecoderRewrite | string);
}

const PROBE_SIZE = { width: 640, height: 480 };

/** Prompts that exercise every feed a driver can build. */
function probePrompts(maskInput: boolean): Prompt[] {
  const box = { x0: 40, y0: 30, x1: 400, y1: 300 };
  const prompts: Prompt[] = [
    { points: [{ x: 100, y: 120, label: 1 }] },
    { points: [{ x: 100, y: 120, label: 1 }, { x: 300, y: 200, label: 0 }, { x: 500, y: 400, label: 1 }] },
    { points: [], box },
    { points: [{ x: 100, y: 120, label: 1 }, { x: 200, y: 220, label: 0 }], box },
  ];
  if (maskInput) prompts.push({ points: [{ x: 100, y: 120, label: 1 }], previous: { width: 256, height: 256, data: new Float32Array(65536) } });
  return prompts;
}

/**
 * What the driver feeds and fetches: per input, dims equal across all probes (null where
 * they vary), and the union of fetched outputs.
 */
export function probeDriver(ort: Ort, driver: FormatDriver, decoder: OrtSession): { fixedDims: Record<string, Array<number | null>>; fetch: string[] } {
  const t = frameTransform(driver.resize, PROBE_SIZE);
  const seen: Record<string, Array<number | null>> = {};
  const fetch = new Set<string>();
  const supports = driver.supports(decoder);
  for (const prompt of probePrompts(supports.maskInput)) {
    const r = driver.decodeFeeds(ort, decoder, {}, prompt, t);
    r.fetch.forEach((f) => fetch.add(f));
    for (const [name, tensor] of Object.entries(r.feeds)) {
      if (!tensor) continue; // image inputs: not in the probe's (empty) embedding
      const dims = [...tensor.dims];
      const prev = seen[name];
      if (!prev) seen[name] = dims;
      else seen[name] = prev.length === dims.length ? prev.map((d, i) => (d === dims[i] ? d : null)) : prev.map(() => null);
    }
  }
  return { fixedDims: seen, fetch: [...fetch] };
}

/** Image inputs of the decoder: the ones the encoder produces. */
function imageInputsOf(driver: FormatDriver, encoder: OrtSession, decoder: OrtSession): string[] {
  const produced = new Set([...driver.encoder.outputs, ...encoder.outputNames]);
  return decoder.inputNames.filter((n) => produced.has(n));
}

/** Fixed dims of the image inputs, from the encoder's declared outputs (numeric dims only). */
function imageDims(encoder: OrtSession, names: string[]): Record<string, Array<number | null>> {
  const out: Record<string, Array<number | null>> = {};
  for (const name of names) {
    const meta = encoder.outputMetadata?.find((m) => m.name === name);
    if (meta && meta.isTensor && meta.shape) out[name] = meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null));
  }
  return out;
}

const now = () => (globalThis.performance ?? Date).now();

/** Largest difference allowed between the split and the full decoder, relative to the output's range. */
const VERIFY_TOLERANCE = 1e-4;

/** The full decoder's outputs on a random embedding and a fixed prompt: what a split must reproduce. */
export interface Probe {
  emb: Record<string, OrtTensor>;
  feeds: Record<string, OrtTensor>;
  fetch: string[];
  want: Record<string, OrtTensor>;
  /** The image half's outputs on `emb`, once computed (they do not depend on the prompt half). */
  boundary?: Record<string, OrtTensor>;
}

/**
 * Runs the full decoder once on a random embedding and a one-point prompt (plus a box where
 * the graph takes one).
 */
export async function probeFull(ort: Ort, driver: FormatDriver, full: OrtSession, imageInputs: readonly string[]): Promise<Probe> {
  const emb: Record<string, OrtTensor> = {};
  for (const [k, name] of imageInputs.entries()) {
    const meta = full.inputMetadata?.find((m) => m.name === name);
    if (!meta || !meta.isTensor) throw new Error(`no shape for ${name}`);
    const dims = meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
    emb[name] = new ort.Tensor('float32', probeNoise(dims.reduce((x, y) => x * y, 1), 17 + k), dims);
  }
  const t = frameTransform(driver.resize, PROBE_SIZE);
  const p: Prompt = { points: [{ x: 200, y: 150, label: 1 }], ...(driver.supports(full).box ? { box: { x0: 60, y0: 50, x1: 420, y1: 330 } } : {}) };
  const { feeds, fetch } = driver.decodeFeeds(ort, full, emb, p, t);
  return { emb, feeds, fetch, want: await full.run(feeds, fetch) };
}

/**
 * Runs the two halves on the probe and returns the largest difference of the fetched outputs
 * from the full decoder's, relative to their range.
 */
export async function compareOnProbe(ort: Ort, probe: Probe, image: OrtSession, prompt: OrtSession, split: DecoderSplit): Promise<number> {
  const { emb, feeds, fetch, want } = probe;
  const boundary = (probe.boundary ??= await image.run(Object.fromEntries(image.inputNames.map((n) => [n, emb[n]!])), split.boundary));
  const got = await prompt.run(promptHalfFeeds(ort, split, new Set(prompt.inputNames), feeds, boundary, emb), fetch);
  let worst = 0;
  for (const name of fetch) {
    const a = want[name]?.data as ArrayLike<number> | undefined;
    const b = got[name]?.data as ArrayLike<number> | undefined;
    if (!a || !b || a.length !== b.length) return Number.POSITIVE_INFINITY;
    let range = 1e-6;
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
      range = Math.max(range, Math.abs(Number(a[i])));
      diff = Math.max(diff, Math.abs(Number(a[i]) - Number(b[i])));
    }
    if (!Number.isFinite(diff)) return Number.POSITIVE_INFINITY;
    worst = Math.max(worst, diff / range);
  }
  return worst;
}

/**
 * Runs the full decoder and the two halves once on the probe and returns the largest
 * relative difference. A split that does not reproduce the full decoder (an inference rule
 * wrong for some exotic graph) is caught here, at load, not in a mask.
 */
export async function verifySplit(
  ort: Ort,
  driver: FormatDriver,
  full: OrtSession,
  image: OrtSession,
  prompt: OrtSession,
  split: DecoderSplit,
  imageInputs: readonly string[],
): Promise<number> {
  return compareOnProbe(ort, await probeFull(ort, driver, full, imageInputs), image, prompt, split);
}

const message = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0]! : String(err));

/**
 * Opens the decoder the engine will use. With `precompute` and a decoder given as bytes: the
 * split (image half + prompt half), else a graph pruned to the fetched outputs, else the full
 * decoder. Any failure falls back to the full decoder and is recorded in `optimisations`.
 */
export async function prepareDecoder(ort: Ort, a: PrepareArgs): Promise<PreparedDecoder> {
  const optimisations: string[] = [];
  if (!a.precompute) return { decoder: a.full, optimisations: ['precompute: off'] };
  if (!(a.source instanceof Uint8Array)) {
    return { decoder: a.full, optimisations: ['precompute: not tried (the decoder was given as a path or URL, not bytes)'] };
  }
  let probe: ReturnType<typeof probeDriver>;
  try {
    probe = probeDriver(ort, a.driver, a.full);
  } catch (err) {
    return { decoder: a.full, optimisations: [`precompute: probing the driver failed (${message(err)})`] };
  }
  const outputs = a.full.outputNames.filter((n) => probe.fetch.includes(n));
  const imageInputs = imageInputsOf(a.driver, a.encoder, a.full);
  const fixedDims = { ...imageDims(a.encoder, imageInputs), ...probe.fixedDims };

  const split = trySplit(a.source, imageInputs, { fixedDims, outputs });
  if (typeof split !== 'string') {
    let image: OrtSession | undefined;
    let prompt: OrtSession | undefined;
    try {
      image = await openSession(ort, `${a.name} (image half)`, split.imageGraph, a.sessionOptions);
      prompt = await openSession(ort, `${a.name} (prompt half)`, split.promptGraph, a.sessionOptions);
      checkNames(a.full, image, prompt, split, imageInputs, outputs);
      const t0 = now();
      const probe = await probeFull(ort, a.driver, a.full, imageInputs);
      const diff = await compareOnProbe(ort, probe, image, prompt, split);
      if (!(diff <= VERIFY_TOLERANCE)) throw new Error(`its outputs differ from the full decoder's by ${diff.toExponential(2)} (relative)`);
      const verifyMs = now() - t0;
      await a.full.release().catch(() => undefined);
      const rewritten = a.rewrite === false ? undefined : await adoptRewrite(ort, a, probe, image, prompt, split);
      if (rewritten && rewritten.session !== prompt) prompt = rewritten.session;
      const aliased = Object.keys(split.aliases).length;
      const ops = Object.entries(split.stats.imageOps).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${v} ${k}`).join(', ');
      optimisations.push(
        `precompute: ${split.stats.imageNodes} image-only nodes (${ops}) run once per image; ` +
          `${split.boundary.length} tensors cached per image` +
          (aliased ? ` (+${aliased} fed as views of the embeddings)` : '') +
          `; prompt half ${split.stats.promptNodes}/${split.stats.nodes} nodes` +
          (outputs.length < a.full.outputNames.length ? `; outputs ${outputs.join(', ')}` : '') +
          ` (split in ${Math.round(split.stats.ms)} ms; checked against the full decoder on a random embedding: ` +
          `max relative difference ${diff.toExponential(1)}, ${Math.round(verifyMs)} ms)`,
      );
      if (rewritten) optimisations.push(rewritten.note);
      return { decoder: prompt, split: makeSplit(ort, a.name, image, prompt, split), optimisations };
    } catch (err) {
      await image?.release().catch(() => undefined);
      await prompt?.release().catch(() => undefined);
      optimisations.push(`precompute: split refused, full decoder used (${message(err)})`);
      return { decoder: a.full, optimisations };
    }
  }
  optimisations.push(`precompute: no split (${split})`);
  if (outputs.length < a.full.outputNames.length) {
    const pruned = pruneToOutputs(a.source, outputs);
    if (pruned) {
      try {
        const session = await openSession(ort, `${a.name} (pruned)`, pruned, a.sessionOptions);
        if (outputs.every((o) => session.outputNames.includes(o)) && a.full.inputNames.every((i) => session.inputNames.includes(i))) {
          await a.full.release().catch(() => undefined);
          optimisations.push(`prune: decoder reduced to the outputs read (${outputs.join(', ')})`);
          return { decoder: session, optimisations };
        }
        await session.release().catch(() => undefined);
        optimisations.push('prune: refused (names changed)');
      } catch (err) {
        optimisations.push(`prune: refused (${message(err)})`);
      }
    }
  }
  return { decoder: a.full, optimisations };
}

/** Largest difference allowed between a rewritten prompt half and the full decoder, relative to the output's range. */
const REWRITE_TOLERANCE = 1e-5;

/**
 * The prompt half with its products regrouped (core/models/decoder-rewrite.ts), if the
 * rewritten graph opens, keeps the prompt half's names and reproduces the full decoder on the
 * probe; else the prompt half as it was, and why, in `note`. Releases whichever is not kept.
 */
async function adoptRewrite(
  ort: Ort,
  a: PrepareArgs,
  probe: Probe,
  image: OrtSession,
  prompt: OrtSession,
  split: DecoderSplit,
): Promise<{ session: OrtSession; note: string }> {
  const rewrite = typeof a.rewrite === 'function' ? a.rewrite : rewriteDecoder;
  let rw: DecoderRewrite | string;
  try {
    rw = rewrite(split.promptGraph);
  } catch (err) {
    rw = `the rewriter failed (${message(err)})`;
  }
  if (typeof rw === 'string') return { session: prompt, note: `rewrite: none, prompt half unchanged (${rw})` };
  let session: OrtSession | undefined;
  try {
    session = await openSession(ort, `${a.name} (prompt half, rewritten)`, rw.graph, a.sessionOptions);
    const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((n) => y.includes(n));
    if (!same(session.inputNames, prompt.inputNames) || !same(session.outputNames, prompt.outputNames)) throw new Error('its inputs or outputs changed');
    const t0 = now();
    const diff = await compareOnProbe(ort, probe, image, session, split);
    if (!(diff <= REWRITE_TOLERANCE)) {
      throw new Error(`its outputs differ from the full decoder's by ${diff.toExponential(2)} (relative), more than ${REWRITE_TOLERANCE}`);
    }
    await prompt.release().catch(() => undefined);
    return {
      session,
      note:
        `rewrite: ${describeRewrite(rw)} (rewritten in ${Math.round(rw.ms)} ms; checked against the full decoder on the same embedding: ` +
        `max relative difference ${diff.toExponential(1)}, ${Math.round(now() - t0)} ms)`,
    };
  } catch (err) {
    await session?.release().catch(() => undefined);
    return { session: prompt, note: `rewrite: refused, prompt half unchanged (${message(err)})` };
  }
}

function checkNames(full: OrtSession, image: OrtSession, prompt: OrtSession, split: DecoderSplit, imageInputs: string[], outputs: string[]): void {
  const missing = (have: readonly string[], want: readonly string[]) => want.filter((n) => !have.includes(n));
  const promptInputs = full.inputNames.filter((n) => !imageInputs.includes(n) || split.imageInputs.includes(n));
  const problems = [
    ...missing(prompt.inputNames, [...promptInputs, ...split.boundary, ...Object.keys(split.aliases)]).map((n) => `prompt half lacks input ${n}`),
    ...missing(prompt.outputNames, outputs).map((n) => `prompt half lacks output ${n}`),
    ...missing(image.outputNames, split.boundary).map((n) => `image half lacks output ${n}`),
    ...missing(imageInputs, image.inputNames).map((n) => `image half takes unexpected input ${n}`),
  ];
  if (problems.length) throw new Error(problems.join('; '));
}

/**
 * Feeds for the prompt half: of the driver's feeds, those it takes; the boundary tensors; and
 * the aliased image inputs as views (same data, the shape the prompt half declares).
 */
export function promptHalfFeeds(
  ort: Ort,
  split: DecoderSplit,
  takes: ReadonlySet<string>,
  feeds: Record<string, OrtTensor>,
  boundary: Record<string, OrtTensor>,
  embedding: Record<string, OrtTensor>,
): Record<string, OrtTensor> {
  const out: Record<string, OrtTensor> = {};
  for (const [k, v] of Object.entries(feeds)) if (takes.has(k) && v) out[k] = v;
  for (const n of split.boundary) out[n] = boundary[n]!;
  for (const [n, a] of Object.entries(split.aliases)) {
    const src = embedding[a.input];
    if (!src) throw new Error(`the embedding lacks ${a.input}`);
    out[n] = new ort.Tensor(src.type as 'float32', src.data as Float32Array, a.dims);
  }
  return out;
}

function makeSplit(ort: Ort, name: string, image: OrtSession, prompt: OrtSession, split: DecoderSplit): SplitDecoder {
  // Boundary tensors of embeddings that did not come from `encode` (e.g. built by hand), by embedding.
  const computed = new WeakMap<Record<string, OrtTensor>, Promise<Record<string, OrtTensor>>>();
  const takes = new Set(prompt.inputNames);
  const boundary = async (tensors: Record<string, OrtTensor>) => {
    const feeds: Record<string, OrtTensor> = {};
    for (const n of image.inputNames) {
      const t = tensors[n];
      if (!t) throw new Error(`the embedding lacks ${n}`);
      feeds[n] = t;
    }
    return runSession(image, `${name} (image half)`, feeds, split.boundary);
  };
  return {
    image,
    split,
    boundary,
    async promptFeeds(feeds, tensors) {
      let b: Record<string, OrtTensor> = tensors;
      if (split.boundary.some((n) => !tensors[n])) {
        let p = computed.get(tensors);
        if (!p) {
          p = boundary(tensors);
          computed.set(tensors, p);
          p.catch(() => computed.delete(tensors));
        }
        b = await p;
      }
      return promptHalfFeeds(ort, split, takes, feeds, b, tensors);
    },
    async release() {
      await image.release();
    },
  };
}
