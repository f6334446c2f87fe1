/**
 * Kernel warm-up at load. A fresh wasm instance runs its first inference mostly in baseline
 * (Liftoff) code and tiers each hot function up to optimised code while it runs: in Node,
 * with `--no-liftoff`, the fixture encoder's first run costs the same CPU time as its steady
 * runs (0.98×), against 1.14–1.19× by default; kernel time and page faults of the first run
 * are small beside it (0.2 s). So the first-run penalty is code, not memory, and it is paid
 * once per instance whichever graph runs first.
 *
 * The warm-up pays it at load, on tiny inputs: one node per distinct kind of compute node of
 * the encoder (same op, same attributes, the same weight initializers — so the same packed
 * GEMM / convolution paths), with activations shrunk to a few rows, run a few times. It
 * computes nothing the engine uses: a failure only costs the warm-up, never the model.
 */
import { DataType, constantNodeBytes, nodeBytes, writeModel, type OnnxModel, type OnnxNode, type ValueSpec } from './onnx/model.js';
import { fieldString, readFields } from './onnx/proto.js';
import type { Dim, Info } from './onnx/shapes.js';
import { openSession } from './runtime.js';
import type { Ort, OrtTensor, SessionOptions } from './types.js';

/** How an op's activation inputs are shrunk. */
type Rule = 'rows' | 'matmul' | 'conv' | 'einsum';

const RULES: Record<string, Rule> = {
  MatMul: 'matmul',
  MatMulInteger: 'matmul',
  Conv: 'conv',
  Einsum: 'einsum',
  ConvInteger: 'conv',
  Softmax: 'rows',
  Erf: 'rows',
  Gelu: 'rows',
  Add: 'rows',
  Sub: 'rows',
  Mul: 'rows',
  Div: 'rows',
  Pow: 'rows',
  Sqrt: 'rows',
  Exp: 'rows',
  Tanh: 'rows',
  Sigmoid: 'rows',
  Relu: 'rows',
  ReduceMean: 'rows',
  LayerNormalization: 'rows',
  DynamicQuantizeLinear: 'rows',
  Transpose: 'rows',
  // Cast's one function holds every type pair (490 KB of wasm): its tier-up alone is most of
  // the fixture encoder's first-run penalty, paid for the tiny index tables of the
  // relative positions.
  Cast: 'rows',
  Pad: 'rows',
};

/** Ops whose integer inputs may be fed (their values do not shape anything). */
const INTEGER_DATA = new Set(['Cast']);
/** Ops whose integer inputs are parameters (pads): written as constants when inference knows them. */
const INTEGER_PARAMS = new Set(['Pad']);

/** Rows kept per leading dim, rows of a product, spatial extent of a convolution. */
const ROWS = 8;
const MATMUL_ROWS = 16;
const CONV_SIDE = 16;

export interface WarmUpPlan {
  bytes: Uint8Array;
  /** Graph input name → element type and shape. */
  inputs: Array<{ name: string; type: number; dims: number[] }>;
  /** The source nodes copied (one per distinct kind). */
  nodes: OnnxNode[];
}

interface Slot {
  name: string;
  /** The encoder's tensor it stands for. */
  from: string;
  dims: number[];
  type: number;
  /** Written as a Constant node (known integer parameters), not fed. */
  constant?: boolean;
}

function nodeConst(name: string, dims: number[], values: number[]): Uint8Array {
  return constantNodeBytes(name, name, DataType.INT64, dims, values);
}

const isNumShape = (s: readonly Dim[] | undefined): s is number[] => !!s && s.every((d) => typeof d === 'number');

/** The `equation` attribute of an Einsum node, if it has one without an ellipsis. */
function einsumTerms(model: OnnxModel, node: OnnxNode): string[] | undefined {
  const a = node.attributes.find((x) => x.name === 'equation');
  // AttributeProto.s is field 4.
  const f = a ? readFields(model.bytes, a.field.valueStart, a.field.valueEnd).find((x) => x.num === 4) : undefined;
  const eq = f ? fieldString(model.bytes, f) : undefined;
  if (!eq || eq.includes('.') || !eq.includes('->')) return undefined;
  return eq.replace(/\s/g, '').split('->')[0]!.split(',');
}

