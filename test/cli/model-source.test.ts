/**
 * Model resolution for the CLI: a registry model's cache is checked on every use (size always,
 * pinned sha256 once per downloaded file), a bad cached file is downloaded again with a line
 * naming it, a wrong-kind id is refused before any download, and a model folder is read only
 * as far as the loader needs it. Everything runs against a temp cache and a local server.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/errors.js';
import { loadAnyModel } from '../../core/models/load.js';
import { generateAnalyticModels } from '../../models/analytic/index.js';
import type { ModelEntry } from '../../models/registry.js';
import { loadResolved, readModelDir, resolveModel } from '../../node/model-source.js';
import { encodePng } from '../../core/image/png.js';
import { runCli } from '../helpers/cli.js';
import { ort } from '../helpers/ort.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { caught } from '../helpers/caught.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const enc = new Uint8Array(120_000).map((_, i) => (i * 131 + 7) & 0xff);
const dec = new Uint8Array(40_000).map((_, i) => (i * 17 + 3) & 0xff);

let root: string;
let cache: string;
let server: TestServer;
let registry: ModelEntry[];
let lines: string[];
const log = (l: string) => lines.push(l);


/** A file of `size` bytes that takes no disk space (a hole). */
function sparse(path: string, size: number): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cutout-model-source-'));
  server = await startTestServer({ '/m/enc.onnx': enc, '/m/dec.onnx': dec, '/m/model.onnx': dec });
  const junk = (name: string, bytes: Uint8Array, role: 'encoder' | 'decoder') => ({ role, name, url: `${server.url}/m/${bytes === enc ? 'enc' : 'dec'}.onnx`, bytes: bytes.length });
  registry = [
    {
      id: 'pinned',
      name: 'Pinned',
      format: 'sam-hf',
      license: 'MIT',
      homepage: server.url,
      files: [
        { role: 'encoder', name: 'vision_encoder.onnx', url: `${server.url}/m/enc.onnx`, bytes: enc.length, sha256: sha(enc) },
        { role: 'decoder', name: 'prompt_encoder_mask_decoder.onnx', url: `${server.url}/m/dec.onnx`, bytes: dec.length },
      ],
    },
    {
      // Right sizes, no pinned hashes, and bytes that are no ONNX model.
      id: 'unpinned',
      name: 'Unpinned',
      format: 'sam-hf',
      license: 'MIT',
      homepage: server.url,
      files: [junk('vision_encoder.onnx', enc, 'encoder'), junk('prompt_encoder_mask_decoder.onnx', dec, 'decoder')],
    },
    {
      id: 'background',
      name: 'Background',
      format: 'salient',
      license: 'MIT',
      homepage: server.url,
      files: [{ role: 'model', name: 'model.onnx', url: `${server.url}/m/model.onnx`, bytes: dec.length }],
      descriptor: {
        format: 'salient', model: 'model.onnx', input: 'input', output: 'output', size: [64, 64], resize: 'stretch',
        mean: [0, 0, 0], std: [1, 1, 1], scale: 255, activation: 'none', normalize: 'none',
      },
    },
  ];
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  cache = mkdtempSync(join(root, 'cache-'));
  process.env.CUTOUT_MODEL_DIR = cache;
  lines = [];
  server.requests.length = 0;
});
afterEach(() => {
  delete process.env.CUTOUT_MODEL_DIR;
});

const resolve = (id: string, kind?: 'sam' | 'salient') => resolveModel(id, { quiet: true, log, registry, ...(kind ? { kind } : {}) });

