/**
 * The evaluation loop on the analytic models (models/analytic), whose answers on the
 * synthetic set (eval/synthetic.ts) are known: one click per flat shape, two for the
 * two-tone L; and the NoC / mIoU bookkeeping on hand-made results.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelDir } from '../../node/model-source.js';
import { evaluateImage, gtBox, iouAfter, numberOfClicks, summarise, type ImageResult } from '../../core/eval/evaluate.js';
import { maskArea } from '../../core/masks/measure.js';
import { loadSamModel } from '../../core/models/sam-model.js';
import type { SegmentModel, SamFormat } from '../../core/models/types.js';
import type { Prompt } from '../../core/prompts/types.js';
import { Segmenter } from '../../core/segment.js';
import { renderSynthetic, syntheticDataset, SYNTHETIC_SHAPES, TWO_TONE_L } from '../../eval/synthetic.js';
import { generateAnalyticModels } from '../../models/analytic/index.js';
import { ort } from '../helpers/ort.js';

function result(ious: number[], extra: Partial<ImageResult> = {}): ImageResult {
  const maxClicks = extra.maxClicks ?? 20;
  const thresholds = [0.85, 0.9];
  return {
    name: extra.name ?? '',
    width: 1,
    height: 1,
    clicks: ious.map(() => ({ x: 0, y: 0, label: 1 as const })),
    ious,
    thresholds,
    noc: thresholds.map((t) => numberOfClicks(ious, t, maxClicks)),
    maxClicks,
    refined: false,
    stop: 'target',
    encodeMs: 0,
    decodeMs: 0,
    ...extra,
  };
}

describe('NoC and mIoU bookkeeping', () => {
  it('NoC is the first click reaching the threshold, maxClicks when never reached (RITM compute_noc_metric)', () => {
    expect(numberOfClicks([0.5, 0.86, 0.95], 0.85, 20)).toBe(2);
    expect(numberOfClicks([0.5, 0.86, 0.95], 0.9, 20)).toBe(3);
    expect(numberOfClicks([0.5, 0.6], 0.9, 20)).toBe(20);
    expect(numberOfClicks([0.9], 0.9, 20)).toBe(1); // ≥, not >
  });

  it('IoU after k clicks carries the last IoU forward once clicking stopped', () => {
    expect(iouAfter(result([0.4, 0.95]), 1)).toBe(0.4);
    expect(iouAfter(result([0.4, 0.95]), 5)).toBe(0.95);
  });

  it('summarise: means, box mIoU, failures by name', () => {
    const s = summarise([
      result([1], { name: 'a', boxIoU: 1 }),
      result([0.5, 0.88, 0.91], { name: 'b', boxIoU: 0.5 }),
      result([0.2, 0.3], { name: 'c', boxIoU: 0.6, maxClicks: 20 }),
    ]);
    expect(s.images).toBe(3);
    expect(s.noc85).toBeCloseTo((1 + 2 + 20) / 3, 12);
    expect(s.noc90).toBeCloseTo((1 + 3 + 20) / 3, 12);
    expect(s.miou_at.map((v) => Number(v.toFixed(6)))).toEqual(
      [(1 + 0.5 + 0.2) / 3, (1 + 0.88 + 0.3) / 3, (1 + 0.91 + 0.3) / 3, (1 + 0.91 + 0.3) / 3, (1 + 0.91 + 0.3) / 3].map((v) => Number(v.toFixed(6))),
    );
    expect(s.box_miou).toBeCloseTo(0.7, 12);
    expect(s.failures).toBe(1);
    expect(s.failed).toEqual(['c']);
    expect(summarise([]).images).toBe(0);
    expect(summarise([]).noc90).toBeNull();
  });

  it('the box prompt is the ground truth bounding box with pixel-edge corners', () => {
    const gt = renderSynthetic(SYNTHETIC_SHAPES.find((s) => s.name === 'rect')!, 100).mask;
    expect(gtBox(gt)).toEqual({ x0: 15, y0: 35, x1: 85, y1: 65 });
  });
});

/** Records every prompt the evaluation sends, delegating to the real model. */
function recording(model: SegmentModel): { model: SegmentModel; prompts: Prompt[]; selectedLowRes: Float32Array[] } {
  const prompts: Prompt[] = [];
  const selectedLowRes: Float32Array[] = [];
  const spy: SegmentModel = {
    id: model.id,
    format: model.format,
    supports: model.supports,
    encode: (image) => model.encode(image),
    decode: async (embedding, prompt) => {
      prompts.push(structuredClone(prompt));
      const r = await model.decode(embedding, prompt);
      selectedLowRes.push(r.lowRes[r.selected]!);
      return r;
    },
    dispose: () => model.dispose(),
  };
  return { model: spy, prompts, selectedLowRes };
}

