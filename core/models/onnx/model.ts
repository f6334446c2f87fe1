/**
 * ONNX ModelProto, read just deep enough to reason about a graph's data flow and to write
 * new models made of subsets of its parts (onnx.proto3 field numbers below).
 *
 * - `parseModel` lists the graph's inputs, outputs, value_info, initializers (name, type,
 *   dims; payload untouched) and nodes (op, domain, input/output names, attributes, and for
 *   control-flow nodes the outer-scope names their subgraphs read).
 * - `writeModel` builds a ModelProto from chosen nodes/initializers/inputs/outputs by copying
 *   their raw field bytes: nothing is re-encoded, each byte of the source is copied at most
 *   once, and subgraphs travel inside their node untouched.
 *
 * Pure TypeScript (no Node API, no onnx-proto): it ships in the UI bundle.
 */
import { type Field, ProtoError, ProtoWriter, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT, fieldString, fieldVarints, readFields } from './proto.js';

/** ModelProto field numbers. */
const M = { irVersion: 1, producerName: 2, producerVersion: 3, domain: 4, modelVersion: 5, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14, trainingInfo: 20, functions: 25 } as const;
/** GraphProto field numbers. */
const G = { node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12, valueInfo: 13, quantizationAnnotation: 14, sparseInitializer: 15, metadataProps: 16 } as const;
/** NodeProto field numbers. */
const N = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, docString: 6, domain: 7 } as const;
/** AttributeProto field numbers. */
const A = { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, ints: 8, graphs: 11, type: 20 } as const;
/** TensorProto field numbers. */
const T = { dims: 1, dataType: 2, name: 8, dataLocation: 14 } as const;
/** ValueInfoProto / TypeProto / TypeProto.Tensor field numbers. */
const V = { name: 1, type: 2 } as const;
const TP = { tensorType: 1 } as const;
const TT = { elemType: 1, shape: 2 } as const;

/** TensorProto.DataType values. */
export const DataType = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
} as const;

export interface OnnxAttribute {
  name: string;
  /** AttributeProto.AttributeType (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 7 INTS, 10 GRAPHS, ...). */
  type: number;
  field: Field;
  /** The INT value (type 2). */
  i?: number;
  /** INTS values (type 7). */
  ints?: number[];
  /** The TENSOR value's header (type 4): data type and dims, payload untouched. */
  tensor?: { dataType: number; dims: number[] };
  /** The TENSOR value's TensorProto bytes (payload range), for `readTensorValues`. */
  tensorField?: Field;
  /** The FLOAT value (type 1). */
  f?: number;
}

export interface OnnxNode {
  /** Position in the graph's node list. */
  index: number;
  opType: string;
  domain: string;
  name: string;
  /** Input names in order ('' = an omitted optional input). */
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
  /** Whether an attribute holds a subgraph (If, Loop, Scan, ...). */
  hasSubgraph: boolean;
  /** Outer-scope names read inside its subgraphs (they are inputs of the node as a unit). */
  subgraphInputs: string[];
  /** The NodeProto's bytes in the model (tag included). */
  field: Field;
}

export interface OnnxInitializer {
  name: string;
  dataType: number;
  dims: number[];
  /** Whether its payload lives in an external file (data_location = EXTERNAL). */
  external: boolean;
  field: Field;
}

export interface OnnxValueInfo {
  name: string;
  /** Tensor element type, when the value is a tensor with a declared type. */
  elemType?: number;
  /** Declared dims: numbers, symbolic names, or undefined for an unnamed unknown dim; undefined when the shape is not given. */
  dims?: Array<number | string | undefined>;
  field: Field;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
  /** Number of sparse initializers (splitting code refuses graphs that have any). */
  sparseInitializers: number;
  /** The GraphProto's own fields (to copy name, doc string, metadata). */
  fields: Field[];
}

export interface OnnxModel {
  /** The serialised ModelProto everything here points into. */
  bytes: Uint8Array;
  irVersion: number;
  opsets: Array<{ domain: string; version: number }>;
  producerName: string;
  /** Local functions (ModelProto.functions) exist: nodes may call them. */
  functionCount: number;
  /** Whether the model carries training info (dropped when writing). */
  hasTrainingInfo: boolean;
  graph: OnnxGraph;
  /** The ModelProto's top-level fields. */
  fields: Field[];
}

