/**
 * The "Split into layers" panel in Chromium with the real dist/ui.html in a null-origin iframe
 * and the analytic SAM model: objects stream in, then K shapes show as K objects; click /
 * shift-click select, Merge joins, Alt-click drops, Enter applies one `split-apply` whose layers
 * are top-first by size with the Background; Cancel stops a run and sends nothing. Screenshots
 * of each state in light and dark at three sizes under test-results/screenshots/ (split-*),
 * with no clipped text and the Split button inside the window in each.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../core/image/png.js';
import { generateAnalyticModels, SAM_HF_FILES } from '../../models/analytic/index.js';
import { DEFAULT_SETTINGS, MIN_UI_SIZE, type SplitPayload } from '../../plugin/protocol.js';
import { buildUi, launchChromium, startUiHarness, type UiHarness } from '../helpers/ui-harness.js';
import { render, type Shape } from '../helpers/synthetic.js';

const SCREENSHOTS = 'test-results/screenshots';
const W = 320;
const H = 240;
const SHAPES: Shape[] = [
  { kind: 'disc', cx: 70, cy: 70, r: 45, color: [220, 40, 40] },
  { kind: 'rect', x0: 150, y0: 30, x1: 290, y1: 100, color: [40, 200, 60] },
  { kind: 'disc', cx: 230, cy: 175, r: 30, color: [40, 60, 220] },
  { kind: 'rect', x0: 30, y0: 150, x1: 130, y1: 220, color: [240, 230, 60] },
];
const SIZES = [
  { name: '360x600', width: 360, height: 600 },
  { name: '560x760', width: 560, height: 760 },
  { name: 'min', width: MIN_UI_SIZE.width, height: MIN_UI_SIZE.height },
];

const HOST_SCRIPT = `
(() => {
  const c = () => window.__hostConfig;
  const b64 = (s) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));
  window.__splits = [];
  __host.onmessage = (msg) => {
    switch (msg.type) {
      case 'ready':
        __host.postMessage(c().init);
        __host.postMessage({ type: 'selection', sources: [c().source], problems: [] });
        break;
      case 'request-image':
        __host.postMessage({ type: 'image', requestId: msg.requestId, source: c().source, bytes: b64(c().png) });
        break;
      case 'split-apply':
        window.__splits.push(msg.payload);
        __host.postMessage({ type: 'applied', requestId: msg.requestId, nodeIds: ['9:1'] });
        break;
      case 'resize': {
        const f = document.getElementById('frame');
        f.width = String(msg.width);
        f.height = String(msg.height);
        break;
      }
    }
  };
})();
`;

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

async function splitButtonVisible(frame: Frame): Promise<boolean> {
  return frame.evaluate(() => {
    const b = document.getElementById('split-apply')!;
    const r = b.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth && !!hit && b.contains(hit);
  });
}

describe('the Split into layers panel', () => {
  let harness: UiHarness;
  let browser: Browser;
  let page: Page;
  let modelDir: string;
  const png = Buffer.from(encodePng(render(W, H, [128, 128, 128], SHAPES))).toString('base64');

  beforeAll(async () => {
    buildUi();
    mkdirSync(SCREENSHOTS, { recursive: true });
    modelDir = mkdtempSync(join(tmpdir(), 'cutout-split-'));
    const dirs = await generateAnalyticModels(modelDir);
    harness = await startUiHarness({ hostScript: HOST_SCRIPT, routes: { '/models/': { dir: dirs['sam-hf'] } } });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 600, height: 800 }, deviceScaleFactor: 2 });
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('[host page error]', e.message));
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  });

  async function open(grid: number): Promise<Frame> {
    await page.goto(harness.url('/host.html'));
    await page.evaluate(
      (cfg) => {
        (window as unknown as { __hostConfig: unknown }).__hostConfig = cfg;
      },
      {
        png,
        source: { id: '1:2', name: 'Shapes', width: W, height: H, origin: 'fill' },
        init: {
          type: 'init',
          version: 1,
          command: 'split',
          host: 'figma',
          settings: { ...DEFAULT_SETTINGS, modelId: 'analytic-sam-hf' },
          models: [{ id: 'analytic-sam-hf', name: 'Analytic SAM (test)', baseUrl: harness.url('/models/'), files: [SAM_HF_FILES.encoder, SAM_HF_FILES.decoder], license: 'MIT' }],
        },
      },
    );
    await page.evaluate((q) => (window as unknown as { __openUi(q: string): void }).__openUi(q), `?split-grid=${grid}`);
    const frame = (await (await page.waitForSelector('#frame')).contentFrame())!;
    await frame.waitForLoadState('domcontentloaded');
    return frame;
  }

  async function resizeTo(size: { width: number; height: number }): Promise<void> {
    await page.evaluate((s) => {
      const f = document.getElementById('frame') as HTMLIFrameElement;
      f.width = String(s.width);
      f.height = String(s.height);
    }, size);
    await page.waitForTimeout(80);
  }

  async function capture(frame: Frame, state: string): Promise<void> {
    const problems: string[] = [];
    for (const size of SIZES) {
      await resizeTo(size);
      for (const theme of ['light', 'dark'] as const) {
        await frame.evaluate((t) => {
          const cl = document.documentElement.classList;
          cl.remove('figma-light', 'figma-dark');
          cl.add(`figma-${t}`);
        }, theme);
        await page.waitForTimeout(80);
        await (await page.$('#frame'))!.screenshot({ path: join(SCREENSHOTS, `split-${state}-${size.name}-${theme}.png`) });
      }
      for (const c of await clippedText(frame)) problems.push(`${state} at ${size.name}: clipped ${c}`);
      if (!(await splitButtonVisible(frame))) problems.push(`${state} at ${size.name}: the Split button is outside the window`);
    }
    await resizeTo(SIZES[0]!);
    expect(problems).toEqual([]);
  }

  /** Clicks image pixel (x, y) on the split canvas (the canvas fits the image like the cutout's). */
  async function clickImage(frame: Frame, x: number, y: number, modifiers: Array<'Shift' | 'Alt'> = []): Promise<void> {
    const box = await frame.evaluate(() => {
      const r = document.getElementById('split-canvas')!.getBoundingClientRect();
      return { width: r.width, height: r.height };
    });
    const scale = Math.min((box.width - 24) / W, (box.height - 24) / H, 4);
    const ox = (box.width - W * scale) / 2;
    const oy = (box.height - H * scale) / 2;
    await frame.locator('#split-canvas').click({ position: { x: ox + x * scale, y: oy + y * scale }, modifiers });
  }

  const phase = (frame: Frame, p: string, timeout = 300_000) => frame.waitForFunction((want) => document.getElementById('app')!.dataset.split === want, p, { timeout });

  it('finds the K shapes, merges, drops, applies one group top-first with the background', async () => {
    const frame = await open(12);
    await phase(frame, 'finding');
    await phase(frame, 'found');
    expect(await frame.locator('#split-count').innerText()).toBe('4 objects');
    expect(await frame.locator('#split-apply').innerText()).toBe('Split into 5 layers');
    await capture(frame, 'found');

    // Select the red disc, add the yellow rectangle, merge them.
    await clickImage(frame, 70, 70);
    await clickImage(frame, 80, 185, ['Shift']);
    expect(await frame.locator('#split-count').innerText()).toBe('4 objects · 2 selected');
    await frame.locator('#split-merge').click();
    expect(await frame.locator('#split-count').innerText()).toBe('3 objects · 1 selected');
    await capture(frame, 'merged');
    // Alt-click drops the blue disc; M and Delete are the keys; Undo brings it back, then drop again.
    await clickImage(frame, 230, 175, ['Alt']);
    expect(await frame.locator('#split-count').innerText()).toBe('2 objects');
    await frame.locator('#split-undo').click();
    expect(await frame.locator('#split-count').innerText()).toBe('3 objects');
    await clickImage(frame, 230, 175);
    await frame.locator('#split-canvas').press('Delete');
    expect(await frame.locator('#split-count').innerText()).toBe('2 objects');

    await frame.locator('#split-canvas').press('Enter');
    await phase(frame, 'applied', 60_000);
    const splits = await page.evaluate(() => (window as unknown as { __splits: SplitPayload[] }).__splits);
    expect(splits).toHaveLength(1);
    const p = splits[0]!;
    expect(p.sourceId).toBe('1:2');
    expect(p.output).toBe('cutout');
    expect(p.name).toBe('Layers – Shapes');
    // Top-first: the green rectangle (140×70, less a pixel at the edges) is smaller than the merged red disc + yellow rectangle.
    expect(p.objects.map((o) => o.name)).toEqual([expect.stringMatching(/^Top right 1[34]\d×[67]\d at 15\d, 3\d$/), expect.stringMatching(/^Left 1\d\d×1\d\d at \d+, \d+$/)]);
    expect(p.background?.name).toBe('Background');
    expect(await frame.locator('#split-status').innerText()).toMatch(/Added 2 objects and the background/);
    await capture(frame, 'applied');
  }, 900_000);

  it('Cancel stops the search and sends nothing; Find again is offered', async () => {
    const frame = await open(48);
    await phase(frame, 'finding');
    await frame.locator('#progress-cancel').click();
    await phase(frame, 'cancelled', 30_000);
    expect(await frame.locator('#split-count').innerText()).toBe('0 objects');
    expect(await frame.locator('#split-apply').isDisabled()).toBe(true);
    await capture(frame, 'cancelled');
    const splits = await page.evaluate(() => (window as unknown as { __splits: unknown[] }).__splits);
    expect(splits).toEqual([]);
    expect(await frame.locator('#split-again').isEnabled()).toBe(true);
  }, 900_000);
});
