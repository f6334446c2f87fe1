/**
 * The plugin UI as a designer meets it, in headless Chromium (the real dist/ui.html in a
 * null-origin iframe, a canned host, the analytic sam-hf model on 127.0.0.1). Behaviour is
 * asserted, and every state is pictured — light and dark, at Figma's default 360×600 and at a
 * larger 480×760 — under test-results/screenshots/ (see README, Development):
 *
 *   keys and state   Enter applies whichever control was clicked last (an output, a mask
 *                    number, Redo); after applying, Apply is off and a second Enter adds
 *                    nothing until the result would differ; "Added … Select" asks the host to
 *                    select the new layer.
 *   errors           a failed model download, a failed insertion: the first line has no URL,
 *                    file name or API words, the detail is under "Details", Retry works; the
 *                    footer and the buttons agree with the failure (also in Remove background).
 *   overlay          on a blue, a near-black and a white object the mask's edge, as shown on the
 *                    canvas, contrasts with the pixels on both sides of it.
 *   preview          the traced path (vector mask, outline) follows the output and Smoothing;
 *                    the cutout shows on the checkerboard with its feather.
 *   clipping         in every state, no visible label, button or line is cut off
 *                    (scrollWidth ≤ clientWidth).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../core/image/png.js';
import { generateAnalyticModels, SALIENT_FILES, SAM_HF_FILES } from '../../models/analytic/index.js';
import { DEFAULT_SETTINGS } from '../../plugin/protocol.js';
import { TECHNICAL_WORDS } from '../../ui/error-copy.js';
import { contrastRatio, type Rgb } from '../../ui/overlay-style.js';
import { ensureTestUiBuilt, installRequestGuard, launchChromium, startUiHarness, type RequestLog, type UiHarness } from '../helpers/ui-harness.js';
import { render, type Shape } from '../helpers/synthetic.js';
import { CANNED_HOST_SCRIPT } from '../helpers/canned-host.js';

export const SCREENSHOTS = 'test-results/screenshots';
const W = 320;
const H = 240;
const BG: [number, number, number] = [160, 150, 140];
/** A blue bottle, a near-black product and a white box. */
const OBJECTS = {
  blue: { kind: 'rect', x0: 24, y0: 40, x1: 96, y1: 210, color: [30, 90, 220] },
  black: { kind: 'disc', cx: 170, cy: 125, r: 48, color: [14, 14, 16] },
  white: { kind: 'rect', x0: 240, y0: 60, x1: 300, y1: 190, color: [250, 250, 250] },
} satisfies Record<string, Shape>;
const SHAPES: Shape[] = Object.values(OBJECTS);
const SIZES = [
  { name: '360x600', width: 360, height: 600 },
  { name: '480x760', width: 480, height: 760 },
];


type AppWindow = { __cutout: { app: { canvas: { geometry: { x: number; y: number; scale: number } } } } };

