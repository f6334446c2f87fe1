/**
 * Node side of the Penpot end-to-end harness: bundles penpot-host-entry.ts (the Penpot fake +
 * Penpot's plugin loading and message relay) for the browser, serves it with the REAL
 * dist/penpot/plugin.js and dist/penpot/ui.html, a manifest whose host is this server (what
 * `CUTOUT_PENPOT_HOST=<origin> npm run build` writes) and the analytic models, all on
 * 127.0.0.1; drives headless Chromium and reads the fake's document back.
 *
 * The scenes are data (PENPOT_SHOTS / PENPOT_PRODUCTS below): the browser builds the fake's
 * document from them (start config), and the Node side computes the ground truth from the same
 * ImageSpecs of scenes.ts. They mirror the Figma e2e's pages with Penpot's rules: positions
 * are page coordinates whatever the nesting (no transform is inherited), and a flex board must
 * not be rotated (Penpot lays out unrotated boards; the fake refuses the rest).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Frame, Page, Request } from 'playwright-core';
import type { RgbaImage } from '../../core/image/types.js';
import { penpotManifest } from '../../plugin/penpot/manifest.js';
import { type Mat, ap, inv, mul } from '../figma/fake/affine.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { launchChromium } from '../helpers/ui-harness.js';
import { ensureBuilt, type Pt } from './harness.js';
import { type ImageSpec, layerSpec, PHOTO, PRODUCTS_PAGE } from './scenes.js';

export type { Pt } from './harness.js';

export const VIEWPORT = { width: 1060, height: 720 };

// ---- the scenes ------------------------------------------------------------------------------

export interface PenpotItem {
  kind: 'board' | 'group' | 'image' | 'rect';
  name: string;
  /** Parent board or group, by name (absent: the page root). Groups are made from their members at the end. */
  parent?: string;
  /** The UNROTATED box in page coordinates (ignored for flex children: the layout places them). */
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  /** Degrees, clockwise, about the box's centre. */
  rotation?: number;
  flipX?: boolean;
  /** Fill colour (boards: none when absent). */
  color?: string;
  /** A flex board (row, no wrap, align start). */
  flex?: { padding: number; gap: number };
  image?: ImageSpec;
  /** The image fill's keepAspectRatio: cover (true) or stretch (absent / false). */
  keepAspectRatio?: boolean;
  locked?: boolean;
  hidden?: boolean;
}

export interface PenpotPageSpec {
  name: string;
  items: PenpotItem[];
}

/** The interactive scenarios (Figma's "Shots" page, with Penpot's rules). */
export const PENPOT_SHOTS: PenpotPageSpec = {
  name: 'Shots',
  items: [
    { kind: 'board', name: 'Card', x: 80, y: 520, width: 760, height: 460, rotation: 6, color: '#f6f6f6' },
    { kind: 'board', name: 'Panel', parent: 'Card', x: 110, y: 570, width: 700, height: 380 },
    { kind: 'board', name: 'Row', parent: 'Panel', x: 130, y: 590, width: 660, height: 340, flex: { padding: 18, gap: 14 }, color: '#e4e8f0' },
    { kind: 'rect', name: 'Swatch', parent: 'Row', width: 120, height: 120, color: '#f0783c' },
    // Rotated inside the flex row: the layout places its bounds, the vector mask must follow its turn.
    { kind: 'image', name: 'Nested photo', image: PHOTO, parent: 'Row', width: 384, height: 288, rotation: -10 },
    { kind: 'image', name: 'Photo', image: PHOTO, x: 40, y: 40, width: 512, height: 384 },
    // Cover-fitted into a wider box (keepAspectRatio): the box shows image rows 72 … 312 only, so the
    // object (rows 64 … 320) overflows it and the cutout must be cropped (Penpot fills cannot crop).
    { kind: 'image', name: 'Tilted photo', image: PHOTO, x: 700, y: 200, width: 256, height: 120, rotation: 30, keepAspectRatio: true },
  ],
};

