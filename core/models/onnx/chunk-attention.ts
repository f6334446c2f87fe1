/**
 * Lean attention: rewrites the attention blocks of a graph so that no tensor holds the scores
 * of all heads and all queries at once.
 *
 * A global-attention block of a ViT encoder (SAM's, SlimSAM's, Hiera's) computes
 * `softmax(Q·Kᵀ + bias)·V` over 4096 tokens: each of the score tensors is heads × 4096 × 4096
 * floats (805 MB for 12 heads), and onnxruntime-web's heap grows to hold several of them and
 * never shrinks. Here, with the graph's input sizes fixed, every tensor over a byte budget is
 * found by shape inference; the nodes touching them form a region (one per attention block)
 * whose one output is small. An axis of that output (queries, or heads) is traced back through
 * the region op by op, each op saying which axis of each of its inputs the output axis comes
 * from (or that it needs an input whole); the region is then written K times, each copy fed by
 * a Slice of its small inputs (the query rows, the rows of the relative-position terms) and
 * computing one block of the output, and a Concat joins the blocks. Each copy runs the same
 * operations in the same order on a slice: the result is the original one.
 *
 * Only ops whose rule is known are crossed (MatMul, broadcasting elementwise ops, Softmax on
 * another axis, Reshape/Unsqueeze/Squeeze/Transpose, unary math); anything else refuses the
 * region with a reason and leaves it as it was. `region-eval.ts` is the independent check.
 */
import { DataType, constantNodeBytes, nodeBytes, writeModel, type NewNode, type OnnxModel, type OnnxNode } from './model.js';
import { inferShapes, ShapeConflict, type Dim, type Info } from './shapes.js';
import { inferElemTypes } from './types.js';

export interface ChunkOptions {
  /** Fixed shape of each graph input (inputs left out keep their declared dims). */
  inputShapes: Map<string, Dim[]>;
  /** Largest tensor, in bytes, a rewritten region may hold. */
  budget: number;
  /** Most copies of one region (default 64). */
  maxChunks?: number;
}

/** One attention region and how it is cut. */
export interface RegionPlan {
  /** A name for messages: the region's Softmax node. */
  label: string;
  /** The region's nodes in graph order (those the output depends on). */
  nodes: OnnxNode[];
  /** Nodes that touched the big tensors but feed nothing (dropped). */
  dead: OnnxNode[];
  /** The region's one output, rebuilt by a Concat. */
  exit: string;
  /** The exit's axis the region is cut along. */
  axis: number;
  chunks: number;
  /** Axis along which each tensor the region computes is cut. */
  cuts: Map<string, number>;
  /** Tensors from outside the region it reads sliced, with the axes they are sliced along. */
  sliced: Map<string, Set<number>>;
  /** Tensors from outside the region it reads whole. */
  whole: Set<string>;
  /** What each node needs of each of its inputs for one block of its output. */
  reads: Map<OnnxNode, Need[]>;
  /** Numeric shape of every tensor the region reads or computes. */
  shapes: Map<string, number[]>;
  /** Element type of those tensors. */
  types: Map<string, number>;
  /** Known values of small integer tensors (Unsqueeze axes, Reshape shapes...). */
  values: Map<string, number[]>;
  /** Largest tensor of the region, in bytes, before and after cutting. */
  largest: number;
  largestChunk: number;
}

export interface ChunkAnalysis {
  model: OnnxModel;
  plans: RegionPlan[];
  /** Regions left as they are, and why. */
  refused: string[];
  /** Largest tensor of the graph, by inferred shapes (bytes), and the largest after the rewrite. */
  largest: number;
  largestAfter: number;
  /** Inferred shapes and element types of the whole graph (for other load-time tools). */
  info?: Map<string, Info>;
  types?: Map<string, number | undefined>;
}