describe('evaluation on the analytic models and the synthetic set', () => {
  let dir: string;
  const models = {} as Record<SamFormat, SegmentModel>;
  const FORMATS: SamFormat[] = ['sam-hf', 'sam1', 'sam2', 'sam2-hf'];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cutout-eval-'));
    const dirs = await generateAnalyticModels(dir);
    for (const f of FORMATS) models[f] = await loadSamModel(ort, readModelDir(dirs[f]), { id: f });
  });
  afterAll(async () => {
    for (const m of Object.values(models)) await m.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const samples = syntheticDataset();

  for (const format of FORMATS) {
    it(`${format}: one click segments every shape (NoC@90 = 1, mIoU@1 ≥ 0.97, box mIoU ≥ 0.95)`, async () => {
      const seg = new Segmenter(models[format]);
      const results: ImageResult[] = [];
      for (const s of samples) results.push(await evaluateImage(seg, s.image, s.mask, { name: s.name }));
      for (const r of results) {
        expect(r.noc, r.name).toEqual([1, 1]);
        expect(r.clicks[0]!.label, r.name).toBe(1);
      }
      const s = summarise(results);
      expect(s).toMatchObject({ images: samples.length, noc85: 1, noc90: 1, failures: 0 });
      expect(s.miou_at[0]).toBeGreaterThanOrEqual(0.97);
      expect(s.box_miou).toBeGreaterThanOrEqual(0.95);
      // At 256×256 (one low-res cell per pixel) the analytic answer is exact: nothing is left
      // to correct after the first click, so clicking stops there.
      for (const r of results) expect([r.name, r.stop, r.ious]).toEqual([r.name, 'perfect', [1]]);
    });

    it(`${format}: the two-tone L needs two clicks (NoC@90 = 2), the second positive in the other half`, async () => {
      const { model, prompts, selectedLowRes } = recording(models[format]);
      const seg = new Segmenter(model);
      const l = renderSynthetic(TWO_TONE_L);
      const r = await evaluateImage(seg, l.image, l.mask, { name: l.name });
      // The first click takes the arm (the object-grey part).
      const arm = renderSynthetic({ ...TWO_TONE_L, parts: [TWO_TONE_L.parts[0]!] }).mask;
      const armShare = maskArea(arm) / maskArea(l.mask);
      expect(r.noc).toEqual([2, 2]);
      expect(r.ious[0]).toBeCloseTo(armShare, 3);
      expect(r.ious[1]).toBeGreaterThanOrEqual(0.97);
      expect(r.clicks.map((c) => c.label)).toEqual([1, 1]);
      expect(arm.data[r.clicks[0]!.y * arm.width + r.clicks[0]!.x]).toBe(255);
      expect(arm.data[r.clicks[1]!.y * arm.width + r.clicks[1]!.x]).toBe(0);
      // The box centre lies on the arm: the box prompt gives the arm as well.
      expect(r.boxIoU).toBeCloseTo(armShare, 3);

      // Every decode carries the full click history; refinement exactly when the format has a mask input.
      const clickPrompts = prompts.slice(0, r.clicks.length);
      clickPrompts.forEach((p, k) => expect(p.points).toEqual(r.clicks.slice(0, k + 1)));
      expect(clickPrompts[0]!.previous).toBeUndefined();
      expect(r.refined).toBe(models[format].supports.maskInput);
      if (models[format].supports.maskInput) {
        expect(clickPrompts[1]!.previous?.data).toEqual(selectedLowRes[0]);
      } else {
        expect(clickPrompts[1]!.previous).toBeUndefined();
      }
      // The box prompt: the ground truth's bounding box, no points, no previous mask.
      expect(prompts.at(-1)).toEqual({ points: [], box: gtBox(l.mask) });
    });
  }

  it('refine: false never sends the previous mask, even to a format with a mask input', async () => {
    const { model, prompts } = recording(models.sam1);
    const l = renderSynthetic(TWO_TONE_L);
    const r = await evaluateImage(new Segmenter(model), l.image, l.mask, { refine: false, useBox: false });
    expect(r.refined).toBe(false);
    expect(r.noc).toEqual([2, 2]);
    expect(prompts.every((p) => p.previous === undefined)).toBe(true);
    expect(r.boxIoU).toBeUndefined();
  });

  it('other image sizes (cells no longer one per pixel): still one click per shape', async () => {
    const seg = new Segmenter(models['sam-hf']);
    const results: ImageResult[] = [];
    for (const s of syntheticDataset({ size: 300 })) results.push(await evaluateImage(seg, s.image, s.mask, { name: s.name }));
    const s = summarise(results);
    expect(s).toMatchObject({ noc85: 1, noc90: 1, failures: 0 });
    expect(s.miou_at[0]).toBeGreaterThanOrEqual(0.97);
    expect(s.box_miou).toBeGreaterThanOrEqual(0.95);
  });

  it('maxClicks bounds the clicks, and NoC is maxClicks when a threshold is never reached', async () => {
    const seg = new Segmenter(models['sam-hf']);
    const l = renderSynthetic(TWO_TONE_L);
    const r = await evaluateImage(seg, l.image, l.mask, { maxClicks: 1, useBox: false });
    expect(r.ious).toHaveLength(1);
    expect(r.noc).toEqual([1, 1]); // not reached within the 1 allowed click → maxClicks = 1
    expect(r.stop).toBe('max-clicks');
    const s = summarise([r]);
    expect(s.miou_at).toHaveLength(1);
    expect(s.failed).toEqual(['#1']);
  });

  it('clicking goes on to minClicks (5) after the target is reached; stopIoU > 1 goes on to maxClicks', async () => {
    const seg = new Segmenter(models['sam-hf']);
    // At 512×512 the first click leaves 1-pixel boundary slivers, so there is always something to click.
    const disc = renderSynthetic(SYNTHETIC_SHAPES[0]!, 512);
    const byDefault = await evaluateImage(seg, disc.image, disc.mask, { useBox: false });
    expect(byDefault.stop).toBe('target');
    expect(byDefault.ious).toHaveLength(5);
    expect(byDefault.noc).toEqual([1, 1]);
    const all = await evaluateImage(seg, disc.image, disc.mask, { useBox: false, stopIoU: 2, maxClicks: 8 });
    expect(all.ious.slice(0, 5)).toEqual(byDefault.ious);
    expect(all.stop).toBe('max-clicks');
    expect(all.ious).toHaveLength(8);
  });

  it('rejects a ground truth of another size or an empty one, with the image name', async () => {
    const seg = new Segmenter(models['sam-hf']);
    const s = samples[0]!;
    await expect(evaluateImage(seg, s.image, { width: 10, height: 10, data: new Uint8Array(100) }, { name: 'x' })).rejects.toThrow(/10×10.*256×256.*\(x\)/);
    await expect(evaluateImage(seg, s.image, { ...s.mask, data: new Uint8Array(s.mask.data.length) }, { name: 'y' })).rejects.toThrow(/empty \(y\)/);
  });
});
