/**
 * The Penpot e2e host page's script (bundled by esbuild into a browser IIFE): it plays Penpot.
 *
 * `__e2e.start(config)` loads the plugin the way Penpot does: it fetches the manifest, creates
 * the Penpot fake (test/penpot/fake) with the manifest's host and permissions and the document
 * of config.page, seeds penpot.localStorage, then fetches the REAL plugin code (manifest.code
 * resolved against manifest.host) and evaluates it with only what Penpot's SES compartment
 * offers: `penpot` and PLUGIN_SANDBOX_GLOBALS (plus the JavaScript intrinsics); every other
 * global of this page (window, document, TextEncoder, URL, …) is shadowed as undefined, and the
 * code runs in strict mode, as compartments do.
 *
 * When the plugin calls penpot.ui.open(name, url, options), a modal gets an
 * `<iframe sandbox="allow-scripts">` (NO allow-same-origin: an opaque origin) whose src is
 * what Penpot builds — `new URL(url, manifest.host)` plus ?theme= when absent (the fake's
 * modal.src) — and messages travel WITHOUT an envelope, as in Penpot:
 *   plugin penpot.ui.sendMessage(m)  → iframe.contentWindow.postMessage(m, '*')
 *   iframe parent.postMessage(m, '*') → Penpot's window listener → the plugin's ui.onMessage callbacks
 * The rest of `__e2e` lets the Node test read the document (plain JSON), change the selection,
 * undo, inject a fault into the next call of a `penpot` method, and paint the fake's rendering
 * of the page next to the modal for screenshots.
 */
import type { Penpot } from '@penpot/plugin-types';
import { encodePng } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import {
  board,
  colorShape,
  createFakePenpot,
  exportBounds,
  type ExportLogEntry,
  type FakeDoc,
  type FakePenpot,
  group,
  imageShape,
  localToPage,
  PLUGIN_SANDBOX_GLOBALS,
  renderRgba,
  SES_INTRINSICS,
  ROOT_ID,
  serializePath,
  type ShapeState,
} from '../penpot/fake/index.js';
import type { Shape } from '@penpot/plugin-types';
import { base64, type Box, bridgeEntry, fromIframe, isolate, paintPanels, renderAnswer, uiIframe, unionBox } from './browser-common.js';
import type { PenpotBridgeEntry, PenpotItem, PenpotNodeInfo, PenpotPageSpec, PenpotStartConfig, PenpotStarted, PenpotState } from './penpot-harness.js';
import { renderImage } from './scenes.js';

interface Session {
  fake: FakePenpot;
  ids: Record<string, string>;
  log: PenpotBridgeEntry[];
  iframe?: HTMLIFrameElement;
  faults: Map<string, string>;
  /** The pixels of every `image` message the plugin sent (PNG or JPEG bytes, base64), by requestId. */
  images: Map<number, string>;
  error?: string;
  shadowed: number;
}

let session: Session | undefined;

/** Every global name of this page the plugin cannot see (counted for the report). */
function shadowedGlobals(): string[] {
  const allowed = new Set([...PLUGIN_SANDBOX_GLOBALS, ...SES_INTRINSICS]);
  const names = new Set<string>();
  for (let o: object | null = window; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const k of Object.getOwnPropertyNames(o)) names.add(k);
  }
  return [...names].filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && !allowed.has(k));
}

/**
 * Evaluates `code` as Penpot's SES compartment would (test/penpot/fake/sandbox.ts): strict
 * mode, `penpot` and the endowments visible, every other page global undefined, `globalThis`
 * the compartment's own global; closing the plugin clears its timers and deletes the endowments.
 */
function evaluateInSandbox(fake: FakePenpot, code: string, penpot: unknown): number {
  // Penpot's fetch wrapper sends no credentials.
  const fetchNoCredentials = (input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, credentials: 'omit' });
  fake.evaluatePlugin(`${code}\n//# sourceURL=penpot-plugin.js`, { penpot, fetch: fetchNoCredentials });
  return shadowedGlobals().length;
}

