/**
 * Exact algebraic rewrites of a SAM decoder graph (in practice the prompt half of
 * core/models/precompute.ts) that do the same arithmetic in fewer multiplications or moves.
 *
 * In SAM's two-way transformer the attentions between the few prompt tokens (n ≈ 7) and the
 * P = 4096 image tokens spend almost all their time in P-row projections (P × 256 × 128 each),
 * while the attention itself is only P × n per head. Regrouping the products per head moves
 * the P-row work onto the n side:
 *
 * - attention output, queries = image tokens:  (A V) Wo = Σ_h A_h (V_h Wo_h)  — the heads'
 *   weights laid side by side make one P × (H·n) × D product instead of P × (H·d) × D;
 * - keys = image tokens:  q_h (X Wk_h + bk_h)ᵀ = (q_h Wk_hᵀ) Xᵀ + q_h·bk_h, and the last term
 *   is the same for every key, which the softmax cancels;
 * - values = image tokens:  A_h (X Wv_h + bv_h) = (A_h X) Wv_h + bv_h, the softmax rows
 *   summing to one;
 * - queries = image tokens:  (X Wq_h + bq_h) k_hᵀ = X (Wq_h k_hᵀ) + bq_h k_hᵀ.
 *
 * Each costs H·n instead of H·d on the P side, so it pays while a prompt has fewer tokens
 * than a head has channels (SAM: d = 16, n = 5 + points + 1, so up to about ten points).
 *
 * The mask upscaling after the transformer (two stride-2 ConvTransposes with a LayerNorm and
 * GELUs between) is the same arithmetic with the channels last: a ConvTranspose whose stride
 * equals its kernel gives each output pixel one input pixel, so it is one product, and the
 * col2im shuffles and channel transposes reduce to one transpose of the few final masks.
 *
 * Patterns are matched on structure and shapes, never names; anything that does not match
 * exactly is left alone. Nothing here changes what is computed beyond float rounding, but a
 * caller must still compare the rewritten graph with the original on a probe before using it
 * (core/models/split-decoder.ts does).
 */
import {
  constantNodeBytes,
  DataType,
  nodeBytes,
  parseModel,
  writeModel,
  type NodeSpec,
  type OnnxInitializer,
  type OnnxModel,
  type OnnxNode,
} from './onnx/model.js';
import { inferShapes, ShapeConflict, type Dim, type Info } from './onnx/shapes.js';
import { inferElemTypes } from './onnx/types.js';

export type RuleName = 'attention-output' | 'attention-keys' | 'attention-values' | 'attention-queries' | 'upscaling';

export interface DecoderRewrite {
  graph: Uint8Array;
  /** How many places each rule rewrote. */
  counts: Partial<Record<RuleName, number>>;
  /** Nodes before and after. */
  nodes: { before: number; after: number };
  ms: number;
}

/** A rewrite found in the graph: new nodes that compute `target`'s output instead of it. */
export interface Replacement {
  rule: RuleName;
  target: OnnxNode;
  /** In topological order; the last ones write `target.outputs[0]`. */
  nodes: Array<NodeSpec | ConstSpec>;
}

/** A small int64 constant written as a Constant node. */
export interface ConstSpec {
  constant: readonly number[];
  output: string;
  name: string;
}

/** What rules see: the parsed graph with shapes and a few lookups. */
export interface RewriteContext {
  model: OnnxModel;
  info: Map<string, Info>;
  producer: Map<string, OnnxNode>;
  consumers: Map<string, OnnxNode[]>;
  /** Initializers that are true constants (not overridable graph inputs), by name. */
  constants: Map<string, OnnxInitializer>;
  /** A fresh tensor/node name. */
  fresh(hint: string): string;
}

export type Rule = (ctx: RewriteContext) => Replacement[];

const now = () => (globalThis.performance ?? Date).now();
const isNum = (d: Dim | undefined): d is number => typeof d === 'number';

/**
 * The decoder graph with every rule's rewrites applied, or a sentence saying why there is
 * none. `rules` defaults to all of them (tests pass their own).
 */
