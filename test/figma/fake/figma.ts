/**
 * The `figma` global of the fake, plus the test-side handles: the UI end of the message bridge,
 * notifications, undo history, fault injection. Pure TypeScript (no Node APIs) so the browser
 * e2e harness can bundle it too.
 */
import type { FaultOp, FakeOptions } from './doc.js';
import { FakeUiEnd } from '../../helpers/ui-end.js';
import { FakeDoc } from './doc.js';
import type { FFrame, FGroup, FNode, FPage, FRectangle, FScene, FText, FVector, FEllipse } from './nodes.js';
import { FAKE_PLUGIN_ID, validatePaints } from './nodes.js';

export interface FakeFigmaOptions extends Partial<FakeOptions> {
  /** figma.command ('' when the plugin runs without a menu command). */
  command?: string;
}

export interface Notification {
  message: string;
  options?: NotificationOptions;
}

/** The UI end of figma.ui: what the iframe would see and send. */
export class UiEnd extends FakeUiEnd {
  constructor() {
    super('fake ui', () => {
      throw new Error('fake: the plugin has not called figma.showUI');
    });
  }
}

/** figma.clientStorage with Figma's quota and structured-clone semantics. */
export class FakeClientStorage {
  private readonly data = new Map<string, unknown>();
  constructor(private readonly quota: number) {}

  private static bytes(v: unknown): number {
    if (v === null || v === undefined) return 1;
    if (typeof v === 'string') return new TextEncoder().encode(v).length + 2;
    if (typeof v === 'number') return 8;
    if (typeof v === 'boolean') return 1;
    if (v instanceof Uint8Array) return v.length + 8;
    if (Array.isArray(v)) return v.reduce((n: number, x) => n + FakeClientStorage.bytes(x), 2);
    if (typeof v === 'object') {
      return Object.entries(v as object).reduce((n, [k, x]) => n + k.length + 2 + FakeClientStorage.bytes(x), 2);
    }
    throw new Error(`in setAsync: values of type ${typeof v} cannot be stored`);
  }

  get usedBytes(): number {
    let n = 0;
    for (const [k, v] of this.data) n += k.length + FakeClientStorage.bytes(v);
    return n;
  }

  async getAsync(key: string): Promise<any> {
    await Promise.resolve();
    if (typeof key !== 'string') throw new Error('in getAsync: key must be a string');
    return this.data.has(key) ? structuredClone(this.data.get(key)) : undefined;
  }

  async setAsync(key: string, value: any): Promise<void> {
    await Promise.resolve();
    if (typeof key !== 'string' || key.length === 0) throw new Error('in setAsync: key must be a non-empty string');
    let copy: unknown;
    try {
      copy = structuredClone(value);
    } catch (e) {
      throw new Error(`in setAsync: value cannot be stored (${(e as Error).message})`);
    }
    const size = FakeClientStorage.bytes(copy);
    const used = this.usedBytes - (this.data.has(key) ? key.length + FakeClientStorage.bytes(this.data.get(key)) : 0);
    if (used + key.length + size > this.quota) {
      throw new Error(
        `in setAsync: Storage quota exceeded: ${used + key.length + size} bytes would exceed the ${this.quota}-byte (5 MB) clientStorage limit`,
      );
    }
    this.data.set(key, copy);
  }

  async deleteAsync(key: string): Promise<void> {
    await Promise.resolve();
    this.data.delete(key);
  }

  async keysAsync(): Promise<string[]> {
    await Promise.resolve();
    return [...this.data.keys()];
  }
}

export interface FakeFigma {
  /** The object to install as the `figma` global. */
  readonly figma: PluginAPI;
  readonly doc: FakeDoc;
  readonly ui: UiEnd;
  readonly storage: FakeClientStorage;
  readonly notifications: Notification[];
  readonly showUICalls: { html: string; options?: ShowUIOptions }[];
  readonly uiResizes: { width: number; height: number }[];
  readonly closed: { message?: string } | null;
  /** The current page (fake view). */
  readonly page: FPage;
  addPage(name: string): FPage;
  /** Marks the current document state as the committed baseline (before the plugin runs). */
  baseline(): void;
  /** commitUndo calls since the baseline. */
  readonly undoSteps: number;
  /** Ctrl+Z: reverts uncommitted changes, else goes back one committed step. */
  undo(): void;
  injectFault(op: FaultOp, message?: string): void;
  /** JSON of the whole live document. */
  dump(): string;
  /** Sets `globalThis.figma` and `__html__` (returns the previous values' restorer). */
  install(html?: string): () => void;
  /** Runs every pending timer-delivered message/event (a few macrotask turns). */
  flush(turns?: number): Promise<void>;
}

