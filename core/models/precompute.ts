/**
 * Splits a SAM decoder graph into the part that depends on the image alone (computed once per
 * image, right after the encoder) and the part that depends on the prompt (run per click).
 *
 * In SAM's two-way transformer the first cross-attention's key/value projections of the 4096
 * image tokens, the transposes of the embeddings into token order and the positional terms
 * depend on the image only; a plain session recomputes them at every click.
 *
 * Exported decoders tie those image-side ops to the prompt through shapes: the embeddings are
 * tiled by the point batch read from `Shape(input_points)`. With `fixedDims` (the sizes the
 * engine always feeds, e.g. batch 1 and point batch 1) those shape computations are
 * constants (core/models/onnx/shapes.ts), written into each half as small Constant nodes; both
 * halves then declare the fixed sizes on their inputs, so the runtime refuses any feed that
 * breaks the assumption instead of computing something else.
 *
 * Apart from those constants, both halves are the original nodes, copied byte for byte
 * (core/models/onnx), so the prompt half computes the same numbers with the same kernels.
 * Pure TypeScript, no Node API: it runs in the UI bundle on the decoder bytes.
 */
import {
  constantNodeBytes,
  parseModel,
  writeModel,
  type NewNode,
  type OnnxInitializer,
  type OnnxModel,
  type OnnxNode,
  type OnnxValueInfo,
  type ValueSpec,
} from './onnx/model.js';
import { inferShapes, ShapeConflict, type Dim, type Info } from './onnx/shapes.js';
import { inferElemTypes } from './onnx/types.js';

export interface DecoderSplit {
  /** Image half: inputs = `imageGraphInputs`, outputs = `boundary`. */
  imageGraph: Uint8Array;
  /** Prompt half: inputs = the original prompt inputs, then `imageInputs`, then `boundary`. */
  promptGraph: Uint8Array;
  /** Tensors computed by the image half and fed to the prompt half (image-half output order). */
  boundary: string[];
  /**
   * Prompt-half inputs that hold an image input's data unchanged under another shape (a
   * reshape, or a tile/expand by 1 of it): fed as views of that input, so nothing is
   * computed or cached twice.
   */
  aliases: Record<string, { input: string; dims: number[] }>;
  /** Original image inputs the prompt half still reads directly. */
  imageInputs: string[];
  /** Original image inputs the image half reads. */
  imageGraphInputs: string[];
  /** Inputs of the prompt half, in order (original inputs, then `boundary`, then `aliases`). */
  promptInputs: string[];
  /** Element type (TensorProto.DataType) and inferred dims of each boundary tensor. */
  boundaryInfo: Record<string, { elemType: number; dims?: Dim[] }>;
  stats: SplitStats;
}

export interface SplitStats {
  nodes: number;
  /** Image-side nodes moved to the image half (what the prompt half no longer runs). */
  imageNodes: number;
  /** Nodes in the prompt half (original ones; constants folded from shapes not counted). */
  promptNodes: number;
  /** Shape computations replaced by constants (both halves). */
  foldedConstants: number;
  /** Image-side nodes by op type. */
  imageOps: Record<string, number>;
  /** Milliseconds spent parsing, analysing and writing. */
  ms: number;
}

export interface SplitOptions {
  /**
   * Sizes every caller feeds, per input: a number fixes that dim, null leaves it as declared
   * (e.g. `{ input_points: [1, 1, null, 2] }`). A symbolic dim fixed in one input is fixed in
   * every input that shares its name.
   */
  fixedDims?: Record<string, ReadonlyArray<number | null>>;
  /**
   * Outputs the prompt half must return (default: all). onnxruntime runs every node of a
   * graph whatever is fetched, so leaving out an output nobody reads (sam1's full-size
   * `masks`) drops its work.
   */
  outputs?: readonly string[];
  /** Keep a split even when the image half only does cheap work (tests). */
  force?: boolean;
}