export function rewriteDecoder(bytes: Uint8Array, rules: readonly Rule[] = RULES): DecoderRewrite | string {
  const t0 = now();
  let model: OnnxModel;
  try {
    model = parseModel(bytes);
  } catch (err) {
    return `not a readable ONNX model (${err instanceof Error ? err.message : String(err)})`;
  }
  const g = model.graph;
  if (g.sparseInitializers > 0) return 'the graph has sparse initializers';
  if (g.initializers.some((t) => t.external)) return 'the graph has external data';
  if (g.nodes.some((n) => n.hasSubgraph)) return 'the graph has control flow';
  const ctx = context(model);
  if (typeof ctx === 'string') return ctx;
  const chosen = new Map<number, Replacement>();
  for (const rule of rules) for (const r of rule(ctx)) if (!chosen.has(r.target.index)) chosen.set(r.target.index, r);
  if (!chosen.size) return 'no attention between image and prompt tokens and no mask upscaling to rewrite';
  const counts: DecoderRewrite['counts'] = {};
  for (const r of chosen.values()) counts[r.rule] = (counts[r.rule] ?? 0) + 1;
  const { graph, after } = writeRewritten(model, chosen);
  return { graph, counts, nodes: { before: g.nodes.length, after }, ms: now() - t0 };
}

function context(model: OnnxModel): RewriteContext | string {
  const g = model.graph;
  const inputShapes = new Map<string, Dim[]>();
  let k = 0;
  for (const v of g.inputs) {
    if (v.dims) inputShapes.set(v.name, v.dims.map((d) => (typeof d === 'number' ? d : typeof d === 'string' ? `$${d}` : `#in${++k}`)));
  }
  let info: Map<string, Info>;
  try {
    info = inferShapes(g, model.bytes, { inputShapes, types: inferElemTypes(g) });
  } catch (err) {
    if (err instanceof ShapeConflict) return `shape inference: ${err.message}`;
    throw err;
  }
  const producer = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of g.nodes) {
    for (const o of n.outputs) if (o) producer.set(o, n);
    for (const i of new Set(n.inputs)) if (i) (consumers.get(i) ?? consumers.set(i, []).get(i)!).push(n);
  }
  const inputs = new Set(g.inputs.map((v) => v.name));
  const constants = new Map(g.initializers.filter((t) => !inputs.has(t.name)).map((t) => [t.name, t]));
  const taken = new Set<string>([...producer.keys(), ...inputs, ...constants.keys(), ...g.nodes.map((n) => n.name)]);
  let counter = 0;
  const fresh = (hint: string) => {
    let name: string;
    do name = `cutout_rewrite/${++counter}/${hint}`;
    while (taken.has(name));
    taken.add(name);
    return name;
  };
  return { model, info, producer, consumers, constants, fresh };
}

/**
 * The graph with each replaced node's place taken by its new nodes, then reduced to what the
 * outputs need (the projections the rewrites bypass drop out). Inputs and outputs unchanged.
 */
function writeRewritten(model: OnnxModel, chosen: Map<number, Replacement>): { graph: Uint8Array; after: number } {
  const g = model.graph;
  type Item = { reads: string[]; outputs: string[]; node: OnnxNode | { bytes: Uint8Array } };
  const items: Item[] = [];
  for (const n of g.nodes) {
    const r = chosen.get(n.index);
    if (!r) {
      items.push({ reads: [...n.inputs, ...n.subgraphInputs].filter(Boolean), outputs: n.outputs.filter(Boolean), node: n });
      continue;
    }
    for (const s of r.nodes) {
      if ('constant' in s) {
        items.push({ reads: [], outputs: [s.output], node: { bytes: constantNodeBytes(s.output, s.name, DataType.INT64, [s.constant.length], s.constant) } });
      } else {
        items.push({ reads: s.inputs.filter(Boolean), outputs: [...s.outputs], node: { bytes: nodeBytes(s) } });
      }
    }
  }
  const producer = new Map<string, number>();
  items.forEach((it, i) => it.outputs.forEach((o) => producer.set(o, i)));
  const live = new Set<number>();
  const stack = g.outputs.map((v) => v.name);
  while (stack.length) {
    const i = producer.get(stack.pop()!);
    if (i === undefined || live.has(i)) continue;
    live.add(i);
    stack.push(...items[i]!.reads);
  }
  const kept = items.filter((_, i) => live.has(i));
  const used = new Set(kept.flatMap((it) => it.reads));
  for (const v of g.outputs) used.add(v.name);
  const made = new Set(kept.flatMap((it) => ('index' in it.node ? it.outputs : [])));
  const inputNames = new Set(g.inputs.map((v) => v.name));
  const graph = writeModel(model, {
    nodes: kept.map((it) => it.node),
    initializers: g.initializers.filter((t) => used.has(t.name) || inputNames.has(t.name)),
    inputs: g.inputs,
    outputs: g.outputs,
    valueInfo: g.valueInfo.filter((v) => made.has(v.name)),
  });
  return { graph, after: kept.length };
}

// ---------------------------------------------------------------------------------------
// Matching helpers

