/**
 * The e2e host page's script (bundled by esbuild into a browser IIFE): it plays Figma.
 *
 * `__e2e.start(config)` creates the fake `figma` global (test/figma/fake) with the document of
 * scenes.ts, seeds clientStorage, sets `figma.command` and `__html__`, then evaluates the REAL
 * dist/code.js text. When the plugin calls figma.showUI, an `<iframe sandbox="allow-scripts">`
 * (a null origin, as in Figma) loads the real dist/ui.html from this server, and the bridge is
 * wired exactly like Figma's:
 *   iframe `parent.postMessage({ pluginMessage: v }, '*')` → figma.ui.onmessage(v)
 *   figma.ui.postMessage(v) → the iframe receives a MessageEvent with data { pluginMessage: v }
 * The rest of `__e2e` lets the Node test read the document (plain JSON), drive the selection,
 * undo, and paint the fake's rendering of the page next to the UI for screenshots.
 */
import { encodePng } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import { createFakeFigma, type FakeFigma, type FaultOp, type FFrame, type FGroup, type FNode, type FPage, type FScene, imageLayer, transformOf } from '../figma/fake/index.js';
import { renderToRgba } from '../figma/fake/render.js';
import { type PageSpec, PRODUCTS_PAGE, renderImage, SHOTS_PAGE, type RGB } from './scenes.js';

import { type BridgeEntry, HTML_MARKER, type NodeInfo, type StartConfig } from './shared.js';

type Container = FNode & { appendChild(n: FScene): void; children: readonly FScene[] };

interface Session {
  fake: FakeFigma;
  ids: Record<string, string>;
  log: BridgeEntry[];
  iframe?: HTMLIFrameElement;
  error?: string;
}

let session: Session | undefined;

const solid = (c: RGB): Paint => ({ type: 'SOLID', color: { r: c[0] / 255, g: c[1] / 255, b: c[2] / 255 } }) as Paint;

function buildPage(fake: FakeFigma, page: FPage, spec: PageSpec, ids: Record<string, string>): void {
  const f = fake.figma;
  const byName = new Map<string, FNode>();
  const groups = new Map<string, { parent: Container; members: FScene[] }>();
  const parentOf = (name?: string): Container => {
    if (!name) return page as unknown as Container;
    const g = groups.get(name);
    if (g) return g.parent;
    const p = byName.get(name);
    if (!p) throw new Error(`e2e scene: parent ${name} is not built yet`);
    return p as unknown as Container;
  };
  const place = (n: FScene, parent: string | undefined) => {
    parentOf(parent).appendChild(n);
    groups.get(parent ?? '')?.members.push(n);
  };
  for (const item of spec.items) {
    if (item.type === 'frame' && item.kind === 'group') {
      groups.set(item.name, { parent: parentOf(item.parent), members: [] });
      continue;
    }
    let node: FScene;
    if (item.type === 'frame') {
      const fr = f.createFrame() as unknown as FFrame;
      place(fr as unknown as FScene, item.parent);
      fr.name = item.name;
      fr.resize(item.width ?? 100, item.height ?? 100);
      fr.relativeTransform = transformOf(item.x ?? 0, item.y ?? 0, item.rotation ?? 0);
      fr.clipsContent = false;
      fr.fills = item.fill ? [solid(item.fill)] : [];
      if (item.layout) {
        fr.layoutMode = item.layout.mode;
        fr.paddingLeft = fr.paddingRight = fr.paddingTop = fr.paddingBottom = item.layout.padding;
        fr.itemSpacing = item.layout.spacing;
      }
      node = fr as unknown as FScene;
    } else if (item.type === 'rect') {
      const r = f.createRectangle() as unknown as FScene & { fills: readonly Paint[] };
      place(r, item.parent);
      r.name = item.name;
      r.resize(item.width, item.height);
      r.relativeTransform = transformOf(item.x, item.y);
      r.fills = [solid(item.fill)];
      node = r;
    } else {
      const n = imageLayer(fake, {
        bytes: encodePng(renderImage(item.image), { level: 1 }),
        name: item.name,
        width: item.width,
        height: item.height,
        x: item.x,
        y: item.y,
        rotation: item.rotation,
        flipX: item.flipX,
      }) as unknown as FScene;
      place(n, item.parent);
      // imageLayer set the transform before the move; set it again in the new parent's space.
      n.relativeTransform = transformOf(item.x, item.y, item.rotation ?? 0, item.flipX ?? false, item.width);
      if (item.locked) n.locked = true;
      node = n;
    }
    byName.set(item.name, node);
    ids[item.name] = node.id;
  }
  for (const [name, g] of groups) {
    const group = f.group(g.members as unknown as SceneNode[], g.parent as unknown as BaseNode & ChildrenMixin) as unknown as FGroup;
    group.name = name;
    ids[name] = group.id;
  }
}

