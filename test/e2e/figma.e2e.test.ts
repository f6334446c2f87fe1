/**
 * End to end, as a designer uses it: headless Chromium opens a host page that runs the REAL
 * dist/code.js against the Figma fake (test/figma/fake) and the REAL dist/ui.html in a
 * null-origin iframe wired like Figma's message bridge; the analytic models are served from
 * 127.0.0.1 and chosen through clientStorage ('models.v1' + 'settings.v1', as a user who picked
 * them would have saved). See harness.ts and host-entry.ts.
 *
 *   1. "Cut out object…": the UI opens on the selected image layer, a click on the object,
 *      Enter → a "Cutout" rectangle right above the source whose corners are the object's
 *      bounding box mapped through the source's transform (≤ 0.5 px) and whose IMAGE fill's
 *      alpha is the object (IoU ≥ 0.95, also as the fake renders the page); the source is
 *      untouched, one undo step, the result selected. Again on a rotated layer.
 *   2. Vector mask on a layer three frames deep whose parent is an auto-layout frame: a group
 *      [mask vector (isMask), copy of the source] above the source, absolutely positioned;
 *      the vector's paths (Figma's grammar) rasterised in source pixels cover the object
 *      (IoU ≥ 0.95); undo steps revert exactly one apply each. An insertion that fails half-way
 *      (injected fault in figma.group) leaves the document byte-for-byte as it was, the UI says so
 *      in words, and Enter again succeeds.
 *   3. "Remove background" on a page of product shots in nested frames (auto-layout, rotated,
 *      grouped, flipped): one cutout exactly over each, originals untouched, a locked layer
 *      skipped, one undo step for the batch, a summary notification.
 *   4. Every request of the pages, the iframe and its worker went to 127.0.0.1.
 * Screenshots: test-artifacts/e2e-*.png (the fake's rendering of the page + the plugin window).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../core/image/png.js';
import { rasterizePaths } from '../../core/vector/index.js';
import { SAM_HF_FILES } from '../../models/analytic/index.js';
import { MODELS_KEY, SETTINGS_KEY } from '../../plugin/host/settings.js';
import type { GrayImage } from '../../core/image/types.js';
import { type Mat, inv, mul } from '../figma/fake/affine.js';
import { asMat, boxInSource, ensureBuilt, type FigmaState, fillImageToPage, fillInSource, type NodeInfo, nodeCorners, type Session, startHarness, transformPath } from './harness.js';
import { bounds, colourShare, corners, inMask, iou, isForeground, maxDistance } from './measure.js';
import { HTML_MARKER } from './shared.js';
import { BATCH_NAMES, COLLAGE, colourTruth, foregroundTruth, type ImageSpec, layerSpec, OBJECT, PHOTO, PHOTO_CLICK, PRODUCTS_PAGE, renderImage, SHOTS_PAGE } from './scenes.js';
import { ANALYTIC_SETTINGS, analyticModels, applyWithEnter, expectAppliedOnceThenSelect, chooseOutput, clickAndApply, clickImage, closeFromFooter, e2eSuite, expectBatchReady, expectBatchResult, expectScopeCounts, resizeWithCorner, selectFromSummary, expectOnlyLoopback, expectUndoWalk, failingApply, measureBatchResult, MODEL_PATHS, renderedIou, runBatch, selectSource, snapshot, STACK_TRACE } from './steps.js';

/** clientStorage as the plugin keeps it (Figma stores values structured-cloned). */
function storage(origin: string): Record<string, unknown> {
  return { [MODELS_KEY]: analyticModels(origin), [SETTINGS_KEY]: ANALYTIC_SETTINGS };
}

async function pngOf(s: Session, n: NodeInfo) {
  const paint = n.fills[0] as { type: string; imageHash: string };
  return decodePng(await s.imageBytes(paint.imageHash));
}

/**
 * A cutout layer against its source: placed exactly on the source's pixel grid (axis-aligned
 * there, whole-pixel corners, one PNG pixel per source pixel), every opaque pixel is the source's
 * own pixel under it, and the alpha (resampled into source pixels) vs `truth`.
 */
