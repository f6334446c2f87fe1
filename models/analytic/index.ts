/**
 * Small analytic ONNX models, one per SAM format the engine speaks, whose masks are known
 * exactly (colour similarity to the clicked colour; see common.ts for the rule and each format
 * module for its files, names and constants). Builders are pure TypeScript and return the
 * serialised ModelProto bytes; `generateAnalyticModels` writes them to disk (Node only).
 */
import { buildSalient, SALIENT_FILES } from './salient.js';
import { buildSam1, SAM1_FILES } from './sam1.js';
import { buildSam2, SAM2_FILES } from './sam2.js';
import { buildSam2Hf, SAM2_HF_FILES } from './sam2-hf.js';
import { buildSamHf, SAM_HF_FILES } from './sam-hf.js';

export { buildSamHf, buildSamHfDecoder, buildSamHfEncoder, SAM_HF_FILES } from './sam-hf.js';
export { buildSam2Hf, buildSam2HfDecoder, buildSam2HfEncoder, SAM2_HF_FILES } from './sam2-hf.js';
export { buildSam1, buildSam1Decoder, buildSam1Encoder, SAM1_FILES } from './sam1.js';
export { buildSam2, buildSam2Decoder, buildSam2Encoder, SAM2_FILES } from './sam2.js';
export {
  buildSalient,
  buildSalientModel,
  SALIENT_DESCRIPTOR,
  SALIENT_FILES,
  SALIENT_GAIN,
  SALIENT_REF_BLOCK,
  SALIENT_SIZE,
  SALIENT_THRESHOLD,
} from './salient.js';
export {
  BIG,
  CELL,
  FRAME,
  LOGIT_CLAMP,
  LOGIT_GAIN,
  AGREEMENT_FULL,
  LOW_RES,
  OBJECT_SCORE,
  SAM1_MEAN,
  SAM1_STD,
  SCORES_3,
  SCORES_SAM1,
  TAUS_3,
  TAUS_SAM1,
} from './common.js';
export { analyticAgreement, analyticColourMap, analyticLogits, sampleColour, type AnalyticPrompt } from './oracle.js';

export const ANALYTIC_FORMATS = ['sam-hf', 'sam2-hf', 'sam1', 'sam2', 'salient'] as const;
export type AnalyticFormat = (typeof ANALYTIC_FORMATS)[number];

/** File name → bytes, per format: exactly what `generateAnalyticModels` writes. */
export function analyticModelFiles(): Record<AnalyticFormat, Record<string, Uint8Array>> {
  const samHf = buildSamHf();
  const sam2Hf = buildSam2Hf();
  const sam1 = buildSam1();
  const sam2 = buildSam2();
  const salient = buildSalient();
  return {
    'sam-hf': { [SAM_HF_FILES.encoder]: samHf.encoder, [SAM_HF_FILES.decoder]: samHf.decoder },
    'sam2-hf': { [SAM2_HF_FILES.encoder]: sam2Hf.encoder, [SAM2_HF_FILES.decoder]: sam2Hf.decoder },
    sam1: { [SAM1_FILES.encoder]: sam1.encoder, [SAM1_FILES.decoder]: sam1.decoder },
    sam2: { [SAM2_FILES.encoder]: sam2.encoder, [SAM2_FILES.decoder]: sam2.decoder },
    salient: {
      [SALIENT_FILES.model]: salient.model,
      [SALIENT_FILES.descriptor]: new TextEncoder().encode(salient.descriptor),
    },
  };
}

/**
 * Writes every analytic model to `outDir/<format>/` and returns the directory per format.
 * Idempotent: a file whose content hash already matches is not rewritten (its mtime stays).
 * Writes are atomic (temporary file + rename), so parallel test workers can call this at once.
 * Node only (file system); the builders above are not.
 */
export async function generateAnalyticModels(outDir: string): Promise<Record<AnalyticFormat, string>> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { createHash } = await import('node:crypto');
  const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

  const files = analyticModelFiles();
  const dirs = {} as Record<AnalyticFormat, string>;
  for (const format of ANALYTIC_FORMATS) {
    const dir = path.resolve(outDir, format);
    await fs.mkdir(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(files[format])) {
      const file = path.join(dir, name);
      const existing = await fs.readFile(file).catch(() => undefined);
      if (existing && sha256(existing) === sha256(bytes)) continue;
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await fs.writeFile(tmp, bytes);
      await fs.rename(tmp, file);
    }
    dirs[format] = dir;
  }
  return dirs;
}
