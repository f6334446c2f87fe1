/**
 * A small typed builder over onnx-proto's ModelProto, so each analytic model module reads as
 * a list of operations rather than protobuf plumbing.
 *
 * Every model is opset 17 (default domain), IR version 8. Serialisation is deterministic:
 * the same calls produce the same bytes (node and initializer names come from a counter).
 */
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';

// onnx-proto is CommonJS; Node's ESM loader only exposes `module.exports` as the default
// export, so a named `import { onnx }` fails outside bundlers. The default import works
// everywhere (Node, tsx, vitest, esbuild).
const { onnx } = onnxProto;

export const OPSET = 17;
export const IR_VERSION = 8;

/** Element types used by the analytic models (values of onnx.TensorProto.DataType). */
export const DType = {
  float: 1,
  int64: 7,
  bool: 9,
} as const;
export type DType = keyof typeof DType;

/** A dimension: a fixed size or a symbolic name (dim_param). */
export type Dim = number | string;

/** A float attribute (plain numbers are INT attributes). */
export interface FloatAttr {
  readonly float: number;
}
export const float = (value: number): FloatAttr => ({ float: value });

export type AttrValue = number | readonly number[] | string | FloatAttr | P.ITensorProto;

const AttrType = onnx.AttributeProto.AttributeType;

function attribute(name: string, value: AttrValue): P.IAttributeProto {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer (use float())`);
    return { name, type: AttrType.INT, i: value };
  }
  if (typeof value === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttrType.INTS, ints: [...(value as readonly number[])] };
  if (typeof value === 'object' && value !== null && 'float' in value) {
    return { name, type: AttrType.FLOAT, f: (value as FloatAttr).float };
  }
  return { name, type: AttrType.TENSOR, t: value as P.ITensorProto };
}

/** A TensorProto with raw little-endian data. */
export function tensor(dtype: DType, dims: readonly number[], values: ArrayLike<number> | ArrayLike<boolean>, name = ''): P.ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new Error(`tensor ${name}: ${values.length} values for dims [${dims.join(',')}]`);
  let raw: Uint8Array;
  if (dtype === 'float') {
    const a = Float32Array.from(values as ArrayLike<number>);
    raw = new Uint8Array(a.buffer);
  } else if (dtype === 'int64') {
    const a = BigInt64Array.from(Array.from(values as ArrayLike<number>, (v) => BigInt(v)));
    raw = new Uint8Array(a.buffer);
  } else {
    raw = Uint8Array.from(Array.from(values as ArrayLike<number | boolean>, (v) => (v ? 1 : 0)));
  }
  // The host may be big-endian in theory; every platform onnxruntime-web runs on is not.
  return { name, dims: [...dims], dataType: DType[dtype], rawData: raw };
}

function valueInfo(name: string, dtype: DType, dims: readonly Dim[]): P.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DType[dtype],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/**
 * Accumulates nodes, initializers, inputs and outputs of one graph.
 * `op` returns the name of the (first) output so calls compose: `g.op('Abs', [g.op('Sub', [a, b])])`.
 */
export class GraphBuilder {
  private readonly nodes: P.INodeProto[] = [];
  private readonly initializers: P.ITensorProto[] = [];
  private readonly inputs: P.IValueInfoProto[] = [];
  private readonly outputs: P.IValueInfoProto[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  /** Declares a graph input and returns its name. */
  input(name: string, dtype: DType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  /** Declares a graph output (`value` must be produced under that exact name). */
  output(name: string, dtype: DType, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, dtype, dims));
  }

  /** Adds an initializer and returns its name. */
  constant(dtype: DType, dims: readonly number[], values: ArrayLike<number> | ArrayLike<boolean>, hint = 'const'): string {
    const name = this.fresh(hint);
    this.initializers.push(tensor(dtype, dims, values, name));
    return name;
  }

  /** A float initializer: a scalar when `dims` is omitted and a single value is given. */
  f32(values: number | readonly number[], dims?: readonly number[]): string {
    const arr = typeof values === 'number' ? [values] : values;
    return this.constant('float', dims ?? (typeof values === 'number' ? [] : [arr.length]), arr, 'f');
  }

  /** An int64 initializer (1-D unless `dims` says otherwise). */
  i64(values: readonly number[], dims?: readonly number[]): string {
    return this.constant('int64', dims ?? [values.length], values, 'i');
  }

  /**
   * Adds a node. `outputs` may be a count (fresh names) or explicit names (e.g. a graph
   * output). Returns the first output's name; `opMulti` returns all of them.
   */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.opMulti(opType, inputs, attrs, output === undefined ? 1 : [output])[0];
  }

  opMulti(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue>, outputs: number | readonly string[]): string[] {
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : [...outputs];
    this.nodes.push({
      name: this.fresh(`n_${opType}`),
      opType,
      input: [...inputs],
      output: names,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return names;
  }

  // Short forms for the elementwise arithmetic that makes up most of the graphs.
  add(a: string, b: string): string { return this.op('Add', [a, b]); }
  sub(a: string, b: string): string { return this.op('Sub', [a, b]); }
  mul(a: string, b: string): string { return this.op('Mul', [a, b]); }
  div(a: string, b: string): string { return this.op('Div', [a, b]); }
  min(...xs: string[]): string { return this.op('Min', xs); }
  max(...xs: string[]): string { return this.op('Max', xs); }
  abs(a: string): string { return this.op('Abs', [a]); }
  relu(a: string): string { return this.op('Relu', [a]); }
  reshape(a: string, shape: readonly number[]): string { return this.op('Reshape', [a, this.i64(shape)]); }
  transpose(a: string, perm: readonly number[]): string { return this.op('Transpose', [a], { perm }); }
  /** Cast to float. */
  toFloat(a: string): string { return this.op('Cast', [a], { to: DType.float }); }
  /** ReduceSum (opset 13+: axes is an input). */
  reduceSum(a: string, axes: readonly number[], keepdims: 0 | 1): string {
    return this.op('ReduceSum', [a, this.i64(axes)], { keepdims });
  }
  /** ReduceMin/ReduceMax/ReduceMean (opset < 18: axes is an attribute). */
  reduce(op: 'ReduceMin' | 'ReduceMax' | 'ReduceMean', a: string, axes: readonly number[], keepdims: 0 | 1): string {
    return this.op(op, [a], { axes, keepdims });
  }
  /** Slice along `axes` (ends clamp, so a large end means "to the end"). */
  slice(a: string, starts: readonly number[], ends: readonly number[], axes: readonly number[]): string {
    return this.op('Slice', [a, this.i64(starts), this.i64(ends), this.i64(axes)]);
  }
  /** Renames a value to a graph output name. */
  identity(a: string, output: string): string { return this.op('Identity', [a], {}, output); }

  /** A ModelProto for this graph. */
  build(docString = ''): P.IModelProto {
    return {
      irVersion: IR_VERSION,
      producerName: 'cutout-analytic',
      producerVersion: '1',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }

  /** The serialised ModelProto. */
  serialize(docString = ''): Uint8Array {
    return serializeModel(this.build(docString));
  }
}

export function serializeModel(model: P.IModelProto): Uint8Array {
  const err = onnx.ModelProto.verify(model);
  if (err) throw new Error(`invalid ModelProto: ${err}`);
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Parses serialised bytes back into a ModelProto (tests and tooling). */
export function parseModel(bytes: Uint8Array): P.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