function buildPage(fake: FakePenpot, spec: PenpotPageSpec, ids: Record<string, string>): void {
  const byName = new Map<string, Shape>();
  const groups = new Map<string, { parent?: string; members: Shape[] }>();
  const parentOf = (name?: string): Shape | undefined => {
    if (!name) return undefined;
    const g = groups.get(name);
    if (g) return parentOf(g.parent);
    const p = byName.get(name);
    if (!p) throw new Error(`penpot e2e scene: parent ${name} is not built yet`);
    return p;
  };
  const box = (item: PenpotItem) => ({
    x: item.x ?? 0,
    y: item.y ?? 0,
    width: item.width ?? 100,
    height: item.height ?? 100,
    rotation: item.rotation,
    flipX: item.flipX,
    name: item.name,
    parent: parentOf(item.parent),
    hidden: item.hidden,
  });
  for (const item of spec.items) {
    if (item.kind === 'group') {
      groups.set(item.name, { parent: item.parent, members: [] });
      continue;
    }
    let shape: Shape;
    if (item.kind === 'board') {
      shape = board(fake, { ...box(item), color: item.color ?? null, clipContent: false, flex: !!item.flex });
      if (item.flex) {
        const s = fake.doc.get(shape.id);
        const p = item.flex.padding;
        s.flex = { ...s.flex!, padding: [p, p, p, p], columnGap: item.flex.gap, rowGap: item.flex.gap };
        fake.doc.relayout();
      }
    } else if (item.kind === 'rect') {
      shape = colorShape(fake, { ...box(item), color: item.color });
    } else {
      shape = imageShape(fake, { ...box(item), bytes: encodePng(renderImage(item.image!), { level: 1 }), keepAspectRatio: item.keepAspectRatio });
    }
    if (item.locked) fake.doc.get(shape.id).blocked = true;
    groups.get(item.parent ?? '')?.members.push(shape);
    byName.set(item.name, shape);
    ids[item.name] = shape.id;
  }
  for (const [name, g] of groups) ids[name] = group(fake, g.members, { name }).id;
  fake.doc.relayout();
}

/** The order `parent` paints its children in (bottom first), by Penpot's rule for layout boards. */
function paintOrder(doc: FakeDoc, parent: ShapeState): string[] {
  if (!parent.flex) return [...parent.children];
  // ctl/sort-layout-children-z-index: z-index ascending, then (not reverse) the HIGHER :shapes index first.
  const reverse = parent.flex.dir.endsWith('reverse');
  return parent.children
    .map((id, i) => ({ id, i, z: doc.get(id).layoutZIndex }))
    .sort((a, b) => a.z - b.z || (reverse ? a.i - b.i : b.i - a.i))
    .map((e) => e.id);
}

function info(fake: FakePenpot, s: ShapeState): PenpotNodeInfo {
  const doc = fake.doc;
  const parent = s.parentId ? doc.get(s.parentId) : null;
  const g = doc.geom(s);
  const proxy = fake.shape(s.id);
  return {
    id: s.id,
    type: s.type,
    name: s.name,
    parent: parent ? parent.id : null,
    index: parent ? parent.children.indexOf(s.id) : -1,
    paintIndex: parent ? paintOrder(doc, parent).indexOf(s.id) : -1,
    parentHasLayout: !!parent?.flex,
    hidden: s.hidden,
    blocked: s.blocked,
    width: g.w,
    height: g.h,
    transform: localToPage(g),
    reported: { x: proxy.x, y: proxy.y, rotation: proxy.rotation, flipX: proxy.flipX, flipY: proxy.flipY },
    fills: structuredClone(s.fills) as PenpotNodeInfo['fills'],
    strokes: structuredClone(s.strokes),
    masked: s.masked,
    ...(s.content ? { d: serializePath(s.content) } : {}),
    children: [...s.children],
    pluginData: { ...s.pluginData },
    layoutAbsolute: s.layoutAbsolute,
    layoutZIndex: s.layoutZIndex,
    state: JSON.stringify(s),
  };
}

function current(): Session {
  if (!session) throw new Error('penpot e2e: call __e2e.start first');
  return session;
}

