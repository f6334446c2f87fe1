/**
 * End to end with the REAL SAM graphs and the Outline output (same harness as
 * figma.e2e.test.ts: real dist/code.js against the Figma fake, real dist/ui.html in a
 * null-origin iframe, everything served from 127.0.0.1; see harness.ts and host-entry.ts).
 *
 *   1. sam-reference (needs ../shared/fixtures/sam-reference: fails on CI when missing, skipped
 *      locally): the transformers.js-layout SlimSAM-77 graphs with seeded random weights
 *      (vision_encoder_quantized.onnx served as vision_encoder.onnx, and
 *      prompt_encoder_mask_decoder.onnx). The weights are random, so masks mean nothing: only
 *      STRUCTURE is asserted. A photo layer (chelsea.png, scaled and rotated) is added to the page
 *      through the `figma` API and selected while the plugin is open; the UI shows the download
 *      with byte progress (label "Downloading …", "x MB of y MB", the bar growing; y is the
 *      files' Content-Length), analyses the image in wasm, a click shows a mask, Enter applies
 *      a cutout: exactly one new RECTANGLE right above the source whose IMAGE fill is a PNG no
 *      larger than the source image, lying on the source's pixel grid (one PNG pixel per
 *      source pixel) inside the source's bounds, every opaque pixel the source's own; the
 *      source untouched, one undo step. Timings (open → ready for clicks, click → mask preview)
 *      go to test-artifacts/e2e-reference-timing.json and the log.
 *   2. Outline with the analytic sam-hf model on a rotated layer: a VECTOR with a stroke and no
 *      fills right above the source whose vectorPaths parse (Figma's grammar) and, rasterised in
 *      source pixels (core/vector/rasterize.ts), cover the clicked shape (IoU ≥ 0.95); the
 *      source untouched, one undo step that restores the document exactly.
 *   3. Every request went to 127.0.0.1; no page errors.
 * Screenshots: test-artifacts/e2e-reference-*.png.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import { rasterizePaths } from '../../core/vector/index.js';
import { SAM_HF_FILES } from '../../models/analytic/index.js';
import { MODELS_KEY, SETTINGS_KEY } from '../../plugin/host/settings.js';
import { DEFAULT_SETTINGS, type ModelSourceSpec } from '../../plugin/protocol.js';
import { formatBytes } from '../../ui/format.js';
import { type Mat, ap, inv, mul } from '../figma/fake/affine.js';
import { parseVectorPath } from '../figma/fake/index.js';
import { requireFixture } from '../fixtures.js';
import { asMat, boxInSource, ensureBuilt, fillImageToPage, fillInSource, type NodeInfo, type Session, startHarness, transformPath } from './harness.js';
import { iou } from './measure.js';
import { colourTruth, OBJECT, PHOTO, PHOTO_CLICK } from './scenes.js';
import { analyticSamModel, applyWithEnter, ARTIFACTS, clickImage, e2eSuite, expectOnlyLoopback, snapshot, waitForSource } from './steps.js';

const REF = requireFixture('sam-reference');
const REF_FILES = { encoder: 'vision_encoder_quantized.onnx', decoder: 'prompt_encoder_mask_decoder.onnx' } as const;
const REF_MODEL = { id: 'sam-reference', name: 'SAM reference (random weights)' };
/** The photo layer added for scenario 1: chelsea.png (451×300) at 0.8×, rotated. */
const CHELSEA = { name: 'Chelsea', scale: 0.8, x: 1040, y: 120, rotation: -12 };
/** Where the user clicks, in source-image pixels (the cat's face). */
const CHELSEA_CLICK = { x: 230, y: 110 };
/** A click here waits for the mask itself (Apply enabled and a mask drawn), timed from the click after a hover. */
const MASK_CLICK = { hover: true, waitForMask: true, timeout: 30_000 };

