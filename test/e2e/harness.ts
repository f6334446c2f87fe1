/**
 * Node side of the Figma end-to-end harness: bundles host-entry.ts (the Figma fake + the
 * bridge) for the browser, serves it with the REAL dist/code.js and dist/ui.html and the
 * analytic models on 127.0.0.1, drives headless Chromium, and reads the fake's document back.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Frame, Page, Request } from 'playwright-core';
import type { GrayImage, RgbaImage } from '../../core/image/types.js';
import { type Mat, ap, inv, mul } from '../figma/fake/affine.js';
import { parseVectorPath } from '../figma/fake/index.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { buildUi, launchChromium } from '../helpers/ui-harness.js';
import type { BridgeEntry, NodeInfo, StartConfig } from './shared.js';
import { inside } from '../helpers/synthetic.js';
import type { ImageSpec } from './scenes.js';

export type { NodeInfo } from './shared.js';
export type Pt = [number, number];

export const VIEWPORT = { width: 1040, height: 720 };

/** The harness page: the fake's rendering of the page on the left, the plugin window on the right. */
export function harnessHtml(): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Cutout · Figma e2e harness</title>
<style>
  html,body{margin:0;background:#e5e5e5;font:12px/1.4 Inter,system-ui,sans-serif;color:#333}
  main{display:flex;gap:16px;padding:16px;align-items:flex-start}
  #canvas-pane{display:flex;flex-direction:column;gap:6px;width:620px;flex:none}
  #doc-label,#sel-label{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
  #doc,#sel{background:#e5e5e5;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
  #ui-slot iframe{display:block;border:0;border-radius:8px;box-shadow:0 2px 14px rgba(0,0,0,.18);background:#fff}
</style></head><body>
<main>
  <div id="canvas-pane">
    <canvas id="doc" width="620" height="410"></canvas><div id="doc-label"></div>
    <canvas id="sel" width="620" height="220"></canvas><div id="sel-label"></div>
  </div>
  <div id="ui-slot"></div>
</main>
<script src="/host.js"></script>
</body></html>`;
}

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

/**
 * Runs the "Figma main thread and manifest" section of build.mjs (dist/code.js, manifest.json),
 * like test/helpers/ui-harness.ts buildUi() does for the UI: the rest of dist/ (cli.js & co.,
 * which other test files may be running) is left alone.
 */
export function buildFigma(): void {
  const source = readFileSync('build.mjs', 'utf8');
  const common = source.match(/^const common = .*;$/m)?.[0];
  const start = source.indexOf('// ==== Figma main thread');
  const end = source.indexOf('// ==== end Figma');
  if (!common || start < 0 || end < 0) throw new Error('build.mjs lacks `const common = …;` or the "// ==== Figma main thread" … "// ==== end Figma" section');
  const dir = 'node_modules/.cache/cutout-test';
  mkdirSync(dir, { recursive: true });
  const script = `${dir}/build-figma-${process.pid}-${Date.now()}.mjs`;
  writeFileSync(script, `import { build } from 'esbuild';\n${common}\n${source.slice(start, end)}\n`);
  try {
    execFileSync(process.execPath, [script], { encoding: 'utf8' });
  } finally {
    rmSync(script, { force: true });
  }
}

/** Rebuilds dist/code.js and dist/ui.html (only those) when missing or older than their sources. */
export function ensureBuilt(): void {
  const age = (f: string) => (existsSync(f) ? statSync(f).mtimeMs : 0);
  const shared = newestMtime(['core', 'plugin/protocol.ts', 'models/registry.ts', 'build.mjs']);
  if (age('dist/code.js') < Math.max(shared, newestMtime(['plugin']))) buildFigma();
  if (age('dist/ui.html') < Math.max(shared, newestMtime(['ui']))) buildUi();
}

async function bundleHost(): Promise<string> {
  const r = await build({
    entryPoints: ['test/e2e/host-entry.ts'],
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

export interface RequestRecord {
  url: string;
  frame: string;
}

export interface E2EHarness {
  server: TestServer;
  browser: Browser;
  context: BrowserContext;
  /** Every request the pages, their iframes and workers made (page.on('request') and context.on('request')). */
  requests: RequestRecord[];
  /** Requests that were not for 127.0.0.1 (aborted). */
  foreign: string[];
  /** Console errors and page errors, per page. */
  errors: string[];
  open(config: StartConfig): Promise<Session>;
  close(): Promise<void>;
}

export interface Session {
  page: Page;
  ui: Frame;
  ids: Record<string, string>;
  showUI: { html: string; options?: ShowUIOptions };
  /** Calls `window.__e2e[method](...args)` in the host page (plain JSON both ways). */
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  node(idOrName: string): Promise<NodeInfo>;
  state(): Promise<{ undoSteps: number; selection: string[]; notifications: Array<{ message: string; options?: NotificationOptions }>; closed: unknown; page: string; error?: string }>;
  log(): Promise<BridgeEntry[]>;
  imageBytes(hash: string): Promise<Uint8Array>;
  render(keep: string[], box: { x: number; y: number; width: number; height: number }, scale: number): Promise<RgbaImage>;
  screenshot(name: string): Promise<string>;
}

export async function startHarness(routes: { samDir: string; salientDir: string }): Promise<E2EHarness> {
  const hostJs = await bundleHost();
  const server = await startTestServer({
    '/e2e.html': { body: harnessHtml(), headers: { 'Content-Type': 'text/html; charset=utf-8' } },
    '/host.js': { body: hostJs, headers: { 'Content-Type': 'text/javascript' } },
    '/code.js': { body: readFileSync('dist/code.js'), headers: { 'Content-Type': 'text/javascript' } },
    '/ui.html': { body: readFileSync('dist/ui.html'), headers: { 'Content-Type': 'text/html; charset=utf-8' } },
    '/models/sam-hf/': { dir: routes.samDir },
    '/models/salient/': { dir: routes.salientDir },
  });
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
      // service/dedicated worker requests have no frame
    }
    requests.push({ url: r.url(), frame });
  };
  context.on('request', record);
  // Nothing may leave the machine: anything not for 127.0.0.1 is recorded and aborted.
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
  const harness: E2EHarness = {
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
      await page.goto(`${server.url}/e2e.html`);
      const started = await page.evaluate((c) => window.__e2e.start(c), config);
      const handle = await page.waitForSelector('#plugin-ui', { state: 'attached' });
      const ui = (await handle.contentFrame())!;
      const call = <T>(method: string, ...args: unknown[]) =>
        page.evaluate(([m, a]) => (window.__e2e as unknown as Record<string, (...x: unknown[]) => unknown>)[m as string]!(...(a as unknown[])), [method, args] as const) as Promise<T>;
      const session: Session = {
        page,
        ui,
        ids: started.ids,
        showUI: started.showUI,
        call,
        async node(idOrName) {
          const n = await call<NodeInfo | null>('node', started.ids[idOrName] ?? idOrName);
          if (!n) throw new Error(`no live node ${idOrName}`);
          return n;
        },
        state: () => call('state'),
        log: () => call('log'),
        async imageBytes(hash) {
          const b64 = await call<string | null>('imageBase64', hash);
          if (b64 === null) throw new Error(`no image ${hash}`);
          return new Uint8Array(Buffer.from(b64, 'base64'));
        },
        async render(keep, box, scale) {
          const r = await call<{ width: number; height: number; rgba: string }>('render', keep, box, scale);
          return { width: r.width, height: r.height, data: new Uint8Array(Buffer.from(r.rgba, 'base64')) };
        },
        async screenshot(name) {
          await call('paint');
          const path = `test-artifacts/e2e-${name}.png`;
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
  return harness;
}

// ---- geometry, independent of plugin/figma/placement.ts --------------------------------------

export const asMat = (t: Transform): Mat => [
  [t[0][0], t[0][1], t[0][2]],
  [t[1][0], t[1][1], t[1][2]],
];

/** Image pixel (u, v) → page, for a layer whose image fills it in FILL mode (Figma's rule: cover, centred). */
export function fillImageToPage(node: NodeInfo, image: { width: number; height: number }): Mat {
  const s = Math.max(node.width / image.width, node.height / image.height);
  const local: Mat = [
    [s, 0, (node.width - image.width * s) / 2],
    [0, s, (node.height - image.height * s) / 2],
  ];
  return mul(asMat(node.absoluteTransform), local);
}

export function corners(m: Mat, r: { x: number; y: number; width: number; height: number }): Pt[] {
  return [ap(m, r.x, r.y), ap(m, r.x + r.width, r.y), ap(m, r.x + r.width, r.y + r.height), ap(m, r.x, r.y + r.height)];
}

export function nodeCorners(n: NodeInfo): Pt[] {
  return corners(asMat(n.absoluteTransform), { x: 0, y: 0, width: n.width, height: n.height });
}

export function maxDistance(a: Pt[], b: Pt[]): number {
  return Math.max(...a.map((p, i) => Math.hypot(p[0] - b[i]![0], p[1] - b[i]![1])));
}

/** Bounds [x0, x1) × [y0, y1) of the pixels ≥ 128. */
export function bounds(m: GrayImage): { x: number; y: number; width: number; height: number } {
  let x0 = m.width;
  let y0 = m.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      if (m.data[y * m.width + x]! >= 128) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export function iou(a: GrayImage, b: GrayImage): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]! >= 128;
    const y = b.data[i]! >= 128;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union ? inter / union : 1;
}

/**
 * A cutout rectangle's IMAGE fill (CROP: imageTransform maps node-normalised → image-normalised)
 * resampled into source-image pixels: `alpha` is 255 where the source pixel's centre lands on a
 * fill pixel with alpha ≥ 128; `opaque` counts the fully opaque fill pixels met and `equal` those
 * whose colour is the source's own pixel there. `cutoutToSource` maps the cutout node's local
 * space to source-image pixels.
 */
export function fillInSource(cutout: NodeInfo, png: RgbaImage, cutoutToSource: Mat, source: RgbaImage): { alpha: GrayImage; opaque: number; equal: number } {
  const paint = cutout.fills[0] as { scaleMode: string; imageTransform?: Transform };
  const crop = paint.imageTransform ? asMat(paint.imageTransform) : ([[1, 0, 0], [0, 1, 0]] as Mat);
  const sourceToLocal = inv(cutoutToSource);
  const out = new Uint8Array(source.width * source.height);
  let opaque = 0;
  let equal = 0;
  for (let v = 0; v < source.height; v++) {
    for (let u = 0; u < source.width; u++) {
      const [lx, ly] = ap(sourceToLocal, u + 0.5, v + 0.5);
      if (!(lx >= 0 && ly >= 0 && lx < cutout.width && ly < cutout.height)) continue;
      const [nx, ny] = ap(crop, lx / cutout.width, ly / cutout.height);
      const px = Math.floor(nx * png.width);
      const py = Math.floor(ny * png.height);
      if (px < 0 || py < 0 || px >= png.width || py >= png.height) continue;
      const o = (py * png.width + px) * 4;
      const a = png.data[o + 3]!;
      if (a >= 128) out[v * source.width + u] = 255;
      if (a === 255) {
        opaque++;
        const q = (v * source.width + u) * 4;
        if (png.data[o] === source.data[q] && png.data[o + 1] === source.data[q + 1] && png.data[o + 2] === source.data[q + 2]) equal++;
      }
    }
  }
  return { alpha: { width: source.width, height: source.height, data: out }, opaque, equal };
}

/**
 * Where a result node's box sits in source-image pixels: its axis-aligned bounds there and how far
 * its corners are from those bounds' corners (0 when the node is an axis-aligned rectangle of the
 * source's pixel grid) and from whole pixels.
 */
export function boxInSource(n: NodeInfo, nodeToSource: Mat): { rect: { x: number; y: number; width: number; height: number }; skew: number; offGrid: number } {
  const c = nodeCorners({ ...n, absoluteTransform: [nodeToSource[0], nodeToSource[1]] as unknown as Transform });
  const xs = c.map((p) => p[0]);
  const ys = c.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  const x1 = Math.max(...xs);
  const y1 = Math.max(...ys);
  const skew = Math.max(...c.map((p) => Math.min(Math.abs(p[0] - x0), Math.abs(p[0] - x1)) + Math.min(Math.abs(p[1] - y0), Math.abs(p[1] - y1))));
  const offGrid = Math.max(...[x0, y0, x1, y1].map((v) => Math.abs(v - Math.round(v))));
  return { rect: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, skew, offGrid };
}

/** A rendering's opaque pixels (alpha ≥ 128) vs the truth of the source image seen through `imageToPage`. */
export function renderedVsTruth(render: RgbaImage, box: { x: number; y: number }, scale: number, imageToPage: Mat, spec: ImageSpec, foreground: (x: number, y: number) => boolean): number {
  const pageToImage = inv(imageToPage);
  let inter = 0;
  let union = 0;
  for (let j = 0; j < render.height; j++) {
    for (let i = 0; i < render.width; i++) {
      const [u, v] = ap(pageToImage, box.x + (i + 0.5) / scale, box.y + (j + 0.5) / scale);
      const x = Math.floor(u);
      const y = Math.floor(v);
      const truth = x >= 0 && y >= 0 && x < spec.width && y < spec.height && foreground(x, y);
      const got = render.data[(j * render.width + i) * 4 + 3]! >= 128;
      if (truth && got) inter++;
      if (truth || got) union++;
    }
  }
  return union ? inter / union : 1;
}

export const isForeground = (spec: ImageSpec) => (x: number, y: number) => spec.shapes.some((s) => inside(s, x, y));

/** Path data through an affine map (M L Q C Z survive affine maps exactly); validates Figma's grammar. */
export function transformPath(data: string, m: Mat): string {
  const out: string[] = [];
  for (const seg of parseVectorPath(data)) {
    out.push(seg.cmd);
    for (let k = 0; k < seg.pts.length; k += 2) {
      const [x, y] = ap(m, seg.pts[k]!, seg.pts[k + 1]!);
      out.push(String(Math.round(x * 1e4) / 1e4), String(Math.round(y * 1e4) / 1e4));
    }
  }
  return out.join(' ');
}

export function pageBox(points: Pt[], pad = 4): { x: number; y: number; width: number; height: number } {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x = Math.floor(Math.min(...xs) - pad);
  const y = Math.floor(Math.min(...ys) - pad);
  return { x, y, width: Math.ceil(Math.max(...xs) + pad) - x, height: Math.ceil(Math.max(...ys) + pad) - y };
}
