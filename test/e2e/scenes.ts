/**
 * The e2e document, as data: synthetic images (flat shapes on a flat background) and where
 * their layers sit. Pure TypeScript (no Node APIs): the browser bundle builds the fake document
 * from it, and the Node side computes the ground truth from the same specs.
 *
 * Colours: the cut-out photo is (79,79,79) shapes on (60,60,60). Normalised the way the
 * analytic SAM encoder sees it (ImageNet mean/std) the two differ by ≈ 0.99 in L1, so the
 * τ = 0.5 candidate's edge falls where a low-res cell is half covered: exactly on the shape.
 * Straight edges are on even pixels of a 512-px image (low-res cells are 2 px there). The
 * salient model (remove-bg) marks every pixel whose colour differs from the top-left 4×4
 * block's by more than 0.1 (L1, /255 units): every image here has its background there.
 */
import type { GrayImage } from '../../core/image/types.js';
import { inside, render, type Shape } from '../helpers/synthetic.js';

export type RGB = [number, number, number];

export interface ImageSpec {
  width: number;
  height: number;
  bg: RGB;
  shapes: Shape[];
}

export interface LayerSpec {
  name: string;
  image: ImageSpec;
  /** Layer size (the images' aspect is kept: FILL shows the whole image). */
  width: number;
  height: number;
  x: number;
  y: number;
  rotation?: number;
  flipX?: boolean;
  locked?: boolean;
  /** Parent frame/group by name (absent: the page). */
  parent?: string;
}

export interface FrameSpec {
  name: string;
  kind: 'frame' | 'group';
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  rotation?: number;
  parent?: string;
  /** Auto-layout frame. */
  layout?: { mode: 'HORIZONTAL' | 'VERTICAL'; padding: number; spacing: number };
  fill?: RGB;
}

export interface PageSpec {
  name: string;
  /** Containers first (parents before children), then layers; order = layer order. */
  items: Array<({ type: 'frame' } & FrameSpec) | ({ type: 'image' } & LayerSpec) | { type: 'rect'; name: string; parent?: string; width: number; height: number; x: number; y: number; fill: RGB }>;
}

export const BG: RGB = [60, 60, 60];
export const OBJECT: RGB = [79, 79, 79];

/** The photo cut out in the interactive scenarios: one object (two bars and a disc), aligned edges. */
export const PHOTO: ImageSpec = {
  width: 512,
  height: 384,
  bg: BG,
  shapes: [
    { kind: 'rect', x0: 96, y0: 64, x1: 256, y1: 192, color: OBJECT },
    { kind: 'rect', x0: 192, y0: 160, x1: 416, y1: 320, color: OBJECT },
    { kind: 'disc', cx: 300, cy: 140, r: 40, color: OBJECT },
  ],
};

/** A point well inside the object (image px) where the user clicks. */
export const PHOTO_CLICK = { x: 150, y: 120 };

// Product shots for "Remove background": mixed sizes, backgrounds and objects (one with a hole).
const BOTTLE: ImageSpec = {
  width: 320,
  height: 240,
  bg: [236, 236, 236],
  shapes: [
    { kind: 'rect', x0: 130, y0: 70, x1: 190, y1: 220, color: [30, 110, 200] },
    { kind: 'rect', x0: 146, y0: 30, x1: 174, y1: 72, color: [20, 60, 120] },
  ],
};
const SHOE: ImageSpec = {
  width: 256,
  height: 256,
  bg: [250, 244, 232],
  shapes: [
    { kind: 'disc', cx: 110, cy: 150, r: 60, color: [200, 60, 40] },
    { kind: 'rect', x0: 110, y0: 150, x1: 220, y1: 210, color: [200, 60, 40] },
  ],
};
const MUG: ImageSpec = {
  width: 400,
  height: 300,
  bg: BG,
  shapes: [
    { kind: 'ring', cx: 180, cy: 150, r0: 45, r1: 95, color: OBJECT },
    { kind: 'rect', x0: 270, y0: 120, x1: 330, y1: 180, color: [150, 150, 150] },
  ],
};
const LAMP: ImageSpec = {
  width: 300,
  height: 400,
  bg: [20, 30, 40],
  shapes: [
    { kind: 'disc', cx: 150, cy: 110, r: 70, color: [230, 200, 60] },
    { kind: 'rect', x0: 140, y0: 170, x1: 160, y1: 330, color: [180, 180, 170] },
    { kind: 'rect', x0: 90, y0: 330, x1: 210, y1: 360, color: [180, 180, 170] },
  ],
};
// Thin parts on a high-contrast background would come out about a pixel fat: the analytic
// salient model's cut (0.1 in L1) sits far below half the contrast, so a resampled edge pixel a
// few per cent covered counts as foreground. The chair is pale wood on white (L1 ≈ 0.23): its
// edges land where the shape is.
const CHAIR_WOOD: RGB = [238, 236, 232];
const CHAIR: ImageSpec = {
  width: 200,
  height: 150,
  bg: [255, 255, 255],
  shapes: [
    { kind: 'rect', x0: 50, y0: 20, x1: 70, y1: 130, color: CHAIR_WOOD },
    { kind: 'rect', x0: 50, y0: 80, x1: 150, y1: 96, color: CHAIR_WOOD },
    { kind: 'rect', x0: 134, y0: 80, x1: 150, y1: 130, color: CHAIR_WOOD },
  ],
};

