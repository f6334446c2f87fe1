/**
 * Measurements the end-to-end tests of every host make, independent of the editor: page-space
 * geometry through affine maps, masks vs the scenes' truth, a cutout PNG laid on its source.
 */
import type { GrayImage, RgbaImage } from '../../core/image/types.js';
import { type Mat, ap, inv } from '../figma/fake/affine.js';
import { inside } from '../helpers/synthetic.js';
import type { ImageSpec } from './scenes.js';

export type Pt = [number, number];
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Image → box of `box` for an image scaled to cover the box, centred (Figma's FILL, Penpot's keepAspectRatio). */
export function coverFit(box: { width: number; height: number }, image: { width: number; height: number }): Mat {
  const s = Math.max(box.width / image.width, box.height / image.height);
  return [
    [s, 0, (box.width - image.width * s) / 2],
    [0, s, (box.height - image.height * s) / 2],
  ];
}

/** The corners of `r` (TL, TR, BR, BL) through `m`. */
export function corners(m: Mat, r: Box): Pt[] {
  return [ap(m, r.x, r.y), ap(m, r.x + r.width, r.y), ap(m, r.x + r.width, r.y + r.height), ap(m, r.x, r.y + r.height)];
}

export function maxDistance(a: Pt[], b: Pt[]): number {
  return Math.max(...a.map((p, i) => Math.hypot(p[0] - b[i]![0], p[1] - b[i]![1])));
}

/** Bounds [x0, x1) × [y0, y1) of the pixels ≥ 128. */
export function bounds(m: GrayImage): Box {
  let x0 = m.width;
  let y0 = m.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      if (m.data[y * m.width + x]! >= 128) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export function iou(a: GrayImage, b: GrayImage): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]! >= 128;
    const y = b.data[i]! >= 128;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union ? inter / union : 1;
}

/** How far the edges of what `shown` shows (pixels ≥ 128) are from those of `truth`, in pixels. */
export function edgeError(shown: GrayImage, truth: GrayImage): number {
  const t = bounds(truth);
  const s = bounds(shown);
  return Math.max(Math.abs(s.x - t.x), Math.abs(s.y - t.y), Math.abs(s.x + s.width - (t.x + t.width)), Math.abs(s.y + s.height - (t.y + t.height)));
}

/** A rendering's opaque pixels (alpha ≥ 128) vs the truth of the source image seen through `imageToPage`. */
export function renderedVsTruth(render: RgbaImage, box: { x: number; y: number }, scale: number, imageToPage: Mat, spec: ImageSpec, foreground: (x: number, y: number) => boolean): number {
  const pageToImage = inv(imageToPage);
  let inter = 0;
  let union = 0;
  for (let j = 0; j < render.height; j++) {
    for (let i = 0; i < render.width; i++) {
      const [u, v] = ap(pageToImage, box.x + (i + 0.5) / scale, box.y + (j + 0.5) / scale);
      const x = Math.floor(u);
      const y = Math.floor(v);
      const truth = x >= 0 && y >= 0 && x < spec.width && y < spec.height && foreground(x, y);
      const got = render.data[(j * render.width + i) * 4 + 3]! >= 128;
      if (truth && got) inter++;
      if (truth || got) union++;
    }
  }
  return union ? inter / union : 1;
}

/** The scene's own foreground test of an image (its shapes). */
export const isForeground = (spec: ImageSpec) => (x: number, y: number) => spec.shapes.some((s) => inside(s, x, y));

/** The foreground test of a truth mask (255 = object). */
export const inMask = (truth: GrayImage) => (x: number, y: number) => truth.data[y * truth.width + x] === 255;

/** The page box around `points`, padded and rounded out to whole pixels. */
export function pageBox(points: Pt[], pad = 4): Box {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x = Math.floor(Math.min(...xs) - pad);
  const y = Math.floor(Math.min(...ys) - pad);
  return { x, y, width: Math.ceil(Math.max(...xs) + pad) - x, height: Math.ceil(Math.max(...ys) + pad) - y };
}

/** The page box of a whole image placed by `imageToPage` (what the tests render). */
export function imagePageBox(imageToPage: Mat, image: { width: number; height: number }): Box {
  return pageBox(corners(imageToPage, { x: 0, y: 0, width: image.width, height: image.height }));
}

/** Of a rendering's fully opaque pixels, the share that are exactly `colour`. */
export function colourShare(render: RgbaImage, colour: readonly [number, number, number]): number {
  let opaque = 0;
  let same = 0;
  for (let i = 0; i < render.data.length; i += 4) {
    if (render.data[i + 3] !== 255) continue;
    opaque++;
    if (render.data[i] === colour[0] && render.data[i + 1] === colour[1] && render.data[i + 2] === colour[2]) same++;
  }
  return same / opaque;
}