/** Numeric shape of a tensor, or undefined when any dim is unknown. */
function numShape(ctx: RewriteContext, name: string): number[] | undefined {
  const s = ctx.info.get(name)?.shape;
  return s && s.every(isNum) ? (s as number[]) : undefined;
}

function shapeOf(ctx: RewriteContext, name: string): Dim[] | undefined {
  return ctx.info.get(name)?.shape;
}

function made(ctx: RewriteContext, name: string, op: string): OnnxNode | undefined {
  const n = ctx.producer.get(name);
  return n && n.opType === op && (n.domain === '' || n.domain === 'ai.onnx') ? n : undefined;
}

function onlyConsumer(ctx: RewriteContext, name: string): OnnxNode | undefined {
  const c = ctx.consumers.get(name);
  const isOutput = ctx.model.graph.outputs.some((v) => v.name === name);
  return c && c.length === 1 && !isOutput ? c[0] : undefined;
}

function attrInts(n: OnnxNode, name: string): number[] | undefined {
  return n.attributes.find((a) => a.name === name)?.ints;
}
function attrInt(n: OnnxNode, name: string): number | undefined {
  return n.attributes.find((a) => a.name === name)?.i;
}

const sameInts = (a: readonly number[] | undefined, b: readonly number[]) => !!a && a.length === b.length && a.every((x, i) => x === b[i]);

/** The initializer `name` holds, through Identity nodes (exporters share equal weights that way). */
function constantOf(ctx: RewriteContext, name: string): OnnxInitializer | undefined {
  for (let depth = 0; depth < 16; depth++) {
    const t = ctx.constants.get(name);
    if (t) return t;
    const id = made(ctx, name, 'Identity');
    if (!id) return undefined;
    name = id.inputs[0]!;
  }
  return undefined;
}

/** A float32 constant of the given dims. */
function floatConst(ctx: RewriteContext, name: string, dims: readonly number[]): boolean {
  const t = constantOf(ctx, name);
  return !!t && t.dataType === DataType.FLOAT && sameInts(t.dims, dims);
}

/** A float scalar (shape [] or [1]) whatever its source. */
function isScalar(ctx: RewriteContext, name: string): boolean {
  const s = numShape(ctx, name);
  return !!s && s.reduce((a, b) => a * b, 1) === 1 && s.length <= 1;
}

/** `name` = Mul(t, scalar) (either order): { t, scale }; else { t: name }. */
function unscale(ctx: RewriteContext, name: string): { t: string; scale?: string } {
  const m = made(ctx, name, 'Mul');
  if (m) {
    const [a, b] = m.inputs as [string, string];
    if (isScalar(ctx, b) && !isScalar(ctx, a)) return { t: a, scale: b };
    if (isScalar(ctx, a) && !isScalar(ctx, b)) return { t: b, scale: a };
  }
  return { t: name };
}

interface Projection {
  /** The projected tensor: [1, ..., 1, P, Din]. */
  x: string;
  w: string;
  b: string;
  din: number;
  e: number;
  p: number;
}

/** `name` = Add(b, MatMul(x, W)) with constant W [Din, E] and b [E], x of shape [1.., P, Din]. */
function projection(ctx: RewriteContext, name: string): Projection | undefined {
  const add = made(ctx, name, 'Add');
  if (!add) return undefined;
  for (const [bi, mi] of [[0, 1], [1, 0]] as const) {
    const mm = made(ctx, add.inputs[mi]!, 'MatMul');
    const b = add.inputs[bi]!;
    if (!mm) continue;
    const [x, w] = mm.inputs as [string, string];
    const wt = constantOf(ctx, w);
    const xs = numShape(ctx, x);
    if (!wt || wt.dims.length !== 2 || !xs || xs.length < 2) continue;
    const [din, e] = wt.dims as [number, number];
    if (!floatConst(ctx, w, [din, e]) || !floatConst(ctx, b, [e])) continue;
    if (xs[xs.length - 1] !== din || xs.slice(0, -2).some((d) => d !== 1)) continue;
    return { x, w, b, din, e, p: xs[xs.length - 2]! };
  }
  return undefined;
}

interface Heads extends Projection {
  h: number;
  d: number;
}

/**
 * `name` = Transpose(perm)(Reshape(projection, [1, P, H, d])): a projection of P tokens split
 * into H heads of d channels.
 */
function heads(ctx: RewriteContext, name: string, perm: readonly number[]): Heads | undefined {
  const tr = made(ctx, name, 'Transpose');
  if (!tr || !sameInts(attrInts(tr, 'perm'), perm)) return undefined;
  const rs = made(ctx, tr.inputs[0]!, 'Reshape');
  if (!rs) return undefined;
  const s = numShape(ctx, rs.outputs[0]!);
  const proj = projection(ctx, rs.inputs[0]!);
  if (!s || !proj || s.length !== 4 || s[0] !== 1 || s[1] !== proj.p || s[2]! * s[3]! !== proj.e) return undefined;
  return { ...proj, h: s[2]!, d: s[3]! };
}

