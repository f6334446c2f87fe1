import { existsSync, readdirSync, readFileSync, statSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fail, ErrorCode } from '../core/errors.js';
import type { ModelFiles } from '../core/models/types.js';
import { MODELS, getModel } from '../models/registry.js';
import { downloadModel } from '../core/models/download.js';
import { writeFilesAtomically } from './io.js';

export interface ResolvedModel {
  id: string;
  dir: string;
  /** File names in the folder (for format detection), bytes read lazily. */
  files: ModelFiles;
}

/** Where registry models are kept once downloaded. */
export function modelCacheDir(): string {
  return process.env.CUTOUT_MODEL_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cutout', 'models');
}

/** Reads every .onnx / .json file of a folder. */
export function readModelDir(dir: string): ModelFiles {
  const files: ModelFiles = {};
  for (const name of readdirSync(dir)) {
    if (!/\.(onnx|json|data|onnx_data)$/.test(name)) continue;
    files[name] = new Uint8Array(readFileSync(join(dir, name)));
  }
  return files;
}

/**
 * `--model` is a folder, or a registry id (downloaded once into the model cache, with
 * progress on stderr, verified by size and sha256).
 */
export async function resolveModel(spec: string, opts: { quiet?: boolean } = {}): Promise<ResolvedModel> {
  if (existsSync(spec)) {
    if (!statSync(spec).isDirectory()) fail(ErrorCode.ModelLoad, `--model ${spec} is a file; give the folder that holds the model's .onnx files`);
    return { id: spec.replace(/[/\\]+$/, '').split(/[/\\]/).pop() || spec, dir: spec, files: readModelDir(spec) };
  }
  if (!MODELS.some((m) => m.id === spec)) {
    fail(ErrorCode.ModelLoad, `--model ${spec} is neither a folder nor a known model id (known: ${MODELS.map((m) => m.id).join(', ')})`);
  }
  const entry = getModel(spec);
  const dir = join(modelCacheDir(), entry.id);
  const missing = entry.files.filter((f) => !existsSync(join(dir, f.name)));
  if (missing.length) {
    mkdirSync(dir, { recursive: true });
    let last = -1;
    const got = await downloadModel(entry, {
      onProgress: (p) => {
        if (opts.quiet) return;
        const pct = Math.floor((100 * p.loaded) / Math.max(1, p.total));
        if (pct !== last) {
          last = pct;
          process.stderr.write(`\rdownloading ${entry.id}: ${pct}% of ${(p.total / 1e6).toFixed(1)} MB`);
        }
      },
    });
    if (!opts.quiet) process.stderr.write('\n');
    writeFilesAtomically(Object.entries(got.files).map(([name, bytes]) => ({ path: join(dir, name), bytes })));
  }
  return { id: entry.id, dir, files: readModelDir(dir) };
}