/** "Remove background" over product shots in nested boards (Figma's "Products" page + a hidden one). */
const product = (name: string) => layerSpec(PRODUCTS_PAGE, name).image;
export const PENPOT_PRODUCTS: PenpotPageSpec = {
  name: 'Products',
  items: [
    { kind: 'board', name: 'Catalog', x: 0, y: 0, width: 900, height: 760, color: '#f6f6f6' },
    { kind: 'board', name: 'Shelf', parent: 'Catalog', x: 40, y: 40, width: 600, height: 260, flex: { padding: 24, gap: 16 }, color: '#e8ecf2' },
    { kind: 'image', name: 'Bottle', image: product('Bottle'), parent: 'Shelf', width: 240, height: 180 },
    { kind: 'image', name: 'Shoe', image: product('Shoe'), parent: 'Shelf', width: 200, height: 200, keepAspectRatio: true },
    { kind: 'board', name: 'Inner', parent: 'Catalog', x: 60, y: 380, width: 460, height: 300, rotation: -12 },
    { kind: 'board', name: 'Deep', parent: 'Inner', x: 80, y: 400, width: 400, height: 260, rotation: -12, color: '#e2e2e2' },
    { kind: 'image', name: 'Mug', image: product('Mug'), parent: 'Deep', x: 150, y: 440, width: 200, height: 150, rotation: 8 },
    { kind: 'group', name: 'Hero', parent: 'Catalog' },
    { kind: 'image', name: 'Lamp', image: product('Lamp'), parent: 'Hero', x: 660, y: 320, width: 150, height: 200, flipX: true },
    { kind: 'image', name: 'Chair', image: product('Chair'), x: 1000, y: 100, width: 200, height: 150 },
    { kind: 'image', name: 'Locked photo', image: product('Chair'), x: 1000, y: 400, width: 200, height: 150, locked: true },
    { kind: 'image', name: 'Hidden photo', image: product('Chair'), x: 1000, y: 600, width: 200, height: 150, hidden: true },
  ],
};

export function penpotLayer(page: PenpotPageSpec, name: string): PenpotItem & { image: ImageSpec } {
  const item = page.items.find((i) => i.kind === 'image' && i.name === name);
  if (!item?.image) throw new Error(`no image layer ${name} on ${page.name}`);
  return item as PenpotItem & { image: ImageSpec };
}

// ---- what the browser and Node share -----------------------------------------------------------

export interface PenpotStartConfig {
  page: PenpotPageSpec;
  /** Layer names selected before the plugin starts. */
  select: string[];
  /** penpot.localStorage contents (the plugin's own keys, values as stored: strings). */
  localStorage: Record<string, string>;
  theme: 'light' | 'dark';
  /** Where Penpot fetches the manifest from (the plugin's code and UI are resolved against its host). */
  manifestUrl: string;
}

export interface PenpotBridgeEntry {
  t: number;
  /** 'host': penpot.ui.open made the modal; 'load': the plugin code was evaluated. */
  dir: 'to-ui' | 'to-plugin' | 'host' | 'load';
  type: string;
  requestId?: number;
  /** notice messages: their text. */
  message?: string;
}

/** A shape as the fake holds it (the TRUE geometry) plus what the plugin API reports. */
export interface PenpotNodeInfo {
  id: string;
  type: string;
  name: string;
  parent: string | null;
  /** Index in the parent's :shapes (0 = bottom of the stack in ordinary parents). */
  index: number;
  /** Position in the order the parent PAINTS its children (0 first = bottom): differs from index in layout boards. */
  paintIndex: number;
  parentHasLayout: boolean;
  hidden: boolean;
  blocked: boolean;
  width: number;
  height: number;
  /** local → page, from the fake's model (not from what the API reports). */
  transform: Mat;
  reported: { x: number; y: number; rotation: number; flipX: boolean; flipY: boolean };
  fills: Array<{ fillColor?: string; fillOpacity?: number; fillImage?: { id: string; width: number; height: number; keepAspectRatio?: boolean; mtype?: string } }>;
  strokes: Array<Record<string, unknown>>;
  masked: boolean;
  /** Path data (page coordinates, M/L/C/Z). */
  d?: string;
  children: string[];
  pluginData: Record<string, string>;
  layoutAbsolute: boolean;
  layoutZIndex: number;
  /** The complete shape state (JSON): equality means "untouched". */
  state: string;
}