/** A dim that counts image tokens: known and large next to a head's width. */
const big = (p: Dim | undefined, d: number): p is number => isNum(p) && p > 4 * d;
/**
 * A dim that counts prompt tokens: the regrouped products win while it is below a head's
 * width. A symbolic count (it grows with the points of a prompt) is taken as small.
 */
const small = (n: Dim | undefined, d: number): boolean => n !== undefined && (!isNum(n) || n < d);

/** Rows of `name` sum to one: it is a softmax over its last axis. */
function softmaxRows(ctx: RewriteContext, name: string): boolean {
  const sm = made(ctx, name, 'Softmax');
  const rank = shapeOf(ctx, name)?.length;
  if (!sm || rank === undefined) return false;
  const axis = attrInt(sm, 'axis') ?? -1;
  return axis === -1 || axis === rank - 1;
}

/** Builds new nodes for one replacement. */
class Emit {
  readonly nodes: Array<NodeSpec | ConstSpec> = [];
  constructor(private readonly ctx: RewriteContext) {}
  shape(values: readonly number[]): string {
    const output = this.ctx.fresh('shape');
    this.nodes.push({ constant: values, output, name: output });
    return output;
  }
  op(opType: string, inputs: string[], attributes: NodeSpec['attributes'] = {}, output?: string): string {
    const out = output ?? this.ctx.fresh(opType);
    this.nodes.push({ opType, inputs, outputs: [out], name: this.ctx.fresh(`${opType}_node`), attributes });
    return out;
  }
  reshape(x: string, dims: readonly number[], output?: string): string {
    return this.op('Reshape', [x, this.shape(dims)], {}, output);
  }
  transpose(x: string, perm: readonly number[], output?: string): string {
    return this.op('Transpose', [x], { perm: { ints: perm } }, output);
  }
}

// ---------------------------------------------------------------------------------------
// Rules

/**
 * Output projection after attention with image-token queries:
 *   MatMul(Reshape(Transpose(MatMul(A[1,H,P,n], V[1,H,n,d]), 0213), [.., P, H·d]), Wo[H·d, D])
 * → Reshape(MatMul(Reshape(Transpose(A, 0213), [1, P, H·n]), Reshape(MatMul(V, Wo as [H, d, D]), [1, H·n, D])))
 */
export const attentionOutput: Rule = (ctx) => {
  const out: Replacement[] = [];
  for (const mm of ctx.model.graph.nodes) {
    if (mm.opType !== 'MatMul' || mm.domain !== '') continue;
    const [r, wo] = mm.inputs as [string, string];
    const woT = constantOf(ctx, wo);
    const outShape = numShape(ctx, mm.outputs[0]!);
    const rs = made(ctx, r, 'Reshape');
    if (!woT || woT.dims.length !== 2 || !outShape || !rs || onlyConsumer(ctx, r) !== mm) continue;
    const [e, dOut] = woT.dims as [number, number];
    if (!floatConst(ctx, wo, [e, dOut])) continue;
    const tr = made(ctx, rs.inputs[0]!, 'Transpose');
    if (!tr || !sameInts(attrInts(tr, 'perm'), [0, 2, 1, 3]) || onlyConsumer(ctx, tr.outputs[0]!) !== rs) continue;
    const av = made(ctx, tr.inputs[0]!, 'MatMul');
    if (!av || onlyConsumer(ctx, av.outputs[0]!) !== tr) continue;
    const [a, v] = av.inputs as [string, string];
    const as = shapeOf(ctx, a);
    const vs = shapeOf(ctx, v);
    const rShape = numShape(ctx, r);
    if (!as || !vs || as.length !== 4 || vs.length !== 4 || !rShape) continue;
    const [b1, h, p, n] = as;
    const d = vs[3];
    // A's last dim and V's rows are equal (MatMul needs it), even where inference names them apart.
    if (b1 !== 1 || vs[0] !== 1 || !isNum(h) || vs[1] !== h || !isNum(d) || h * d !== e) continue;
    if (!big(p, d) || !small(n, d)) continue;
    if (rShape[rShape.length - 1] !== e || rShape[rShape.length - 2] !== p || rShape.slice(0, -2).some((x) => x !== 1)) continue;
    const em = new Emit(ctx);
    const woh = em.reshape(wo, [h, d, dOut]);
    const vw = em.reshape(em.op('MatMul', [v, woh]), [1, -1, dOut]);
    const at = em.reshape(em.transpose(a, [0, 2, 1, 3]), [1, p, -1]);
    em.reshape(em.op('MatMul', [at, vw]), outShape, mm.outputs[0]);
    out.push({ rule: 'attention-output', target: mm, nodes: em.nodes });
  }
  return out;
};

