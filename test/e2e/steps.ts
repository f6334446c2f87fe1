/**
 * What the end-to-end tests do the same way whatever the host, because they do it through the
 * plugin UI (the same dist/ui.html in Figma and Penpot): the suite's set-up and figures, the
 * models chosen as a user would have, clicking on the UI's canvas, pressing Enter and waiting
 * for the host's answer, the batch's "Remove background", closing from the footer, and the
 * request log. What the host's document must look like afterwards stays in each test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { generateAnalyticModels, SALIENT_FILES, SAM_HF_FILES } from '../../models/analytic/index.js';
import { DEFAULT_SETTINGS, type ModelSourceSpec } from '../../plugin/protocol.js';
import type { GrayImage, RgbaImage } from '../../core/image/types.js';
import type { Mat } from '../figma/fake/affine.js';
import type { BrowserHarness } from './common.js';
import { type Box, bounds, corners, edgeError, imagePageBox, maxDistance, type Pt, renderedVsTruth } from './measure.js';
import type { ImageSpec } from './scenes.js';

export const ARTIFACTS = 'test-artifacts';

/** What a suite measured: written to its timing file and the log. */
export interface Figures {
  timings: Record<string, number>;
  measured: Record<string, unknown>;
}

export interface E2ESuite<H> extends Figures {
  /** The harness (set in beforeAll). */
  readonly h: H;
  /** Its server's origin. */
  readonly origin: string;
}

/**
 * Registers the suite's beforeAll / afterAll: builds what is stale, generates the analytic
 * models into a temporary folder, starts the harness (then `setUp`); afterwards logs the
 * figures (`[<name> timings]`, `[<name> measured]`), writes test-artifacts/<timingFile> when
 * more than `minTimings` timings were taken, warns of page errors and cleans up.
 */
export function e2eSuite<H extends BrowserHarness>(o: {
  name: string;
  tmpPrefix: string;
  timingFile: string;
  ensureBuilt(): void;
  start(models: { samDir: string; salientDir: string }): Promise<H>;
  setUp?(h: H): Promise<void>;
  minTimings?: number;
}): E2ESuite<H> {
  let h: H | undefined;
  let modelRoot: string | undefined;
  const suite: E2ESuite<H> = {
    timings: {},
    measured: {},
    get h() {
      if (!h) throw new Error(`${o.name}: the harness did not start`);
      return h;
    },
    get origin() {
      return suite.h.server.url;
    },
  };
  beforeAll(async () => {
    const t0 = Date.now();
    o.ensureBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    modelRoot = mkdtempSync(join(tmpdir(), o.tmpPrefix));
    const dirs = await generateAnalyticModels(modelRoot);
    h = await o.start({ samDir: dirs['sam-hf'], salientDir: dirs.salient });
    await o.setUp?.(h);
    suite.timings.setupMs = Date.now() - t0;
  });
  afterAll(async () => {
    const { timings, measured } = suite;
    console.log(`[${o.name} timings]`, JSON.stringify(timings));
    console.log(`[${o.name} measured]`, JSON.stringify(measured));
    if (Object.keys(timings).length > (o.minTimings ?? 0)) writeFileSync(join(ARTIFACTS, o.timingFile), JSON.stringify({ timings, measured }, null, 2));
    if (h?.errors.length) console.warn(`[${o.name} page errors]`, h.errors.join('\n'));
    await h?.close();
    if (modelRoot) rmSync(modelRoot, { recursive: true, force: true });
  });
  return suite;
}

// ---- the models, as a user who picked them would have saved them ---------------------------------

export const analyticSamModel = (origin: string): ModelSourceSpec => ({
  id: 'analytic-sam-hf',
  name: 'Analytic SAM (e2e)',
  baseUrl: `${origin}/models/sam-hf/`,
  files: [SAM_HF_FILES.encoder, SAM_HF_FILES.decoder],
  license: 'MIT',
});

/** The analytic SAM and background models served by the harness at `origin`. */
export const analyticModels = (origin: string): ModelSourceSpec[] => [
  analyticSamModel(origin),
  {
    id: 'analytic-salient',
    name: 'Analytic background model (e2e)',
    baseUrl: `${origin}/models/salient/`,
    files: [SALIENT_FILES.model, SALIENT_FILES.descriptor],
    kind: 'salient',
    license: 'MIT',
  },
];

/** The settings that choose them. */
export const ANALYTIC_SETTINGS = { ...DEFAULT_SETTINGS, modelId: 'analytic-sam-hf', salientModelId: 'analytic-salient' };

