/**
 * Background-removal strategies (core/removebg.ts): the salient+SAM combination rule on
 * constructed maps where the answer is known, the knobs (threshold, largest, fill holes,
 * feather), and both strategies end to end with the analytic salient and SAM models.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CutoutError, ErrorCode } from '../../core/errors.js';
import type { FloatMap, GrayImage } from '../../core/image/types.js';
import { maskArea, maskIoU } from '../../core/masks/measure.js';
import { loadSamModel } from '../../core/models/sam-model.js';
import { loadSalientModel, type SalientModel } from '../../core/models/salient.js';
import type { SegmentModel } from '../../core/models/types.js';
import {
  ALPHA_CEIL,
  ALPHA_FLOOR,
  combineSalientSam,
  defaultBand,
  finishMask,
  removeBackground,
  resolveRemoveBgOptions,
  salientBox,
} from '../../core/removebg.js';
import { readModelDir } from '../../node/model-source.js';
import { ort } from '../helpers/ort.js';
import { analyticDirs } from './models.js';
import { render, type Scene } from './scenes.js';

const W = 200;
const H = 160;

/** A float map from an inside test: `inside` → hi, else lo. */
function field(f: (x: number, y: number) => boolean, hi: number, lo: number, w = W, h = H): FloatMap {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x + 0.5, y + 0.5) ? hi : lo;
  return { width: w, height: h, data };
}
const disc = (cx: number, cy: number, r: number) => (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const box = (x0: number, y0: number, x1: number, y1: number) => (x: number, y: number) => x >= x0 && x < x1 && y >= y0 && y < y1;
const union = (...fs: Array<(x: number, y: number) => boolean>) => (x: number, y: number) => fs.some((f) => f(x, y));
const maskOf = (f: (x: number, y: number) => boolean, w = W, h = H): GrayImage => {
  const m = field(f, 255, 0, w, h);
  return { width: w, height: h, data: Uint8Array.from(m.data) };
};
const binary = (a: FloatMap, t = 0.5): GrayImage => ({ width: a.width, height: a.height, data: Uint8Array.from(a.data, (v) => (v >= t ? 255 : 0)) });

describe('combineSalientSam: the rule', () => {
  const soft = (f: (x: number, y: number) => boolean) => field(f, 0.95, 0.03);
  const logits = (f: (x: number, y: number) => boolean) => field(f, 6, -6);

  it('where the edges agree within the band, SAM gives the edge (a thin sliver is SAM\'s call)', () => {
    // Salient sees a disc of radius 50, SAM one of radius 47: a 3-pixel ring of disagreement.
    const S = soft(disc(100, 80, 50));
    const L = logits(disc(100, 80, 47));
    const r = combineSalientSam(S, L, { band: 4 });
    expect(maskIoU(binary(r.alpha), maskOf(disc(100, 80, 47)))).toBe(1);
    expect(r.decided.salient).toBe(0);
    // A narrower band: the ring is now a real disagreement, decided by the salient model.
    const narrow = combineSalientSam(S, L, { band: 2 });
    expect(maskIoU(binary(narrow.alpha), maskOf(disc(100, 80, 50)))).toBe(1);
    expect(narrow.decided.salient).toBe(maskArea(maskOf(disc(100, 80, 50))) - maskArea(maskOf(disc(100, 80, 47))));
  });

  it('a part SAM missed (far from its edge) is taken from the salient model, alpha included', () => {
    const S = soft(union(disc(80, 80, 40), box(150, 20, 190, 60)));
    const L = logits(disc(80, 80, 40));
    const r = combineSalientSam(S, L, { band: 4 });
    expect(maskIoU(binary(r.alpha), maskOf(union(disc(80, 80, 40), box(150, 20, 190, 60))))).toBe(1);
    expect(r.alpha.data[40 * W + 170]).toBeCloseTo(0.95, 6); // the salient alpha itself
    expect(r.decided.salient).toBe(40 * 40);
  });

  it('background SAM took (a thick region) is dropped, as the salient model says', () => {
    const S = soft(disc(80, 80, 40));
    const L = logits(union(disc(80, 80, 40), box(80, 60, 190, 100)));
    const r = combineSalientSam(S, L, { band: 4 });
    expect(maskIoU(binary(r.alpha), maskOf(disc(80, 80, 40)))).toBe(1);
  });

  it('no seam where the band ends: a salient bump beyond SAM\'s edge joins the body', () => {
    const S = soft(union(disc(80, 80, 40), box(110, 70, 160, 90)));
    const L = logits(disc(80, 80, 40));
    const r = combineSalientSam(S, L, { band: 6 });
    const m = binary(r.alpha);
    for (let x = 80; x < 160; x++) expect(m.data[80 * W + x], `x=${x}`).toBe(255);
    expect(maskIoU(m, maskOf(union(disc(80, 80, 40), box(110, 70, 160, 90))))).toBe(1);
  });

  it('SAM empty or SAM everything: no SAM edge, every disagreement is the salient model\'s', () => {
    const S = soft(disc(100, 80, 30));
    expect(maskIoU(binary(combineSalientSam(S, field(() => false, 0, -5), { band: 8 }).alpha), maskOf(disc(100, 80, 30)))).toBe(1);
    expect(maskIoU(binary(combineSalientSam(S, field(() => true, 5, 0), { band: 8 }).alpha), maskOf(disc(100, 80, 30)))).toBe(1);
  });

  it("SAM's edge is anti-aliased (coverage from its logits) where no salient pixel is next to it", () => {
    // Logits ramp across x = 100.3: coverage 0.5 + logit / |gradient| at the edge pixels.
    const L: FloatMap = { width: W, height: H, data: new Float32Array(W * H) };
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) L.data[y * W + x] = 100.3 - (x + 0.5);
    const S = field((x) => x < 100, 0.9, 0.05);
    const r = combineSalientSam(S, L, { band: 3 });
    const row = Array.from(r.alpha.data.subarray(50 * W + 97, 50 * W + 103)).map((v) => Math.round(v * 100) / 100);
    expect(row).toEqual([1, 1, 1, 0.3, 0, 0]); // x = 100: 0.5 + (100.3 − 100.5) / 1
  });

  it('rejects maps of different sizes', () => {
    expect(() => combineSalientSam(field(() => true, 1, 0), field(() => true, 1, 0, 10, 10), { band: 1 })).toThrow(CutoutError);
  });
});