export const ELEMENT_BYTES: Record<number, number> = {
  [DataType.FLOAT]: 4, [DataType.UINT8]: 1, [DataType.INT8]: 1, [DataType.UINT16]: 2, [DataType.INT16]: 2, [DataType.INT32]: 4,
  [DataType.INT64]: 8, [DataType.BOOL]: 1, [DataType.FLOAT16]: 2, [DataType.DOUBLE]: 8, [DataType.UINT32]: 4, [DataType.UINT64]: 8,
  [DataType.BFLOAT16]: 2,
};

const FLOATS = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16]);

/** Elementwise ops with numpy broadcasting. */
export const BROADCAST_OPS = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Where']);
/** One-input elementwise ops (extra inputs of Clip are scalars). */
export const UNARY_OPS = new Set(['Identity', 'Relu', 'Exp', 'Log', 'Erf', 'Sqrt', 'Tanh', 'Sigmoid', 'Neg', 'Abs', 'Reciprocal', 'Cast', 'Clip']);
/** Cheap ops taken into a region from its inputs' side. */
const ABSORB = new Set(['Mul', 'Div', 'Add', 'Sub', 'Transpose', 'Reshape', 'Unsqueeze', 'Squeeze', 'Cast', 'Identity']);

/** Ops that keep the elements in row-major order and only rename the dims. */
export const LAYOUT_OPS = new Set(['Reshape', 'Unsqueeze', 'Squeeze']);

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);
const allNum = (ds: readonly Dim[] | undefined): ds is number[] => !!ds && ds.every((d) => typeof d === 'number');

class Refusal extends Error {}
const refuse = (why: string): never => {
  throw new Refusal(why);
};

/** What an op needs of an input for one block of its output: a cut axis, the whole tensor, or nothing (replaced). */
export type Need = number | 'whole' | 'replaced';

/** Axes of a Squeeze/Unsqueeze, from its attribute (opset < 13) or its second input's known value. */
function axesOf(n: OnnxNode, values: Map<string, number[]>): number[] | undefined {
  if (n.inputs[1]) return values.get(n.inputs[1]);
  return n.attributes.find((a) => a.name === 'axes')?.ints;
}

const attrInt = (n: OnnxNode, name: string, dflt: number) => n.attributes.find((a) => a.name === name)?.i ?? dflt;

/**
 * For one block of `n`'s output cut along `axis` into `k` pieces: what the op needs of each
 * input. Throws a Refusal when the op is unknown or the block depends on the whole input.
 */