/** The page with only `keep` (and their subtrees) visible and their ancestors' fills off, over `box` at width × height. */
function renderPage(doc: FakeDoc, box: Box, w: number, h: number, keep?: string[]): RgbaImage {
  const draw = () => renderRgba(doc, doc.root, box, w, h).rgba;
  if (!keep) return draw();
  const keepSet = new Set<string>();
  const ancestors = new Set<string>();
  for (const id of keep) {
    const s = doc.get(id);
    keepSet.add(id);
    for (const d of doc.descendants(s)) keepSet.add(d.id);
    for (const a of doc.ancestors(s)) ancestors.add(a.id);
  }
  const states = [...doc.shapes.values()].filter((s) => s.id !== ROOT_ID).map((s) => [s.id, s] as const);
  const hide = (s: ShapeState) => {
    const hidden = s.hidden;
    s.hidden = true;
    return () => (s.hidden = hidden);
  };
  return isolate(states, keepSet, ancestors, hide, draw);
}

const api = {
  async start(config: PenpotStartConfig): Promise<PenpotStarted> {
    // Penpot installs a plugin from its manifest URL.
    const manifest = (await (await fetch(config.manifestUrl)).json()) as { host: string; code: string; permissions: string[]; name: string };
    const fake = createFakePenpot({
      // Penpot keeps the manifest URL's origin as the plugin's host, whatever the manifest says.
      manifestUrl: config.manifestUrl,
      permissions: manifest.permissions as never,
      theme: config.theme,
      window: { width: 1440, height: 900 },
    });
    const ids: Record<string, string> = {};
    fake.doc.pageName = config.page.name;
    buildPage(fake, config.page, ids);
    for (const [k, v] of Object.entries(config.localStorage)) fake.penpot.localStorage.setItem(k, v);
    fake.select(config.select.map((n) => ids[n]!));
    await fake.flush();
    fake.resetHistory();

    const log: PenpotBridgeEntry[] = [];
    const s: Session = { fake, ids, log, faults: new Map(), images: new Map(), shadowed: 0 };
    session = s;
    const real = fake.penpot as unknown as Record<string, unknown>;
    const realUi = real.ui as Penpot['ui'];

    // The modal: Penpot's plugin window with the UI iframe, sized like the modal.
    const openIframe = () => {
      const modal = fake.modal!;
      s.iframe?.remove();
      document.getElementById('modal-title')!.textContent = modal.name;
      document.getElementById('modal')!.style.display = 'flex';
      s.iframe = uiIframe({ title: modal.name, width: modal.width, height: modal.height, src: modal.src });
      log.push({ t: performance.now(), dir: 'host', type: 'ui.open' });
    };
    const ui = Object.freeze({
      open(name: string, url: string, options?: { width: number; height: number }) {
        const before = fake.modal;
        realUi.open(name, url, options);
        if (fake.modal && fake.modal !== before) openIframe();
      },
      get size() {
        return realUi.size;
      },
      resize(width: number, height: number) {
        realUi.resize(width, height);
        if (s.iframe && fake.modal) {
          s.iframe.width = String(fake.modal.width);
          s.iframe.height = String(fake.modal.height);
        }
      },
      sendMessage: (m: unknown) => realUi.sendMessage(m),
      onMessage: (cb: (m: unknown) => void) => realUi.onMessage(cb),
    });
    // What the plugin sees as `penpot`: the fake's object, with the modal wired to the page and
    // one-shot faults (`__e2e.fault`) on its methods.
    const penpot = new Proxy(Object.create(null) as object, {
      get(_t, key) {
        if (key === 'ui') return ui;
        if (key === 'closePlugin') {
          return () => {
            (real.closePlugin as () => void)();
            s.iframe?.remove();
            s.iframe = undefined;
            document.getElementById('modal')!.style.display = 'none';
            log.push({ t: performance.now(), dir: 'host', type: 'closePlugin' });
          };
        }
        const v = Reflect.get(real, key, real);
        if (typeof key === 'string' && s.faults.has(key) && typeof v === 'function') {
          return (...args: unknown[]) => {
            const message = s.faults.get(key)!;
            s.faults.delete(key);
            const err = new Error(message);
            if (key === 'uploadMediaData') return Promise.reject(err);
            throw err;
          };
        }
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(real) : v;
      },
      set(_t, key, value) {
        return Reflect.set(real, key, value, real);
      },
      has: (_t, key) => key in real,
      ownKeys: () => Reflect.ownKeys(real),
      getOwnPropertyDescriptor(_t, key) {
        const d = Reflect.getOwnPropertyDescriptor(real, key);
        return d ? { ...d, configurable: true } : undefined;
      },
    });

    // The bridge, without an envelope either way.
    // The log keeps what the plugin said of its sources (SourceInfo: origin, pixel size, note) and
    // the bytes of every `image` message: the pixels the UI worked on.
    fake.ui.attach((m) => {
      const msg = m as { type?: string; message?: string; requestId?: number; source?: unknown; sources?: unknown; bytes?: Uint8Array } | null;
      const extra: Partial<PenpotBridgeEntry> = {};
      if (msg?.type === 'notice') extra.message = String(msg.message);
      if (msg?.type === 'image') {
        extra.source = structuredClone(msg.source) as PenpotBridgeEntry['source'];
        if (msg.bytes instanceof Uint8Array && msg.requestId !== undefined) s.images.set(msg.requestId, base64(msg.bytes));
      }
      if (msg?.type === 'selection' || msg?.type === 'batch-items') extra.sources = structuredClone(msg.sources) as PenpotBridgeEntry['sources'];
      log.push({ ...bridgeEntry('to-ui', m), ...extra });
      s.iframe?.contentWindow?.postMessage(m, '*');
    });
    fromIframe(
      () => (session === s ? s.iframe : undefined),
      (data) => {
        log.push(bridgeEntry('to-plugin', data));
        fake.ui.send(data);
      },
    );

    const code = await (await fetch(new URL(manifest.code, new URL(config.manifestUrl).origin))).text();
    try {
      s.shadowed = evaluateInSandbox(fake, code, penpot);
      log.push({ t: performance.now(), dir: 'load', type: 'plugin.js' });
    } catch (err) {
      s.error = String((err as Error).stack ?? err);
      throw err;
    }
    // The plugin opens its window once it has read the size the user left it at (localStorage).
    for (let waited = 0; !fake.uiOpenCalls.length && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    const call = fake.uiOpenCalls[0];
    if (!call || !s.iframe) throw new Error('penpot e2e: the plugin did not call penpot.ui.open');
    return {
      ids,
      uiOpen: structuredClone(call),
      iframe: { sandbox: s.iframe.getAttribute('sandbox') ?? '', src: s.iframe.src, width: Number(s.iframe.width), height: Number(s.iframe.height) },
      shadowed: s.shadowed,
    };
  },

  /** What code evaluated like the plugin's sees: `typeof` of each name (and of globalThis.window, this). */
  sandboxProbe(names: string[]): Record<string, string> {
    let seen: Record<string, string> = {};
    const probe = { report: (r: Record<string, string>) => (seen = r) };
    createFakePenpot({ quiet: true }).evaluatePlugin(`penpot.report({ ${names.map((n) => `${JSON.stringify(n)}: typeof ${n}`).join(', ')}, 'globalThis.window': typeof globalThis.window, this: typeof this });`, { penpot: probe });
    return seen;
  },
  /** The user switches Penpot's theme: themechange fires ~10 ms later. */
  setTheme(theme: 'light' | 'dark'): void {
    current().fake.setTheme(theme);
  },
  node(id: string): PenpotNodeInfo | null {
    const s = current();
    return s.fake.doc.has(id) ? info(s.fake, s.fake.doc.get(id)) : null;
  },
  /** Shapes that are not in `known` (created since). */
  newNodes(known: string[]): PenpotNodeInfo[] {
    const s = current();
    const old = new Set(known);
    return [...s.fake.doc.shapes.values()].filter((x) => !old.has(x.id)).map((x) => info(s.fake, x));
  },
  allIds: () => [...current().fake.doc.shapes.keys()],
  /** The user selects shapes (by name or id): selectionchange fires ~10 ms later. */
  select(names: string[]): void {
    const s = current();
    s.fake.select(names.map((n) => s.ids[n] ?? n));
  },
  state(): PenpotState {
    const s = current();
    const f = s.fake;
    return {
      undoEntries: f.undoEntries.length,
      undoOps: f.undoEntries.map((e) => [...e.ops]),
      openBlocks: f.host.openBlocks,
      selection: [...f.doc.selection],
      closed: f.closed,
      modal: f.modal ? { width: f.modal.width, height: f.modal.height, src: f.modal.src } : null,
      validationErrors: [...f.validationErrors],
      consoleMessages: [...f.consoleMessages],
      ...(s.error ? { error: s.error } : {}),
    };
  },
  /** Every shape's complete state, in id order (JSON): equal dumps = the same document. */
  /** What the plugin keeps in penpot.localStorage under `key` (its own prefix), parsed. */
  stored(key: string): unknown {
    const f = current().fake;
    const raw = f.penpot.localStorage.getItem(`cutout.${key}`);
    return typeof raw === 'string' ? JSON.parse(raw) : undefined;
  },
  /** The plugin window's size (the modal, as penpot.ui.resize left it). */
  windowSize: () => {
    const m = current().fake.modal;
    return m ? { width: m.width, height: m.height } : null;
  },
  dump(): string {
    const doc = current().fake.doc;
    return JSON.stringify([...doc.shapes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  },
  /** The next call of `penpot[op]` throws (uploadMediaData: rejects) with `message`; one shot. */
  fault(op: string, message: string): void {
    current().faults.set(op, message);
  },
  /** Ctrl+Z. */
  undo(): string[] {
    return current().fake.undoLast().ops;
  },
  log: () => current().log,
  /** The bytes (base64) of the `image` message answering request `requestId`. */
  imageBase64(requestId: number): string | null {
    return current().images.get(requestId) ?? null;
  },
  /** Every shape.export the plugin made: the shape, scale, pixel size and the page-space box captured. */
  exports(): ExportLogEntry[] {
    return structuredClone(current().fake.exportLog);
  },
  /** The page-space box shape.export of `id` captures now (the fake's exporter). */
  exportBox(id: string): Box {
    const f = current().fake;
    const doc = f.docOf(id);
    return { ...exportBounds(doc, doc.get(id)) };
  },
  mediaBase64(id: string): string | null {
    const m = current().fake.doc.media.get(id);
    return m ? base64(m.bytes) : null;
  },
  /** The page over `box` at `scale` with only `keep` (and their subtrees) visible: raw RGBA, base64. */
  render(keep: string[], box: Box, scale: number): { width: number; height: number; rgba: string } {
    const doc = current().fake.doc;
    return renderAnswer(box, scale, (w, h) => renderPage(doc, box, w, h, keep));
  },
  /** Paints the page (selection outlined) into #doc and the selected shapes alone into #sel. */
  paint(): void {
    const f = current().fake;
    const doc = f.doc;
    const selected = doc.selection.filter((id) => doc.has(id)).map((id) => doc.get(id));
    paintPanels({
      pageBox: unionBox(doc.root.children.map((id) => doc.bounds(doc.get(id))), 24),
      selected: selected.map((s) => ({ id: s.id, name: s.name, box: doc.bounds(s), outline: doc.points(s) })),
      render: (box, w, h, keep) => renderPage(doc, box, w, h, keep),
      // Selection outlines in Penpot's purple.
      colour: '#7e57c2',
      docLabel: (scale) => `Penpot fake · page “${doc.pageName}” at ${Math.round(scale * 100)}% · ${selected.length} selected · ${f.undoEntries.length} undo entr${f.undoEntries.length === 1 ? 'y' : 'ies'}`,
      noun: 'shape',
    });
  },
};

export type PenpotE2EApi = typeof api;

(window as unknown as { __e2e: PenpotE2EApi }).__e2e = api;