const str = (buf: Uint8Array, f: Field) => fieldString(buf, f);

function parseValueInfo(buf: Uint8Array, f: Field): OnnxValueInfo {
  const vi: OnnxValueInfo = { name: '', field: f };
  for (const g of readFields(buf, f.valueStart, f.valueEnd)) {
    if (g.num === V.name && g.wire === WIRE_LEN) vi.name = str(buf, g);
    else if (g.num === V.type && g.wire === WIRE_LEN) {
      for (const t of readFields(buf, g.valueStart, g.valueEnd)) {
        if (t.num !== TP.tensorType || t.wire !== WIRE_LEN) continue;
        for (const u of readFields(buf, t.valueStart, t.valueEnd)) {
          if (u.num === TT.elemType && u.wire === WIRE_VARINT) vi.elemType = u.varint;
          else if (u.num === TT.shape && u.wire === WIRE_LEN) {
            vi.dims = [];
            for (const d of readFields(buf, u.valueStart, u.valueEnd)) {
              if (d.num !== 1 || d.wire !== WIRE_LEN) continue;
              let dim: number | string | undefined;
              for (const x of readFields(buf, d.valueStart, d.valueEnd)) {
                if (x.num === 1 && x.wire === WIRE_VARINT) dim = x.varint;
                else if (x.num === 2 && x.wire === WIRE_LEN) dim = str(buf, x);
              }
              vi.dims.push(dim);
            }
          }
        }
      }
    }
  }
  return vi;
}

function parseTensorHeader(buf: Uint8Array, start: number, end: number): { name: string; dataType: number; dims: number[]; external: boolean } {
  const t = { name: '', dataType: 0, dims: [] as number[], external: false };
  for (const f of readFields(buf, start, end)) {
    if (f.num === T.name && f.wire === WIRE_LEN) t.name = str(buf, f);
    else if (f.num === T.dataType && f.wire === WIRE_VARINT) t.dataType = f.varint;
    else if (f.num === T.dims) t.dims.push(...fieldVarints(buf, f));
    else if (f.num === T.dataLocation && f.wire === WIRE_VARINT) t.external = f.varint === 1;
  }
  return t;
}

/** Names a graph (and its nested subgraphs) reads but does not define: its outer-scope inputs. */
function subgraphFreeNames(buf: Uint8Array, start: number, end: number): Set<string> {
  const defined = new Set<string>();
  const used = new Set<string>();
  for (const f of readFields(buf, start, end)) {
    if (f.wire !== WIRE_LEN) continue;
    if (f.num === G.input) defined.add(parseValueInfo(buf, f).name);
    else if (f.num === G.initializer) defined.add(parseTensorHeader(buf, f.valueStart, f.valueEnd).name);
    else if (f.num === G.sparseInitializer) {
      for (const s of readFields(buf, f.valueStart, f.valueEnd)) {
        if (s.num === 1 && s.wire === WIRE_LEN) defined.add(parseTensorHeader(buf, s.valueStart, s.valueEnd).name);
      }
    } else if (f.num === G.output) used.add(parseValueInfo(buf, f).name);
    else if (f.num === G.node) {
      const node = parseNode(buf, f, -1);
      for (const n of node.outputs) defined.add(n);
      for (const n of node.inputs) used.add(n);
      for (const n of node.subgraphInputs) used.add(n);
    }
  }
  used.delete('');
  for (const n of defined) used.delete(n);
  return used;
}