/**
 * Scores against image-token keys, feeding a softmax over the keys:
 *   MatMul(q[1,H,n,d], Transpose(Reshape(X Wk + bk), 0231) · s)
 * → MatMul((q · (Wk as [H, d, Din])) · s, Transpose(X as [1, P, Din], 021))
 * (q·bk is the same for every key: the softmax cancels it.)
 */
export const attentionKeys: Rule = (ctx) => {
  const out: Replacement[] = [];
  for (const mm of ctx.model.graph.nodes) {
    if (mm.opType !== 'MatMul' || mm.domain !== '') continue;
    const s = mm.outputs[0]!;
    const sm = onlyConsumer(ctx, s);
    if (!sm || sm.opType !== 'Softmax' || !softmaxRows(ctx, sm.outputs[0]!)) continue;
    const [q, kScaled] = mm.inputs as [string, string];
    const { t: kt, scale } = unscale(ctx, kScaled);
    if (scale && onlyConsumer(ctx, kScaled) !== mm) continue;
    const k = heads(ctx, kt, [0, 2, 3, 1]);
    const qs = shapeOf(ctx, q);
    if (!k || !qs || qs.length !== 4 || qs[0] !== 1 || qs[1] !== k.h || qs[3] !== k.d) continue;
    if (!big(k.p, k.d) || !small(qs[2], k.d)) continue;
    const em = new Emit(ctx);
    const wkT = em.transpose(em.reshape(k.w, [k.din, k.h, k.d]), [1, 2, 0]);
    let qw = em.op('MatMul', [q, wkT]);
    if (scale) qw = em.op('Mul', [qw, scale]);
    const xT = em.transpose(em.reshape(k.x, [1, k.p, k.din]), [0, 2, 1]);
    em.op('MatMul', [qw, xT], {}, s);
    out.push({ rule: 'attention-keys', target: mm, nodes: em.nodes });
  }
  return out;
};

/**
 * Attention over image-token values with softmax weights:
 *   MatMul(A[1,H,n,P], Transpose(Reshape(X Wv + bv), 0213))
 * → MatMul(MatMul(A, X as [1, P, Din]), Wv as [H, Din, d]) + bv as [H, 1, d]
 */
export const attentionValues: Rule = (ctx) => {
  const out: Replacement[] = [];
  for (const mm of ctx.model.graph.nodes) {
    if (mm.opType !== 'MatMul' || mm.domain !== '') continue;
    const [a, vt] = mm.inputs as [string, string];
    if (!softmaxRows(ctx, a)) continue;
    const v = heads(ctx, vt, [0, 2, 1, 3]);
    const as = shapeOf(ctx, a);
    if (!v || !as || as.length !== 4 || as[0] !== 1 || as[1] !== v.h || as[3] !== v.p) continue;
    if (!big(v.p, v.d) || !small(as[2], v.d)) continue;
    const em = new Emit(ctx);
    const ax = em.op('MatMul', [a, em.reshape(v.x, [1, v.p, v.din])]);
    const wvh = em.transpose(em.reshape(v.w, [v.din, v.h, v.d]), [1, 0, 2]);
    const axw = em.op('MatMul', [ax, wvh]);
    em.op('Add', [axw, em.reshape(v.b, [v.h, 1, v.d])], {}, mm.outputs[0]);
    out.push({ rule: 'attention-values', target: mm, nodes: em.nodes });
  }
  return out;
};

/**
 * Scores of image-token queries against prompt-token keys:
 *   MatMul(Transpose(Reshape(X Wq + bq), 0213) · s, k[1,H,d,n])
 * → Transpose(Reshape(MatMul(X as [1,P,Din], Reshape(Transpose((Wq as [H,Din,d]) k · s, 0213), [1,Din,H·n])), [1,P,H,n]), 0213)
 *   + (bq as [1,H,1,d]) k · s
 */
