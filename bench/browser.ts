/**
 * Browser figures: the REAL dist/ui.html in a null-origin sandboxed iframe under headless
 * Chromium, opened with an image already selected, the shared SlimSAM-77 8-bit fixture
 * (sam-reference: vision_encoder_quantized.onnx + prompt_encoder_mask_decoder.onnx, 25.2 MB)
 * served from 127.0.0.1 with Content-Length (as a folder-URL model: no published sizes).
 * The host page plays Figma's side of the protocol itself (init, selection, image): only the
 * UI is measured. Then the raw runtime (dist/bench-raw.js: onnxruntime-web, same wasm, one
 * thread, no UI) in a fresh page of the same browser.
 *
 *   browser.first_mask_ms    iframe opened → first mask drawn, for a click made as soon as the
 *                            canvas takes one (the click waits if the image is not analysed yet)
 *   browser.encode_first_ms  the plugin's first analysis (fresh runtime)
 *   browser.click_ms         click → its mask drawn, median (image analysed)
 *   browser.hover_ms         pointer move → its preview drawn, median
 *   browser.runtime_ms, download_ms  when the runtime was compiled / the model's files were all in
 *                            hand (from the iframe's start); session_create_ms  files → sessions
 *                            open (incl. load-time checks and warm-up); first_decode_ms  analysis
 *                            done → first mask drawn
 *   browser.raw_encode_ms    raw steady encode; browser.raw_encode_first_ms its first
 *   browser.raw_decode_ms    raw decode (prompt → candidates)
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Frame, type Page } from 'playwright-core';
import { DEFAULT_SETTINGS } from '../plugin/protocol.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface BrowserBenchOptions {
  fixtures: string;
  quick: boolean;
  /** The page under test (default the test page dist/test/ui.html, which exposes the controller): another build can be compared. */
  uiHtml?: string;
  log?: (s: string) => void;
}

const IMAGE = { name: 'Chelsea', file: 'chelsea.png', width: 451, height: 300 };
/** Image pixels clicked / hovered (the cat and around it). */
const CLICKS = [
  { x: 230, y: 110 },
  { x: 300, y: 200 },
  { x: 120, y: 80 },
  { x: 380, y: 60 },
  { x: 200, y: 250 },
];
const MODEL_ID = 'bench-slimsam-77-q8';

