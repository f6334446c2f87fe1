import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../core/errors.js';
import {
  MemoryModelStore,
  downloadFile,
  downloadModel,
  isCancelled,
  modelStoreKey,
  sha256Hex,
  verifyBytes,
  type DownloadProgress,
  type DownloadableFile,
  type ModelStore,
} from '../../core/models/download.js';
import { isSha256Hex, sha256HexSync } from '../../core/models/sha256.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { caught } from '../helpers/caught.js';

/** Deterministic pseudo-random bytes (xorshift32). */
function bytesOf(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const nodeSha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');


const SIZE = 300_000;
const body = bytesOf(SIZE, 7);
const bodySha = nodeSha(body);
const tampered = body.slice();
tampered[12_345] ^= 0xff;
const small = bytesOf(1000, 3);

let server: TestServer;
const file = (path: string, extra: Partial<DownloadableFile> = {}): DownloadableFile => ({
  name: path.slice(1),
  url: server.url + path,
  bytes: SIZE,
  sha256: bodySha,
  ...extra,
});

beforeAll(async () => {
  server = await startTestServer({
    '/ok.onnx': body,
    '/missing.onnx': { status: 404, body: 'Entry not found' },
    '/broken.onnx': { status: 500, body: 'boom' },
    '/busy.onnx': { status: 503, body: 'later' },
    '/cut.onnx': { body, truncateAt: 100_000 },
    '/short.onnx': body.subarray(0, SIZE - 10),
    '/long-chunked.onnx': { body: bytesOf(SIZE + 5000, 7), chunked: true, chunkSize: 50_000 },
    '/short-chunked.onnx': { body: body.subarray(0, SIZE - 1000), chunked: true, chunkSize: 50_000 },
    '/tampered.onnx': tampered,
    '/moved.onnx': { redirect: '/ok.onnx' },
    '/moved-twice.onnx': { redirect: '/moved.onnx', status: 307 },
    '/slow.onnx': { body, chunkSize: 16 * 1024, chunkDelayMs: 15 },
    '/late.onnx': { body, delayMs: 300 },
    '/unknown-size.onnx': { body, chunked: true, chunkSize: 70_000 },
    '/gzip.onnx': { body: gzipSync(body), headers: { 'Content-Encoding': 'gzip' } },
    '/small.onnx': small,
    '/stuck.onnx': { body, stallAt: 100_000 },
    '/slower.onnx': { body, chunkSize: 16 * 1024, chunkDelayMs: 40 },
    '/stuck-chunked.onnx': { body, stallAt: 70_000, chunked: true },
    '/silent.onnx': { body, delayMs: 60_000 },
  });
});

afterAll(async () => {
  await server.close();
});

describe('sha256', () => {
  it('matches node:crypto through crypto.subtle and the pure fallback', async () => {
    for (const n of [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 65_537]) {
      const b = bytesOf(n, n + 11);
      const expected = nodeSha(b);
      expect(await sha256Hex(b)).toBe(expected);
      expect(sha256HexSync(b)).toBe(expected);
    }
    expect(sha256HexSync(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('falls back to the pure implementation where crypto.subtle is missing', async () => {
    vi.stubGlobal('crypto', {});
    try {
      expect(await sha256Hex(small)).toBe(nodeSha(small));
    } finally {
      vi.unstubAllGlobals();
    }
    expect(globalThis.crypto.subtle).toBeDefined();
  });

  it('hashes a view into a larger buffer, not the whole buffer', async () => {
    const view = body.subarray(1000, 5000);
    expect(await sha256Hex(view)).toBe(nodeSha(view));
  });

  it('recognises the registry form of a hash', () => {
    expect(isSha256Hex(bodySha)).toBe(true);
    expect(isSha256Hex(bodySha.toUpperCase())).toBe(false);
    expect(isSha256Hex(bodySha.slice(1))).toBe(false);
  });
});

describe('downloadFile', () => {
  it('downloads, verifies and reports monotonic progress ending at the total', async () => {
    const seen: DownloadProgress[] = [];
    const got = await downloadFile(file('/ok.onnx'), { onProgress: (p) => seen.push(p) });
    expect(got.length).toBe(SIZE);
    expect(nodeSha(got)).toBe(bodySha);
    expect(got.byteOffset).toBe(0);
    expect(got.buffer.byteLength).toBe(SIZE); // one exact buffer, no slack

    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i].loaded).toBeGreaterThanOrEqual(seen[i - 1].loaded);
      if (i < seen.length - 1) expect(seen[i].loaded - seen[i - 1].loaded).toBeGreaterThanOrEqual(64 * 1024);
    }
    const last = seen[seen.length - 1];
    expect(last).toEqual({ loaded: SIZE, total: SIZE, file: 'ok.onnx' });
    expect(seen.every((p) => p.total === SIZE && p.file === 'ok.onnx')).toBe(true);
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(SIZE / (64 * 1024)) + 1);
  });

  it('honours a smaller progress step', async () => {
    const seen: DownloadProgress[] = [];
    await downloadFile(file('/slow.onnx'), { onProgress: (p) => seen.push(p), progressStep: 16 * 1024 });
    expect(seen.length).toBeGreaterThanOrEqual(10);
    expect(seen[seen.length - 1].loaded).toBe(SIZE);
  });

  it('works without a published size or hash, growing its buffer', async () => {
    const seen: DownloadProgress[] = [];
    const got = await downloadFile(
      { name: 'unknown-size.onnx', url: server.url + '/unknown-size.onnx' },
      { onProgress: (p) => seen.push(p) },
    );
    expect(nodeSha(got)).toBe(bodySha);
    expect(got.buffer.byteLength).toBe(SIZE);
    const last = seen[seen.length - 1];
    expect(last.loaded).toBe(SIZE);
    expect(last.total).toBe(SIZE);
  });

  it('reads a chunked body against the published size', async () => {
    const got = await downloadFile(file('/unknown-size.onnx'));
    expect(got.length).toBe(SIZE);
  });

  it('follows redirects', async () => {
    const before = server.requests.length;
    const got = await downloadFile(file('/moved-twice.onnx'));
    expect(nodeSha(got)).toBe(bodySha);
    expect(server.requests.slice(before)).toEqual(['/moved-twice.onnx', '/moved.onnx', '/ok.onnx']);
  });

  it('ignores Content-Length of a compressed body and checks the decoded bytes', async () => {
    const got = await downloadFile(file('/gzip.onnx'));
    expect(nodeSha(got)).toBe(bodySha);
  });

  it('waits for slow headers', async () => {
    const got = await downloadFile(file('/late.onnx'));
    expect(got.length).toBe(SIZE);
  });

  it('404: says the file was not found at the URL and that the registry may be stale', async () => {
    const err = await caught(downloadFile(file('/missing.onnx')));
    expect(err.code).toBe(ErrorCode.Download);
    expect(err.message).toContain('not found');
    expect(err.message).toContain(server.url + '/missing.onnx');
    expect(err.message).toContain('registry');
  });

  it('500 and 503: name the status and suggest trying later', async () => {
    const e500 = await caught(downloadFile(file('/broken.onnx')));
    expect(e500.code).toBe(ErrorCode.Download);
    expect(e500.message).toContain('HTTP 500');
    expect(e500.message).toMatch(/try again/i);
    const e503 = await caught(downloadFile(file('/busy.onnx')));
    expect(e503.message).toContain('HTTP 503');
  });

  it('network failure: names the host and points at the connection and allowedDomains', async () => {
    const dead = await startTestServer({});
    const url = dead.url + '/x.onnx';
    await dead.close();
    const err = await caught(downloadFile({ name: 'x.onnx', url, bytes: 10 }));
    expect(err.code).toBe(ErrorCode.Download);
    expect(err.message).toContain(new URL(url).host);
    expect(err.message).toMatch(/connection/);
    expect(err.message).toContain('allowedDomains');
  });

  it('a body cut short of its Content-Length is a DOWNLOAD error', async () => {
    const err = await caught(downloadFile(file('/cut.onnx')));
    expect(err.code).toBe(ErrorCode.Download);
    expect(err.message).toMatch(/connection|stopped/);
    expect(err.message).toContain('cut.onnx');
  });

  it('the same cut without a published size is still a DOWNLOAD error', async () => {
    const err = await caught(downloadFile({ name: 'cut.onnx', url: server.url + '/cut.onnx' }));
    expect(err.code).toBe(ErrorCode.Download);
  });

  it('a chunked body that ends before the published size is a DOWNLOAD error', async () => {
    const err = await caught(downloadFile(file('/short-chunked.onnx')));
    expect(err.code).toBe(ErrorCode.Download);
    expect(err.message).toContain(`${SIZE - 1000} of ${SIZE} bytes`);
  });

  it('a complete file of another size is an INTEGRITY error (before reading it)', async () => {
    const before = server.requests.length;
    const err = await caught(downloadFile(file('/short.onnx')));
    expect(err.code).toBe(ErrorCode.Integrity);
    expect(err.message).toContain(String(SIZE - 10));
    expect(err.message).toContain(String(SIZE));
    expect(server.requests.length).toBe(before + 1);
  });

  it('a stream longer than the published size is an INTEGRITY error', async () => {
    const err = await caught(downloadFile(file('/long-chunked.onnx')));
    expect(err.code).toBe(ErrorCode.Integrity);
    expect(err.message).toContain('larger');
  });

  it('a wrong hash is an INTEGRITY error naming both hashes', async () => {
    const err = await caught(downloadFile(file('/tampered.onnx')));
    expect(err.code).toBe(ErrorCode.Integrity);
    expect(err.message).toContain(bodySha);
    expect(err.message).toContain(nodeSha(tampered));
  });

  it('abort mid-download rejects with CANCELLED', async () => {
    const controller = new AbortController();
    const seen: DownloadProgress[] = [];
    const started = Date.now();
    const p = downloadFile(file('/slow.onnx'), {
      signal: controller.signal,
      progressStep: 16 * 1024,
      onProgress: (prog) => {
        seen.push(prog);
        if (prog.loaded >= 64 * 1024) controller.abort();
      },
    });
    const err = await caught(p);
    expect(err.code).toBe(ErrorCode.Cancelled);
    expect(isCancelled(err)).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[seen.length - 1].loaded).toBeLessThan(SIZE);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('abort while waiting for headers rejects with CANCELLED', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await caught(downloadFile(file('/late.onnx'), { signal: controller.signal }));
    expect(err.code).toBe(ErrorCode.Cancelled);
  });

  it('an already aborted signal never touches the network', async () => {
    const controller = new AbortController();
    controller.abort();
    const before = server.requests.length;
    const err = await caught(downloadFile(file('/ok.onnx'), { signal: controller.signal }));
    expect(err.code).toBe(ErrorCode.Cancelled);
    expect(server.requests.length).toBe(before);
  });

  it('a body that stops arriving gives up after the stall timeout, saying how far it got', async () => {
    const err = await caught(downloadFile(file('/stuck.onnx'), { stallMs: 1000 }));
    expect(err.code).toBe(ErrorCode.Download);
    expect(err.message).toMatch(/^The download of stuck\.onnx from 127\.0\.0\.1:\d+ stalled: nothing arrived for 1 s after 100000 of 300000 bytes\. /);
    expect(err.message).toContain('try again');
  });

  it('the stall timeout also covers a chunked body of unknown size and a server that never answers', async () => {
    const chunked = await caught(downloadFile(file('/stuck-chunked.onnx', { bytes: undefined, sha256: undefined }), { stallMs: 1000 }));
    expect(chunked.code).toBe(ErrorCode.Download);
    expect(chunked.message).toContain('stalled: nothing arrived for 1 s after 70000 bytes');
    const silent = await caught(downloadFile(file('/silent.onnx'), { stallMs: 1000 }));
    expect(silent.code).toBe(ErrorCode.Download);
    expect(silent.message).toContain('stalled: nothing arrived for 1 s before it answered');
  });

  it('a slow download that keeps sending is not a stall', async () => {
    // 40 ms between 16 KiB pieces, a tenth of the timeout, for about twice the timeout in all.
    const got = await downloadFile(file('/slower.onnx'), { stallMs: 400 });
    expect(nodeSha(got)).toBe(bodySha);
  });

  it('cancelling during a stall is still CANCELLED, not a stall', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await caught(downloadFile(file('/stuck.onnx'), { stallMs: 5000, signal: controller.signal }));
    expect(err.code).toBe(ErrorCode.Cancelled);
  });

  it('uses an injected fetch', async () => {
    let calls = 0;
    const fetchImpl: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    await downloadFile(file('/ok.onnx'), { fetchImpl });
    expect(calls).toBe(1);
  });

  it('rejects a malformed file spec with INVALID_OPTION', async () => {
    expect((await caught(downloadFile({ name: 'x', url: '' }))).code).toBe(ErrorCode.InvalidOption);
    expect((await caught(downloadFile({ name: 'x', url: server.url + '/ok.onnx', sha256: 'abc' }))).code).toBe(
      ErrorCode.InvalidOption,
    );
    expect((await caught(downloadFile({ name: 'x', url: server.url + '/ok.onnx', bytes: -1 }))).code).toBe(
      ErrorCode.InvalidOption,
    );
  });
});