// ---- through the UI --------------------------------------------------------------------------------

/** What the steps need of a session, whatever the host. */
export interface UiSession {
  page: Page;
  ui: Frame;
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  log(): Promise<Array<{ dir: string; type: string }>>;
  screenshot(name: string): Promise<string>;
}

type HostWindow = { __e2e: { log(): Array<{ dir: string; type: string }>; state(): { closed: unknown } } };

/** The user selects `name` in the editor while the plugin is open; the UI shows it, ready for a click. */
export async function selectSource(s: UiSession, name: string): Promise<void> {
  await s.call('select', [name]);
  await waitForSource(s, name);
}

/** Picks an output in the UI's output switch; the Apply button says `apply`. */
export async function chooseOutput(s: UiSession, value: 'cutout' | 'vector-mask' | 'outline', apply: string): Promise<void> {
  await s.ui.locator(`#output button[data-value="${value}"]`).click();
  expect(await s.ui.locator('#apply').innerText()).toBe(apply);
}

/** Waits until the UI shows `name` encoded and waiting for a click. */
export async function waitForSource(s: UiSession, name: string, timeout = 45_000): Promise<void> {
  await s.ui.waitForFunction(
    (n) => document.getElementById('source-name')?.textContent === n && document.getElementById('status')?.textContent === 'Click the object you want to keep.',
    name,
    { timeout },
  );
}

/**
 * Clicks image pixel p in the UI's canvas (its zoom-to-fit geometry maps it to CSS px) and waits
 * until Apply is enabled (`waitForMask`: and a mask is drawn). `hover`: the pointer moves there
 * first, as a user's does, so the time returned (ms) is the click's own decode.
 */
export async function clickImage(s: UiSession, p: { x: number; y: number }, o: { hover?: boolean; waitForMask?: boolean; timeout?: number } = {}): Promise<number> {
  const geo = await s.ui.evaluate(() => (window as unknown as { __cutout: { app: { canvas: { geometry: { x: number; y: number; scale: number } } } } }).__cutout.app.canvas.geometry);
  const box = (await s.ui.locator('#stage-canvas').boundingBox())!;
  const at = { x: geo.x + p.x * geo.scale, y: geo.y + p.y * geo.scale };
  expect(at.x).toBeGreaterThan(0);
  expect(at.x).toBeLessThan(box.width);
  expect(at.y).toBeLessThan(box.height);
  if (o.hover) await s.ui.locator('#stage-canvas').hover({ position: at });
  const t0 = Date.now();
  await s.ui.locator('#stage-canvas').click({ position: at });
  await s.ui.waitForFunction(
    (mask) =>
      !(document.getElementById('apply') as HTMLButtonElement).disabled &&
      (!mask || (window as unknown as { __cutout: { app: { canvas: { hasMask: boolean } } } }).__cutout.app.canvas.hasMask),
    o.waitForMask ?? false,
    { timeout: o.timeout ?? 20_000 },
  );
  return Date.now() - t0;
}

/** Waits for the plugin's answer to an apply (after bridge-log index `from`); returns the types sent to the UI since. */
export async function answerAfter(s: UiSession, from: number): Promise<string[]> {
  await s.page.waitForFunction(
    (n) => (window as unknown as HostWindow).__e2e.log().slice(n).some((e) => e.dir === 'to-ui' && (e.type === 'applied' || e.type === 'error')),
    from,
    { timeout: 30_000 },
  );
  return (await s.log()).slice(from).filter((e) => e.dir === 'to-ui').map((e) => e.type);
}

/** Presses Enter and waits for the host's `applied` and the UI's "Added …"; returns the time taken (ms). */
export async function applyWithEnter(s: UiSession): Promise<number> {
  const from = (await s.log()).length;
  const t0 = Date.now();
  await s.page.keyboard.press('Enter');
  expect(await answerAfter(s, from)).toContain('applied');
  await s.ui.waitForFunction(() => /^Added/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 10_000 });
  return Date.now() - t0;
}

/**
 * After an apply: Apply is off and a second Enter inserts nothing; the designer then clicks the
 * original layer (`sourceName`) in the editor, and the footer's "Added … Select" selects the new
 * layer `resultId` in the host again.
 */
