/** Split into layers, the pure part: names, stacking, colours, the layers and the panel's edits. */
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../core/image/png.js';
import type { GrayImage, RgbaImage } from '../../core/image/types.js';
import { checkPathData } from '../../core/vector/path.js';
import { buildSplitLayers, hitObject, objectColour, objectName, placeName, resampleMask, stackOrder, toPreviewMask } from '../../ui/split-layers.js';
import { SplitObjects } from '../../ui/split-state.js';

const W = 60;
const H = 40;

function rectMask(x: number, y: number, w: number, h: number, size = { width: W, height: H }): GrayImage {
  const data = new Uint8Array(size.width * size.height);
  for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) data[j * size.width + i] = 255;
  return { ...size, data };
}

function photo(): RgbaImage {
  const data = new Uint8Array(W * H * 4);
  for (let i = 0; i < W * H; i++) data.set([(i * 7) % 256, (i * 13) % 256, (i * 3) % 256, 255], i * 4);
  return { width: W, height: H, data };
}

describe('names and order', () => {
  it('names say where (thirds of the image) and how big, in source pixels', () => {
    const img = { width: 300, height: 300 };
    expect(placeName({ x: 0, y: 0, width: 50, height: 50 }, img)).toBe('Top left');
    expect(placeName({ x: 125, y: 125, width: 50, height: 50 }, img)).toBe('Centre');
    expect(placeName({ x: 250, y: 125, width: 50, height: 50 }, img)).toBe('Right');
    expect(placeName({ x: 125, y: 250, width: 50, height: 50 }, img)).toBe('Bottom');
    expect(placeName({ x: 250, y: 250, width: 50, height: 50 }, img)).toBe('Bottom right');
    expect(objectName({ x: 12.4, y: 8, width: 120, height: 80 }, img)).toBe('Top left 120×80 at 12, 8');
  });

  it('smaller objects come first (top), ties keep the found order', () => {
    const objs = [{ area: 50, n: 'a' }, { area: 10, n: 'b' }, { area: 50, n: 'c' }, { area: 5, n: 'd' }];
    expect(stackOrder(objs).map((o) => o.n)).toEqual(['d', 'b', 'a', 'c']);
  });

  it('neighbouring objects get clearly different colours', () => {
    for (let i = 0; i < 40; i++) {
      const a = objectColour(i);
      const b = objectColour(i + 1);
      const d = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      expect(d, `colours ${i} and ${i + 1}`).toBeGreaterThan(60);
    }
  });

  it('a click hits the top-most (smallest) object under it', () => {
    const big = rectMask(0, 0, 40, 30);
    const small = rectMask(10, 10, 5, 5);
    expect(hitObject([small, big], 12, 12)).toBe(0);
    expect(hitObject([small, big], 30, 20)).toBe(1);
    expect(hitObject([small, big], 50, 35)).toBe(-1);
  });
});

describe('buildSplitLayers', () => {
  const big = rectMask(5, 5, 30, 20);
  const small = rectMask(40, 10, 10, 8);
  const inner = rectMask(10, 10, 4, 4);

  it('cutouts: top-first by size, each the source pixels of its mask; the background has them transparent', () => {
    const img = photo();
    const { objects, background } = buildSplitLayers(img, [big, small, inner], { output: 'cutout', smoothing: 1 });
    expect(objects.map((o) => o.name)).toEqual(['Top left 4×4 at 10, 10', 'Right 10×8 at 40, 10', 'Centre 30×20 at 5, 5']);
    expect(objects.map((o) => o.rect)).toEqual([
      { x: 10, y: 10, width: 4, height: 4 },
      { x: 40, y: 10, width: 10, height: 8 },
      { x: 5, y: 5, width: 30, height: 20 },
    ]);
    const cut = decodePng(objects[1]!.png!);
    expect(cut.width).toBe(10);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 10; x++) {
      const s = ((10 + y) * W + 40 + x) * 4;
      expect([...cut.data.subarray((y * 10 + x) * 4, (y * 10 + x) * 4 + 4)]).toEqual([...img.data.subarray(s, s + 4)]);
    }
    expect(background!.name).toBe('Background');
    expect(background!.rect).toEqual({ x: 0, y: 0, width: W, height: H });
    const bg = decodePng(background!.png!);
    let holes = 0;
    for (let i = 0; i < W * H; i++) {
      const inside = big.data[i] || small.data[i];
      expect(bg.data[i * 4 + 3], `pixel ${i}`).toBe(inside ? 0 : 255);
      if (inside) holes++;
      else expect(bg.data[i * 4]).toBe(img.data[i * 4]);
    }
    expect(holes).toBe(30 * 20 + 10 * 8);
  });

  it('vector masks: traced outlines in source pixels; no background when the objects cover everything', () => {
    const img = photo();
    const { objects, background } = buildSplitLayers(img, [rectMask(0, 0, W, H), small], { output: 'vector-mask', smoothing: 0.2 });
    expect(objects).toHaveLength(2);
    expect(background).toBeUndefined();
    expect(objects[0]!.name).toBe('Right 10×8 at 40, 10');
    // The outline lies on the object's edges (x 40..50, y 10..18) in source pixels.
    const nums = objects[0]!.paths!.flatMap((p) => p.data.match(/-?\d+(\.\d+)?/g)!.map(Number));
    const xs = nums.filter((_, i) => i % 2 === 0);
    const ys = nums.filter((_, i) => i % 2 === 1);
    expect(Math.min(...xs)).toBeCloseTo(40, 0);
    expect(Math.max(...xs)).toBeCloseTo(50, 0);
    expect(Math.min(...ys)).toBeCloseTo(10, 0);
    expect(Math.max(...ys)).toBeCloseTo(18, 0);
    expect(() => checkPathData(objects[0]!.paths![0]!.data)).not.toThrow();
  });

  it('works at 4096 at most: a larger image gives smaller PNGs with source-pixel rects', () => {
    const size = { width: 200, height: 100 };
    const img: RgbaImage = { ...size, data: new Uint8Array(200 * 100 * 4).fill(200) };
    const m = rectMask(20, 20, 100, 40, size);
    const { objects } = buildSplitLayers(img, [m], { output: 'cutout', smoothing: 1, maxSide: 100 });
    expect(objects[0]!.rect).toEqual({ x: 20, y: 20, width: 100, height: 40 });
    expect(decodePng(objects[0]!.png!).width).toBe(50);
  });

  it('refuses masks of another image and an empty split', () => {
    expect(() => buildSplitLayers(photo(), [rectMask(0, 0, 2, 2, { width: 10, height: 10 })], { output: 'cutout', smoothing: 1 })).toThrow(/find them again/);
    expect(() => buildSplitLayers(photo(), [], { output: 'cutout', smoothing: 1 })).toThrow(/No objects/);
  });
});

