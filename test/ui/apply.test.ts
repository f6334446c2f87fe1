/**
 * The UI's apply pipeline (ui/apply.ts) on real predictions of the analytic sam-hf model:
 * cutout PNG + rect and vector paths, all in SOURCE image pixels, including images larger
 * than Figma's 4096 px limit (worked at ≤ 4096, rect still in source pixels).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../core/image/png.js';
import type { GrayImage } from '../../core/image/types.js';
import { maskIoU } from '../../core/masks/measure.js';
import { loadSamModel } from '../../core/models/sam-model.js';
import type { SegmentModel } from '../../core/models/types.js';
import { candidateMask, Segmenter } from '../../core/segment.js';
import { rasterizePaths } from '../../core/vector/index.js';
import { analyticModelFiles } from '../../models/analytic/index.js';
import { buildResult, cropRgba, cutoutResult } from '../../ui/apply.js';
import { ort } from '../helpers/ort.js';
import { render, truth, type Shape } from '../helpers/synthetic.js';

const BG: [number, number, number] = [100, 100, 100];
const RED: [number, number, number] = [220, 40, 40];

/** Places a cutout PNG's alpha (≥ 128) at its rect (scaled to source pixels) in a full-size mask. */
function placed(png: Uint8Array, rect: { x: number; y: number; width: number; height: number }, width: number, height: number): GrayImage {
  const img = decodePng(png);
  const sx = rect.width / img.width;
  const sy = rect.height / img.height;
  const out: GrayImage = { width, height, data: new Uint8Array(width * height) };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = Math.floor((x + 0.5 - rect.x) / sx);
      const v = Math.floor((y + 0.5 - rect.y) / sy);
      if (u < 0 || v < 0 || u >= img.width || v >= img.height) continue;
      if (img.data[(v * img.width + u) * 4 + 3]! >= 128) out.data[y * width + x] = 255;
    }
  }
  return out;
}

