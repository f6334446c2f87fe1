/**
 * Synthetic scenes for the background-removal tests: flat shapes on a flat background whose
 * top-left corner is background (the analytic salient model's reference), rasterised at
 * pixel centres, so the ground-truth mask is known exactly. Encoded as PNG RGB, PNG RGBA
 * (opaque, or transparent background = white after flattening) or JPEG (jpeg-js encoder).
 */
import jpeg from 'jpeg-js';
import { encodePng } from '../../core/image/png.js';
import type { GrayImage, RgbaImage } from '../../core/image/types.js';
import { buildPng } from '../image/png-builder.js';

export type Rgb = readonly [number, number, number];

export type Shape =
  | { kind: 'ellipse'; cx: number; cy: number; rx: number; ry: number; colour: Rgb }
  | { kind: 'rect'; x0: number; y0: number; x1: number; y1: number; colour: Rgb };

export type Encoding = 'png-rgb' | 'png-rgba' | 'png-rgba-transparent' | 'jpeg';

export interface Scene {
  width: number;
  height: number;
  background: Rgb;
  shapes: Shape[];
}

export function inside(s: Shape, x: number, y: number): boolean {
  if (s.kind === 'rect') return x >= s.x0 && x < s.x1 && y >= s.y0 && y < s.y1;
  const dx = (x - s.cx) / s.rx;
  const dy = (y - s.cy) / s.ry;
  return dx * dx + dy * dy <= 1;
}

/** RGBA pixels and the ground-truth mask (pixel centres inside any shape). */
export function render(scene: Scene, transparentBackground = false): { image: RgbaImage; truth: GrayImage } {
  const { width: w, height: h } = scene;
  const data = new Uint8Array(w * h * 4);
  const truth = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let c: Rgb = scene.background;
      let a = transparentBackground ? 0 : 255;
      for (const s of scene.shapes) {
        if (inside(s, x + 0.5, y + 0.5)) {
          c = s.colour;
          a = 255;
        }
      }
      const p = y * w + x;
      data.set([c[0], c[1], c[2], a], p * 4);
      truth[p] = a === 255 && c !== scene.background ? 255 : 0;
    }
  }
  return { image: { width: w, height: h, data }, truth: { width: w, height: h, data: truth } };
}

export function encode(image: RgbaImage, encoding: Encoding): Uint8Array {
  switch (encoding) {
    case 'png-rgba':
    case 'png-rgba-transparent':
      return encodePng(image, { level: 1 });
    case 'png-rgb':
      return buildPng({
        width: image.width,
        height: image.height,
        colorType: 2,
        bitDepth: 8,
        filter: () => 1,
        pixel: (x, y) => {
          const i = (y * image.width + x) * 4;
          return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
        },
      });
    case 'jpeg':
      return new Uint8Array(jpeg.encode({ data: image.data, width: image.width, height: image.height }, 92).data);
  }
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Background / foreground pairs. The analytic model calls a pixel foreground when its colour
 * is more than 25.5 levels (summed over R, G, B) from the corner's; these pairs differ by
 * 55-96 summed levels, mostly in luminance: far enough above the cut-off for the shapes, low
 * enough that JPEG's ringing next to an edge (≤ 25 summed levels at quality 92, measured on
 * 8×8 images) keeps the background below it.
 */
const PALETTE: ReadonlyArray<{ background: Rgb; colours: Rgb[] }> = [
  { background: [128, 128, 128], colours: [[160, 160, 160], [100, 100, 100], [150, 155, 160]] },
  { background: [235, 235, 235], colours: [[205, 205, 205], [210, 215, 200], [215, 205, 200]] },
  { background: [40, 60, 90], colours: [[70, 90, 120], [75, 85, 115], [20, 35, 60]] },
];

/** Sizes of the 50-image batch: portrait, landscape, square, tiny, large. */
export const BATCH_SIZES: ReadonlyArray<[number, number]> = [
  [8, 8],
  [2000, 1500],
  [300, 500],
  [640, 480],
  [1024, 768],
  [480, 800],
  [256, 256],
  [33, 17],
  [1200, 900],
  [720, 1280],
];

export const ENCODINGS: readonly Encoding[] = ['png-rgb', 'png-rgba', 'jpeg', 'png-rgba-transparent'];

/**
 * A scene of one or two shapes sized relative to the image (so the model's 320-grid never
 * makes them thinner than a few cells). Transparent-background scenes use shapes that differ
 * from white (the flattening colour).
 */
export function randomScene(width: number, height: number, random: () => number, encoding: Encoding): Scene {
  const pal = encoding === 'png-rgba-transparent' ? { background: [255, 255, 255] as Rgb, colours: [[200, 200, 200], [150, 160, 170], [120, 120, 120]] as Rgb[] } : PALETTE[Math.floor(random() * PALETTE.length)]!;
  const pick = () => pal.colours[Math.floor(random() * pal.colours.length)]!;
  if (width < 40 || height < 40) {
    // Tiny images: one rectangle away from the top-left pixel.
    const x0 = Math.max(1, Math.floor(width * 0.3));
    const y0 = Math.max(1, Math.floor(height * 0.3));
    return { width, height, background: pal.background, shapes: [{ kind: 'rect', x0, y0, x1: width - 1, y1: height - 1, colour: pick() }] };
  }
  const shapes: Shape[] = [];
  const cx = width * (0.4 + 0.2 * random());
  const cy = height * (0.4 + 0.2 * random());
  shapes.push({ kind: 'ellipse', cx, cy, rx: width * (0.22 + 0.1 * random()), ry: height * (0.22 + 0.1 * random()), colour: pick() });
  if (random() < 0.5) {
    const x0 = width * (0.08 + 0.1 * random());
    const y0 = height * (0.6 + 0.1 * random());
    shapes.push({ kind: 'rect', x0, y0, x1: x0 + width * (0.15 + 0.1 * random()), y1: y0 + height * (0.15 + 0.1 * random()), colour: pick() });
  }
  return { width, height, background: pal.background, shapes };
}
