/**
 * The batch engine driving background removal with the analytic salient model: 50 synthetic
 * images of mixed sizes (tiny 8×8, 33×17, portrait, landscape, 2000×1500) and formats (PNG
 * RGB, PNG RGBA opaque, PNG RGBA with a transparent background, JPEG), each mask against its
 * ground truth; a corrupt image in the middle; cancelling after k items.
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image/decode.js';
import type { GrayImage, RgbaImage } from '../../core/image/types.js';
import { runBatch, type ItemResult, type ItemSource } from '../../core/jobs/batch.js';
import { maskIoU } from '../../core/masks/measure.js';
import { loadSalientModel, type SalientModel } from '../../core/models/salient.js';
import { removeBackground, type RemoveBgResult } from '../../core/removebg.js';
import { readModelDir } from '../../node/model-source.js';
import { ort } from '../helpers/ort.js';
import { analyticDirs } from './models.js';
import { BATCH_SIZES, ENCODINGS, encode, randomScene, render, rng, type Encoding } from './scenes.js';

interface Case {
  id: string;
  width: number;
  height: number;
  encoding: Encoding | 'corrupt';
  bytes: Uint8Array;
  truth?: GrayImage;
}

const CORRUPT_AT = 25;

function cases(): Case[] {
  const random = rng(2024);
  const out: Case[] = [];
  for (let i = 0; i < 50; i++) {
    const [w, h] = BATCH_SIZES[i % BATCH_SIZES.length]!;
    const encoding = ENCODINGS[(i + Math.floor(i / BATCH_SIZES.length)) % ENCODINGS.length]!;
    const scene = randomScene(w, h, random, encoding);
    const { image, truth } = render(scene, encoding === 'png-rgba-transparent');
    out.push({ id: `img${i}`, width: w, height: h, encoding, bytes: encode(image, encoding), truth });
  }
  // A corrupt image in the middle: a PNG cut short.
  const broken = out[3]!.bytes.subarray(0, 120);
  out.splice(CORRUPT_AT, 0, { id: 'corrupt', width: 0, height: 0, encoding: 'corrupt', bytes: broken });
  return out;
}

const sources = (cs: Case[]): Array<ItemSource<RgbaImage>> => cs.map((c) => ({ id: c.id, name: `${c.id}.${c.encoding}`, load: async () => decodeImage(c.bytes) }));

describe('batch background removal with the analytic salient model', () => {
  let salient: SalientModel;
  const all = cases();
  beforeAll(async () => {
    salient = await loadSalientModel(ort, readModelDir((await analyticDirs()).salient));
  });
  afterAll(() => salient?.dispose());

  it('the test set covers the sizes and formats it claims', () => {
    const ok = all.filter((c) => c.encoding !== 'corrupt');
    expect(ok).toHaveLength(50);
    for (const e of ENCODINGS) expect(ok.filter((c) => c.encoding === e).length).toBeGreaterThanOrEqual(10);
    for (const [w, h] of BATCH_SIZES) expect(ok.filter((c) => c.width === w && c.height === h).length).toBe(5);
    expect(new Set(ok.filter((c) => c.width === 8).map((c) => c.encoding)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(ok.filter((c) => c.width === 2000).map((c) => c.encoding)).size).toBeGreaterThanOrEqual(3);
  });

  it('50 images: every mask has IoU ≥ 0.97 with its ground truth; the corrupt one is reported and the rest complete', async () => {
    const ious = new Map<string, number>();
    const order: string[] = [];
    const failures: Array<ItemResult<RemoveBgResult>> = [];
    const byId = new Map(all.map((c) => [c.id, c]));
    const summary = await runBatch(sources(all), (image) => removeBackground(image, { salient }), {
      onResult: (r) => {
        order.push(r.id);
        if (!r.ok) return void failures.push(r);
        const c = byId.get(r.id)!;
        expect(r.value.mask.width).toBe(c.width);
        expect(r.value.mask.height).toBe(c.height);
        expect(r.value.cutout.width).toBe(c.width);
        expect(r.value.cutout.height).toBe(c.height);
        ious.set(r.id, maskIoU(r.value.mask, c.truth!));
      },
    });
    expect(order).toEqual(all.map((c) => c.id));
    expect(summary).toMatchObject({ total: 51, ok: 50, failed: 1, cancelled: false });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.index).toBe(CORRUPT_AT);
    expect(summary.errors).toEqual([{ id: 'corrupt', name: 'corrupt.corrupt', index: CORRUPT_AT, error: failures[0]!.ok ? undefined : failures[0]!.error }]);
    expect(summary.errors[0]!.error.code).toBe('INVALID_IMAGE');
    const low = [...ious].filter(([, v]) => v < 0.97);
    expect(low, `IoU below 0.97: ${JSON.stringify(low)}`).toEqual([]);
    expect(ious.size).toBe(50);
  });

  it('cancelling after k items leaves exactly k results', async () => {
    for (const k of [1, 5, 12]) {
      const controller = new AbortController();
      const got: string[] = [];
      const summary = await runBatch(sources(all), (image, _i, signal) => removeBackground(image, { salient }, {}, signal), {
        signal: controller.signal,
        onResult: (r) => {
          got.push(r.id);
          if (got.length === k) controller.abort();
        },
      });
      expect(got).toEqual(all.slice(0, k).map((c) => c.id));
      expect(summary).toMatchObject({ total: k, cancelled: true, dropped: 0 });
    }
  });
});