function needs(n: OnnxNode, axis: number, k: number, shape: (t: string) => number[], values: Map<string, number[]>, opset: number): Need[] {
  const out = shape(n.outputs[0]!);
  const r = out.length;
  const broadcastNeed = (t: string): Need => {
    const s = shape(t);
    const j = axis - (r - s.length);
    return j < 0 || s[j] === 1 ? 'whole' : j;
  };
  if (n.domain !== '' && n.domain !== 'ai.onnx') refuse(`${n.opType} of domain ${n.domain}`);
  if (BROADCAST_OPS.has(n.opType)) return n.inputs.map(broadcastNeed);
  if (UNARY_OPS.has(n.opType)) {
    if (n.opType === 'Cast' && !FLOATS.has(attrInt(n, 'to', 0))) refuse('a Cast to a non-float type');
    return n.inputs.map((t, i) => (i === 0 ? axis : t ? 'whole' : 'replaced'));
  }
  switch (n.opType) {
    case 'Softmax':
    case 'LogSoftmax': {
      const a = attrInt(n, 'axis', opset >= 13 ? -1 : 1);
      const norm = a < 0 ? a + r : a;
      // Before opset 13 the op normalises over all the dims from `axis` on.
      if (opset >= 13 ? axis === norm : axis >= norm) refuse(`${n.opType} normalises over the cut axis`);
      return [axis];
    }
    case 'MatMul': {
      const [a, b] = [shape(n.inputs[0]!), shape(n.inputs[1]!)];
      if (a.length < 2 || b.length < 2) refuse('a MatMul of a vector');
      if (axis === r - 2) return [a.length - 2, 'whole'];
      if (axis === r - 1) return ['whole', b.length - 1];
      return [broadcastNeed(n.inputs[0]!), broadcastNeed(n.inputs[1]!)];
    }
    case 'Transpose': {
      const perm = n.attributes.find((x) => x.name === 'perm')?.ints ?? out.map((_, i) => r - 1 - i);
      return [perm[axis]!];
    }
    case 'Unsqueeze': {
      const axes = axesOf(n, values)?.map((x) => (x < 0 ? x + r : x));
      if (!axes) refuse('an Unsqueeze with unknown axes');
      if (axes!.includes(axis)) refuse('a cut along an unsqueezed axis');
      return [axis - axes!.filter((x) => x < axis).length, ...n.inputs.slice(1).map((): Need => 'whole')];
    }
    case 'Squeeze': {
      const inShape = shape(n.inputs[0]!);
      const given = axesOf(n, values);
      if (n.inputs[1] && !given) refuse('a Squeeze with unknown axes');
      const axes = (given ?? inShape.flatMap((d, i) => (d === 1 ? [i] : []))).map((x) => (x < 0 ? x + inShape.length : x));
      const kept = inShape.map((_, i) => i).filter((i) => !axes.includes(i));
      return [kept[axis]!, ...n.inputs.slice(1).map((): Need => 'whole')];
    }
    case 'Reshape': {
      const inShape = shape(n.inputs[0]!);
      const outer = prod(out.slice(0, axis));
      const innerOut = prod(out.slice(axis + 1));
      const block = (out[axis]! / k) * innerOut;
      for (let b = 0; b < inShape.length; b++) {
        const innerIn = prod(inShape.slice(b + 1));
        if (prod(inShape.slice(0, b)) === outer && inShape[b]! > 1 && block % innerIn === 0 && (block / innerIn) * k === inShape[b]) {
          return [b, 'replaced'];
        }
      }
      return refuse(`a Reshape of [${inShape.join(',')}] to [${out.join(',')}] that mixes the cut axis with others`);
    }
    default:
      return refuse(`${n.opType} (no rule for it)`);
  }
}

/**
 * Plans the cut of one region along `axis` of its exit in `k` pieces: the cut of every
 * tensor it computes and how it reads each outside tensor. Throws a Refusal.
 */
function planCut(
  nodes: OnnxNode[],
  exit: string,
  axis: number,
  k: number,
  shape: (t: string) => number[],
  values: Map<string, number[]>,
  opset: number,
): { cuts: Map<string, number>; sliced: Map<string, Set<number>>; whole: Set<string>; reads: Map<OnnxNode, Need[]> } {
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const cuts = new Map<string, number>([[exit, axis]]);
  const reads = new Map<OnnxNode, Need[]>();
  const sliced = new Map<string, Set<number>>();
  const whole = new Set<string>();
  for (const n of [...nodes].reverse()) {
    const outs = n.outputs.filter(Boolean);
    if (outs.length !== 1) refuse(`${n.opType} ${n.name} has ${outs.length} outputs`);
    const c = cuts.get(outs[0]!);
    if (c === undefined) refuse(`${n.name} feeds nothing in the region`);
    const need = needs(n, c!, k, shape, values, opset);
    reads.set(n, need);
    n.inputs.forEach((t, i) => {
      const w = need[i];
      if (!t || w === 'replaced' || w === undefined) return;
      if (produced.has(t)) {
        if (w === 'whole') refuse(`${n.name} needs ${t} whole`);
        const prev = cuts.get(t);
        if (prev !== undefined && prev !== w) refuse(`${t} would be cut along two axes`);
        cuts.set(t, w as number);
      } else if (w === 'whole') whole.add(t);
      else {
        if (shape(t)[w]! % k) refuse(`${t} has ${shape(t)[w]} rows along axis ${w}, not a multiple of ${k}`);
        const s = sliced.get(t) ?? new Set<number>();
        s.add(w);
        sliced.set(t, s);
      }
    });
  }
  for (const [t, a] of cuts) if (shape(t)[a]! % k) refuse(`${t} cannot be cut in ${k}`);
  return { cuts, sliced, whole, reads };
}

