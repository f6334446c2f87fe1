/**
 * Downloads model files and proves they are the ones the registry names.
 *
 * Pure TypeScript on web platform APIs only (`fetch`, `ReadableStream`, `crypto.subtle`,
 * `AbortSignal`): the same code runs in the plugin iframe and in Node 20.
 *
 * Every failure is a CutoutError whose message says what went wrong and what to do:
 * - DOWNLOAD   the request failed: HTTP status, network, a body that stopped short, or a
 *              server that sent nothing for `stallMs` (default 30 s);
 * - INTEGRITY  bytes arrived but are not the published file: size or sha256 differs;
 * - CANCELLED  the caller's AbortSignal fired.
 */
import { CutoutError, ErrorCode, fail, isCutoutError } from '../errors.js';
import { isSha256Hex, sha256Hex } from './sha256.js';

export { sha256Hex } from './sha256.js';

/** What downloadFile needs to know about a file (a registry ModelFile fits). */
export interface DownloadableFile {
  /** Name used in progress reports and messages (and the key in downloadModel's result). */
  name: string;
  url: string;
  /** Published size in bytes; checked when given. */
  bytes?: number;
  /** Published SHA-256, 64 lowercase hex digits; checked when given. */
  sha256?: string;
}

export interface DownloadProgress {
  /** Bytes received so far. Never decreases within one call. */
  loaded: number;
  /** Bytes expected: the published size, else Content-Length, else 0 until the end. */
  total: number;
  /** Name of the file being received. */
  file: string;
}

/**
 * A place to keep verified model bytes between sessions. Hosts bring their own
 * (Cache API or IndexedDB in a browser that allows it, a directory for the CLI);
 * {@link MemoryModelStore} is the in-process one.
 *
 * Errors thrown by a store never fail a download: a failing `get` counts as a miss
 * and a failing `put` leaves the file downloaded but uncached.
 */
export interface ModelStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Removes a key (used to drop a corrupt entry). Optional: a later put overwrites anyway. */
  delete?(key: string): Promise<void>;
}

export interface DownloadOptions {
  /** Called at most every `progressStep` bytes and once at the end (loaded === total). */
  onProgress?: (p: DownloadProgress) => void;
  /** Aborting rejects with a CutoutError of code CANCELLED. */
  signal?: AbortSignal;
  /** Defaults to the global fetch. */
  fetchImpl?: typeof fetch;
  /** Checked before the network and filled after a verified download. */
  store?: ModelStore;
  /** Minimum bytes between progress calls (default 64 KiB). */
  progressStep?: number;
  /**
   * Give up when no response or no body bytes arrive for this long (default 30 s): a
   * connection that stays open but sends nothing would otherwise wait forever.
   */
  stallMs?: number;
}

const DEFAULT_PROGRESS_STEP = 64 * 1024;
export const DEFAULT_STALL_MS = 30_000;

/**
 * An AbortSignal of our own that follows the caller's and fires by itself after `ms` without
 * a `touch()`: a stalled request is aborted like a cancelled one, and `stalled` tells them apart.
 */
class StallGuard {
  readonly controller = new AbortController();
  stalled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly follow = (): void => this.controller.abort();