async function checkCutoutFill(s: Session, cut: NodeInfo, imageToPage: Mat, spec: ImageSpec, truth: GrayImage) {
  const paint = cut.fills[0] as { type: string; scaleMode: string };
  expect(cut.fills).toHaveLength(1);
  expect(paint.type).toBe('IMAGE');
  const png = await pngOf(s, cut);
  const cutToSource = mul(inv(imageToPage), asMat(cut.absoluteTransform));
  const box = boxInSource(cut, cutToSource);
  expect(box.skew, cut.name).toBeLessThan(1e-6);
  expect(box.offGrid, cut.name).toBeLessThan(1e-6);
  expect([png.width, png.height], cut.name).toEqual([Math.round(box.rect.width), Math.round(box.rect.height)]);
  const f = fillInSource(cut, png, cutToSource, renderImage(spec));
  expect(f.opaque, cut.name).toBeGreaterThan(0);
  expect(f.equal / f.opaque, cut.name).toBe(1);
  return { iou: iou(f.alpha, truth), rect: box.rect, alpha: f.alpha };
}

describe('Cutout in Figma, end to end (real code.js + ui.html, Figma fake, Chromium)', () => {
  // dist/code.js and dist/ui.html rebuilt when older than their sources.
  const suite = e2eSuite({ name: 'e2e', tmpPrefix: 'cutout-e2e-', timingFile: 'e2e-timing.json', ensureBuilt, start: startHarness });
  const { timings, measured } = suite;

  describe('"Cut out object…"', () => {
    let s: Session;
    let baselineDump: string;
    const dumps: string[] = [];

    /** Everything scenario 1 asserts about a cutout of PHOTO over `sourceName`. */
    async function cutOutAndCheck(sourceName: string, shot?: string): Promise<void> {
      const src = await s.node(sourceName);
      const { before, created } = await clickAndApply<NodeInfo, FigmaState>(s, { at: PHOTO_CLICK, label: sourceName, timings, dumps, shot });
      expect(created.map((n) => n.type)).toEqual(['RECTANGLE']);
      const cut = created[0]!;
      // Named after the source, right above it in the same parent, selected, one undo step.
      expect(cut.name).toMatch(new RegExp(`^Cutout (of|–) ${sourceName}$`));
      expect(cut.parent).toBe(src.parent);
      expect(cut.index).toBe(src.index + 1);
      expect(cut.pluginSource).toBe(src.id);
      expect(Object.keys(cut.relaunch)).toEqual(['edit']);
      const after = await s.state();
      expect(after.selection).toEqual([cut.id]);
      expect(after.undoSteps).toBe(before.undoSteps + 1);
      // The source is untouched.
      expect((await s.node(sourceName)).state).toBe(src.state);

      // Geometry: the corners are the object's bounding box mapped through the source's transform.
      const imageToPage = fillImageToPage(src, PHOTO);
      const truth = colourTruth(PHOTO, OBJECT);
      const bbox = bounds(truth);
      const cornerError = maxDistance(nodeCorners(cut), corners(imageToPage, bbox));
      measured[`${sourceName}: corner error (page px)`] = Number(cornerError.toFixed(4));
      expect(cornerError).toBeLessThanOrEqual(0.5);

      // The IMAGE fill decodes to a PNG whose alpha is the object.
      const fill = await checkCutoutFill(s, cut, imageToPage, PHOTO, truth);
      measured[`${sourceName}: fill alpha IoU`] = Number(fill.iou.toFixed(4));
      expect(fill.iou).toBeGreaterThanOrEqual(0.95);

      // As the fake renders the page: the result alone covers exactly the object.
      const { iou: renderIou } = await renderedIou(s, [cut.id], imageToPage, PHOTO, inMask(truth));
      measured[`${sourceName}: rendered IoU`] = Number(renderIou.toFixed(4));
      expect(renderIou).toBeGreaterThanOrEqual(0.95);
    }

    beforeAll(async () => {
      const t0 = Date.now();
      s = await suite.h.open({ command: 'cutout', page: 'Shots', select: ['Photo'], storage: storage(suite.origin) });
      baselineDump = await s.call<string>('dump');
      await s.ui.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 60_000 });
      timings['cutout: open → ready for clicks'] = Date.now() - t0;
      measured.runtime = await s.ui.evaluate(() => (window as unknown as { __cutout: { app: { runtime: unknown } } }).__cutout.app.runtime);
      const log = await s.log();
      timings['cutout: showUI → ready message'] = Math.round(log.find((e) => e.type === 'ready')!.t - log.find((e) => e.type === 'showUI')!.t);
    });

    it('shows the UI like Figma (showUI with __html__ and theme colours) and loads the model named in clientStorage', async () => {
      expect(s.showUI.html).toBe(HTML_MARKER);
      expect(s.showUI.options).toMatchObject({ width: 360, height: 600, themeColors: true });
      expect(await s.ui.locator('#source-name').innerText()).toBe('Photo');
      expect(await s.ui.locator('#model-list input[name="model"]:checked').getAttribute('value')).toBe('analytic-sam-hf');
      const types = (await s.log()).map((e) => `${e.dir}:${e.type}`);
      expect(types[0]).toBe('host:showUI');
      expect(types.slice(1, 4)).toEqual(['to-plugin:ready', 'to-ui:init', 'to-ui:selection']);
      expect(types).toContain('to-plugin:request-image');
      expect(types).toContain('to-ui:image');
    });

    it('click + Enter: a cutout layer exactly over the object, source untouched, one undo step, selected', async () => {
      await cutOutAndCheck('Photo', 'cutout');
    });

    it('the same on a rotated layer (selection changed while the plugin is open)', async () => {
      await selectSource(s, 'Tilted photo');
      await cutOutAndCheck('Tilted photo');
    });

    it('vector mask on a layer three frames deep in an auto-layout row: group [mask vector, copy of the source]', async () => {
      await selectSource(s, 'Nested photo');
      await chooseOutput(s, 'vector-mask', 'Apply vector mask');
      const src = await s.node('Nested photo');
      const row = await s.node('Row');
      expect(src.parent).toBe(row.id);
      const { before, created } = await clickAndApply<NodeInfo, FigmaState>(s, { at: PHOTO_CLICK, label: 'vector mask', timings, dumps });
      await s.screenshot('vector-mask-applied');

      const group = created.find((n) => n.parent === src.parent)!;
      expect(group).toBeDefined();
      expect(created).toHaveLength(3);
      expect(group.type).toBe('GROUP');
      expect(group.name).toMatch(/^Vector mask (of|–) Nested photo$/);
      expect(group.index).toBe(src.index + 1);
      expect(group.layoutPositioning).toBe('ABSOLUTE'); // does not join the auto-layout flow
      expect(group.pluginSource).toBe(src.id);
      const [mask, copy] = await Promise.all(group.children.map((id) => s.node(id)));
      expect(group.children).toHaveLength(2);
      expect(mask!.type).toBe('VECTOR');
      expect(mask!.isMask).toBe(true);
      expect(copy!.type).toBe(src.type);
      expect(copy!.fills).toEqual(src.fills);
      expect(copy!.visible).toBe(true);
      expect([copy!.width, copy!.height]).toEqual([src.width, src.height]);
      expect(maxDistance(nodeCorners(copy!), nodeCorners(src))).toBeLessThan(1e-6);
      const after = await s.state();
      expect(after.selection).toEqual([group.id]);
      expect(after.undoSteps).toBe(before.undoSteps + 1);
      // The source did not move in its auto-layout row and is otherwise untouched.
      const srcAfter = await s.node('Nested photo');
      expect(srcAfter.state).toBe(src.state);
      expect(srcAfter.absoluteTransform).toEqual(src.absoluteTransform);

      // The paths (Figma's grammar) rasterised in source pixels cover the object.
      const imageToPage = fillImageToPage(src, PHOTO);
      const toSource = mul(inv(imageToPage), asMat(mask!.absoluteTransform));
      const paths = mask!.vectorPaths!.map((p) => ({ windingRule: p.windingRule as 'EVENODD' | 'NONZERO', data: transformPath(p.data, toSource) }));
      expect(paths.length).toBeGreaterThan(0);
      const truth = colourTruth(PHOTO, OBJECT);
      const pathIou = iou(rasterizePaths(paths, PHOTO.width, PHOTO.height), truth);
      measured['vector mask: path IoU (source px)'] = Number(pathIou.toFixed(4));
      expect(pathIou).toBeGreaterThanOrEqual(0.95);

      // Rendered: the masked copy shows the source's object pixels, exactly where the object is.
      const { iou: renderIou, rendered } = await renderedIou(s, [group.id], imageToPage, PHOTO, inMask(truth));
      measured['vector mask: rendered IoU'] = Number(renderIou.toFixed(4));
      expect(renderIou).toBeGreaterThanOrEqual(0.95);
      expect(colourShare(rendered, OBJECT)).toBeGreaterThanOrEqual(0.98);
    });

    it('each apply is exactly one undo step: three undos walk back to the untouched document', async () => {
      expect(dumps).toHaveLength(3);
      await expectUndoWalk(s, dumps, baselineDump);
      expect((await s.state()).error).toBeUndefined();
    });
    it('an insertion that fails half-way leaves the file exactly as it was, says so, and a retry works', async () => {
      await selectSource(s, 'Photo');
      expect(await s.ui.locator('#apply').innerText()).toBe('Apply vector mask'); // the copy and the vector exist before the group
      await clickImage(s, PHOTO_CLICK);
      const { known, before, dump, banner } = await failingApply(s, 'group', 'in group: injected fault');
      expect(banner).not.toMatch(STACK_TRACE);
      await s.screenshot('insert-failed');
      expect(await s.call<NodeInfo[]>('newNodes', known)).toEqual([]);
      expect(await s.call<string>('dump')).toBe(dump);
      expect((await s.state()).undoSteps).toBe(before.undoSteps);
      // The fault was one shot: Enter again inserts the mask.
      await applyWithEnter(s);
      const created = await s.call<NodeInfo[]>('newNodes', known);
      expect(created.map((n) => n.type).sort()).toEqual(['GROUP', 'RECTANGLE', 'VECTOR']);
      expect((await s.state()).undoSteps).toBe(before.undoSteps + 1);
      await expectAppliedOnceThenSelect(s, created.find((n) => n.type === 'GROUP')!.id, 'Photo');
      expect(await s.call<NodeInfo[]>('newNodes', known)).toHaveLength(3); // no duplicate
    });
  });

  describe('"Remove background" on a page of product shots in nested frames', () => {
    it('a cutout exactly over each image, originals untouched, one undo step, a summary', async () => {
      const t0 = Date.now();
      const s = await suite.h.open({ command: 'remove-bg', page: 'Products', select: [], storage: storage(suite.origin) });
      await s.ui.waitForFunction(() => document.getElementById('app')?.dataset.view === 'batch', undefined, { timeout: 30_000 });
      // Nothing selected: the scope is this page.
      await expectBatchReady(s);
      await expectScopeCounts(s, { selection: 0, page: BATCH_NAMES.length });
      timings['remove-bg: open → ready'] = Date.now() - t0;
      await s.screenshot('batch-setup');

      const sources = new Map<string, NodeInfo>();
      for (const name of [...BATCH_NAMES, 'Locked photo']) sources.set(name, await s.node(name));
      const { known, before, dump: dumpBefore } = await snapshot(s);

      timings['remove-bg: 5 images'] = await runBatch(s);
      await s.screenshot('batch-done');

      // The summary, in the UI and as a Figma notification.
      expect(await s.ui.locator('#batch-summary').innerText()).toBe('5 backgrounds removed · 1 skipped');
      expect(await s.ui.locator('#batch-failures').innerText()).toMatch(/Locked photo\s*Skipped because it is locked/);
      const after = await s.state();
      expect(after.notifications.at(-1)!.message).toBe('Removed the background from 5 images, 1 skipped.');
      expect(after.undoSteps).toBe(before.undoSteps + 1);

      const created = await s.call<NodeInfo[]>('newNodes', known);
      expect(created).toHaveLength(BATCH_NAMES.length);
      expect(new Set(after.selection)).toEqual(new Set(created.map((n) => n.id)));
      for (const name of BATCH_NAMES) {
        const src = sources.get(name)!;
        const spec = layerSpec(PRODUCTS_PAGE, name).image;
        const cut = created.find((n) => n.pluginSource === src.id);
        expect(cut, name).toBeDefined();
        expect(cut!.type).toBe('RECTANGLE');
        expect(cut!.name).toMatch(new RegExp(`^Cutout (of|–) ${name}$`));
        expect(cut!.parent, name).toBe(src.parent);
        // The original is untouched (its index grew by the results inserted below it).
        const now = await s.node(name);
        expect(cut!.index, name).toBe(now.index + 1);
        expect(now.state, name).toBe(src.state);
        expect(now.absoluteTransform).toEqual(src.absoluteTransform);

        const imageToPage = fillImageToPage(src, spec);
        const truth = foregroundTruth(spec);
        const fill = await checkCutoutFill(s, cut!, imageToPage, spec, truth);
        const m = await measureBatchResult(s, { id: cut!.id, resultCorners: nodeCorners(cut!), imageToPage, spec, truth, fill, foreground: isForeground(spec) });
        measured[`remove-bg ${name}`] = { ...m.figures, layout: cut!.layoutPositioning };
        expectBatchResult(name, m);
      }
      // The auto-layout shelf keeps its flow: the results there are absolutely positioned.
      for (const name of ['Bottle', 'Shoe']) expect(created.find((n) => n.pluginSource === sources.get(name)!.id)!.layoutPositioning).toBe('ABSOLUTE');
      // A thumbnail of the summary selects its result in the file.
      const picked = await selectFromSummary(s, 2);
      const pickedCut = created.find((n) => n.pluginSource === sources.get(picked)!.id)!;
      await s.ui.waitForTimeout(200);
      expect((await s.state()).selection).toEqual([pickedCut.id]);
      // The window grows from its corner and keeps that size for the next session.
      await resizeWithCorner(s, 48, 36);
      // The locked layer and the other page are untouched.
      expect((await s.node('Locked photo')).state).toBe(sources.get('Locked photo')!.state);
      const shotsIds = SHOTS_PAGE.items.map((i) => s.ids[i.name]!);
      expect(created.some((n) => shotsIds.includes(n.parent ?? ''))).toBe(false);

      // One undo removes the whole batch and nothing else.
      await s.call('undo');
      expect(await s.call<string>('dump')).toBe(dumpBefore);
      expect((await s.state()).error).toBeUndefined();

      // "Close" closes the plugin (figma.closePlugin), as the footer says.
      await closeFromFooter(s);
    });
  });

  describe('"Split into layers…" on a collage of K shapes', () => {
    it('K shapes → one group right above the source: K object layers, smaller on top, and the Background; together they show the source; one undo step', async () => {
      const t0 = Date.now();
      const s = await suite.h.open({ command: 'split', page: 'Collage', select: ['Collage'], storage: storage(suite.origin) });
      await s.ui.waitForFunction(() => document.getElementById('app')?.dataset.split === 'found', undefined, { timeout: 900_000 });
      timings['split: open → objects found (32×32 grid)'] = Date.now() - t0;
      expect(await s.ui.locator('#mode-split').getAttribute('aria-selected')).toBe('true');
      const K = COLLAGE.shapes.length;
      expect(await s.ui.locator('#split-count').innerText()).toBe(`${K} objects`);
      await s.screenshot('split-found');
      const src = await s.node('Collage');
      const known = await s.call<string[]>('allIds');
      const base = await s.call<string>('dump');
      const before = await s.state();
      await s.ui.locator('#split-canvas').press('Enter');
      await s.ui.waitForFunction(() => document.getElementById('app')?.dataset.split === 'applied', undefined, { timeout: 120_000 });
      await s.screenshot('split-applied');
      const after = await s.state();
      expect(after.undoSteps).toBe(before.undoSteps + 1);
      const created = await s.call<NodeInfo[]>('newNodes', known);
      const group = created.find((n) => n.name === 'Layers – Collage')!;
      expect(group.type).toBe('GROUP');
      expect(group.parent).toBe(src.parent);
      expect(group.index).toBe(src.index + 1);
      expect(group.pluginSource).toBe(src.id);
      expect(after.selection).toEqual([group.id]);
      const layers = group.children.map((id) => created.find((n) => n.id === id)!);
      // Bottom first: the Background, then objects from larger to smaller.
      expect(layers).toHaveLength(K + 1);
      expect(layers[0]!.name).toBe('Background');
      for (const n of layers.slice(1)) expect(n.name).toMatch(/^(Top|Bottom|Left|Right|Centre)( left| right)? \d+×\d+ at \d+, \d+$/);
      expect((await s.node('Collage')).state).toBe(src.state);
      const toPage = fillImageToPage(src, COLLAGE);
      const { iou: whole } = await renderedIou(s, [group.id], toPage, COLLAGE, () => true);
      measured['split: group rendered vs the whole source (IoU)'] = Number(whole.toFixed(4));
      expect(whole).toBeGreaterThanOrEqual(0.99);
      // Each shape has its own layer (rendered alone it covers the shape), and the layers stack by the shapes' areas.
      const objects = layers.slice(1);
      const owner: number[] = [];
      for (const [k, shape] of COLLAGE.shapes.entries()) {
        const truth = colourTruth(COLLAGE, shape.color);
        const ious = await Promise.all(objects.map(async (n) => (await renderedIou(s, [n.id], toPage, COLLAGE, inMask(truth))).iou));
        const best = ious.indexOf(Math.max(...ious));
        measured[`split: shape ${k} layer IoU`] = Number(ious[best]!.toFixed(4));
        expect(ious[best]).toBeGreaterThanOrEqual(0.9);
        owner[best] = k;
      }
      expect(new Set(owner).size).toBe(K);
      const shapeArea = (k: number) => colourTruth(COLLAGE, COLLAGE.shapes[k]!.color).data.filter((v) => v).length;
      const stacked = owner.map(shapeArea);
      expect(stacked, 'bottom to top: larger to smaller').toEqual([...stacked].sort((a, b) => b - a));
      await s.call('undo');
      expect(await s.call<string>('dump')).toBe(base);
    }, 1_200_000);
  });

  describe('"Edit cutout" on a result (the relaunch button)', () => {
    it('reopens with the points, the chosen mask and the settings; Edit replaces in place; one undo restores the old result', async () => {
      const s = (await suite.h.open({ command: 'cutout', page: 'Shots', select: ['Photo'], storage: storage(suite.origin) })) as Session;
      await s.ui.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 60_000 });
      const src = await s.node('Photo');
      const { created } = await clickAndApply<NodeInfo, FigmaState>(s, { at: PHOTO_CLICK, label: 'edit: first', timings, dumps: [] });
      const old = created[0]!;
      const made = await s.ui.evaluate(() => {
        const e = (window as unknown as { __cutout: { app: { history: { current: { prompt: { points: unknown[] }; candidate?: number; prediction?: { selected: number } } } } } }).__cutout.app.history.current;
        return { points: e.prompt.points, candidate: e.candidate ?? e.prediction!.selected };
      });

      // The relaunch button on the result: the plugin runs again as "edit" with the result selected.
      await s.call('relaunch', 'edit', [old.id]);
      const handle = await s.page.waitForSelector('#plugin-ui', { state: 'attached' });
      s.ui = (await handle.contentFrame())!;
      await s.ui.waitForFunction(() => document.documentElement.dataset.cutoutReady === 'true', undefined, { timeout: 60_000 });
      await s.ui.waitForFunction(() => document.getElementById('apply')?.dataset.replacing === 'true' && !(document.getElementById('apply') as HTMLButtonElement).disabled, undefined, { timeout: 60_000 });
      const restored = await s.ui.evaluate(() => {
        const e = (window as unknown as { __cutout: { app: { history: { current: { prompt: { points: unknown[] }; candidate?: number; prediction?: { selected: number } } } } } }).__cutout.app.history.current;
        return { points: e.prompt.points, candidate: e.candidate ?? e.prediction!.selected, source: document.getElementById('source-name')!.textContent };
      });
      expect(restored).toEqual({ ...made, source: 'Photo' });
      await s.screenshot('edit-restored');

      const { known, before, dump } = await snapshot(s);
      await s.ui.locator('#output button[data-value="outline"]').click();
      await applyWithEnter(s);
      const fresh = await s.call<NodeInfo[]>('newNodes', known);
      expect(fresh).toHaveLength(1);
      // The old result is gone, the new one took its place: same parent, same index, one undo step.
      expect(await s.call<NodeInfo | null>('node', old.id)).toBeNull();
      expect(fresh[0]!.type).toBe('VECTOR');
      expect(fresh[0]!.parent).toBe(old.parent);
      expect(fresh[0]!.index).toBe(old.index);
      expect(fresh[0]!.pluginSource).toBe(src.id);
      expect((await s.state()).undoSteps).toBe(before.undoSteps + 1);
      await s.screenshot('edit-replaced');
      // One undo brings the old result back, exactly.
      await s.call('undo');
      expect(await s.call<string>('dump')).toBe(dump);
      expect((await s.node(old.id)).id).toBe(old.id);
    });
  });

  it('no request went anywhere but 127.0.0.1 (pages, the null-origin iframe, its worker); no page errors', () => {
    expectOnlyLoopback(suite.h, suite, { paths: ['/e2e.html', '/host.js', '/code.js', '/ui.html', ...MODEL_PATHS], served: `/models/sam-hf/${SAM_HF_FILES.encoder}` });
  });
});