function hostPage(init: unknown, source: unknown): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Cutout bench host</title></head><body style="margin:0">
<script>
(() => {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.width = '360';
  iframe.height = '560';
  iframe.style.border = '0';
  const init = ${JSON.stringify(init)};
  const source = ${JSON.stringify(source)};
  const post = (m) => iframe.contentWindow.postMessage({ pluginMessage: m }, '*');
  window.__saved = null;
  window.addEventListener('message', async (e) => {
    if (e.source !== iframe.contentWindow) return;
    const m = e.data && e.data.pluginMessage;
    if (!m) return;
    if (m.type === 'ready') {
      post(init);
      post({ type: 'selection', sources: [source], problems: [] });
    } else if (m.type === 'request-image') {
      const bytes = new Uint8Array(await (await fetch('/image.png')).arrayBuffer());
      post({ type: 'image', requestId: m.requestId, source, bytes });
    } else if (m.type === 'save-settings') {
      window.__saved = m.settings;
    }
  });
  window.__open = () => {
    iframe.src = '/ui.html';
    document.body.appendChild(iframe);
  };
})();
</script></body></html>`;
}

/** Serves `files` (path → bytes, type) on 127.0.0.1, with CORS for the null-origin iframe. */
function serve(files: Record<string, [Uint8Array | string, string]>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const f = files[(req.url ?? '').split('?')[0]!];
    if (!f) {
      res.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end();
      return;
    }
    const body = typeof f[0] === 'string' ? Buffer.from(f[0]) : f[0];
    res.writeHead(200, { 'Content-Type': f[1], 'Content-Length': String(body.length), 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

type UiWindow = {
  __cutout: {
    timeline: Record<string, number | undefined>;
    app: {
      canvas: { geometry: { x: number; y: number; scale: number }; hasMask: boolean };
      history: { current: { prediction?: unknown } };
      hoverPrediction?: unknown;
      engine: { isEncoded: boolean };
    };
  };
  __bench?: { lastInput: number };
};

/** Records, inside the UI, when the last pointer event reached the canvas (capture phase). */
async function watchInput(ui: Frame): Promise<void> {
  await ui.evaluate(() => {
    const w = window as unknown as UiWindow;
    w.__bench = { lastInput: 0 };
    const canvas = document.getElementById('stage-canvas')!;
    for (const type of ['pointerup', 'pointermove']) canvas.addEventListener(type, () => (w.__bench!.lastInput = performance.now()), { capture: true });
  });
}

/** Image pixel → CSS px inside the canvas. */
async function at(ui: Frame, p: { x: number; y: number }): Promise<{ x: number; y: number }> {
  const g = await ui.evaluate(() => (window as unknown as UiWindow).__cutout.app.canvas.geometry);
  return { x: g.x + p.x * g.scale, y: g.y + p.y * g.scale };
}

/** Waits (in the UI, per frame) until `what` changes from its current value; ms from the last pointer event to then. */
async function untilChanged(ui: Frame, what: 'prediction' | 'hover', act: () => Promise<void>): Promise<number> {
  await ui.evaluate((k) => {
    const w = window as unknown as UiWindow & { __benchPrev: unknown };
    w.__benchPrev = k === 'prediction' ? w.__cutout.app.history.current.prediction : w.__cutout.app.hoverPrediction;
  }, what);
  await act();
  return ui.evaluate(
    (k) =>
      new Promise<number>((resolve, reject) => {
        const w = window as unknown as UiWindow & { __benchPrev: unknown };
        const t0 = performance.now();
        const check = () => {
          const v = k === 'prediction' ? w.__cutout.app.history.current.prediction : w.__cutout.app.hoverPrediction;
          if (v && v !== w.__benchPrev) return resolve(performance.now() - w.__bench!.lastInput);
          if (performance.now() - t0 > 120_000) return reject(new Error(`no ${k} within 120 s`));
          requestAnimationFrame(check);
        };
        check();
      }),
    what,
  );
}

/** One plugin session: open with the image selected, click as soon as the canvas takes it, then clicks and hovers. */
async function uiSession(page: Page, base: string, runs: number): Promise<Record<string, number>> {
  await page.goto(`${base}/host.html`);
  await page.evaluate(() => (window as unknown as { __open(): void }).__open());
  const ui = (await (await page.waitForSelector('iframe')).contentFrame())!;
  await ui.waitForFunction(() => document.getElementById('stage-canvas')?.classList.contains('is-enabled'), undefined, { timeout: 300_000, polling: 'raf' });
  await watchInput(ui);
  const canvas = ui.locator('#stage-canvas');
  await canvas.click({ position: await at(ui, CLICKS[0]!) });
  await ui.waitForFunction(() => (window as unknown as UiWindow).__cutout.app.canvas.hasMask, undefined, { timeout: 300_000, polling: 'raf' });
  const tl = await ui.evaluate(() => ({ ...(window as unknown as UiWindow).__cutout.timeline }));
  const firstMask = tl.firstMask ?? (await ui.evaluate(() => performance.now()));
  // Older builds keep no encodeMs: the analysis ran from when both the image and the model were there.
  const encodeFirst = tl.encodeMs ?? tl.encoded! - Math.max(tl.imageShown ?? 0, tl.modelReady ?? 0);
  const clicks: number[] = [];
  const hovers: number[] = [];
  for (let i = 0; i < runs; i++) {
    const p = CLICKS[(i % (CLICKS.length - 1)) + 1]!;
    await page.keyboard.press('Escape');
    const h = await at(ui, { x: p.x - 15, y: p.y + 10 });
    hovers.push(await untilChanged(ui, 'hover', () => canvas.hover({ position: h })));
    clicks.push(await untilChanged(ui, 'prediction', () => canvas.click({ position: { x: h.x + 3, y: h.y } })));
  }
  // Where the first mask's time went (iframe opened = 0): runtime compiled, files downloaded,
  // sessions opened (download end → model ready), analysis, first decode (analysed → mask).
  const breakdown = {
    runtime_ms: tl.runtime ?? Number.NaN,
    download_ms: tl.modelFiles ?? Number.NaN,
    session_create_ms: (tl.modelReady ?? Number.NaN) - (tl.modelFiles ?? Number.NaN),
    first_decode_ms: firstMask - (tl.encoded ?? Number.NaN),
  };
  return { first_mask_ms: firstMask, encode_first_ms: encodeFirst, click_ms: median(clicks), hover_ms: median(hovers), ready_ms: tl.ready ?? Number.NaN, ...breakdown };
}

export async function benchBrowser(o: BrowserBenchOptions): Promise<Record<string, number>> {
  const log = o.log ?? (() => undefined);
  const ref = join(o.fixtures, 'sam-reference');
  const file = (p: string) => new Uint8Array(readFileSync(p));
  const source = { id: '1:2', name: IMAGE.name, width: IMAGE.width, height: IMAGE.height, origin: 'fill' };
  const init = {
    type: 'init',
    version: 1,
    command: 'cutout',
    host: 'figma',
    settings: { ...DEFAULT_SETTINGS, modelId: MODEL_ID },
    models: [{ id: MODEL_ID, name: 'SlimSAM-77 8-bit (bench)', baseUrl: '/models/', files: ['vision_encoder.onnx', 'prompt_encoder_mask_decoder.onnx'], license: 'test fixture' }],
  };
  const files: Record<string, [Uint8Array | string, string]> = {
    '/ui.html': [file(o.uiHtml ?? 'dist/test/ui.html'), 'text/html; charset=utf-8'],
    '/image.png': [file(join(ref, 'images', IMAGE.file)), 'image/png'],
    '/models/vision_encoder.onnx': [file(join(ref, 'onnx', 'vision_encoder_quantized.onnx')), 'application/octet-stream'],
    '/models/prompt_encoder_mask_decoder.onnx': [file(join(ref, 'onnx', 'prompt_encoder_mask_decoder.onnx')), 'application/octet-stream'],
    '/raw.html': ['<!doctype html><meta charset="utf-8"><script src="/raw.js"></script>', 'text/html'],
    '/raw.js': [file('dist/bench-raw.js'), 'text/javascript'],
    '/ort.wasm': [file('node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'), 'application/wasm'],
  };
  const served = await serve(files);
  // Absolute model URLs: the iframe has a null origin.
  init.models[0]!.baseUrl = `${served.url}/models/`;
  files['/host.html'] = [hostPage(init, source), 'text/html; charset=utf-8'];

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const out: Record<string, number> = {};
  try {
    const sessions = o.quick ? 1 : 2;
    const runs = o.quick ? 3 : 8;
    const results: Array<Record<string, number>> = [];
    for (let i = 0; i < sessions; i++) {
      // A fresh context each time: nothing cached, a fresh iframe and runtime.
      const context = await browser.newContext({ viewport: { width: 420, height: 620 } });
      try {
        log(`bench: browser plugin session ${i + 1}/${sessions} ...`);
        results.push(await uiSession(await context.newPage(), served.url, runs));
      } finally {
        await context.close();
      }
    }
    for (const k of ['first_mask_ms', 'encode_first_ms', 'click_ms', 'hover_ms', 'runtime_ms', 'download_ms', 'session_create_ms', 'first_decode_ms']) out[`browser.${k}`] = median(results.map((r) => r[k]!));

    log('bench: browser raw runtime ...');
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${served.url}/raw.html`);
      const raw = await page.evaluate(
        (opts) => (window as unknown as { __benchRaw(o: unknown): Promise<Record<string, number>> }).__benchRaw(opts),
        {
          wasmUrl: '/ort.wasm',
          encoderUrl: '/models/vision_encoder.onnx',
          decoderUrl: '/models/prompt_encoder_mask_decoder.onnx',
          imageUrl: '/image.png',
          encodeRuns: o.quick ? 1 : 3,
          decodeRuns: o.quick ? 5 : 20,
          point: CLICKS[0]!,
        },
      );
      out['browser.raw_encode_first_ms'] = raw.encode_first_ms!;
      out['browser.raw_encode_ms'] = raw.encode_ms!;
      out['browser.raw_decode_ms'] = raw.decode_ms!;
    } finally {
      await context.close();
    }
  } finally {
    await browser.close();
    await new Promise((r) => served.server.close(r));
  }
  return out;
}
