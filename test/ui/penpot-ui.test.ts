/**
 * The real dist/ui.html as Penpot hosts it: `ui.html?host=penpot&theme=…` in a null-origin
 * iframe (sandbox="allow-scripts": the strictest case; Penpot may add allow-same-origin), with
 * Penpot's message bridge: `penpot.ui.sendMessage(msg)` arrives as `event.data === msg` and the
 * UI's `parent.postMessage(msg, '*')` reaches `penpot.ui.onMessage` as is — no {pluginMessage}
 * envelope. A canned host script answers like the Penpot adapter would; the analytic models
 * are served from 127.0.0.1 and no request may leave it.
 *
 * Checks: raw messages both ways; the theme from the URL, `init.theme` and `theme` messages
 * (Penpot's palette, legible in light and dark: screenshots test-artifacts/ui-penpot-*.png);
 * `notice` messages in the banner (info auto-dismissed, errors kept); the mode switch (tabs
 * from menuCommands(), click, arrows, Alt+digit; off while a batch runs).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../core/image/png.js';
import { generateAnalyticModels, SALIENT_FILES, SAM_HF_FILES } from '../../models/analytic/index.js';
import { menuCommands } from '../../plugin/commands.js';
import { DEFAULT_SETTINGS } from '../../plugin/protocol.js';
import { ensureTestUiBuilt, installRequestGuard, launchChromium, startUiHarness, type RequestLog, type UiHarness } from '../helpers/ui-harness.js';
import { render, type Shape } from '../helpers/synthetic.js';
import { CANNED_HOST_SCRIPT } from '../helpers/canned-host.js';

const ARTIFACTS = 'test-artifacts';
const W = 320;
const H = 240;
const SHAPES: Shape[] = [
  { kind: 'disc', cx: 110, cy: 125, r: 62, color: [220, 40, 40] },
  { kind: 'rect', x0: 205, y0: 50, x1: 290, y1: 190, color: [30, 90, 220] },
];

/** Penpot's side of the bridge: raw messages (see the module comment). */
const HOST_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Cutout in a Penpot-like host</title>
<style>html,body{margin:0;background:#e8eaee}#frame{display:block;margin:16px;border:0;border-radius:8px;overflow:hidden}</style>
</head><body>
<script>
(() => {
  const iframe = document.createElement('iframe');
  iframe.id = 'frame';
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.width = '360';
  iframe.height = '600';
  const received = [];
  window.__received = received;
  const host = {
    onmessage: null,
    // penpot.ui.sendMessage: the message itself, no envelope
    postMessage(msg) { iframe.contentWindow.postMessage(msg, '*'); },
  };
  window.__host = host;
  window.addEventListener('message', (e) => {
    if (e.source !== iframe.contentWindow) return;
    received.push(e.data);
    const msg = e.data;
    if (msg && typeof msg.type === 'string' && typeof host.onmessage === 'function') host.onmessage(msg);
  });
  window.__openUi = (query) => {
    iframe.src = '/ui.html' + (query || '');
    if (!iframe.isConnected) document.body.appendChild(iframe);
  };
})();
</script>
<script src="/host.js"></script>
</body></html>`;


type Rgb = [number, number, number];

describe('plugin UI hosted by Penpot (raw messages, its theme, notices, mode switch)', () => {
  let harness: UiHarness;
  let browser: Browser;
  let page: Page;
  let requests: RequestLog;
  let modelDir: string;
  const image = Buffer.from(encodePng(render(W, H, [128, 128, 128], SHAPES))).toString('base64');
  const source = { id: '1:2', name: 'Shapes', width: W, height: H, origin: 'export' };

  beforeAll(async () => {
    ensureTestUiBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    modelDir = mkdtempSync(join(tmpdir(), 'cutout-penpot-ui-'));
    const dirs = await generateAnalyticModels(modelDir);
    harness = await startUiHarness({
      hostScript: CANNED_HOST_SCRIPT,
      routes: {
        '/host.html': { body: HOST_PAGE, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
        '/models/': { dir: dirs['sam-hf'] },
        '/salient/': { dir: dirs.salient },
      },
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 400, height: 640 }, deviceScaleFactor: 2 });
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

  const init = (command: 'cutout' | 'remove-bg', theme?: 'light' | 'dark') => ({
    type: 'init',
    version: 1,
    command,
    host: 'penpot',
    ...(theme ? { theme } : {}),
    settings: { ...DEFAULT_SETTINGS, modelId: 'analytic-sam-hf', salientModelId: 'analytic-salient' },
    models: [
      { id: 'analytic-salient', name: 'Analytic background model (test)', baseUrl: harness.url('/salient/'), files: [SALIENT_FILES.model, SALIENT_FILES.descriptor], kind: 'salient', license: 'MIT' },
      { id: 'analytic-sam-hf', name: 'Analytic SAM (test)', baseUrl: harness.url('/models/'), files: [SAM_HF_FILES.encoder, SAM_HF_FILES.decoder], license: 'MIT' },
    ],
  });

  async function open(cfg: { init: unknown; sources: unknown[]; holdBatch?: boolean }, query: string): Promise<Frame> {
    await page.goto(harness.url('/host.html'));
    await page.evaluate((c) => ((window as unknown as { __hostConfig: unknown }).__hostConfig = c), { ...cfg, image, batch: { sources: cfg.sources, skipped: [] } });
    await page.evaluate((q) => (window as unknown as { __openUi(q: string): void }).__openUi(q), query);
    const frame = (await (await page.waitForSelector('#frame')).contentFrame())!;
    await frame.waitForLoadState('domcontentloaded');
    return frame;
  }

  const post = (msg: unknown) => page.evaluate((m) => (window as unknown as { __host: { postMessage(m: unknown): void } }).__host.postMessage(m), msg);
  const view = (frame: Frame) => frame.evaluate(() => document.getElementById('app')!.dataset.view);
  const shot = async (name: string) => {
    await page.waitForTimeout(150);
    await page.locator('#frame').screenshot({ path: join(ARTIFACTS, name) });
  };
  /** Page background and text colour, and the html classes. */
  const look = (frame: Frame) =>
    frame.evaluate(() => {
      const rgb = (c: string) => (c.match(/\d+/g) ?? []).slice(0, 3).map(Number);
      const cs = getComputedStyle(document.body);
      return { bg: rgb(cs.backgroundColor), text: rgb(cs.color), classes: document.documentElement.className };
    }) as Promise<{ bg: Rgb; text: Rgb; classes: string }>;
  const luminance = ([r, g, b]: Rgb) => {
    const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const contrast = (a: Rgb, b: Rgb) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
    return (hi + 0.05) / (lo + 0.05);
  };

  it('talks without an envelope and follows the theme of the URL, init and theme messages (screenshots)', async () => {
    const frame = await open({ init: init('cutout', 'light'), sources: [source] }, '?host=penpot&theme=light');
    await frame.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 45_000 });
    const received = await page.evaluate(() => (window as unknown as { __received: Array<Record<string, unknown>> }).__received);
    expect(received[0]).toEqual({ type: 'ready', version: 1 });
    expect(received.some((m) => m.type === 'request-image')).toBe(true);
    expect(received.every((m) => typeof m.type === 'string' && !('pluginMessage' in m))).toBe(true);

    // Click the disc so the screenshots show a mask, the candidates and an enabled Apply.
    const geo = await frame.evaluate(() => (window as unknown as { __cutout: { app: { canvas: { geometry: { x: number; y: number; scale: number } } } } }).__cutout.app.canvas.geometry);
    await frame.locator('#stage-canvas').click({ position: { x: geo.x + 110 * geo.scale, y: geo.y + 125 * geo.scale } });
    await frame.waitForFunction(() => !(document.getElementById('apply') as HTMLButtonElement).disabled, undefined, { timeout: 15_000 });

    const light = await look(frame);
    expect(light.classes).toContain('host-penpot');
    expect(light.classes).toContain('theme-light');
    expect(light.bg).toEqual([255, 255, 255]);
    expect(contrast(light.bg, light.text)).toBeGreaterThan(12);
    await shot('ui-penpot-light.png');

    await post({ type: 'theme', theme: 'dark' });
    await frame.waitForFunction(() => document.documentElement.classList.contains('theme-dark'));
    const dark = await look(frame);
    expect(dark.classes).not.toContain('theme-light');
    expect(dark.bg).toEqual([24, 24, 26]); // Penpot's dark background
    expect(contrast(dark.bg, dark.text)).toBeGreaterThan(12);
    // The primary button stays legible on Penpot's dark accent.
    const button = await frame.evaluate(() => {
      const rgb = (c: string) => (c.match(/\d+/g) ?? []).slice(0, 3).map(Number);
      const cs = getComputedStyle(document.getElementById('apply')!);
      return { bg: rgb(cs.backgroundColor), text: rgb(cs.color) };
    });
    expect(contrast(button.bg as Rgb, button.text as Rgb)).toBeGreaterThan(7);
    await shot('ui-penpot-dark.png');

    await post({ type: 'theme', theme: 'sepia' }); // not a theme: ignored
    await post({ type: 'theme', theme: 'light' });
    await frame.waitForFunction(() => document.documentElement.classList.contains('theme-light'));
    expect((await look(frame)).bg).toEqual([255, 255, 255]);

    // init.theme wins over the URL's.
    const second = await open({ init: init('cutout', 'dark'), sources: [] }, '?host=penpot&theme=light');
    await second.waitForFunction(() => document.getElementById('app')!.dataset.view === 'empty');
    await second.waitForFunction(() => document.documentElement.classList.contains('theme-dark'));
    await shot('ui-penpot-empty-dark.png');
    expect(requests.foreign).toEqual([]);
  });

  it('shows notice messages: info goes away by itself, an error stays', async () => {
    const frame = await open({ init: init('cutout', 'dark'), sources: [] }, '?host=penpot&theme=dark');
    await frame.waitForFunction(() => document.getElementById('app')!.dataset.view === 'empty');
    await page.mouse.move(2, 2);
    await post({ type: 'notice', message: '3 backgrounds removed · 1 skipped.' });
    await frame.waitForFunction(() => !document.getElementById('banner')!.hidden);
    const info = await frame.evaluate(() => {
      const b = document.getElementById('banner')!;
      return { text: b.innerText.trim(), info: b.classList.contains('info'), role: b.getAttribute('role') };
    });
    expect(info).toEqual({ text: '3 backgrounds removed · 1 skipped.', info: true, role: 'status' });
    await shot('ui-penpot-notice-dark.png');
    await frame.waitForFunction(() => document.getElementById('banner')!.hidden, undefined, { timeout: 12_000 });

    await post({ type: 'notice', message: 'Could not insert “Photo”: the layer is locked.', error: true });
    await frame.waitForFunction(() => !document.getElementById('banner')!.hidden);
    const error = await frame.evaluate(() => {
      const b = document.getElementById('banner')!;
      return { text: b.innerText.trim(), info: b.classList.contains('info'), role: b.getAttribute('role') };
    });
    expect(error).toEqual({ text: 'Could not insert “Photo”: the layer is locked.', info: false, role: 'alert' });
    await post({ type: 'theme', theme: 'light' });
    await shot('ui-penpot-notice-error-light.png');
    await page.waitForTimeout(6000);
    expect(await frame.evaluate(() => document.getElementById('banner')!.hidden)).toBe(false);
    await frame.locator('#banner-close').click();
    expect(await frame.evaluate(() => document.getElementById('banner')!.hidden)).toBe(true);
  });

  it('switches between the menu commands like reopening with them (click, arrows, Alt+digit)', async () => {
    const frame = await open({ init: init('cutout', 'light'), sources: [source], holdBatch: true }, '?host=penpot&theme=light');
    await frame.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 45_000 });
    const tabs = () =>
      frame.evaluate(() =>
        [...document.querySelectorAll<HTMLButtonElement>('#modes [role="tab"]')].map((b) => ({
          label: b.textContent,
          selected: b.getAttribute('aria-selected') === 'true',
          disabled: b.disabled,
        })),
      );
    expect((await tabs()).map((t) => t.label)).toEqual(menuCommands().map((c) => c.label));
    expect((await tabs()).map((t) => t.selected)).toEqual([true, false, false]);
    const modelOptions = () => frame.evaluate(() => [...document.querySelectorAll<HTMLInputElement>('#model-list input[name="model"]')].map((o) => o.value));
    expect(await modelOptions()).toContain('analytic-sam-hf');

    await frame.locator('#mode-remove-bg').click();
    expect(await view(frame)).toBe('batch');
    expect((await tabs()).map((t) => t.selected)).toEqual([false, true, false]);
    expect(await modelOptions()).toContain('analytic-salient');
    expect(await modelOptions()).not.toContain('analytic-sam-hf');
    await frame.waitForFunction(() => document.getElementById('status')!.textContent === 'Originals stay untouched.', undefined, { timeout: 20_000 });
    expect(await frame.locator('#apply').innerText()).toMatch(/^Remove (backgrounds|background|\d+ backgrounds)$/);
    await shot('ui-penpot-batch-light.png');

    // Back with the keyboard: the image is still there and analysed (no reload).
    const imageRequests = async () =>
      (await page.evaluate(() => (window as unknown as { __received: Array<{ type: string }> }).__received)).filter((m) => m.type === 'request-image').length;
    const before = await imageRequests();
    await page.keyboard.press('Alt+Digit1');
    expect(await view(frame)).toBe('cutout');
    expect(await frame.evaluate(() => document.getElementById('status')!.textContent)).toBe('Click the object you want to keep.');
    expect(await imageRequests()).toBe(before);

    // Nothing selected: Cut out shows the empty state, as opening it would.
    await post({ type: 'selection', sources: [], problems: [] });
    await frame.waitForFunction(() => document.getElementById('app')!.dataset.view === 'empty');
    await page.keyboard.press('Alt+Digit2');
    expect(await view(frame)).toBe('batch');
    await frame.locator('#mode-remove-bg').focus();
    await page.keyboard.press('ArrowLeft');
    expect(await view(frame)).toBe('empty');
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('mode-cutout');
    await page.keyboard.press('ArrowRight');
    expect(await view(frame)).toBe('batch');

    // A running batch cannot be left: the tabs are off until it ends.
    await post({ type: 'selection', sources: [source], problems: [] });
    await frame.locator('#apply').click();
    await frame.waitForFunction(() => (document.querySelector('#modes [role="tab"]') as HTMLButtonElement).disabled);
    await page.keyboard.press('Alt+Digit1');
    expect(await view(frame)).toBe('batch');
    await page.evaluate(() => (window as unknown as { __releaseBatch(): void }).__releaseBatch());
    await frame.waitForFunction(() => !document.getElementById('batch-report')!.hidden, undefined, { timeout: 30_000 });
    expect((await tabs()).every((t) => !t.disabled)).toBe(true);
    // Leaving and coming back starts a new batch setup, like reopening the command.
    await page.keyboard.press('Alt+Digit1');
    expect(await view(frame)).toBe('cutout');
    await page.keyboard.press('Alt+Digit2');
    expect(await view(frame)).toBe('batch');
    expect(await frame.evaluate(() => !document.getElementById('batch-setup')!.hidden)).toBe(true);
    expect(requests.foreign).toEqual([]);
  });
});