export async function expectAppliedOnceThenSelect(s: UiSession & { state(): Promise<{ selection: string[] }> }, resultId: string, sourceName: string): Promise<void> {
  expect(await s.ui.locator('#apply').isDisabled()).toBe(true);
  const from = (await s.log()).length;
  await s.page.keyboard.press('Enter');
  await s.page.waitForTimeout(300);
  expect((await s.log()).slice(from).filter((e) => e.dir === 'to-plugin' && e.type === 'apply')).toEqual([]);
  await s.call('select', [sourceName]);
  await expect.poll(async () => (await s.state()).selection.length === 1 && (await s.state()).selection[0] !== resultId).toBe(true);
  await s.ui.waitForFunction(() => document.getElementById('status-action')?.textContent === 'Select' && /^Added/.test(document.getElementById('status')?.textContent ?? ''));
  await s.ui.locator('#status-action').click();
  await expect.poll(async () => (await s.state()).selection, { timeout: 5_000 }).toEqual([resultId]);
}

/** Presses Enter expecting the apply to fail: the host answers only `error`, the UI's banner says nothing was changed. Returns the banner's text. */
export async function applyExpectingError(s: UiSession): Promise<string> {
  const from = (await s.log()).length;
  await s.page.keyboard.press('Enter');
  expect(await answerAfter(s, from)).toEqual(['error']);
  await s.ui.waitForFunction(() => !document.getElementById('banner')!.hidden, undefined, { timeout: 10_000 });
  const banner = await s.ui.locator('#banner').innerText();
  expect(banner).toMatch(/nothing was changed/i);
  return banner;
}

/**
 * The host's next `op` throws `message` (`__e2e.fault`, one shot), then Enter: the apply fails as
 * applyExpectingError says. Returns the document's snapshot from before and the banner's text.
 */
export async function failingApply<S>(s: UiSession & { state(): Promise<S> }, op: string, message: string): Promise<{ known: string[]; before: S; dump: string; banner: string }> {
  const snap = await snapshot(s);
  await s.call('fault', op, message);
  return { ...snap, banner: await applyExpectingError(s) };
}

/** A stack trace or a source location in a message meant for the user. */
export const STACK_TRACE = /\n\s*at\s|\.(?:ts|js|mjs):\d+:\d+/;

/** The document before a step: the ids that exist, the host's state, the dump. */
export async function snapshot<S>(s: UiSession & { state(): Promise<S> }): Promise<{ known: string[]; before: S; dump: string }> {
  const known = await s.call<string[]>('allIds');
  const before = await s.state();
  const dump = await s.call<string>('dump');
  return { known, before, dump };
}

/**
 * One apply as a user does it: the document is snapshot first (its dump pushed to `dumps`, for
 * the undo walk), then a click on image pixel `at` and Enter, timed as `<label>: click → mask`
 * and `<label>: Enter → applied`; `shot`: screenshots <shot>-click and <shot>-applied. Returns the
 * snapshot and the nodes the apply created.
 */
export async function clickAndApply<N, S>(
  s: UiSession & { state(): Promise<S> },
  o: { at: { x: number; y: number }; label: string; timings: Figures['timings']; dumps: string[]; shot?: string },
): Promise<{ known: string[]; before: S; created: N[] }> {
  const { known, before, dump } = await snapshot(s);
  o.dumps.push(dump);
  o.timings[`${o.label}: click → mask`] = await clickImage(s, o.at);
  if (o.shot) await s.screenshot(`${o.shot}-click`);
  o.timings[`${o.label}: Enter → applied`] = await applyWithEnter(s);
  if (o.shot) await s.screenshot(`${o.shot}-applied`);
  return { known, before, created: await s.call<N[]>('newNodes', known) };
}

/** Undoes the applies whose documents before are `dumps`, last first: each undo restores exactly the one before; the first is `baseline`. */
export async function expectUndoWalk(s: UiSession, dumps: string[], baseline: string): Promise<void> {
  for (let k = dumps.length - 1; k >= 0; k--) {
    await s.call('undo');
    expect(await s.call<string>('dump')).toBe(dumps[k]);
  }
  expect(dumps[0]).toBe(baseline);
}

/** The batch view ready to run on this page (nothing selected) with the background model. */
export async function expectBatchReady(s: UiSession): Promise<void> {
  await s.ui.waitForFunction(
    () => document.getElementById('status')?.textContent === 'Originals stay untouched.' && !(document.getElementById('apply') as HTMLButtonElement).disabled,
    undefined,
    { timeout: 45_000 },
  );
  expect(await s.ui.locator('input[name="scope"][value="page"]').isChecked()).toBe(true);
  expect(await s.ui.locator('#model-list input[name="model"]:checked').getAttribute('value')).toBe('analytic-salient');
}

