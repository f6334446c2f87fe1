/**
 * `createFakePenpot()`: the `penpot` global a Penpot plugin sees, plus the test-side handles
 * (the plugin UI's end of the message channel, user actions, undo, logs). Pure TypeScript with
 * no Node APIs, so the browser harness can bundle it.
 *
 * Sources: plugins-runtime (plugins/libs/plugins-runtime/src/lib/api/index.ts,
 * plugin-manager.ts, create-modal.ts, parse-manifest.ts) and the workspace side
 * (frontend/src/app/plugins/api.cljs, events.cljs, local_storage.cljs, history.cljs), penpot/penpot
 * 66bb6a1 (plugin-types 1.5.0). What each piece enforces is noted where it is implemented.
 *
 * Pages: the file has one or more pages (`addPage`, `penpot.createPage`); one is active. Reads
 * work on every page; changes only on the active one (proxies.ts); creation lands on the active
 * page; `penpot.openPage` navigates asynchronously (Host.openPage); `penpot.selection` belongs
 * to the active page; one undo entry can span pages and undo restores all of them without
 * navigating (host.ts).
 */
import type { Penpot, Shape } from '@penpot/plugin-types';
import { FakeUiEnd } from '../../helpers/ui-end.js';
import { type FakeDoc, FakeFile, ROOT_ID, type ShapeType } from './doc.js';
import { type ExportLogEntry, Host, type Permission, type UndoEntry, harden, notEmulated } from './host.js';
import { DEFAULT_MAX_UPLOAD_BYTES, MediaError } from './media.js';
import { FileProxy, type ImageDataLike, PageProxy, type ShapeProxy, emptyProxy, imageData, pageOfProxy, shapeProxy, unwrap } from './proxies.js';
import { type Compartment, createCompartment } from './sandbox.js';

export interface FakePenpotOptions {
  /** Manifest permissions (default: content:read, content:write, allow:localstorage). */
  permissions?: readonly Permission[];
  /**
   * Manifest "version". Penpot's `throwValidationErrors` flag defaults to true for version 2
   * and false for version 1 / no version (validation errors are then only console.error'd and
   * the change is dropped). Default 1, like a manifest without "version".
   */
  manifestVersion?: 1 | 2;
  /**
   * Where Penpot installed the plugin from. Penpot IGNORES the manifest's own `host` field: it
   * keeps the manifest URL's origin as the plugin's host (frontend plugins/register.cljs
   * parse-manifest: `:host origin`), and resolves the code, the icon and every ui.open url
   * against it. Default http://localhost:4400/manifest.json.
   */
  manifestUrl?: string;
  /** The origin urls are resolved against, given directly (ignored when manifestUrl is set). */
  host?: string;
  pluginId?: string;
  theme?: 'light' | 'dark';
  /** The Penpot window (the plugin modal is clamped to 200 … size − 40). */
  window?: { width: number; height: number };
  /** The browser's localStorage (share one Map between fakes to keep values across "sessions"). */
  localStorage?: Map<string, string>;
  /** Don't echo Penpot's console.error / console.warn output (it is recorded either way). */
  quiet?: boolean;
  /** undoBlockFinish with an unknown or finished id throws (default true; Penpot ignores it). */
  strictHistory?: boolean;
  /** Penpot force-commits an undo block left open this long (default 20000; 0 = never). */
  undoTransactionTimeoutMs?: number;
  /** Backend media size limit (default 30 MiB). */
  maxUploadBytes?: number;
  /** The fake refuses exports above this many pixels (keeps tests fast). */
  maxExportPixels?: number;
  /** How long penpot.uploadMediaData takes (the backend round trip; default: the next task). */
  uploadDelayMs?: number;
}

export interface UiOpenCall {
  name: string;
  url: string;
  /** The iframe src Penpot builds: url resolved against the manifest host, plus ?theme=… (v1) or #/?theme=… (v2). */
  src: string;
  options?: { width: number; height: number; hidden?: boolean };
}

/** The plugin UI's side of penpot.ui: what the iframe would receive and send (a message sent before the plugin listens is dropped). */
export class PenpotUiEnd extends FakeUiEnd {
  constructor() {
    super('fake penpot ui', () => {});
  }
}

/** A page as tests name it: its document, a Page proxy, or its id. */
export type PageRef = FakeDoc | { id: string } | string;