/** Shapes, types and values by inference with the inputs' sizes fixed. */
function inferAll(model: OnnxModel, inputShapes: Map<string, Dim[]>): { info: Map<string, Info>; types: Map<string, number | undefined> } {
  const types = inferElemTypes(model.graph);
  const info = inferShapes(model.graph, model.bytes, { inputShapes, types });
  return { info, types };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/**
 * Finds the attention regions of a graph and how to cut each. Regions that cannot be cut are
 * listed in `refused` with the reason; a graph with none over the budget gives no plans.
 */
export function analyseAttention(model: OnnxModel, options: ChunkOptions): ChunkAnalysis | string {
  const g = model.graph;
  if (model.functionCount) return 'the model defines local functions';
  if (g.sparseInitializers) return 'the model has sparse initializers';
  // Shape inference over a large graph takes a moment: not for graphs without attention.
  if (!g.nodes.some((n) => n.opType === 'Softmax' || n.opType === 'LogSoftmax')) return 'no attention (no Softmax)';
  const opset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  if (opset < 13) return `opset ${opset} (< 13)`;
  let inferred: ReturnType<typeof inferAll>;
  try {
    inferred = inferAll(model, options.inputShapes);
  } catch (err) {
    if (err instanceof ShapeConflict) return `shape inference failed (${err.message})`;
    throw err;
  }
  const { info, types } = inferred;
  const numShape = (t: string) => {
    const s = info.get(t)?.shape;
    return allNum(s) ? s : undefined;
  };
  const sizeOf = (t: string) => {
    const s = numShape(t);
    const e = ELEMENT_BYTES[types.get(t) ?? -1];
    return s && e ? prod(s) * e : undefined;
  };
  const producer = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of g.nodes) {
    for (const o of n.outputs) if (o) producer.set(o, n);
    for (const i of [...n.inputs, ...n.subgraphInputs]) if (i) (consumers.get(i) ?? consumers.set(i, []).get(i)!).push(n);
  }
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  let largest = 0;
  const big = new Set<string>();
  for (const t of producer.keys()) {
    const s = sizeOf(t);
    if (s === undefined) continue;
    largest = Math.max(largest, s);
    if (s > options.budget) big.add(t);
  }
  // Regions: nodes joined by the big tensors between them.
  const parent = new Map<OnnxNode, OnnxNode>();
  const find = (n: OnnxNode): OnnxNode => {
    let r = n;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(n, r);
    return r;
  };
  const join = (a: OnnxNode, b: OnnxNode) => {
    parent.set(find(a), find(b));
  };
  for (const t of big) {
    const p = producer.get(t)!;
    if (!parent.has(p)) parent.set(p, p);
    for (const c of consumers.get(t) ?? []) {
      if (!parent.has(c)) parent.set(c, c);
      join(p, c);
    }
  }
  const groups = new Map<OnnxNode, OnnxNode[]>();
  for (const n of parent.keys()) (groups.get(find(n)) ?? groups.set(find(n), []).get(find(n))!).push(n);

  const plans: RegionPlan[] = [];
  const refused: string[] = [];
  let largestAfter = 0;
  const values = new Map<string, number[]>();
  for (const [t, i] of info) if (i.value && i.value.every((v) => typeof v === 'number')) values.set(t, i.value as number[]);
  for (const members of groups.values()) {
    members.sort((a, b) => a.index - b.index);
    const softmax = members.find((n) => n.opType === 'Softmax' || n.opType === 'LogSoftmax');
    const regionLargest = Math.max(...members.flatMap((n) => n.outputs.map((o) => (o ? sizeOf(o) ?? 0 : 0))));
    const label = softmax ? softmax.name || softmax.outputs[0]! : members[0]!.name || members[0]!.opType;
    const result = planRegion(members, softmax, label);
    if (typeof result === 'string') {
      refused.push(`${label}: ${result}`);
      largestAfter = Math.max(largestAfter, regionLargest);
    } else {
      plans.push(result);
      largestAfter = Math.max(largestAfter, result.largestChunk);
    }
  }
  for (const t of producer.keys()) if (!big.has(t)) largestAfter = Math.max(largestAfter, sizeOf(t) ?? 0);
  return { model, plans, refused, largest, largestAfter, info, types };

  function planRegion(members: OnnxNode[], softmax: OnnxNode | undefined, label: string): RegionPlan | string {
    if (!softmax) return 'tensors over the budget outside attention (no Softmax among them)';
    const inRegion = new Set(members);
    // Take in the cheap ops that feed the region and nothing else (the scaling of Q and K, the
    // reshapes around them), so that each piece holds the same op patterns as the original:
    // the runtime then fuses them the same way (e.g. a scalar Mul into the MatMul) and the
    // pieces compute bit for bit what the original computed.
    for (let grew = true; grew; ) {
      grew = false;
      for (const n of [...inRegion]) {
        for (const t of n.inputs) {
          const p = t ? producer.get(t) : undefined;
          if (!p || inRegion.has(p) || !ABSORB.has(p.opType) || p.hasSubgraph || p.outputs.filter(Boolean).length !== 1) continue;
          if (graphOutputs.has(p.outputs[0]!) || !(consumers.get(p.outputs[0]!) ?? []).every((c) => inRegion.has(c))) continue;
          if (!p.inputs[0] || !producer.has(p.inputs[0])) continue; // stop at graph inputs and weights
          inRegion.add(p);
          grew = true;
        }
      }
    }
    members = [...inRegion].sort((a, b) => a.index - b.index);
    const exits = new Set<string>();
    for (const n of members) {
      if (n.hasSubgraph) return `${n.opType} ${n.name} holds a subgraph`;
      for (const o of n.outputs) {
        if (!o) continue;
        if (graphOutputs.has(o) || (consumers.get(o) ?? []).some((c) => !inRegion.has(c))) exits.add(o);
      }
    }
    if (exits.size !== 1) return `${exits.size} outputs leave the region (${[...exits].slice(0, 3).join(', ')})`;
    const exit = [...exits][0]!;
    if (big.has(exit)) return `its output ${exit} is itself over the budget`;
    // Keep what the exit depends on; the rest of the region is dead.
    const needed = new Set<OnnxNode>();
    const stack = [producer.get(exit)!];
    while (stack.length) {
      const n = stack.pop()!;
      if (needed.has(n)) continue;
      needed.add(n);
      for (const i of n.inputs) {
        const p = i ? producer.get(i) : undefined;
        if (p && inRegion.has(p)) stack.push(p);
      }
    }
    const nodes = members.filter((n) => needed.has(n));
    const dead = members.filter((n) => !needed.has(n));
    const tensors = new Set(nodes.flatMap((n) => [...n.inputs, ...n.outputs]).filter(Boolean));
    const shapes = new Map<string, number[]>();
    const typeMap = new Map<string, number>();
    for (const t of tensors) {
      const s = numShape(t);
      const ty = types.get(t);
      if (!s || s.some((d) => d <= 0)) return `the shape of ${t} is not known`;
      if (ty === undefined) return `the type of ${t} is not known`;
      shapes.set(t, s);
      typeMap.set(t, ty);
    }
    const shape = (t: string) => shapes.get(t)!;
    const exitShape = shape(exit);
    const regionTensors = nodes.flatMap((n) => n.outputs).filter(Boolean);
    const regionLargest = Math.max(...regionTensors.map((t) => sizeOf(t)!));
    let lastWhy = 'no axis of its output can be cut';
    const maxChunks = options.maxChunks ?? 64;
    for (let k = 2; k <= maxChunks; k++) {
      for (let axis = 0; axis < exitShape.length; axis++) {
        if (exitShape[axis]! % k) continue;
        try {
          const cut = planCut(nodes, exit, axis, k, shape, values, opset);
          const largestChunk = Math.max(...regionTensors.map((t) => sizeOf(t)! / k));
          if (largestChunk > options.budget) {
            lastWhy = `${k} pieces still hold ${mb(largestChunk)}`;
            continue;
          }
          const vals = new Map<string, number[]>();
          for (const t of tensors) if (values.has(t)) vals.set(t, values.get(t)!);
          return { label, nodes, dead, exit, axis, chunks: k, ...cut, shapes, types: typeMap, values: vals, largest: regionLargest, largestChunk };
        } catch (err) {
          if (!(err instanceof Refusal)) throw err;
          lastWhy = `axis ${axis}: ${err.message}`;
        }
      }
    }
    return `cannot be cut within ${mb(options.budget)} per tensor (${lastWhy})`;
  }
}