/** Before running, each scope says how many images it takes (the host's count), and so does the button. */
export async function expectScopeCounts(s: UiSession, counts: { selection: number; page: number }): Promise<void> {
  await s.ui.waitForFunction(() => /image/.test(document.getElementById('scope-count-page')?.textContent ?? ''), undefined, { timeout: 20_000 });
  const label = (n: number) => `· ${n === 0 ? 'no images' : `${n} image${n === 1 ? '' : 's'}`}`;
  for (const scope of ['selection', 'page'] as const) expect(await s.ui.locator(`#scope-count-${scope}`).innerText(), scope).toBe(label(counts[scope]));
  // all pages are counted only once chosen (Figma loads every page for it)
  expect(await s.ui.locator('#scope-count-file').innerText()).toBe('');
  expect(await s.ui.locator('#apply').innerText()).toBe(`Remove ${counts.page} backgrounds`);
}

/** Clicks the `k`-th result thumbnail of the batch summary; returns the source it belongs to (by its title). */
export async function selectFromSummary(s: UiSession, k: number): Promise<string> {
  const thumb = s.ui.locator('#batch-results button.batch-thumb').nth(k);
  const title = (await thumb.getAttribute('title')) ?? '';
  await thumb.click();
  return /^Cutout of (.*): click/.exec(title)?.[1] ?? '';
}

/**
 * Drags the window's resize corner by (dx, dy): pointer events dispatched on the corner (the
 * real-mouse drag is test/ui/panels.test.ts's; this page's iframe gets no mouse moves while a
 * button is down), each step waiting until the host has grown the window. Checks the host then
 * has the window at the size the drag asked for and keeps it for the next session.
 */
export async function resizeWithCorner(s: UiSession, dx: number, dy: number): Promise<{ width: number; height: number }> {
  const before = await s.call<{ width: number; height: number }>('windowSize');
  const pointer = (type: string, x: number, y: number) =>
    s.ui.evaluate(
      ([t, px, py]) => {
        const c = document.getElementById('resize-corner')!;
        c.dispatchEvent(new PointerEvent(t as string, { bubbles: true, cancelable: true, clientX: px as number, clientY: py as number, button: 0, pointerId: 1, isPrimary: true }));
      },
      [type, x, y] as const,
    );
  const x = before.width - 7;
  const y = before.height - 7;
  await pointer('pointerdown', x, y);
  const steps = 6;
  for (let i = 1; i <= steps; i++) {
    const want = { width: before.width + Math.round((dx * i) / steps), height: before.height + Math.round((dy * i) / steps) };
    await pointer('pointermove', x + want.width - before.width, y + want.height - before.height);
    const t0 = Date.now();
    for (;;) {
      const now = await s.call<{ width: number; height: number }>('windowSize');
      if (now.width === want.width && now.height === want.height) break;
      if (Date.now() - t0 > 5000) throw new Error(`the window did not follow the corner: ${JSON.stringify(now)} for ${JSON.stringify(want)}`);
      await s.page.waitForTimeout(20);
    }
  }
  await pointer('pointerup', x + dx, y + dy);
  const after = await s.call<{ width: number; height: number }>('windowSize');
  expect(after).toEqual({ width: before.width + dx, height: before.height + dy });
  const t0 = Date.now();
  while (JSON.stringify(await s.call('stored', 'ui-size.v1')) !== JSON.stringify(after) && Date.now() - t0 < 5000) await s.page.waitForTimeout(20);
  expect(await s.call('stored', 'ui-size.v1')).toEqual(after);
  return after;
}

/** Runs the batch (Apply) until its report shows; returns the time taken (ms). */
export async function runBatch(s: UiSession): Promise<number> {
  const t0 = Date.now();
  await s.ui.locator('#apply').click();
  await s.ui.waitForFunction(() => !document.getElementById('batch-report')!.hidden, undefined, { timeout: 60_000 });
  return Date.now() - t0;
}

/**
 * Renders `keep` alone over the page box of the image `spec` placed by `imageToPage`: the IoU of
 * its opaque pixels with the image's `foreground` there, and the rendering.
 */
export async function renderedIou(
  s: { render(keep: string[], box: Box, scale: number): Promise<RgbaImage> },
  keep: string[],
  imageToPage: Mat,
  spec: ImageSpec,
  foreground: (x: number, y: number) => boolean,
): Promise<{ iou: number; rendered: RgbaImage }> {
  const box = imagePageBox(imageToPage, spec);
  const rendered = await s.render(keep, box, 1);
  return { iou: renderedVsTruth(rendered, box, 1, imageToPage, spec, foreground), rendered };
}

