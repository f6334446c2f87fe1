/**
 * A reference evaluator for the ORIGINAL nodes of an attention region, element by element:
 * the value of one output element is computed from the elements it depends on and no others
 * (one row of scores, not the heads × 4096 × 4096 of them). It checks a chunked region
 * (chunk-attention.ts) without ever materialising what the rewrite exists to avoid, and it
 * shares none of the rewrite's axis rules: each op here is its ONNX definition, written out.
 *
 * Values are float64: compared with float32 results, the differences are rounding only.
 */
import type { OnnxNode } from './model.js';
import { BROADCAST_OPS, LAYOUT_OPS, UNARY_OPS } from './chunk-attention.js';
import { broadcastIndex, count, ravel, unravel } from './indexing.js';

const UNARY: Record<string, (x: number) => number> = {
  Identity: (x) => x,
  Cast: (x) => x,
  Relu: (x) => Math.max(0, x),
  Exp: Math.exp,
  Log: Math.log,
  Sqrt: Math.sqrt,
  Tanh: Math.tanh,
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Neg: (x) => -x,
  Abs: Math.abs,
  Reciprocal: (x) => 1 / x,
  Erf: erf,
};

const BINARY: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Pow: (a, b) => a ** b,
  Max: Math.max,
  Min: Math.min,
};

/** erf to about 1e-15 (series near 0, continued fraction beyond). */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 80; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc by Lentz's continued fraction.
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = ax + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
  return Math.sign(x) * (1 - erfc);
}

export interface RegionInputs {
  /** Values of the tensors the region reads (row-major). */
  values: Map<string, ArrayLike<number>>;
  shapes: Map<string, number[]>;
}

/**
 * Evaluates elements of the tensors computed by `nodes` (the original region) from the
 * values of the tensors it reads. Unknown ops throw (the rewrite refuses them too).
 */
export class RegionEvaluator {
  private readonly producer = new Map<string, OnnxNode>();
  private readonly memo = new Map<string, Map<number, number>>();

  constructor(
    nodes: readonly OnnxNode[],
    private readonly inputs: RegionInputs,
  ) {
    for (const n of nodes) for (const o of n.outputs) if (o) this.producer.set(o, n);
  }

  private shape(t: string): number[] {
    const s = this.inputs.shapes.get(t);
    if (!s) throw new Error(`no shape for ${t}`);
    return s;
  }

  /** The element of tensor `t` at row-major index `flat`. */
  value(t: string, flat: number): number {
    const n = this.producer.get(t);
    if (!n) {
      const v = this.inputs.values.get(t);
      if (!v) throw new Error(`no value for ${t}`);
      return Number(v[flat]);
    }
    let m = this.memo.get(t);
    if (!m) this.memo.set(t, (m = new Map()));
    const hit = m.get(flat);
    if (hit !== undefined) return hit;
    const v = this.compute(n, t, flat, m);
    m.set(flat, v);
    return v;
  }

  private compute(n: OnnxNode, t: string, flat: number, memo: Map<number, number>): number {
    const out = this.shape(t);
    const op = n.opType;
    if (LAYOUT_OPS.has(op)) return this.value(n.inputs[0]!, flat);
    if (UNARY_OPS.has(op)) {
      if (op === 'Clip') {
        const lo = n.inputs[1] ? this.value(n.inputs[1], 0) : -Infinity;
        const hi = n.inputs[2] ? this.value(n.inputs[2], 0) : Infinity;
        return Math.min(Math.max(this.value(n.inputs[0]!, flat), lo), hi);
      }
      return UNARY[op]!(this.value(n.inputs[0]!, flat));
    }
    const idx = unravel(flat, out);
    if (BROADCAST_OPS.has(op)) {
      const at = (i: number) => this.value(n.inputs[i]!, broadcastIndex(idx, this.shape(n.inputs[i]!)));
      if (op === 'Where') return at(0) ? at(1) : at(2);
      return BINARY[op]!(at(0), at(1));
    }
    switch (op) {
      case 'Transpose': {
        const inShape = this.shape(n.inputs[0]!);
        const perm = n.attributes.find((a) => a.name === 'perm')?.ints ?? inShape.map((_, i) => inShape.length - 1 - i);
        const src = new Array<number>(inShape.length);
        perm.forEach((p, k) => (src[p] = idx[k]!));
        return this.value(n.inputs[0]!, ravel(src, inShape));
      }
      case 'MatMul': {
        const [a, b] = [this.shape(n.inputs[0]!), this.shape(n.inputs[1]!)];
        const r = out.length;
        const i = idx[r - 2]!;
        const j = idx[r - 1]!;
        const batch = idx.slice(0, r - 2);
        const kk = a[a.length - 1]!;
        const aIdx = [...batch, i, 0];
        const bIdx = [...batch, 0, j];
        let sum = 0;
        for (let k = 0; k < kk; k++) {
          aIdx[r - 1] = k;
          bIdx[r - 2] = k;
          sum += this.value(n.inputs[0]!, broadcastIndex(aIdx, a)) * this.value(n.inputs[1]!, broadcastIndex(bIdx, b));
        }
        return sum;
      }
      case 'Softmax':
      case 'LogSoftmax': {
        const opsetAxis = n.attributes.find((x) => x.name === 'axis')?.i ?? -1;
        const axis = opsetAxis < 0 ? opsetAxis + out.length : opsetAxis;
        // The whole row along `axis`, memoised at once.
        const len = out[axis]!;
        const stride = count(out.slice(axis + 1));
        const base = flat - idx[axis]! * stride;
        const xs = Array.from({ length: len }, (_, j) => this.value(n.inputs[0]!, base + j * stride));
        const max = Math.max(...xs);
        const ex = xs.map((x) => Math.exp(x - max));
        const sum = ex.reduce((s, e) => s + e, 0);
        ex.forEach((e, j) => memo.set(base + j * stride, op === 'Softmax' ? e / sum : xs[j]! - max - Math.log(sum)));
        return memo.get(flat)!;
      }
      default:
        throw new Error(`no reference for ${op}`);
    }
  }
}
