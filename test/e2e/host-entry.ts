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
import { COLLAGE_PAGE, type PageSpec, PRODUCTS_PAGE, renderImage, SHOTS_PAGE, type RGB } from './scenes.js';

import { base64, type Box, bridgeEntry, fromIframe, isolate, paintPanels, renderAnswer, uiIframe, unionBox } from './browser-common.js';
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

/** The page with only `keep` (and their subtrees) visible and their ancestors' fills off, over `box` at width × height. */
function renderPage(fake: FakeFigma, box: Box, w: number, h: number, keep?: string[]): RgbaImage {
  const draw = () => renderToRgba(fake.doc, fake.page as unknown as FNode, box, w, h);
  if (!keep) return draw();
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
  const states = [...doc.nodes.values()].filter((n) => !n.removed && n.type !== 'PAGE' && n.type !== 'DOCUMENT').map((n) => [n.id, n.s] as const);
  const hide = (s: FNode['s']) => {
    const v = s.visible;
    s.visible = false;
    return () => (s.visible = v);
  };
  return isolate(states, keepSet, ancestors, hide, draw);
}

/** A node's box corners on the page (for the selection outline). */
function outline(n: FScene): Array<[number, number]> {
  const t = n.absoluteTransform;
  return [
    [0, 0],
    [n.width, 0],
    [n.width, n.height],
    [0, n.height],
  ].map(([x, y]) => [t[0][0] * x! + t[0][1] * y! + t[0][2], t[1][0] * x! + t[1][1] * y! + t[1][2]]);
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
    const collage = fake.addPage(COLLAGE_PAGE.name);
    collage.s.loaded = true;
    fake.doc.currentPage = collage;
    buildPage(fake, collage, COLLAGE_PAGE, ids);
    const pages = { Shots: shots, Products: products, Collage: collage };
    fake.doc.currentPage = pages[config.page];
    // dynamic-page: only the current page is loaded when a plugin starts.
    for (const p of Object.values(pages)) if (p !== pages[config.page]) p.s.loaded = false;
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
      s.iframe = uiIframe({ title: (o?.title as string | undefined) ?? 'Plugin', width: o?.width ?? 300, height: o?.height ?? 200, src: `/ui.html${config.uiQuery ?? ''}` });
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

    // The bridge: Figma's { pluginMessage } envelope both ways.
    fake.ui.attach((m) => {
      log.push(bridgeEntry('to-ui', m));
      s.iframe?.contentWindow?.postMessage({ pluginMessage: m }, '*');
    });
    fromIframe(
      () => (session === s ? s.iframe : undefined),
      (data) => {
        if (!data || typeof data !== 'object' || !('pluginMessage' in data)) return;
        const msg = (data as { pluginMessage?: unknown }).pluginMessage;
        log.push(bridgeEntry('to-plugin', msg));
        fake.ui.send(msg);
      },
    );

    fake.install(HTML_MARKER);
    const code = await (await fetch('/code.js')).text();
    try {
      (0, eval)(code);
    } catch (err) {
      s.error = String((err as Error).stack ?? err);
      throw err;
    }
    // The plugin opens its window once it has read the size the user left it at (clientStorage).
    for (let waited = 0; !fake.showUICalls.length && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    return { ids, showUI: structuredClone(fake.showUICalls[0]!) };
  },

  /**
   * The plugin run again in the same document, as a relaunch button does: `command` (e.g.
   * 'edit') with `select` selected; the old window goes, the real code.js opens a new one.
   */
  async relaunch(command: string, select: string[]): Promise<void> {
    const s = current();
    s.iframe?.remove();
    s.iframe = undefined;
    (s.fake.figma as unknown as { command: string }).command = command;
    s.fake.page.selection = select.map((n) => s.fake.doc.node(s.ids[n] ?? n)) as FScene[];
    await s.fake.flush();
    const calls = s.fake.showUICalls.length;
    (0, eval)(await (await fetch('/code.js')).text());
    for (let waited = 0; s.fake.showUICalls.length === calls && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
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
  /** What the plugin keeps in clientStorage under `key`. */
  stored: (key: string) => current().fake.storage.getAsync(key),
  /** The plugin window's size (the iframe figma.ui.resize sizes). */
  windowSize: () => ({ width: Number(current().iframe?.width ?? 0), height: Number(current().iframe?.height ?? 0) }),
  /** The next call of `op` in the fake throws (one shot). */
  fault: (op: FaultOp, message?: string) => current().fake.injectFault(op, message),
  undo: () => current().fake.undo(),
  log: () => current().log,
  imageBase64(hash: string): string | null {
    const img = current().fake.doc.images.get(hash);
    return img ? base64(img.bytes) : null;
  },
  /** Renders the page over `box` at `scale` with only `keep` (and their subtrees) visible: raw RGBA, base64. */
  render(keep: string[], box: Box, scale: number): { width: number; height: number; rgba: string } {
    const fake = current().fake;
    return renderAnswer(box, scale, (w, h) => renderPage(fake, box, w, h, keep));
  },
  /**
   * Paints the fake's rendering of the current page (selection outlined) into the page's #doc
   * canvas, and the selected layers alone (over a checkerboard: transparency) into #sel.
   */
  paint(): void {
    const fake = current().fake;
    const selected = fake.page.selection as unknown as FScene[];
    paintPanels({
      pageBox: unionBox((fake.page.children as unknown as FScene[]).map((n) => n.absoluteBoundingBox), 24),
      selected: selected.map((n) => ({ id: n.id, name: n.name, box: n.absoluteBoundingBox, outline: outline(n) })),
      render: (box, w, h, keep) => renderPage(fake, box, w, h, keep),
      colour: '#0d99ff',
      docLabel: (scale) => `Figma fake · page “${fake.page.name}” at ${Math.round(scale * 100)}% · ${selected.length} selected · ${fake.undoSteps} commitUndo call(s)`,
      noun: 'layer',
    });
  },
};

declare global {
  interface Window {
    __e2e: typeof api;
  }
}

window.__e2e = api;