function info(n: FNode): NodeInfo {
  const any = n as unknown as Record<string, unknown> & FScene;
  const parent = n.parent as (FNode & { children: readonly FNode[] }) | null;
  const children = 'children' in n ? (n as unknown as { children: readonly FNode[] }).children.map((c) => c.id) : [];
  return {
    id: n.id,
    type: n.type,
    name: n.name,
    parent: parent ? parent.id : null,
    index: parent ? parent.children.indexOf(n) : -1,
    visible: any.visible,
    locked: any.locked,
    width: any.width,
    height: any.height,
    relativeTransform: any.relativeTransform,
    absoluteTransform: any.absoluteTransform,
    fills: 'fills' in n ? structuredClone((n as unknown as { fills: unknown[] }).fills) : [],
    isMask: any.isMask,
    ...(n.type === 'VECTOR' ? { vectorPaths: structuredClone((n as unknown as { vectorPaths: NodeInfo['vectorPaths'] }).vectorPaths) } : {}),
    children,
    pluginSource: n.getPluginData('source'),
    relaunch: n.getRelaunchData(),
    layoutPositioning: any.layoutPositioning,
    state: JSON.stringify(n.s),
  };
}

function current(): Session {
  if (!session) throw new Error('e2e: call __e2e.start first');
  return session;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The nodes outside `keep` (and their ancestors and descendants) hidden, ancestors' fills off, while `run` renders. */
function isolate<T>(fake: FakeFigma, keep: string[], run: () => T): T {
  const doc = fake.doc;
  const keepSet = new Set<string>();
  const ancestors = new Set<string>();
  for (const id of keep) {
    const walk = (n: FNode) => {
      keepSet.add(n.id);
      for (const c of n.s.children) walk(doc.node(c));
    };
    walk(doc.node(id));
    for (let p = doc.node(id).parent; p; p = p.parent) ancestors.add(p.id);
  }
  const saved: Array<() => void> = [];
  for (const n of doc.nodes.values()) {
    if (n.removed || keepSet.has(n.id) || n.type === 'PAGE' || n.type === 'DOCUMENT') continue;
    const s = n.s;
    if (ancestors.has(n.id)) {
      const fills = s.fills;
      s.fills = [];
      saved.push(() => (s.fills = fills));
    } else {
      const v = s.visible;
      s.visible = false;
      saved.push(() => (s.visible = v));
    }
  }
  try {
    return run();
  } finally {
    for (const r of saved.reverse()) r();
  }
}

function pageBounds(fake: FakeFigma, nodes: readonly FScene[], pad: number): { x: number; y: number; width: number; height: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const c of nodes) {
    const b = c.absoluteBoundingBox;
    if (!b) continue;
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  if (!Number.isFinite(x0)) return { x: 0, y: 0, width: 100, height: 100 };
  return { x: x0 - pad, y: y0 - pad, width: x1 - x0 + 2 * pad, height: y1 - y0 + 2 * pad };
}

/** Renders `box` of the current page (only `keep` when given) to fit `canvas`; outlines `outline`. Returns the scale. */
function drawRender(canvas: HTMLCanvasElement, fake: FakeFigma, box: { x: number; y: number; width: number; height: number }, keep: string[] | undefined, outline: readonly FScene[]): number {
  const scale = Math.min(canvas.width / box.width, canvas.height / box.height);
  const w = Math.max(1, Math.round(box.width * scale));
  const h = Math.max(1, Math.round(box.height * scale));
  const draw = () => renderToRgba(fake.doc, fake.page as unknown as FNode, box, w, h);
  const img: RgbaImage = keep ? isolate(fake, keep, draw) : draw();
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  // A checkerboard under the page shows transparency (cutouts) as an editor does.
  const checker = document.createElement('canvas');
  checker.width = checker.height = 16;
  const cc = checker.getContext('2d')!;
  cc.fillStyle = '#f4f4f4';
  cc.fillRect(0, 0, 16, 16);
  cc.fillStyle = '#d8d8d8';
  cc.fillRect(0, 0, 8, 8);
  cc.fillRect(8, 8, 8, 8);
  const tmp = document.createElement('canvas');
  tmp.width = w;
  tmp.height = h;
  tmp.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), w, h), 0, 0);
  ctx.fillStyle = ctx.createPattern(checker, 'repeat')!;
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(tmp, 0, 0);
  ctx.strokeStyle = '#0d99ff';
  ctx.lineWidth = 2;
  for (const n of outline) {
    const t = n.absoluteTransform;
    const pts = [
      [0, 0],
      [n.width, 0],
      [n.width, n.height],
      [0, n.height],
    ].map(([x, y]) => [(t[0][0] * x! + t[0][1] * y! + t[0][2] - box.x) * scale, (t[1][0] * x! + t[1][1] * y! + t[1][2] - box.y) * scale]);
    ctx.beginPath();
    pts.forEach(([x, y], i) => (i ? ctx.lineTo(x!, y!) : ctx.moveTo(x!, y!)));
    ctx.closePath();
    ctx.stroke();
  }
  return scale;
}