/** Ops whose results never repeat between runs: always left in the prompt half. */
const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);

/** Ops that cost nothing worth precomputing: metadata, views and shape arithmetic. */
const CHEAP = new Set([
  'Shape', 'Size', 'Constant', 'ConstantOfShape', 'Identity', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Cast', 'Gather',
  'Concat', 'Slice', 'Range', 'Equal', 'Where', 'Not', 'Less', 'Greater',
]);

/** Ops free to recompute from what they read: views (same data, new shape) and shapes. */
const FREE = new Set(['Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Identity', 'Shape', 'Size']);

const enum Side {
  Const = 0,
  Image = 1,
  Prompt = 2,
}

const now = () => (globalThis.performance ?? Date).now();
const allNum = (ds: readonly Dim[]): ds is number[] => ds.every((d) => typeof d === 'number');

/** Both halves of a decoder, or undefined when nothing worthwhile depends on the image alone. */
export function splitPromptIndependent(decoderBytes: Uint8Array, imageInputs: string[], options: SplitOptions = {}): DecoderSplit | undefined {
  const r = trySplit(decoderBytes, imageInputs, options);
  return typeof r === 'string' ? undefined : r;
}

/** Like `splitPromptIndependent`, but says why there is no split. */
export function trySplit(decoderBytes: Uint8Array, imageInputs: string[], options: SplitOptions = {}): DecoderSplit | string {
  const t0 = now();
  let model: OnnxModel;
  try {
    model = parseModel(decoderBytes);
  } catch (err) {
    return `not a readable ONNX model (${err instanceof Error ? err.message : String(err)})`;
  }
  const plan = planSplit(model, imageInputs, options);
  if (typeof plan === 'string') return plan;
  const out = writeSplit(model, plan);
  return { ...out, stats: { ...plan.stats, ms: now() - t0 } };
}

interface Plan {
  imageNodes: Array<OnnxNode | NewNode>;
  promptNodes: Array<OnnxNode | NewNode>;
  boundary: string[];
  aliases: DecoderSplit['aliases'];
  boundaryInfo: Record<string, { elemType: number; dims?: Dim[] }>;
  /** The image inputs (graph inputs named by the caller). */
  images: string[];
  /** Original image inputs read by each half. */
  imageGraphInputs: string[];
  promptImageInputs: string[];
  /** Declared inputs whose dims were fixed, by name. */
  inputDims: Map<string, Dim[]>;
  /** Outputs of the prompt half. */
  outputs: OnnxValueInfo[];
  stats: Omit<SplitStats, 'ms'>;
}

/** All names a node reads: its inputs and its subgraphs' outer-scope names. */
function reads(n: OnnxNode): string[] {
  return n.subgraphInputs.length ? [...n.inputs, ...n.subgraphInputs].filter(Boolean) : n.inputs.filter(Boolean);
}

/** Input shapes with the fixed dims applied (symbols fixed anywhere are fixed everywhere). */
function fixInputShapes(model: OnnxModel, fixed: SplitOptions['fixedDims']): Map<string, Dim[]> | string {
  const symbols = new Map<string, number>();
  const g = model.graph;
  for (const [name, dims] of Object.entries(fixed ?? {})) {
    const v = g.inputs.find((x) => x.name === name);
    if (!v || !v.dims) continue;
    if (v.dims.length !== dims.length) return `input ${name} has rank ${v.dims.length}, not ${dims.length} as assumed`;
    for (let i = 0; i < dims.length; i++) {
      const want = dims[i];
      const have = v.dims[i];
      if (want === null || want === undefined) continue;
      if (typeof have === 'number' && have !== want) return `input ${name} has dim ${i} = ${have}, not ${want} as assumed`;
      if (typeof have === 'string') {
        if (symbols.has(have) && symbols.get(have) !== want) return `dim ${have} cannot be both ${symbols.get(have)} and ${want}`;
        symbols.set(have, want);
      }
    }
  }
  const shapes = new Map<string, Dim[]>();
  let fresh = 0;
  for (const v of g.inputs) {
    if (!v.dims) continue;
    const own = fixed?.[v.name];
    shapes.set(
      v.name,
      v.dims.map((d, i) => {
        const f = own?.[i];
        if (typeof f === 'number') return f;
        if (typeof d === 'number') return d;
        if (typeof d === 'string') return symbols.get(d) ?? `$${d}`;
        return `#in${++fresh}`;
      }),
    );
  }
  return shapes;
}