describe('the plugin UI as a designer meets it (Chromium, screenshots)', () => {
  let harness: UiHarness;
  let browser: Browser;
  let modelDir: string;
  let dirs: Record<string, string>;
  const image = Buffer.from(encodePng(render(W, H, BG, SHAPES))).toString('base64');
  const source = { id: '1:2', name: 'Product shot', width: W, height: H, origin: 'fill' };

  beforeAll(async () => {
    ensureTestUiBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    modelDir = mkdtempSync(join(tmpdir(), 'cutout-designer-'));
    dirs = await generateAnalyticModels(modelDir);
    harness = await startUiHarness({ hostScript: CANNED_HOST_SCRIPT, routes: { '/models/': { dir: dirs['sam-hf']! }, '/salient/': { dir: dirs.salient! } } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  });

  const samSpec = (base: string) => ({ id: 'analytic-sam-hf', name: 'Analytic SAM (test)', baseUrl: harness.url(base), files: [SAM_HF_FILES.encoder, SAM_HF_FILES.decoder], license: 'MIT' });
  const salientSpec = (base: string) => ({
    id: 'analytic-salient',
    name: 'Analytic background model (test)',
    baseUrl: harness.url(base),
    files: [SALIENT_FILES.model, SALIENT_FILES.descriptor],
    kind: 'salient',
    license: 'MIT',
  });
  const init = (command: 'cutout' | 'remove-bg', sam = '/models/', salient = '/salient/') => ({
    type: 'init',
    version: 1,
    command,
    host: 'figma',
    settings: { ...DEFAULT_SETTINGS, modelId: 'analytic-sam-hf', salientModelId: 'analytic-salient' },
    models: [salientSpec(salient), samSpec(sam)],
  });

  interface Session {
    context: BrowserContext;
    page: Page;
    ui: Frame;
    requests: RequestLog;
    size: (typeof SIZES)[number];
  }

  async function open(size: (typeof SIZES)[number], initMessage: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Session> {
    const h = await startUiHarness({
      hostScript: CANNED_HOST_SCRIPT,
      page: { width: size.width, height: size.height },
      routes: { '/models/': { dir: dirs['sam-hf']! }, '/salient/': { dir: dirs.salient! } },
    });
    harnesses.push(h);
    // The models stay on the shared harness (its routes can change under a running session).
    const context = await browser.newContext({ viewport: { width: size.width + 32, height: size.height + 32 }, deviceScaleFactor: 2 });
    const requests = await installRequestGuard(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[host page error]', e.message));
    await page.goto(h.url('/host.html'));
    await page.evaluate((cfg) => ((window as unknown as { __hostConfig: unknown }).__hostConfig = cfg), { init: initMessage, sources: [source], image, ...extra });
    await page.evaluate(() => (window as unknown as { __openUi(q: string): void }).__openUi(''));
    const ui = (await (await page.waitForSelector('#frame')).contentFrame())!;
    await ui.waitForLoadState('domcontentloaded');
    return { context, page, ui, requests, size };
  }
  const harnesses: UiHarness[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  async function setTheme(s: Session, theme: 'light' | 'dark'): Promise<void> {
    await s.ui.evaluate((t) => {
      const c = document.documentElement.classList;
      c.remove('figma-light', 'figma-dark');
      c.add(`figma-${t}`);
      (window as unknown as { __cutout: { app: { canvas: { themeChanged(): void } } } }).__cutout.app.canvas.themeChanged();
    }, theme);
    await s.page.waitForTimeout(150);
  }

  /** Every visible text-bearing element that is cut off (scrollWidth > clientWidth), described. */
  async function clipped(s: Session): Promise<string[]> {
    return s.ui.evaluate(() => {
      const out: string[] = [];
      for (const el of document.querySelectorAll<HTMLElement>('#app *')) {
        if (el instanceof HTMLSelectElement || el.closest('select, svg, canvas, pre, .visually-hidden')) continue;
        if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
        const cs = getComputedStyle(el);
        if (cs.display === 'inline' || cs.visibility === 'hidden') continue;
        // Text of its own, or in inline children (the footer's line: words, then Select).
        const own = [...el.childNodes].some(
          (n) => (n.nodeType === Node.TEXT_NODE || (n instanceof HTMLElement && getComputedStyle(n).display.startsWith('inline'))) && (n.textContent ?? '').trim(),
        );
        if (!own) continue;
        if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight + 1) {
          out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}: "${(el.textContent ?? '').trim().slice(0, 60)}" ${el.scrollWidth}>${el.clientWidth} / ${el.scrollHeight}>${el.clientHeight}`);
        }
      }
      return out;
    });
  }

  /** Screenshots the plugin window in both themes as <state>-<theme>-<size>.png; nothing may be clipped. */
  async function picture(s: Session, state: string): Promise<void> {
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(s, theme);
      await s.page.locator('#frame').screenshot({ path: join(SCREENSHOTS, `${state}-${theme}-${s.size.name}.png`) });
      expect(await clipped(s), `${state} ${theme} ${s.size.name}`).toEqual([]);
    }
    await setTheme(s, 'light');
  }

  async function viewPoint(s: Session, x: number, y: number): Promise<{ x: number; y: number }> {
    const geo = await s.ui.evaluate(() => (window as unknown as AppWindow).__cutout.app.canvas.geometry);
    return { x: geo.x + x * geo.scale, y: geo.y + y * geo.scale };
  }

  async function clickObject(s: Session, x: number, y: number): Promise<void> {
    await s.ui.locator('#stage-canvas').click({ position: await viewPoint(s, x, y) });
    await s.ui.waitForFunction(() => !(document.getElementById('apply') as HTMLButtonElement).disabled, undefined, { timeout: 15_000 });
    await s.page.waitForTimeout(120);
  }

  const applied = (s: Session) => s.page.evaluate(() => (window as unknown as { __applied: Array<{ output: string; sourceId: string }> }).__applied.length);
  const applyDisabled = (s: Session) => s.ui.evaluate(() => (document.getElementById('apply') as HTMLButtonElement).disabled);
  const status = (s: Session) => s.ui.evaluate(() => document.getElementById('status')!.textContent ?? '');

  async function ready(s: Session): Promise<void> {
    await s.ui.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 45_000 });
  }

  for (const size of SIZES) {
    it(`keys and state: Enter applies from any control, once; "Added … Select" (${size.name})`, async () => {
      const s = await open(size, init('cutout'));
      try {
        await ready(s);
        await picture(s, 'ready');
        await s.ui.locator('#stage-canvas').hover({ position: await viewPoint(s, 60, 120) });
        await s.ui.waitForFunction(() => document.getElementById('stage-canvas') && true);
        await s.page.waitForTimeout(400);
        await s.page.locator('#frame').screenshot({ path: join(SCREENSHOTS, `hover-blue-light-${size.name}.png`) });

        await clickObject(s, 60, 120);
        await picture(s, 'mask-blue');

        // An output option clicked last: Enter applies (it used to click the option again).
        await s.ui.locator('#output button[data-value="vector-mask"]').click();
        await s.page.keyboard.press('Enter');
        await s.page.waitForFunction(() => (window as unknown as { __applied: unknown[] }).__applied.length === 1, undefined, { timeout: 15_000 });
        await s.ui.waitForFunction(() => /^Added/.test(document.getElementById('status')!.textContent ?? ''));
        expect(await status(s)).toBe('Added “Vector mask of Product shot”.');
        expect(await applyDisabled(s)).toBe(true);
        expect(await s.ui.locator('#status-action').innerText()).toBe('Select');
        await picture(s, 'added');

        // A second Enter adds nothing.
        await s.page.keyboard.press('Enter');
        await s.page.waitForTimeout(400);
        expect(await applied(s)).toBe(1);

        // Select asks the host to select the new layer.
        await s.ui.locator('#status-action').click();
        await s.page.waitForFunction(() => (window as unknown as { __selected: unknown[] }).__selected.length === 1);
        expect(await s.page.evaluate(() => (window as unknown as { __selected: string[][] }).__selected)).toEqual([['9:1']]);

        // Another mask number: applicable again, and Enter on that button applies.
        await s.ui.locator('#candidates button[aria-checked="false"]').first().click();
        expect(await applyDisabled(s)).toBe(false);
        await s.page.keyboard.press('Enter');
        await s.page.waitForFunction(() => (window as unknown as { __applied: unknown[] }).__applied.length === 2, undefined, { timeout: 15_000 });

        // Another object, Undo (back to what was added: Apply off), Redo, Enter on Redo applies the redone mask.
        await s.ui.locator('#output button[data-value="cutout"]').click();
        await clickObject(s, 170, 125);
        await s.ui.locator('#undo').click();
        await s.ui.locator('#undo').click();
        await s.ui.locator('#redo').click();
        await s.ui.waitForFunction(() => !(document.getElementById('apply') as HTMLButtonElement).disabled, undefined, { timeout: 15_000 });
        await s.page.keyboard.press('Enter');
        await s.page.waitForFunction(() => (window as unknown as { __applied: unknown[] }).__applied.length === 3, undefined, { timeout: 15_000 });
        const outputs = await s.page.evaluate(() => (window as unknown as { __applied: Array<{ output: string }> }).__applied.map((p) => p.output));
        expect(outputs).toEqual(['vector-mask', 'vector-mask', 'cutout']);
        expect(s.requests.foreign).toEqual([]);
      } finally {
        await s.context.close();
      }
    });

    it(`errors in a designer's words, with Details and a working Retry (${size.name})`, async () => {
      // The model's folder is missing at first (a moved download): nothing is served there yet.
      const flaky = `/flaky-${size.name}/`;
      const s = await open(size, init('cutout', flaky));
      try {
        await s.ui.waitForFunction(() => !document.getElementById('banner')!.hidden, undefined, { timeout: 30_000 });
        const title = await s.ui.locator('#banner-title').innerText();
        expect(title).toBe("Couldn't download the cut-out model: it is no longer where Cutout looks for it. Update Cutout or choose another model.");
        expect(title).not.toMatch(TECHNICAL_WORDS);
        expect(await s.ui.locator('#banner-action').innerText()).toBe('Retry');
        expect(await status(s)).toBe("The model isn't available.");
        expect(await s.ui.locator('#status-action').innerText()).toBe('Retry');
        expect(await applyDisabled(s)).toBe(true);
        await picture(s, 'error-model');
        await s.ui.locator('#banner-more').click();
        const details = await s.ui.locator('#banner-details-text').innerText();
        expect(details).toContain(harness.url(flaky));
        expect(details).toMatch(/HTTP 404/);
        await picture(s, 'error-model-details');

        // The files come back; Retry loads the model.
        harness.server.setRoute(flaky, { dir: dirs['sam-hf']! });
        await s.ui.locator('#banner-action').click();
        await ready(s);
        expect(await s.ui.evaluate(() => document.getElementById('banner')!.hidden)).toBe(true);

        // A failed insertion: plain words, nothing changed, Retry inserts.
        await clickObject(s, 270, 120);
        await s.page.evaluate(() => ((window as unknown as { __hostConfig: { failApply: boolean } }).__hostConfig.failApply = true));
        await s.page.keyboard.press('Enter');
        await s.ui.waitForFunction(() => !document.getElementById('banner')!.hidden, undefined, { timeout: 15_000 });
        const applyTitle = await s.ui.locator('#banner-title').innerText();
        expect(applyTitle).toBe("Couldn't add the result to the file; nothing was changed. Try again.");
        expect(applyTitle).not.toMatch(TECHNICAL_WORDS);
        expect(await s.ui.locator('#banner').innerText()).not.toMatch(/createImage/); // folded away
        await picture(s, 'error-apply');
        await s.ui.locator('#banner-action').click();
        await s.page.waitForFunction(() => (window as unknown as { __applied: unknown[] }).__applied.length === 1, undefined, { timeout: 15_000 });
        expect(s.requests.foreign).toEqual([]);
      } finally {
        await s.context.close();
      }
    });

    it(`Remove background with a model that failed: the footer says so and the button is off (${size.name})`, async () => {
      const flaky = `/flaky-salient-${size.name}/`;
      const s = await open(size, init('remove-bg', '/models/', flaky));
      try {
        await s.ui.waitForFunction(() => !document.getElementById('banner')!.hidden, undefined, { timeout: 30_000 });
        expect(await s.ui.locator('#banner-title').innerText()).toMatch(/^Couldn't download the background model/);
        await s.ui.waitForFunction(() => /isn't available/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 30_000 });
        expect(await applyDisabled(s)).toBe(true);
        expect(await s.ui.locator('#apply').innerText()).toBe('Remove backgrounds');
        await picture(s, 'error-batch-model');
        harness.server.setRoute(flaky, { dir: dirs.salient! });
        await s.ui.locator('#status-action').click(); // the footer's Retry
        // A shared machine can take long to start a model: the wait is generous, the check exact.
        await s.ui.waitForFunction(() => document.getElementById('status')!.textContent === 'Originals stay untouched.', undefined, { timeout: 90_000 });
        expect(await applyDisabled(s)).toBe(false);
      } finally {
        await s.context.close();
      }
    });
  }

  for (const size of SIZES) {
    it(`preview: the traced path as the output and Smoothing change, the cutout on the checkerboard with its feather (${size.name})`, async () => {
      const s = await open(size, init('cutout'));
      type Shown = { key: string; output: string; bounds?: { x0: number; y0: number; x1: number; y1: number } } | undefined;
      const shown = () => s.ui.evaluate(() => (window as unknown as { __cutout: { app: { canvas: { previewShown: unknown } } } }).__cutout.app.canvas.previewShown as Shown);
      const waitFor = (output: string, setting: string) =>
        s.ui.waitForFunction(
          ([o, v]) => {
            const p = (window as unknown as { __cutout: { app: { canvas: { previewShown?: { key: string; output: string } } } } }).__cutout.app.canvas.previewShown;
            return !!p && p.output === o && p.key.split('|')[4] === v;
          },
          [output, setting] as const,
          { timeout: 15_000 },
        );
      const slide = (id: string, value: number) =>
        s.ui.evaluate(
          ([i, v]) => {
            const el = document.getElementById(i) as HTMLInputElement;
            el.value = String(v);
            el.dispatchEvent(new Event('input', { bubbles: true }));
          },
          [id, value] as const,
        );
      try {
        await ready(s);
        await clickObject(s, 60, 120);
        expect(await shown()).toBeUndefined(); // a click shows the mask
        await s.ui.locator('#output button[data-value="vector-mask"]').click();
        await waitFor('vector-mask', '1');
        const b = (await shown())!.bounds!;
        const o = OBJECTS.blue;
        for (const [got, want] of [[b.x0, o.x0], [b.y0, o.y0], [b.x1, o.x1], [b.y1, o.y1]] as const) expect(Math.abs(got - want)).toBeLessThanOrEqual(2);
        expect(await s.ui.locator('#preview').getAttribute('aria-pressed')).toBe('true');
        await picture(s, 'preview-vector');
        await slide('smoothing', 3);
        await waitFor('vector-mask', '3');
        await s.ui.locator('#output button[data-value="outline"]').click();
        await waitFor('outline', '3');
        await picture(s, 'preview-outline');

        await s.ui.locator('#output button[data-value="cutout"]').click();
        await slide('feather', 6);
        await waitFor('cutout', '6');
        await s.page.waitForTimeout(200);
        const px = await s.ui.evaluate(
          (points) => {
            const canvas = document.getElementById('stage-canvas') as HTMLCanvasElement;
            const geo = (window as unknown as AppWindow).__cutout.app.canvas.geometry;
            const dpr = window.devicePixelRatio;
            const g = canvas.getContext('2d')!;
            return points.map(([x, y]) => Array.from(g.getImageData(Math.round((geo.x + x * geo.scale) * dpr), Math.round((geo.y + y * geo.scale) * dpr), 1, 1).data.slice(0, 3)));
          },
          [
            [160, 20],
            [60, 80], // not under the click's marker
          ],
        );
        // Outside the object: the checkerboard, not the photo's background; inside: the object's own colour.
        expect(Math.max(...px[0]!.map((v, i) => Math.abs(v - BG[i]!)))).toBeGreaterThan(40);
        expect(Math.max(...px[1]!.map((v, i) => Math.abs(v - OBJECTS.blue.color[i]!)))).toBeLessThanOrEqual(3);
        await picture(s, 'preview-cutout');

        // Enter from the slider applies what is previewed; P hides the preview.
        await s.ui.locator('#feather').focus();
        await s.page.keyboard.press('Enter');
        await s.page.waitForFunction(() => (window as unknown as { __applied: unknown[] }).__applied.length === 1, undefined, { timeout: 15_000 });
        await s.ui.locator('#stage-canvas').focus();
        await s.page.keyboard.press('p');
        await s.ui.waitForFunction(() => !(window as unknown as { __cutout: { app: { canvas: { previewShown: unknown } } } }).__cutout.app.canvas.previewShown);
      } finally {
        await s.context.close();
      }
    });
  }

  it('the mask edge contrasts with the pixels on both sides of it, on a blue, a near-black and a white object', async () => {
    const s = await open(SIZES[0]!, init('cutout'));
    try {
      await ready(s);
      const cases: Array<{ name: string; click: [number, number]; row: number; edgeX: number }> = [
        { name: 'blue', click: [60, 120], row: 120, edgeX: OBJECTS.blue.x0 },
        { name: 'black', click: [170, 125], row: 125, edgeX: OBJECTS.black.cx - OBJECTS.black.r },
        { name: 'white', click: [270, 120], row: 120, edgeX: OBJECTS.white.x0 },
      ];
      const figures: Record<string, number> = {};
      for (const c of cases) {
        await s.ui.locator('#clear').click().catch(() => undefined);
        await clickObject(s, c.click[0], c.click[1]);
        await s.page.waitForTimeout(200);
        // The canvas row through the object, in device pixels, around its left edge.
        const row = await s.ui.evaluate(
          ({ x, y }) => {
            const canvas = document.getElementById('stage-canvas') as HTMLCanvasElement;
            const geo = (window as unknown as AppWindow).__cutout.app.canvas.geometry;
            const dpr = window.devicePixelRatio;
            const cx = Math.round((geo.x + x * geo.scale) * dpr);
            const cy = Math.round((geo.y + (y + 0.5) * geo.scale) * dpr);
            const span = Math.round(8 * dpr);
            const d = canvas.getContext('2d')!.getImageData(cx - span, cy, span * 2 + 1, 1).data;
            return { px: Array.from(d), span, dpr };
          },
          { x: c.edgeX, y: c.row },
        );
        const at = (i: number): Rgb => [row.px[i * 4]!, row.px[i * 4 + 1]!, row.px[i * 4 + 2]!];
        const outside = at(0); // 8 CSS px left of the edge: the background as shown
        const inside = at(row.span * 2); // 8 CSS px right: the object as shown
        // The edge: some pixel within 2 CSS px of the boundary that stands out from both sides.
        let best = 0;
        for (let i = row.span - 2 * row.dpr; i <= row.span + 2 * row.dpr; i++) {
          best = Math.max(best, Math.min(contrastRatio(at(i), outside), contrastRatio(at(i), inside)));
        }
        figures[c.name] = Number(best.toFixed(2));
        expect(best, `${c.name}: edge vs both sides`).toBeGreaterThanOrEqual(3);
        await s.page.locator('#frame').screenshot({ path: join(SCREENSHOTS, `overlay-${c.name}-light-${SIZES[0]!.name}.png`) });
      }
      console.log('[overlay edge contrast]', JSON.stringify(figures));
    } finally {
      await s.context.close();
    }
  });
});