function parseAttribute(buf: Uint8Array, f: Field): { attr: OnnxAttribute; graphs: Field[] } {
  const attr: OnnxAttribute = { name: '', type: 0, field: f };
  const graphs: Field[] = [];
  for (const g of readFields(buf, f.valueStart, f.valueEnd)) {
    if (g.num === A.name && g.wire === WIRE_LEN) attr.name = str(buf, g);
    else if (g.num === A.type && g.wire === WIRE_VARINT) attr.type = g.varint;
    else if (g.num === A.i && g.wire === WIRE_VARINT) attr.i = g.varint;
    else if (g.num === A.f && g.wire === WIRE_I32) attr.f = new DataView(buf.buffer, buf.byteOffset + g.valueStart, 4).getFloat32(0, true);
    else if (g.num === A.ints) (attr.ints ??= []).push(...fieldVarints(buf, g));
    else if (g.num === A.t && g.wire === WIRE_LEN) {
      const t = parseTensorHeader(buf, g.valueStart, g.valueEnd);
      attr.tensor = { dataType: t.dataType, dims: t.dims };
      attr.tensorField = g;
    } else if ((g.num === A.g || g.num === A.graphs) && g.wire === WIRE_LEN) graphs.push(g);
  }
  return { attr, graphs };
}

function parseNode(buf: Uint8Array, f: Field, index: number): OnnxNode {
  const node: OnnxNode = {
    index, opType: '', domain: '', name: '', inputs: [], outputs: [], attributes: [], hasSubgraph: false, subgraphInputs: [], field: f,
  };
  const free = new Set<string>();
  for (const g of readFields(buf, f.valueStart, f.valueEnd)) {
    if (g.wire !== WIRE_LEN) continue;
    if (g.num === N.input) node.inputs.push(str(buf, g));
    else if (g.num === N.output) node.outputs.push(str(buf, g));
    else if (g.num === N.name) node.name = str(buf, g);
    else if (g.num === N.opType) node.opType = str(buf, g);
    else if (g.num === N.domain) node.domain = str(buf, g);
    else if (g.num === N.attribute) {
      const { attr, graphs } = parseAttribute(buf, g);
      node.attributes.push(attr);
      for (const sg of graphs) {
        node.hasSubgraph = true;
        for (const n of subgraphFreeNames(buf, sg.valueStart, sg.valueEnd)) free.add(n);
      }
    }
  }
  node.subgraphInputs = [...free];
  return node;
}

/** Reads a serialised ModelProto (throws ProtoError when it is not one). */
export function parseModel(bytes: Uint8Array): OnnxModel {
  const fields = readFields(bytes);
  const model: OnnxModel = {
    bytes, irVersion: 0, opsets: [], producerName: '', functionCount: 0, hasTrainingInfo: false, fields,
    graph: undefined as unknown as OnnxGraph,
  };
  for (const f of fields) {
    if (f.num === M.irVersion && f.wire === WIRE_VARINT) model.irVersion = f.varint;
    else if (f.num === M.producerName && f.wire === WIRE_LEN) model.producerName = str(bytes, f);
    else if (f.num === M.opsetImport && f.wire === WIRE_LEN) {
      const o = { domain: '', version: 0 };
      for (const g of readFields(bytes, f.valueStart, f.valueEnd)) {
        if (g.num === 1 && g.wire === WIRE_LEN) o.domain = str(bytes, g);
        else if (g.num === 2 && g.wire === WIRE_VARINT) o.version = g.varint;
      }
      model.opsets.push(o);
    } else if (f.num === M.functions) model.functionCount++;
    else if (f.num === M.trainingInfo) model.hasTrainingInfo = true;
    else if (f.num === M.graph && f.wire === WIRE_LEN) {
      if (model.graph) throw new ProtoError('ModelProto has two graphs');
      model.graph = parseGraph(bytes, f);
    }
  }
  if (!model.graph) throw new ProtoError('ModelProto has no graph');
  if (!model.irVersion) throw new ProtoError('ModelProto has no ir_version: not an ONNX model');
  return model;
}

