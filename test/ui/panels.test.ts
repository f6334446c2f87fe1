/**
 * The panels as a designer meets them, in Chromium with the real dist/ui.html in a null-origin
 * iframe: every state in light and dark at 360×600, at a larger size and at the minimum size,
 * saved under test-results/screenshots/ (listed in the README's development section).
 *
 * Asserted in every state and size: no text is clipped (each text element's scrollWidth ≤ its
 * clientWidth) and the primary button is inside the window. Asserted once: the resize corner
 * asks the host for sizes within the limits and the last one is remembered; mask thumbnails
 * named by size, largest first, the default chosen by score and stability; the model choice is
 * Fast / Best behind the settings button with every model's size and licence a click away; the
 * remove-background panel counts each scope's images, shows placeholders then thumbnails while
 * running, and its summary's thumbnails select their result; the empty state says its sentence
 * once; "Analyzing" is never in the footer; a hidden layer of a multi-selection is named as
 * skipped.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../core/image/png.js';
import { generateAnalyticModels, SALIENT_FILES, SAM_HF_FILES } from '../../models/analytic/index.js';
import { DEFAULT_SETTINGS, MIN_UI_SIZE } from '../../plugin/protocol.js';
import { ensureTestUiBuilt, installRequestGuard, launchChromium, receivedMessages, startUiHarness, type RequestLog, type UiHarness } from '../helpers/ui-harness.js';
import { render, type Shape } from '../helpers/synthetic.js';
import { CANNED_HOST_SCRIPT } from '../helpers/canned-host.js';

export const SCREENSHOTS = 'test-results/screenshots';
const W = 320;
const H = 240;
const SHAPES: Shape[] = [
  { kind: 'disc', cx: 110, cy: 125, r: 62, color: [220, 40, 40] },
  { kind: 'rect', x0: 205, y0: 50, x1: 290, y1: 190, color: [30, 90, 220] },
];

/** Sizes every state is pictured and checked at. */
const SIZES = [
  { name: '360x600', width: 360, height: 600 },
  { name: '560x760', width: 560, height: 760 },
  { name: 'min', width: MIN_UI_SIZE.width, height: MIN_UI_SIZE.height },
];


/** Text elements whose content is wider than their box (clipped or ellipsized), as "id/class: text". */
async function clippedText(frame: Frame): Promise<string[]> {
  return frame.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      if (el instanceof SVGElement || el.tagName === 'SELECT' || el.tagName === 'OPTION' || el.tagName === 'CANVAS' || el.tagName === 'INPUT') continue;
      const hasText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
      if (!hasText || !el.getClientRects().length || el.closest('.visually-hidden')) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden') continue;
      if (el.scrollWidth > el.clientWidth + 1 && style.display !== 'inline') out.push(`${el.id || el.className || el.tagName}: ${el.textContent!.trim().slice(0, 60)}`);
    }
    return out;
  });
}

/**
 * The primary button, where the view has one, lies inside the window, is what a click there
 * hits, and nothing of the content spills over the footer (the content scrolls instead).
 */
async function applyVisible(frame: Frame): Promise<boolean> {
  return frame.evaluate(() => {
    const main = document.querySelector<HTMLElement>('.main')!;
    const spills = main.scrollHeight > main.clientHeight + 1 && !/auto|scroll/.test(getComputedStyle(main).overflowY);
    if (spills) return false;
    const b = document.getElementById('apply')!;
    if (getComputedStyle(b).display === 'none') return true;
    const r = b.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth && !!hit && b.contains(hit);
  });
}