describe('apply pipeline', () => {
  let model: SegmentModel;
  beforeAll(async () => {
    model = await loadSamModel(ort, analyticModelFiles()['sam-hf'], { id: 'analytic' });
  });

  it('cutout: PNG cropped to the object, rect in source pixels, colours kept', async () => {
    const shapes: Shape[] = [{ kind: 'disc', cx: 150, cy: 90, r: 50, color: RED }];
    const image = render(300, 200, BG, shapes);
    const seg = new Segmenter(model);
    await seg.setImage(image);
    const p = await seg.predict({ points: [{ x: 150, y: 90, label: 1 }] });
    const stages: string[] = [];
    const r = buildResult(image, p, p.selected, { output: 'cutout', feather: 0, smoothing: 1 }, (_, s) => stages.push(s));
    expect(r.rect!.x).toBeGreaterThanOrEqual(95);
    expect(r.rect!.x).toBeLessThanOrEqual(101);
    expect(r.pngSize).toEqual({ width: r.rect!.width, height: r.rect!.height });
    expect(maskIoU(placed(r.png!, r.rect!, 300, 200), truth(300, 200, shapes, 0))).toBeGreaterThan(0.95);
    expect(stages.at(-1)).toBe('Done');
    const img = decodePng(r.png!);
    const c = ((50 * img.width + 50) * 4) | 0;
    expect([...img.data.subarray(c, c + 4)]).toEqual([...RED, 255]);
  });

  it('vector outputs: paths in source pixels covering the object', async () => {
    const shapes: Shape[] = [
      { kind: 'ring', cx: 120, cy: 100, r0: 25, r1: 60, color: RED },
    ];
    const image = render(260, 210, BG, shapes);
    const seg = new Segmenter(model);
    await seg.setImage(image);
    const p = await seg.predict({ points: [{ x: 120, y: 55, label: 1 }] });
    for (const output of ['vector-mask', 'outline'] as const) {
      const r = buildResult(image, p, p.selected, { output, feather: 0, smoothing: 0.5 });
      expect(r.png).toBeUndefined();
      expect(r.paths!.length).toBeGreaterThan(0);
      for (const path of r.paths!) expect(path.data).toMatch(/^M [\d. -]+/);
      const raster = rasterizePaths(r.paths!, 260, 210);
      // The paths cover the mask they came from (hole kept), and so the ring.
      expect(maskIoU(raster, candidateMask(p))).toBeGreaterThan(0.98);
      expect(maskIoU(raster, truth(260, 210, shapes, 0))).toBeGreaterThan(0.9);
      expect(raster.data[100 * 260 + 120]).toBe(0);
    }
  });

  it('images over 4096 px: worked at 4096, rect and paths still in source pixels', async () => {
    const W = 6000;
    const H = 500;
    const shapes: Shape[] = [{ kind: 'rect', x0: 3000, y0: 100, x1: 4500, y1: 400, color: RED }];
    const image = render(W, H, BG, shapes);
    const seg = new Segmenter(model);
    await seg.setImage(image);
    const p = await seg.predict({ points: [{ x: 3700, y: 250, label: 1 }] });
    const cut = buildResult(image, p, p.selected, { output: 'cutout', feather: 0, smoothing: 1 });
    expect(cut.pngSize!.width).toBeLessThan(cut.rect!.width); // downscaled
    expect(Math.abs(cut.rect!.x - 3000)).toBeLessThan(30);
    expect(Math.abs(cut.rect!.x + cut.rect!.width - 4500)).toBeLessThan(30);
    // At this aspect ratio a low-res cell is 23 source px: compare with the model's own mask.
    const reference = candidateMask(p);
    expect(maskIoU(placed(cut.png!, cut.rect!, W, H), reference)).toBeGreaterThan(0.97);
    const vec = buildResult(image, p, p.selected, { output: 'outline', feather: 0, smoothing: 1 });
    const raster = rasterizePaths(vec.paths!, W, H);
    expect(maskIoU(raster, reference)).toBeGreaterThan(0.97);
  });

  it('an empty selection is a plain-language error', async () => {
    const image = render(64, 64, BG, []);
    const seg = new Segmenter(model);
    await seg.setImage(image);
    const p = await seg.predict({ points: [{ x: 32, y: 32, label: 1 }] });
    const empty = { ...p, lowRes: p.lowRes.map((m) => new Float32Array(m.length).fill(-5)) };
    expect(() => buildResult(image, empty, 0, { output: 'cutout', feather: 0, smoothing: 1 })).toThrow(/selection is empty/);
  });

  it('batch packaging crops to the visible alpha and maps back to source pixels', async () => {
    const image = render(5000, 100, BG, []);
    const r = await cutoutResult(image, 4096, async (pixels) => {
      const cutout = { width: pixels.width, height: pixels.height, data: new Uint8Array(pixels.data) };
      const mask: GrayImage = { width: pixels.width, height: pixels.height, data: new Uint8Array(pixels.width * pixels.height) };
      for (let y = 0; y < pixels.height; y++) {
        for (let x = 0; x < pixels.width; x++) {
          const inside = x >= 1000 && x < 2000 && y >= 10 && y < 50;
          mask.data[y * pixels.width + x] = inside ? 255 : 0;
          cutout.data[(y * pixels.width + x) * 4 + 3] = inside ? 255 : 0;
        }
      }
      return { cutout, mask, extra: { foreground: 0.1 } };
    });
    const s = 5000 / 4096;
    expect(r.rect!.x).toBeCloseTo(1000 * s);
    expect(r.rect!.width).toBeCloseTo(1000 * s);
    expect(r.pngSize).toEqual({ width: 1000, height: 40 });
    expect(r.foreground).toBe(0.1);
    expect(cropRgba({ width: 2, height: 2, data: Uint8Array.from([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]) }, { x0: 1, y0: 1, x1: 2, y1: 2 }).data).toEqual(
      Uint8Array.from([4, 4, 4, 4]),
    );
  });
});