const api = {
  async start(config: StartConfig): Promise<{ ids: Record<string, string>; showUI: { html: string; options?: ShowUIOptions } }> {
    const fake = createFakeFigma({ command: config.command });
    const ids: Record<string, string> = {};
    const shots = fake.page;
    shots.name = SHOTS_PAGE.name;
    buildPage(fake, shots, SHOTS_PAGE, ids);
    const products = fake.addPage(PRODUCTS_PAGE.name);
    products.s.loaded = true;
    fake.doc.currentPage = products;
    buildPage(fake, products, PRODUCTS_PAGE, ids);
    fake.doc.currentPage = config.page === 'Shots' ? shots : products;
    // dynamic-page: only the current page is loaded when a plugin starts.
    (config.page === 'Shots' ? products : shots).s.loaded = false;
    for (const [k, v] of Object.entries(config.storage)) await fake.storage.setAsync(k, v);
    fake.page.selection = config.select.map((name) => fake.doc.node(ids[name]!)) as FScene[];
    await fake.flush(); // the selectionchange of the setup is not the plugin's business
    fake.baseline();

    const log: BridgeEntry[] = [];
    const s: Session = { fake, ids, log };
    session = s;
    const figmaApi = fake.figma as unknown as Record<string, unknown> & { ui: Record<string, unknown> };

    // figma.showUI → the iframe; figma.ui.resize / closePlugin act on it like Figma does.
    const showUI = figmaApi.showUI as (html: string, o?: ShowUIOptions) => void;
    figmaApi.showUI = (html: string, o?: ShowUIOptions) => {
      showUI.call(figmaApi, html, o);
      const iframe = document.createElement('iframe');
      iframe.id = 'plugin-ui';
      iframe.setAttribute('sandbox', 'allow-scripts');
      iframe.title = (o?.title as string | undefined) ?? 'Plugin';
      iframe.width = String(o?.width ?? 300);
      iframe.height = String(o?.height ?? 200);
      iframe.src = `/ui.html${config.uiQuery ?? ''}`;
      document.getElementById('ui-slot')!.appendChild(iframe);
      s.iframe = iframe;
      log.push({ t: performance.now(), dir: 'host', type: 'showUI' });
    };
    const resize = figmaApi.ui.resize as (w: number, h: number) => void;
    figmaApi.ui.resize = (w: number, h: number) => {
      resize.call(figmaApi.ui, w, h);
      if (s.iframe) {
        s.iframe.width = String(w);
        s.iframe.height = String(h);
      }
    };
    const closePlugin = figmaApi.closePlugin as (m?: string) => void;
    figmaApi.closePlugin = (m?: string) => {
      closePlugin.call(figmaApi, m);
      s.iframe?.remove();
    };

    // The bridge.
    fake.ui.attach((m) => {
      const msg = m as { type?: string; requestId?: number };
      log.push({ t: performance.now(), dir: 'to-ui', type: String(msg.type), ...(msg.requestId !== undefined ? { requestId: msg.requestId } : {}) });
      s.iframe?.contentWindow?.postMessage({ pluginMessage: m }, '*');
    });
    window.addEventListener('message', (e: MessageEvent) => {
      if (session !== s || !s.iframe || e.source !== s.iframe.contentWindow) return;
      const data = e.data as { pluginMessage?: { type?: string; requestId?: number } } | null;
      if (!data || typeof data !== 'object' || !('pluginMessage' in data)) return;
      const msg = data.pluginMessage;
      log.push({ t: performance.now(), dir: 'to-plugin', type: String(msg?.type), ...(msg?.requestId !== undefined ? { requestId: msg.requestId } : {}) });
      fake.ui.send(msg);
    });

    fake.install(HTML_MARKER);
    const code = await (await fetch('/code.js')).text();
    try {
      (0, eval)(code);
    } catch (err) {
      s.error = String((err as Error).stack ?? err);
      throw err;
    }
    return { ids, showUI: structuredClone(fake.showUICalls[0]!) };
  },

  ids: () => current().ids,
  node: (id: string): NodeInfo | null => {
    const n = current().fake.doc.nodes.get(id);
    return n && !n.removed ? info(n) : null;
  },
  /** Nodes created after the baseline that are still in the document. */
  newNodes(known: string[]): NodeInfo[] {
    const old = new Set(known);
    const out: NodeInfo[] = [];
    for (const n of current().fake.doc.nodes.values()) if (!n.removed && !old.has(n.id) && n.type !== 'PAGE') out.push(info(n));
    return out;
  },
  allIds: () => [...current().fake.doc.nodes.values()].filter((n) => !n.removed).map((n) => n.id),
  select(names: string[]): void {
    const s = current();
    s.fake.page.selection = names.map((n) => s.fake.doc.node(s.ids[n] ?? n)) as FScene[];
  },
  state() {
    const s = current();
    return {
      undoSteps: s.fake.undoSteps,
      selection: s.fake.page.selection.map((n) => n.id),
      notifications: structuredClone(s.fake.notifications),
      closed: s.fake.closed,
      page: s.fake.page.name,
      error: s.error,
    };
  },
  dump: () => current().fake.dump(),
  /** The next call of `op` in the fake throws (one shot). */
  fault: (op: FaultOp, message?: string) => current().fake.injectFault(op, message),
  undo: () => current().fake.undo(),
  log: () => current().log,
  imageBase64(hash: string): string | null {
    const img = current().fake.doc.images.get(hash);
    return img ? base64(img.bytes) : null;
  },
  /** Renders the page over `box` at `scale` with only `keep` (and their subtrees) visible: raw RGBA, base64. */
  render(keep: string[], box: { x: number; y: number; width: number; height: number }, scale: number): { width: number; height: number; rgba: string } {
    const fake = current().fake;
    const w = Math.round(box.width * scale);
    const h = Math.round(box.height * scale);
    const img = isolate(fake, keep, () => renderToRgba(fake.doc, fake.page as unknown as FNode, box, w, h));
    return { width: w, height: h, rgba: base64(img.data) };
  },
  /**
   * Paints the fake's rendering of the current page (selection outlined) into the page's #doc
   * canvas, and the selected layers alone (over a checkerboard: transparency) into #sel.
   */
  paint(): void {
    const fake = current().fake;
    const selected = fake.page.selection as unknown as FScene[];
    const box = pageBounds(fake, fake.page.children as unknown as FScene[], 24);
    const scale = drawRender(document.getElementById('doc') as HTMLCanvasElement, fake, box, undefined, selected);
    const label = document.getElementById('doc-label');
    if (label) label.textContent = `Figma fake · page “${fake.page.name}” at ${Math.round(scale * 100)}% · ${selected.length} selected · ${fake.undoSteps} commitUndo call(s)`;
    const sel = document.getElementById('sel') as HTMLCanvasElement;
    const selLabel = document.getElementById('sel-label');
    if (!selected.length) {
      sel.getContext('2d')!.clearRect(0, 0, sel.width, sel.height);
      if (selLabel) selLabel.textContent = '';
      return;
    }
    const selBox = pageBounds(fake, selected, 8);
    const k = drawRender(sel, fake, selBox, selected.map((n) => n.id), []);
    if (selLabel) selLabel.textContent = `The selected layer${selected.length > 1 ? 's' : ''} alone (${selected.map((n) => n.name).join(', ')}) at ${Math.round(k * 100)}%`;
  },
};

declare global {
  interface Window {
    __e2e: typeof api;
  }
}

window.__e2e = api;
