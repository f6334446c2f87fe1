import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fail, ErrorCode, isCutoutError } from '../core/errors.js';
import type { ModelFiles } from '../core/models/types.js';
import { MODELS, type ModelEntry, type ModelFile } from '../models/registry.js';
import { downloadModel } from '../core/models/download.js';

export interface ResolvedModel {
  id: string;
  dir: string;
  /** File names in the folder (for format detection); a file's bytes are read when first used. */
  files: ModelFiles;
  /** True for a registry model kept in the model cache (Cutout's copy, safe to delete). */
  cached?: boolean;
}

export type ModelKind = 'sam' | 'salient';

export interface ResolveOptions {
  /** No download progress on stderr. */
  quiet?: boolean;
  /** The kind the command needs: a registry id of the other kind is refused before any download. */
  kind?: ModelKind;
  /** Where notices go (a cached file found corrupt, …); stderr by default. */
  log?: (line: string) => void;
  /** The registry to resolve ids in (default: the built-in one). */
  registry?: readonly ModelEntry[];
  /** Give a download up after this long without bytes (default 30 s). */
  stallMs?: number;
}

/** Where registry models are kept once downloaded. */
export function modelCacheDir(): string {
  return process.env.CUTOUT_MODEL_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cutout', 'models');
}

const MODEL_FILE = /\.(onnx|json|data|onnx_data)$/;

/**
 * Node reads at most this much into one buffer (readFileSync's limit); checked up front so
 * the error names the file instead of Node's anonymous ERR_FS_FILE_TOO_LARGE.
 */
export const MAX_MODEL_FILE_BYTES = 2 ** 31 - 1;

function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : `${(n / 1e6).toFixed(1)} MB`;
}

function readModelFile(path: string): Uint8Array {
  const size = statSync(path).size;
  if (size > MAX_MODEL_FILE_BYTES) {
    fail(
      ErrorCode.ModelLoad,
      `${path} is ${formatBytes(size)}, more than the 2 GiB one model file may have here; ` +
        'use an export that keeps its weights in a separate .onnx_data file under 2 GiB, or a smaller model',
    );
  }
  return new Uint8Array(readFileSync(path));
}

/**
 * The model files of a folder (or only `names`), each read from disk the first time the
 * loader asks for it: the loader picks the files its format needs by name, so an unrelated
 * large file next to the model costs nothing.
 */
export function readModelDir(dir: string, names?: readonly string[]): ModelFiles {
  const files: ModelFiles = {};
  for (const name of names ?? readdirSync(dir)) {
    if (!MODEL_FILE.test(name)) continue;
    let bytes: Uint8Array | undefined;
    Object.defineProperty(files, name, {
      enumerable: true,
      get: () => (bytes ??= readModelFile(join(dir, name))),
    });
  }
  return files;
}

/** Sidecar in a cached model folder: the sha256 already checked per file, with what it was checked on. */
const VERIFIED_FILE = '.cutout-verified';

interface VerifiedRecord {
  bytes: number;
  /** Compared to within 1 ms: tools that restore times through a Date keep only whole ms. */
  mtimeMs: number;
  sha256: string;
}

function readVerified(dir: string): Record<string, VerifiedRecord> {
  try {
    const json = JSON.parse(readFileSync(join(dir, VERIFIED_FILE), 'utf8')) as unknown;
    return json && typeof json === 'object' ? (json as Record<string, VerifiedRecord>) : {};
  } catch {
    return {}; // none yet, or unreadable: files are hashed again
  }
}

function writeVerified(dir: string, record: Record<string, VerifiedRecord>): void {
  try {
    atomicWrite(join(dir, VERIFIED_FILE), JSON.stringify(record));
  } catch {
    /* the files are still good; the next run hashes them again */
  }
}

