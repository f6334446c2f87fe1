/**
 * The mask overlay must read on any image: checked with pixels, as the screen shows them (the
 * overlay composited over the image), on a blue, a black and a white object, each on a
 * background that is like it, unlike it, and mid-grey. The overlay's edge must differ from the
 * pixels beside it by a clear contrast (WCAG ratio ≥ 3, the minimum for UI graphics), what is
 * left out must change visibly (the veil), and the tint must not be the object's own colour.
 */
import { describe, expect, it } from 'vitest';
import type { GrayImage, RgbaImage } from '../../core/image/types.js';
import { chooseOverlayStyle, composite, contrastRatio, edgeBands, paintOverlay, TINTS, type Rgb } from '../../ui/overlay-style.js';
import { render, truth, type Shape } from '../helpers/synthetic.js';

const W = 160;
const H = 120;
const OBJECTS: Record<string, [number, number, number]> = { blue: [30, 90, 220], black: [12, 12, 14], white: [250, 250, 250] };
const BACKGROUNDS: Record<string, [number, number, number]> = { light: [236, 238, 240], dark: [20, 22, 24], grey: [128, 128, 128] };

function scene(object: [number, number, number], bg: [number, number, number]): { image: RgbaImage; mask: GrayImage } {
  const shapes: Shape[] = [{ kind: 'disc', cx: 80, cy: 60, r: 38, color: object }];
  return { image: render(W, H, bg, shapes), mask: truth(W, H, shapes, 0) };
}

const at = (px: ArrayLike<number>, i: number): Rgb => [px[i * 4]!, px[i * 4 + 1]!, px[i * 4 + 2]!];

/** Per edge pixel, the lowest contrast with a non-edge pixel beside it (4-neighbours), as shown. */
function edgeContrasts(image: RgbaImage, mask: GrayImage, hover: boolean): number[] {
  const style = chooseOverlayStyle(image, mask, hover);
  const width = 2;
  const shown = composite(image, paintOverlay(mask, image, style, width));
  const bands = edgeBands(mask, width);
  const out: number[] = [];
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const i = y * W + x;
      if (!bands[i]) continue;
      let worst = Infinity;
      for (const j of [i - 1, i + 1, i - W, i + W]) {
        if (bands[j]) continue;
        worst = Math.min(worst, contrastRatio(at(shown, i), at(shown, j)));
      }
      if (worst < Infinity) out.push(worst);
    }
  }
  return out.sort((a, b) => a - b);
}

describe('mask overlay colours', () => {
  for (const [objName, obj] of Object.entries(OBJECTS)) {
    for (const [bgName, bg] of Object.entries(BACKGROUNDS)) {
      for (const hover of [false, true]) {
        it(`${objName} object on a ${bgName} background${hover ? ' (hover)' : ''}: the edge stands out from what is beside it`, () => {
          const { image, mask } = scene(obj, bg);
          const c = edgeContrasts(image, mask, hover);
          expect(c.length).toBeGreaterThan(100);
          const p5 = c[Math.floor(c.length * 0.05)]!;
          const median = c[Math.floor(c.length / 2)]!;
          expect(p5, `5th percentile of ${c.length}`).toBeGreaterThanOrEqual(3);
          expect(median).toBeGreaterThanOrEqual(4.5);
        });
      }
    }
  }

  it('what is left out is visibly veiled, on hover too, also when it is near-black', () => {
    for (const bg of Object.values(BACKGROUNDS)) {
      for (const hover of [false, true]) {
        const { image, mask } = scene(OBJECTS.black!, bg);
        const shown = composite(image, paintOverlay(mask, image, chooseOverlayStyle(image, mask, hover), 2));
        const corner = 2 * W + 2;
        expect(contrastRatio(at(shown, corner), at(image.data, corner)), `bg ${bg} hover ${hover}`).toBeGreaterThanOrEqual(1.4);
      }
    }
  });

  it('the tint is not the object\'s colour: a blue object gets another tint, the brand blue stays for others', () => {
    const blue = scene(OBJECTS.blue!, BACKGROUNDS.light!);
    expect(chooseOverlayStyle(blue.image, blue.mask, false).tint).not.toEqual(TINTS[0]);
    const white = scene(OBJECTS.white!, BACKGROUNDS.dark!);
    expect(chooseOverlayStyle(white.image, white.mask, false).tint).toEqual(TINTS[0]);
  });
});