/** The names a region's copy uses (kept apart from every name the graph has). */
export interface ChunkNames {
  chunk(t: string, k: number): string;
  slice(t: string, axis: number, k: number): string;
}

function chunkNames(model: OnnxModel): ChunkNames {
  const taken = new Set<string>();
  for (const n of model.graph.nodes) for (const t of [...n.inputs, ...n.outputs]) taken.add(t);
  // A marker no existing name contains, so no generated name can collide with one.
  let tag = '::chunk';
  while ([...taken].some((t) => t.includes(tag))) tag += '_';
  return {
    chunk: (t, k) => `${t}${tag}${k}`,
    slice: (t, axis, k) => `${t}${tag}${k}_axis${axis}`,
  };
}

/**
 * The nodes computing chunks `which` of a region: Slice nodes for the inputs it reads sliced
 * (their constants included), the region's nodes copied with renamed tensors and the chunk's
 * shape in each Reshape; each chunk's output is `names.chunk(exit, k)`.
 */
export function chunkNodes(model: OnnxModel, plan: RegionPlan, which: readonly number[], names: ChunkNames): NewNode[] {
  const buf = model.bytes;
  const out: NewNode[] = [];
  const produced = new Set(plan.nodes.flatMap((n) => n.outputs));
  const i64 = (name: string, values: number[]) => out.push({ bytes: constantNodeBytes(name, name, DataType.INT64, [values.length], values) });
  const reshapeShape = new Map<OnnxNode, string>();
  for (const n of plan.nodes) {
    if (n.opType !== 'Reshape') continue;
    const o = n.outputs[0]!;
    const s = [...plan.shapes.get(o)!];
    s[plan.cuts.get(o)!]! /= plan.chunks;
    const name = `${names.chunk(o, -1)}_shape`;
    i64(name, s);
    reshapeShape.set(n, name);
  }
  for (const [t, axes] of plan.sliced) for (const a of axes) i64(`${names.slice(t, a, -1)}_axes`, [a]);
  for (const k of which) {
    for (const [t, axes] of plan.sliced) {
      for (const a of axes) {
        const len = plan.shapes.get(t)![a]! / plan.chunks;
        const s = names.slice(t, a, k);
        i64(`${s}_starts`, [k * len]);
        i64(`${s}_ends`, [(k + 1) * len]);
        out.push({ bytes: nodeBytes({ opType: 'Slice', name: s, inputs: [t, `${s}_starts`, `${s}_ends`, `${names.slice(t, a, -1)}_axes`], outputs: [s] }) });
      }
    }
    for (const n of plan.nodes) {
      const need = plan.reads.get(n)!;
      const inputs = n.inputs.map((t, i) => {
        if (!t) return t;
        if (need[i] === 'replaced') return reshapeShape.get(n)!;
        if (produced.has(t)) return names.chunk(t, k);
        const a = need[i];
        return typeof a === 'number' ? names.slice(t, a, k) : t;
      });
      out.push({
        bytes: nodeBytes({
          opType: n.opType,
          domain: n.domain,
          name: names.chunk(n.name || n.outputs[0]!, k),
          inputs,
          outputs: n.outputs.map((o) => (o ? names.chunk(o, k) : o)),
          copy: { buf, attributes: n.attributes },
        }),
      });
    }
  }
  return out;
}