const levels = (a: number) => Math.round(255 * Math.min(1, Math.max(0, (a - ALPHA_FLOOR) / (ALPHA_CEIL - ALPHA_FLOOR))));

describe('knobs', () => {
  it('finishMask: threshold, largest part (its fringe goes with it), fill holes', () => {
    // Big ring with a hole and a small separate disc, both with a soft 0.3 fringe.
    const body = (x: number, y: number) => disc(70, 80, 45)(x, y) && !disc(70, 80, 12)(x, y);
    const alpha = field(union(body, disc(170, 40, 10)), 1, 0);
    const fringe = field(union(disc(70, 80, 47), disc(170, 40, 12)), 0.3, 0);
    for (let i = 0; i < alpha.data.length; i++) alpha.data[i] = Math.max(alpha.data[i]!, fringe.data[i]!);
    const plain = finishMask(alpha, { threshold: 0.5, largest: false, fillHoles: false });
    expect(maskIoU(plain.mask, maskOf(union(body, disc(170, 40, 10))))).toBe(1);
    expect(plain.alpha.data[40 * W + 181]).toBe(levels(0.3)); // the small disc's fringe
    const largest = finishMask(alpha, { threshold: 0.5, largest: true, fillHoles: false });
    expect(maskIoU(largest.mask, maskOf(body))).toBe(1);
    expect(largest.alpha.data[40 * W + 170]).toBe(0);
    expect(largest.alpha.data[40 * W + 181]).toBe(0);
    expect(largest.alpha.data[80 * W + 116]).toBe(levels(0.3)); // the body's fringe stays
    const filled = finishMask(alpha, { threshold: 0.5, largest: true, fillHoles: true });
    expect(maskIoU(filled.mask, maskOf(disc(70, 80, 45)))).toBe(1);
    expect(filled.alpha.data[80 * W + 70]).toBe(255);
    // Levels: background noise goes, near-opaque becomes opaque, ½ stays ½.
    const noisy: FloatMap = { width: 4, height: 1, data: Float32Array.from([0.03, 0.5, 0.6, 0.97]) };
    expect(Array.from(finishMask(noisy, { threshold: 0.5, largest: false, fillHoles: false }).alpha.data)).toEqual([0, 128, levels(0.6), 255]);
    const low = finishMask(alpha, { threshold: 0.25, largest: false, fillHoles: false });
    expect(maskIoU(low.mask, maskOf(union(disc(70, 80, 47), disc(170, 40, 12))))).toBeGreaterThan(0.99);
  });

  it('options are checked with clear errors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as CutoutError).code;
      }
      return 'none';
    };
    expect(resolveRemoveBgOptions()).toMatchObject({ strategy: 'salient', threshold: 0.5, feather: 0, fillHoles: false, largest: false });
    expect(code(() => resolveRemoveBgOptions({ threshold: 0 }))).toBe(ErrorCode.InvalidOption);
    expect(code(() => resolveRemoveBgOptions({ threshold: 1.5 }))).toBe(ErrorCode.InvalidOption);
    expect(code(() => resolveRemoveBgOptions({ feather: -1 }))).toBe(ErrorCode.InvalidOption);
    expect(code(() => resolveRemoveBgOptions({ strategy: 'magic' as never }))).toBe(ErrorCode.InvalidOption);
    expect(defaultBand(8, 8)).toBe(2);
    expect(defaultBand(2000, 1500)).toBe(16);
  });

  it('salientBox pads the mask bounds by 2.5% (≥ 2 px) and clips to the image', () => {
    expect(salientBox(maskOf(box(50, 40, 150, 120)))).toEqual({ x0: 47.5, y0: 38, x1: 152.5, y1: 122 });
    expect(salientBox(maskOf(box(0, 0, 10, 10)))).toEqual({ x0: 0, y0: 0, x1: 12, y1: 12 });
    expect(salientBox(maskOf(() => false))).toBeUndefined();
  });
});

