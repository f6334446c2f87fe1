/**
 * The salient (background-removal) format's contract: the descriptor that says how a graph is
 * fed and read, its known keys and its validation. Registry entries carry one (checked by the
 * compiler); a model folder carries one as cutout.json (checked here, every problem listed).
 */
import { fail, ErrorCode } from '../errors.js';

/**
 * How a salient (background-removal) graph is fed and read:
 * pixels (RGB, 0-255) are resized to `size`, divided by `scale` (a number, or 'max' for the
 * image's own maximum value as U²-Net does), normalised `(x - mean) / std` per channel and
 * laid out NCHW into `input`; `output`'s first channel gets `activation`, then `normalize`
 * ('minmax' stretches it to 0..1), then is resized back to the image as alpha.
 */
export interface SalientDescriptor {
  format: 'salient';
  /** File name of the graph in the model directory. */
  model: string;
  input: string;
  output: string;
  /** Network input [width, height]. */
  size: [number, number];
  resize: 'stretch' | 'letterbox';
  mean: [number, number, number];
  std: [number, number, number];
  scale: number | 'max';
  activation: 'none' | 'sigmoid';
  normalize: 'minmax' | 'none';
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isTriple = (v: unknown): v is [number, number, number] => Array.isArray(v) && v.length === 3 && v.every(isNum);

/** Problems with a salient descriptor (empty when it is complete and well-formed). */
export function salientDescriptorProblems(d: unknown, fileNames: readonly string[] = []): string[] {
  const problems: string[] = [];
  if (!d || typeof d !== 'object') return ['descriptor is missing'];
  const o = d as Record<string, unknown>;
  if (o.format !== 'salient') problems.push(`format is ${JSON.stringify(o.format)}, expected "salient"`);
  if (typeof o.model !== 'string' || !o.model) problems.push('model (graph file name) is missing');
  else if (fileNames.length && !fileNames.includes(o.model)) {
    problems.push(`model "${o.model}" is not one of the entry's files (${fileNames.join(', ')})`);
  }
  if (typeof o.input !== 'string' || !o.input) problems.push('input tensor name is missing');
  if (typeof o.output !== 'string' || !o.output) problems.push('output tensor name is missing');
  const size = o.size;
  if (!(Array.isArray(size) && size.length === 2 && size.every((s) => Number.isInteger(s) && s > 0))) {
    problems.push('size must be [width, height] in positive whole pixels');
  }
  if (o.resize !== 'stretch' && o.resize !== 'letterbox') problems.push('resize must be "stretch" or "letterbox"');
  if (!isTriple(o.mean)) problems.push('mean must be three numbers');
  if (!isTriple(o.std) || !(o.std as number[]).every((s) => s > 0)) problems.push('std must be three positive numbers');
  if (!(o.scale === 'max' || (isNum(o.scale) && o.scale > 0))) problems.push('scale must be a positive number or "max"');
  if (o.activation !== 'none' && o.activation !== 'sigmoid') problems.push('activation must be "none" or "sigmoid"');
  if (o.normalize !== 'minmax' && o.normalize !== 'none') problems.push('normalize must be "minmax" or "none"');
  return problems;
}

/** File name of the descriptor in a model folder. */
export const SALIENT_DESCRIPTOR_FILE = 'cutout.json';

/** Every key a descriptor may have: anything else is a typo and refused. */
export const SALIENT_DESCRIPTOR_KEYS: readonly (keyof SalientDescriptor)[] = ['format', 'model', 'input', 'output', 'size', 'resize', 'mean', 'std', 'scale', 'activation', 'normalize'];
const KNOWN_KEYS = new Set<string>(SALIENT_DESCRIPTOR_KEYS);

/**
 * Checks a descriptor (parsed JSON, JSON text or its UTF-8 bytes) and returns it typed.
 * `fileNames` are the files next to it: `model` must be one of them (pass [] to skip that
 * check). Every problem is listed in one MODEL_FORMAT error; unknown keys are an error too,
 * so a typo ("normalise") never passes silently.
 */
export function parseSalientDescriptor(json: unknown, fileNames: readonly string[] = []): SalientDescriptor {
  let value = json;
  if (value instanceof Uint8Array) value = new TextDecoder().decode(value);
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (err) {
      return fail(ErrorCode.ModelFormat, `${SALIENT_DESCRIPTOR_FILE} is not valid JSON (${(err as Error).message})`, err);
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return fail(ErrorCode.ModelFormat, `${SALIENT_DESCRIPTOR_FILE} must hold a JSON object, found ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  }
  const problems = salientDescriptorProblems(value, fileNames).map((p) => p.replace("the entry's files", 'the files found'));
  const unknown = Object.keys(value).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length) problems.push(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${[...KNOWN_KEYS].join(', ')})`);
  if (problems.length) {
    fail(
      ErrorCode.ModelFormat,
      `${SALIENT_DESCRIPTOR_FILE} is not a usable salient descriptor: ${problems.join('; ')}. Expected e.g. ` +
        '{"format":"salient","model":"model.onnx","input":"input","output":"output","size":[1024,1024],"resize":"stretch",' +
        '"mean":[0.5,0.5,0.5],"std":[1,1,1],"scale":255,"activation":"none","normalize":"minmax"}',
    );
  }
  const d = value as SalientDescriptor;
  return {
    format: 'salient',
    model: d.model,
    input: d.input,
    output: d.output,
    size: [d.size[0], d.size[1]],
    resize: d.resize,
    mean: [d.mean[0], d.mean[1], d.mean[2]],
    std: [d.std[0], d.std[1], d.std[2]],
    scale: d.scale,
    activation: d.activation,
    normalize: d.normalize,
  };
}