/** "Split into layers": K distinct flat shapes on a flat background (the analytic SAM finds exactly these). */
export const COLLAGE: ImageSpec = {
  width: 320,
  height: 240,
  bg: [128, 128, 128],
  shapes: [
    { kind: 'disc', cx: 70, cy: 70, r: 45, color: [220, 40, 40] },
    { kind: 'rect', x0: 150, y0: 30, x1: 290, y1: 100, color: [40, 200, 60] },
    { kind: 'disc', cx: 230, cy: 175, r: 30, color: [40, 60, 220] },
    { kind: 'rect', x0: 30, y0: 150, x1: 130, y1: 220, color: [240, 230, 60] },
  ],
};

/** Page 1: the interactive cutout scenarios. */
export const SHOTS_PAGE: PageSpec = {
  name: 'Shots',
  items: [
    { type: 'frame', kind: 'frame', name: 'Card', x: 80, y: 520, width: 760, height: 460, rotation: 6, fill: [246, 246, 246] },
    { type: 'frame', kind: 'frame', name: 'Panel', parent: 'Card', x: 30, y: 60, width: 700, height: 380, rotation: -8 },
    { type: 'frame', kind: 'frame', name: 'Row', parent: 'Panel', x: 20, y: 20, width: 660, height: 330, layout: { mode: 'HORIZONTAL', padding: 18, spacing: 14 }, fill: [228, 232, 240] },
    { type: 'rect', name: 'Swatch', parent: 'Row', x: 0, y: 0, width: 120, height: 120, fill: [240, 120, 60] },
    { type: 'image', name: 'Nested photo', image: PHOTO, parent: 'Row', x: 0, y: 0, width: 384, height: 288 },
    { type: 'image', name: 'Photo', image: PHOTO, x: 40, y: 40, width: 512, height: 384 },
    { type: 'image', name: 'Tilted photo', image: PHOTO, x: 700, y: 200, width: 256, height: 192, rotation: 30 },
  ],
};

/** Page 3: "Split into layers" on a collage of K shapes between two other layers. */
export const COLLAGE_PAGE: PageSpec = {
  name: 'Collage',
  items: [
    { type: 'rect', name: 'Below', x: 0, y: 0, width: 60, height: 60, fill: [240, 120, 60] },
    { type: 'image', name: 'Collage', image: COLLAGE, x: 80, y: 60, width: 320, height: 240 },
    { type: 'rect', name: 'Above', x: 500, y: 0, width: 60, height: 60, fill: [60, 120, 240] },
  ],
};

/** Page 2: "Remove background" over a page of product shots in nested frames. */
export const PRODUCTS_PAGE: PageSpec = {
  name: 'Products',
  items: [
    { type: 'frame', kind: 'frame', name: 'Catalog', x: 0, y: 0, width: 900, height: 760, fill: [246, 246, 246] },
    { type: 'frame', kind: 'frame', name: 'Shelf', parent: 'Catalog', x: 40, y: 40, width: 600, height: 260, layout: { mode: 'HORIZONTAL', padding: 24, spacing: 16 }, fill: [232, 236, 242] },
    { type: 'image', name: 'Bottle', image: BOTTLE, parent: 'Shelf', x: 0, y: 0, width: 240, height: 180 },
    { type: 'image', name: 'Shoe', image: SHOE, parent: 'Shelf', x: 0, y: 0, width: 200, height: 200 },
    { type: 'frame', kind: 'frame', name: 'Inner', parent: 'Catalog', x: 60, y: 380, width: 460, height: 300, rotation: -12 },
    { type: 'frame', kind: 'frame', name: 'Deep', parent: 'Inner', x: 20, y: 20, width: 400, height: 260, fill: [226, 226, 226] },
    { type: 'image', name: 'Mug', image: MUG, parent: 'Deep', x: 60, y: 40, width: 200, height: 150, rotation: 20 },
    { type: 'frame', kind: 'group', name: 'Hero', parent: 'Catalog' },
    { type: 'image', name: 'Lamp', image: LAMP, parent: 'Hero', x: 660, y: 320, width: 150, height: 200, flipX: true },
    { type: 'image', name: 'Chair', image: CHAIR, x: 1000, y: 100, width: 200, height: 150 },
    { type: 'image', name: 'Locked photo', image: CHAIR, x: 1000, y: 400, width: 200, height: 150, locked: true },
  ],
};

export const BATCH_NAMES = ['Bottle', 'Shoe', 'Mug', 'Lamp', 'Chair'] as const;

export function renderImage(spec: ImageSpec) {
  return render(spec.width, spec.height, spec.bg, spec.shapes);
}

/** Ground truth: 255 where the pixel (centre sampling) is not background. */
export function foregroundTruth(spec: ImageSpec): GrayImage {
  const data = new Uint8Array(spec.width * spec.height);
  for (let y = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++) if (spec.shapes.some((s) => inside(s, x, y))) data[y * spec.width + x] = 255;
  }
  return { width: spec.width, height: spec.height, data };
}

/** Ground truth of one colour: what a click on that colour selects in the analytic SAM. */
export function colourTruth(spec: ImageSpec, colour: RGB): GrayImage {
  const data = new Uint8Array(spec.width * spec.height);
  for (let y = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++) {
      let c: RGB = spec.bg;
      for (const s of spec.shapes) if (inside(s, x, y)) c = s.color;
      if (c[0] === colour[0] && c[1] === colour[1] && c[2] === colour[2]) data[y * spec.width + x] = 255;
    }
  }
  return { width: spec.width, height: spec.height, data };
}

export function layerSpec(page: PageSpec, name: string): LayerSpec {
  const item = page.items.find((i) => i.type === 'image' && i.name === name);
  if (!item) throw new Error(`no image layer ${name} on ${page.name}`);
  return item as LayerSpec;
}
