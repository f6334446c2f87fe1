/**
 * Symbolic shape and value inference over an ONNX graph, for one question: which small
 * integer tensors (shapes, indices, repeat counts) are constants once the graph inputs' sizes
 * are fixed? Exported SAM decoders compute, e.g., `Tile(image_embedding, repeats)` where
 * `repeats` comes from `Shape(input_points)`: with the point batch fixed at 1 it is a
 * constant, and everything it feeds on the image side can be computed once per image.
 *
 * A dimension or value element is a number or a symbol (a string: equal strings are equal
 * values; `$name` = an input's symbolic dim, `#k` = an unknown dim ≥ 0, `?k` = an unknown
 * value). Values are tracked only for small integer/bool tensors. Ops without a
 * rule here give unknown shapes, so nothing downstream of them is ever taken for a constant:
 * an incomplete rule set loses optimisation, never correctness. Contradictions (two fixed
 * sizes that cannot broadcast) throw `ShapeConflict`: the caller then leaves the graph alone.
 */
import { WIRE_LEN, fieldString, readFields } from './proto.js';
import { DataType, readTensorValues, type OnnxAttribute, type OnnxGraph, type OnnxNode } from './model.js';
import { broadcastIndex, count, ravel, unravel } from './indexing.js';

export type Dim = number | string;

export interface Info {
  /** Dims (undefined: rank unknown). */
  shape?: Dim[];
  /** Elements in row-major order, for small integer/bool tensors (at most 64 elements). */
  value?: Dim[];
}

export class ShapeConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeConflict';
  }
}

/** Integer types whose values are tracked (bool as 0/1). */
const TRACKED = new Set<number>([DataType.INT64, DataType.INT32, DataType.BOOL]);
const MAX_VALUES = 64;
const BIG = 2 ** 62;

const isNum = (d: Dim | undefined): d is number => typeof d === 'number';
const allNum = (ds: readonly Dim[]): ds is number[] => ds.every(isNum);

export interface InferOptions {
  /** Shape of each graph input (numbers fix a dim; strings name a symbolic dim). */
  inputShapes: Map<string, Dim[]>;
  /** Element types of tensors (from `inferElemTypes`). */
  types: Map<string, number | undefined>;
}