  constructor(
    private readonly ms: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    outer?.addEventListener('abort', this.follow, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops the clock (a read that reports no progress until it is done). */
  pause(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  touch(): void {
    this.pause();
    if (!(this.ms > 0 && Number.isFinite(this.ms))) return;
    this.timer = setTimeout(() => {
      this.stalled = true;
      this.controller.abort();
    }, this.ms);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.outer?.removeEventListener('abort', this.follow);
  }
}

function stalledError(file: DownloadableFile, ms: number, loaded: number, expected: number | undefined): CutoutError {
  const secs = ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
  const where = loaded === 0 && expected === undefined ? 'before it answered' : `after ${loaded}${expected !== undefined ? ` of ${expected}` : ''} bytes`;
  return new CutoutError(
    ErrorCode.Download,
    `The download of ${file.name} from ${hostOf(file.url)} stalled: nothing arrived for ${secs} ${where}. ` +
      'Check the internet connection and try again.',
  );
}

/** Key under which a file is kept in a ModelStore: its sha256 when published, else its URL. */
export function modelStoreKey(file: Pick<DownloadableFile, 'url' | 'sha256'>): string {
  return file.sha256 ? `sha256:${file.sha256}` : `url:${file.url}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} bytes`;
}

function cancelled(name: string): CutoutError {
  return new CutoutError(ErrorCode.Cancelled, `Download of ${name} was cancelled.`);
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? cause.message : cause ? String(cause) : '';
  return causeText && causeText !== err.message ? `${err.message}: ${causeText}` : err.message;
}

function checkFileSpec(file: DownloadableFile): void {
  if (!file || typeof file.url !== 'string' || !file.url) {
    fail(ErrorCode.InvalidOption, 'downloadFile needs a file with a url; got none. Pass a registry ModelFile.');
  }
  if (file.bytes !== undefined && !(Number.isSafeInteger(file.bytes) && file.bytes >= 0)) {
    fail(ErrorCode.InvalidOption, `${file.name}: published size ${file.bytes} is not a byte count; fix the registry entry.`);
  }
  if (file.sha256 !== undefined && !isSha256Hex(file.sha256)) {
    fail(
      ErrorCode.InvalidOption,
      `${file.name}: published sha256 "${file.sha256}" is not 64 lowercase hex digits; fix the registry entry.`,
    );
  }
}

/**
 * Checks bytes against the published size and sha256. Throws INTEGRITY with both values
 * when they differ; returns silently when they match or nothing was published.
 */
export async function verifyBytes(file: DownloadableFile, bytes: Uint8Array): Promise<void> {
  if (file.bytes !== undefined && bytes.length !== file.bytes) {
    fail(
      ErrorCode.Integrity,
      `${file.name} from ${hostOf(file.url)} is ${bytes.length} bytes but the registry says ${file.bytes} ` +
        `(${formatBytes(file.bytes)}): the server holds a different file than the one Cutout was built for. ` +
        'It was discarded; update Cutout or choose another model.',
    );
  }
  if (file.sha256) {
    const actual = await sha256Hex(bytes);
    if (actual !== file.sha256) {
      fail(
        ErrorCode.Integrity,
        `${file.name} from ${hostOf(file.url)} failed its checksum: expected sha256 ${file.sha256}, got ${actual}. ` +
          'The download was corrupted or the file on the server changed; it was discarded. ' +
          'Try again; if it keeps failing, the registry entry is stale.',
      );
    }
  }
}

async function fromStore(
  file: DownloadableFile,
  store: ModelStore,
  key: string,
): Promise<Uint8Array | undefined> {
  let cached: Uint8Array | undefined;
  try {
    cached = await store.get(key);
  } catch {
    return undefined; // an unreadable store is a miss
  }
  if (!cached) return undefined;
  const ok =
    cached.length > 0 &&
    (file.bytes === undefined || cached.length === file.bytes) &&
    (!file.sha256 || (await sha256Hex(cached)) === file.sha256);
  if (ok) return cached;
  // Corrupt or stale: drop it so the fresh download replaces it.
  try {
    await store.delete?.(key);
  } catch {
    /* a later put overwrites it anyway */
  }
  return undefined;
}

function httpFailure(file: DownloadableFile, response: Response): never {
  const where = response.url && response.url !== file.url ? `${file.url} (redirected to ${hostOf(response.url)})` : file.url;
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (response.status === 404 || response.status === 410) {
    return fail(
      ErrorCode.Download,
      `${file.name} was not found at ${where} (${status}). The model registry may be stale: ` +
        'update Cutout or choose another model.',
    );
  }
  if (response.status === 401 || response.status === 403) {
    return fail(
      ErrorCode.Download,
      `${hostOf(file.url)} refused to serve ${file.name} (${status}) from ${where}. ` +
        'The file may have become private or gated; update Cutout or choose another model.',
    );
  }
  if (response.status === 429 || response.status >= 500) {
    return fail(
      ErrorCode.Download,
      `${hostOf(file.url)} could not serve ${file.name} right now (${status}) from ${where}. Try again in a few minutes.`,
    );
  }
  return fail(ErrorCode.Download, `Downloading ${file.name} from ${where} failed with ${status}.`);
}

/**
 * Downloads one file, streaming it into a single buffer, and verifies it.
 *
 * - With a store: a cached copy that still matches the published size and sha256 is
 *   returned without touching the network; a corrupt one is dropped and downloaded again.
 * - The buffer is allocated once from the published size (else Content-Length) and grows
 *   only when neither is known.
 * - Progress: at most every `progressStep` bytes and once at the end with loaded === total.
 */
export async function downloadFile(file: DownloadableFile, opts: DownloadOptions = {}): Promise<Uint8Array> {
  checkFileSpec(file);
  const { signal, onProgress, store } = opts;
  const step = Math.max(1, opts.progressStep ?? DEFAULT_PROGRESS_STEP);
  if (signal?.aborted) throw cancelled(file.name);

  const key = modelStoreKey(file);
  if (store) {
    const hit = await fromStore(file, store, key);
    if (signal?.aborted) throw cancelled(file.name);
    if (hit) {
      onProgress?.({ loaded: hit.length, total: hit.length, file: file.name });
      return hit;
    }
  }

  const bytes = await readVerified(file, await openResponse(file, opts), opts, step);

  if (store) {
    try {
      await store.put(key, bytes);
    } catch {
      /* uncached but valid: the next session downloads again */
    }
  }
  return bytes;
}

/** A response whose headers have arrived and been checked; the body is still unread. */
interface OpenedResponse {
  response: Response;
  /** Bytes the body will hold: the published size, else Content-Length, else unknown. */
  expected: number | undefined;
  contentLength: number | undefined;
  /** Aborts the request when nothing arrives for `stallMs`; disposed once the body is read. */
  guard: StallGuard;
}

/** Requests a file and checks its status and announced size; nothing of the body is read. */
async function openResponse(file: DownloadableFile, opts: DownloadOptions): Promise<OpenedResponse> {
  const { signal } = opts;
  const fetchFn = opts.fetchImpl ?? (globalThis as { fetch?: typeof fetch }).fetch;
  if (typeof fetchFn !== 'function') {
    fail(ErrorCode.Download, `Cannot download ${file.name}: this environment has no fetch(). Use Node 20+ or a browser.`);
  }
  const host = hostOf(file.url);
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const guard = new StallGuard(stallMs, signal);
  try {
    let response: Response;
    try {
      response = await fetchFn!(file.url, { signal: guard.signal, redirect: 'follow', credentials: 'omit' });
    } catch (err) {
      if (signal?.aborted) throw cancelled(file.name);
      if (guard.stalled) throw stalledError(file, stallMs, 0, undefined);
      return fail(
        ErrorCode.Download,
        `Could not reach ${host} to download ${file.name} (${errorText(err)}). Check the internet connection; ` +
          `in the Figma plugin, ${host} and the CDN hosts it redirects to must be in the manifest's ` +
          'networkAccess.allowedDomains.',
        err,
      );
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      httpFailure(file, response);
    }

    // Content-Length counts encoded bytes; with a content encoding it says nothing about the body we read.
    const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
    const lengthHeader = response.headers.get('content-length');
    const contentLength =
      encoding === 'identity' && lengthHeader !== null && /^\d+$/.test(lengthHeader.trim())
        ? Number(lengthHeader.trim())
        : undefined;
    if (file.bytes !== undefined && contentLength !== undefined && contentLength !== file.bytes) {
      await response.body?.cancel().catch(() => undefined);
      fail(
        ErrorCode.Integrity,
        `${file.name} at ${host} is ${contentLength} bytes but the registry says ${file.bytes} ` +
          `(${formatBytes(file.bytes)}): the server holds a different file than the one Cutout was built for. ` +
          'Nothing was kept; update Cutout or choose another model.',
      );
    }
    guard.touch();
    return { response, expected: file.bytes ?? contentLength, contentLength, guard };
  } catch (err) {
    guard.dispose();
    throw err;
  }
}

async function readVerified(file: DownloadableFile, opened: OpenedResponse, opts: DownloadOptions, step: number): Promise<Uint8Array> {
  const { signal, onProgress } = opts;
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  let bytes: Uint8Array;
  try {
    // The clock restarts: headers may have waited while other files of the model were opened.
    opened.guard.touch();
    bytes = await readBody(file, opened.response, opened.expected, opened.contentLength, signal, onProgress, step, opened.guard, stallMs);
  } finally {
    opened.guard.dispose();
  }
  if (signal?.aborted) throw cancelled(file.name);
  await verifyBytes(file, bytes);
  return bytes;
}

async function readBody(
  file: DownloadableFile,
  response: Response,
  expected: number | undefined,
  contentLength: number | undefined,
  signal: AbortSignal | undefined,
  onProgress: DownloadOptions['onProgress'],
  step: number,
  guard: StallGuard,
  stallMs: number,
): Promise<Uint8Array> {
  const host = hostOf(file.url);
  let buffer: Uint8Array = new Uint8Array(expected ?? 1 << 20);
  let loaded = 0;
  let lastReported = 0;
  const report = (final: boolean): void => {
    if (!onProgress) return;
    if (!final && loaded - lastReported < step) return;
    lastReported = loaded;
    onProgress({ loaded, total: final ? loaded : (expected ?? 0), file: file.name });
  };

  if (!response.body) {
    // No stream (some fetch polyfills): read it whole. It reports nothing until done, so a slow
    // but live transfer cannot be told from a stall: only cancellation applies.
    guard.pause();
    let whole: Uint8Array;
    try {
      whole = new Uint8Array(await response.arrayBuffer());
    } catch (err) {
      if (signal?.aborted) throw cancelled(file.name);
      if (guard.stalled) throw stalledError(file, stallMs, 0, expected);
      return fail(
        ErrorCode.Download,
        `The connection to ${host} broke while downloading ${file.name} (${errorText(err)}). Try again.`,
        err,
      );
    }
    loaded = whole.length;
    buffer = whole;
  } else {
    const reader = response.body.getReader();
    const onAbort = (): void => {
      reader.cancel().catch(() => undefined);
    };
    guard.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          if (signal?.aborted) throw cancelled(file.name);
          if (guard.stalled) throw stalledError(file, stallMs, loaded, expected);
          const of = expected !== undefined ? ` of ${expected}` : '';
          return fail(
            ErrorCode.Download,
            `The connection to ${host} broke after ${loaded}${of} bytes of ${file.name} (${errorText(err)}). ` +
              'Check the internet connection and try again.',
            err,
          );
        }
        if (signal?.aborted) throw cancelled(file.name);
        if (guard.stalled) throw stalledError(file, stallMs, loaded, expected);
        if (chunk.done) break;
        guard.touch();
        const part = chunk.value;
        if (file.bytes !== undefined && loaded + part.length > file.bytes) {
          await reader.cancel().catch(() => undefined);
          fail(
            ErrorCode.Integrity,
            `${file.name} from ${host} is larger than the ${file.bytes} bytes the registry says: ` +
              'the server holds a different file than the one Cutout was built for. ' +
              'Nothing was kept; update Cutout or choose another model.',
          );
        }
        if (loaded + part.length > buffer.length) {
          const grown = new Uint8Array(Math.max(buffer.length * 2, loaded + part.length));
          grown.set(buffer.subarray(0, loaded));
          buffer = grown;
        }
        buffer.set(part, loaded);
        loaded += part.length;
        report(false);
      }
    } finally {
      guard.signal.removeEventListener('abort', onAbort);
      reader.releaseLock();
    }
  }

