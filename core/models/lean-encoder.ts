/**
 * The engine side of core/models/onnx/chunk-attention.ts: opens an image encoder whose
 * attention blocks were cut into per-head or per-query-block pieces, after checking each
 * rewritten block, or the encoder as it is, saying why.
 *
 * What is checked at load, per distinct rewritten block (blocks with the same ops,
 * attributes, wiring, shapes and cut are one rewrite and are checked once): a standalone
 * model of the block's last piece runs in the runtime on random inputs (one piece: a fraction
 * of one block's work and memory), and sampled elements of its output (its first, middle and
 * last rows, at their places in the whole output) must equal the ORIGINAL block's value
 * there, computed element by element by an independent evaluator
 * (core/models/onnx/region-eval.ts), within VERIFY_TOLERANCE of the piece's spread. The
 * original encoder is never run: its peak memory is what the rewrite removes, and running it
 * once would leave the heap at that peak for good. (The Concat joining the pieces is not in
 * the probe; the tests compare whole rewritten encoders with the originals.)
 */
import type { Dim } from './onnx/shapes.js';
import { DataType, parseModel, readTensorValues, type OnnxModel } from './onnx/model.js';
import { analyseAttention, regionProbeModel, writeChunked, type ChunkAnalysis, type RegionPlan } from './onnx/chunk-attention.js';
import { RegionEvaluator } from './onnx/region-eval.js';
import { openSession } from './runtime.js';
import { planWarmUp, runWarmUp } from './warm-up.js';
import type { Ort, OrtSession, OrtTensor, SessionOptions } from './types.js';
import { probeNoise } from './probe-noise.js';

/** Largest tensor a rewritten block may hold: one head of 4096 × 4096 float scores. */
export const ATTENTION_BUDGET = 64 * 2 ** 20;
/** Largest difference allowed between a piece and the original block, relative to the piece's spread. */
export const VERIFY_TOLERANCE = 1e-5;

export interface LeanEncoderArgs {
  /** File name, for messages. */
  name: string;
  source: Uint8Array | string;
  /**
   * Fixed dims of the encoder's inputs as the engine feeds them (a dim that varies from image
   * to image must be left out: the rewrite writes the sizes into the graph).
   */
  inputShapes: (model: OnnxModel) => Map<string, Dim[]>;
  sessionOptions?: SessionOptions;
  /** Default true. */
  lean?: boolean;
  budget?: number;
  /** Run the encoder's kernels on tiny inputs at load (core/models/warm-up.ts). Default true. */
  warmUp?: boolean;
  /** Changes the plans before they are checked and written (tests: a wrong rewrite must be caught). */
  alterPlans?: (plans: RegionPlan[]) => void;
}

export interface LeanEncoder {
  session: OrtSession;
  /** What was done, or why not (for benchmarks and diagnostics). */
  optimisations: string[];
  /** The rewritten graph's bytes when the rewrite was used. */
  rewritten?: Uint8Array;
}

const message = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0]! : String(err));
const now = () => (globalThis.performance ?? Date).now();
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

