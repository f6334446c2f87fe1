import { describe, expect, it } from 'vitest';
import { boxFromCorners, rectToSource, workScale, fitContain, fitLongSide, imageToView, insideImage, isDrag, previewMaskSize, viewToImage, workSize } from '../../ui/layout.js';

describe('zoom to fit', () => {
  it('centres a wide image with padding and round-trips coordinates', () => {
    const fit = fitContain({ width: 1000, height: 500 }, { width: 344, height: 300 }, 12);
    expect(fit.scale).toBeCloseTo(320 / 1000);
    expect(fit.x).toBeCloseTo(12);
    expect(fit.y).toBeCloseTo((300 - 160) / 2);
    const p = { x: 123.5, y: 456.25 };
    const back = viewToImage(fit, imageToView(fit, p));
    expect(back.x).toBeCloseTo(p.x, 9);
    expect(back.y).toBeCloseTo(p.y, 9);
  });

  it('fits tall images by height and does not blow up icons beyond 4×', () => {
    const tall = fitContain({ width: 300, height: 3000 }, { width: 344, height: 300 }, 12);
    expect(tall.scale).toBeCloseTo(276 / 3000);
    expect(tall.y).toBeCloseTo(12);
    const icon = fitContain({ width: 16, height: 16 }, { width: 344, height: 300 });
    expect(icon.scale).toBe(4);
    expect(icon.x).toBeCloseTo((344 - 64) / 2);
  });

  it('view corners map to the image corners', () => {
    const fit = fitContain({ width: 640, height: 480 }, { width: 400, height: 300 }, 10);
    const tl = viewToImage(fit, { x: fit.x, y: fit.y });
    const br = viewToImage(fit, { x: fit.x + 640 * fit.scale, y: fit.y + 480 * fit.scale });
    expect(tl.x).toBeCloseTo(0);
    expect(tl.y).toBeCloseTo(0);
    expect(br.x).toBeCloseTo(640);
    expect(br.y).toBeCloseTo(480);
    expect(insideImage(br, { width: 640, height: 480 })).toBe(true);
    expect(insideImage({ x: -0.1, y: 3 }, { width: 640, height: 480 })).toBe(false);
  });
});

describe('pointer gestures', () => {
  it('a press becomes a drag after 4 CSS px', () => {
    expect(isDrag({ x: 0, y: 0 }, { x: 2, y: 2 })).toBe(false);
    expect(isDrag({ x: 0, y: 0 }, { x: 3, y: 3 })).toBe(true);
  });

  it('boxes are ordered and clamped to the image', () => {
    expect(boxFromCorners({ x: 50, y: 60 }, { x: -10, y: 900 }, { width: 100, height: 200 })).toEqual({ x0: 0, y0: 60, x1: 50, y1: 200 });
  });
});

describe('working sizes', () => {
  it('never upscales, keeps the aspect ratio, caps the long side', () => {
    expect(fitLongSide({ width: 800, height: 600 }, 4096)).toEqual({ width: 800, height: 600 });
    expect(workSize({ width: 6000, height: 4000 })).toEqual({ width: 4096, height: 2731 });
    expect(workSize({ width: 100, height: 9000 })).toEqual({ width: 46, height: 4096 });
    expect(fitLongSide({ width: 10000, height: 1 }, 4096)).toEqual({ width: 4096, height: 1 });
  });

  it('maps a crop at the work size back to source pixels', () => {
    const source = { width: 6000, height: 4000 };
    const work = workSize(source);
    const s = workScale(source, work);
    expect(s.x).toBeCloseTo(6000 / 4096);
    const r = rectToSource({ x: 100, y: 200, width: 1000, height: 500 }, source, work);
    expect(r.x).toBeCloseTo(100 * s.x);
    expect(r.y).toBeCloseTo(200 * s.y);
    expect(r.width).toBeCloseTo(1000 * s.x);
    expect(r.height).toBeCloseTo(500 * s.y);
    expect(rectToSource({ x: 1, y: 2, width: 3, height: 4 }, { width: 50, height: 50 }, { width: 50, height: 50 })).toEqual({ x: 1, y: 2, width: 3, height: 4 });
  });

  it('mask previews match what is on screen, capped at 1024', () => {
    const img = { width: 4000, height: 3000 };
    const fit = fitContain(img, { width: 344, height: 300 });
    expect(previewMaskSize(img, fit, 2)).toEqual({ width: Math.round(4000 * fit.scale * 2), height: Math.round(3000 * fit.scale * 2) });
    expect(previewMaskSize(img, { x: 0, y: 0, scale: 1 }, 2)).toEqual({ width: 1024, height: 768 });
    // a tiny image is previewed at its own size, not larger
    expect(previewMaskSize({ width: 20, height: 10 }, { x: 0, y: 0, scale: 4 }, 2)).toEqual({ width: 20, height: 10 });
  });
});