function parseGraph(buf: Uint8Array, gf: Field): OnnxGraph {
  const fields = readFields(buf, gf.valueStart, gf.valueEnd);
  const graph: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [], sparseInitializers: 0, fields };
  for (const f of fields) {
    if (f.wire !== WIRE_LEN) continue;
    switch (f.num) {
      case G.name:
        graph.name = str(buf, f);
        break;
      case G.node:
        graph.nodes.push(parseNode(buf, f, graph.nodes.length));
        break;
      case G.initializer: {
        const t = parseTensorHeader(buf, f.valueStart, f.valueEnd);
        graph.initializers.push({ ...t, field: f });
        break;
      }
      case G.input:
        graph.inputs.push(parseValueInfo(buf, f));
        break;
      case G.output:
        graph.outputs.push(parseValueInfo(buf, f));
        break;
      case G.valueInfo:
        graph.valueInfo.push(parseValueInfo(buf, f));
        break;
      case G.sparseInitializer:
        graph.sparseInitializers++;
        break;
    }
  }
  return graph;
}

/** A graph input/output to write: copied from the source, or declared anew (type, optional dims). */
export type ValueSpec = OnnxValueInfo | { name: string; elemType: number; dims?: Array<number | string | undefined> };

/** A node written anew (e.g. `constantNodeBytes`): the NodeProto payload. */
export interface NewNode {
  bytes: Uint8Array;
}

export interface GraphParts {
  /** In topological order. */
  nodes: ReadonlyArray<OnnxNode | NewNode>;
  initializers: readonly OnnxInitializer[];
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  /** value_info entries to keep (e.g. those of tensors the new graph still computes). */
  valueInfo?: readonly OnnxValueInfo[];
  /** Graph name (default: the source's). */
  name?: string;
}

function isCopied(v: ValueSpec): v is OnnxValueInfo {
  return 'field' in v;
}

function writeValue(w: ProtoWriter, num: number, buf: Uint8Array, v: ValueSpec): void {
  if (isCopied(v)) {
    w.copy(buf, [v.field]);
    return;
  }
  w.message(num, (vi) => {
    vi.stringField(V.name, v.name);
    vi.message(V.type, (tp) =>
      tp.message(TP.tensorType, (tt) => {
        tt.varintField(TT.elemType, v.elemType);
        if (v.dims) {
          const dims = v.dims;
          tt.message(TT.shape, (sh) => {
            for (const d of dims) {
              sh.message(1, (dim) => {
                if (typeof d === 'number') dim.varintField(1, d);
                else if (typeof d === 'string') dim.stringField(2, d);
              });
            }
          });
        }
      }),
    );
  });
}

/**
 * A new ModelProto: the source's top-level fields (ir_version, opset_import, producer,
 * metadata, functions, ...) in their order, minus training info, with a graph assembled from
 * `parts`. Nodes and initializers are copied byte for byte, in the order given.
 */
export function writeModel(model: OnnxModel, parts: GraphParts): Uint8Array {
  const buf = model.bytes;
  const w = new ProtoWriter();
  for (const f of model.fields) {
    if (f.num === M.trainingInfo) continue;
    if (f.num !== M.graph) {
      w.copy(buf, [f]);
      continue;
    }
    w.message(M.graph, (g) => {
      // Groups in the order the source first has them (so a whole rewrite is byte-identical).
      const order: number[] = [];
      for (const x of model.graph.fields) if (!order.includes(x.num)) order.push(x.num);
      for (const num of [G.name, G.node, G.docString, G.initializer, G.input, G.output, G.valueInfo, G.metadataProps]) {
        if (!order.includes(num)) order.push(num);
      }
      const copyOwn = (num: number) => g.copy(buf, model.graph.fields.filter((x) => x.num === num));
      for (const num of order) {
        switch (num) {
          case G.name:
            if (parts.name !== undefined) g.stringField(G.name, parts.name);
            else copyOwn(G.name);
            break;
          case G.node:
            for (const n of parts.nodes) {
              if ('bytes' in n) g.bytesField(G.node, n.bytes);
              else g.copy(buf, [n.field]);
            }
            break;
          case G.initializer:
            for (const t of parts.initializers) g.copy(buf, [t.field]);
            break;
          case G.input:
            for (const v of parts.inputs) writeValue(g, G.input, buf, v);
            break;
          case G.output:
            for (const v of parts.outputs) writeValue(g, G.output, buf, v);
            break;
          case G.valueInfo:
            for (const v of parts.valueInfo ?? []) g.copy(buf, [v.field]);
            break;
          case G.docString:
          case G.metadataProps:
            copyOwn(num);
            break;
          // quantization_annotation and sparse_initializer are not carried over.
        }
      }
    });
  }
  return w.finish();
}