function storage(origin: string, modelId: string, extra: Partial<typeof DEFAULT_SETTINGS> = {}): Record<string, unknown> {
  const models: ModelSourceSpec[] = [
    analyticSamModel(origin),
    { id: REF_MODEL.id, name: REF_MODEL.name, baseUrl: `${origin}/models/sam-reference/`, files: [SAM_HF_FILES.encoder, SAM_HF_FILES.decoder], license: 'test fixture' },
  ];
  return { [MODELS_KEY]: models, [SETTINGS_KEY]: { ...DEFAULT_SETTINGS, ...extra, modelId } };
}

/**
 * Records what the UI's progress strip shows, from the first byte of ui.html on (an init
 * script: the download may start before the test could attach anything).
 */
const PROGRESS_RECORDER = `(() => {
  if (!/\\/ui\\.html$/.test(location.pathname)) return;
  const log = [];
  window.__progressLog = log;
  let last = '';
  const t0 = performance.now();
  new MutationObserver(() => {
    const root = document.getElementById('progress');
    if (!root) return;
    const e = {
      shown: !root.hidden,
      label: document.getElementById('progress-label')?.textContent ?? '',
      detail: document.getElementById('progress-detail')?.textContent ?? '',
      width: document.getElementById('progress-fill')?.style.width ?? '',
    };
    const key = JSON.stringify(e);
    if (key === last) return;
    last = key;
    log.push({ t: Math.round(performance.now() - t0), ...e });
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
})();`;

interface ProgressEntry {
  t: number;
  shown: boolean;
  label: string;
  detail: string;
  width: string;
}

/**
 * Screenshot of the outline: the fake's renderer draws no strokes (render.ts says so), so the
 * "selected layer alone" panel would be empty. It shows the source layer alone instead (the
 * fake's rendering) with the outline VECTOR's vectorPaths stroked over it through the
 * vector's absoluteTransform, in its stroke colour.
 */
async function outlineScreenshot(s: Session, srcId: string, vectorId: string, name: string): Promise<void> {
  await s.call('paint');
  await s.page.evaluate(
    ([srcId, vectorId]) => {
      const e = window.__e2e;
      const src = e.node(srcId)!;
      const v = e.node(vectorId)!;
      const t = src.absoluteTransform;
      const pts = [
        [0, 0],
        [src.width, 0],
        [src.width, src.height],
        [0, src.height],
      ].map(([x, y]) => [t[0][0] * x! + t[0][1] * y! + t[0][2], t[1][0] * x! + t[1][1] * y! + t[1][2]]);
      const xs = pts.map((p) => p[0]!);
      const ys = pts.map((p) => p[1]!);
      const box = { x: Math.min(...xs) - 8, y: Math.min(...ys) - 8, width: Math.max(...xs) - Math.min(...xs) + 16, height: Math.max(...ys) - Math.min(...ys) + 16 };
      const canvas = document.getElementById('sel') as HTMLCanvasElement;
      const k = Math.min(canvas.width / box.width, canvas.height / box.height);
      const r = e.render([srcId], box, k);
      const bytes = Uint8ClampedArray.from(atob(r.rgba), (c) => c.charCodeAt(0));
      const ctx = canvas.getContext('2d')!;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.fillStyle = '#f4f4f4';
      ctx.fillRect(0, 0, r.width, r.height);
      const tmp = document.createElement('canvas');
      tmp.width = r.width;
      tmp.height = r.height;
      tmp.getContext('2d')!.putImageData(new ImageData(bytes, r.width, r.height), 0, 0);
      ctx.drawImage(tmp, 0, 0);
      const m = v.absoluteTransform;
      const toCanvas = new DOMMatrix([k * m[0][0], k * m[1][0], k * m[0][1], k * m[1][1], k * (m[0][2] - box.x), k * (m[1][2] - box.y)]);
      const state = JSON.parse(v.state) as { strokes: Array<{ color: { r: number; g: number; b: number } }>; strokeWeight: number };
      const c = state.strokes[0]!.color;
      const path = new Path2D();
      for (const p of v.vectorPaths ?? []) path.addPath(new Path2D(p.data), toCanvas);
      ctx.strokeStyle = `rgb(${Math.round(c.r * 255)}, ${Math.round(c.g * 255)}, ${Math.round(c.b * 255)})`;
      ctx.lineWidth = Math.max(1, state.strokeWeight * k);
      ctx.lineJoin = 'round';
      ctx.stroke(path);
      document.getElementById('sel-label')!.textContent =
        `“${v.name}” over “${src.name}” at ${Math.round(k * 100)}% (stroked by the test: the fake draws no strokes)`;
    },
    [srcId, vectorId] as const,
  );
  await s.page.screenshot({ path: `${ARTIFACTS}/e2e-${name}.png` });
}

