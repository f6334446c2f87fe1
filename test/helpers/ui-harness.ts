/**
 * A host page for the plugin UI, wired like Figma's message bridge, for browser tests.
 *
 * The page (`/host.html`) embeds the real dist/ui.html in an `<iframe sandbox="allow-scripts">`
 * (a null origin, as in Figma) and relays messages the way Figma does:
 *   - UI → host: the iframe's `parent.postMessage({ pluginMessage: v }, '*')` arrives here; the
 *     page records `v` in `window.__received` and calls `window.__host.onmessage(v)`;
 *   - host → UI: `window.__host.postMessage(v)` posts `{ pluginMessage: v }` into the iframe.
 * `window.__host` plays `figma.ui`: a host script (`/host.js`, chosen per test) sets
 * `__host.onmessage` and calls `__host.postMessage`. This test's script answers with canned
 * messages; the full e2e serves a script that runs the real dist/code.js against the Figma fake,
 * bridging `figma.ui.onmessage` / `figma.ui.postMessage` to `__host`.
 *
 * Everything is served from 127.0.0.1 by startTestServer; `installRequestGuard` records every
 * request the browser makes and aborts any that is not for 127.0.0.1 (data: and blob: URLs
 * never reach the network and are not requests).
 */
import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, type Route, type TestServer } from './http-server.js';

/** The UI page through scripts/build-lib.mjs, and the freshness checks every browser test uses (see build.ts). */
export { buildUi, ensureTestUiBuilt, ensureUiBuilt } from './build.js';
import { TEST_UI_HTML } from './build.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run \`apt-get update && apt-get install -y chromium\` (CI does it in .ci/run)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export interface HostPageOptions {
  /** URL of the UI page inside the iframe (default /ui.html). */
  uiUrl?: string;
  /** Host script URL (default /host.js). */
  hostScript?: string;
  /** Figma's default plugin window for Cutout. */
  width?: number;
  height?: number;
}

/** The host page's HTML (see the module comment). */
export function hostPageHtml(o: HostPageOptions = {}): string {
  const width = o.width ?? 360;
  const height = o.height ?? 560;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Cutout host harness</title>
<style>html,body{margin:0;background:#e5e5e5}#frame{display:block;margin:16px;border:0;border-radius:8px;box-shadow:0 2px 14px rgba(0,0,0,.18);overflow:hidden;background:#fff}</style>
</head><body>
<script>
(() => {
  const iframe = document.createElement('iframe');
  iframe.id = 'frame';
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.width = ${JSON.stringify(String(width))};
  iframe.height = ${JSON.stringify(String(height))};
  const received = [];
  window.__received = received;
  window.__times = {};
  const host = {
    onmessage: null,
    postMessage(msg) { iframe.contentWindow.postMessage({ pluginMessage: msg }, '*'); },
  };
  window.__host = host;
  window.addEventListener('message', (e) => {
    if (e.source !== iframe.contentWindow) return;
    const msg = e.data && e.data.pluginMessage;
    if (!msg || typeof msg.type !== 'string') return;
    received.push({ t: performance.now(), msg });
    if (msg.type === 'ready' && window.__times.ready === undefined) window.__times.ready = performance.now();
    if (typeof host.onmessage === 'function') host.onmessage(msg);
  });
  /** Opens the UI: like figma.showUI. \`path\` picks another build of the page. */
  window.__openUi = (query, path) => {
    window.__times.open = performance.now();
    iframe.src = (path || ${JSON.stringify(o.uiUrl ?? '/ui.html')}) + (query || '');
    if (!iframe.isConnected) document.body.appendChild(iframe);
  };
})();
</script>
<script src=${JSON.stringify(o.hostScript ?? '/host.js')}></script>
</body></html>`;
}

export interface UiHarness {
  server: TestServer;
  url(path: string): string;
  close(): Promise<void>;
}

/** Serves the test page (dist/test/ui.html), the host page, the host script and any extra routes on 127.0.0.1. */
export async function startUiHarness(options: {
  uiHtml?: string;
  hostScript: string;
  routes?: Record<string, Route>;
  page?: HostPageOptions;
}): Promise<UiHarness> {
  const uiPath = options.uiHtml ?? TEST_UI_HTML;
  const server = await startTestServer({
    '/ui.html': { body: readFileSync(uiPath), headers: { 'Content-Type': 'text/html; charset=utf-8' } },
    '/host.html': { body: hostPageHtml(options.page), headers: { 'Content-Type': 'text/html; charset=utf-8' } },
    '/host.js': { body: options.hostScript, headers: { 'Content-Type': 'text/javascript' } },
    ...(options.routes ?? {}),
  });
  return { server, url: (p) => `${server.url}${p}`, close: () => server.close() };
}

export interface RequestLog {
  /** Every URL the browser asked for (network requests only). */
  all: string[];
  /** Requests for anything but 127.0.0.1 (they were aborted). */
  foreign: string[];
}

/** Nothing may leave the machine: every request of the context not for 127.0.0.1 is pushed to `foreign` and aborted. */
export async function blockForeign(context: BrowserContext, foreign: string[]): Promise<void> {
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      /* not a URL */
    }
    if (host === '127.0.0.1') return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
}

/** Records every request of the context and aborts any that is not for 127.0.0.1. */
export async function installRequestGuard(context: BrowserContext): Promise<RequestLog> {
  const log: RequestLog = { all: [], foreign: [] };
  context.on('request', (r) => log.all.push(r.url()));
  await blockForeign(context, log.foreign);
  return log;
}

/** Messages the UI sent to the host so far. */
export async function receivedMessages(page: Page): Promise<Array<{ t: number; msg: { type: string } & Record<string, unknown> }>> {
  return page.evaluate(() => (window as unknown as { __received: Array<{ t: number; msg: { type: string } & Record<string, unknown> }> }).__received);
}
