import { fail, ErrorCode } from '../errors.js';
import type { FormatDriver } from './formats/driver.js';
import { samHf } from './formats/sam-hf.js';
import { sam2Hf } from './formats/sam2-hf.js';
import { sam1 } from './formats/sam1.js';
import { sam2 } from './formats/sam2.js';
import type { OrtSession, SamFormat } from './types.js';

export const DRIVERS: Record<SamFormat, FormatDriver> = { 'sam-hf': samHf, 'sam2-hf': sam2Hf, sam1, sam2 };

export type Variant = 'fp32' | 'quantized' | 'fp16';

export interface FilePair {
  layout: 'hf' | 'exporter';
  encoder: string;
  decoder: string;
}

const HF_ENCODER = /^vision_encoder(?:_(quantized|fp16|int8|uint8|q4|q4f16|bnb4))?\.onnx$/;
const HF_DECODER = /^prompt_encoder_mask_decoder(?:_(quantized|fp16|int8|uint8|q4|q4f16|bnb4))?\.onnx$/;
const EXP_ENCODER = /(?:^|[._-])encoder(?:[._-](quantized|fp16|int8|quant))?\.onnx$/;
const EXP_DECODER = /(?:^|[._-])decoder(?:[._-](quantized|fp16|int8|quant))?\.onnx$/;

function variantOf(match: RegExpExecArray): Variant {
  const v = match[1];
  if (!v) return 'fp32';
  return v === 'fp16' || v === 'q4f16' ? 'fp16' : 'quantized';
}

/** Picks the file of the wanted variant, else the fp32 one, else any. */
function pick(names: string[], re: RegExp, variant: Variant): string | undefined {
  const hits = names.map((n) => ({ n, m: re.exec(n) })).filter((h): h is { n: string; m: RegExpExecArray } => !!h.m);
  return (hits.find((h) => variantOf(h.m) === variant) ?? hits.find((h) => variantOf(h.m) === 'fp32') ?? hits[0])?.n;
}

/**
 * Finds the encoder/decoder pair in a model folder's file names: the transformers.js
 * layout (vision_encoder*.onnx + prompt_encoder_mask_decoder*.onnx) or an exporter's
 * (*encoder.onnx + *decoder.onnx). Which SAM format it is comes from the graphs' names.
 */
export function findModelFiles(names: string[], variant: Variant = 'fp32'): FilePair {
  const onnx = names.filter((n) => n.endsWith('.onnx'));
  const hfEnc = pick(onnx, HF_ENCODER, variant);
  const hfDec = pick(onnx, HF_DECODER, variant);
  if (hfEnc && hfDec) return { layout: 'hf', encoder: hfEnc, decoder: hfDec };
  const rest = onnx.filter((n) => n !== hfEnc && n !== hfDec);
  const enc = pick(rest, EXP_ENCODER, variant);
  const dec = pick(rest, EXP_DECODER, variant);
  if (enc && dec) return { layout: 'exporter', encoder: enc, decoder: dec };
  return fail(
    ErrorCode.ModelFormat,
    `no SAM model found: expected vision_encoder.onnx + prompt_encoder_mask_decoder.onnx (sam-hf, sam2-hf) ` +
      `or *encoder.onnx + *decoder.onnx (sam1, sam2), found ${names.length ? names.join(', ') : 'no files'}`,
  );
}

/** The SAM format a decoder graph speaks, from its input names. */
export function detectFormat(decoder: OrtSession, file: string): SamFormat {
  const has = (n: string) => decoder.inputNames.includes(n);
  if (has('image_embeddings.0')) return 'sam2-hf';
  if (has('image_positional_embeddings') && has('input_points')) return 'sam-hf';
  if (has('image_embed') && has('high_res_feats_0')) return 'sam2';
  if (has('image_embeddings') && has('point_coords')) return 'sam1';
  return fail(
    ErrorCode.ModelFormat,
    `${file} is not a SAM decoder this engine knows: its inputs are [${decoder.inputNames.join(', ')}]; ` +
      'expected the inputs of sam-hf (image_embeddings, image_positional_embeddings, input_points, input_labels), ' +
      'sam2-hf (image_embeddings.0/1/2, input_points, input_labels), sam1 (image_embeddings, point_coords, point_labels, ' +
      'mask_input, has_mask_input, orig_im_size) or sam2 (image_embed, high_res_feats_0/1, point_coords, point_labels, ...)',
  );
}