describe('verifyBytes', () => {
  it('passes matching bytes and names both sizes on a mismatch', async () => {
    await verifyBytes({ name: 'a', url: 'https://x/a', bytes: small.length, sha256: nodeSha(small) }, small);
    const err = await caught(verifyBytes({ name: 'a', url: 'https://x/a', bytes: 5 }, small));
    expect(err.code).toBe(ErrorCode.Integrity);
    expect(err.message).toContain('1000 bytes');
  });
});

describe('ModelStore', () => {
  const smallFile = (): DownloadableFile => ({
    name: 'small.onnx',
    url: server.url + '/small.onnx',
    bytes: small.length,
    sha256: nodeSha(small),
  });
  const count = (path: string): number => server.requests.filter((r) => r === path).length;

  it('misses, downloads and stores; then hits without the network', async () => {
    const store = new MemoryModelStore();
    const f = smallFile();
    const before = count('/small.onnx');
    const first = await downloadFile(f, { store });
    expect(count('/small.onnx')).toBe(before + 1);
    expect(store.keys()).toEqual([modelStoreKey(f)]);

    const seen: DownloadProgress[] = [];
    const second = await downloadFile(f, { store, onProgress: (p) => seen.push(p) });
    expect(count('/small.onnx')).toBe(before + 1);
    expect(nodeSha(second)).toBe(nodeSha(first));
    expect(seen).toEqual([{ loaded: small.length, total: small.length, file: 'small.onnx' }]);
  });

  it('keys by sha256 when published, else by URL', () => {
    expect(modelStoreKey({ url: 'https://h/a', sha256: bodySha })).toBe(`sha256:${bodySha}`);
    expect(modelStoreKey({ url: 'https://h/a' })).toBe('url:https://h/a');
  });

  it('drops a corrupt cached entry and downloads again', async () => {
    const store = new MemoryModelStore();
    const f = smallFile();
    const bad = small.slice();
    bad[0] ^= 1;
    await store.put(modelStoreKey(f), bad);
    const before = count('/small.onnx');
    const got = await downloadFile(f, { store });
    expect(count('/small.onnx')).toBe(before + 1);
    expect(nodeSha(got)).toBe(nodeSha(small));
    expect(nodeSha((await store.get(modelStoreKey(f)))!)).toBe(nodeSha(small));
  });

  it('drops a cached entry of the wrong size even without a hash', async () => {
    const store = new MemoryModelStore();
    const f: DownloadableFile = { ...smallFile(), sha256: undefined };
    await store.put(modelStoreKey(f), small.subarray(0, 10));
    const before = count('/small.onnx');
    const got = await downloadFile(f, { store });
    expect(got.length).toBe(small.length);
    expect(count('/small.onnx')).toBe(before + 1);
  });

  it('a store that throws never fails the download', async () => {
    const broken: ModelStore = {
      get: async () => {
        throw new Error('IndexedDB denied');
      },
      put: async () => {
        throw new Error('quota');
      },
    };
    const got = await downloadFile(smallFile(), { store: broken });
    expect(got.length).toBe(small.length);
  });

  it('does not store a file that failed verification', async () => {
    const store = new MemoryModelStore();
    await caught(downloadFile(file('/tampered.onnx'), { store }));
    expect(store.keys()).toEqual([]);
  });

  it('MemoryModelStore evicts least recently used entries to stay within its bounds', async () => {
    const store = new MemoryModelStore({ maxBytes: 250 });
    await store.put('a', new Uint8Array(100));
    await store.put('b', new Uint8Array(100));
    await store.get('a'); // a is now the most recently used
    await store.put('c', new Uint8Array(100));
    expect(store.keys().sort()).toEqual(['a', 'c']);
    expect(store.size).toBe(200);
    await store.put('huge', new Uint8Array(1000)); // larger than the store: not kept, nothing evicted
    expect(store.keys().sort()).toEqual(['a', 'c']);
    await store.put('a', new Uint8Array(50)); // replacing re-counts
    expect(store.size).toBe(150);

    const byCount = new MemoryModelStore({ maxEntries: 1 });
    await byCount.put('x', new Uint8Array(1));
    await byCount.put('y', new Uint8Array(1));
    expect(byCount.keys()).toEqual(['y']);
    await byCount.delete('y');
    expect(byCount.size).toBe(0);
  });
});

