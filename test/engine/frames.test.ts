import { describe, expect, it } from 'vitest';
import {
  frameTransform,
  originalToFrame,
  frameToOriginal,
  originalToLowRes,
  lowResToOriginal,
  lowResImageExtent,
} from '../../core/prompts/frames.js';
import { validatePrompt } from '../../core/prompts/validate.js';
import { isCutoutError } from '../../core/errors.js';

describe('frames', () => {
  it('longest-side frames use the reference rounding', () => {
    expect(frameTransform('longest', { width: 1500, height: 700 }).resized).toEqual({ width: 1024, height: 478 });
    expect(frameTransform('longest', { width: 1, height: 5000 }).resized).toEqual({ width: 1, height: 1024 });
  });

  it('maps points like the reference processor (sam-reference cases)', () => {
    // shapes_1500x700: point (750,350) → (512, 239)
    const t = frameTransform('longest', { width: 1500, height: 700 });
    const [x, y] = originalToFrame(t, 750, 350);
    expect(x).toBeCloseTo(512, 6);
    expect(y).toBeCloseTo((350 * 478) / 700, 6);
    // square: x·1024/W, y·1024/H
    const s = frameTransform('square', { width: 640, height: 427 });
    expect(originalToFrame(s, 320, 213.5)).toEqual([512, 512]);
  });

  it('round-trips every frame change', () => {
    for (const mode of ['longest', 'square'] as const) {
      for (const size of [{ width: 640, height: 427 }, { width: 7, height: 9001 }, { width: 4097, height: 3 }]) {
        const t = frameTransform(mode, size);
        for (const [x, y] of [[0, 0], [size.width, size.height], [size.width / 3, size.height / 7]] as const) {
          const [fx, fy] = frameToOriginal(t, ...originalToFrame(t, x, y));
          expect(fx).toBeCloseTo(x, 6);
          expect(fy).toBeCloseTo(y, 6);
          const [lx, ly] = lowResToOriginal(t, ...originalToLowRes(t, x, y));
          expect(lx).toBeCloseTo(x, 6);
          expect(ly).toBeCloseTo(y, 6);
        }
      }
    }
  });

  it('the image covers the whole low-res grid only in square mode', () => {
    expect(lowResImageExtent(frameTransform('square', { width: 10, height: 20 }))).toEqual({ width: 256, height: 256 });
    expect(lowResImageExtent(frameTransform('longest', { width: 1000, height: 500 }))).toEqual({ width: 256, height: 128 });
  });
});

describe('validatePrompt', () => {
  const size = { width: 100, height: 50 };
  const bad = (p: Parameters<typeof validatePrompt>[0], re: RegExp) => {
    try {
      validatePrompt(p, size);
    } catch (e) {
      expect(isCutoutError(e, 'INVALID_PROMPT')).toBe(true);
      expect((e as Error).message).toMatch(re);
      return;
    }
    throw new Error('expected a failure');
  };
  it('refuses NaN, outside points, bad labels, empty prompts and empty boxes with clear messages', () => {
    bad({ points: [{ x: NaN, y: 3, label: 1 }] }, /not a finite number/);
    bad({ points: [{ x: 101, y: 3, label: 1 }] }, /outside the 100×50 image/);
    bad({ points: [{ x: -1, y: 3, label: 1 }] }, /outside/);
    bad({ points: [{ x: 1, y: 3, label: 2 as 1 }] }, /label 2/);
    bad({ points: [] }, /empty/);
    bad({ points: [{ x: 1, y: 1, label: 0 }] }, /only background points/);
    bad({ points: [], box: { x0: 5, y0: 5, x1: 5.5, y1: 20 } }, /empty/);
    bad({ points: [], box: { x0: 200, y0: 5, x1: 300, y1: 20 } }, /outside/);
    bad({ points: [], box: { x0: Infinity, y0: 5, x1: 300, y1: 20 } }, /finite/);
  });
  it('accepts edge points, orders and clips boxes', () => {
    const p = validatePrompt({ points: [{ x: 100, y: 50, label: 1 }], box: { x0: 120, y0: 40, x1: 10, y1: -5 } }, size);
    expect(p.box).toEqual({ x0: 10, y0: 0, x1: 100, y1: 40 });
  });
});