describe('panels: screenshots and layout in every state', () => {
  let harness: UiHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let requests: RequestLog;
  let modelDir: string;
  const imageBytes = encodePng(render(W, H, [128, 128, 128], SHAPES));
  const source = { id: '1:2', name: 'Shapes', width: W, height: H, origin: 'fill' };
  const second = { id: '1:5', name: 'Shapes with a much longer layer name that has to wrap somewhere', width: W, height: H, origin: 'fill' };

  beforeAll(async () => {
    ensureTestUiBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    modelDir = mkdtempSync(join(tmpdir(), 'cutout-panels-'));
    const dirs = await generateAnalyticModels(modelDir);
    harness = await startUiHarness({ hostScript: CANNED_HOST_SCRIPT, routes: { '/models/': { dir: dirs['sam-hf'] }, '/salient/': { dir: dirs.salient } } });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 600, height: 800 }, deviceScaleFactor: 2 });
    requests = await installRequestGuard(context);
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('[host page error]', e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  });

  const init = (command: 'cutout' | 'remove-bg') => ({
    type: 'init',
    version: 1,
    command,
    host: 'figma',
    settings: { ...DEFAULT_SETTINGS, modelId: 'analytic-sam-hf', salientModelId: 'analytic-salient' },
    models: [
      { id: 'analytic-salient', name: 'Analytic background model (test)', baseUrl: harness.url('/salient/'), files: [SALIENT_FILES.model, SALIENT_FILES.descriptor], kind: 'salient', license: 'MIT' },
      { id: 'analytic-sam-hf', name: 'Analytic SAM (test)', baseUrl: harness.url('/models/'), files: [SAM_HF_FILES.encoder, SAM_HF_FILES.decoder], license: 'MIT' },
    ],
  });

  async function open(cfg: { command: 'cutout' | 'remove-bg'; sources: unknown[]; problems?: string[]; holdImage?: string }): Promise<Frame> {
    await page.goto(harness.url('/host.html'));
    const png = Buffer.from(imageBytes).toString('base64');
    await page.evaluate(
      (c) => {
        (window as unknown as { __hostConfig: unknown }).__hostConfig = c;
      },
      {
        init: init(cfg.command),
        sources: cfg.sources,
        problems: cfg.problems ?? [],
        holdImage: cfg.holdImage,
        images: { '1:2': png, '1:5': png, '1:6': png, '1:7': png },
        counts: { selection: 1, page: 3, file: 12 },
        batch: {
          sources: [source, { ...source, id: '1:6', name: 'Second photo' }, { ...source, id: '1:7', name: 'Third photo' }],
          skipped: [{ id: '1:4', name: 'Locked photo', reason: 'is locked' }],
        },
      },
    );
    await resizeTo(SIZES[0]!);
    await page.evaluate(() => (window as unknown as { __openUi(q: string): void }).__openUi(''));
    const frame = (await (await page.waitForSelector('#frame')).contentFrame())!;
    await frame.waitForLoadState('domcontentloaded');
    await frame.evaluate(() => {
      // Every footer line the session shows, to check what it never says.
      const seen: string[] = [];
      (window as unknown as { __statusSeen: string[] }).__statusSeen = seen;
      const status = document.getElementById('status')!;
      new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
    });
    return frame;
  }

  async function resizeTo(size: { width: number; height: number }): Promise<void> {
    await page.evaluate((s) => {
      const f = document.getElementById('frame') as HTMLIFrameElement | null;
      if (f) {
        f.width = String(s.width);
        f.height = String(s.height);
      }
    }, size);
    await page.waitForTimeout(60);
  }

  async function setTheme(frame: Frame, theme: 'light' | 'dark'): Promise<void> {
    await frame.evaluate((t) => {
      const c = document.documentElement.classList;
      c.remove('figma-light', 'figma-dark');
      c.add(`figma-${t}`);
    }, theme);
    await page.waitForTimeout(80);
  }

  /** Pictures `state` in both themes at every size, checking clipping and Apply each time. */
  async function capture(frame: Frame, state: string): Promise<void> {
    const problems: string[] = [];
    for (const size of SIZES) {
      await resizeTo(size);
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(frame, theme);
        await (await page.$('#frame'))!.screenshot({ path: join(SCREENSHOTS, `${state}-${size.name}-${theme}.png`) });
      }
      for (const c of await clippedText(frame)) problems.push(`${state} at ${size.name}: clipped ${c}`);
      if (!(await applyVisible(frame))) problems.push(`${state} at ${size.name}: Apply is outside the window`);
      // the hint over the image stays one line (it would cover the image)
      const hint = await frame.evaluate(() => document.querySelector<HTMLElement>('#stage-hint span')?.offsetHeight ?? 0);
      if (hint > 20) problems.push(`${state} at ${size.name}: the canvas hint wraps over the image`);
    }
    await resizeTo(SIZES[0]!);
    await setTheme(frame, 'light');
    expect(problems).toEqual([]);
  }

  const ready = (frame: Frame) => frame.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 45_000 });

  it('empty state: one sentence, said once', async () => {
    const frame = await open({ command: 'cutout', sources: [] });
    await frame.waitForFunction(() => document.getElementById('app')!.dataset.view === 'empty');
    const text = await frame.locator('#view-empty').innerText();
    expect(text.match(/select/gi)).toHaveLength(1);
    await capture(frame, 'empty');
  });

  it('cut out: mask thumbnails named by size, largest first; the default by score and stability; keys follow the order shown', async () => {
    const frame = await open({ command: 'cutout', sources: [source] });
    await ready(frame);
    const geo = await frame.evaluate(() => (window as unknown as { __cutout: { app: { canvas: { geometry: { x: number; y: number; scale: number } } } } }).__cutout.app.canvas.geometry);
    await frame.locator('#stage-canvas').click({ position: { x: geo.x + 110 * geo.scale, y: geo.y + 125 * geo.scale } });
    await frame.waitForFunction(() => document.querySelectorAll('#candidates .candidate').length >= 2, undefined, { timeout: 15_000 });
    const tiles = await frame.evaluate(() =>
      [...document.querySelectorAll<HTMLButtonElement>('#candidates .candidate')].map((b) => ({
        index: Number(b.dataset.index),
        name: b.querySelector('.candidate-name')!.textContent,
        score: b.querySelector('.candidate-score')!.textContent,
        checked: b.getAttribute('aria-checked') === 'true',
        // how much of the thumbnail is at full strength: the mask's share of it
        shown: (() => {
          const c = b.querySelector('canvas')!;
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i] === 255) n++;
          return n;
        })(),
      })),
    );
    expect(tiles.map((t) => t.name)).toEqual(['Whole', 'Part', 'Detail']);
    for (const t of tiles) expect(t.score).toMatch(/^\d{1,3}%$/);
    // largest first, as the names say
    for (let i = 1; i < tiles.length; i++) expect(tiles[i - 1]!.shown).toBeGreaterThanOrEqual(tiles[i]!.shown);
    expect(tiles[0]!.shown).toBeGreaterThan(tiles[2]!.shown);
    // exactly one is chosen, and it is the one the app applies
    expect(tiles.filter((t) => t.checked)).toHaveLength(1);
    const selected = await frame.evaluate(() => (window as unknown as { __cutout: { app: { history: { current: { prediction: { selected: number } } } } } }).__cutout.app.history.current.prediction.selected);
    expect(tiles.find((t) => t.checked)!.index).toBe(selected);
    await capture(frame, 'cutout-masks');
    // smaller than the minimum (a host that ignores it): the content scrolls, Apply stays
    await resizeTo({ width: 300, height: 200 });
    expect(await applyVisible(frame)).toBe(true);
    await (await page.$('#frame'))!.screenshot({ path: join(SCREENSHOTS, 'cutout-masks-300x200-light.png') });
    await resizeTo(SIZES[0]!);
    // key 3 picks the third tile shown (the detail), whatever the model's order
    await frame.locator('#stage-canvas').focus();
    await page.keyboard.press('3');
    expect(await frame.evaluate(() => document.querySelector('#candidates .candidate[aria-checked="true"] .candidate-name')!.textContent)).toBe('Detail');
    const status: string[] = await frame.evaluate(() => (window as unknown as { __statusSeen: string[] }).__statusSeen);
    expect(status.some((t) => /analy[sz]ing/i.test(t))).toBe(false);
    expect(requests.foreign).toEqual([]);
  });

  it('the model: no picker in the header; Fast / Best and every model with size and licence behind the settings button', async () => {
    const frame = await open({ command: 'cutout', sources: [source] });
    await ready(frame);
    const header = await frame.locator('header').innerText();
    expect(header).not.toMatch(/MB|Apache|MIT|CPU|On device/);
    expect(await frame.locator('#settings-panel').isHidden()).toBe(true);
    await frame.locator('#settings-toggle').click();
    expect(await frame.locator('#settings-toggle').getAttribute('aria-expanded')).toBe('true');
    expect(await frame.locator('#quality button[data-value="fast"]').innerText()).toBe('Fast');
    expect(await frame.locator('#quality button[data-value="best"]').innerText()).toBe('Best');
    // the URL model in use is neither: nothing checked, its size and licence shown
    expect(await frame.locator('#quality [aria-checked="true"]').count()).toBe(0);
    expect(await frame.locator('#quality-detail').innerText()).toMatch(/Analytic SAM \(test\) · size unknown · MIT/);
    expect(await frame.locator('#runtime-note').innerText()).toMatch(/Runs on this computer \(CPU\)/);
    await frame.locator('#advanced-models summary').click();
    const rows = await frame.locator('#model-list .model-option').allInnerTexts();
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const r of rows.slice(0, -1)) expect(r).toMatch(/MB download · (Apache-2\.0|MIT)/);
    await capture(frame, 'settings');
    // Best picks the registry's best model and saves it
    await frame.locator('#quality button[data-value="best"]').click();
    await page.waitForFunction(() => (window as unknown as { __received: Array<{ msg: { type: string; settings?: { modelId: string } } }> }).__received.some((r) => r.msg.type === 'save-settings' && r.msg.settings?.modelId === 'sam2.1-tiny-hf-q8'), undefined, { timeout: 5000 });
    expect(await frame.locator('#quality button[data-value="best"]').getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('Escape');
    expect(await frame.locator('#settings-panel').isHidden()).toBe(true);
    // Best started its download (from its registry host, which this test keeps off the network)
    expect(requests.foreign.length).toBeGreaterThan(0);
    expect(requests.foreign.every((u) => u.includes('sam2.1-hiera-tiny'))).toBe(true);
    requests.foreign.length = 0;
  });

  it('a multi-selection names the hidden layer it skipped; long names wrap', async () => {
    const frame = await open({ command: 'cutout', sources: [source, second], problems: ['“Ghost” is hidden: show it to cut out from it.'] });
    await ready(frame);
    expect(await frame.locator('#source-skipped').innerText()).toBe('Skipped: “Ghost” is hidden: show it to cut out from it.');
    await capture(frame, 'cutout-skipped');
  });

  it('remove background: counts per scope, placeholders then thumbnails while running, a summary whose thumbnails select their result', async () => {
    const frame = await open({ command: 'remove-bg', sources: [source], holdImage: '1:7' });
    await frame.waitForFunction(() => /image/.test(document.getElementById('scope-count-page')!.textContent ?? ''), undefined, { timeout: 20_000 });
    expect(await frame.locator('#scope-count-selection').innerText()).toBe('· 1 image');
    expect(await frame.locator('#scope-count-page').innerText()).toBe('· 3 images');
    // all pages: counted once chosen (the host loads every page for it)
    expect(await frame.locator('#scope-count-file').innerText()).toBe('');
    expect(await frame.locator('#apply').innerText()).toBe('Remove background');
    await frame.locator('input[name="scope"][value="file"]').check();
    await frame.waitForFunction(() => document.getElementById('scope-count-file')!.textContent === '· 12 images', undefined, { timeout: 10_000 });
    expect(await frame.locator('#apply').innerText()).toBe('Remove 12 backgrounds');
    const asked = (await receivedMessages(page)).filter((r) => r.msg.type === 'batch-count').map((r) => r.msg.scopes);
    expect(asked.at(-1)).toEqual(['selection', 'page', 'file']);
    expect(asked.slice(0, -1).every((x) => !(x as string[]).includes('file'))).toBe(true);
    await frame.locator('input[name="scope"][value="page"]').check();
    expect(await frame.locator('#apply').innerText()).toBe('Remove 3 backgrounds');
    expect(await frame.locator('#view-batch').innerText()).toMatch(/Sharper edges \(slower\)/);
    expect(await frame.locator('#threshold').count()).toBe(0);
    await capture(frame, 'batch-setup');

    await frame.locator('#apply').click();
    // two results in, the third held back: the panel shows them and the waiting one
    await frame.waitForFunction(() => document.querySelectorAll('#batch-thumbs img').length === 2, undefined, { timeout: 30_000 });
    expect(await frame.locator('#batch-thumbs li.pending').count()).toBe(1);
    await capture(frame, 'batch-running');
    await page.evaluate(() => (window as unknown as { __release(): void }).__release());
    await frame.waitForFunction(() => !document.getElementById('batch-report')!.hidden, undefined, { timeout: 30_000 });
    expect(await frame.locator('#batch-results button.batch-thumb').count()).toBe(3);
    expect(await frame.locator('#batch-hint').innerText()).toMatch(/Click a result to select it/);
    await capture(frame, 'batch-done');
    await frame.locator('#batch-results button.batch-thumb').nth(1).click();
    const selects = (await receivedMessages(page)).filter((r) => r.msg.type === 'select').map((r) => r.msg.nodeIds);
    expect(selects).toEqual([['50:1']]);
    expect(requests.foreign).toEqual([]);
  });

  it('the resize corner asks the host for sizes within the limits and remembers the last', async () => {
    const frame = await open({ command: 'cutout', sources: [source] });
    await ready(frame);
    await resizeTo(SIZES[0]!);
    const corner = (await frame.locator('#resize-corner').boundingBox())!;
    const start = { x: corner.x + corner.width / 2, y: corner.y + corner.height / 2 };
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    // Growing in small steps, as a hand does: the window follows, the pointer stays over it
    // (headless Chromium routes nothing outside an iframe to it, captured or not).
    for (let i = 1; i <= 20; i++) {
      await page.mouse.move(start.x + 3 * i, start.y + 2 * i);
      await page.waitForTimeout(40);
    }
    await page.waitForTimeout(100);
    await page.mouse.move(start.x - 200, start.y - 400, { steps: 5 }); // far below the minimum
    await page.mouse.up();
    const resizes = (await receivedMessages(page)).filter((r) => r.msg.type === 'resize').map((r) => r.msg as unknown as { width: number; height: number; remember?: boolean });
    expect(resizes.length).toBeGreaterThanOrEqual(2);
    expect(resizes.some((r) => r.width === 420 && r.height === 640)).toBe(true);
    for (const r of resizes) {
      expect(r.width).toBeGreaterThanOrEqual(MIN_UI_SIZE.width);
      expect(r.height).toBeGreaterThanOrEqual(MIN_UI_SIZE.height);
    }
    expect(resizes.at(-1)).toEqual({ type: 'resize', width: MIN_UI_SIZE.width, height: MIN_UI_SIZE.height, remember: true });
    expect(resizes.slice(0, -1).every((r) => r.remember === undefined)).toBe(true);
    expect(await applyVisible(frame)).toBe(true);
  });
});