describe('downloadModel', () => {
  it('downloads every file with one monotonic progress stream over all bytes', async () => {
    const model = {
      id: 'test-model',
      files: [
        file('/ok.onnx', { name: 'vision_encoder.onnx' }),
        { name: 'prompt_encoder_mask_decoder.onnx', url: server.url + '/small.onnx', bytes: small.length, sha256: nodeSha(small) },
      ],
    };
    const seen: DownloadProgress[] = [];
    const result = await downloadModel(model, { onProgress: (p) => seen.push(p) });
    expect(result.id).toBe('test-model');
    expect(Object.keys(result.files)).toEqual(['vision_encoder.onnx', 'prompt_encoder_mask_decoder.onnx']);
    expect(nodeSha(result.files['vision_encoder.onnx'])).toBe(bodySha);
    expect(nodeSha(result.files['prompt_encoder_mask_decoder.onnx'])).toBe(nodeSha(small));

    const total = SIZE + small.length;
    for (let i = 1; i < seen.length; i++) expect(seen[i].loaded).toBeGreaterThanOrEqual(seen[i - 1].loaded);
    expect(seen.every((p) => p.total === total)).toBe(true);
    expect(seen[seen.length - 1]).toMatchObject({ loaded: total, total });
    expect(seen.some((p) => p.file === 'vision_encoder.onnx')).toBe(true);
  });

  it('counts stored files as loaded and fetches only the rest', async () => {
    const store = new MemoryModelStore();
    const smallSpec = { name: 'decoder.onnx', url: server.url + '/small.onnx', bytes: small.length, sha256: nodeSha(small) };
    await store.put(modelStoreKey(smallSpec), small.slice());
    const before = server.requests.filter((r) => r === '/small.onnx').length;
    const seen: DownloadProgress[] = [];
    const result = await downloadModel(
      { id: 'm', files: [smallSpec, file('/ok.onnx', { name: 'encoder.onnx' })] },
      { store, onProgress: (p) => seen.push(p) },
    );
    expect(server.requests.filter((r) => r === '/small.onnx').length).toBe(before);
    expect(seen[0]).toEqual({ loaded: small.length, total: SIZE + small.length, file: 'decoder.onnx' });
    expect(Object.keys(result.files).sort()).toEqual(['decoder.onnx', 'encoder.onnx']);
  });

  it('fails with the failing file named and keeps nothing half-done', async () => {
    const err = await caught(
      downloadModel({ id: 'm', files: [file('/ok.onnx', { name: 'a.onnx' }), file('/missing.onnx', { name: 'b.onnx' })] }),
    );
    expect(err.code).toBe(ErrorCode.Download);
    expect(err.message).toContain('b.onnx');
  });

  it('refuses an entry that lists a file name twice', async () => {
    const err = await caught(downloadModel({ id: 'm', files: [file('/ok.onnx'), file('/ok.onnx')] }));
    expect(err.code).toBe(ErrorCode.InvalidOption);
  });

  it('grows the total when a size was not published', async () => {
    const seen: DownloadProgress[] = [];
    await downloadModel(
      { id: 'm', files: [{ name: 'u.onnx', url: server.url + '/unknown-size.onnx' }] },
      { onProgress: (p) => seen.push(p) },
    );
    for (let i = 1; i < seen.length; i++) expect(seen[i].loaded).toBeGreaterThanOrEqual(seen[i - 1].loaded);
    expect(seen.every((p) => p.loaded <= p.total)).toBe(true);
    expect(seen[seen.length - 1]).toMatchObject({ loaded: SIZE, total: SIZE });
  });

  it('knows the total of every file from the first report when sizes are announced, not only published (it never jumps)', async () => {
    const seen: DownloadProgress[] = [];
    await downloadModel(
      {
        id: 'm',
        files: [
          { name: 'a.onnx', url: server.url + '/slow.onnx' },
          { name: 'b.onnx', url: server.url + '/ok.onnx' },
        ],
      },
      { progressStep: 32 * 1024, onProgress: (p) => seen.push(p) },
    );
    // Folder-URL models publish no sizes: every file's Content-Length is read before the first
    // byte is counted, so the total is both files from the start (a UI treats loaded === total
    // as "done", and a total that grows mid-way makes the bar jump back).
    expect(seen.some((p) => p.file === 'a.onnx' && p.loaded < p.total)).toBe(true);
    expect(seen.every((p) => p.total === 2 * SIZE)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i].loaded).toBeGreaterThanOrEqual(seen[i - 1].loaded);
    expect(seen[seen.length - 1]).toMatchObject({ loaded: 2 * SIZE, total: 2 * SIZE });
  });

  it('hands each file over as soon as it is verified, before the others are done', async () => {
    const order: string[] = [];
    const result = await downloadModel(
      {
        id: 'm',
        files: [
          { name: 'slow.onnx', url: server.url + '/slow.onnx', bytes: SIZE, sha256: bodySha },
          { name: 'small.onnx', url: server.url + '/small.onnx', bytes: small.length, sha256: nodeSha(small) },
        ],
      },
      { onFile: (name, bytes) => order.push(`${name}:${bytes.length}`) },
    );
    expect(order).toEqual([`small.onnx:${small.length}`, `slow.onnx:${SIZE}`]);
    expect(Object.keys(result.files)).toEqual(['slow.onnx', 'small.onnx']);
  });

  it('a failing file cancels the others and the error names it', async () => {
    const before = server.requests.length;
    const err = await caught(
      downloadModel({ id: 'm', files: [file('/slow.onnx', { name: 'a.onnx' }), file('/missing.onnx', { name: 'b.onnx' })] }),
    );
    expect(err.code).toBe(ErrorCode.Download);
    expect(err.message).toContain('b.onnx');
    expect(server.requests.length).toBeGreaterThan(before);
  });

  it('cancels every file when the caller aborts', async () => {
    const abort = new AbortController();
    const p = downloadModel(
      { id: 'm', files: [file('/slow.onnx', { name: 'a.onnx' }), file('/ok.onnx', { name: 'b.onnx' })] },
      { signal: abort.signal, onProgress: () => abort.abort() },
    );
    expect(isCancelled(await caught(p))).toBe(true);
  });
});