/** Where image pixel `p` is on the UI's canvas (CSS px inside it). */
async function canvasPoint(s: Session, p: { x: number; y: number }): Promise<{ x: number; y: number }> {
  const geo = await s.ui.evaluate(() => (window as unknown as { __cutout: { app: { canvas: { geometry: { x: number; y: number; scale: number } } } } }).__cutout.app.canvas.geometry);
  return { x: geo.x + p.x * geo.scale, y: geo.y + p.y * geo.scale };
}

/** The UI's current prediction: its scores, selected candidate and a digest of each low-res map. */
async function currentPrediction(s: Session): Promise<{ scores: number[]; selected: number; maps: number[][] }> {
  return s.ui.evaluate(() => {
    const p = (window as unknown as { __cutout: { app: { history: { current: { prediction?: { scores: number[]; selected: number; lowRes: Float32Array[] } } } } } }).__cutout.app.history.current.prediction!;
    // Sums over stripes of each map: equal maps, equal digests; any differing logit shows.
    const maps = p.lowRes.map((m) => {
      const out: number[] = [];
      for (let k = 0; k < 16; k++) {
        let sum = 0;
        for (let i = k; i < m.length; i += 16) sum += m[i]!;
        out.push(sum);
      }
      return out;
    });
    return { scores: [...p.scores], selected: p.selected, maps };
  });
}

const stateOf = (n: NodeInfo) => JSON.parse(n.state) as { strokes: Array<{ type: string; visible?: boolean; opacity?: number }>; strokeWeight: number; fills: unknown[] };