/** The whole graph with every planned region replaced by its chunks and a Concat. */
export function writeChunked(analysis: Pick<ChunkAnalysis, 'model' | 'plans'>): Uint8Array {
  const { model, plans } = analysis;
  const names = chunkNames(model);
  const removed = new Set<OnnxNode>(plans.flatMap((p) => [...p.nodes, ...p.dead]));
  const at = new Map<OnnxNode, RegionPlan>(plans.map((p) => [p.nodes.find((n) => n.outputs.includes(p.exit))!, p]));
  const nodes: Array<OnnxNode | NewNode> = [];
  for (const n of model.graph.nodes) {
    const p = at.get(n);
    if (p) {
      const all = Array.from({ length: p.chunks }, (_, k) => k);
      nodes.push(...chunkNodes(model, p, all, names));
      nodes.push({
        bytes: nodeBytes({
          opType: 'Concat',
          name: names.chunk(p.exit, -1),
          inputs: all.map((k) => names.chunk(p.exit, k)),
          outputs: [p.exit],
          attributes: { axis: { int: p.axis } },
        }),
      });
    } else if (!removed.has(n)) nodes.push(n);
  }
  const g = model.graph;
  // value_info of the removed tensors would describe names that no longer exist.
  const gone = new Set(plans.flatMap((p) => [...p.nodes, ...p.dead].flatMap((n) => n.outputs)));
  for (const p of plans) gone.delete(p.exit);
  // Initializers only the removed nodes read (the Reshape shapes) would be dead weight.
  const read = new Set<string>(g.outputs.map((o) => o.name));
  for (const n of model.graph.nodes) if (!removed.has(n)) for (const i of [...n.inputs, ...n.subgraphInputs]) read.add(i);
  for (const p of plans) for (const t of [...p.sliced.keys(), ...p.whole]) read.add(t);
  const initializers = g.initializers.filter((t) => read.has(t.name));
  return writeModel(model, { nodes, initializers, inputs: g.inputs, outputs: g.outputs, valueInfo: g.valueInfo.filter((v) => !gone.has(v.name)) });
}