  if (contentLength !== undefined && loaded < contentLength) {
    fail(
      ErrorCode.Download,
      `The download of ${file.name} from ${host} stopped after ${loaded} of ${contentLength} bytes ` +
        '(the server announced more than it sent). Check the internet connection and try again.',
    );
  }
  if (file.bytes !== undefined && loaded < file.bytes) {
    fail(
      ErrorCode.Download,
      `The download of ${file.name} from ${host} ended after ${loaded} of ${file.bytes} bytes. ` +
        'Check the internet connection and try again.',
    );
  }
  report(true);
  if (loaded === buffer.length) return buffer;
  return buffer.slice(0, loaded); // exact-size copy so `.buffer` holds only the file
}

/** The files of a registry entry (a ModelEntry fits). */
export interface DownloadableModel {
  id: string;
  files: readonly DownloadableFile[];
}

export interface DownloadedModel {
  id: string;
  /** Bytes by file name, ready for the engine's model loader. */
  files: Record<string, Uint8Array>;
}

/**
 * Downloads every file of a model at once, with one progress stream: `loaded`/`total` count
 * bytes over all files, `file` names the one that reported last. Every file is requested (and
 * looked up in the store) before the first byte is counted, so the total is final from the
 * first report whenever each size is published or announced (Content-Length); only a file
 * with neither widens it, once its end is known. Files already in the store count as loaded
 * at once. `onFile` gets each file as soon as it is verified (the caller may start using it
 * while the others still arrive). A failing file cancels the others.
 */