export interface FakePenpot {
  /** The object to install as the `penpot` global (frozen, like Penpot's hardened API). */
  readonly penpot: Penpot;
  readonly ui: PenpotUiEnd;
  /**
   * The FIRST page's document (the page the fake starts on; for a one-page file, the
   * document). Other pages: `pages`, `page(ref)`, `docOf(shapeId)`.
   */
  readonly doc: FakeDoc;
  /** The file: pages in order, the active page, the selection, media. */
  readonly file: FakeFile;
  /** The pages' documents, in file order (live). */
  readonly pages: readonly FakeDoc[];
  /** The active page's document. */
  readonly currentPage: FakeDoc;
  /** A page's document. */
  page(ref: PageRef): FakeDoc;
  /** The document of the page holding shape `id` (throws if no page has it). */
  docOf(id: string): FakeDoc;
  /** A new page at the end of the file (not opened), as the user would add it; default name "Page N". */
  addPage(name?: string): FakeDoc;
  /** The user opens another page: selection cleared; selectionchange and pagechange fire ~10 ms later. */
  goToPage(ref: PageRef): void;
  /** Every penpot.openPage / page.openPage call the plugin made, in order. */
  readonly openPageCalls: ReadonlyArray<{ pageId: string; newWindow: boolean }>;
  readonly host: Host;
  /** Every ui.open call. */
  readonly uiOpenCalls: UiOpenCall[];
  /** The open modal, or null (never opened, or closed). */
  readonly modal: (UiOpenCall & { width: number; height: number }) | null;
  readonly closed: boolean;
  /** Penpot validation reports (thrown or only logged). */
  readonly validationErrors: string[];
  /** console.error / console.warn output Penpot would have produced. */
  readonly consoleMessages: string[];
  readonly exportLog: ExportLogEntry[];
  readonly undoEntries: UndoEntry[];
  /** Messages ui.sendMessage dropped because no UI was open. */
  readonly droppedMessages: unknown[];
  /** The plugin's localStorage as the browser holds it (keys "penpot-plugins:<pluginId>/<key>"). */
  readonly localStorage: Map<string, string>;
  readonly theme: 'light' | 'dark';
  /** Ids passed to each penpot.viewport.zoomIntoView call. */
  readonly viewportZoomedInto: string[][];
  /**
   * Sets `globalThis.penpot`; returns a restorer. Closing the plugin then sets it to undefined,
   * as the runtime's cleanGlobalThis does (the other endowments of a real compartment cannot be
   * taken from a test's own realm: use evaluatePlugin for the whole of it).
   */
  install(): () => void;
  /**
   * Loads plugin code the way Penpot does (plugins-runtime create-sandbox.ts, see sandbox.ts):
   * in a compartment with PLUGIN_SANDBOX_GLOBALS, `setTimeout` the runtime's tracked wrapper;
   * closing the plugin clears its pending timers and deletes every endowment. `endowments`
   * replaces some (a harness's own `penpot` wrapper, `fetch`).
   */
  evaluatePlugin(code: string, endowments?: Record<string, unknown>): Compartment;
  /** The user closes the plugin's window (its close button): the runtime's closePlugin. */
  closeWindow(): void;
  /** penpot.uploadMediaData calls not settled yet. */
  readonly pendingUploads: number;
  /** Lets pending timer-driven deliveries run (messages, debounced events, async APIs). */
  flush(turns?: number): Promise<void>;
  /** The user changes the selection (shapes or ids): selectionchange fires ~10 ms later. */
  select(shapes: ReadonlyArray<Shape | ShapeProxy | string | { id: string }>): void;
  /** The user switches theme: themechange fires ~10 ms later. */
  setTheme(theme: 'light' | 'dark'): void;
  /** Ctrl+Z: the document as it was before the last undo entry. */
  undoLast(): UndoEntry;
  /** Forget recorded undo entries (e.g. after building a scene). */
  resetHistory(): void;
  /** A proxy for a shape id (bound to the page that holds it; the root: the active page's), ignoring permissions (test side). */
  shape(id: string): Shape;
  /** A page's shapes as plain JSON (default: the first page; for snapshots and assertions). */
  dump(page?: PageRef): SceneDump;
  /** Every page's shapes as plain JSON, in file order. */
  dumpFile(): Array<{ id: string; name: string; root: SceneDump }>;
}

export interface SceneDump {
  id: string;
  type: ShapeType;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  rotation: number;
  flipX: boolean;
  flipY: boolean;
  hidden: boolean;
  opacity: number;
  fills: unknown[];
  masked?: boolean;
  children?: SceneDump[];
}

