import { fail, ErrorCode, CutoutError } from '../errors.js';
import type { Ort, OrtSession, OrtTensor, SessionOptions } from './types.js';

/**
 * Opens an ONNX session, turning the runtime's terse failures into a message that names the
 * file and says what to do (a truncated download and a model web can't run are common).
 */
export async function openSession(ort: Ort, name: string, source: Uint8Array | string, options: SessionOptions = {}): Promise<OrtSession> {
  try {
    // Sessions take Uint8Array or a path/URL; both are accepted as-is.
    return await ort.InferenceSession.create(source as Uint8Array, { graphOptimizationLevel: 'all', ...options });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const size = typeof source === 'string' ? '' : ` (${source.byteLength} bytes)`;
    return fail(
      ErrorCode.ModelLoad,
      `could not load ${name}${size}: the runtime refused it (${firstLine(why)}). ` +
        'The file may be truncated, corrupt or not an ONNX model; download it again or choose another model.',
      err,
    );
  }
}

/**
 * Session options carrying a graph's external weights when the model files hold them
 * (`<name>_data`, as the transformers.js exports of SAM 2 ship them, or `<name>.data`): the
 * graph refers to them by that file name.
 */
export function withExternalData(files: Record<string, Uint8Array | string>, name: string, options: SessionOptions = {}): SessionOptions {
  const extra = [`${name}_data`, `${name}.data`].filter((n) => files[n] !== undefined);
  if (!extra.length) return options;
  return { ...options, externalData: extra.map((path) => ({ path, data: files[path]! })) };
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim()) ?? s;
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}

/** Runs a session, fetching only `outputs` (onnxruntime then skips the rest of the graph). */
export async function runSession(
  session: OrtSession,
  name: string,
  feeds: Record<string, OrtTensor>,
  outputs?: readonly string[],
): Promise<Record<string, OrtTensor>> {
  try {
    return (await (outputs ? session.run(feeds, outputs) : session.run(feeds))) as Record<string, OrtTensor>;
  } catch (err) {
    if (err instanceof CutoutError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    return fail(ErrorCode.Inference, `running ${name} failed: ${firstLine(why)}`, err);
  }
}

/**
 * Checks that a session has the inputs and outputs a format needs. A mismatch says what
 * was expected and what was found, which is how a wrong file in a model folder shows up.
 */
export function expectNames(session: OrtSession, file: string, format: string, inputs: readonly string[], outputs: readonly string[]): void {
  const missingIn = inputs.filter((n) => !session.inputNames.includes(n));
  const missingOut = outputs.filter((n) => !session.outputNames.includes(n));
  if (missingIn.length || missingOut.length) {
    fail(
      ErrorCode.ModelFormat,
      `${file} does not look like a ${format} model: expected inputs [${inputs.join(', ')}] and outputs [${outputs.join(', ')}], ` +
        `found inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
    );
  }
}

/** Element type of a named input, from the session's metadata (undefined if unknown). */
export function inputType(session: OrtSession, name: string): string | undefined {
  const meta = session.inputMetadata?.find((m) => m.name === name);
  return meta && meta.isTensor ? meta.type : undefined;
}

/** Declared shape of a named input (symbolic dims as strings), if the runtime reports it. */
export function inputShape(session: OrtSession, name: string): ReadonlyArray<number | string> | undefined {
  const meta = session.inputMetadata?.find((m) => m.name === name);
  return meta && meta.isTensor ? meta.shape : undefined;
}

export function tensorF32(ort: Ort, data: Float32Array | number[], dims: readonly number[]): OrtTensor {
  return new ort.Tensor('float32', data instanceof Float32Array ? data : Float32Array.from(data), dims);
}

export function tensorI64(ort: Ort, data: number[], dims: readonly number[]): OrtTensor {
  return new ort.Tensor('int64', BigInt64Array.from(data.map((v) => BigInt(v))), dims);
}

/** A label/coordinate tensor in whatever element type the graph declares (int64 or float). */
export function tensorLike(ort: Ort, type: string | undefined, data: number[], dims: readonly number[]): OrtTensor {
  return type === 'int64' ? tensorI64(ort, data, dims) : tensorF32(ort, data, dims);
}

/** Float data of an output tensor (copied out of any runtime-owned buffer). */
export async function floatData(t: OrtTensor): Promise<Float32Array> {
  const d = (t.location && t.location !== 'cpu' ? await t.getData() : t.data) as Float32Array;
  return d instanceof Float32Array ? d : Float32Array.from(d as unknown as ArrayLike<number>);
}

/** Splits C consecutive 256×256 maps into separate arrays (views, no copy). */
export function splitMaps(data: Float32Array, count: number, side = 256): Float32Array[] {
  const n = side * side;
  if (data.length < count * n) fail(ErrorCode.Inference, `decoder returned ${data.length} values, expected ${count} masks of ${side}×${side}`);
  return Array.from({ length: count }, (_, i) => data.subarray(i * n, (i + 1) * n));
}

export function tensorBytes(tensors: Record<string, OrtTensor>): number {
  let n = 0;
  for (const t of Object.values(tensors)) n += t.size * 4;
  return n;
}

export function argmax(values: readonly number[], from = 0, to = values.length): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