export const attentionQueries: Rule = (ctx) => {
  const out: Replacement[] = [];
  for (const mm of ctx.model.graph.nodes) {
    if (mm.opType !== 'MatMul' || mm.domain !== '') continue;
    const [qScaled, k] = mm.inputs as [string, string];
    const { t: qt, scale } = unscale(ctx, qScaled);
    if (scale && onlyConsumer(ctx, qScaled) !== mm) continue;
    const q = heads(ctx, qt, [0, 2, 1, 3]);
    const ks = shapeOf(ctx, k);
    if (!q || !ks || ks.length !== 4 || ks[0] !== 1 || ks[1] !== q.h || ks[2] !== q.d) continue;
    if (!big(q.p, q.d) || !small(ks[3], q.d)) continue;
    const em = new Emit(ctx);
    const wqh = em.transpose(em.reshape(q.w, [q.din, q.h, q.d]), [1, 0, 2]);
    let wk = em.op('MatMul', [wqh, k]); // [1, H, Din, n]
    if (scale) wk = em.op('Mul', [wk, scale]);
    const wkFlat = em.reshape(em.transpose(wk, [0, 2, 1, 3]), [1, q.din, -1]);
    const scores = em.op('MatMul', [em.reshape(q.x, [1, q.p, q.din]), wkFlat]); // [1, P, H·n]
    const perHead = em.transpose(em.reshape(scores, [1, q.p, q.h, -1]), [0, 2, 1, 3]);
    let bias = em.op('MatMul', [em.reshape(q.b, [1, q.h, 1, q.d]), k]); // [1, H, 1, n]
    if (scale) bias = em.op('Mul', [bias, scale]);
    em.op('Add', [perHead, bias], {}, mm.outputs[0]);
    out.push({ rule: 'attention-queries', target: mm, nodes: em.nodes });
  }
  return out;
};

/** Ops applied element by element with no attributes: they run the same in any layout. */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Erf', 'Tanh', 'Sigmoid', 'Relu', 'Sqrt', 'Neg', 'Abs', 'Exp']);

/**
 * The nodes that compute `end` from `start` alone, element by element (other operands
 * scalars), each read only inside the chain; undefined when it is anything else.
 */
function elementwiseChain(ctx: RewriteContext, start: string, end: string): OnnxNode[] | undefined {
  if (start === end) return [];
  const nodes = new Map<number, OnnxNode>();
  const stack = [end];
  while (stack.length) {
    const name = stack.pop()!;
    if (name === start) continue;
    const n = ctx.producer.get(name);
    if (!n || !ELEMENTWISE.has(n.opType) || n.domain !== '' || n.attributes.length || n.outputs.length !== 1) return undefined;
    if (nodes.has(n.index)) continue;
    if (nodes.size > 64) return undefined;
    nodes.set(n.index, n);
    for (const i of n.inputs) if (i === start || !isScalar(ctx, i)) stack.push(i);
  }
  const inside = new Set([...nodes.values()].flatMap((n) => n.outputs));
  for (const n of nodes.values()) {
    if (n.outputs[0] === end) continue;
    if ((ctx.consumers.get(n.outputs[0]!) ?? []).some((c) => !nodes.has(c.index)) || ctx.model.graph.outputs.some((v) => v.name === n.outputs[0])) return undefined;
  }
  if ((ctx.consumers.get(start) ?? []).some((c) => !nodes.has(c.index))) return undefined;
  if (!inside.has(end)) return undefined;
  return [...nodes.values()].sort((a, b) => a.index - b.index);
}

/** Emits `chain` again on `start` (any layout); returns the new name of its end. */
function replay(em: Emit, chain: OnnxNode[], start: string, newStart: string, end: string): string {
  const renamed = new Map([[start, newStart]]);
  for (const n of chain) renamed.set(n.outputs[0]!, em.op(n.opType, n.inputs.map((i) => renamed.get(i) ?? i)));
  return renamed.get(end)!;
}

/** A ConvTranspose whose stride equals its square kernel, without padding, dilation or groups. */
function strideKernel(ctx: RewriteContext, ct: OnnxNode): { w: string; b?: string; c: number; o: number; k: number } | undefined {
  if (ct.opType !== 'ConvTranspose' || ct.domain !== '') return undefined;
  const [, w, b] = ct.inputs as [string, string, string | undefined];
  const wt = constantOf(ctx, w);
  if (!wt || wt.dims.length !== 4 || !floatConst(ctx, w, wt.dims)) return undefined;
  const [c, o, kh, kw] = wt.dims as [number, number, number, number];
  const k = kh;
  const has = (name: string) => ct.attributes.some((a) => a.name === name);
  const ok =
    kh === kw &&
    (attrInt(ct, 'group') ?? 1) === 1 &&
    sameInts(attrInts(ct, 'strides') ?? [1, 1], [k, k]) &&
    sameInts(attrInts(ct, 'kernel_shape') ?? [k, k], [k, k]) &&
    (attrInts(ct, 'dilations') ?? [1, 1]).every((v) => v === 1) &&
    (attrInts(ct, 'pads') ?? [0, 0, 0, 0]).every((v) => v === 0) &&
    (attrInts(ct, 'output_padding') ?? [0, 0]).every((v) => v === 0) &&
    !has('output_shape') &&
    !has('auto_pad');
  if (!ok || (b && !floatConst(ctx, b, [o]))) return undefined;
  return { w, b: b || undefined, c, o, k };
}