/**
 * The globals a Penpot plugin's code can use (plugins-runtime create-sandbox.ts: an SES
 * Compartment whose endowments are exactly these, plus the standard JS intrinsics such as
 * Error, Promise or Reflect). Notably absent: window, document, self, TextEncoder,
 * TextDecoder, URL, Blob, WebAssembly, crypto, queueMicrotask, requestAnimationFrame,
 * performance. `fetch` is a wrapper without credentials. A harness can check a plugin bundle's
 * free globals against this list.
 */
export const PLUGIN_SANDBOX_GLOBALS: readonly string[] = [
  'penpot',
  'fetch',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'isFinite',
  'isNaN',
  'parseFloat',
  'parseInt',
  'decodeURI',
  'decodeURIComponent',
  'encodeURI',
  'encodeURIComponent',
  'Object',
  'Boolean',
  'Symbol',
  'Number',
  'BigInt',
  'Math',
  'Date',
  'String',
  'RegExp',
  'Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
  'Float32Array',
  'Float64Array',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'ArrayBuffer',
  'DataView',
  'Atomics',
  'JSON',
  'Promise',
  'Proxy',
  'Intl',
  'console',
  'devicePixelRatio',
  'atob',
  'btoa',
  'structuredClone',
];

const VALID_EVENTS = ['finish', 'pagechange', 'filechange', 'selectionchange', 'themechange', 'shapechange', 'contentsave'] as const;

