/**
 * Element-type inference over an ONNX graph, just enough to declare the type of a tensor that
 * becomes a new graph input when a graph is split. Unknown ops give `undefined` (the caller
 * then does not cut there): a wrong type would make the runtime refuse the graph, never
 * silently change results, but a known-unknown is better than a guess.
 */
import { DataType, type OnnxGraph, type OnnxNode } from './model.js';

/** Ops whose outputs all have the element type of their first input. */
const SAME_AS_FIRST = new Set([
  'Abs', 'Acos', 'Acosh', 'Add', 'Asin', 'Asinh', 'Atan', 'Atanh', 'AveragePool', 'BatchNormalization', 'BitShift', 'BitwiseAnd',
  'BitwiseNot', 'BitwiseOr', 'BitwiseXor', 'Ceil', 'Celu', 'Clip', 'Compress', 'Concat', 'Conv', 'ConvTranspose', 'Cos', 'Cosh',
  'CumSum', 'DepthToSpace', 'Div', 'Dropout', 'Einsum', 'Elu', 'Erf', 'Exp', 'Expand', 'Flatten', 'Floor', 'Gather', 'GatherElements',
  'GatherND', 'Gelu', 'Gemm', 'GlobalAveragePool', 'GlobalMaxPool', 'GroupNormalization', 'HardSigmoid', 'HardSwish', 'Hardmax',
  'Identity', 'InstanceNormalization', 'LayerNormalization', 'LeakyRelu', 'Log', 'LogSoftmax', 'LpNormalization', 'LRN', 'MatMul',
  'Max', 'MaxPool', 'Mean', 'Min', 'Mish', 'Mod', 'Mul', 'Neg', 'Pad', 'Pow', 'PRelu', 'Range', 'Reciprocal', 'ReduceL1', 'ReduceL2',
  'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare', 'Relu',
  'Reshape', 'Resize', 'ReverseSequence', 'Round', 'ScatterElements', 'ScatterND', 'Selu', 'Shrink', 'Sigmoid', 'Sign', 'Sin', 'Sinh',
  'Slice', 'Softmax', 'Softplus', 'Softsign', 'SpaceToDepth', 'Split', 'Sqrt', 'Squeeze', 'Sub', 'Sum', 'Tan', 'Tanh',
  'ThresholdedRelu', 'Tile', 'Transpose', 'Trilu', 'Unsqueeze', 'Upsample', 'SimplifiedLayerNormalization', 'SkipLayerNormalization',
  'FusedMatMul', 'BiasGelu', 'FastGelu', 'QuickGelu',
]);

/** Ops with boolean outputs. */
const BOOLEAN = new Set(['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);

/** Ops with int64 outputs. */
const INT64 = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']);

function attrInt(node: OnnxNode, name: string): number | undefined {
  return node.attributes.find((a) => a.name === name)?.i;
}

/** Output element types of one node, given its input types (undefined = unknown). */
export function nodeOutputTypes(node: OnnxNode, inputType: (name: string) => number | undefined): Array<number | undefined> {
  const n = node.outputs.length;
  const all = (t: number | undefined) => Array.from({ length: n }, () => t);
  if (node.domain !== '' && node.domain !== 'ai.onnx' && node.domain !== 'com.microsoft') return all(undefined);
  const op = node.opType;
  const first = node.inputs[0] ? inputType(node.inputs[0]) : undefined;
  if (op === 'Dropout') return [first, DataType.BOOL].slice(0, n);
  if (op === 'LayerNormalization') return [first, DataType.FLOAT, DataType.FLOAT].slice(0, n);
  if (op === 'MaxPool') return [first, DataType.INT64].slice(0, n);
  if (op === 'TopK') return [first, DataType.INT64].slice(0, n);
  if (SAME_AS_FIRST.has(op)) return all(first);
  if (BOOLEAN.has(op)) return all(DataType.BOOL);
  if (INT64.has(op)) return all(DataType.INT64);
  switch (op) {
    case 'Cast':
      return all(attrInt(node, 'to'));
    case 'CastLike':
      return all(node.inputs[1] ? inputType(node.inputs[1]) : undefined);
    case 'Constant': {
      const a = node.attributes[0];
      if (!a) return all(undefined);
      if (a.tensor) return all(a.tensor.dataType);
      if (a.name === 'value_float' || a.name === 'value_floats') return all(DataType.FLOAT);
      if (a.name === 'value_int' || a.name === 'value_ints') return all(DataType.INT64);
      return all(undefined);
    }
    case 'ConstantOfShape': {
      const v = node.attributes.find((a) => a.name === 'value');
      return all(v ? v.tensor?.dataType : DataType.FLOAT);
    }
    case 'EyeLike':
      return all(attrInt(node, 'dtype') ?? first);
    case 'Where':
      return all(node.inputs[1] ? inputType(node.inputs[1]) : undefined);
    case 'OneHot':
      return all(node.inputs[2] ? inputType(node.inputs[2]) : undefined);
    case 'DequantizeLinear':
      return all(node.inputs[1] ? inputType(node.inputs[1]) : undefined);
    case 'QuantizeLinear':
      return all(node.inputs[2] ? inputType(node.inputs[2]) : DataType.UINT8);
    case 'DynamicQuantizeLinear':
      return [DataType.UINT8, DataType.FLOAT, DataType.UINT8].slice(0, n);
    case 'MatMulInteger':
    case 'ConvInteger':
      return all(DataType.INT32);
    case 'QLinearMatMul':
    case 'QLinearConv':
      return all(node.inputs[7] ? inputType(node.inputs[7]) : undefined);
    default:
      return all(undefined);
  }
}

/**
 * Element types of every tensor the graph names, in one pass over its nodes in order
 * (ONNX requires topological order; a tensor used before it is produced stays unknown).
 * value_info, when present, wins over inference.
 */
export function inferElemTypes(graph: OnnxGraph): Map<string, number | undefined> {
  const types = new Map<string, number | undefined>();
  for (const v of graph.inputs) types.set(v.name, v.elemType);
  for (const t of graph.initializers) types.set(t.name, t.dataType || undefined);
  const declared = new Map<string, number>();
  for (const v of [...graph.valueInfo, ...graph.outputs]) if (v.elemType) declared.set(v.name, v.elemType);
  const get = (name: string) => types.get(name) ?? declared.get(name);
  for (const node of graph.nodes) {
    const out = nodeOutputTypes(node, get);
    node.outputs.forEach((name, i) => {
      if (name) types.set(name, declared.get(name) ?? out[i]);
    });
  }
  return types;
}