function planSplit(model: OnnxModel, imageInputNames: string[], options: SplitOptions): Plan | string {
  const g = model.graph;
  if (g.sparseInitializers > 0) return 'the graph has sparse initializers';
  if (g.initializers.some((t) => t.external)) return 'the graph has external data';
  const graphInputs = new Set(g.inputs.map((v) => v.name));
  const images = new Set(imageInputNames.filter((n) => graphInputs.has(n)));
  if (!images.size) return `none of the image inputs [${imageInputNames.join(', ')}] is a graph input`;
  const inits = new Set(g.initializers.map((t) => t.name));
  const outputs = options.outputs ? g.outputs.filter((v) => options.outputs!.includes(v.name)) : g.outputs;
  if (!outputs.length) return `none of the outputs [${options.outputs!.join(', ')}] is a graph output`;

  const producer = new Map<string, OnnxNode>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const types = inferElemTypes(g);
  const inputDims = fixInputShapes(model, options.fixedDims);
  if (typeof inputDims === 'string') return inputDims;
  let info: Map<string, Info>;
  try {
    info = inferShapes(g, model.bytes, { inputShapes: inputDims, types });
  } catch (err) {
    if (err instanceof ShapeConflict) return `shape inference: ${err.message}`;
    throw err;
  }
  /** A small integer tensor whose value is known (given the fixed sizes): a constant. */
  const known = (name: string): boolean => {
    if (graphInputs.has(name) || inits.has(name)) return false;
    const i = info.get(name);
    return !!(i?.value && i.shape && allNum(i.value) && allNum(i.shape));
  };

  // Nodes forced to the prompt side (a cut there would need a type we cannot declare, or
  // would feed the prompt half a cheap copy of what it receives anyway).
  const forced = new Set<number>();
  for (let round = 0; round < 1000; round++) {
    const side = new Map<string, Side>();
    for (const t of g.initializers) side.set(t.name, Side.Const);
    for (const v of g.inputs) side.set(v.name, images.has(v.name) ? Side.Image : inits.has(v.name) ? Side.Const : Side.Prompt);
    const nodeSide: Side[] = [];
    for (const n of g.nodes) {
      let s = Side.Const;
      for (const name of reads(n)) {
        const x = side.get(name);
        // Not topologically sorted, or dangling: do not touch it.
        if (x === undefined) return `node ${n.name || n.index} (${n.opType}) reads ${name} before it is produced`;
        if (x > s) s = x;
      }
      if (forced.has(n.index) || NONDETERMINISTIC.has(n.opType)) s = Side.Prompt;
      nodeSide[n.index] = s;
      for (const o of n.outputs) if (o) side.set(o, known(o) ? Side.Const : s);
    }

    // The prompt half, backwards from the graph outputs through prompt- and constant-side
    // nodes; the image-side values it meets are the boundary (or image inputs it reads).
    const boundarySet = new Set<string>();
    const promptImageInputs = new Set<string>();
    const promptHalf = collect(
      outputs.map((v) => v.name),
      (name) => {
        if (side.get(name) !== Side.Image) return false;
        if (images.has(name)) promptImageInputs.add(name);
        else boundarySet.add(name);
        return true;
      },
    );

    // Refinements (each forces nodes to the prompt side and plans again):
    // 1. a boundary tensor of unknown type cannot be declared as an input;
    // 2. a view or shape of a tensor the prompt half receives anyway is free to recompute
    //    there (feeding it would copy the same data in again at every run).
    let changed = false;
    for (const b of boundarySet) {
      const p = producer.get(b)!;
      const unknownType = !types.get(b);
      const freeView = FREE.has(p.opType) && reads(p).every((r) => side.get(r) !== Side.Image || promptImageInputs.has(r) || boundarySet.has(r));
      if (unknownType || freeView) {
        forced.add(p.index);
        changed = true;
      }
    }
    if (changed) continue;

    if (!boundarySet.size) return 'no image-only value reaches the prompt side';
    const aliases: Plan['aliases'] = {};
    for (const b of boundarySet) {
      const a = aliasOf(b);
      if (a) aliases[b] = a;
    }

    // The image half, backwards from the computed boundary through image- and constant-side nodes.
    const computed = [...boundarySet].filter((b) => !aliases[b]);
    if (!computed.length) return 'the image inputs reach the prompt side only reshaped';
    const imageHalf = collect(computed, () => false);

    const imageWork = imageHalf.nodes.filter((n) => nodeSide[n.index] === Side.Image);
    const worthwhile = imageWork.some((n) => !CHEAP.has(n.opType));
    if (!worthwhile && !options.force) return `only cheap image-only work (${imageWork.map((n) => n.opType).join(', ') || 'none'})`;

    // Boundary in the order the original graph produces it.
    const boundary = g.nodes.flatMap((n) => n.outputs.filter((o) => boundarySet.has(o) && !aliases[o]));
    const boundaryInfo: Plan['boundaryInfo'] = {};
    for (const b of [...boundary, ...Object.keys(aliases)]) boundaryInfo[b] = { elemType: types.get(b)!, dims: info.get(b)?.shape };
    const imageGraphInputs = g.inputs.map((v) => v.name).filter((n) => images.has(n) && imageHalf.reads.has(n));
    const imageOps: Record<string, number> = {};
    for (const n of imageWork) imageOps[n.opType] = (imageOps[n.opType] ?? 0) + 1;
    return {
      imageNodes: imageHalf.ordered,
      promptNodes: promptHalf.ordered,
      boundary,
      aliases,
      boundaryInfo,
      images: [...images],
      imageGraphInputs,
      promptImageInputs: g.inputs.map((v) => v.name).filter((n) => promptImageInputs.has(n)),
      inputDims,
      outputs,
      stats: {
        nodes: g.nodes.length,
        imageNodes: imageWork.length,
        promptNodes: promptHalf.nodes.length,
        foldedConstants: imageHalf.folded + promptHalf.folded,
        imageOps,
      },
    };

    /**
     * The image input whose data `name` is, unchanged, under another shape: a chain of
     * reshapes, and tiles/expands that repeat nothing, back to an image input.
     */
    function aliasOf(name: string): { input: string; dims: number[] } | undefined {
      const shape = info.get(name)?.shape;
      if (!shape || !allNum(shape)) return undefined;
      let cur = name;
      for (let depth = 0; depth < 64; depth++) {
        if (images.has(cur)) {
          const src = info.get(cur)?.shape;
          const same = src && allNum(src) && src.reduce((a, b) => a * b, 1) === shape.reduce((a, b) => a * b, 1);
          return same && types.get(cur) === types.get(name) ? { input: cur, dims: shape } : undefined;
        }
        const p = producer.get(cur);
        if (!p || !p.inputs[0] || !keepsLayout(p)) return undefined;
        cur = p.inputs[0];
      }
      return undefined;
    }
    function keepsLayout(p: OnnxNode): boolean {
      if (FREE.has(p.opType) && p.opType !== 'Shape' && p.opType !== 'Size') return true;
      const inShape = info.get(p.inputs[0]!)?.shape;
      const outShape = info.get(p.outputs[0]!)?.shape;
      if (!inShape || !outShape || !allNum(inShape) || !allNum(outShape)) return false;
      const size = (d: number[]) => d.reduce((a, b) => a * b, 1);
      if (p.opType === 'Tile') return info.get(p.inputs[1]!)?.value?.every((r) => r === 1) ?? false;
      if (p.opType === 'Expand') return size(inShape) === size(outShape);
      return false;
    }

    /**
     * Nodes needed for `roots`, walking back through producers; `stop` says where a value
     * comes in from outside (the boundary). Known constants become Constant nodes, unless
     * their producer is in the half anyway.
     */
    function collect(roots: string[], stop: (name: string) => boolean) {
      const keep = new Set<number>();
      const constants = new Set<string>();
      const readNames = new Set<string>();
      const stack = [...roots];
      const seen = new Set<string>();
      while (stack.length) {
        const name = stack.pop()!;
        if (seen.has(name)) continue;
        seen.add(name);
        readNames.add(name);
        if (stop(name) || graphInputs.has(name) || inits.has(name)) continue;
        const n = producer.get(name);
        if (!n) continue;
        if (known(name) && n.opType !== 'Constant') {
          constants.add(name);
          continue;
        }
        if (keep.has(n.index)) continue;
        keep.add(n.index);
        stack.push(...reads(n));
      }
      const nodes = g.nodes.filter((n) => keep.has(n.index));
      for (const n of nodes) for (const o of n.outputs) constants.delete(o);
      const ordered: Array<OnnxNode | NewNode> = [];
      for (const name of constants) {
        const i = info.get(name)!;
        ordered.push({ bytes: constantNodeBytes(name, `cutout_precompute/${name}`, types.get(name)!, i.shape as number[], i.value as number[]) });
      }
      ordered.push(...nodes);
      return { nodes, ordered, reads: readNames, folded: constants.size };
    }
  }
  return 'planning did not settle';
}