export function createFakeFigma(options: FakeFigmaOptions = {}): FakeFigma {
  const doc = new FakeDoc({
    documentAccess: options.documentAccess ?? 'dynamic-page',
    relaunchCommands: options.relaunchCommands ?? ['edit'],
    storageQuota: options.storageQuota ?? 5 * 1024 * 1024,
    maxExportPixels: options.maxExportPixels ?? 16_000_000,
  });
  const ui = new UiEnd();
  const storage = new FakeClientStorage(doc.options.storageQuota);
  const notifications: Notification[] = [];
  const showUICalls: { html: string; options?: ShowUIOptions }[] = [];
  const uiResizes: { width: number; height: number }[] = [];
  let closed: { message?: string } | null = null;
  let uiShown = false;
  let onmessage: MessageEventHandler | undefined;
  const messageListeners = new Set<MessageEventHandler>();
  const dynamic = doc.options.documentAccess === 'dynamic-page';

  ui.deliverToPlugin = (m) => {
    if (!uiShown || closed) return;
    const props: OnMessageProperties = { origin: 'null' };
    onmessage?.(m, props);
    for (const l of [...messageListeners]) l(m, props);
  };

  const figmaUi = {
    postMessage(pluginMessage: unknown): void {
      if (!uiShown) throw new Error('in postMessage: the plugin has no UI (call figma.showUI first)');
      const copy = structuredClone(pluginMessage); // throws DataCloneError like the real bridge
      setTimeout(() => ui.receive(copy), 0);
    },
    get onmessage() {
      return onmessage;
    },
    set onmessage(h: MessageEventHandler | undefined) {
      onmessage = h;
    },
    on(type: 'message', cb: MessageEventHandler) {
      if (type === 'message') messageListeners.add(cb);
    },
    once(type: 'message', cb: MessageEventHandler) {
      const w: MessageEventHandler = (m, p) => {
        messageListeners.delete(w);
        cb(m, p);
      };
      if (type === 'message') messageListeners.add(w);
    },
    off(type: 'message', cb: MessageEventHandler) {
      if (type === 'message') messageListeners.delete(cb);
    },
    resize(width: number, height: number) {
      if (!(width > 0 && height > 0)) throw new Error('in resize: width and height must be positive');
      uiResizes.push({ width, height });
    },
    reposition() {},
    show() {},
    hide() {},
    close() {
      uiShown = false;
    },
  };

  const eventTypes = new Set(['selectionchange', 'currentpagechange', 'close', 'run', 'drop', 'documentchange', 'stylechange', 'timerstart']);
  const checkEvent = (type: string) => {
    if (!eventTypes.has(type)) throw new Error(`in on: unknown event "${type}"`);
    if (type === 'documentchange' && dynamic && !doc.allPagesLoaded) {
      throw new Error('in on: Cannot register documentchange with documentAccess: dynamic-page before figma.loadAllPagesAsync()');
    }
  };
  const wrapped = new Map<(...a: never[]) => unknown, () => void>();

  // Defaults are written to the state directly: injected faults must not fire inside create*().
  const create = <T extends FScene>(type: Parameters<FakeDoc['create']>[0], name: string, init?: (n: T) => void): T => {
    const n = doc.create(type, name) as T;
    init?.(n);
    return n;
  };
  const paints = (v: unknown) => validatePaints(doc, v, 'fills');
  const grey = [{ type: 'SOLID', color: { r: 217 / 255, g: 217 / 255, b: 217 / 255 } }] as unknown as Paint[];
  const white = [{ type: 'SOLID', color: { r: 1, g: 1, b: 1 } }] as unknown as Paint[];

  const api = {
    apiVersion: '1.0.0',
    editorType: 'figma',
    mode: 'default',
    pluginId: FAKE_PLUGIN_ID,
    command: options.command ?? '',
    mixed: Symbol('figma.mixed'),
    get root() {
      return doc.root;
    },
    get currentPage() {
      return doc.currentPage;
    },
    set currentPage(p: FPage) {
      if (dynamic) throw new Error('Setting figma.currentPage is not supported with documentAccess: dynamic-page. Use figma.setCurrentPageAsync instead.');
      doc.currentPage = p;
      doc.emitLater('currentpagechange');
    },
    async setCurrentPageAsync(p: FPage) {
      await p.loadAsync();
      doc.currentPage = p;
      doc.emitLater('currentpagechange');
    },
    ui: figmaUi,
    clientStorage: storage,
    viewport: {
      center: { x: 0, y: 0 },
      zoom: 1,
      scrollAndZoomIntoView(_nodes: readonly FNode[]) {},
    },
    showUI(html: string, opts?: ShowUIOptions) {
      if (typeof html !== 'string') throw new Error('in showUI: html must be a string');
      if (opts && ((opts.width !== undefined && !(opts.width > 0)) || (opts.height !== undefined && !(opts.height > 0)))) {
        throw new Error('in showUI: width and height must be positive');
      }
      showUICalls.push({ html, options: opts });
      uiShown = true;
    },
    closePlugin(message?: string) {
      closed = { message };
      uiShown = false;
    },
    notify(message: string, opts?: NotificationOptions): NotificationHandler {
      if (typeof message !== 'string') throw new Error('in notify: message must be a string');
      notifications.push({ message, options: opts });
      return { cancel() {} };
    },
    on(type: string, cb: () => void) {
      checkEvent(type);
      const w = () => cb();
      wrapped.set(cb, w);
      doc.on(type, w);
    },
    once(type: string, cb: () => void) {
      checkEvent(type);
      const w = () => {
        doc.off(type, w);
        cb();
      };
      doc.on(type, w);
    },
    off(type: string, cb: () => void) {
      const w = wrapped.get(cb);
      if (w) doc.off(type, w);
    },
    commitUndo() {
      doc.commitUndo();
    },
    triggerUndo() {
      doc.triggerUndo();
    },
    createRectangle(): FRectangle {
      if (doc.fault('createRectangle')) throw new Error('in createRectangle: injected fault');
      return create<FRectangle>('RECTANGLE', 'Rectangle', (n) => (n.s.fills = paints(grey)));
    },
    createEllipse(): FEllipse {
      return create<FEllipse>('ELLIPSE', 'Ellipse', (n) => (n.s.fills = paints(grey)));
    },
    createVector(): FVector {
      if (doc.fault('createVector')) throw new Error('in createVector: injected fault');
      return create<FVector>('VECTOR', 'Vector', (n) => {
        n.s.width = 0;
        n.s.height = 0;
        n.s.strokes = paints([{ type: 'SOLID', color: { r: 0, g: 0, b: 0 } }]);
      });
    },
    createFrame(): FFrame {
      return create<FFrame>('FRAME', 'Frame', (n) => {
        n.s.fills = paints(white);
        n.s.clipsContent = true;
      });
    },
    createComponent(): FFrame {
      return create<FFrame>('COMPONENT', 'Component', (n) => {
        n.s.fills = paints(white);
        n.s.clipsContent = true;
      });
    },
    createText(): FText {
      return create<FText>('TEXT', 'Text', (n) => (n.s.fills = paints([{ type: 'SOLID', color: { r: 0, g: 0, b: 0 } }])));
    },
    createImage(bytes: Uint8Array): Image {
      if (doc.fault('createImage')) throw new Error('in createImage: injected fault');
      const img = doc.images.add(bytes);
      return imageHandle(doc, img.hash);
    },
    getImageByHash(hash: string): Image | null {
      return doc.images.has(hash) ? imageHandle(doc, hash) : null;
    },
    group(nodes: readonly FNode[], parent: FNode, index?: number): FGroup {
      return doc.group(nodes, parent, index);
    },
    getNodeById(id: string) {
      if (dynamic) throw new Error('in getNodeById: Cannot call with documentAccess: dynamic-page. Use figma.getNodeByIdAsync instead.');
      return lookup(id);
    },
    async getNodeByIdAsync(id: string) {
      await Promise.resolve();
      return lookup(id);
    },
    async loadAllPagesAsync() {
      await Promise.resolve();
      for (const id of doc.root.s.children) doc.node(id).s.loaded = true;
      doc.allPagesLoaded = true;
    },
  };

  function lookup(id: string): FNode | null {
    const n = doc.nodes.get(id);
    return n && !n.removed ? n : null;
  }

  const fake: FakeFigma = {
    figma: api as unknown as PluginAPI,
    doc,
    ui,
    storage,
    notifications,
    showUICalls,
    uiResizes,
    get closed() {
      return closed;
    },
    get page() {
      return doc.currentPage;
    },
    addPage: (name) => doc.addPage(name),
    baseline: () => doc.baseline(),
    get undoSteps() {
      return doc.commitCount;
    },
    undo: () => doc.triggerUndo(),
    injectFault: (op, message) => doc.injectFault(op, message),
    dump: () => doc.dump(),
    install(html = '<html><body>Cutout UI</body></html>') {
      const g = globalThis as Record<string, unknown>;
      const prev = { figma: g.figma, html: g.__html__ };
      g.figma = api;
      g.__html__ = html;
      return () => {
        g.figma = prev.figma;
        g.__html__ = prev.html;
      };
    },
    async flush(turns = 5) {
      for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 0));
    },
  };
  return fake;
}

function imageHandle(doc: FakeDoc, hash: string): Image {
  return {
    hash,
    async getBytesAsync() {
      await Promise.resolve();
      return doc.images.get(hash)!.bytes.slice();
    },
    async getSizeAsync() {
      await Promise.resolve();
      const img = doc.images.get(hash)!;
      return { width: img.width, height: img.height };
    },
  } as Image;
}
