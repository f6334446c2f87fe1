/**
 * Node side of the end-to-end harnesses, whatever the host (harness.ts: Figma,
 * penpot-harness.ts: Penpot): bundles a host-entry script for the browser, serves it with the
 * host's REAL build output and the analytic models on 127.0.0.1, drives headless Chromium with
 * every request recorded and anything not for 127.0.0.1 aborted, and opens sessions: a fresh
 * page on which `window.__e2e.start(config)` plays the editor, the plugin UI in its #plugin-ui
 * iframe, and `__e2e`'s other methods to read the fake's document back.
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Frame, Page, Request } from 'playwright-core';
import type { RgbaImage } from '../../core/image/types.js';
import { type Route, startTestServer, type TestServer } from '../helpers/http-server.js';
import { blockForeign, launchChromium } from '../helpers/ui-harness.js';
import type { Box } from './measure.js';

/** A host-entry script (test/e2e/*host-entry.ts) bundled into a browser IIFE. */
async function bundleHost(entry: string): Promise<string> {
  const r = await build({
    entryPoints: [entry],
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

const html = (body: string | Uint8Array): Route => ({ body, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
const script = (body: string | Uint8Array): Route => ({ body, headers: { 'Content-Type': 'text/javascript' } });
/** A file of dist/ served as HTML or script by its extension. */
export const distFile = (path: string): Route => (path.endsWith('.html') ? html(readFileSync(path)) : script(readFileSync(path)));

/**
 * The harness page: the fake's rendering of the page (#doc, and the selection alone in #sel)
 * on the left, the plugin's window (`window`, holding #ui-slot) on the right, then /host.js.
 */
export function harnessPage(o: { title: string; css: string; docHeight: number; selHeight: number; window: string }): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${o.title}</title>
<style>
  main{display:flex;gap:16px;padding:16px;align-items:flex-start}
  #canvas-pane{display:flex;flex-direction:column;gap:6px;width:620px;flex:none}
  #doc-label,#sel-label{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
${o.css}
</style></head><body>
<main>
  <div id="canvas-pane">
    <canvas id="doc" width="620" height="${o.docHeight}"></canvas><div id="doc-label"></div>
    <canvas id="sel" width="620" height="${o.selHeight}"></canvas><div id="sel-label"></div>
  </div>
  ${o.window}
</main>
<script src="/host.js"></script>
</body></html>`;
}

export interface RequestRecord {
  url: string;
  frame: string;
}

export interface BrowserHarness {
  server: TestServer;
  browser: Browser;
  context: BrowserContext;
  /** Every request the pages, their iframes and workers made (page.on('request') and context.on('request')). */
  requests: RequestRecord[];
  /** Requests that were not for 127.0.0.1 (aborted). */
  foreign: string[];
  /** Console errors and page errors, per page. */
  errors: string[];
  close(): Promise<void>;
}

/** What every host's session offers; `N`, `S`, `E`: the host's node info, state and bridge-log entry. */
export interface E2ESession<N, S, E> {
  page: Page;
  ui: Frame;
  ids: Record<string, string>;
  /** Calls `window.__e2e[method](...args)` in the host page (plain JSON both ways). */
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  node(idOrName: string): Promise<N>;
  state(): Promise<S>;
  log(): Promise<E[]>;
  render(keep: string[], box: Box, scale: number): Promise<RgbaImage>;
  screenshot(name: string): Promise<string>;
}

export interface SessionHarness extends BrowserHarness {
  /**
   * Closes the previous page, opens the harness page in a new one (its requests and errors
   * recorded), calls `__e2e.start(config)` there and waits for the #plugin-ui iframe.
   * Screenshots go to test-artifacts/<screenshotPrefix><name>.png; `noun` names a node in errors.
   */
  open<N, S, E, Started extends { ids: Record<string, string> }>(config: unknown, o: { screenshotPrefix: string; noun: string }): Promise<{ session: E2ESession<N, S, E>; started: Started }>;
}

/**
 * Starts the server and Chromium (one context of `viewport`), requests recorded and guarded.
 * The server has the harness page (`page`: its path and HTML), /host.js (`hostEntry` bundled),
 * the analytic models under /models/sam-hf/ and /models/salient/, and the host's `routes`.
 */
export async function startBrowserHarness(o: {
  viewport: { width: number; height: number };
  page: [path: string, html: string];
  hostEntry: string;
  models: { samDir: string; salientDir: string };
  routes: Record<string, Route>;
}): Promise<SessionHarness> {
  const [pagePath, pageHtml] = o.page;
  const server = await startTestServer({
    [pagePath]: html(pageHtml),
    '/host.js': script(await bundleHost(o.hostEntry)),
    ...o.routes,
    '/models/sam-hf/': { dir: o.models.samDir },
    '/models/salient/': { dir: o.models.salientDir },
  });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: o.viewport, deviceScaleFactor: 1 });
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
  await blockForeign(context, foreign);

  const pages: Page[] = [];
  return {
    server,
    browser,
    context,
    requests,
    foreign,
    errors,
    async open<N, S, E, Started extends { ids: Record<string, string> }>(config: unknown, so: { screenshotPrefix: string; noun: string }) {
      for (const p of pages.splice(0)) await p.close();
      const page = await context.newPage();
      pages.push(page);
      page.on('request', record);
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      await page.goto(`${server.url}${pagePath}`);
      const call = <T>(method: string, ...args: unknown[]) =>
        page.evaluate(
          ([m, a]) => (window as unknown as { __e2e: Record<string, (...x: unknown[]) => unknown> }).__e2e[m as string]!(...(a as unknown[])),
          [method, args] as const,
        ) as Promise<T>;
      const started = await call<Started>('start', config);
      const handle = await page.waitForSelector('#plugin-ui', { state: 'attached' });
      const ui = (await handle.contentFrame())!;
      const session: E2ESession<N, S, E> = {
        page,
        ui,
        ids: started.ids,
        call,
        async node(idOrName) {
          const n = await call<N | null>('node', started.ids[idOrName] ?? idOrName);
          if (!n) throw new Error(`no live ${so.noun} ${idOrName}`);
          return n;
        },
        state: () => call('state'),
        log: () => call('log'),
        async render(keep, box, scale) {
          const r = await call<{ width: number; height: number; rgba: string }>('render', keep, box, scale);
          return { width: r.width, height: r.height, data: new Uint8Array(Buffer.from(r.rgba, 'base64')) };
        },
        async screenshot(name) {
          await call('paint');
          const path = `test-artifacts/${so.screenshotPrefix}${name}.png`;
          await page.screenshot({ path });
          return path;
        },
      };
      return { session, started };
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
    },
  };
}

/** Bytes the host page returns base64-encoded by `__e2e[method](key)` (null: none, an error naming `what`). */
export async function bytesFrom(s: { call<T>(method: string, ...args: unknown[]): Promise<T> }, method: string, key: string, what: string): Promise<Uint8Array> {
  const b64 = await s.call<string | null>(method, key);
  if (b64 === null) throw new Error(`no ${what} ${key}`);
  return new Uint8Array(Buffer.from(b64, 'base64'));
}