describe('the panel: select, drop, merge, undo', () => {
  const size = { width: 30, height: 20 };
  const masks = [
    toPreviewMask(1, rectMask(0, 0, 40, 30), size),
    toPreviewMask(2, rectMask(40, 5, 10, 10), size),
    toPreviewMask(3, rectMask(45, 25, 12, 12), size),
  ];

  it('keeps objects top-first, merges the selection into one (with the union of masks), drops, undoes', () => {
    const s = new SplitObjects();
    s.reset(masks);
    expect(s.objects.map((o) => o.key)).toEqual([2, 3, 1]);
    s.select(2);
    s.select(3, true);
    expect([...s.selected]).toEqual([2, 3]);
    const key = s.merge();
    expect(key).toBe(2);
    expect(s.objects.map((o) => o.ids)).toEqual([[2, 3], [1]]);
    expect(s.objects[0]!.rect).toEqual({ x: 40, y: 5, width: 17, height: 32 });
    const m = s.objects[0]!.mask;
    const count = m.data.reduce((n, v) => n + (v ? 1 : 0), 0);
    expect(count).toBe(masks[1]!.mask.data.reduce((n, v) => n + (v ? 1 : 0), 0) + masks[2]!.mask.data.reduce((n, v) => n + (v ? 1 : 0), 0));
    expect(s.drop([1])).toBe(1);
    expect(s.groups()).toEqual([[2, 3]]);
    expect(s.undo()).toBe(true);
    expect(s.groups()).toEqual([[2, 3], [1]]);
    expect(s.undo()).toBe(true);
    expect(s.groups()).toEqual([[2], [3], [1]]);
    expect(s.undo()).toBe(false);
  });

  it('merging needs two objects; shift-click toggles; a streamed mask joins in its place once', () => {
    const s = new SplitObjects();
    s.reset([masks[0]!]);
    s.select(1);
    expect(s.merge()).toBeUndefined();
    s.select(1, true);
    expect(s.selected.size).toBe(0);
    s.add(masks[1]!);
    s.add(masks[1]!);
    expect(s.objects.map((o) => o.key)).toEqual([2, 1]);
  });

  it('the backdrop the generator also finds becomes the Background, not an object', () => {
    const size = { width: 60, height: 40 };
    const a = rectMask(5, 5, 10, 10);
    const b = rectMask(30, 10, 20, 20);
    const back = { width: 60, height: 40, data: a.data.map((v, i) => (v || b.data[i] ? 0 : 255)) };
    const masks = [toPreviewMask(1, back, size), toPreviewMask(2, b, size), toPreviewMask(3, a, size)];
    const s = new SplitObjects();
    s.reset(masks);
    expect(s.backgroundId).toBe(1);
    expect(s.objects.map((o) => o.key)).toEqual([3, 2]);
    // A large object that is not what the others leave stays an object.
    const big = rectMask(0, 0, 40, 40);
    s.reset([toPreviewMask(1, big, size), toPreviewMask(3, a, size)]);
    expect(s.backgroundId).toBeUndefined();
    expect(s.objects).toHaveLength(2);
  });

  it('preview masks are resampled, with full-size area and bounds', () => {
    const p = toPreviewMask(9, rectMask(40, 10, 10, 8), size);
    expect(p.area).toBe(80);
    expect(p.rect).toEqual({ x: 40, y: 10, width: 10, height: 8 });
    expect(p.mask.width).toBe(30);
    expect(resampleMask(rectMask(0, 0, 60, 40), size).data.every((v) => v === 255)).toBe(true);
  });
});
