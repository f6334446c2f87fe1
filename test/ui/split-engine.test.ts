/**
 * Split into layers through the inference core the UI's worker runs (ui/inference.ts), with real
 * onnxruntime-web on the analytic SAM model: K flat shapes on a flat background come back as
 * exactly K objects (the backdrop becomes the Background layer), streamed with progress; the
 * layers are those shapes' pixels, smaller on top; Cancel stops the run and leaves nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isCutoutError } from '../../core/errors.js';
import { decodePng } from '../../core/image/png.js';
import { maskIoU } from '../../core/masks/measure.js';
import { analyticModelFiles } from '../../models/analytic/index.js';
import { InferenceCore, type FindObjectsEvent } from '../../ui/inference.js';
import { ort } from '../helpers/ort.js';
import { SplitObjects } from '../../ui/split-state.js';
import { render, truth, type Shape } from '../helpers/synthetic.js';

const W = 320;
const H = 240;
const BG: [number, number, number] = [128, 128, 128];
const shapes: Shape[] = [
  { kind: 'disc', cx: 70, cy: 70, r: 45, color: [220, 40, 40] },
  { kind: 'rect', x0: 150, y0: 30, x1: 290, y1: 100, color: [40, 200, 60] },
  { kind: 'disc', cx: 230, cy: 175, r: 30, color: [40, 60, 220] },
  { kind: 'rect', x0: 30, y0: 150, x1: 130, y1: 220, color: [240, 230, 60] },
];
const image = render(W, H, BG, shapes);
const truths = shapes.map((_, k) => truth(W, H, shapes, k));
const area = (k: number) => truths[k]!.data.reduce((n, v) => n + (v ? 1 : 0), 0);

describe('split into layers on the analytic model', () => {
  const core = new InferenceCore(ort);
  beforeAll(async () => {
    await core.loadModel({ id: 'analytic-sam-hf', files: analyticModelFiles()['sam-hf'], webgpu: false });
    await core.setImage(image);
  }, 300_000);

  it('finds exactly the K shapes (streamed, with progress) and makes their layers, smaller above larger, plus the background', async () => {
    const events: FindObjectsEvent[] = [];
    const found = await core.findObjects({ pointsPerSide: 12 }, (e) => events.push(e));
    const state = new SplitObjects();
    state.reset(found.masks);
    // The backdrop, when the generator keeps it, is the Background layer, not an object.
    expect(found.masks.length - (state.backgroundId === undefined ? 0 : 1)).toBe(shapes.length);
    expect(state.objects).toHaveLength(shapes.length);
    const streamed = events.filter((e) => e.kind === 'mask').map((e) => (e.kind === 'mask' ? e.mask.id : -1));
    for (const m of found.masks) expect(streamed).toContain(m.id);
    const done = events.flatMap((e) => (e.kind === 'progress' ? [e.progress.done] : []));
    expect(done[0]).toBe(0);
    expect(done.at(-1)).toBe(144);

    const layers = core.splitLayers(state.groups(), { output: 'cutout', smoothing: 1 });
    expect(layers.objects).toHaveLength(shapes.length);
    // Top-first: by area ascending — blue disc (r 30), red disc (r 45), yellow rect, green rect.
    const byArea = shapes.map((_, k) => k).sort((a, b) => area(a) - area(b));
    const centre = (k: number) => {
      const s = shapes[k]!;
      return s.kind === 'rect' ? [(s.x0 + s.x1) / 2, (s.y0 + s.y1) / 2] : [s.cx, s.cy];
    };
    layers.objects.forEach((layer, i) => {
      const k = byArea[i]!;
      const r = layer.rect!;
      const [cx, cy] = centre(k);
      expect(Math.abs(r.x + r.width / 2 - cx!), `${layer.name} centre x`).toBeLessThan(2);
      expect(Math.abs(r.y + r.height / 2 - cy!), `${layer.name} centre y`).toBeLessThan(2);
      expect(layer.name).toMatch(new RegExp(`^\\S.* ${r.width}×${r.height} at ${r.x}, ${r.y}$`));
      // Its pixels: the shape's colour where opaque; its opaque area is the shape's.
      const png = decodePng(layer.png!);
      const color = shapes[k]!.color;
      let opaque = 0;
      for (let p = 0; p < png.width * png.height; p++) {
        if (png.data[p * 4 + 3] === 0) continue;
        opaque++;
        expect([png.data[p * 4], png.data[p * 4 + 1], png.data[p * 4 + 2]]).toEqual(color);
      }
      // Within the shape's edge pixels (the model cuts anti-aliased edges at half coverage).
      expect(Math.abs(opaque - area(k)) / area(k)).toBeLessThan(0.1);
    });
    // The background: opaque exactly where no shape is (within the edges' pixels).
    const bg = decodePng(layers.background!.png!);
    expect(layers.background!.rect).toEqual({ x: 0, y: 0, width: W, height: H });
    const shown = { width: W, height: H, data: new Uint8Array(W * H).map((_, p) => (bg.data[p * 4 + 3] ? 255 : 0)) };
    const free = { width: W, height: H, data: new Uint8Array(W * H).map((_, p) => (truths.some((t) => t.data[p]) ? 0 : 255)) };
    expect(maskIoU(shown, free)).toBeGreaterThan(0.97);

    // Merging two objects makes one layer of both.
    state.select(state.objects[0]!.key);
    state.select(state.objects[1]!.key, true);
    state.merge();
    const merged = core.splitLayers(state.groups(), { output: 'vector-mask', smoothing: 1 });
    expect(merged.objects).toHaveLength(shapes.length - 1);
    expect(merged.objects.every((o) => o.paths && o.paths.length > 0)).toBe(true);
  }, 300_000);

  it('Cancel stops the run with CANCELLED and keeps nothing; the next run works', async () => {
    let cancelled = false;
    const run = core.findObjects({ pointsPerSide: 12 }, (e) => {
      if (e.kind === 'progress' && e.progress.done > 0 && !cancelled) {
        cancelled = true;
        core.cancelFind();
      }
    });
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isCutoutError(err, 'CANCELLED')).toBe(true);
    expect(() => core.splitLayers([[0]], { output: 'cutout', smoothing: 1 })).toThrow(/out of date/);
    const again = await core.findObjects({ pointsPerSide: 8 }, () => undefined);
    expect(again.masks.length).toBeGreaterThan(0);
  }, 300_000);
});
