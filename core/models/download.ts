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

  const bytes = await fetchVerified(file, opts, step);

  if (store) {
    try {
      await store.put(key, bytes);
    } catch {
      /* uncached but valid: the next session downloads again */
    }
  }
  return bytes;
}

async function fetchVerified(file: DownloadableFile, opts: DownloadOptions, step: number): Promise<Uint8Array> {
  const fetchFn = opts.fetchImpl ?? (globalThis as { fetch?: typeof fetch }).fetch;
  if (typeof fetchFn !== 'function') {
    fail(ErrorCode.Download, `Cannot download ${file.name}: this environment has no fetch(). Use Node 20+ or a browser.`);
  }
  const guard = new StallGuard(opts.stallMs ?? DEFAULT_STALL_MS, opts.signal);
  try {
    return await fetchGuarded(file, opts, step, fetchFn!, guard);
  } finally {
    guard.dispose();
  }
}

async function fetchGuarded(
  file: DownloadableFile,
  opts: DownloadOptions,
  step: number,
  fetchFn: typeof fetch,
  guard: StallGuard,
): Promise<Uint8Array> {
  const { signal, onProgress } = opts;
  const host = hostOf(file.url);
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;

  let response: Response;
  try {
    response = await fetchFn(file.url, { signal: guard.signal, redirect: 'follow', credentials: 'omit' });
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
  const expected = file.bytes ?? contentLength;

  guard.touch();
  const bytes = await readBody(file, response, expected, contentLength, signal, onProgress, step, guard, stallMs);
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
 * Downloads every file of a model, one after another, with one progress stream:
 * `loaded`/`total` count bytes over all files, `file` names the one in flight.
 * Files already in the store count as loaded at once.
 */
export async function downloadModel(model: DownloadableModel, opts: DownloadOptions = {}): Promise<DownloadedModel> {
  const names = new Set<string>();
  for (const f of model.files) {
    if (names.has(f.name)) {
      fail(ErrorCode.InvalidOption, `Model ${model.id} lists the file ${f.name} twice; fix the registry entry.`);
    }
    names.add(f.name);
  }
  const sizes = model.files.map((f) => f.bytes ?? 0);
  let total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  let lastLoaded = 0;
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < model.files.length; i++) {
    const file = model.files[i];
    const bytes = await downloadFile(file, {
      ...opts,
      onProgress: opts.onProgress
        ? (p) => {
            // An unpublished size comes from the response (Content-Length, in p.total) or, without
            // one, is only known once the file is done: widen the total as it becomes known.
            const fileTotal = Math.max(sizes[i], p.total, p.loaded);
            if (fileTotal > sizes[i]) {
              total += fileTotal - sizes[i];
              sizes[i] = fileTotal;
            }
            const loaded = Math.max(lastLoaded, done + p.loaded);
            lastLoaded = loaded;
            opts.onProgress!({ loaded, total, file: file.name });
          }
        : undefined,
    });
    if (bytes.length !== sizes[i]) {
      total += bytes.length - sizes[i];
      sizes[i] = bytes.length;
    }
    done += bytes.length;
    files[file.name] = bytes;
  }
  return { id: model.id, files };
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