/** float32 → IEEE half bits (round to nearest even), for float16 probe inputs. */
function toHalf(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  let mant = u & 0x7fffff;
  if (exp <= 0) return sign; // tiny values of the probe: zero is fine
  if (exp >= 31) return sign | 0x7c00;
  const round = mant & 0x1fff;
  mant >>>= 13;
  if (round > 0x1000 || (round === 0x1000 && mant & 1)) mant++;
  return sign | ((exp << 10) + mant);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** A tensor of random (float) or known (integer) values for a probe input; its values as numbers. */
function probeInput(ort: Ort, plan: RegionPlan, t: string, seed: number): { tensor: OrtTensor; values: ArrayLike<number> } {
  const dims = plan.shapes.get(t)!;
  const n = dims.reduce((a, b) => a * b, 1);
  const type = plan.types.get(t);
  const known = plan.values.get(t);
  switch (type) {
    case DataType.FLOAT: {
      const data = probeNoise(n, seed);
      return { tensor: new ort.Tensor('float32', data, dims), values: data };
    }
    case DataType.FLOAT16: {
      const f = probeNoise(n, seed);
      const bits = Uint16Array.from(f, toHalf);
      return { tensor: new ort.Tensor('float16', bits, dims), values: Array.from(bits, halfToFloat) };
    }
    case DataType.INT64: {
      const v = known ?? Array.from(probeNoise(n, seed), (x) => Math.round(x * 3));
      return { tensor: new ort.Tensor('int64', BigInt64Array.from(v, (x) => BigInt(x)), dims), values: v };
    }
    case DataType.INT32: {
      const v = known ?? Array.from(probeNoise(n, seed), (x) => Math.round(x * 3));
      return { tensor: new ort.Tensor('int32', Int32Array.from(v), dims), values: v };
    }
    default:
      throw new Error(`cannot make a probe input of type ${type} for ${t}`);
  }
}

/** The values of the initializers a region reads (the evaluator needs them). */
function initializerValues(model: OnnxModel, plan: RegionPlan): Map<string, ArrayLike<number>> {
  const out = new Map<string, ArrayLike<number>>();
  for (const init of model.graph.initializers) {
    if (!plan.whole.has(init.name) && !plan.sliced.has(init.name)) continue;
    const v = readTensorValues(model.bytes, init.field.valueStart, init.field.valueEnd, 1 << 22);
    if (!v.values) throw new Error(`cannot read initializer ${init.name}`);
    out.set(init.name, v.values);
  }
  return out;
}

/** Rows of the exit to check in piece k: its first, middle and last along the cut axis. */
function sampleIndices(plan: RegionPlan, k: number, seed: number): Array<{ global: number[]; local: number[] }> {
  const shape = plan.shapes.get(plan.exit)!;
  const len = shape[plan.axis]! / plan.chunks;
  const rand = probeNoise(shape.length * 3, seed);
  return [0, len >> 1, len - 1].map((row, s) => {
    const local = shape.map((d, i) => (i === plan.axis ? row : Math.floor(((rand[s * shape.length + i]! + 1) / 2) * d)));
    const global = local.map((c, i) => (i === plan.axis ? c + k * len : c));
    return { global, local };
  });
}

const ravel = (idx: readonly number[], shape: readonly number[]) => idx.reduce((acc, c, i) => acc * shape[i]! + c, 0);

/**
 * Runs pieces `which` (default: the last) of one rewritten block on random inputs and
 * compares sampled outputs with the original block's values. Returns the worst difference
 * relative to the pieces' spread.
 */
export async function verifyRegion(ort: Ort, model: OnnxModel, plan: RegionPlan, which = [plan.chunks - 1], seed = 7): Promise<number> {
  const probe = regionProbeModel(model, plan, which);
  const session = await openSession(ort, `${plan.label} (probe)`, probe.bytes);
  try {
    const feeds: Record<string, OrtTensor> = {};
    const values = initializerValues(model, plan);
    probe.inputs.forEach((t, i) => {
      const { tensor, values: v } = probeInput(ort, plan, t, seed + 31 * i);
      feeds[t] = tensor;
      values.set(t, v);
    });
    const out = await session.run(feeds);
    const evaluator = new RegionEvaluator(plan.nodes, { values, shapes: plan.shapes });
    const exitShape = plan.shapes.get(plan.exit)!;
    const pieceShape = exitShape.map((d, i) => (i === plan.axis ? d / plan.chunks : d));
    let worst = 0;
    for (const [j, k] of which.entries()) {
      const got = out[probe.outputs[j]!]?.data as ArrayLike<number> | undefined;
      if (!got || got.length !== pieceShape.reduce((a, b) => a * b, 1)) return Number.POSITIVE_INFINITY;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < got.length; i++) {
        const v = Number(got[i]);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const spread = Math.max(hi - lo, 1e-12);
      for (const s of sampleIndices(plan, k, seed + k)) {
        const want = evaluator.value(plan.exit, ravel(s.global, exitShape));
        const diff = Math.abs(Number(got[ravel(s.local, pieceShape)]) - want);
        if (!Number.isFinite(diff)) return Number.POSITIVE_INFINITY;
        worst = Math.max(worst, diff / spread);
      }
    }
    return worst;
  } finally {
    await session.release().catch(() => undefined);
  }
}

/**
 * What makes two blocks the same rewrite: per node, its op, attributes (bytes), where each
 * input comes from (a node of the block by position, or an outside tensor with its shape,
 * type, known value and how it is read) and its output's shape and cut. Names do not count.
 */
export function regionSignature(model: OnnxModel, plan: RegionPlan): string {
  const local = new Map<string, number>();
  plan.nodes.forEach((n, i) => n.outputs.forEach((o, j) => local.set(o, i * 16 + j)));
  const outside = new Map<string, number>();
  const parts = plan.nodes.map((n) => {
    const attrs = n.attributes.map((a) => Array.from(model.bytes.subarray(a.field.start, a.field.end)).join('.')).join('|');
    const need = plan.reads.get(n)!;
    const ins = n.inputs.map((t, i) => {
      if (!t) return '-';
      if (local.has(t)) return `n${local.get(t)}`;
      if (!outside.has(t)) outside.set(t, outside.size);
      return `x${outside.get(t)}:${plan.shapes.get(t)!.join('x')}:${plan.types.get(t)}:${plan.values.get(t)?.join(',') ?? ''}:${need[i]}`;
    });
    const o = n.outputs[0]!;
    return `${n.domain}.${n.opType}[${attrs}](${ins.join(';')})->${plan.shapes.get(o)!.join('x')}@${plan.cuts.get(o)}`;
  });
  return `${plan.chunks}/${plan.axis}/${parts.join(' ')}`;
}

/**
 * Plans the rewrite of an encoder given as bytes. Returns the analysis, or why there is
 * nothing to do.
 */
export function planLeanEncoder(bytes: Uint8Array, inputShapes: LeanEncoderArgs['inputShapes'], budget = ATTENTION_BUDGET): ChunkAnalysis | string {
  let model: OnnxModel;
  try {
    model = parseModel(bytes);
  } catch (err) {
    return `not a readable ONNX model (${message(err)})`;
  }
  return analyseAttention(model, { inputShapes: inputShapes(model), budget });
}

/** Warms the runtime's code for this encoder's kernels; says what it did, or why not. */
async function warmUpKernels(ort: Ort, analysis: ChunkAnalysis, options: SessionOptions | undefined, on = true): Promise<string> {
  if (!on) return 'warm-up: off';
  if (!analysis.info || !analysis.types) return 'warm-up: not done (no inferred shapes)';
  try {
    const plan = planWarmUp(analysis.model, analysis.info, analysis.types);
    if (!plan) return 'warm-up: not done (no compute node with known shapes)';
    const r = await runWarmUp(ort, plan, 8, options);
    const ops = [...new Set(plan.nodes.map((n) => n.opType))].sort().join(', ');
    return `warm-up: ${r.nodes} distinct kernels (${ops}) run ${r.runs}× on tiny inputs in ${Math.round(r.ms)} ms`;
  } catch (err) {
    return `warm-up: skipped (${message(err)})`;
  }
}

/**
 * Opens the encoder: rewritten when it is given as bytes, has attention blocks over the
 * budget, and every rewritten block passes its check; otherwise as it is. `optimisations`
 * says which, and why.
 */
export async function openLeanEncoder(ort: Ort, a: LeanEncoderArgs): Promise<LeanEncoder> {
  const original = () => openSession(ort, a.name, a.source, a.sessionOptions);
  const tag = 'lean attention';
  if (a.lean === false) return { session: await original(), optimisations: [`${tag}: off`] };
  if (!(a.source instanceof Uint8Array)) {
    return { session: await original(), optimisations: [`${tag}: not tried (the encoder was given as a path or URL, not bytes)`] };
  }
  const budget = a.budget ?? ATTENTION_BUDGET;
  const t0 = now();
  let analysis: ChunkAnalysis | string;
  try {
    analysis = planLeanEncoder(a.source, a.inputShapes, budget);
  } catch (err) {
    analysis = `planning failed (${message(err)})`;
  }
  if (typeof analysis === 'string') return { session: await original(), optimisations: [`${tag}: encoder unchanged (${analysis})`] };
  const refusedNote = analysis.refused.length ? `; left as they were: ${analysis.refused.join('; ')}` : '';
  if (!analysis.plans.length) {
    const why = analysis.refused.length ? analysis.refused.join('; ') : `no tensor over ${mb(budget)} (largest ${mb(analysis.largest)})`;
    return { session: await original(), optimisations: [`${tag}: encoder unchanged (${why})`] };
  }
  a.alterPlans?.(analysis.plans);
  const planMs = now() - t0;
  let rewritten: Uint8Array;
  let worst = 0;
  const t1 = now();
  let checked = 0;
  try {
    const seen = new Set<string>();
    for (const plan of analysis.plans) {
      const sig = regionSignature(analysis.model, plan);
      if (seen.has(sig)) continue;
      seen.add(sig);
      checked++;
      const diff = await verifyRegion(ort, analysis.model, plan);
      if (!(diff <= VERIFY_TOLERANCE)) throw new Error(`block ${plan.label} differs from the original by ${diff.toExponential(2)} of its spread`);
      worst = Math.max(worst, diff);
    }
    rewritten = writeChunked(analysis);
  } catch (err) {
    return { session: await original(), optimisations: [`${tag}: rewrite refused, encoder unchanged (${message(err)})`] };
  }
  const verifyMs = now() - t1;
  let session: OrtSession;
  try {
    session = await openSession(ort, `${a.name} (lean attention)`, rewritten, a.sessionOptions);
  } catch (err) {
    return { session: await original(), optimisations: [`${tag}: the runtime refused the rewritten encoder, encoder unchanged (${message(err)})`] };
  }
  const warm = await warmUpKernels(ort, analysis, a.sessionOptions, a.warmUp);
  const cuts = analysis.plans.map((p) => `${p.chunks} pieces along axis ${p.axis} of [${p.shapes.get(p.exit)!.join(',')}]`);
  const summary = [...new Set(cuts)].map((c) => `${cuts.filter((x) => x === c).length} in ${c}`).join(', ');
  return {
    session,
    rewritten,
    optimisations: [
      `${tag}: ${analysis.plans.length} attention blocks cut (${summary}); largest tensor ${mb(analysis.largest)} → ${mb(analysis.largestAfter)} ` +
        `(planned in ${Math.round(planMs)} ms; ${checked} distinct block${checked > 1 ? 's' : ''} checked, last piece against the original block on random inputs: ` +
        `max difference ${worst.toExponential(1)} of its spread, ${Math.round(verifyMs)} ms)${refusedNote}`,
      warm,
    ],
  };
}
