/** The images of the remove-bg benchmark (bench/removebg.ts) and of the batch memory test. */
import jpeg from 'jpeg-js';
import { encodePng } from '../core/image/png.js';
import type { RgbaImage } from '../core/image/types.js';

/** From 1600×1200 down: the first 10 items of a batch include the largest. */
export const SIZES: ReadonlyArray<[number, number]> = [
  [1600, 1200],
  [1024, 768],
  [800, 800],
  [640, 480],
  [1200, 900],
  [768, 1024],
  [1000, 1000],
  [900, 600],
  [1080, 1350],
  [1280, 720],
];

/** A product-shot-like scene: a light backdrop, an object (ellipse + base); PNG for even k, JPEG for odd. */
export function productShot(w: number, h: number, k: number): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  const cx = w / 2;
  const cy = h * 0.45;
  const rx = w * 0.28;
  const ry = h * 0.3;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = (x + 0.5 - cx) / rx;
      const dy = (y + 0.5 - cy) / ry;
      const inObject = dx * dx + dy * dy <= 1 || (Math.abs(x + 0.5 - cx) < rx * 0.5 && y > cy && y < h * 0.85);
      // Backdrop with a faint gradient (below the model's cut-off), object with shading.
      const v = inObject ? 150 - Math.round(30 * dy) : 236 - Math.round((4 * y) / h);
      const i = (y * w + x) * 4;
      data[i] = v;
      data[i + 1] = inObject ? v - 10 : v;
      data[i + 2] = inObject ? v - 25 : v;
      data[i + 3] = 255;
    }
  }
  const img: RgbaImage = { width: w, height: h, data };
  return k % 2 ? new Uint8Array(jpeg.encode({ data, width: w, height: h }, 90).data) : encodePng(img, { level: 6 });
}