export function createFakePenpot(options: FakePenpotOptions = {}): FakePenpot {
  const file = new FakeFile(options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES);
  const doc = file.pages[0];
  const host = new Host(file, {
    permissions: options.permissions ?? ['content:read', 'content:write', 'allow:localstorage'],
    manifestVersion: options.manifestVersion ?? 1,
    quiet: options.quiet ?? false,
    strictHistory: options.strictHistory ?? true,
    undoTransactionTimeoutMs: options.undoTransactionTimeoutMs ?? 20_000,
    maxExportPixels: options.maxExportPixels ?? 16_000_000,
  });
  const manifestHost = options.manifestUrl ? new URL(options.manifestUrl).origin : (options.host ?? 'http://localhost:4400');
  const pluginId = options.pluginId ?? '0fa4e000-cafe-4000-8000-000000000001';
  const win = options.window ?? { width: 1920, height: 1080 };
  const storage = options.localStorage ?? new Map<string, string>();
  const ui = new PenpotUiEnd();
  const uiOpenCalls: UiOpenCall[] = [];
  const droppedMessages: unknown[] = [];
  let theme: 'light' | 'dark' = options.theme ?? 'dark';
  let modal: (UiOpenCall & { width: number; height: number }) | null = null;
  let closed = false;
  let messageCallbacks: ((m: unknown) => void)[] = [];
  // plugin-manager.ts: the timers the sandbox's setTimeout / setInterval made, cleared on close;
  // create-plugin.ts onClose: sandbox.cleanGlobalThis.
  const pluginTimeouts = new Set<Parameters<typeof clearTimeout>[0]>();
  const pluginIntervals = new Set<Parameters<typeof clearInterval>[0]>();
  const onClose: Array<() => void> = [];
  let pendingUploads = 0;

  // ---- events (events.cljs: a state watch per listener, callbacks debounced by 10 ms and
  // wrapped in try/catch → console.error; plugin-manager drops calls after the plugin closed)
  interface Listener {
    type: string;
    cb: (v: unknown) => void;
    timer: ReturnType<typeof setTimeout> | null;
  }
  const listeners = new Map<symbol, Listener>();
  const emit = (type: string, value: unknown) => {
    for (const l of listeners.values()) {
      if (l.type !== type) continue;
      if (l.timer) clearTimeout(l.timer);
      l.timer = setTimeout(() => {
        l.timer = null;
        if (closed) return;
        try {
          l.cb(value);
        } catch (e) {
          host.console('error', e);
        }
      }, 10);
    }
  };
  // events.cljs handle-state-change: selectionchange gets the ids as strings, pagechange a Page proxy.
  file.onSelectionChange = () => emit('selectionchange', [...file.selection]);
  file.onPageChange = () => emit('pagechange', harden(new PageProxy(host, file.currentPageId)));
  const pageIdOf = (ref: PageRef): string => (typeof ref === 'string' ? ref : 'pageId' in ref ? ref.pageId : ref.id);

  ui.deliverToPlugin = (m) => {
    // load-plugin.ts: every window message goes to every plugin's callbacks, errors logged.
    try {
      for (const cb of [...messageCallbacks]) cb(m);
    } catch (e) {
      host.console('error', e);
    }
  };

  const clampW = (w: number) => Math.max(200, Math.min(w, win.width - 40));
  const clampH = (h: number) => Math.max(200, Math.min(h, win.height - 40));
  const positive = (v: unknown) => typeof v === 'number' && !Number.isNaN(v) && v > 0;

  const prepareUrl = (url: string): string => {
    const u = new URL(url, manifestHost);
    if (!u.searchParams.has('theme')) u.searchParams.set('theme', theme);
    if ((options.manifestVersion ?? 1) === 2) {
      const q = u.searchParams.toString();
      u.search = '';
      u.hash = `/?${q}`;
    }
    return u.toString();
  };

  const closePlugin = () => {
    for (const l of listeners.values()) if (l.timer) clearTimeout(l.timer);
    listeners.clear();
    messageCallbacks = [];
    for (const t of pluginTimeouts) clearTimeout(t);
    pluginTimeouts.clear();
    for (const t of pluginIntervals) clearInterval(t);
    pluginIntervals.clear();
    modal = null;
    closed = true;
    for (const f of onClose.splice(0)) f();
  };

  /** create-sandbox.ts publicPluginApi: what the plugin's compartment is endowed with. */
  const endowments = (): Record<string, unknown> => {
    const realm = globalThis as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of PLUGIN_SANDBOX_GLOBALS) out[k] = realm[k];
    out.penpot = api;
    out.setTimeout = (handler: () => void, timeout?: number) => {
      const id = setTimeout(() => {
        pluginTimeouts.delete(id);
        handler();
      }, timeout) as unknown as Parameters<typeof clearTimeout>[0];
      pluginTimeouts.add(id);
      return id;
    };
    out.clearTimeout = (id: Parameters<typeof clearTimeout>[0]) => {
      clearTimeout(id);
      pluginTimeouts.delete(id);
    };
    out.setInterval = (handler: () => void, timeout?: number) => {
      const id = setInterval(handler, timeout) as unknown as Parameters<typeof clearInterval>[0];
      pluginIntervals.add(id);
      return id;
    };
    out.clearInterval = (id: Parameters<typeof clearInterval>[0]) => {
      clearInterval(id);
      pluginIntervals.delete(id);
    };
    // The runtime's fetch wrapper sends no credentials.
    out.fetch = (input: string, init?: RequestInit) => fetch(input, { ...init, credentials: 'omit' });
    return out;
  };

  const penpotUi = {
    /** openUI.api.ts (zod): name, url strings; options {width > 0, height > 0, hidden?: boolean}. */
    open(name: string, url: string, opts?: { width: number; height: number; hidden?: boolean }): void {
      if (typeof name !== 'string') throw new Error('ZodError: ui.open name: Expected string');
      if (typeof url !== 'string') throw new Error('ZodError: ui.open url: Expected string');
      if (opts !== undefined && (opts === null || typeof opts !== 'object' || !positive(opts.width) || !positive(opts.height) || (opts.hidden !== undefined && typeof opts.hidden !== 'boolean'))) {
        throw new Error('ZodError: ui.open options: width and height must be positive numbers, hidden a boolean');
      }
      const src = prepareUrl(url);
      const call: UiOpenCall = { name, url, src, options: opts ? { ...opts } : undefined };
      uiOpenCalls.push(call);
      if (modal && modal.src === src) return;
      modal = { ...call, width: clampW(opts?.width ?? 335), height: clampH(opts?.height ?? 590) };
    },
    get size(): { width: number; height: number } | null {
      return modal ? { width: modal.width, height: modal.height } : null;
    },
    resize(width: number, height: number): void {
      if (!positive(width) || !positive(height)) throw new Error('ZodError: ui.resize: width and height must be positive numbers');
      if (modal) {
        modal.width = clampW(width);
        modal.height = clampH(height);
      }
    },
    sendMessage(message: unknown, throwOnError = false): void {
      let copy: unknown;
      try {
        copy = structuredClone(message);
      } catch (err) {
        const msg =
          'plugin sendMessage: the message could not be cloned. Ensure the message does not contain functions, DOM nodes, or other non-serializable values.';
        if (throwOnError) throw new Error(`${msg} Original error: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        host.console('error', msg, err);
        return;
      }
      if (!modal) {
        droppedMessages.push(copy);
        return;
      }
      const second = structuredClone(copy); // the modal's iframe.contentWindow.postMessage
      setTimeout(() => ui.receive(second), 0);
    },
    onMessage<T>(callback: (message: T) => void): void {
      if (typeof callback !== 'function') throw new Error('ZodError: ui.onMessage: Expected function');
      messageCallbacks.push(callback as (m: unknown) => void);
    },
  };

  const localStorageProxy = {
    getItem(key: string): string | null | undefined {
      if (typeof key !== 'string') return host.notValid('getItem', 'The key must be a string');
      return storage.get(`penpot-plugins:${pluginId}/${key}`) ?? null;
    },
    /** Browser localStorage stores String(value) ("[object Object]" for objects: stringify JSON yourself). */
    setItem(key: string, value: unknown): void {
      if (typeof key !== 'string') { host.notValid('setItem', 'The key must be a string'); return; }
      if (typeof value === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string');
      storage.set(`penpot-plugins:${pluginId}/${key}`, String(value));
    },
    removeItem(key: string): void {
      if (typeof key !== 'string') { host.notValid('removeItem', 'The key must be a string'); return; }
      storage.delete(`penpot-plugins:${pluginId}/${key}`);
    },
    getKeys(): string[] {
      const prefix = `penpot-plugins:${pluginId}/`;
      return [...storage.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
    },
  };
  Object.freeze(localStorageProxy);

  const history = Object.freeze({
    undoBlockBegin: () => host.undoBlockBegin(),
    undoBlockFinish: (id: unknown) => host.undoBlockFinish(id),
  });

  const flags = {
    get naturalChildOrdering() {
      return host.flags.naturalChildOrdering;
    },
    set naturalChildOrdering(v: boolean) {
      if (typeof v !== 'boolean') { host.notValid('naturalChildOrdering', v); return; }
      host.flags.naturalChildOrdering = v;
    },
    get throwValidationErrors() {
      return host.flags.throwValidationErrors;
    },
    set throwValidationErrors(v: boolean) {
      if (typeof v !== 'boolean') { host.notValid('throwValidationErrors', v); return; }
      host.flags.throwValidationErrors = v;
    },
  };
  Object.freeze(flags);

  const validShapes = (v: unknown): v is unknown[] => Array.isArray(v) && v.every((x) => unwrap(host, x) !== null);

  /** api.cljs create-shape: always on the ACTIVE page (no page argument, no guard). */
  const create = (type: ShapeType, op: string, init?: Parameters<FakeDoc['create']>[1]) => {
    host.checkPermission('content:write');
    const page = file.current;
    const s = host.mutate(op, () => page.create(type, init));
    return harden(shapeProxy(host, page.pageId, s.id));
  };

  const uploadMediaData = (name: string, data: unknown, mimeType: string): Promise<ImageDataLike> => {
    host.checkPermission('content:write');
    pendingUploads++;
    return new Promise<ImageDataLike>((resolve, reject) => {
      setTimeout(() => {
        try {
          let bytes: Uint8Array;
          if (data instanceof Uint8Array) bytes = data.slice();
          else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data.slice(0));
          else if (Array.isArray(data)) bytes = Uint8Array.from(data as number[]);
          else if (data !== null && typeof data === 'object' && Object.getPrototypeOf(data) === Object.prototype) bytes = Uint8Array.from(Object.values(data) as number[]);
          else throw new Error(`fake: uploadMediaData data must be a Uint8Array, ArrayBuffer or array of bytes (Penpot would upload String(${typeof data}))`);
          if (typeof name !== 'string') throw new MediaError('invalid-name', 'fake: uploadMediaData name must be a string');
          if (typeof mimeType !== 'string') throw new MediaError('media-type-not-allowed', `media type ${String(mimeType)} is not supported`);
          const m = doc.media.upload(name, bytes, mimeType);
          resolve(imageData({ id: m.id, name: m.name, width: m.width, height: m.height, mtype: m.mtype }, m));
        } catch (e) {
          reject(e);
        }
      }, options.uploadDelayMs ?? 0);
    }).finally(() => pendingUploads--);
  };

  const utils = Object.freeze({
    geometry: Object.freeze({
      center(shapes: unknown[]): { x: number; y: number } | null {
        const live = (shapes ?? []).filter((x) => unwrap(host, x) !== null);
        if (live.length === 0) return null;
        const b = live.map((x) => file.page(pageOfProxy(x)!).bounds(unwrap(host, x)!));
        const x0 = Math.min(...b.map((r) => r.x));
        const y0 = Math.min(...b.map((r) => r.y));
        const x1 = Math.max(...b.map((r) => r.x + r.width));
        const y1 = Math.max(...b.map((r) => r.y + r.height));
        return { x: (x0 + x1) / 2, y: (y0 + y1) / 2 };
      },
    }),
    types: Object.freeze({
      isBoard: (s: ShapeProxy) => s.type === 'board',
      isGroup: (s: ShapeProxy) => s.type === 'group',
      isMask: (s: ShapeProxy) => s.type === 'group' && s.isMask(),
      isBool: (s: ShapeProxy) => (s.type as string) === 'boolean',
      isRectangle: (s: ShapeProxy) => s.type === 'rectangle',
      isPath: (s: ShapeProxy) => s.type === 'path',
      isText: (s: ShapeProxy) => s.type === 'text',
      isEllipse: (s: ShapeProxy) => s.type === 'ellipse',
      isSVG: (s: ShapeProxy) => (s.type as string) === 'svg-raw',
      isVariantContainer: () => false,
      isVariantComponent: () => false,
    }),
  });

  const viewportState = { center: { x: 0, y: 0 }, zoom: 1, zoomedInto: [] as string[][] };
  const viewport = {
    get center() {
      return { ...viewportState.center };
    },
    set center(p: { x: number; y: number }) {
      viewportState.center = { x: p.x, y: p.y };
    },
    get zoom() {
      return viewportState.zoom;
    },
    set zoom(z: number) {
      viewportState.zoom = z;
    },
    get bounds() {
      return { x: viewportState.center.x - 500, y: viewportState.center.y - 400, width: 1000, height: 800 };
    },
    zoomReset() {
      viewportState.zoom = 1;
    },
    zoomToFitAll() {},
    /** Records the ids (fake.viewportZoomedInto). */
    zoomIntoView(shapes: unknown[]) {
      viewportState.zoomedInto.push((shapes ?? []).map((s) => unwrap(host, s)?.id ?? '?'));
    },
  };

  const api = {
    get version(): string {
      return '2.16.0-fake';
    },
    get ui() {
      return penpotUi;
    },
    get utils() {
      return utils;
    },
    closePlugin,
    on(type: string, callback: (event: unknown) => void, _props?: Record<string, unknown>): symbol {
      if (!(VALID_EVENTS as readonly string[]).includes(type)) {
        throw new Error(`ZodError: Invalid enum value. Expected ${VALID_EVENTS.map((e) => `'${e}'`).join(' | ')}, received '${String(type)}'`);
      }
      if (typeof callback !== 'function') throw new Error('ZodError: Expected function');
      host.checkPermission('content:read');
      // The fake fires selectionchange, pagechange and themechange; the other events are accepted and never fire.
      const id = Symbol();
      listeners.set(id, { type, cb: callback, timer: null });
      return id;
    },
    off(listenerId: symbol): void {
      const l = listeners.get(listenerId);
      if (l?.timer) clearTimeout(l.timer);
      listeners.delete(listenerId);
    },
    /** The ACTIVE page's root. */
    get root() {
      host.checkPermission('content:read');
      return harden(shapeProxy(host, file.currentPageId, ROOT_ID));
    },
    get currentFile() {
      host.checkPermission('content:read');
      return harden(new FileProxy(host));
    },
    get currentPage() {
      host.checkPermission('content:read');
      return harden(new PageProxy(host, file.currentPageId));
    },
    get viewport() {
      return viewport;
    },
    get history() {
      return history;
    },
    get flags() {
      return flags;
    },
    get theme() {
      return theme;
    },
    get localStorage() {
      host.checkPermission('allow:localstorage');
      return localStorageProxy;
    },
    /**
     * getSelectedShapes: a proxy bound to the ACTIVE page per selected id. An id that is not on
     * the active page (the plugin selected another page's shape, or undo restored an older
     * selection) gives a proxy that finds nothing (`id` ""; the fake throws on other uses).
     */
    get selection(): ShapeProxy[] {
      host.checkPermission('content:read');
      const page = file.current;
      return harden(file.selection.map((id) => (page.has(id) ? shapeProxy(host, page.pageId, id) : emptyProxy(host, page.pageId, id))));
    },
    /** dws/select-shapes: the ids go into the (active page's) selection as they are, from whatever page. */
    set selection(shapes: ShapeProxy[]) {
      host.checkPermission('content:read');
      if (!validShapes(shapes)) { host.notValid('selection', shapes); return; }
      const foreign = shapes.filter((s) => pageOfProxy(s) !== file.currentPageId).map((s) => s.id);
      if (foreign.length) file.warnings.push(`selection: ${foreign.join(', ')} not on the active page; Penpot selects the ids anyway and penpot.selection then returns proxies that find nothing`);
      file.setSelection(shapes.map((s) => unwrap(host, s)!.id));
    },
    get library(): never {
      host.checkPermission('library:read');
      return notEmulated('penpot.library');
    },
    get fonts(): never {
      host.checkPermission('content:read');
      return notEmulated('penpot.fonts');
    },
    get currentUser(): never {
      host.checkPermission('user:read');
      return notEmulated('penpot.currentUser');
    },
    get activeUsers(): never {
      host.checkPermission('user:read');
      return notEmulated('penpot.activeUsers');
    },
    uploadMediaData,
    uploadMediaUrl(): never {
      host.checkPermission('content:write');
      return notEmulated('penpot.uploadMediaUrl');
    },
    createRectangle: () => create('rectangle', 'createRectangle'),
    createEllipse: () => create('ellipse', 'createEllipse'),
    createBoard: () => create('board', 'createBoard'),
    createPath: () => create('path', 'createPath'),
    /** createText: "" → null; the fake does no text layout (box 8 px per character × 16 px; never rendered). */
    createText(text: string) {
      host.checkPermission('content:write');
      if (typeof text !== 'string') return host.notValid('createText', text);
      if (text === '') return null;
      return create('text', 'createText', (s) => {
        s.text = text;
        s.fills = [{ fillColor: '#000000', fillOpacity: 1 }];
        s.g = { ...s.g, cx: (8 * text.length) / 2, cy: 8, w: 8 * text.length, h: 16 };
      });
    },
    /**
     * api.cljs :group: shapes must be shape proxies; [] → null; none may be inside a component
     * copy. Shapes need NOT share a parent: the group goes into the top-most one's parent.
     */
    group(shapes: ShapeProxy[]) {
      host.checkPermission('content:write');
      if (!validShapes(shapes)) return host.notValid('group-shapes', shapes);
      if (shapes.length === 0) return null;
      if (!host.canModifyPage('group', ...shapes.map((x) => pageOfProxy(x)!))) return undefined;
      const page = file.current;
      const ss = shapes.map((x) => unwrap(host, x)!);
      if (ss.some((s) => page.hasCopyParent(s))) return host.notValid('group', 'Cannot change the structure of a component copy');
      const g = host.mutate('group', () => page.group(ss.map((s) => s.id)));
      return g ? harden(shapeProxy(host, page.pageId, g.id)) : null;
    },
    /** Groups and boards are dissolved into their parent (others are skipped, like Penpot). */
    ungroup(group: ShapeProxy, ...other: ShapeProxy[]) {
      host.checkPermission('content:write');
      if (!unwrap(host, group)) { host.notValid('ungroup', group); return; }
      if (!validShapes(other)) { host.notValid('ungroup', other); return; }
      if (!host.canModifyPage('ungroup', ...[group, ...other].map((x) => pageOfProxy(x)!))) return;
      const page = file.current;
      const ss = [group, ...other].map((x) => unwrap(host, x)!);
      if (ss.some((s) => page.hasCopyParent(s))) { host.notValid('ungroup', 'Cannot change the structure of a component copy'); return; }
      const ids = ss.filter((s) => (s.type === 'group' || s.type === 'board') && !s.componentRoot).map((s) => s.id);
      if (ids.length === 0) return;
      host.mutate('ungroup', () => {
        for (const id of ids) if (page.has(id)) page.ungroup(id);
      });
    },
    /**
     * Runtime: content:write (throws). api.cljs :createPage → create-page: a new page "Page N"
     * at the end of the file, NOT opened (one undo entry).
     */
    createPage() {
      host.checkPermission('content:write');
      const p = host.mutate('createPage', () => file.addPage());
      return harden(new PageProxy(host, p.pageId));
    },
    /**
     * Runtime: content:read (throws), then `newWindow ?? false`. api.cljs :openPage: a Page
     * proxy or a page UUID string, else not-valid (and no promise); navigation: Host.openPage.
     */
    openPage(page: unknown, newWindow?: boolean): Promise<void> | undefined {
      host.checkPermission('content:read');
      const nw = newWindow ?? false;
      const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
      const id = page instanceof PageProxy && page.$host === host ? page.$id : typeof page === 'string' && UUID.test(page) ? page.toLowerCase() : null;
      if (id === null) return host.notValid('openPage', 'Expected a Page object or a page UUID string');
      return host.openPage(id, nw);
    },
  };
  for (const name of [
    'shapesColors',
    'replaceColor',
    'createBoolean',
    'createShapeFromSvg',
    'createShapeFromSvgWithImages',
    'generateMarkup',
    'generateStyle',
    'generateFontFaces',
    'openViewer',
    'alignHorizontal',
    'alignVertical',
    'distributeHorizontal',
    'distributeVertical',
    'flatten',
    'createVariantFromComponents',
  ]) {
    (api as Record<string, unknown>)[name] = () => notEmulated(`penpot.${name}`);
  }
  Object.freeze(api);

  const fake: FakePenpot = {
    penpot: api as unknown as Penpot,
    ui,
    doc,
    file,
    get pages() {
      return file.pages;
    },
    get currentPage() {
      return file.current;
    },
    page: (ref) => file.page(pageIdOf(ref)),
    docOf(id) {
      const p = file.pageOf(id);
      if (!p) throw new Error(`fake: no page holds shape ${id}`);
      return p;
    },
    addPage: (name) => file.addPage(name),
    goToPage: (ref) => file.switchPage(pageIdOf(ref)),
    openPageCalls: host.openPageCalls,
    host,
    uiOpenCalls,
    get modal() {
      return modal;
    },
    get closed() {
      return closed;
    },
    validationErrors: host.validationErrors,
    consoleMessages: host.consoleMessages,
    exportLog: host.exportLog,
    undoEntries: host.undoEntries,
    droppedMessages,
    localStorage: storage,
    get theme() {
      return theme;
    },
    viewportZoomedInto: viewportState.zoomedInto,
    install() {
      const g = globalThis as Record<string, unknown>;
      const had = Object.prototype.hasOwnProperty.call(g, 'penpot');
      const prev = g.penpot;
      g.penpot = api;
      onClose.push(() => {
        if (g.penpot === api) g.penpot = undefined;
      });
      return () => {
        if (had) g.penpot = prev;
        else delete g.penpot;
      };
    },
    evaluatePlugin(code, replaced = {}) {
      const compartment = createCompartment({ ...endowments(), ...replaced });
      onClose.push(() => compartment.cleanGlobalThis());
      compartment.evaluate(code);
      return compartment;
    },
    closeWindow: () => closePlugin(),
    get pendingUploads() {
      return pendingUploads;
    },
    async flush(turns = 5) {
      for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, i === 0 ? 0 : 12));
    },
    /** The user can only select shapes of the active page. */
    select(shapes) {
      const ids = shapes.map((s) => (typeof s === 'string' ? s : (s as { id: string }).id));
      for (const id of ids) file.current.get(id);
      file.setSelection(ids);
    },
    setTheme(t) {
      if (t === theme) return;
      theme = t;
      emit('themechange', t);
    },
    undoLast: () => host.undoLast(),
    resetHistory: () => host.resetHistory(),
    shape: (id) => shapeProxy(host, (file.pageOf(id) ?? file.current).pageId, id) as unknown as Shape,
    dump(ref) {
      return dumpPage(ref === undefined ? doc : file.page(pageIdOf(ref)));
    },
    dumpFile() {
      return file.pages.map((p) => ({ id: p.pageId, name: p.pageName, root: dumpPage(p) }));
    },
  };
  /** A page's shapes as plain JSON. */
  function dumpPage(doc: FakeDoc): SceneDump {
    const node = (id: string): SceneDump => {
      const s = doc.get(id);
      const g = doc.geom(s);
      const b = doc.bounds(s);
      const out: SceneDump = {
        id,
        type: s.type,
        name: s.name,
        x: b.x,
        y: b.y,
        width: g.w,
        height: g.h,
        rotation: s.type === 'group' ? s.g.rotation : g.rotation,
        flipX: g.flipX,
        flipY: g.flipY,
        hidden: s.hidden,
        opacity: s.opacity,
        fills: structuredClone(s.fills),
      };
      if (s.type === 'group') out.masked = s.masked;
      if (s.children.length) out.children = s.children.map(node);
      return out;
    };
    return node(ROOT_ID);
  }
  return fake;
}
