/**
 * The preview's larger view, in the real test page (Chromium, canned host): offered once a
 * preview shows; it asks the host for a larger window, the options step aside so the stage takes
 * it, the preview is made again at the larger size; again (or E) goes back to the size before.
 * Screenshots: test-results/screenshots/preview-expanded-*.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../core/image/png.js';
import { generateAnalyticModels, SAM_HF_FILES } from '../../models/analytic/index.js';
import { DEFAULT_SETTINGS } from '../../plugin/protocol.js';
import { ensureTestUiBuilt, installRequestGuard, launchChromium, startUiHarness, type UiHarness } from '../helpers/ui-harness.js';
import { render, type Shape } from '../helpers/synthetic.js';

const SCREENSHOTS = 'test-results/screenshots';
const W = 320;
const H = 240;
const SHAPES: Shape[] = [{ kind: 'disc', cx: 110, cy: 125, r: 62, color: [220, 40, 40] }];

const HOST_SCRIPT = `
(() => {
  const cfg = () => window.__hostConfig;
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  window.__resizes = [];
  __host.onmessage = (msg) => {
    const c = cfg();
    switch (msg.type) {
      case 'ready':
        __host.postMessage(c.init);
        __host.postMessage({ type: 'selection', sources: c.sources, problems: [] });
        break;
      case 'request-image':
        __host.postMessage({ type: 'image', requestId: msg.requestId, source: c.sources[0], bytes: b64(c.image) });
        break;
      case 'resize': {
        window.__resizes.push({ width: msg.width, height: msg.height });
        const f = document.getElementById('frame');
        f.width = String(msg.width);
        f.height = String(msg.height);
        break;
      }
    }
  };
})();
`;

describe('the preview, larger', () => {
  let harness: UiHarness;
  let browser: Browser;
  let page: Page;
  let modelDir: string;
  const imageBytes = encodePng(render(W, H, [128, 128, 128], SHAPES));

  beforeAll(async () => {
    ensureTestUiBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    modelDir = mkdtempSync(join(tmpdir(), 'cutout-expand-'));
    const dirs = await generateAnalyticModels(modelDir);
    harness = await startUiHarness({ hostScript: HOST_SCRIPT, routes: { '/models/': { dir: dirs['sam-hf'] } } });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 900, height: 980 }, deviceScaleFactor: 1 });
    await installRequestGuard(context);
    page = await context.newPage();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  });

  async function open(): Promise<Frame> {
    await page.goto(harness.url('/host.html'));
    await page.evaluate(
      (c) => {
        (window as unknown as { __hostConfig: unknown }).__hostConfig = c;
      },
      {
        init: {
          type: 'init',
          version: 1,
          command: 'cutout',
          host: 'figma',
          settings: { ...DEFAULT_SETTINGS, modelId: 'analytic-sam-hf' },
          models: [{ id: 'analytic-sam-hf', name: 'Analytic SAM (test)', baseUrl: harness.url('/models/'), files: [SAM_HF_FILES.encoder, SAM_HF_FILES.decoder], license: 'MIT' }],
        },
        sources: [{ id: '1:2', name: 'Disc', width: W, height: H, origin: 'fill' }],
        image: Buffer.from(imageBytes).toString('base64'),
      },
    );
    await page.evaluate(() => (window as unknown as { __openUi(q: string): void }).__openUi(''));
    const frame = (await (await page.waitForSelector('#frame')).contentFrame())!;
    await frame.waitForLoadState('domcontentloaded');
    await frame.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 120_000 });
    return frame;
  }

  const look = (frame: Frame) =>
    frame.evaluate(() => ({
      hidden: document.getElementById('expand')!.hidden,
      pressed: document.getElementById('expand')!.getAttribute('aria-pressed'),
      expanded: document.getElementById('app')!.dataset.expanded === 'true',
      optionsShown: getComputedStyle(document.querySelector('.view-cutout .options')!).display !== 'none',
      stage: document.getElementById('stage')!.getBoundingClientRect().height,
      window: { width: innerWidth, height: innerHeight },
      previewSide: (() => {
        const p = (window as unknown as { __cutout: { app: { canvas: { previewShown?: { key: string } } } } }).__cutout.app.canvas.previewShown;
        return p ? Number(p.key.split('|').pop()) : 0;
      })(),
    }));

  it('offered with a preview; asks for a larger window, the stage takes it, the preview is made larger; E goes back', async () => {
    const frame = await open();
    expect((await look(frame)).hidden).toBe(true);
    const geo = await frame.evaluate(() => (window as unknown as { __cutout: { app: { canvas: { geometry: { x: number; y: number; scale: number } } } } }).__cutout.app.canvas.geometry);
    await frame.locator('#stage-canvas').click({ position: { x: geo.x + 110 * geo.scale, y: geo.y + 125 * geo.scale } });
    await frame.waitForFunction(() => !(document.getElementById('preview') as HTMLButtonElement).disabled, undefined, { timeout: 30_000 });
    expect((await look(frame)).hidden).toBe(true); // no preview yet: nothing to enlarge
    await frame.locator('#preview').click();
    await frame.waitForFunction(() => !!(window as unknown as { __cutout: { app: { canvas: { previewShown?: unknown } } } }).__cutout.app.canvas.previewShown, undefined, { timeout: 30_000 });
    const small = await look(frame);
    expect(small.hidden).toBe(false);
    expect(small.window.width).toBeLessThan(720);
    await frame.locator('#expand').click();
    await frame.waitForFunction(() => innerWidth === 720 && innerHeight === 860, undefined, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { __resizes: unknown[] }).__resizes)).toEqual([{ width: 720, height: 860 }]);
    // The preview is made again for the larger canvas.
    await frame.waitForFunction((side) => {
      const p = (window as unknown as { __cutout: { app: { canvas: { previewShown?: { key: string } } } } }).__cutout.app.canvas.previewShown;
      return !!p && Number(p.key.split('|').pop()) > side;
    }, small.previewSide, { timeout: 120_000 });
    const large = await look(frame);
    expect(large.expanded).toBe(true);
    expect(large.pressed).toBe('true');
    expect(large.optionsShown).toBe(false);
    expect(large.stage).toBeGreaterThan(small.stage * 1.5);
    await (await page.$('#frame'))!.screenshot({ path: join(SCREENSHOTS, 'preview-expanded-light.png') });
    // E goes back to the size before.
    await frame.locator('#stage-canvas').focus();
    await page.keyboard.press('e');
    await frame.waitForFunction((w) => innerWidth === w.width && innerHeight === w.height, small.window, { timeout: 10_000 });
    const back = await look(frame);
    expect(back.expanded).toBe(false);
    expect(back.optionsShown).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __resizes: unknown[] }).__resizes)).toEqual([
      { width: 720, height: 860 },
      small.window,
    ]);
  }, 240_000);
});