/** Shapes and values of every tensor the graph names (inputs, initializers, node outputs). */
export function inferShapes(graph: OnnxGraph, buf: Uint8Array, options: InferOptions): Map<string, Info> {
  const info = new Map<string, Info>();
  let counter = 0;
  const freshDim = () => `#${++counter}`;
  const freshVal = () => `?${++counter}`;

  for (const v of graph.inputs) {
    const fixed = options.inputShapes.get(v.name);
    const shape = fixed ?? v.dims?.map((d) => (d === undefined ? freshDim() : typeof d === 'string' ? `$${d}` : d));
    info.set(v.name, { shape });
  }
  // Small float initializers (Resize scales): read on demand, never tracked as values.
  const floatInits = new Map<string, { start: number; end: number }>();
  for (const t of graph.initializers) {
    const tv = TRACKED.has(t.dataType) ? readTensorValues(buf, t.field.valueStart, t.field.valueEnd, MAX_VALUES) : undefined;
    info.set(t.name, { shape: [...t.dims], value: tv?.values });
    if (t.dataType === DataType.FLOAT) floatInits.set(t.name, { start: t.field.valueStart, end: t.field.valueEnd });
  }

  const type = (name: string) => options.types.get(name);
  const tracked = (name: string) => TRACKED.has(type(name) ?? -1);
  const get = (name: string | undefined): Info => (name ? info.get(name) ?? {} : {});
  const shapeOf = (name: string | undefined) => get(name).shape;
  const valueOf = (name: string | undefined) => get(name).value;
  const numValues = (name: string | undefined): number[] | undefined => {
    const v = valueOf(name);
    return v && allNum(v) ? v : undefined;
  };
  const attr = (n: OnnxNode, name: string): OnnxAttribute | undefined => n.attributes.find((a) => a.name === name);
  const attrInt = (n: OnnxNode, name: string, dflt: number) => attr(n, name)?.i ?? dflt;
  const attrInts = (n: OnnxNode, name: string) => attr(n, name)?.ints;
  const normAxis = (axis: number, rank: number) => {
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) throw new ShapeConflict(`axis ${axis} out of range for rank ${rank}`);
    return a;
  };

  const mul = (a: Dim, b: Dim): Dim => (isNum(a) && isNum(b) ? a * b : a === 1 ? b : b === 1 ? a : a === 0 || b === 0 ? 0 : freshVal());
  const add = (a: Dim, b: Dim): Dim => (isNum(a) && isNum(b) ? a + b : a === 0 ? b : b === 0 ? a : freshVal());
  const dimsProduct = (ds: Dim[]): Dim => ds.reduce<Dim>((p, d) => mul(p, d), 1);
  /** A result dim: numbers stay, unknown-sign symbols become fresh dims (dims are ≥ 0). */
  const asDim = (d: Dim): Dim => (isNum(d) ? d : d.startsWith('?') ? freshDim() : d);

  const broadcastDim = (a: Dim, b: Dim): Dim => {
    if (a === b) return a;
    if (a === 1) return b;
    if (b === 1) return a;
    if (isNum(a) && isNum(b)) throw new ShapeConflict(`cannot broadcast ${a} with ${b}`);
    if (isNum(a)) return a;
    if (isNum(b)) return b;
    return freshDim();
  };
  const broadcast = (shapes: Array<Dim[] | undefined>): Dim[] | undefined => {
    if (shapes.some((s) => !s)) return undefined;
    const rank = Math.max(...shapes.map((s) => s!.length));
    const out: Dim[] = [];
    for (let i = 0; i < rank; i++) {
      let d: Dim = 1;
      for (const s of shapes) {
        const j = s!.length - rank + i;
        if (j >= 0) d = broadcastDim(d, s![j]!);
      }
      out.push(d);
    }
    return out;
  };
  /** Elementwise over small values, with full numpy-style broadcasting. */
  const elementwise = (names: string[], outShape: Dim[] | undefined, f: (xs: Dim[]) => Dim | undefined): Dim[] | undefined => {
    if (!outShape || !allNum(outShape)) return undefined;
    const n = count(outShape);
    if (n > MAX_VALUES) return undefined;
    const vs = names.map(valueOf);
    const shapes = names.map(shapeOf);
    if (vs.some((v) => !v) || shapes.some((sh) => !sh || !allNum(sh))) return undefined;
    const out: Dim[] = [];
    for (let i = 0; i < n; i++) {
      const idx = unravel(i, outShape);
      const r = f(vs.map((v, k) => v![broadcastIndex(idx, shapes[k] as number[])]!));
      if (r === undefined) return undefined;
      out.push(r);
    }
    return out;
  };
  /** Value of a small tensor as (shape, elements) when both are fully known. */
  const small = (name: string | undefined): { shape: number[]; v: Dim[] } | undefined => {
    const sh = shapeOf(name);
    const v = valueOf(name);
    return sh && v && allNum(sh) ? { shape: sh, v } : undefined;
  };
  /** Builds an output value element by element from the input index it maps to. */
  const mapValue = (outShape: Dim[], from: { shape: number[]; v: Dim[] }, map: (idx: number[]) => number[] | undefined): Dim[] | undefined => {
    if (!allNum(outShape)) return undefined;
    const n = count(outShape);
    if (n > MAX_VALUES) return undefined;
    const out: Dim[] = [];
    for (let i = 0; i < n; i++) {
      const src = map(unravel(i, outShape));
      if (!src) return undefined;
      out.push(from.v[ravel(src, from.shape)]!);
    }
    return out;
  };
  const isDimSym = (d: Dim) => typeof d === 'string' && (d.startsWith('$') || d.startsWith('#'));

  const binaryValue = (op: string, intType: boolean, fmod = 0) => (xs: Dim[]): Dim | undefined => {
    const [a, b] = xs as [Dim, Dim];
    const both = isNum(a) && isNum(b);
    switch (op) {
      case 'Add': return both ? a + b : a === 0 ? b : b === 0 ? a : freshVal();
      case 'Sub': return both ? a - b : b === 0 ? a : a === b ? 0 : freshVal();
      case 'Mul': return mul(a, b);
      case 'Div':
        if (!intType) return undefined;
        if (both) return b === 0 ? undefined : Math.trunc(a / b);
        return b === 1 ? a : freshVal();
      case 'Max': return both ? Math.max(a, b) : freshVal();
      case 'Min': return both ? Math.min(a, b) : freshVal();
      case 'Mod':
        // Integer Mod with fmod=0 takes the divisor's sign (Python's %); fmod=1 the dividend's.
        if (!intType) return undefined;
        if (both) return b === 0 ? undefined : fmod ? a % b : ((a % b) + b) % b;
        return freshVal();
      case 'Equal':
        if (both || a === b) return a === b ? 1 : 0;
        // A dim is never negative.
        if ((isDimSym(a) && isNum(b) && b < 0) || (isDimSym(b) && isNum(a) && a < 0)) return 0;
        return freshVal();
      case 'Less': return both ? (a < b ? 1 : 0) : freshVal();
      case 'LessOrEqual': return both ? (a <= b ? 1 : 0) : freshVal();
      case 'Greater': return both ? (a > b ? 1 : 0) : freshVal();
      case 'GreaterOrEqual': return both ? (a >= b ? 1 : 0) : freshVal();
      case 'And': return both ? (a && b ? 1 : 0) : freshVal();
      case 'Or': return both ? (a || b ? 1 : 0) : freshVal();
      case 'Xor': return both ? ((a ? 1 : 0) ^ (b ? 1 : 0)) : freshVal();
      default: return undefined;
    }
  };

  const sliceLength = (dim: number, start: number, end: number, step: number): [number, number] => {
    // ONNX Slice clamping rules.
    if (step === 0) throw new ShapeConflict('Slice step 0');
    let s = start < 0 ? start + dim : start;
    let e = end < 0 ? end + dim : end;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
      return [s, Math.max(0, Math.ceil((e - s) / step))];
    }
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
    return [s, Math.max(0, Math.ceil((e - s) / step))];
  };

  /** Shapes and values of a node's outputs. */
  const rules = (n: OnnxNode): Info[] => {
    const ins = n.inputs;
    const x = shapeOf(ins[0]);
    const out0Tracked = n.outputs[0] ? tracked(n.outputs[0]) : false;
    const one = (shape: Dim[] | undefined, value?: Dim[]): Info[] => [{ shape, value: out0Tracked ? value : undefined }];
    switch (n.opType) {
      case 'Constant': {
        const a = n.attributes[0];
        if (!a) return [{}];
        if (a.name === 'value' && a.tensorField) {
          const tv = readTensorValues(buf, a.tensorField.valueStart, a.tensorField.valueEnd, MAX_VALUES);
          return one(tv.dims, tv.values);
        }
        if (a.name === 'value_int') return one([], [a.i ?? 0]);
        if (a.name === 'value_ints') return one([a.ints?.length ?? 0], a.ints);
        if (a.name === 'value_float') return one([]);
        if (a.name === 'value_floats') return one(undefined);
        return [{}];
      }
      case 'Identity':
        return one(x, valueOf(ins[0]));
      case 'Cast':
      case 'CastLike': {
        const to = n.opType === 'Cast' ? attrInt(n, 'to', 0) : type(ins[1] ?? '');
        const from = type(ins[0] ?? '');
        let v = valueOf(ins[0]);
        if (v && !(TRACKED.has(from ?? -1) && TRACKED.has(to ?? -1))) v = undefined;
        if (v && to === DataType.BOOL) v = allNum(v) ? v.map((e) => (e ? 1 : 0)) : undefined;
        return one(x, v);
      }
      case 'Shape': {
        if (!x) return [{}];
        const r = x.length;
        let start = attrInt(n, 'start', 0);
        let end = attrInt(n, 'end', r);
        start = Math.min(Math.max(start < 0 ? start + r : start, 0), r);
        end = Math.min(Math.max(end < 0 ? end + r : end, 0), r);
        const v = x.slice(start, Math.max(start, end));
        return one([v.length], v);
      }
      case 'Size':
        return one([], x ? [dimsProduct(x)] : undefined);
      case 'Gather': {
        const idxShape = shapeOf(ins[1]);
        if (!x || !idxShape) return [{}];
        const axis = normAxis(attrInt(n, 'axis', 0), x.length);
        const shape = [...x.slice(0, axis), ...idxShape, ...x.slice(axis + 1)];
        const data = small(ins[0]);
        const idx = numValues(ins[1]);
        let value: Dim[] | undefined;
        if (data && idx && allNum(idxShape)) {
          const len = data.shape[axis]!;
          if (idx.some((i) => i < -len || i >= len)) throw new ShapeConflict(`Gather index out of range in ${n.name}`);
          const q = idxShape.length;
          value = mapValue(shape, data, (o) => {
            const j = idx[ravel(o.slice(axis, axis + q), idxShape)]!;
            return [...o.slice(0, axis), j < 0 ? j + len : j, ...o.slice(axis + q)];
          });
        }
        return one(shape, value);
      }
      case 'Unsqueeze': {
        const axes = ins[1] ? numValues(ins[1]) : attrInts(n, 'axes');
        if (!x || !axes) return [{}];
        const r = x.length + axes.length;
        const norm = axes.map((a) => normAxis(a, r)).sort((a, b) => a - b);
        const shape: Dim[] = [];
        let k = 0;
        for (let i = 0; i < r; i++) shape.push(norm.includes(i) ? 1 : x[k++]!);
        return one(shape, valueOf(ins[0]));
      }
      case 'Squeeze': {
        if (!x) return [{}];
        const given = ins[1] ? numValues(ins[1]) : attrInts(n, 'axes');
        if ((ins[1] && !given)) return [{}];
        let axes: number[];
        if (given) axes = given.map((a) => normAxis(a, x.length));
        else {
          if (!allNum(x)) return [{}];
          axes = x.flatMap((d, i) => (d === 1 ? [i] : []));
        }
        for (const a of axes) if (isNum(x[a]) && x[a] !== 1) throw new ShapeConflict(`Squeeze of dim ${x[a]}`);
        return one(x.filter((_, i) => !axes.includes(i)), valueOf(ins[0]));
      }
      case 'Concat': {
        const shapes = ins.filter(Boolean).map(shapeOf);
        if (shapes.some((s) => !s)) return [{}];
        const r = shapes[0]!.length;
        if (shapes.some((s) => s!.length !== r)) throw new ShapeConflict(`Concat of different ranks in ${n.name}`);
        const axis = normAxis(attrInt(n, 'axis', 0), r);
        const shape: Dim[] = [];
        for (let i = 0; i < r; i++) {
          if (i === axis) shape.push(asDim(shapes.reduce<Dim>((s, t) => add(s, t![i]!), 0)));
          else shape.push(shapes.reduce<Dim>((s, t) => (s === t![i] ? s : isNum(s) ? s : t![i]!), shapes[0]![i]!));
        }
        let value: Dim[] | undefined;
        const parts = ins.filter(Boolean).map(small);
        if (parts.every(Boolean) && allNum(shape)) {
          // Output coordinate along `axis` → which input, and where in it.
          const owner: Array<[number, number]> = [];
          parts.forEach((p, k) => {
            for (let j = 0; j < p!.shape[axis]!; j++) owner.push([k, j]);
          });
          const out: Dim[] = [];
          const total = count(shape);
          if (total <= MAX_VALUES) {
            for (let i = 0; i < total; i++) {
              const o = unravel(i, shape);
              const [k, j] = owner[o[axis]!]!;
              const src = [...o];
              src[axis] = j;
              out.push(parts[k]!.v[ravel(src, parts[k]!.shape)]!);
            }
            value = out;
          }
        }
        return one(shape, value);
      }
      case 'Reshape': {
        const target = valueOf(ins[1]);
        if (!target) return [{}];
        const allowzero = attrInt(n, 'allowzero', 0);
        const shape: Dim[] = target.map((d, i) => {
          if (d === 0 && !allowzero) {
            if (!x || i >= x.length) throw new ShapeConflict(`Reshape copies dim ${i} of an input of rank ${x?.length}`);
            return x[i]!;
          }
          return asDim(d);
        });
        const minus = target.indexOf(-1);
        if (minus >= 0) {
          const others = shape.filter((_, i) => i !== minus);
          if (x && allNum(x) && allNum(others)) {
            const total = x.reduce((a, b) => a * b, 1);
            const rest = others.reduce((a, b) => a * b, 1);
            if (rest === 0 || total % rest) throw new ShapeConflict(`Reshape of ${total} elements to ${target.join(',')}`);
            shape[minus] = total / rest;
          } else shape[minus] = freshDim();
        }
        if (target.some((d) => isNum(d) && d < -1)) throw new ShapeConflict(`Reshape to ${target.join(',')}`);
        if (x && allNum(x) && allNum(shape) && x.reduce((a, b) => a * b, 1) !== shape.reduce((a, b) => a * b, 1)) {
          throw new ShapeConflict(`Reshape of [${x.join(',')}] to [${shape.join(',')}]`);
        }
        const v = valueOf(ins[0]);
        return one(shape, v);
      }
      case 'Flatten': {
        if (!x) return [{}];
        const axis = attrInt(n, 'axis', 1);
        const a = axis < 0 ? axis + x.length : axis;
        return one([asDim(dimsProduct(x.slice(0, a))), asDim(dimsProduct(x.slice(a)))], valueOf(ins[0]));
      }
      case 'Expand': {
        const target = valueOf(ins[1]);
        if (!target || !x) return [{}];
        const shape = broadcast([x, target.map(asDim)]);
        return one(shape, elementwise([ins[0]!], shape, ([a]) => a));
      }
      case 'Tile': {
        const reps = valueOf(ins[1]);
        if (!x || !reps || reps.length !== x.length) return [{}];
        const shape = x.map((d, i) => asDim(mul(d, reps[i]!)));
        const src = small(ins[0]);
        return one(shape, src ? mapValue(shape, src, (o) => o.map((c, k) => c % src.shape[k]!)) : undefined);
      }
      case 'ConstantOfShape': {
        const target = valueOf(ins[0]);
        if (!target) return [{}];
        const shape = target.map(asDim);
        const a = attr(n, 'value');
        const fill = a?.tensorField ? readTensorValues(buf, a.tensorField.valueStart, a.tensorField.valueEnd, 1).values?.[0] : 0;
        let value: Dim[] | undefined;
        const count = allNum(shape) ? shape.reduce((a, b) => a * b, 1) : Infinity;
        if (fill !== undefined && count <= MAX_VALUES) {
          value = Array.from({ length: count }, () => fill);
        }
        return one(shape, value);
      }
      case 'Range': {
        const [s, l, d] = [numValues(ins[0]), numValues(ins[1]), numValues(ins[2])];
        if (s && l && d && s.length === 1 && l.length === 1 && d.length === 1 && d[0] !== 0) {
          const count = Math.max(Math.ceil((l[0]! - s[0]!) / d[0]!), 0);
          const value = count <= MAX_VALUES ? Array.from({ length: count }, (_, i) => s[0]! + i * d[0]!) : undefined;
          return one([count], value);
        }
        return one([freshDim()]);
      }
      case 'Slice': {
        if (!x) return [{}];
        let starts: number[] | undefined;
        let ends: number[] | undefined;
        let axes: number[] | undefined;
        let steps: number[] | undefined;
        if (n.inputs.length >= 3 || !attr(n, 'starts')) {
          starts = numValues(ins[1]);
          ends = numValues(ins[2]);
          axes = ins[3] ? numValues(ins[3]) : undefined;
          steps = ins[4] ? numValues(ins[4]) : undefined;
          if ((ins[3] && !axes) || (ins[4] && !steps)) return one(x.map(() => freshDim()));
        } else {
          starts = attrInts(n, 'starts');
          ends = attrInts(n, 'ends');
          axes = attrInts(n, 'axes');
        }
        if (!starts || !ends) return one(x.map(() => freshDim()));
        const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(a, x.length));
        const shape = [...x];
        const firsts = x.map(() => 0);
        const stepOf = x.map(() => 1);
        ax.forEach((a, i) => {
          const d = x[a]!;
          const st = steps?.[i] ?? 1;
          const [s, e] = [Math.max(Math.min(starts![i]!, BIG), -BIG), Math.max(Math.min(ends![i]!, BIG), -BIG)];
          if (isNum(d)) {
            const [first, len] = sliceLength(d, s, e, st);
            shape[a] = len;
            firsts[a] = first;
            stepOf[a] = st;
          } else if (s === 0 && e >= BIG && st === 1) shape[a] = d;
          else shape[a] = freshDim();
        });
        const src = small(ins[0]);
        return one(shape, src ? mapValue(shape, src, (o) => o.map((c, k) => firsts[k]! + c * stepOf[k]!)) : undefined);
      }
      case 'Transpose': {
        if (!x) return [{}];
        const perm = attrInts(n, 'perm') ?? x.map((_, i) => x.length - 1 - i);
        if (perm.length !== x.length) throw new ShapeConflict(`Transpose perm of length ${perm.length} for rank ${x.length}`);
        const shape = perm.map((p) => x[p]!);
        const src = small(ins[0]);
        return one(
          shape,
          src
            ? mapValue(shape, src, (o) => {
                const i = new Array<number>(o.length);
                perm.forEach((p, k) => (i[p] = o[k]!));
                return i;
              })
            : undefined,
        );
      }
      case 'MatMulInteger':
      case 'MatMul': {
        const y = shapeOf(ins[1]);
        if (!x || !y || !x.length || !y.length) return [{}];
        const a = x.length === 1 ? [1, x[0]!] : x;
        const b = y.length === 1 ? [y[0]!, 1] : y;
        const batch = broadcast([a.slice(0, -2), b.slice(0, -2)])!;
        const k1 = a[a.length - 1]!;
        const k2 = b[b.length - 2]!;
        if (isNum(k1) && isNum(k2) && k1 !== k2) throw new ShapeConflict(`MatMul inner dims ${k1} and ${k2}`);
        const shape = [...batch, ...(x.length === 1 ? [] : [a[a.length - 2]!]), ...(y.length === 1 ? [] : [b[b.length - 1]!])];
        return one(shape);
      }
      case 'Einsum': {
        // Explicit equations without ellipses ("bhwc,hkc->bhwk"): each output label's size is
        // the size that label has in the inputs.
        const eq = attr(n, 'equation');
        const text = eq?.field ? stringAttr(buf, eq) : undefined;
        const m = text?.replace(/\s/g, '').match(/^([a-zA-Z,]+)->([a-zA-Z]*)$/);
        if (!m) return [{}];
        const terms = m[1]!.split(',');
        if (terms.length !== ins.length) return [{}];
        const size = new Map<string, Dim>();
        for (const [k, term] of terms.entries()) {
          const sh = shapeOf(ins[k]);
          if (!sh || sh.length !== term.length) return [{}];
          [...term].forEach((l, i) => {
            const prev = size.get(l);
            size.set(l, prev === undefined ? sh[i]! : broadcastDim(prev, sh[i]!));
          });
        }
        return one([...m[2]!].map((l) => size.get(l) ?? freshDim()));
      }
      case 'Gemm': {
        const y = shapeOf(ins[1]);
        if (!x || !y || x.length !== 2 || y.length !== 2) return [{}];
        const m = attrInt(n, 'transA', 0) ? x[1]! : x[0]!;
        const nn = attrInt(n, 'transB', 0) ? y[0]! : y[1]!;
        return one([m, nn]);
      }
      case 'Where': {
        const shape = broadcast([shapeOf(ins[0]), shapeOf(ins[1]), shapeOf(ins[2])]);
        const value = elementwise([ins[0]!, ins[1]!, ins[2]!], shape, ([c, a, b]) => (isNum(c) ? (c ? a : b) : freshVal()));
        return one(shape, value);
      }
      case 'OneHot': {
        const depth = numValues(ins[1]);
        const ix = shapeOf(ins[0]);
        if (!ix || !depth || depth.length !== 1) return [{}];
        const d = depth[0]!;
        const r = ix.length + 1;
        const axis = normAxis(attrInt(n, 'axis', -1), r);
        const shape = [...ix.slice(0, axis), d, ...ix.slice(axis)];
        const idx = numValues(ins[0]);
        const vals = valueOf(ins[2]);
        let value: Dim[] | undefined;
        const k = ix.length === 0 ? 1 : ix[0]!;
        if (idx && vals && vals.length === 2 && ix.length <= 1 && isNum(k) && k * d <= MAX_VALUES) {
          // Output [k, d] (axis last) or [d, k] (axis first); element (i, j) is "on" where j = idx[i].
          const hot = idx.map((i) => (i < 0 ? i + d : i));
          value = [];
          for (let a = 0; a < (axis === 0 ? d : k); a++) {
            for (let b = 0; b < (axis === 0 ? k : d); b++) {
              const [i, j] = axis === 0 ? [b, a] : [a, b];
              value.push(hot[i] === j ? vals[1]! : vals[0]!);
            }
          }
        }
        return one(shape, value);
      }
      case 'ScatterND':
      case 'ScatterElements':
      case 'Scatter':
        return one(x);
      case 'LayerNormalization': {
        const outs: Info[] = [{ shape: x }];
        if (x && n.outputs.length > 1) {
          const axis = normAxis(attrInt(n, 'axis', -1), x.length);
          const reduced = x.map((d, i) => (i >= axis ? 1 : d));
          outs.push({ shape: reduced }, { shape: reduced });
        }
        return outs;
      }
      case 'Dropout':
        return [{ shape: x, value: out0Tracked ? valueOf(ins[0]) : undefined }, { shape: x }];
      case 'DynamicQuantizeLinear':
        return [{ shape: x }, { shape: [] }, { shape: [] }];
      case 'QuantizeLinear':
      case 'DequantizeLinear':
        return [{ shape: x }];
      case 'MaxPool':
      case 'AveragePool':
      case 'ConvInteger':
      case 'ConvTranspose':
      case 'Conv': {
        const pool = n.opType === 'MaxPool' || n.opType === 'AveragePool';
        const w = pool ? undefined : shapeOf(ins[1]);
        if (!x || x.length < 3 || (!pool && (!w || w.length !== x.length))) return [{}];
        const spatial = x.length - 2;
        const group = attrInt(n, 'group', 1);
        const kernel = attrInts(n, 'kernel_shape') ?? w?.slice(2);
        const strides = attrInts(n, 'strides') ?? Array(spatial).fill(1);
        const dil = attrInts(n, 'dilations') ?? Array(spatial).fill(1);
        const pads = attrInts(n, 'pads') ?? Array(spatial * 2).fill(0);
        const autoPadAttr = attr(n, 'auto_pad');
        const autoPad = autoPadAttr ? stringAttr(buf, autoPadAttr) ?? '?' : 'NOTSET';
        const channels = pool ? x[1]! : n.opType !== 'ConvTranspose' ? w![0]! : mul(w![1]!, group);
        if (autoPad !== 'NOTSET' || !kernel || !allNum(kernel)) return one([x[0]!, asDim(channels), ...x.slice(2).map(() => freshDim())]);
        const outShape = attrInts(n, 'output_shape');
        const outPad = attrInts(n, 'output_padding') ?? Array(spatial).fill(0);
        const ceil = pool && attrInt(n, 'ceil_mode', 0) === 1;
        const dims = x.slice(2).map((d, i) => {
          if (!isNum(d)) return freshDim();
          const k = (kernel[i]! - 1) * dil[i]! + 1;
          if (ceil) return freshDim(); // ceil_mode's last-window rule: not worth guessing
          if (n.opType !== 'ConvTranspose') return Math.floor((d + pads[i]! + pads[i + spatial]! - k) / strides[i]!) + 1;
          if (outShape) return outShape[i]!;
          return strides[i]! * (d - 1) + outPad[i]! + k - pads[i]! - pads[i + spatial]!;
        });
        const outs: Info[] = [{ shape: [x[0]!, asDim(channels), ...dims] }];
        if (n.opType === 'MaxPool' && n.outputs.length > 1) outs.push({ shape: outs[0]!.shape });
        return outs;
      }
      case 'Pad': {
        if (!x) return [{}];
        const pads = ins[1] ? numValues(ins[1]) : attrInts(n, 'pads');
        const axesIn = ins[3] ? numValues(ins[3]) : undefined;
        if (!pads || (ins[3] && !axesIn)) return one(x.map(() => freshDim()));
        const axes = (axesIn ?? x.map((_, i) => i)).map((a) => normAxis(a, x.length));
        const shape = [...x];
        axes.forEach((a, i) => {
          shape[a] = asDim(add(add(x[a]!, pads[i]!), pads[i + axes.length]!));
        });
        return one(shape);
      }
      case 'Split': {
        if (!x) return n.outputs.map(() => ({}));
        const axis = normAxis(attrInt(n, 'axis', 0), x.length);
        const sizes = ins[1] ? numValues(ins[1]) : attrInts(n, 'split');
        return n.outputs.map((_, i) => {
          const shape = [...x];
          if (sizes) shape[axis] = sizes[i]!;
          else if (isNum(x[axis]) && x[axis] % n.outputs.length === 0) shape[axis] = x[axis] / n.outputs.length;
          else shape[axis] = freshDim();
          return { shape };
        });
      }
      case 'DepthToSpace':
      case 'SpaceToDepth': {
        const b = attrInt(n, 'blocksize', 0);
        if (!x || x.length !== 4 || b <= 0) return [{}];
        const [nn, c, h, w] = x as [Dim, Dim, Dim, Dim];
        const scale = (d: Dim, up: boolean): Dim => {
          if (!isNum(d)) return freshDim();
          if (up) return d * b;
          if (d % b) throw new ShapeConflict(`${n.opType} of ${d} by ${b}`);
          return d / b;
        };
        const down = n.opType === 'DepthToSpace';
        const ch = isNum(c) ? (down ? (c % (b * b) ? NaN : c / (b * b)) : c * b * b) : freshDim();
        if (Number.isNaN(ch)) throw new ShapeConflict(`DepthToSpace of ${c} channels by ${b}`);
        return one([nn, ch, scale(h, down), scale(w, down)]);
      }
      case 'Resize': {
        const sizes = ins[3] ? numValues(ins[3]) : undefined;
        const at = ins[2] ? floatInits.get(ins[2]) : undefined;
        const scales = !sizes && at ? readTensorValues(buf, at.start, at.end, MAX_VALUES).values : undefined;
        if (x && scales && scales.length === x.length && !attr(n, 'axes')) {
          // Output dims are floor(input dim × scale).
          return one(x.map((d, i) => (isNum(d) ? Math.floor(d * scales[i]!) : scales[i] === 1 ? d : freshDim())));
        }
        if (!x || !sizes || sizes.length !== x.length || attr(n, 'axes')) return one(x?.map(() => freshDim()));
        return one(sizes);
      }
      case 'GlobalAveragePool':
      case 'GlobalMaxPool':
        return one(x ? [...x.slice(0, 2), ...x.slice(2).map(() => 1)] : undefined);
      case 'ReduceSum':
      case 'ReduceMean':
      case 'ReduceMax':
      case 'ReduceMin':
      case 'ReduceProd':
      case 'ReduceL2':
      case 'ReduceL1':
      case 'ReduceSumSquare':
      case 'ReduceLogSumExp':
      case 'ArgMax':
      case 'ArgMin': {
        if (!x) return [{}];
        const keep = attrInt(n, 'keepdims', 1);
        let axes: number[] | undefined;
        if (n.opType === 'ArgMax' || n.opType === 'ArgMin') axes = [attrInt(n, 'axis', 0)];
        else if (ins[1]) axes = numValues(ins[1]);
        else axes = attrInts(n, 'axes') ?? (attrInt(n, 'noop_with_empty_axes', 0) ? [] : x.map((_, i) => i));
        if (!axes) return [{}];
        const norm = axes.map((a) => normAxis(a, x.length));
        const shape = keep ? x.map((d, i) => (norm.includes(i) ? 1 : d)) : x.filter((_, i) => !norm.includes(i));
        return one(shape);
      }
      default:
        break;
    }
    if (UNARY.has(n.opType)) {
      let value: Dim[] | undefined;
      const v = valueOf(ins[0]);
      if (v && n.opType === 'Neg') value = allNum(v) ? v.map((e) => -e) : undefined;
      else if (v && n.opType === 'Abs') value = allNum(v) ? v.map((e) => Math.abs(e)) : undefined;
      else if (v && n.opType === 'Not') value = allNum(v) ? v.map((e) => (e ? 0 : 1)) : undefined;
      return [{ shape: x, value: out0Tracked ? value : undefined }, ...n.outputs.slice(1).map(() => ({}))];
    }
    if (BINARY.has(n.opType)) {
      const names = ins.filter(Boolean);
      const shape = broadcast(names.map(shapeOf));
      const intType = TRACKED.has(type(names[0]!) ?? -1);
      let value: Dim[] | undefined;
      if (names.length === 2) value = elementwise(names, shape, binaryValue(n.opType, intType, attrInt(n, 'fmod', 0)));
      else if (names.length === 1) value = valueOf(names[0]);
      return one(shape, value);
    }
    return n.outputs.map(() => ({}));
  };

  for (const n of graph.nodes) {
    let outs: Info[];
    try {
      // Rules are for the standard ops only: another domain's op of the same name is unknown.
      outs = n.domain === '' || n.domain === 'ai.onnx' ? rules(n) : n.outputs.map(() => ({}));
    } catch (err) {
      if (err instanceof ShapeConflict) throw new ShapeConflict(`${n.name || n.opType}: ${err.message}`);
      throw err;
    }
    n.outputs.forEach((o, i) => {
      if (!o) return;
      const r = outs[i] ?? {};
      // Values are kept only for small tensors of a tracked type (row-major, any rank).
      const ok = r.value && r.shape && allNum(r.shape) && r.value.length === r.shape.reduce((a, b) => a * b, 1) && tracked(o);
      info.set(o, { shape: r.shape, value: ok ? r.value : undefined });
    });
  }
  return info;
}

/** The STRING value of an attribute (Einsum's equation, auto_pad). */
function stringAttr(buf: Uint8Array, a: OnnxAttribute): string | undefined {
  for (const f of readFields(buf, a.field.valueStart, a.field.valueEnd)) {
    if (f.num === 4 && f.wire === WIRE_LEN) return fieldString(buf, f);
  }
  return undefined;
}

const UNARY = new Set([
  'Neg', 'Abs', 'Not', 'Relu', 'Sin', 'Cos', 'Tan', 'Erf', 'Sigmoid', 'Tanh', 'Sqrt', 'Exp', 'Log', 'Floor', 'Ceil', 'Round',
  'Reciprocal', 'Softmax', 'LogSoftmax', 'Hardmax', 'Clip', 'Gelu', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'HardSigmoid', 'HardSwish',
  'Softplus', 'Softsign', 'Sign', 'IsNaN', 'IsInf', 'Mish', 'CumSum', 'LpNormalization', 'InstanceNormalization',
  'BatchNormalization', 'ThresholdedRelu', 'Shrink', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh',
  'BitwiseNot', 'Trilu',
]);

const BINARY = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor',
  'Max', 'Min', 'Sum', 'Mean', 'PRelu', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor',
]);