/**
 * A standalone model computing chunks `which` of one region: its inputs are the tensors the
 * region reads from outside (initializers stay initializers), its outputs the chunks' outputs.
 */
export function regionProbeModel(model: OnnxModel, plan: RegionPlan, which: readonly number[]): { bytes: Uint8Array; inputs: string[]; outputs: string[] } {
  const names = chunkNames(model);
  const inits = new Map(model.graph.initializers.map((t) => [t.name, t]));
  const reads = [...new Set([...plan.sliced.keys(), ...plan.whole])];
  const inputs = reads.filter((t) => !inits.has(t));
  const outputs = which.map((k) => names.chunk(plan.exit, k));
  const exitShape = [...plan.shapes.get(plan.exit)!];
  exitShape[plan.axis]! /= plan.chunks;
  const bytes = writeModel(model, {
    nodes: chunkNodes(model, plan, which, names),
    initializers: reads.filter((t) => inits.has(t)).map((t) => inits.get(t)!),
    inputs: inputs.map((t) => ({ name: t, elemType: plan.types.get(t)!, dims: plan.shapes.get(t)! })),
    outputs: outputs.map((t) => ({ name: t, elemType: plan.types.get(plan.exit)!, dims: exitShape })),
    name: `${plan.label} (chunks ${which.join(', ')})`,
  });
  return { bytes, inputs, outputs };
}