/**
 * A result's PNG laid on its source image: `toPng` maps a source pixel's centre to PNG
 * coordinates (null: the result does not show there). `alpha` is 255 where the PNG pixel met
 * has alpha ≥ 128; `opaque` counts the fully opaque PNG pixels met and `equal` those whose
 * colour is the source's own pixel there.
 */
export function pngInSource(png: RgbaImage, source: RgbaImage, toPng: (x: number, y: number) => Pt | null): { alpha: GrayImage; opaque: number; equal: number } {
  const out = new Uint8Array(source.width * source.height);
  let opaque = 0;
  let equal = 0;
  for (let v = 0; v < source.height; v++) {
    for (let u = 0; u < source.width; u++) {
      const p = toPng(u + 0.5, v + 0.5);
      if (!p) continue;
      const px = Math.floor(p[0]);
      const py = Math.floor(p[1]);
      if (px < 0 || py < 0 || px >= png.width || py >= png.height) continue;
      const o = (py * png.width + px) * 4;
      const a = png.data[o + 3]!;
      if (a >= 128) out[v * source.width + u] = 255;
      if (a === 255) {
        opaque++;
        const q = (v * source.width + u) * 4;
        if (png.data[o] === source.data[q] && png.data[o + 1] === source.data[q + 1] && png.data[o + 2] === source.data[q + 2]) equal++;
      }
    }
  }
  return { alpha: { width: source.width, height: source.height, data: out }, opaque, equal };
}

/** A pixel grid laid on the page: pixel (i, j) covers [i, i + 1] × [j, j + 1] through `toPage`. */
export interface PageGrid {
  width: number;
  height: number;
  toPage: Mat;
}

/** The page box `box` sampled at `scale` grid pixels per page pixel. */
export function pageGrid(box: Box, scale: number): PageGrid {
  return {
    width: Math.round(box.width * scale),
    height: Math.round(box.height * scale),
    toPage: [
      [1 / scale, 0, box.x],
      [0, 1 / scale, box.y],
    ],
  };
}

/**
 * An image's truth seen on another pixel grid (a rendering's): grid pixel (i, j) is 255 when its
 * centre, taken to the page by `grid.toPage` and back into the image by `imageToPage`, falls on
 * an image pixel (nearest: the one it lies in) where `foreground` holds, and `shows(page x, y)`
 * says the layer shows its image there (a cover-fitted layer clips it).
 */
export function truthOnGrid(grid: PageGrid, imageToPage: Mat, image: { width: number; height: number }, foreground: (x: number, y: number) => boolean, shows: (x: number, y: number) => boolean = () => true): GrayImage {
  const pageToImage = inv(imageToPage);
  const out = new Uint8Array(grid.width * grid.height);
  for (let j = 0; j < grid.height; j++) {
    for (let i = 0; i < grid.width; i++) {
      const [px, py] = ap(grid.toPage, i + 0.5, j + 0.5);
      if (!shows(px, py)) continue;
      const [u, v] = ap(pageToImage, px, py);
      const x = Math.floor(u);
      const y = Math.floor(v);
      if (x >= 0 && y >= 0 && x < image.width && y < image.height && foreground(x, y)) out[j * grid.width + i] = 255;
    }
  }
  return { width: grid.width, height: grid.height, data: out };
}

/** The page-space axis-aligned box of a mask's pixels (≥ 128, each the square it covers) placed by `toPage`. */
export function pageBounds(mask: GrayImage, toPage: Mat): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x]! < 128) continue;
      for (const [cx, cy] of [
        [x, y],
        [x + 1, y],
        [x, y + 1],
        [x + 1, y + 1],
      ] as const) {
        const [px, py] = ap(toPage, cx, cy);
        x0 = Math.min(x0, px);
        x1 = Math.max(x1, px);
        y0 = Math.min(y0, py);
        y1 = Math.max(y1, py);
      }
    }
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * How many pixels of a rendering disagree with the truth it should show: `isObject(r, g, b, a)`
 * says whether a pixel shows the object; it should where `mask` is ≥ 128 and nowhere else.
 */
export function renderingMismatch(image: RgbaImage, mask: GrayImage, isObject: (r: number, g: number, b: number, a: number) => boolean): number {
  let wrong = 0;
  for (let i = 0; i < mask.data.length; i++) {
    const o = i * 4;
    if (isObject(image.data[o]!, image.data[o + 1]!, image.data[o + 2]!, image.data[o + 3]!) !== mask.data[i]! >= 128) wrong++;
  }
  return wrong;
}