export async function downloadModel(
  model: DownloadableModel,
  opts: DownloadOptions & { onFile?: (name: string, bytes: Uint8Array) => void } = {},
): Promise<DownloadedModel> {
  const names = new Set<string>();
  for (const f of model.files) {
    if (names.has(f.name)) {
      fail(ErrorCode.InvalidOption, `Model ${model.id} lists the file ${f.name} twice; fix the registry entry.`);
    }
    names.add(f.name);
  }
  model.files.forEach(checkFileSpec);
  const outer = opts.signal;
  if (outer?.aborted) throw cancelled(model.files[0]?.name ?? model.id);
  // One signal for all files: the caller's, or the first failure's.
  const inner = new AbortController();
  const onOuterAbort = (): void => inner.abort();
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const { store } = opts;
  const step = Math.max(1, opts.progressStep ?? DEFAULT_PROGRESS_STEP);
  const fileOpts: DownloadOptions = { ...opts, signal: inner.signal, onProgress: undefined };
  const cancelledError = (name: string) => (outer?.aborted ? cancelled(name) : undefined);
  // Stall clocks of opened responses, stopped however the download ends.
  const guards: StallGuard[] = [];

  try {
    // 1. Store hits and response headers, all at once: every size known before any progress.
    const opened = await settleAll(
      model.files.map(async (file) => {
        const hit = store ? await fromStore(file, store, modelStoreKey(file)) : undefined;
        if (hit) return { hit } as const;
        const response = await openResponse(file, fileOpts);
        guards.push(response.guard);
        return { response } as const;
      }),
      () => inner.abort(),
    );
    const sizes = opened.map((o, i) => (o.hit ? o.hit.length : (o.response.expected ?? model.files[i]!.bytes ?? 0)));
    const got = opened.map((o) => (o.hit ? o.hit.length : 0));
    let total = sizes.reduce((a, b) => a + b, 0);
    let reported = -1;
    const report = (file: string): void => {
      if (!opts.onProgress) return;
      const loaded = got.reduce((a, b) => a + b, 0);
      if (loaded === reported && loaded !== total) return;
      reported = loaded;
      opts.onProgress({ loaded, total: Math.max(total, loaded), file });
    };
    const files: Record<string, Uint8Array> = {};
    const hits = model.files.filter((_, i) => opened[i]!.hit);
    for (const f of hits) {
      files[f.name] = opened[model.files.indexOf(f)]!.hit!;
      report(f.name);
      opts.onFile?.(f.name, files[f.name]!);
    }

    // 2. The bodies, all at once.
    await settleAll(
      model.files.map(async (file, i) => {
        const o = opened[i]!;
        if (o.hit) return;
        const bytes = await readVerified(
          file,
          o.response,
          {
            ...fileOpts,
            onProgress: (p) => {
              got[i] = p.loaded;
              // A size neither published nor announced is known only at its end.
              if (p.loaded > sizes[i]!) {
                total += p.loaded - sizes[i]!;
                sizes[i] = p.loaded;
              }
              report(file.name);
            },
          },
          step,
        );
        if (store) {
          try {
            await store.put(modelStoreKey(file), bytes);
          } catch {
            /* uncached but valid: the next session downloads again */
          }
        }
        files[file.name] = bytes;
        opts.onFile?.(file.name, bytes);
      }),
      () => inner.abort(),
    );
    // Keys in the model's order, whatever order the files finished in.
    const ordered: Record<string, Uint8Array> = {};
    for (const f of model.files) ordered[f.name] = files[f.name]!;
    return { id: model.id, files: ordered };
  } catch (err) {
    throw cancelledError(model.files[0]?.name ?? model.id) ?? err;
  } finally {
    for (const g of guards) g.dispose();
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * Like Promise.all, but on the first rejection calls `onFailure` (to cancel the rest) and
 * still waits for every promise to settle, so nothing runs on after the caller gave up;
 * rejects with the first failure that is not a consequence of the cancel.
 */
async function settleAll<T>(promises: Array<Promise<T>>, onFailure: () => void): Promise<T[]> {
  let first: { error: unknown } | undefined;
  const results = await Promise.allSettled(
    promises.map((p) =>
      p.catch((error: unknown) => {
        if (!first || (isCancelled(first.error) && !isCancelled(error))) first = { error };
        onFailure();
        throw error;
      }),
    ),
  );
  if (first) throw first.error;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/**
 * A bounded in-memory ModelStore, least recently used out first. Keeps the arrays it is
 * given (no copy): callers must not modify or transfer bytes that came from the store.
 */
export class MemoryModelStore implements ModelStore {
  private readonly entries = new Map<string, Uint8Array>();
  private used = 0;
  readonly maxBytes: number;
  readonly maxEntries: number;

  constructor(options: { maxBytes?: number; maxEntries?: number } = {}) {
    this.maxBytes = options.maxBytes ?? 1024 * 1024 * 1024;
    this.maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
    if (!(this.maxBytes >= 0) || !(this.maxEntries >= 0)) {
      fail(ErrorCode.InvalidOption, 'MemoryModelStore limits must be non-negative numbers.');
    }
  }

  /** Bytes currently held. */
  get size(): number {
    return this.used;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const bytes = this.entries.get(key);
    if (bytes) {
      this.entries.delete(key); // move to most recently used
      this.entries.set(key, bytes);
    }
    return bytes;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.delete(key);
    if (bytes.length > this.maxBytes || this.maxEntries < 1) return; // would never fit
    while (this.used + bytes.length > this.maxBytes || this.entries.size + 1 > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      await this.delete(oldest);
    }
    this.entries.set(key, bytes);
    this.used += bytes.length;
  }

  async delete(key: string): Promise<void> {
    const old = this.entries.get(key);
    if (old) {
      this.used -= old.length;
      this.entries.delete(key);
    }
  }
}

/** True when an error is the CANCELLED a download raises on abort. */
export function isCancelled(err: unknown): boolean {
  return isCutoutError(err, ErrorCode.Cancelled);
}