describe('strategies with the analytic models', () => {
  let salient: SalientModel;
  const sams: Record<string, SegmentModel> = {};
  beforeAll(async () => {
    const dirs = await analyticDirs();
    salient = await loadSalientModel(ort, readModelDir(dirs.salient), { id: 'salient' });
    sams.sam1 = await loadSamModel(ort, readModelDir(dirs.sam1), { id: 'sam1' });
    sams['sam-hf'] = await loadSamModel(ort, readModelDir(dirs['sam-hf']), { id: 'sam-hf' });
    return async () => {
      await salient.dispose();
      for (const m of Object.values(sams)) await m.dispose();
    };
  });

  /** A disc with a thin light halo (a shadow/fringe the salient model also picks up). */
  const halo: Scene = {
    width: 800, height: 600, background: [128, 128, 128],
    shapes: [
      { kind: 'ellipse', cx: 400, cy: 300, rx: 154, ry: 154, colour: [148, 148, 148] },
      { kind: 'ellipse', cx: 400, cy: 300, rx: 150, ry: 150, colour: [200, 200, 200] },
    ],
  };
  const discOnly = render({ ...halo, shapes: [halo.shapes[1]!] }).truth;

  it("'salient': alpha and mask from the salient model; the cutout keeps the image's pixels", async () => {
    const { image, truth } = render(halo);
    const r = await removeBackground(image, { salient });
    expect(r.cutout.width).toBe(800);
    expect(r.cutout.height).toBe(600);
    expect(maskIoU(r.mask, truth)).toBeGreaterThan(0.98); // disc + halo: what the salient model sees
    expect(r.foreground).toBeCloseTo(maskArea(r.mask) / (800 * 600), 10);
    const c = (300 * 800 + 400) * 4;
    expect(Array.from(r.cutout.data.subarray(c, c + 4))).toEqual([200, 200, 200, 255]);
    expect(r.cutout.data[3]).toBe(0);
    expect(r.box).toBeUndefined();
  });

  for (const format of ['sam1', 'sam-hf']) {
    it(`'salient+sam' (${format}): SAM's edge where they agree within the band — the halo is dropped`, async () => {
      const { image } = render(halo);
      const r = await removeBackground(image, { salient, sam: sams[format] }, { strategy: 'salient+sam' });
      expect(maskIoU(r.mask, discOnly)).toBeGreaterThan(0.97);
      const alone = await removeBackground(image, { salient });
      expect(maskIoU(alone.mask, discOnly)).toBeLessThan(maskIoU(r.mask, discOnly));
      expect(r.box!.x0).toBeLessThan(246);
      expect(r.box!.x1).toBeGreaterThan(554);
      expect(r.decided!.salient).toBe(0);
    });

    it(`'salient+sam' (${format}): parts SAM does not take come from the salient model`, async () => {
      // The box spans all three shapes; its centre lies in the disc, so SAM takes the disc only.
      const scene: Scene = {
        width: 900, height: 500, background: [235, 235, 235],
        shapes: [
          { kind: 'ellipse', cx: 450, cy: 250, rx: 170, ry: 170, colour: [190, 190, 190] },
          { kind: 'rect', x0: 100, y0: 200, x1: 180, y1: 300, colour: [205, 205, 205] },
          { kind: 'rect', x0: 720, y0: 200, x1: 800, y1: 300, colour: [205, 205, 205] },
        ],
      };
      const { image, truth } = render(scene);
      const r = await removeBackground(image, { salient, sam: sams[format] }, { strategy: 'salient+sam' });
      expect(maskIoU(r.mask, truth)).toBeGreaterThan(0.97);
      expect(r.decided!.salient).toBeGreaterThan(2 * 80 * 100 * 0.9);
      const largest = await removeBackground(image, { salient, sam: sams[format] }, { strategy: 'salient+sam', largest: true });
      expect(maskIoU(largest.mask, render({ ...scene, shapes: [scene.shapes[0]!] }).truth)).toBeGreaterThan(0.97);
    });
  }

  it("'salient+sam' on an image with nothing salient: empty mask, SAM not run", async () => {
    const { image } = render({ width: 64, height: 48, background: [10, 20, 30], shapes: [] });
    const r = await removeBackground(image, { salient, sam: sams.sam1 }, { strategy: 'salient+sam' });
    expect(r.foreground).toBe(0);
    expect(r.box).toBeUndefined();
  });

  it('needs a SAM model for salient+sam; a cancelled signal stops before the next model run', async () => {
    const { image } = render(halo);
    await expect(removeBackground(image, { salient }, { strategy: 'salient+sam' })).rejects.toMatchObject({ code: ErrorCode.InvalidOption });
    const c = new AbortController();
    c.abort();
    await expect(removeBackground(image, { salient, sam: sams.sam1 }, { strategy: 'salient+sam' }, c.signal)).rejects.toMatchObject({ code: ErrorCode.Cancelled });
  });

  it('input transparency: a transparent pixel is never foreground, and no pixel gets more opaque', async () => {
    const { image, truth } = render({ width: 300, height: 200, background: [255, 255, 255], shapes: [{ kind: 'ellipse', cx: 150, cy: 100, rx: 90, ry: 60, colour: [120, 120, 120] }] }, true);
    for (let i = 0; i < 300 * 200; i++) if (i % 300 < 150 && image.data[i * 4 + 3] === 255) image.data[i * 4 + 3] = 100; // left half 40% opaque
    const r = await removeBackground(image, { salient });
    let over = 0;
    for (let i = 0; i < 300 * 200; i++) {
      if (r.cutout.data[i * 4 + 3]! > image.data[i * 4 + 3]!) over++;
      if (image.data[i * 4 + 3] === 0) expect(r.mask.data[i]).toBe(0);
    }
    expect(over).toBe(0);
    expect(r.cutout.data[(100 * 300 + 100) * 4 + 3]).toBe(100);
    expect(maskIoU(r.mask, truth)).toBeGreaterThan(0.98);
  });

  it('fill holes and feather', async () => {
    const scene: Scene = {
      width: 400, height: 300, background: [128, 128, 128],
      shapes: [
        { kind: 'ellipse', cx: 200, cy: 150, rx: 120, ry: 100, colour: [100, 100, 100] },
        { kind: 'ellipse', cx: 200, cy: 150, rx: 40, ry: 30, colour: [128, 128, 128] },
      ],
    };
    const { image } = render(scene);
    const holed = await removeBackground(image, { salient });
    expect(holed.mask.data[150 * 400 + 200]).toBe(0);
    const filled = await removeBackground(image, { salient }, { fillHoles: true });
    expect(filled.mask.data[150 * 400 + 200]).toBe(255);
    expect(filled.cutout.data[(150 * 400 + 200) * 4 + 3]).toBe(255);
    const feathered = await removeBackground(image, { salient }, { feather: 6 });
    expect(Array.from(feathered.mask.data)).toEqual(Array.from(holed.mask.data)); // the mask stays binary
    const partial = (img: typeof holed.cutout) => {
      let n = 0;
      for (let i = 3; i < img.data.length; i += 4) if (img.data[i]! > 0 && img.data[i]! < 255) n++;
      return n;
    };
    expect(partial(feathered.cutout)).toBeGreaterThan(2 * partial(holed.cutout));
  });
});