function shrink(rule: Rule, node: OnnxNode, slot: number, dims: number[], weightDims: number[] | undefined, terms?: string[]): number[] | undefined {
  const r = dims.length;
  // Einsum: every letter shrinks alike in every operand, so the equation still holds.
  if (rule === 'einsum') return terms?.[slot]?.length === r ? dims.map((d) => Math.min(d, ROWS)) : undefined;
  if (r === 0 || dims.reduce((a, b) => a * b, 1) === 1) return dims;
  if (rule === 'rows') return dims.map((d, i) => (i === r - 1 ? d : Math.min(d, ROWS)));
  if (rule === 'matmul') {
    // A: [..., M, K] keeps K; B (an activation): [..., K, N] keeps K. Batch dims to 1.
    if (r < 2) return undefined;
    if (slot === 0) return dims.map((d, i) => (i === r - 1 ? d : i === r - 2 ? Math.min(d, MATMUL_ROWS) : 1));
    if (slot === 1) return dims.map((d, i) => (i === r - 2 ? d : i === r - 1 ? Math.min(d, 64) : 1));
    return undefined;
  }
  // conv: X [N, C, spatial...] keeps C; the spatial extent must still cover the kernel.
  if (slot !== 0 || r < 3 || !weightDims) return undefined;
  return dims.map((d, i) => (i === 0 ? 1 : i === 1 ? d : Math.min(d, Math.max(CONV_SIDE, 2 * (weightDims[i] ?? 1)))));
}

/**
 * The warm-up graph for `model` (shapes inferred with its input sizes fixed), or undefined
 * when nothing in it qualifies.
 */
export function planWarmUp(model: OnnxModel, info: Map<string, Info>, types: Map<string, number | undefined>): WarmUpPlan | undefined {
  const inits = new Map(model.graph.initializers.map((t) => [t.name, t]));
  const seen = new Set<string>();
  const chosen: Array<{ node: OnnxNode; ins: Array<Slot | undefined>; consts: Uint8Array[] }> = [];
  for (const node of model.graph.nodes) {
    const rule = RULES[node.opType];
    if (!rule || node.domain !== '' || node.hasSubgraph) continue;
    const weight = rule === 'conv' ? inits.get(node.inputs[1] ?? '') : undefined;
    if (rule === 'conv' && !weight) continue;
    const terms = rule === 'einsum' ? einsumTerms(model, node) : undefined;
    if (rule === 'einsum' && !terms) continue;
    const key: string[] = [node.opType];
    const ins: Array<Slot | undefined> = [];
    const consts: Uint8Array[] = [];
    let ok = true;
    for (const [slot, t] of node.inputs.entries()) {
      if (!t) {
        ins.push(undefined);
        key.push('-');
        continue;
      }
      const init = inits.get(t);
      const type = init?.dataType ?? types.get(t);
      if (init) {
        if (init.external) ok = false;
        ins.push(undefined);
        key.push(`w${init.dims.length}:${type}`);
        continue;
      }
      const shape = info.get(t)?.shape;
      const value = info.get(t)?.value;
      if (INTEGER_PARAMS.has(node.opType) && slot > 0 && type === DataType.INT64 && isNumShape(shape) && value?.every((v) => typeof v === 'number')) {
        consts.push(nodeConst(`warm_c_${chosen.length}_${slot}`, shape, value as number[]));
        ins.push({ name: `warm_c_${chosen.length}_${slot}`, from: t, dims: shape, type, constant: true });
        key.push(`c${value.join('.')}`);
        continue;
      }
      const fed = type === DataType.FLOAT || type === DataType.UINT8 || type === DataType.INT8 || (INTEGER_DATA.has(node.opType) && type === DataType.INT64);
      // Other integer activations are indices or shapes: their values matter, leave such nodes out.
      if (!isNumShape(shape) || !fed) {
        ok = false;
        break;
      }
      const small = shrink(rule, node, slot, shape, weight?.dims, terms);
      if (!small) {
        ok = false;
        break;
      }
      ins.push({ name: `warm_in_${chosen.length}_${slot}`, from: t, dims: small, type });
      key.push(`a${shape.length}:${type}`);
    }
    if (!ok) continue;
    // An initializer (e.g. a bias or a position table) must still broadcast against the shrunk rows.
    if (rule === 'rows') {
      const rank = Math.max(...ins.map((x) => x?.dims.length ?? 0));
      const shrunkAt = new Set<number>();
      for (const x of ins) {
        if (!x || x.constant) continue;
        const full = info.get(x.from)!.shape as number[];
        x.dims.forEach((d, i) => d !== full[i] && shrunkAt.add(rank - x.dims.length + i));
      }
      const clash = node.inputs.some((t) => {
        const init = inits.get(t);
        return init?.dims.some((d, i) => d !== 1 && shrunkAt.has(rank - init.dims.length + i));
      });
      if (clash) continue;
    }
    if (ins.every((x) => !x)) continue;
    const attrs = node.attributes.map((a) => Array.from(model.bytes.subarray(a.field.start, a.field.end)).join('.')).join('|');
    const sig = `${key.join(',')}[${attrs}]`;
    if (seen.has(sig)) continue;
    seen.add(sig);
    chosen.push({ node, ins, consts });
  }
  if (!chosen.length) return undefined;
  const inputs: WarmUpPlan['inputs'] = [];
  const outputs: ValueSpec[] = [];
  const nodes = chosen.flatMap(({ node, ins, consts }, k) => {
    const names = node.inputs.map((t, slot) => ins[slot]?.name ?? t);
    for (const x of ins) if (x && !x.constant) inputs.push({ name: x.name, type: x.type, dims: x.dims });
    const outs = node.outputs.map((o, j) => (o ? `warm_out_${k}_${j}` : ''));
    const type = types.get(node.outputs[0]!);
    if (type !== undefined) outputs.push({ name: outs[0]!, elemType: type });
    const copy = { bytes: nodeBytes({ opType: node.opType, inputs: names, outputs: outs, name: `warm_${k}`, copy: { buf: model.bytes, attributes: node.attributes } }) };
    return [...consts.map((bytes) => ({ bytes })), copy];
  });
  const used = new Set(chosen.flatMap(({ node }) => node.inputs));
  const bytes = writeModel(model, {
    nodes,
    initializers: model.graph.initializers.filter((t) => used.has(t.name)),
    inputs: inputs.map((i) => ({ name: i.name, elemType: i.type, dims: i.dims })),
    outputs,
    name: 'warm-up',
  });
  return { bytes, inputs, nodes: chosen.map((c) => c.node) };
}