/** The whole graph written back through `writeModel` (a round trip of every part). */
export function rewriteWhole(model: OnnxModel): Uint8Array {
  const g = model.graph;
  return writeModel(model, { nodes: g.nodes, initializers: g.initializers, inputs: g.inputs, outputs: g.outputs, valueInfo: g.valueInfo });
}

/** A small tensor's contents as numbers (bool as 0/1), or no `values` when unreadable/too big. */
export interface TensorValue {
  dataType: number;
  dims: number[];
  values?: number[];
}

/**
 * Reads the values of the TensorProto in buf[start, end) if it has at most `maxElements`
 * elements of an integer, bool, float or double type (raw_data or the typed fields).
 */
export function readTensorValues(buf: Uint8Array, start: number, end: number, maxElements = 64): TensorValue {
  const fields = readFields(buf, start, end);
  const out: TensorValue = { dataType: 0, dims: [] };
  let raw: Field | undefined;
  const typed: number[] = [];
  let external = false;
  for (const f of fields) {
    if (f.num === T.dataType && f.wire === WIRE_VARINT) out.dataType = f.varint;
    else if (f.num === T.dims) out.dims.push(...fieldVarints(buf, f));
    else if (f.num === 9 && f.wire === WIRE_LEN) raw = f;
    else if (f.num === T.dataLocation && f.wire === WIRE_VARINT) external = f.varint === 1;
    else if (f.num === 5 || f.num === 7 || f.num === 11) typed.push(...fieldVarints(buf, f));
    else if (f.num === 4) {
      const view = new DataView(buf.buffer, buf.byteOffset);
      if (f.wire === WIRE_I32) typed.push(view.getFloat32(f.valueStart, true));
      else if (f.wire === WIRE_LEN) for (let p = f.valueStart; p + 4 <= f.valueEnd; p += 4) typed.push(view.getFloat32(p, true));
    } else if (f.num === 10) {
      const view = new DataView(buf.buffer, buf.byteOffset);
      if (f.wire === WIRE_I64) typed.push(view.getFloat64(f.valueStart, true));
      else if (f.wire === WIRE_LEN) for (let p = f.valueStart; p + 8 <= f.valueEnd; p += 8) typed.push(view.getFloat64(p, true));
    }
  }
  const count = out.dims.reduce((a, b) => a * b, 1);
  if (external || count > maxElements) return out;
  if (raw) {
    const view = new DataView(buf.buffer, buf.byteOffset + raw.valueStart, raw.valueEnd - raw.valueStart);
    const size = ELEMENT_SIZE[out.dataType];
    if (!size || view.byteLength !== size * count) return out;
    const values: number[] = [];
    for (let i = 0; i < count; i++) {
      const o = i * size;
      switch (out.dataType) {
        case DataType.INT64: values.push(Number(view.getBigInt64(o, true))); break;
        case DataType.UINT64: values.push(Number(view.getBigUint64(o, true))); break;
        case DataType.INT32: values.push(view.getInt32(o, true)); break;
        case DataType.UINT32: values.push(view.getUint32(o, true)); break;
        case DataType.INT16: values.push(view.getInt16(o, true)); break;
        case DataType.UINT16: values.push(view.getUint16(o, true)); break;
        case DataType.INT8: values.push(view.getInt8(o)); break;
        case DataType.UINT8: values.push(view.getUint8(o)); break;
        case DataType.BOOL: values.push(view.getUint8(o) ? 1 : 0); break;
        case DataType.FLOAT: values.push(view.getFloat32(o, true)); break;
        case DataType.DOUBLE: values.push(view.getFloat64(o, true)); break;
        default: return out;
      }
    }
    out.values = values;
  } else if (typed.length === count && out.dataType !== DataType.FLOAT16 && out.dataType !== DataType.BFLOAT16 && out.dataType !== DataType.STRING) {
    out.values = out.dataType === DataType.BOOL ? typed.map((v) => (v ? 1 : 0)) : typed;
  }
  return out;
}