function atomicWrite(path: string, bytes: Uint8Array | string): void {
  const tmp = join(path, '..', `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Why a cached registry file cannot be used (undefined when it can). Size is checked on
 * every run; a pinned sha256 once per file version, remembered by size and mtime.
 */
function cacheProblem(dir: string, file: ModelFile, verified: Record<string, VerifiedRecord>): string | undefined {
  const path = join(dir, file.name);
  if (!existsSync(path)) return 'missing';
  const st = statSync(path);
  if (st.size !== file.bytes) return `is ${st.size} bytes, expected ${file.bytes}`;
  if (!file.sha256) return undefined;
  const seen = verified[file.name];
  if (seen && seen.sha256 === file.sha256 && seen.bytes === st.size && Math.abs(seen.mtimeMs - st.mtimeMs) < 1) return undefined;
  const actual = sha256OfFile(path);
  if (actual !== file.sha256) return `failed its sha256 check (expected ${file.sha256}, got ${actual})`;
  verified[file.name] = { bytes: st.size, mtimeMs: st.mtimeMs, sha256: actual };
  return undefined;
}

function kindOf(entry: ModelEntry): ModelKind {
  return entry.format === 'salient' ? 'salient' : 'sam';
}

function refuseWrongKind(spec: string, entry: ModelEntry, kind: ModelKind, registry: readonly ModelEntry[]): void {
  if (kindOf(entry) === kind) return;
  const fitting = registry.filter((m) => kindOf(m) === kind).map((m) => m.id);
  fail(
    ErrorCode.ModelFormat,
    kind === 'sam'
      ? `--model ${spec} is a background-removal (salient) model; this command needs a SAM model (${fitting.join(', ')})`
      : `--model ${spec} is a ${entry.format} model; this command needs a salient (background-removal) model (${fitting.join(', ')})`,
  );
}

/**
 * `--model` is a folder, or a registry id: downloaded once into the model cache (progress on
 * stderr), and checked on every use — a cached file of the wrong size, or one whose pinned
 * sha256 does not match, is downloaded again with a line saying so.
 */
export async function resolveModel(spec: string, opts: ResolveOptions = {}): Promise<ResolvedModel> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (existsSync(spec)) {
    if (!statSync(spec).isDirectory()) fail(ErrorCode.ModelLoad, `--model ${spec} is a file; give the folder that holds the model's .onnx files`);
    return { id: spec.replace(/[/\\]+$/, '').split(/[/\\]/).pop() || spec, dir: spec, files: readModelDir(spec) };
  }
  const registry = opts.registry ?? MODELS;
  const entry = registry.find((m) => m.id === spec);
  if (!entry) {
    return fail(ErrorCode.ModelLoad, `--model ${spec} is neither a folder nor a known model id (known: ${registry.map((m) => m.id).join(', ')})`);
  }
  if (opts.kind) refuseWrongKind(spec, entry, opts.kind, registry);
  const dir = join(modelCacheDir(), entry.id);
  const verified = readVerified(dir);
  const recorded = JSON.stringify(verified);
  const stale: ModelFile[] = [];
  for (const f of entry.files) {
    const problem = cacheProblem(dir, f, verified);
    if (!problem) continue;
    if (problem !== 'missing') log(`cutout: the cached ${f.name} in ${dir} ${problem}; downloading it again`);
    stale.push(f);
  }
  if (stale.length) {
    mkdirSync(dir, { recursive: true });
    let last = -1;
    let got: Awaited<ReturnType<typeof downloadModel>>;
    try {
      got = await downloadModel(
        { id: entry.id, files: stale },
        {
          ...(opts.stallMs !== undefined ? { stallMs: opts.stallMs } : {}),
          onProgress: (p) => {
            if (opts.quiet) return;
            const pct = Math.floor((100 * p.loaded) / Math.max(1, p.total));
            if (pct !== last) {
              last = pct;
              process.stderr.write(`\rdownloading ${entry.id}: ${pct}% of ${(p.total / 1e6).toFixed(1)} MB`);
            }
          },
        },
      );
    } catch (err) {
      if (!opts.quiet && last >= 0) process.stderr.write('\n');
      if (isCutoutError(err, ErrorCode.Download)) {
        err.message += ` Run the command again to retry (files already in ${dir} are kept).`;
      }
      throw err;
    }
    if (!opts.quiet) process.stderr.write('\n');
    for (const f of stale) {
      const path = join(dir, f.name);
      atomicWrite(path, got.files[f.name]!);
      // Verified while downloading: record it so later runs check size and mtime only.
      if (f.sha256) verified[f.name] = { bytes: f.bytes, mtimeMs: statSync(path).mtimeMs, sha256: f.sha256 };
    }
  }
  if (JSON.stringify(verified) !== recorded) writeVerified(dir, verified);
  return { id: entry.id, dir, files: readModelDir(dir, entry.files.map((f) => f.name)), cached: true };
}

/**
 * Runs a model load; when a cached registry model fails to load (a file damaged in a way its
 * size cannot show and no sha256 is pinned for), the error says where the copy is, so "download
 * it again" is something the user can do.
 */
export async function loadResolved<T>(resolved: ResolvedModel, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (resolved.cached && isCutoutError(err, ErrorCode.ModelLoad)) {
      err.message += ` The downloaded copy is in ${resolved.dir}: delete that folder and run the command again to download it afresh.`;
    }
    throw err;
  }
}