/** Deterministic small values of each input's type. */
function feed(ort: Ort, i: WarmUpPlan['inputs'][number], seed: number): OrtTensor {
  const n = i.dims.reduce((a, b) => a * b, 1);
  let s = (seed * 2654435761) >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  if (i.type === DataType.UINT8) return new ort.Tensor('uint8', Uint8Array.from({ length: n }, () => Math.floor(next() * 256)), i.dims);
  if (i.type === DataType.INT64) return new ort.Tensor('int64', new BigInt64Array(n), i.dims);
  if (i.type === DataType.INT8) return new ort.Tensor('int8', Int8Array.from({ length: n }, () => Math.floor(next() * 256) - 128), i.dims);
  return new ort.Tensor('float32', Float32Array.from({ length: n }, () => next() * 2 - 1), i.dims);
}

export interface WarmUpResult {
  /** Distinct nodes run. */
  nodes: number;
  runs: number;
  ms: number;
}

/** Runs the warm-up graph `runs` times. Throws when the runtime refuses it (callers note it and go on). */
export async function runWarmUp(ort: Ort, plan: WarmUpPlan, runs = 3, options: SessionOptions = {}): Promise<WarmUpResult> {
  const start = (globalThis.performance ?? Date).now();
  const session = await openSession(ort, 'warm-up', plan.bytes, options);
  try {
    const feeds: Record<string, OrtTensor> = {};
    plan.inputs.forEach((i, k) => (feeds[i.name] = feed(ort, i, k + 1)));
    for (let r = 0; r < runs; r++) await session.run(feeds);
  } finally {
    await session.release().catch(() => undefined);
  }
  return { nodes: plan.nodes.length, runs, ms: (globalThis.performance ?? Date).now() - start };
}
