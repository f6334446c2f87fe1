/**
 * Browser smoke test of the real dist/ui.html: headless Chromium, the UI in a null-origin
 * iframe (sandbox="allow-scripts", as in Figma) inside a host page that plays Figma's side of
 * the protocol with canned messages; the analytic sam-hf model served from 127.0.0.1.
 *
 * It opens the UI, waits until it is ready (runtime started, model loaded, image encoded),
 * clicks the red disc, presses Enter and checks the `apply` message: a cutout PNG whose alpha,
 * placed at `rect`, matches the disc (IoU ≥ 0.95). No request may leave 127.0.0.1.
 * Screenshots (light, dark, empty state, batch setup) go to test-artifacts/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image/decode.js';
import { decodePng, encodePng } from '../../core/image/png.js';
import type { GrayImage } from '../../core/image/types.js';
import { maskIoU } from '../../core/masks/measure.js';
import { rasterizePaths } from '../../core/vector/index.js';
import { generateAnalyticModels, SALIENT_FILES, SAM_HF_FILES } from '../../models/analytic/index.js';
import { DEFAULT_SETTINGS } from '../../plugin/protocol.js';
import { buildUi, ensureTestUiBuilt, installRequestGuard, launchChromium, receivedMessages, startUiHarness, type RequestLog, type UiHarness } from '../helpers/ui-harness.js';
import { render, truth, type Shape } from '../helpers/synthetic.js';
import { CANNED_HOST_SCRIPT } from '../helpers/canned-host.js';

const ARTIFACTS = 'test-artifacts';
const JPEG_DIR = join(import.meta.dirname, '../image/jpeg-fixtures');
const WEBP_DIR = join(import.meta.dirname, '../image/webp-fixtures');
const W = 320;
const H = 240;
const SHAPES: Shape[] = [
  { kind: 'disc', cx: 110, cy: 125, r: 62, color: [220, 40, 40] },
  { kind: 'rect', x0: 205, y0: 50, x1: 290, y1: 190, color: [30, 90, 220] },
];
const DISC = 0;


describe('plugin UI in Chromium (null-origin iframe)', () => {
  let harness: UiHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let requests: RequestLog;
  let modelDir: string;
  const imageBytes = encodePng(render(W, H, [128, 128, 128], SHAPES));

  beforeAll(async () => {
    ensureTestUiBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    modelDir = mkdtempSync(join(tmpdir(), 'cutout-ui-'));
    const dirs = await generateAnalyticModels(modelDir);
    harness = await startUiHarness({
      hostScript: CANNED_HOST_SCRIPT,
      routes: { '/models/': { dir: dirs['sam-hf'] }, '/salient/': { dir: dirs.salient } },
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 392, height: 592 }, deviceScaleFactor: 2 });
    requests = await installRequestGuard(context);
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('[host page error]', e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.error(`[ui ${m.type()}]`, m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  });

  async function open(init: Record<string, unknown>, sources: unknown[], query = ''): Promise<Frame> {
    await page.goto(harness.url('/host.html'));
    await page.evaluate(
      (cfg) => {
        (window as unknown as { __hostConfig: unknown }).__hostConfig = cfg;
      },
      {
        init,
        sources,
        images: {
          '1:2': Buffer.from(imageBytes).toString('base64'),
          '1:3': Buffer.from('not an image').toString('base64'),
          '1:5': readFileSync(join(JPEG_DIR, 'scene-70x45-420.jpg')).toString('base64'),
          '1:6': readFileSync(join(WEBP_DIR, 'scene-37x23-lossy-alpha.webp')).toString('base64'),
        },
        batch: {
          sources: [source, { id: '1:3', name: 'Broken', width: 10, height: 10, origin: 'fill' }],
          skipped: [{ id: '1:4', name: 'Locked photo', reason: 'the layer is locked' }],
        },
      },
    );
    await page.evaluate((q) => (window as unknown as { __openUi(q: string): void }).__openUi(q), query);
    const handle = await page.waitForSelector('#frame');
    const frame = (await handle.contentFrame())!;
    await frame.waitForLoadState('domcontentloaded');
    return frame;
  }

  const initMessage = (command: 'cutout' | 'remove-bg') => ({
    type: 'init',
    version: 1,
    command,
    host: 'figma', // the canned host answers as plugin/figma does (the UI drops an init from an unknown host)
    settings: { ...DEFAULT_SETTINGS, modelId: 'analytic-sam-hf', salientModelId: 'analytic-salient' },
    models: [
      {
        id: 'analytic-salient',
        name: 'Analytic background model (test)',
        baseUrl: harness.url('/salient/'),
        files: [SALIENT_FILES.model, SALIENT_FILES.descriptor],
        kind: 'salient',
        license: 'MIT',
      },
      {
        id: 'analytic-sam-hf',
        name: 'Analytic SAM (test)',
        baseUrl: harness.url('/models/'),
        files: [SAM_HF_FILES.encoder, SAM_HF_FILES.decoder],
        license: 'MIT',
      },
    ],
  });
  const source = { id: '1:2', name: 'Shapes', width: W, height: H, origin: 'fill' };

  async function setTheme(frame: Frame, theme: 'light' | 'dark'): Promise<void> {
    await frame.evaluate((t) => {
      const c = document.documentElement.classList;
      c.remove('figma-light', 'figma-dark');
      c.add(`figma-${t}`);
    }, theme);
    await page.waitForTimeout(120);
  }

  it('JPEG and WebP fills are decoded by the worker to the pixels Node decodes (MozJPEG, libwebp wasm inlined)', async () => {
    for (const [id, file, width, height] of [
      ['1:5', join(JPEG_DIR, 'scene-70x45-420.jpg'), 70, 45],
      ['1:6', join(WEBP_DIR, 'scene-37x23-lossy-alpha.webp'), 37, 23],
    ] as const) {
      const frame = await open(initMessage('cutout'), [{ id, name: id, width, height, origin: 'fill' }]);
      const got = await frame.waitForFunction(
        () => {
          const app = (window as unknown as { __cutout: { app: { image?: { width: number; height: number; data: Uint8Array }; runtime?: { kind: string } } } }).__cutout?.app;
          return app?.image && app.runtime ? { kind: app.runtime.kind, width: app.image.width, height: app.image.height, data: Array.from(app.image.data) } : undefined;
        },
        undefined,
        { timeout: 120_000 },
      );
      const ui = (await got.jsonValue())!;
      expect(ui.kind, 'decoded in the worker').toBe('worker');
      const want = decodeImage(new Uint8Array(readFileSync(file)));
      expect([ui.width, ui.height]).toEqual([want.width, want.height]);
      expect(ui.data).toEqual(Array.from(want.data));
    }
  });

  it('opens, cuts out the clicked shape on Enter, and stays on 127.0.0.1', async () => {
    const frame = await open(initMessage('cutout'), [source]);
    await frame.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 45_000 });
    const times = await page.evaluate(() => (window as unknown as { __times: { open: number; ready: number } }).__times);
    const timeline: Record<string, number> = await frame.evaluate(() => {
      const t = (window as unknown as { __cutout: { timeline: Record<string, number> } }).__cutout.timeline;
      return { ...t, origin: performance.timeOrigin };
    });
    const pageOrigin = await page.evaluate(() => performance.timeOrigin);
    const readyInHost = timeline.ready! + timeline.origin - pageOrigin;
    const report = {
      openToReadyMessageMs: Math.round(times.ready - times.open),
      openToReadyForClicksMs: Math.round(readyInHost - times.open),
      ui: Object.fromEntries(Object.entries(timeline).filter(([k]) => k !== 'origin').map(([k, v]) => [k, Math.round(v as number)])),
      runtime: await frame.evaluate(() => (window as unknown as { __cutout: { app: { runtime: unknown } } }).__cutout.app.runtime),
      modelStore: await frame.evaluate(async () => (await (window as unknown as { __cutout: { app: { storeInfo: Promise<{ kind: string }> } } }).__cutout.app.storeInfo).kind),
    };
    console.log('[ui timing]', JSON.stringify(report));
    writeFileSync(join(ARTIFACTS, 'ui-timing.json'), JSON.stringify(report, null, 2));

    // Hover first: a preview appears without committing anything.
    const geo = await frame.evaluate(() => (window as unknown as { __cutout: { app: { canvas: { geometry: { x: number; y: number; scale: number } } } } }).__cutout.app.canvas.geometry);
    const at = (x: number, y: number) => ({ x: geo.x + x * geo.scale, y: geo.y + y * geo.scale });
    const canvas = frame.locator('#stage-canvas');
    await canvas.hover({ position: at(230, 100) });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-hover-light.png') });

    await canvas.click({ position: at(110, 125) });
    await frame.waitForFunction(() => !(document.getElementById('apply') as HTMLButtonElement).disabled, undefined, { timeout: 15_000 });
    await page.waitForTimeout(150);
    await setTheme(frame, 'light');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-light.png') });
    await setTheme(frame, 'dark');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-dark.png') });
    await setTheme(frame, 'light');

    await page.keyboard.press('Enter'); // focus is on the canvas since the click
    await page.waitForFunction(() => (window as unknown as { __applied: unknown[] }).__applied.length > 0, undefined, { timeout: 15_000 });
    const payload: Record<string, unknown> = await page.evaluate(() => {
      const p = (window as unknown as { __applied: Array<Record<string, unknown>> }).__applied[0]!;
      const png = p.png as Uint8Array;
      return { ...p, png: Array.from(png) };
    });
    expect(payload.sourceId).toBe('1:2');
    expect(payload.output).toBe('cutout');
    expect(payload.name).toBe('Cutout of Shapes');
    const png = decodePng(Uint8Array.from(payload.png as number[]));
    const rect = payload.rect as { x: number; y: number; width: number; height: number };
    // No downscaling at this size: the PNG is exactly the rect.
    expect(png.width).toBe(Math.round(rect.width));
    expect(png.height).toBe(Math.round(rect.height));
    const got: GrayImage = { width: W, height: H, data: new Uint8Array(W * H) };
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        const a = png.data[(y * png.width + x) * 4 + 3]!;
        if (a >= 128) got.data[(y + Math.round(rect.y)) * W + x + Math.round(rect.x)] = 255;
      }
    }
    const iou = maskIoU(got, truth(W, H, SHAPES, DISC));
    console.log('[ui apply]', JSON.stringify({ rect, png: [png.width, png.height], iou: Number(iou.toFixed(4)) }));
    expect(iou).toBeGreaterThanOrEqual(0.95);
    // Cut-out pixels keep the source colour.
    const mid = ((Math.round(125 - rect.y) * png.width + Math.round(110 - rect.x)) * 4) >>> 0;
    expect([png.data[mid], png.data[mid + 1], png.data[mid + 2], png.data[mid + 3]]).toEqual([220, 40, 40, 255]);

    await frame.waitForFunction(() => /Added/.test(document.getElementById('status')!.textContent ?? ''));
    const types = (await receivedMessages(page)).map((r) => r.msg.type);
    expect(types[0]).toBe('ready');
    expect(types).toContain('request-image');
    expect(types).toContain('apply');
    expect(requests.foreign).toEqual([]);
    expect(requests.all.some((u) => u.endsWith('/models/vision_encoder.onnx'))).toBe(true);
  });

  it('shows the empty state, and a failed download as a plain-language banner (screenshots)', async () => {
    const broken = initMessage('cutout');
    broken.models = [{ ...broken.models[1]!, baseUrl: harness.url('/no-such-folder/') }];
    const failing = await open(broken, [source]);
    await failing.waitForFunction(() => !document.getElementById('banner')!.hidden, undefined, { timeout: 20_000 });
    const banner = await failing.locator('#banner').innerText();
    expect(banner).toMatch(/Couldn't download the cut-out model/);
    expect(banner).toMatch(/Retry/);
    expect(banner).not.toMatch(/\n\s*at\s|\.(?:ts|js|mjs):\d+:\d+/); // no stack trace
    await setTheme(failing, 'light');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-error-light.png') });

    const frame = await open(initMessage('cutout'), [], '');
    await frame.waitForFunction(() => document.getElementById('app')!.dataset.view === 'empty');
    await setTheme(frame, 'light');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-empty-light.png') });
    await setTheme(frame, 'dark');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-empty-dark.png') });
    expect(requests.foreign).toEqual([]);
  });

  it('removes backgrounds in a batch: results stream, bad items are listed, nothing leaves 127.0.0.1', async () => {
    const frame = await open(initMessage('remove-bg'), [source]);
    await frame.waitForFunction(() => document.getElementById('app')!.dataset.view === 'batch');
    await setTheme(frame, 'light');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-batch-light.png') });
    await setTheme(frame, 'dark');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-batch-dark.png') });
    await setTheme(frame, 'light');
    await frame.locator('#apply').click();
    await page.waitForFunction(() => (window as unknown as { __batchEnd?: unknown }).__batchEnd !== undefined, undefined, { timeout: 30_000 });
    const result: { applied: Array<Record<string, unknown>>; end: Record<string, unknown> } = await page.evaluate(() => {
      const w = window as unknown as { __batchApplied: Array<Record<string, unknown>>; __batchEnd: Record<string, unknown> };
      return {
        applied: w.__batchApplied.map((p) => ({ ...p, png: Array.from(p.png as Uint8Array) })),
        end: w.__batchEnd,
      };
    });
    expect(result.applied).toHaveLength(1);
    const item = result.applied[0]!;
    expect(item.sourceId).toBe('1:2');
    const png = decodePng(Uint8Array.from(item.png as number[]));
    const rect = item.rect as { x: number; y: number; width: number; height: number };
    const got: GrayImage = { width: W, height: H, data: new Uint8Array(W * H) };
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        if (png.data[(y * png.width + x) * 4 + 3]! >= 128) got.data[(y + Math.round(rect.y)) * W + x + Math.round(rect.x)] = 255;
      }
    }
    // The analytic salient model keeps everything that is not background: both shapes.
    const both = truth(W, H, SHAPES, 0);
    const rectMask = truth(W, H, SHAPES, 1);
    for (let i = 0; i < both.data.length; i++) both.data[i] = both.data[i] || rectMask.data[i] ? 255 : 0;
    expect(maskIoU(got, both)).toBeGreaterThanOrEqual(0.97);
    expect(result.end.cancelled).toBe(false);
    // In a designer's words (the decoder's own message is on the list item's tooltip).
    expect(result.end.failures).toEqual([{ id: '1:3', name: 'Broken', message: "Couldn't read this layer's image. Try again, or export the layer as PNG and use that." }]);
    await frame.waitForFunction(() => !document.getElementById('batch-report')!.hidden);
    const report = await frame.locator('#batch-report').innerText();
    expect(report).toMatch(/1 background removed/);
    expect(report).toMatch(/Broken/);
    expect(report).toMatch(/Locked photo/);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-batch-done-light.png') });
    expect(requests.foreign).toEqual([]);
  });

  it('without a worker: a model named by the page URL, a box, undo/redo keys and a vector mask', async () => {
    // As the real main thread would send it: default settings (a registry model), no extra models.
    const init = { ...initMessage('cutout'), settings: DEFAULT_SETTINGS, models: undefined };
    const query = `?worker=0&modelBaseUrl=${encodeURIComponent(harness.url('/models/'))}&modelFiles=${SAM_HF_FILES.encoder},${SAM_HF_FILES.decoder}`;
    const frame = await open(init, [source], query);
    await frame.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 45_000 });
    const runtime = await frame.evaluate(() => (window as unknown as { __cutout: { app: { runtime: { kind: string } } } }).__cutout.app.runtime);
    expect(runtime.kind).toBe('main');
    const geo = await frame.evaluate(() => (window as unknown as { __cutout: { app: { canvas: { geometry: { x: number; y: number; scale: number } } } } }).__cutout.app.canvas.geometry);
    const box = (await frame.locator('#stage-canvas').boundingBox())!;
    const at = (x: number, y: number) => ({ x: box.x + geo.x + x * geo.scale, y: box.y + geo.y + y * geo.scale });
    // Drag a box around the blue rectangle.
    const a = at(198, 42);
    const b = at(297, 198);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
    await page.mouse.move(b.x, b.y, { steps: 4 });
    await page.mouse.up();
    const applyEnabled = () => frame.evaluate(() => !(document.getElementById('apply') as HTMLButtonElement).disabled);
    await frame.waitForFunction(() => !(document.getElementById('apply') as HTMLButtonElement).disabled, undefined, { timeout: 15_000 });
    await page.keyboard.press('Control+z');
    expect(await applyEnabled()).toBe(false);
    await page.keyboard.press('Control+Shift+z');
    await frame.waitForFunction(() => !(document.getElementById('apply') as HTMLButtonElement).disabled, undefined, { timeout: 15_000 });
    await frame.locator('#output button[data-value="vector-mask"]').click();
    expect(await frame.locator('#apply').innerText()).toBe('Apply vector mask');
    await frame.locator('#apply').click();
    await page.waitForFunction(() => (window as unknown as { __applied: unknown[] }).__applied.length > 0, undefined, { timeout: 15_000 });
    const payload: { output: string; paths: Array<{ windingRule: 'EVENODD' | 'NONZERO'; data: string }>; png?: unknown } = await page.evaluate(
      () => (window as unknown as { __applied: Array<never> }).__applied[0]!,
    );
    expect(payload.output).toBe('vector-mask');
    expect(payload.png).toBeUndefined();
    const raster = rasterizePaths(payload.paths, W, H);
    const iou = maskIoU(raster, truth(W, H, SHAPES, 1));
    console.log('[ui vector]', JSON.stringify({ paths: payload.paths.length, chars: payload.paths[0]!.data.length, iou: Number(iou.toFixed(4)) }));
    expect(iou).toBeGreaterThanOrEqual(0.95);
    expect(requests.foreign).toEqual([]);
  });

  it('CDN build: fetches the pinned runtime, checks its sha256 and refuses a tampered copy', async () => {
    const out = join(modelDir, 'ui-cdn.html');
    buildUi({ wasm: 'cdn', out });
    const html = readFileSync(out);
    expect(html.length).toBeLessThan(2_000_000); // no inlined runtime
    harness.server.setRoute('/ui-cdn.html', { body: html, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    const wasm = readFileSync('node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm');
    const version = JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8')).version as string;

    const ctx = await browser.newContext({ viewport: { width: 392, height: 592 } });
    const guard = await installRequestGuard(ctx);
    let served: Uint8Array = wasm;
    const cdn: string[] = [];
    // Registered after the guard, so it runs first: the CDN answers from this machine.
    await ctx.route('https://cdn.jsdelivr.net/**', (route) => {
      cdn.push(route.request().url());
      return route.fulfill({ status: 200, body: Buffer.from(served), headers: { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/wasm' } });
    });
    const p = await ctx.newPage();
    const run = async () => {
      await p.goto(harness.url('/host.html'));
      await p.evaluate(
        (cfg) => {
          (window as unknown as { __hostConfig: unknown }).__hostConfig = cfg;
        },
        { init: initMessage('cutout'), sources: [source], images: { '1:2': Buffer.from(imageBytes).toString('base64') }, batch: { sources: [], skipped: [] } },
      );
      await p.evaluate(() => (window as unknown as { __openUi(q: string, path: string): void }).__openUi('', '/ui-cdn.html'));
      return (await (await p.waitForSelector('#frame')).contentFrame())!;
    };
    try {
      let frame = await run();
      await frame.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 45_000 });
      expect(cdn).toEqual([`https://cdn.jsdelivr.net/npm/onnxruntime-web@${version}/dist/ort-wasm-simd-threaded.wasm`]);

      const tampered = Uint8Array.from(wasm);
      tampered[tampered.length >> 1] ^= 0xff;
      served = tampered;
      frame = await run();
      await frame.waitForFunction(() => !document.getElementById('banner')!.hidden, undefined, { timeout: 20_000 });
      const banner = await frame.locator('#banner').innerText();
      expect(banner).toMatch(/Cutout's engine arrived damaged/);
      await frame.locator('#banner-more').click();
      expect(await frame.locator('#banner-details-text').innerText()).toMatch(/sha256|checksum/);
      expect(await frame.evaluate(() => document.documentElement.dataset.cutoutReady)).toBeUndefined();
      expect(guard.foreign).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});