function writeSplit(model: OnnxModel, plan: Plan): Omit<DecoderSplit, 'stats'> {
  const g = model.graph;
  const initsFor = (nodes: Array<OnnxNode | NewNode>, extra: string[]): OnnxInitializer[] => {
    const used = new Set<string>(extra);
    for (const n of nodes) if (!('bytes' in n)) for (const r of reads(n)) used.add(r);
    return g.initializers.filter((t) => used.has(t.name));
  };
  const valueInfoFor = (nodes: Array<OnnxNode | NewNode>, exclude: Set<string>): OnnxValueInfo[] => {
    const made = new Set(nodes.flatMap((n) => ('bytes' in n ? [] : n.outputs)));
    return g.valueInfo.filter((v) => made.has(v.name) && !exclude.has(v.name));
  };
  /** An original input, with the fixed dims written in when they changed its declaration. */
  const inputSpec = (v: OnnxValueInfo): ValueSpec => {
    const dims = plan.inputDims.get(v.name);
    if (!dims || !v.elemType || !v.dims) return v;
    const declared = dims.map((d, i) => (typeof d === 'number' ? d : v.dims![i]));
    if (declared.every((d, i) => d === v.dims![i])) return v;
    return { name: v.name, elemType: v.elemType, dims: declared };
  };
  const declaredDims = (dims: Dim[] | undefined) =>
    dims?.map((d) => (typeof d === 'number' ? d : d.startsWith('$') ? d.slice(1) : undefined));

  // Image half: the image inputs it reads (and any overridable initializer-inputs it uses).
  const imageInits = initsFor(plan.imageNodes, []);
  const imageInitNames = new Set(imageInits.map((t) => t.name));
  const imageSet = new Set(plan.imageGraphInputs);
  const boundarySet = new Set(plan.boundary);
  const imageGraph = writeModel(model, {
    nodes: plan.imageNodes,
    initializers: imageInits,
    inputs: g.inputs.filter((v) => imageSet.has(v.name) || imageInitNames.has(v.name)).map(inputSpec),
    outputs: plan.boundary.map((b) => ({ name: b, elemType: plan.boundaryInfo[b]!.elemType, dims: declaredDims(plan.boundaryInfo[b]!.dims) })),
    valueInfo: valueInfoFor(plan.imageNodes, boundarySet),
  });

  // Prompt half: the original inputs minus the image inputs it no longer reads, then the boundary.
  const promptInits = initsFor(plan.promptNodes, plan.outputs.map((v) => v.name));
  const promptInitNames = new Set(promptInits.map((t) => t.name));
  const initNames = new Set(g.initializers.map((t) => t.name));
  const keptInputs = g.inputs.filter((v) => {
    if (plan.images.includes(v.name)) return plan.promptImageInputs.includes(v.name);
    if (initNames.has(v.name)) return promptInitNames.has(v.name);
    return true;
  });
  const boundarySpecs: ValueSpec[] = plan.boundary.map((b) => {
    const vi = g.valueInfo.find((v) => v.name === b);
    const bi = plan.boundaryInfo[b]!;
    return bi.dims ? { name: b, elemType: bi.elemType, dims: declaredDims(bi.dims) } : vi ?? { name: b, elemType: bi.elemType };
  });
  const aliasNames = Object.keys(plan.aliases);
  const aliasSpecs: ValueSpec[] = aliasNames.map((a) => ({ name: a, elemType: plan.boundaryInfo[a]!.elemType, dims: plan.aliases[a]!.dims }));
  const promptGraph = writeModel(model, {
    nodes: plan.promptNodes,
    initializers: promptInits,
    inputs: [...keptInputs.map(inputSpec), ...boundarySpecs, ...aliasSpecs],
    outputs: plan.outputs,
    valueInfo: valueInfoFor(plan.promptNodes, new Set([...plan.boundary, ...aliasNames])),
  });
  return {
    imageGraph,
    promptGraph,
    boundary: plan.boundary,
    aliases: plan.aliases,
    imageInputs: plan.promptImageInputs,
    imageGraphInputs: plan.imageGraphInputs,
    promptInputs: [...keptInputs.map((v) => v.name), ...plan.boundary, ...aliasNames],
    boundaryInfo: plan.boundaryInfo,
  };
}