describe('registry models in the cache', () => {
  it('downloads once, then uses the cache without the network or a line', async () => {
    const first = await resolve('pinned');
    expect(server.requests.sort()).toEqual(['/m/dec.onnx', '/m/enc.onnx']);
    expect(sha(first.files['vision_encoder.onnx'] as Uint8Array)).toBe(sha(enc));
    server.requests.length = 0;
    const again = await resolve('pinned');
    expect(server.requests).toEqual([]);
    expect(lines).toEqual([]);
    expect(sha(again.files['vision_encoder.onnx'] as Uint8Array)).toBe(sha(enc));
  });

  it('random bytes of the right size in a pinned file: downloaded again, with a line naming the file and folder', async () => {
    await resolve('pinned');
    const path = join(cache, 'pinned', 'vision_encoder.onnx');
    writeFileSync(path, new Uint8Array(enc.length).map((_, i) => (i * 7919) & 0xff));
    server.requests.length = 0;
    const r = await resolve('pinned');
    expect(server.requests).toEqual(['/m/enc.onnx']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`the cached vision_encoder.onnx in ${join(cache, 'pinned')} failed its sha256 check (expected ${sha(enc)}`);
    expect(lines[0]).toMatch(/downloading it again$/);
    expect(sha(readFileSync(path))).toBe(sha(enc));
    expect(sha(r.files['vision_encoder.onnx'] as Uint8Array)).toBe(sha(enc));
  });

  it('a cached file of the wrong size (even without a pinned hash) is downloaded again', async () => {
    await resolve('pinned');
    const path = join(cache, 'pinned', 'prompt_encoder_mask_decoder.onnx');
    writeFileSync(path, dec.subarray(0, 1000));
    server.requests.length = 0;
    await resolve('pinned');
    expect(server.requests).toEqual(['/m/dec.onnx']);
    expect(lines).toEqual([`cutout: the cached prompt_encoder_mask_decoder.onnx in ${join(cache, 'pinned')} is 1000 bytes, expected ${dec.length}; downloading it again`]);
    expect(statSync(path).size).toBe(dec.length);
  });

  it('hashes a pinned file once per download: later runs go by size and modification time', async () => {
    await resolve('pinned');
    const path = join(cache, 'pinned', 'vision_encoder.onnx');
    const st = statSync(path);
    // Change the bytes but keep size and mtime: a run that re-hashed would notice.
    const other = enc.slice();
    other[5] ^= 1;
    writeFileSync(path, other);
    utimesSync(path, st.atime, st.mtime);
    server.requests.length = 0;
    await resolve('pinned');
    expect(server.requests).toEqual([]);
    // Touching the file (a real change) makes the next run check it again.
    utimesSync(path, st.atime, new Date(st.mtimeMs + 5000));
    await resolve('pinned');
    expect(server.requests).toEqual(['/m/enc.onnx']);
    expect(lines[0]).toContain('failed its sha256 check');
  });

  it('a stalled download says how to retry; the files that did arrive are kept', async () => {
    server.setRoute('/m/dec.onnx', { body: dec, stallAt: 10_000 });
    try {
      const err = await caught(resolveModel('pinned', { quiet: true, log, registry, stallMs: 500 }));
      expect(err.code).toBe(ErrorCode.Download);
      expect(err.message).toContain('stalled');
      expect(err.message).toContain(`Run the command again to retry (files already in ${join(cache, 'pinned')} are kept).`);
    } finally {
      server.setRoute('/m/dec.onnx', dec);
    }
  });

  it('a cached model that passes its size check but will not load says where the copy is', async () => {
    const resolved = await resolve('unpinned');
    const err = await caught(loadResolved(resolved, () => loadAnyModel(ort, resolved.files, { kind: 'sam', precompute: false })));
    expect(err.code).toBe(ErrorCode.ModelLoad);
    expect(err.message).toMatch(/^could not load prompt_encoder_mask_decoder\.onnx \(40000 bytes\)/);
    expect(err.message).toContain(`The downloaded copy is in ${join(cache, 'unpinned')}: delete that folder and run the command again to download it afresh.`);
  });

  it('a registry id of the wrong kind is refused before anything is downloaded', async () => {
    const sam = await caught(resolve('background', 'sam'));
    expect(sam.code).toBe(ErrorCode.ModelFormat);
    expect(sam.message).toBe('--model background is a background-removal (salient) model; this command needs a SAM model (pinned, unpinned)');
    const salient = await caught(resolve('pinned', 'salient'));
    expect(salient.message).toBe('--model pinned is a sam-hf model; this command needs a salient (background-removal) model (background)');
    expect(server.requests).toEqual([]);
    expect(readdirSync(cache)).toEqual([]);
  });
});

describe('cutout segment with a background-removal registry id', () => {
  it('refuses it in one line before any download', async () => {
    const img = join(root, 'one.png');
    writeFileSync(img, encodePng({ width: 4, height: 4, data: new Uint8Array(64).fill(200) }));
    const r = await runCli(['segment', img, '--model', 'isnet-general-use', '--point', '1,1', '--out-dir', join(root, 'seg-out')], { env: { CUTOUT_MODEL_DIR: cache } });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^cutout: --model isnet-general-use is a background-removal \(salient\) model; this command needs a SAM model \(slimsam-77/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(cache)).toEqual([]);
  });
});

describe('model folders', () => {
  let dirs: Record<string, string>;
  beforeAll(async () => {
    dirs = await generateAnalyticModels(join(root, 'analytic'));
  });

  it('reads only the files the format needs: an unrelated 2.5 GB file next to the model costs nothing', async () => {
    const dir = join(root, 'with-junk');
    cpSync(dirs['sam-hf']!, dir, { recursive: true });
    sparse(join(dir, 'old-export.onnx_data'), 2.5 * 2 ** 30);
    const files = readModelDir(dir);
    expect(Object.keys(files)).toContain('old-export.onnx_data');
    const before = process.memoryUsage().rss;
    const m = await loadAnyModel(ort, files, { kind: 'sam', precompute: false });
    expect(process.memoryUsage().rss - before).toBeLessThan(500e6);
    await m.model.dispose();
  });

  it('a needed file over 2 GiB fails with its path in the message', async () => {
    const dir = join(root, 'huge-weights');
    cpSync(dirs['sam-hf']!, dir, { recursive: true });
    sparse(join(dir, 'vision_encoder.onnx_data'), 2 ** 31 + 10);
    const err = await caught(loadAnyModel(ort, readModelDir(dir), { kind: 'sam', precompute: false }));
    expect(err.code).toBe(ErrorCode.ModelLoad);
    expect(err.message).toContain(`${join(dir, 'vision_encoder.onnx_data')} is 2.15 GB, more than the 2 GiB one model file may have here`);
  });

  it('lists file names without reading them', () => {
    const dir = join(root, 'unreadable');
    cpSync(dirs['sam-hf']!, dir, { recursive: true });
    sparse(join(dir, 'big.onnx'), 2 ** 31 + 10);
    const files = readModelDir(dir);
    expect(Object.keys(files).sort()).toEqual([...readdirSync(dirs['sam-hf']!).filter((n) => /\.(onnx|json|data|onnx_data)$/.test(n)), 'big.onnx'].sort());
    expect(() => files['big.onnx']).toThrow(/big\.onnx is 2\.15 GB/);
    expect(existsSync(join(dir, 'big.onnx'))).toBe(true);
  });
});