/**
 * SAM's mask upscaling, from the image tokens to the masks:
 *   T[1,1,P,C] → Transpose 0132 → Reshape [1,C,H,W] → ConvTranspose (stride = kernel k) →
 *   Transpose 0231 → LayerNorm over channels → Transpose 0312 → elementwise (GELU) →
 *   ConvTranspose (stride = kernel k2) → elementwise (GELU) → Reshape [1,1,O2,H·k·k2·W·k·k2] →
 *   MatMul(hyper[1,1,M,O2], ·)
 * computed with the channels last all along, where a stride = kernel ConvTranspose is one
 * product (each output pixel takes one input pixel): rows (i, j, a, b, a2, b2), then one
 * transpose of the M masks into place instead of the col2im shuffles and the channel
 * transposes around the LayerNorm.
 */
export const upscaling: Rule = (ctx) => {
  const out: Replacement[] = [];
  for (const ct1 of ctx.model.graph.nodes) {
    const c1 = strideKernel(ctx, ct1);
    if (!c1) continue;
    // Input: the image tokens [1, 1, P, C] laid out as a [1, C, H, W] image.
    const rs0 = made(ctx, ct1.inputs[0]!, 'Reshape');
    const tr0 = rs0 && made(ctx, rs0.inputs[0]!, 'Transpose');
    const xs = numShape(ctx, ct1.inputs[0]!);
    const tokens = tr0?.inputs[0];
    const ts = tokens ? numShape(ctx, tokens) : undefined;
    if (!rs0 || !tr0 || !xs || !ts || !tokens || xs.length !== 4 || xs[0] !== 1 || xs[1] !== c1.c) continue;
    const [, , hh, ww] = xs as [number, number, number, number];
    const p = hh * ww;
    const perm0 = attrInts(tr0, 'perm');
    if (!perm0 || ts.length !== perm0.length || ts.length < 2 || ts[ts.length - 1] !== c1.c || ts[ts.length - 2] !== p || ts.slice(0, -2).some((d) => d !== 1)) continue;
    if (!sameInts(perm0, [...perm0.slice(0, -2).map((_, i) => i), perm0.length - 1, perm0.length - 2])) continue;
    // Channels last for the LayerNorm and back.
    const y1 = ct1.outputs[0]!;
    const toLast = onlyConsumer(ctx, y1);
    if (!toLast || toLast.opType !== 'Transpose' || !sameInts(attrInts(toLast, 'perm'), [0, 2, 3, 1])) continue;
    const ln = onlyConsumer(ctx, toLast.outputs[0]!);
    if (!ln || ln.opType !== 'LayerNormalization' || ln.outputs.filter(Boolean).length !== 1 || ln.inputs.length < 2) continue;
    if (![-1, 3].includes(attrInt(ln, 'axis') ?? -1) || !floatConst(ctx, ln.inputs[1]!, [c1.o]) || (ln.inputs[2] && !floatConst(ctx, ln.inputs[2], [c1.o]))) continue;
    const toFirst = onlyConsumer(ctx, ln.outputs[0]!);
    if (!toFirst || toFirst.opType !== 'Transpose' || !sameInts(attrInts(toFirst, 'perm'), [0, 3, 1, 2])) continue;
    // Elementwise, then the second ConvTranspose.
    const z1 = toFirst.outputs[0]!;
    const ct2 = [...ctx.model.graph.nodes].find((n) => n.opType === 'ConvTranspose' && n.index > toFirst.index && elementwiseChain(ctx, z1, n.inputs[0]!));
    const c2 = ct2 && strideKernel(ctx, ct2);
    if (!ct2 || !c2 || c2.c !== c1.o) continue;
    const act1 = elementwiseChain(ctx, z1, ct2.inputs[0]!)!;
    // Elementwise, then the flattening Reshape and the product with the hypernetwork's weights.
    const y2 = ct2.outputs[0]!;
    const flat = [...ctx.model.graph.nodes].find((n) => n.opType === 'Reshape' && n.index > ct2.index && elementwiseChain(ctx, y2, n.inputs[0]!));
    if (!flat) continue;
    const act2 = elementwiseChain(ctx, y2, flat.inputs[0]!)!;
    const mm = onlyConsumer(ctx, flat.outputs[0]!);
    const side = (hh * c1.k * c2.k) * (ww * c1.k * c2.k);
    const fs = numShape(ctx, flat.outputs[0]!);
    if (!mm || mm.opType !== 'MatMul' || mm.inputs[1] !== flat.outputs[0] || !fs || !sameInts(fs, [1, 1, c2.o, side])) continue;
    const hyper = mm.inputs[0]!;
    const hs = numShape(ctx, hyper);
    const outShape = numShape(ctx, mm.outputs[0]!);
    if (!hs || hs.length !== 4 || hs[0] !== 1 || hs[1] !== 1 || hs[3] !== c2.o || !outShape) continue;
    const m = hs[2]!;
    const inner = [ct1, toLast, toFirst, ct2, flat];
    if ([y1, toLast.outputs[0]!, ln.outputs[0]!, y2].some((t) => ctx.model.graph.outputs.some((v) => v.name === t))) continue;
    if (inner.some((n) => n.outputs.length !== 1)) continue;
    const lnAttributes = copyAttributes(ln, { axis: { int: -1 } });
    if (!lnAttributes) continue;

    const em = new Emit(ctx);
    const k1 = c1.k * c1.k;
    const k2 = c2.k * c2.k;
    // Weights as [C, (a, b, o)] and biases repeated per kernel offset.
    const w1 = em.reshape(em.transpose(c1.w, [0, 2, 3, 1]), [c1.c, k1 * c1.o]);
    let a1 = em.op('MatMul', [em.reshape(tokens, [p, c1.c]), w1]); // [P, (a, b, o)]
    if (c1.b) a1 = em.op('Add', [a1, em.op('Tile', [c1.b, em.shape([k1])])]);
    const normed = em.op('LayerNormalization', [em.reshape(a1, [p * k1, c1.o]), ...ln.inputs.slice(1)], lnAttributes);
    const g1 = replay(em, act1, z1, normed, ct2.inputs[0]!);
    const w2 = em.reshape(em.transpose(c2.w, [0, 2, 3, 1]), [c2.c, k2 * c2.o]);
    let a2 = em.op('MatMul', [g1, w2]); // [P·k1, (a2, b2, o2)]
    if (c2.b) a2 = em.op('Add', [a2, em.op('Tile', [c2.b, em.shape([k2])])]);
    const g2 = replay(em, act2, y2, em.reshape(a2, [p * k1 * k2, c2.o]), flat.inputs[0]!);
    const masks = em.op('MatMul', [g2, em.transpose(em.reshape(hyper, [m, c2.o]), [1, 0])]); // [(i, j, a, b, a2, b2), M]
    const placed = em.transpose(em.reshape(masks, [hh, ww, c1.k, c1.k, c2.k, c2.k, m]), [6, 0, 2, 4, 1, 3, 5]);
    em.reshape(placed, outShape, mm.outputs[0]);
    out.push({ rule: 'upscaling', target: mm, nodes: em.nodes });
  }
  return out;
};

