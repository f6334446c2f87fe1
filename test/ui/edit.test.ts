/**
 * "Edit cutout" in the real test page (Chromium, null-origin iframe, canned host): the host's
 * init names a result and what it remembers; the UI restores the points, the chosen mask and the
 * settings over the source, says when the source changed or is gone, and its apply asks the
 * host to replace that result. Screenshots under test-results/screenshots/edit-*.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../core/image/png.js';
import { generateAnalyticModels, SAM_HF_FILES } from '../../models/analytic/index.js';
import { DEFAULT_SETTINGS, type EditState } from '../../plugin/protocol.js';
import { bytesFingerprint } from '../../ui/edit-session.js';
import { ensureTestUiBuilt, installRequestGuard, launchChromium, startUiHarness, type UiHarness } from '../helpers/ui-harness.js';
import { render, type Shape } from '../helpers/synthetic.js';

const SCREENSHOTS = 'test-results/screenshots';
const W = 320;
const H = 240;
const SHAPES: Shape[] = [
  { kind: 'disc', cx: 110, cy: 125, r: 62, color: [220, 40, 40] },
  { kind: 'rect', x0: 205, y0: 50, x1: 290, y1: 190, color: [30, 90, 220] },
];

const HOST_SCRIPT = `
(() => {
  const cfg = () => window.__hostConfig;
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  window.__applied = [];
  __host.onmessage = (msg) => {
    const c = cfg();
    switch (msg.type) {
      case 'ready':
        __host.postMessage(c.init);
        __host.postMessage({ type: 'selection', sources: c.sources, problems: [] });
        break;
      case 'request-image': {
        const src = c.sources.find((s) => s.id === msg.sourceId);
        __host.postMessage({ type: 'image', requestId: msg.requestId, source: src, bytes: b64(c.image) });
        break;
      }
      case 'apply':
        window.__applied.push(msg.payload);
        __host.postMessage({ type: 'applied', requestId: msg.requestId, nodeIds: ['9:' + (100 + window.__applied.length)] });
        break;
    }
  };
})();
`;

type Applied = { replaceId?: string; output: string; edit?: EditState };

describe('Edit cutout: the result reopens as it was made', () => {
  let harness: UiHarness;
  let browser: Browser;
  let page: Page;
  let modelDir: string;
  const imageBytes = encodePng(render(W, H, [128, 128, 128], SHAPES));
  const changedBytes = encodePng(render(W, H, [120, 130, 128], SHAPES));
  const source = { id: '1:2', name: 'Shapes', width: W, height: H, origin: 'fill' };
  const remembered = (): EditState => ({
    version: 1,
    sourceId: '1:2',
    image: { width: W, height: H, hash: bytesFingerprint(imageBytes) },
    points: [
      { x: 110, y: 125, label: 1 },
      { x: 250, y: 120, label: 0 },
    ],
    candidate: 2,
    output: 'vector-mask',
    feather: 4,
    smoothing: 2.5,
    modelId: 'analytic-sam-hf',
  });

  beforeAll(async () => {
    ensureTestUiBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    modelDir = mkdtempSync(join(tmpdir(), 'cutout-edit-ui-'));
    const dirs = await generateAnalyticModels(modelDir);
    harness = await startUiHarness({ hostScript: HOST_SCRIPT, routes: { '/models/': { dir: dirs['sam-hf'] } } });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 420, height: 660 }, deviceScaleFactor: 2 });
    await installRequestGuard(context);
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('[host page error]', e.message));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  });

  async function open(edit: Record<string, unknown>, image = imageBytes): Promise<Frame> {
    await page.goto(harness.url('/host.html'));
    await page.evaluate(
      (c) => {
        (window as unknown as { __hostConfig: unknown }).__hostConfig = c;
      },
      {
        init: {
          type: 'init',
          version: 1,
          command: 'edit',
          host: 'figma',
          // Saved settings that differ from what the result was made with.
          settings: { ...DEFAULT_SETTINGS, output: 'cutout', feather: 0, smoothing: 1, modelId: 'analytic-sam-hf' },
          models: [{ id: 'analytic-sam-hf', name: 'Analytic SAM (test)', baseUrl: harness.url('/models/'), files: [SAM_HF_FILES.encoder, SAM_HF_FILES.decoder], license: 'MIT' }],
          editSourceId: '1:2',
          ...edit,
        },
        sources: [source],
        image: Buffer.from(image).toString('base64'),
      },
    );
    await page.evaluate(() => (window as unknown as { __openUi(q: string): void }).__openUi(''));
    const frame = (await (await page.waitForSelector('#frame')).contentFrame())!;
    await frame.waitForLoadState('domcontentloaded');
    await frame.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 120_000 });
    return frame;
  }

  /** What the page shows of the restored session. */
  const shown = (frame: Frame) =>
    frame.evaluate(() => {
      const app = (window as unknown as { __cutout: { app: { history: { current: { prompt: { points: unknown[] }; candidate?: number; prediction?: { selected: number } } } } } }).__cutout.app;
      const e = app.history.current;
      const banner = document.getElementById('banner')!;
      return {
        points: e.prompt.points,
        candidate: e.candidate ?? e.prediction?.selected,
        predicted: !!e.prediction,
        checkedTile: document.querySelector<HTMLElement>('#candidates .candidate[aria-checked="true"]')?.dataset.index,
        output: document.querySelector<HTMLElement>('#output button[aria-checked="true"]')?.dataset.value,
        smoothing: (document.getElementById('smoothing') as HTMLInputElement).value,
        feather: (document.getElementById('feather') as HTMLInputElement).value,
        replacing: document.getElementById('apply')!.dataset.replacing === 'true',
        applyTitle: document.getElementById('apply')!.title,
        banner: banner.hidden ? '' : banner.textContent!.replace(/\s+/g, ' ').trim(),
      };
    });

  it('restores the points, the chosen mask and the settings; Apply replaces that result', async () => {
    const frame = await open({ edit: { resultId: '9:1', resultName: 'Vector mask of Shapes', state: remembered() } });
    await frame.waitForFunction(() => document.querySelectorAll('#candidates .candidate').length >= 3, undefined, { timeout: 60_000 });
    const s = await shown(frame);
    expect(s.points).toEqual(remembered().points);
    expect(s.predicted).toBe(true);
    expect(s.candidate).toBe(2);
    expect(s.checkedTile).toBe('2');
    expect(s.output).toBe('vector-mask');
    expect(Number(s.smoothing)).toBe(2.5);
    expect(Number(s.feather)).toBe(4);
    expect(s.replacing).toBe(true);
    expect(s.applyTitle).toMatch(/Replace “Vector mask of Shapes”/);
    expect(s.banner).toBe('');
    expect(await frame.locator('#status').innerText()).toMatch(/Apply replaces “Vector mask of Shapes”/);
    await (await page.$('#frame'))!.screenshot({ path: join(SCREENSHOTS, 'edit-restored-light.png') });
    await frame.locator('#stage-canvas').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window as unknown as { __applied: unknown[] }).__applied.length === 1, undefined, { timeout: 60_000 });
    const first = (await page.evaluate(() => (window as unknown as { __applied: Applied[] }).__applied[0]))!;
    expect(first.replaceId).toBe('9:1');
    expect(first.output).toBe('vector-mask');
    expect(first.edit).toEqual(remembered());
    // A further change and apply replaces what the first apply made, not the old layer again.
    await frame.waitForFunction(() => /^Added/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await frame.locator('#output button[data-value="outline"]').click();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window as unknown as { __applied: unknown[] }).__applied.length === 2, undefined, { timeout: 60_000 });
    const second = (await page.evaluate(() => (window as unknown as { __applied: Applied[] }).__applied[1]))!;
    expect(second.replaceId).toBe('9:101');
    expect(second.output).toBe('outline');
    expect(second.edit!.output).toBe('outline');
  }, 240_000);

  it('the source changed since: said in the banner; the points are still restored and Apply still replaces', async () => {
    const frame = await open({ edit: { resultId: '9:1', resultName: 'Vector mask of Shapes', state: remembered() } }, changedBytes);
    await frame.waitForFunction(() => document.querySelectorAll('#candidates .candidate').length >= 3, undefined, { timeout: 60_000 });
    const s = await shown(frame);
    expect(s.banner).toMatch(/“Shapes” changed since “Vector mask of Shapes” was made/);
    expect(s.banner).toMatch(/unchanged until you apply/);
    expect(s.points).toEqual(remembered().points);
    expect(s.replacing).toBe(true);
    await (await page.$('#frame'))!.screenshot({ path: join(SCREENSHOTS, 'edit-source-changed-light.png') });
  }, 240_000);

  it('the source deleted since: said plainly; nothing restored, and an apply adds a new layer', async () => {
    const frame = await open({ editSourceId: undefined, edit: { resultId: '9:1', resultName: 'Vector mask of Shapes', state: remembered(), sourceMissing: true } });
    const s = await shown(frame);
    expect(s.banner).toMatch(/The image “Vector mask of Shapes” was made from is no longer in the file/);
    expect(s.points).toEqual([]);
    expect(s.replacing).toBe(false);
    expect(s.output).toBe('cutout');
    await (await page.$('#frame'))!.screenshot({ path: join(SCREENSHOTS, 'edit-source-missing-light.png') });
  }, 240_000);
});