export interface PenpotStarted {
  ids: Record<string, string>;
  uiOpen: { name: string; url: string; src: string; options?: { width: number; height: number } };
  iframe: { sandbox: string; src: string; width: number; height: number };
  /** Globals of the page hidden from the plugin code (the SES sandbox lacks them). */
  shadowed: number;
}

// ---- build ----------------------------------------------------------------------------------

function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else if (/\.(ts|mjs|html|css|json)$/.test(p)) newest = Math.max(newest, st.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

/** Runs the "// ==== Penpot" section of build.mjs (dist/penpot/: manifest, plugin.js, ui.html copy, icon) only. */
export function buildPenpot(): void {
  const source = readFileSync('build.mjs', 'utf8');
  const start = source.indexOf('// ==== Penpot');
  const end = source.indexOf('// ==== end Penpot');
  if (start < 0 || end < 0) throw new Error('build.mjs lacks the "// ==== Penpot" … "// ==== end Penpot" section');
  const dir = 'node_modules/.cache/cutout-test';
  mkdirSync(dir, { recursive: true });
  const script = `${dir}/build-penpot-${process.pid}-${Date.now()}.mjs`;
  writeFileSync(script, `import { build } from 'esbuild';\n${source.slice(start, end)}\n`);
  try {
    execFileSync(process.execPath, [script], { encoding: 'utf8' });
  } finally {
    rmSync(script, { force: true });
  }
}

/** dist/ui.html as ensureBuilt() keeps it, then dist/penpot/ when older than its sources or that page. */
export function ensurePenpotBuilt(): void {
  ensureBuilt();
  const age = (f: string) => (existsSync(f) ? statSync(f).mtimeMs : 0);
  const sources = newestMtime(['core', 'plugin', 'models/registry.ts', 'build.mjs', 'scripts/penpot-icon.mjs']);
  if (age('dist/penpot/plugin.js') < sources || age('dist/penpot/ui.html') < age('dist/ui.html')) buildPenpot();
}

async function bundleHost(): Promise<string> {
  const r = await build({
    entryPoints: ['test/e2e/penpot-host-entry.ts'],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
    sourcemap: 'inline',
  });
  return new TextDecoder().decode(r.outputFiles[0]!.contents);
}

/** The harness page: the fake's rendering of the page on the left, Penpot's plugin modal on the right. */
export function penpotHarnessHtml(): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Cutout · Penpot e2e harness</title>
<style>
  html,body{margin:0;background:#18181a;font:12px/1.4 'Work Sans',Inter,system-ui,sans-serif;color:#aab5bd}
  main{display:flex;gap:16px;padding:16px;align-items:flex-start}
  #canvas-pane{display:flex;flex-direction:column;gap:6px;width:620px;flex:none}
  #doc-label,#sel-label{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
  #doc,#sel{background:#e8e9ea;border-radius:8px}
  #modal{display:none;flex-direction:column;background:#1d1f20;border:1px solid #2e3434;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.4);overflow:hidden}
  #modal header{display:flex;justify-content:space-between;align-items:center;height:36px;padding:0 12px;color:#e8e9ea;font-weight:600;border-bottom:1px solid #2e3434}
  #modal iframe{display:block;border:0}
</style></head><body>
<main>
  <div id="canvas-pane">
    <canvas id="doc" width="620" height="430"></canvas><div id="doc-label"></div>
    <canvas id="sel" width="620" height="200"></canvas><div id="sel-label"></div>
  </div>
  <div id="modal"><header><span id="modal-title"></span><span>✕</span></header><div id="ui-slot"></div></div>
</main>
<script src="/host.js"></script>
</body></html>`;
}

// ---- the harness --------------------------------------------------------------------------------

export interface RequestRecord {
  url: string;
  frame: string;
}

export interface PenpotHarness {
  server: TestServer;
  browser: Browser;
  context: BrowserContext;
  requests: RequestRecord[];
  /** Requests not for 127.0.0.1 (aborted). */
  foreign: string[];
  /** Console errors and page errors. */
  errors: string[];
  open(config: Omit<PenpotStartConfig, 'manifestUrl'>): Promise<PenpotSession>;
  close(): Promise<void>;
}

export interface PenpotState {
  undoEntries: number;
  undoOps: string[][];
  openBlocks: number;
  selection: string[];
  closed: boolean;
  modal: { width: number; height: number; src: string } | null;
  validationErrors: string[];
  consoleMessages: string[];
  error?: string;
}

export interface PenpotSession {
  page: Page;
  ui: Frame;
  started: PenpotStarted;
  ids: Record<string, string>;
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  node(idOrName: string): Promise<PenpotNodeInfo>;
  state(): Promise<PenpotState>;
  log(): Promise<PenpotBridgeEntry[]>;
  mediaBytes(id: string): Promise<Uint8Array>;
  render(keep: string[], box: { x: number; y: number; width: number; height: number }, scale: number): Promise<RgbaImage>;
  screenshot(name: string): Promise<string>;
}

export async function startPenpotHarness(routes: { samDir: string; salientDir: string }): Promise<PenpotHarness> {
  const hostJs = await bundleHost();
  const server = await startTestServer({
    '/e2e-penpot.html': { body: penpotHarnessHtml(), headers: { 'Content-Type': 'text/html; charset=utf-8' } },
    '/host.js': { body: hostJs, headers: { 'Content-Type': 'text/javascript' } },
    '/plugin.js': { body: readFileSync('dist/penpot/plugin.js'), headers: { 'Content-Type': 'text/javascript' } },
    '/ui.html': { body: readFileSync('dist/penpot/ui.html'), headers: { 'Content-Type': 'text/html; charset=utf-8' } },
    '/icon.png': { body: readFileSync('dist/penpot/icon.png'), headers: { 'Content-Type': 'image/png' } },
    '/models/sam-hf/': { dir: routes.samDir },
    '/models/salient/': { dir: routes.salientDir },
  });
  // The manifest as `CUTOUT_PENPOT_HOST=<this server> npm run build` writes it.
  server.setRoute('/manifest.json', { body: JSON.stringify(penpotManifest(server.url)), headers: { 'Content-Type': 'application/json' } });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const requests: RequestRecord[] = [];
  const foreign: string[] = [];
  const errors: string[] = [];
  const seen = new Set<Request>();
  const record = (r: Request) => {
    if (seen.has(r)) return;
    seen.add(r);
    let frame = 'worker';
    try {
      frame = r.frame().url();
    } catch {
      // worker requests have no frame
    }
    requests.push({ url: r.url(), frame });
  };
  context.on('request', record);
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      // not a URL
    }
    if (host === '127.0.0.1') return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });

  const pages: Page[] = [];
  return {
    server,
    browser,
    context,
    requests,
    foreign,
    errors,
    async open(config) {
      for (const p of pages.splice(0)) await p.close();
      const page = await context.newPage();
      pages.push(page);
      page.on('request', record);
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      await page.goto(`${server.url}/e2e-penpot.html`);
      const full: PenpotStartConfig = { ...config, manifestUrl: `${server.url}/manifest.json` };
      const started = (await page.evaluate((c) => (window as unknown as { __e2e: { start(c: unknown): Promise<unknown> } }).__e2e.start(c), full)) as PenpotStarted;
      const handle = await page.waitForSelector('#plugin-ui', { state: 'attached' });
      const ui = (await handle.contentFrame())!;
      const call = <T>(method: string, ...args: unknown[]) =>
        page.evaluate(
          ([m, a]) => (window as unknown as { __e2e: Record<string, (...x: unknown[]) => unknown> }).__e2e[m as string]!(...(a as unknown[])),
          [method, args] as const,
        ) as Promise<T>;
      const session: PenpotSession = {
        page,
        ui,
        started,
        ids: started.ids,
        call,
        async node(idOrName) {
          const n = await call<PenpotNodeInfo | null>('node', started.ids[idOrName] ?? idOrName);
          if (!n) throw new Error(`no live shape ${idOrName}`);
          return n;
        },
        state: () => call('state'),
        log: () => call('log'),
        async mediaBytes(id) {
          const b64 = await call<string | null>('mediaBase64', id);
          if (b64 === null) throw new Error(`no media ${id}`);
          return new Uint8Array(Buffer.from(b64, 'base64'));
        },
        async render(keep, box, scale) {
          const r = await call<{ width: number; height: number; rgba: string }>('render', keep, box, scale);
          return { width: r.width, height: r.height, data: new Uint8Array(Buffer.from(r.rgba, 'base64')) };
        },
        async screenshot(name) {
          await call('paint');
          const path = `test-artifacts/penpot-e2e-${name}.png`;
          await page.screenshot({ path });
          return path;
        },
      };
      return session;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
    },
  };
}

// ---- geometry, independent of plugin/penpot/geometry.ts ------------------------------------------

export const scaleMat = (sx: number, sy: number): Mat => [
  [sx, 0, 0],
  [0, sy, 0],
];

/**
 * Image pixel (u, v) → page for a shape whose (first) fill is the image: stretched over the box,
 * or with keepAspectRatio scaled to cover it, centred (Penpot draws an SVG <image> with
 * preserveAspectRatio "xMidYMid slice" then).
 */
export function imageToPage(n: PenpotNodeInfo, image: { width: number; height: number }): Mat {
  const keep = n.fills[0]?.fillImage?.keepAspectRatio === true;
  let local: Mat;
  if (keep) {
    const s = Math.max(n.width / image.width, n.height / image.height);
    local = [
      [s, 0, (n.width - image.width * s) / 2],
      [0, s, (n.height - image.height * s) / 2],
    ];
  } else local = scaleMat(n.width / image.width, n.height / image.height);
  return mul(n.transform, local);
}

/** The part of the image (image pixels) the shape's box shows. */
export function visibleInImage(n: PenpotNodeInfo, image: { width: number; height: number }): { x: number; y: number; width: number; height: number } {
  const m = mul(inv(n.transform), imageToPage(n, image)); // image → local: a scale and an offset
  const x0 = Math.max(0, -m[0][2] / m[0][0]);
  const y0 = Math.max(0, -m[1][2] / m[1][1]);
  const x1 = Math.min(image.width, (n.width - m[0][2]) / m[0][0]);
  const y1 = Math.min(image.height, (n.height - m[1][2]) / m[1][1]);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function shapeCorners(n: PenpotNodeInfo): Pt[] {
  const m = n.transform;
  return [ap(m, 0, 0), ap(m, n.width, 0), ap(m, n.width, n.height), ap(m, 0, n.height)];
}

/**
 * How a result's PNG pixels land on its source's pixels: `pngToSource` maps PNG pixel
 * coordinates to source image pixel coordinates; for an exact placement it is the identity plus
 * a whole-pixel offset. Returns how far it is from that (linear part, and offset from whole pixels).
 */
export function gridError(pngToSource: Mat): { linear: number; offGrid: number; offset: Pt } {
  const linear = Math.max(Math.abs(pngToSource[0][0] - 1), Math.abs(pngToSource[0][1]), Math.abs(pngToSource[1][0]), Math.abs(pngToSource[1][1] - 1));
  const tx = pngToSource[0][2];
  const ty = pngToSource[1][2];
  return { linear, offGrid: Math.max(Math.abs(tx - Math.round(tx)), Math.abs(ty - Math.round(ty))), offset: [tx, ty] };
}

export { inv, mul, ap };