describe('Cutout in Figma with the real SAM graphs and the Outline output (end to end)', () => {
  const suite = e2eSuite({
    name: 'e2e reference',
    tmpPrefix: 'cutout-e2e-ref-',
    timingFile: 'e2e-reference-timing.json',
    minTimings: 1,
    ensureBuilt,
    start: startHarness,
    async setUp(h) {
      if (REF) {
        // The real graphs under the transformers.js names; sent in pieces like a real network
        // response (Content-Length known), so the byte progress has something to show.
        const serve = (file: string) => ({ body: new Uint8Array(readFileSync(join(REF, 'onnx', file))), chunkSize: 256 * 1024, chunkDelayMs: 2 });
        h.server.setRoute(`/models/sam-reference/${SAM_HF_FILES.encoder}`, serve(REF_FILES.encoder));
        h.server.setRoute(`/models/sam-reference/${SAM_HF_FILES.decoder}`, serve(REF_FILES.decoder));
      }
      await h.context.addInitScript({ content: PROGRESS_RECORDER });
    },
  });
  const { timings, measured } = suite;

  describe.skipIf(!REF)('real SAM graphs (sam-reference, random weights: structure only)', () => {
    it('downloads with byte progress, encodes, a click shows a mask, Enter inserts one cutout over the photo', async () => {
      const encoderBytes = statSync(join(REF!, 'onnx', REF_FILES.encoder)).size;
      const decoderBytes = statSync(join(REF!, 'onnx', REF_FILES.decoder)).size;
      const chelseaPng = new Uint8Array(readFileSync(join(REF!, 'images', 'chelsea.png')));
      const chelsea: RgbaImage = decodePng(chelseaPng);

      const t0 = Date.now();
      const s = await suite.h.open({ command: 'cutout', page: 'Shots', select: [], storage: storage(suite.origin, REF_MODEL.id) });
      // A photo layer, added through the plugin API as a designer would have placed it, then
      // selected while the plugin is open (committed first: not part of the plugin's undo step).
      const srcId = await s.page.evaluate(
        ([b64, c]) => {
          const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
          const f = (globalThis as unknown as { figma: PluginAPI }).figma;
          const image = f.createImage(bytes);
          const node = f.createRectangle();
          node.name = c.name;
          node.resize(451 * c.scale, 300 * c.scale);
          const r = (c.rotation * Math.PI) / 180;
          node.relativeTransform = [
            [Math.cos(r), Math.sin(r), c.x],
            [-Math.sin(r), Math.cos(r), c.y],
          ];
          node.fills = [{ type: 'IMAGE', imageHash: image.hash, scaleMode: 'FILL' }];
          f.commitUndo();
          return node.id;
        },
        [Buffer.from(chelseaPng).toString('base64'), CHELSEA] as const,
      );
      await s.call('select', [srcId]);
      await s.ui.waitForFunction(() => document.getElementById('progress-label')?.textContent === 'Analyzing image' && !document.getElementById('progress')!.hidden, undefined, { timeout: 60_000 });

      // A click while the image is analysed is taken, shown pending, and answered once the
      // embedding exists (it used to be dropped: the canvas took no input before).
      await s.ui.locator('#stage-canvas').hover({ position: await canvasPoint(s, { x: 40, y: 40 }) });
      expect(await s.ui.evaluate(() => document.getElementById('app')!.dataset.pending)).toBe('hover');
      await s.ui.locator('#stage-canvas').click({ position: await canvasPoint(s, CHELSEA_CLICK) });
      const pendingShown = await s.ui.evaluate(() => ({
        pending: document.getElementById('app')!.dataset.pending,
        status: document.getElementById('status')!.textContent,
        analysing: document.getElementById('progress-label')!.textContent,
        encoded: (window as unknown as { __cutout: { app: { engine: { isEncoded: boolean } } } }).__cutout.app.engine.isEncoded,
      }));
      expect(pendingShown).toEqual({ pending: 'click', status: 'Your click is answered as soon as the image is analyzed.', analysing: 'Analyzing image', encoded: false });
      await s.screenshot('reference-encoding');
      await s.ui.waitForFunction(() => (window as unknown as { __cutout: { app: { canvas: { hasMask: boolean } } } }).__cutout.app.canvas.hasMask, undefined, { timeout: 80_000 });
      timings['reference: open → first mask (click made during the analysis)'] = Date.now() - t0;
      expect(await s.ui.evaluate(() => document.getElementById('app')!.dataset.pending)).toBeUndefined();
      expect(await s.ui.locator('#status').innerText()).toMatch(/^(Whole|Part|Detail) selected\b/);
      const pendingAnswer = await currentPrediction(s);
      await s.page.keyboard.press('Escape');
      await waitForSource(s, CHELSEA.name, 80_000);
      timings['reference: open → ready for clicks'] = Date.now() - t0;
      expect(await s.ui.locator('#model-list input[name="model"]:checked').getAttribute('value')).toBe(REF_MODEL.id);
      const timeline = await s.ui.evaluate(() => (window as unknown as { __cutout: { timeline: Record<string, number> } }).__cutout.timeline);
      const ui = (k: string) => (timeline[k] !== undefined ? Math.round(timeline[k]!) : undefined);
      measured['reference: UI timeline (ms since ui.html navigation)'] = Object.fromEntries(Object.keys(timeline).map((k) => [k, ui(k)]));
      if (timeline.encoded !== undefined && timeline.imageShown !== undefined && timeline.modelReady !== undefined) {
        timings['reference: encode (image and model ready → encoded)'] = Math.round(timeline.encoded - Math.max(timeline.imageShown, timeline.modelReady));
      }
      measured.runtime = await s.ui.evaluate(() => (window as unknown as { __cutout: { app: { runtime: unknown } } }).__cutout.app.runtime);

      // Byte progress: the strip said "Downloading <model>", "x of y" bytes with y the total of
      // both files from the first state on (the files' Content-Length: this model publishes no
      // sizes), with time left, and the bar grew.
      const progress = await s.ui.evaluate(() => (window as unknown as { __progressLog: ProgressEntry[] }).__progressLog);
      const downloads = progress.filter((p) => p.shown && p.label === `Downloading ${REF_MODEL.name}`);
      measured['reference: download progress states shown'] = downloads.length;
      measured['reference: download progress sample'] = downloads.filter((_, i) => i % Math.max(1, Math.floor(downloads.length / 6)) === 0).map((p) => `${p.detail} (${p.width})`);
      expect(downloads.length, JSON.stringify(progress.slice(0, 12))).toBeGreaterThanOrEqual(3);
      const total = formatBytes(encoderBytes + decoderBytes);
      for (const p of downloads) expect(p.detail).toMatch(new RegExp(`^\\d+(\\.\\d)? (B|kB|MB) of ${total.replace('.', '\\.')} · (about \\d+ (s|min) left|a few seconds left|a little longer than usual)$`));
      const widths = downloads.map((p) => parseFloat(p.width));
      expect(widths.every((w) => w >= 0 && w < 100)).toBe(true);
      expect(Math.max(...widths)).toBeGreaterThan(Math.min(...widths));
      // Loading (download, then "Preparing") is one determinate bar that never goes back; so is
      // the analysis; both say how long is left.
      const loading = progress.filter((p) => p.shown && (p.label === `Downloading ${REF_MODEL.name}` || p.label === `Preparing ${REF_MODEL.name}`));
      const analysing = progress.filter((p) => p.shown && p.label === 'Analyzing image');
      measured['reference: analysis progress sample'] = analysing.filter((_, i) => i % Math.max(1, Math.floor(analysing.length / 6)) === 0).map((p) => `${p.detail} (${p.width})`);
      expect(loading.some((p) => p.label.startsWith('Preparing'))).toBe(true);
      expect(analysing.length).toBeGreaterThanOrEqual(3);
      for (const bar of [loading, analysing]) {
        const w = bar.map((p) => parseFloat(p.width));
        expect(w.every((x) => Number.isFinite(x) && x >= 0 && x < 100), JSON.stringify(bar.slice(0, 8))).toBe(true);
        for (let i = 1; i < w.length; i++) expect(w[i]!).toBeGreaterThanOrEqual(w[i - 1]!);
        expect(w[w.length - 1]!).toBeGreaterThan(w[0]!);
      }
      for (const p of analysing) expect(p.detail).toMatch(/^(about \d+ (s|min) left|a few seconds left|a little longer than usual)$/);
      // What this run took is learned: saved with the settings for the next session's estimates.
      const saved = await s.page.evaluate(async (key) => (await (globalThis as unknown as { figma: PluginAPI }).figma.clientStorage.getAsync(key)) as { timings?: { models: Record<string, Record<string, number>> } }, SETTINGS_KEY);
      expect(saved.timings?.models[REF_MODEL.id]).toMatchObject({ openMs: expect.any(Number), firstEncodeMs: expect.any(Number) });
      // The real graphs were fetched from 127.0.0.1 under the transformers.js names.
      for (const f of [SAM_HF_FILES.encoder, SAM_HF_FILES.decoder]) expect(suite.h.server.requests).toContain(`/models/sam-reference/${f}`);

      // A click → a mask preview (candidates from the real decoder).
      const src = await s.node(srcId);
      expect(await s.ui.locator('#source-size').innerText()).toBe('451 × 300');
      timings['reference: click → mask preview'] = await clickImage(s, CHELSEA_CLICK, MASK_CLICK);
      expect(await s.ui.locator('#status').innerText()).toMatch(/^(Whole|Part|Detail) selected\b/);
      // The pending click got the very answer the same click gets once the image is analysed.
      expect(await currentPrediction(s)).toEqual(pendingAnswer);
      expect(await s.ui.locator('#candidates .candidate').count()).toBe(3);
      await s.screenshot('reference-mask');

      const { known, before, dump: dumpBefore } = await snapshot(s);
      expect(await s.ui.locator('#apply').innerText()).toBe('Apply cutout');
      timings['reference: Enter → applied'] = await applyWithEnter(s);
      await s.screenshot('reference-applied');

      // Exactly one new layer, right above the source, selected; one undo step.
      const created = await s.call<NodeInfo[]>('newNodes', known);
      expect(created.map((n) => n.type)).toEqual(['RECTANGLE']);
      const cut = created[0]!;
      expect(cut.name).toBe(`Cutout of ${CHELSEA.name}`);
      expect(cut.parent).toBe(src.parent);
      expect(cut.index).toBe(src.index + 1);
      expect(cut.pluginSource).toBe(src.id);
      expect(cut.visible).toBe(true);
      const after = await s.state();
      expect(after.selection).toEqual([cut.id]);
      expect(after.undoSteps).toBe(before.undoSteps + 1);
      expect((await s.node(srcId)).state).toBe(src.state);

      // Its IMAGE fill is a valid PNG no larger than the source image.
      expect(cut.fills).toHaveLength(1);
      const paint = cut.fills[0] as { type: string; imageHash: string; scaleMode: string };
      expect(paint.type).toBe('IMAGE');
      const png = decodePng(await s.imageBytes(paint.imageHash));
      measured['reference: cutout PNG'] = `${png.width}×${png.height} (source ${chelsea.width}×${chelsea.height})`;
      expect(png.width).toBeGreaterThan(0);
      expect(png.height).toBeGreaterThan(0);
      expect(png.width).toBeLessThanOrEqual(chelsea.width);
      expect(png.height).toBeLessThanOrEqual(chelsea.height);
      let transparent = 0;
      for (let i = 3; i < png.data.length; i += 4) if (png.data[i] === 0) transparent++;
      measured['reference: cutout transparent fraction'] = Number((transparent / (png.width * png.height)).toFixed(3));

      // Placed on the source's pixel grid (axis-aligned there, whole pixels, one PNG pixel per
      // source pixel), inside the source's bounds; every opaque pixel is the source's own.
      const imageToPage = fillImageToPage(src, chelsea);
      const cutToSource: Mat = mul(inv(imageToPage), asMat(cut.absoluteTransform));
      const placed = boxInSource(cut, cutToSource);
      measured['reference: cutout rect (source px)'] = placed.rect;
      expect(placed.skew).toBeLessThan(1e-6);
      expect(placed.offGrid).toBeLessThan(1e-6);
      expect([png.width, png.height]).toEqual([Math.round(placed.rect.width), Math.round(placed.rect.height)]);
      expect(placed.rect.x).toBeGreaterThanOrEqual(-1e-6);
      expect(placed.rect.y).toBeGreaterThanOrEqual(-1e-6);
      expect(placed.rect.x + placed.rect.width).toBeLessThanOrEqual(chelsea.width + 1e-6);
      expect(placed.rect.y + placed.rect.height).toBeLessThanOrEqual(chelsea.height + 1e-6);
      // The same in the source layer's own space (its box on the canvas).
      const cutToSrcLocal = mul(inv(asMat(src.absoluteTransform)), asMat(cut.absoluteTransform));
      for (const [x, y] of [
        [0, 0],
        [cut.width, 0],
        [cut.width, cut.height],
        [0, cut.height],
      ] as const) {
        const [u, v] = ap(cutToSrcLocal, x, y);
        expect(u).toBeGreaterThanOrEqual(-1e-6);
        expect(v).toBeGreaterThanOrEqual(-1e-6);
        expect(u).toBeLessThanOrEqual(src.width + 1e-6);
        expect(v).toBeLessThanOrEqual(src.height + 1e-6);
      }
      const fill = fillInSource(cut, png, cutToSource, chelsea);
      measured['reference: opaque cutout pixels equal to the source'] = `${fill.equal}/${fill.opaque}`;
      expect(fill.opaque).toBeGreaterThan(0);
      expect(fill.equal).toBe(fill.opaque);

      // One undo removes exactly the cutout.
      await s.call('undo');
      expect(await s.call<string>('dump')).toBe(dumpBefore);
      expect((await s.state()).error).toBeUndefined();
      // Its own waits allow minutes (a real encoder on a shared machine); the default 2 min is less.
    }, 300_000);
  });

  describe('Outline (analytic sam-hf model)', () => {
    it('a stroked VECTOR without fills right above the rotated source, whose paths are the shape; one undo step', async () => {
      const t0 = Date.now();
      const s = await suite.h.open({ command: 'cutout', page: 'Shots', select: ['Tilted photo'], storage: storage(suite.origin, 'analytic-sam-hf') });
      await waitForSource(s, 'Tilted photo', 45_000);
      timings['outline: open → ready for clicks'] = Date.now() - t0;
      await s.ui.locator('#output button[data-value="outline"]').click();
      expect(await s.ui.locator('#apply').innerText()).toBe('Apply outline');
      expect(await s.ui.locator('#smoothing-field').isHidden()).toBe(false);

      const src = await s.node('Tilted photo');
      const { known, before, dump: dumpBefore } = await snapshot(s);
      timings['outline: click → mask'] = await clickImage(s, PHOTO_CLICK, MASK_CLICK);
      timings['outline: Enter → applied'] = await applyWithEnter(s);

      const created = await s.call<NodeInfo[]>('newNodes', known);
      expect(created.map((n) => n.type)).toEqual(['VECTOR']);
      const v = created[0]!;
      await outlineScreenshot(s, src.id, v.id, 'reference-outline-applied');
      expect(v.name).toBe('Outline of Tilted photo');
      expect(v.parent).toBe(src.parent);
      expect(v.index).toBe(src.index + 1);
      expect(v.pluginSource).toBe(src.id);
      expect(Object.keys(v.relaunch)).toEqual(['edit']);
      expect(v.isMask).toBe(false);
      // A stroke and no fills.
      expect(v.fills).toEqual([]);
      const st = stateOf(v);
      expect(st.strokes.length).toBeGreaterThanOrEqual(1);
      expect(st.strokes[0]!.type).toBe('SOLID');
      expect(st.strokes[0]!.visible).not.toBe(false);
      expect(st.strokeWeight).toBeGreaterThan(0);
      const after = await s.state();
      expect(after.selection).toEqual([v.id]);
      expect(after.undoSteps).toBe(before.undoSteps + 1);
      const srcAfter = await s.node('Tilted photo');
      expect(srcAfter.state).toBe(src.state);

      // vectorPaths in Figma's grammar; rasterised in source pixels they are the shape.
      expect(v.vectorPaths!.length).toBeGreaterThan(0);
      for (const p of v.vectorPaths!) {
        expect(['EVENODD', 'NONZERO']).toContain(p.windingRule);
        expect(parseVectorPath(p.data).length).toBeGreaterThan(1);
      }
      const imageToPage = fillImageToPage(src, PHOTO);
      const toSource = mul(inv(imageToPage), asMat(v.absoluteTransform));
      const paths = v.vectorPaths!.map((p) => ({ windingRule: p.windingRule as 'EVENODD' | 'NONZERO', data: transformPath(p.data, toSource) }));
      const pathIou = iou(rasterizePaths(paths, PHOTO.width, PHOTO.height), colourTruth(PHOTO, OBJECT));
      measured['outline: path IoU (source px)'] = Number(pathIou.toFixed(4));
      measured['outline: paths'] = v.vectorPaths!.map((p) => `${p.windingRule} ${p.data.length} chars`);
      expect(pathIou).toBeGreaterThanOrEqual(0.95);

      await s.call('undo');
      expect(await s.call<string>('dump')).toBe(dumpBefore);
      expect((await s.state()).error).toBeUndefined();
    });
  });

  it('no request went anywhere but 127.0.0.1; no page errors', () => {
    expectOnlyLoopback(suite.h, suite);
  });
});
