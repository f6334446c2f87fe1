/**
 * One entry point for "load whatever this folder holds": a salient (background-removal)
 * model or a SAM model. loadSamModel and loadSalientModel stay the format-specific loaders.
 *
 * Detection, in order:
 *  1. `cutout.json` with `"format": "salient"` → salient (the descriptor says everything);
 *     `cutout.json` naming a SAM format → SAM, with that format required;
 *  2. `options.descriptor` given (registry entries of salient models carry one) → salient;
 *  3. otherwise SAM: the encoder/decoder pair is found by file name and the format by the
 *     decoder's input names (core/models/detect.ts).
 */
import { fail, ErrorCode } from '../errors.js';
import { loadSamModel, type LoadOptions } from './sam-model.js';
import { loadSalientModel, readText, SALIENT_DESCRIPTOR_FILE, type SalientDescriptor, type SalientModel } from './salient.js';
import { SAM_FORMATS, type ModelFiles, type ModelFormat, type Ort, type SamFormat, type SegmentModel } from './types.js';

export type AnyModel = { kind: 'salient'; model: SalientModel } | { kind: 'sam'; model: SegmentModel };

export interface AnyLoadOptions extends Omit<LoadOptions, 'format'> {
  /** Require this kind; a folder of the other kind is a MODEL_FORMAT error saying so. */
  kind?: 'salient' | 'sam';
  /** Descriptor of a salient model whose files hold no cutout.json. */
  descriptor?: SalientDescriptor | Record<string, unknown>;
}

/** The format a set of model files declares in cutout.json, if any. */
export async function declaredFormat(files: ModelFiles): Promise<ModelFormat | undefined> {
  const src = files[SALIENT_DESCRIPTOR_FILE];
  if (src === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await readText(src));
  } catch (err) {
    return fail(ErrorCode.ModelFormat, `${SALIENT_DESCRIPTOR_FILE} is not valid JSON (${(err as Error).message})`, err);
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format === 'salient' || SAM_FORMATS.includes(format as SamFormat)) return format as ModelFormat;
  return fail(
    ErrorCode.ModelFormat,
    `${SALIENT_DESCRIPTOR_FILE} declares format ${JSON.stringify(format)}; expected "salient" or one of ${SAM_FORMATS.join(', ')}`,
  );
}

export async function loadAnyModel(ort: Ort, files: ModelFiles, options: AnyLoadOptions = {}): Promise<AnyModel> {
  const declared = await declaredFormat(files);
  const salient = declared === 'salient' || (declared === undefined && options.descriptor !== undefined);
  const kind = salient ? 'salient' : 'sam';
  if (options.kind && options.kind !== kind) {
    const found = Object.keys(files).join(', ') || 'no files';
    fail(
      ErrorCode.ModelFormat,
      options.kind === 'salient'
        ? `expected a salient model (a folder with model.onnx and cutout.json {"format":"salient",...}) but found a SAM model (${found})`
        : `expected a SAM model (encoder + decoder .onnx) but found a salient model (${found})`,
    );
  }
  if (salient) {
    const model = await loadSalientModel(ort, files, {
      id: options.id,
      descriptor: declared === 'salient' ? undefined : options.descriptor,
      sessionOptions: options.sessionOptions,
    });
    return { kind: 'salient', model };
  }
  const { descriptor: _unused, kind: _kind, ...samOptions } = options;
  const model = await loadSamModel(ort, files, { ...samOptions, ...(declared ? { format: declared as SamFormat } : {}) });
  return { kind: 'sam', model };
}