/** A node's int, ints and float attributes as `NodeSpec` attributes, with `overrides`; undefined if it has others. */
function copyAttributes(n: OnnxNode, overrides: NonNullable<NodeSpec['attributes']>): NodeSpec['attributes'] | undefined {
  const out: Record<string, NonNullable<NodeSpec['attributes']>[string]> = {};
  for (const a of n.attributes) {
    if (a.type === 1 && a.f !== undefined) out[a.name] = { float: a.f };
    else if (a.type === 2 && a.i !== undefined) out[a.name] = { int: a.i };
    else if (a.type === 7 && a.ints) out[a.name] = { ints: a.ints };
    else return undefined;
  }
  return { ...out, ...overrides };
}

export const RULES: readonly Rule[] = [attentionOutput, attentionKeys, attentionValues, attentionQueries, upscaling];

/** One line for `optimisations`: what was rewritten. */
export function describeRewrite(r: DecoderRewrite): string {
  const labels: Record<RuleName, string> = {
    'attention-output': 'attention outputs as A(V·Wo)',
    'attention-keys': 'image-token keys as (q·Wkᵀ)·Xᵀ',
    'attention-values': 'image-token values as (A·X)·Wv',
    'attention-queries': 'image-token queries as X·(Wq·kᵀ)',
    upscaling: 'mask upscaling with the channels last (ConvTranspose as MatMul)',
  };
  const parts = (Object.keys(labels) as RuleName[]).filter((k) => r.counts[k]).map((k) => `${r.counts[k]} ${labels[k]}`);
  return `${parts.join(', ')}; ${r.nodes.before} → ${r.nodes.after} nodes`;
}