describe('test server helper', () => {
  it('serves a directory, 404s missing files and refuses paths outside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutout-http-'));
    try {
      mkdirSync(join(dir, 'onnx'));
      writeFileSync(join(dir, 'onnx', 'model.onnx'), small);
      writeFileSync(join(dir, 'config.json'), '{"a":1}');
      const s = await startTestServer({ '/models/': { dir } });
      try {
        const r = await fetch(`${s.url}/models/onnx/model.onnx`);
        expect(r.status).toBe(200);
        expect(r.headers.get('content-length')).toBe(String(small.length));
        expect(r.headers.get('access-control-allow-origin')).toBe('*');
        expect(nodeSha(new Uint8Array(await r.arrayBuffer()))).toBe(nodeSha(small));
        const j = await fetch(`${s.url}/models/config.json`);
        expect(j.headers.get('content-type')).toBe('application/json');
        expect(await j.json()).toEqual({ a: 1 });
        expect((await fetch(`${s.url}/models/nope.onnx`)).status).toBe(404);
        expect((await fetch(`${s.url}/models/%2e%2e/%2e%2e/etc/passwd`)).status).toBeGreaterThanOrEqual(400);
        expect((await fetch(`${s.url}/elsewhere`)).status).toBe(404);
        s.setRoute('/late-added', 'hello');
        expect(await (await fetch(`${s.url}/late-added`)).text()).toBe('hello');
        expect(s.requests).toContain('/models/onnx/model.onnx');
      } finally {
        await s.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('close() ends slow responses in flight', async () => {
    const s = await startTestServer({ '/slow': { body: bytesOf(1_000_000), chunkSize: 1000, chunkDelayMs: 50 } });
    const res = await fetch(`${s.url}/slow`);
    const reading = res.arrayBuffer().then(
      () => 'finished',
      () => 'broken',
    );
    const t0 = Date.now();
    await s.close();
    expect(await reading).toBe('broken');
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