const ELEMENT_SIZE: Record<number, number> = {
  [DataType.INT64]: 8, [DataType.UINT64]: 8, [DataType.INT32]: 4, [DataType.UINT32]: 4, [DataType.INT16]: 2, [DataType.UINT16]: 2,
  [DataType.INT8]: 1, [DataType.UINT8]: 1, [DataType.BOOL]: 1, [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8,
};

/** NodeProto bytes (the message payload) of a Constant node holding a small tensor. */
export function constantNodeBytes(output: string, nodeName: string, dataType: number, dims: readonly number[], values: readonly number[]): Uint8Array {
  const size = ELEMENT_SIZE[dataType];
  if (!size) throw new ProtoError(`cannot write a constant of data type ${dataType}`);
  const raw = new Uint8Array(values.length * size);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    const o = i * size;
    switch (dataType) {
      case DataType.INT64: view.setBigInt64(o, BigInt(v), true); break;
      case DataType.UINT64: view.setBigUint64(o, BigInt(v), true); break;
      case DataType.INT32: view.setInt32(o, v, true); break;
      case DataType.UINT32: view.setUint32(o, v, true); break;
      case DataType.INT16: view.setInt16(o, v, true); break;
      case DataType.UINT16: view.setUint16(o, v, true); break;
      case DataType.INT8: view.setInt8(o, v); break;
      case DataType.UINT8: case DataType.BOOL: view.setUint8(o, v); break;
      case DataType.FLOAT: view.setFloat32(o, v, true); break;
      case DataType.DOUBLE: view.setFloat64(o, v, true); break;
    }
  });
  const w = new ProtoWriter();
  w.stringField(N.output, output);
  w.stringField(N.name, nodeName);
  w.stringField(N.opType, 'Constant');
  w.message(N.attribute, (a) => {
    a.stringField(A.name, 'value');
    a.message(A.t, (t) => {
      for (const d of dims) t.varintField(T.dims, d);
      t.varintField(T.dataType, dataType);
      t.bytesField(9, raw);
    });
    a.varintField(A.type, 4);
  });
  return w.finish();
}

/** An attribute of a node written anew: an int, a list of ints, a float or a string. */
export type NewAttribute = { int: number } | { ints: readonly number[] } | { float: number } | { string: string };

/** A node to write anew (`nodeBytes`). */
export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  /** Empty for the default ONNX domain. */
  domain?: string;
  attributes?: Readonly<Record<string, NewAttribute>>;
  /** Attributes copied byte for byte from a parsed node of `buf` (a node copied under new names). */
  copy?: { buf: Uint8Array; attributes: readonly OnnxAttribute[] };
}

/** NodeProto bytes (the message payload) of a node written anew. */
export function nodeBytes(spec: NodeSpec): Uint8Array {
  const w = new ProtoWriter();
  for (const i of spec.inputs) w.stringField(N.input, i);
  for (const o of spec.outputs) w.stringField(N.output, o);
  w.stringField(N.name, spec.name);
  w.stringField(N.opType, spec.opType);
  if (spec.copy) w.copy(spec.copy.buf, spec.copy.attributes.map((a) => a.field));
  for (const [name, a] of Object.entries(spec.attributes ?? {})) {
    w.message(N.attribute, (x) => {
      x.stringField(A.name, name);
      if ('int' in a) {
        x.varintField(A.i, a.int);
        x.varintField(A.type, 2);
      } else if ('ints' in a) {
        for (const v of a.ints) x.varintField(A.ints, v);
        x.varintField(A.type, 7);
      } else if ('string' in a) {
        x.stringField(A.s, a.string);
        x.varintField(A.type, 3);
      } else {
        const f = new Uint8Array(4);
        new DataView(f.buffer).setFloat32(0, a.float, true);
        x.raw(Uint8Array.of((A.f << 3) | WIRE_I32)).raw(f);
        x.varintField(A.type, 1);
      }
    });
  }
  if (spec.domain) w.stringField(N.domain, spec.domain);
  return w.finish();
}