export interface BatchResultMeasures {
  /** Page px between the result's box corners and the object's box corners. */
  cornerError: number;
  /** Pixels (of the grid the UI got) between the edges of where the object shows in the fill and where it is. */
  edges: number;
  fillIou: number;
  renderIou: number;
  /** The same, rounded for the figures. */
  figures: { pngBoxVsObjectBoxPagePx: number; objectEdgeErrorSourcePx: number; fillIou: number; renderIou: number };
}

/**
 * A "Remove background" result against the truth of its source image `spec`: its box's page
 * corners (`resultCorners`) vs the object's box placed by `truthToPage`, where the object shows
 * in its fill (`fill.alpha`) vs where it is (`truth`), the fill's IoU and the IoU as rendered
 * alone (page space, against `spec` placed by `imageToPage`). `truth` and `fill.alpha` are on the
 * grid of the pixels the UI got, placed on the page by `truthToPage`: the source image's own
 * (the default, `imageToPage`) or an editor's rendering of the layer.
 */
export async function measureBatchResult(
  s: { render(keep: string[], box: Box, scale: number): Promise<RgbaImage> },
  o: { id: string; resultCorners: Pt[]; imageToPage: Mat; truthToPage?: Mat; spec: ImageSpec; truth: GrayImage; fill: { iou: number; alpha: GrayImage }; foreground: (x: number, y: number) => boolean },
): Promise<BatchResultMeasures> {
  const cornerError = maxDistance(o.resultCorners, corners(o.truthToPage ?? o.imageToPage, bounds(o.truth)));
  // Where the object shows (alpha ≥ ½, as placed, in source pixels) vs where it is.
  const edges = edgeError(o.fill.alpha, o.truth);
  const { iou: renderIou } = await renderedIou(s, [o.id], o.imageToPage, o.spec, o.foreground);
  return {
    cornerError,
    edges,
    fillIou: o.fill.iou,
    renderIou,
    figures: { pngBoxVsObjectBoxPagePx: Number(cornerError.toFixed(3)), objectEdgeErrorSourcePx: Math.round(edges * 1000) / 1000, fillIou: Number(o.fill.iou.toFixed(4)), renderIou: Number(renderIou.toFixed(4)) },
  };
}

/**
 * The salient model works at 320×320 (stretched): its edges may land one source pixel off; the
 * IoUs as the tests demand. Soft: a batch's other results are checked too. `why`: said on failure.
 */
export function expectBatchResult(name: string, m: BatchResultMeasures, why?: string): void {
  const label = why ? `${name}: ${why}` : name;
  expect.soft(m.edges, label).toBeLessThanOrEqual(1);
  expect.soft(m.fillIou, label).toBeGreaterThanOrEqual(0.97);
  expect.soft(m.renderIou, label).toBeGreaterThanOrEqual(0.95);
}

/** "Close" in the footer closes the plugin (the host's closePlugin) and its iframe. */
export async function closeFromFooter(s: UiSession): Promise<void> {
  expect(await s.ui.locator('#apply').innerText()).toBe('Close');
  await s.ui.locator('#apply').click();
  await s.page.waitForFunction(() => !!(window as unknown as HostWindow).__e2e.state().closed, undefined, { timeout: 5_000 });
  expect(await s.page.locator('#plugin-ui').count()).toBe(0);
}

/**
 * No request went anywhere but 127.0.0.1 and no page logged an error; the browser asked for
 * each of `paths` and the server saw `served` (a path prefix). Counts the requests in `figures`.
 */
export function expectOnlyLoopback(h: BrowserHarness, figures: Figures, o: { paths?: string[]; served?: string } = {}): void {
  expect(h.foreign).toEqual([]);
  expect(h.errors).toEqual([]);
  expect([...new Set(h.requests.map((r) => new URL(r.url).hostname))]).toEqual(['127.0.0.1']);
  const paths = h.requests.map((r) => new URL(r.url).pathname);
  for (const p of o.paths ?? []) expect(paths, p).toContain(p);
  // The server saw the same (nothing was answered from elsewhere).
  if (o.served) expect(h.server.requests.some((r) => r.startsWith(o.served!))).toBe(true);
  figures.measured.requests = h.requests.length;
}

/** The paths every host's e2e session fetches from the harness (the models the UI loads). */
export const MODEL_PATHS = [`/models/sam-hf/${SAM_HF_FILES.encoder}`, `/models/sam-hf/${SAM_HF_FILES.decoder}`, `/models/salient/${SALIENT_FILES.model}`];