/**
 * The graph reduced to what `outputs` need (dead-node removal, nothing else), or undefined
 * when that removes nothing. For decoders that cannot be split but return outputs nobody
 * reads: onnxruntime would compute them at every run.
 */
export function pruneToOutputs(decoderBytes: Uint8Array, outputs: readonly string[]): Uint8Array | undefined {
  let model: OnnxModel;
  try {
    model = parseModel(decoderBytes);
  } catch {
    return undefined;
  }
  const g = model.graph;
  const kept = g.outputs.filter((v) => outputs.includes(v.name));
  if (!kept.length || g.sparseInitializers > 0) return undefined;
  const producer = new Map<string, OnnxNode>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const keep = new Set<number>();
  const stack = kept.map((v) => v.name);
  while (stack.length) {
    const n = producer.get(stack.pop()!);
    if (!n || keep.has(n.index)) continue;
    keep.add(n.index);
    stack.push(...reads(n));
  }
  if (keep.size === g.nodes.length && kept.length === g.outputs.length) return undefined;
  const nodes = g.nodes.filter((n) => keep.has(n.index));
  const used = new Set(nodes.flatMap(reads).concat(kept.map((v) => v.name)));
  const made = new Set(nodes.flatMap((n) => n.outputs));
  return writeModel(model, {
    nodes,
    initializers: g.initializers.filter((t) => used.has(t.name)),
    // Every input stays declared (callers feed them all), except overridable initializers dropped with their node.
    inputs: g.inputs.filter((v) => used.has(v.name) || !g.initializers.some((t) => t.name === v.name)),
    outputs: kept,
    valueInfo: g.valueInfo.filter((v) => made.has(v.name)),
  });
}
