import { describe, expect, it } from 'vitest';
import { resizeFloatBilinear, upsampleLogits, upsampleToMask } from '../../core/masks/upsample.js';
import { cleanupMask, fillHoles } from '../../core/masks/cleanup.js';
import { coverageAlpha } from '../../core/masks/alpha.js';
import { maskIoU, stabilityScore, maskBounds, thresholdMap, maskArea } from '../../core/masks/measure.js';
import { frameTransform } from '../../core/prompts/frames.js';
import type { FloatMap, GrayImage } from '../../core/image/types.js';

/** Straight transcription of PyTorch's upsample_bilinear2d (align_corners=False), in doubles. */
function torchBilinear(src: FloatMap, W: number, H: number): Float64Array {
  const out = new Float64Array(W * H);
  const sx = src.width / W;
  const sy = src.height / H;
  for (let y = 0; y < H; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const ly = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, src.width - 1);
      const lx = fx - x0;
      const g = (yy: number, xx: number) => src.data[yy * src.width + xx]!;
      out[y * W + x] = (1 - ly) * ((1 - lx) * g(y0, x0) + lx * g(y0, x1)) + ly * ((1 - lx) * g(y1, x0) + lx * g(y1, x1));
    }
  }
  return out;
}

function randomMap(w: number, h: number, seed = 1): FloatMap {
  let s = seed;
  const data = new Float32Array(w * h);
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return { width: w, height: h, data };
}

describe('bilinear upsampling (align_corners=False)', () => {
  it('matches a direct transcription of PyTorch for up, down and odd sizes', () => {
    const src = randomMap(17, 11);
    for (const [W, H] of [[64, 44], [5, 3], [17, 11], [100, 7], [1, 1]] as const) {
      const ours = resizeFloatBilinear(src, { width: W, height: H });
      const ref = torchBilinear(src, W, H);
      let m = 0;
      for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ours.data[i]! - ref[i]!));
      expect(m, `${W}x${H}`).toBeLessThan(1e-5);
    }
  });

  it('crop-while-resizing equals resize-then-crop', () => {
    const src = randomMap(32, 32, 7);
    const full = resizeFloatBilinear(src, { width: 128, height: 128 });
    const crop = resizeFloatBilinear(src, { width: 128, height: 128 }, { width: 100, height: 37 });
    for (let y = 0; y < 37; y++) for (let x = 0; x < 100; x++) expect(crop.data[y * 100 + x]).toBe(full.data[y * 128 + x]);
  });

  it('SAM 1 goes through the padded frame; the one-step shortcut differs', () => {
    const low = randomMap(256, 256, 3).data;
    const t = frameTransform('longest', { width: 300, height: 150 });
    const two = upsampleLogits(low, t);
    const frame = resizeFloatBilinear({ width: 256, height: 256, data: low }, { width: 1024, height: 1024 }, t.resized);
    const ref = torchBilinear(frame, 300, 150);
    let m = 0;
    for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(two.data[i]! - ref[i]!));
    expect(m).toBeLessThan(1e-4); // float32 scale, as PyTorch computes it
    const mask = upsampleToMask(low, t);
    expect(mask).toEqual(thresholdMap(two));
  });

  it('SAM 2 goes straight to the original size', () => {
    const low = randomMap(256, 256, 5).data;
    const t = frameTransform('square', { width: 77, height: 301 });
    const ours = upsampleLogits(low, t);
    const ref = torchBilinear({ width: 256, height: 256, data: low }, 77, 301);
    let m = 0;
    for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ours.data[i]! - ref[i]!));
    expect(m).toBeLessThan(1e-4); // float32 scale, as PyTorch computes it
  });

  it('streams huge outputs without a full float copy (10000×8000)', () => {
    const low = new Float32Array(256 * 256).fill(-1);
    for (let y = 64; y < 128; y++) for (let x = 64; x < 192; x++) low[y * 256 + x] = 1;
    const t = frameTransform('longest', { width: 10000, height: 8000 });
    const m = upsampleToMask(low, t);
    expect(m.data.length).toBe(80_000_000);
    const b = maskBounds(m)!;
    // cells 64..192 × 64..128 of the 1024 frame scaled by 10000/1024
    expect(b.x0).toBeGreaterThan(2400);
    expect(b.x1).toBeLessThan(7600);
  });
});

function gray(w: number, h: number, rows: string[]): GrayImage {
  const data = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((c, x) => (data[y * w + x] = c === '#' ? 255 : 0)));
  return { width: w, height: h, data };
}

describe('mask measures and cleanup', () => {
  const m = gray(8, 6, ['########', '#......#', '#.##...#', '#......#', '########', '......##']);
  it('IoU, area, bounds', () => {
    expect(maskIoU(m, m)).toBe(1);
    expect(maskArea(m)).toBe(26);
    expect(maskBounds(m)).toEqual({ x0: 0, y0: 0, x1: 8, y1: 6 });
    expect(maskBounds(gray(3, 3, []))).toBeUndefined();
  });
  it('removes small islands and fills small holes only', () => {
    const c = cleanupMask(m, { minIslandArea: 3 });
    expect(maskArea(c)).toBe(24); // the 2-px island inside the hole goes
    const f = fillHoles(m);
    expect(maskArea(f)).toBe(6 * 8 - 6); // the bottom-left background touches the border
    const small = cleanupMask(m, { maxHoleArea: 10 });
    expect(maskArea(small)).toBe(26); // the hole is 16 px: kept
  });
  it('largest part only', () => {
    const two = gray(6, 1, ['##.###']);
    expect(maskArea(cleanupMask(two, { largestOnly: true }))).toBe(3);
  });
  it('stability score', () => {
    const l = new Float32Array([5, 5, 0.5, -0.5, -5]);
    expect(stabilityScore(l)).toBeCloseTo(2 / 4);
  });
});

describe('coverage alpha', () => {
  it('gives sub-pixel coverage from a linear ramp and hard values away from the edge', () => {
    // logit = x − 10.3 (signed distance to x = 10.3): pixel x covers [x-0.5, x+0.5] ⇒ alpha(10) = 0.2.
    const w = 21;
    const data = new Float32Array(w * 3);
    for (let y = 0; y < 3; y++) for (let x = 0; x < w; x++) data[y * w + x] = x - 10.3;
    const a = coverageAlpha({ width: w, height: 3, data });
    expect(a.data[w + 10]).toBe(Math.round(0.2 * 255));
    expect(a.data[w + 11]).toBe(255);
    expect(a.data[w + 9]).toBe(0);
  });
});
