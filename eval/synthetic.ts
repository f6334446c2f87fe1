/**
 * A synthetic evaluation set whose answers are known for the analytic models
 * (models/analytic/common.ts): flat shapes on a flat background, one object per image.
 *
 * Colours. The analytic decoder keeps a cell when its normalised L1 colour distance to the
 * clicked colour is below τ = 0.5 (the selected candidate in every format), so a boundary cell
 * is inside when more than 1 − τ/D of it is covered. With D ≈ 1 that is "more than half
 * covered": edges come out unbiased. Object (79,79,79) on background (60,60,60): D = 19 ·
 * (1/58.395 + 1/57.12 + 1/57.375) ≈ 0.989 in ImageNet units (the same in the /255 layouts and
 * in sam1's 0..255 normalisation). Second tone and distractors are (41,41,41): D ≈ 0.99 from the
 * background, ≈ 1.98 from the object, and mixtures of background and distractor never come
 * within τ of the object. All three greys are also more than 1.8 from the zero padding the
 * 'longest' frame adds (normalised 0 ≈ RGB 124,116,104), so padding is never selected.
 *
 * Shapes are rasterised at pixel centres. Every shape contains the centre of its bounding
 * box (rings are eccentric), because the analytic model treats a box as its centre click plus
 * a clip to the box: that makes box-prompt answers known too.
 *
 * Expected with any analytic SAM model at the default 256×256 size: one click reproduces
 * each single-colour shape exactly (NoC@85 = NoC@90 = 1, IoU@1 = 1), the box prompt too; the
 * two-tone L needs two clicks (IoU@1 ≈ 0.70, NoC@90 = 2; box IoU ≈ 0.70).
 *
 * `syntheticDataset` is pure; `writeSyntheticDataset` writes the images/ + masks/ layout.
 */
import type { GrayImage, RgbaImage } from '../core/image/types.js';

export type Rgb = readonly [number, number, number];

export const SYNTHETIC_COLOURS = {
  background: [60, 60, 60] as Rgb,
  object: [79, 79, 79] as Rgb,
  /** The two-tone L's second half, and distractor shapes. */
  other: [41, 41, 41] as Rgb,
};

/** Inside test in unit coordinates (0..1 across the image). */
type Region = (u: number, v: number) => boolean;

const disc =
  (cx: number, cy: number, r: number): Region =>
  (u, v) =>
    (u - cx) ** 2 + (v - cy) ** 2 <= r * r;
const rect =
  (x0: number, y0: number, x1: number, y1: number): Region =>
  (u, v) =>
    u >= x0 && u < x1 && v >= y0 && v < y1;
const minus =
  (a: Region, b: Region): Region =>
  (u, v) =>
    a(u, v) && !b(u, v);
/** An eccentric ring: outer disc minus an off-centre hole (the box centre stays on the ring). */
const ring = (cx: number, cy: number, r: number, hx: number, hy: number, hr: number): Region => minus(disc(cx, cy, r), disc(hx, hy, hr));
/** An L: its bounding box minus the top-right corner (arms thick enough to hold the box centre). */
const lShape = (x0: number, y0: number, x1: number, y1: number, cutX: number, cutY: number): Region => minus(rect(x0, y0, x1, y1), rect(cutX, y0, x1, cutY));
const mirrorX =
  (r: Region): Region =>
  (u, v) =>
    r(1 - u, v);

interface Part {
  region: Region;
  colour: Rgb;
  /** Part of the ground-truth object (false: a distractor). */
  object: boolean;
}

export interface SyntheticSpec {
  name: string;
  parts: Part[];
  /** Expected NoC@90 with the analytic models. */
  noc90: number;
}

const { object: OBJ, other: OTHER } = SYNTHETIC_COLOURS;
const obj = (region: Region): Part => ({ region, colour: OBJ, object: true });
const distractor = (region: Region): Part => ({ region, colour: OTHER, object: false });

/** The single-colour shapes: one click each. */
export const SYNTHETIC_SHAPES: readonly SyntheticSpec[] = [
  { name: 'disc', parts: [obj(disc(0.5, 0.5, 0.25))], noc90: 1 },
  { name: 'disc-small', parts: [obj(disc(0.3, 0.35, 0.14)), distractor(rect(0.6, 0.55, 0.88, 0.85))], noc90: 1 },
  { name: 'rect', parts: [obj(rect(0.15, 0.35, 0.85, 0.65))], noc90: 1 },
  { name: 'rect-edge', parts: [obj(rect(0, 0.2, 0.3, 0.9)), distractor(disc(0.7, 0.5, 0.15))], noc90: 1 },
  { name: 'l-shape', parts: [obj(lShape(0.2, 0.2, 0.8, 0.8, 0.55, 0.45))], noc90: 1 },
  { name: 'l-mirrored', parts: [obj(mirrorX(lShape(0.15, 0.25, 0.75, 0.9, 0.5, 0.5))), distractor(disc(0.2, 0.15, 0.08))], noc90: 1 },
  { name: 'ring', parts: [obj(ring(0.5, 0.5, 0.32, 0.64, 0.5, 0.1))], noc90: 1 },
  { name: 'ring-small', parts: [obj(ring(0.35, 0.6, 0.25, 0.35, 0.72, 0.09)), distractor(rect(0.7, 0.1, 0.9, 0.4))], noc90: 1 },
];

/**
 * An L made of two greys: the vertical arm with the corner in the object grey (70% of the
 * area), the foot in the other grey. The first click (deepest point: in the arm) takes the
 * arm, IoU ≈ 0.70; the second, in the foot, completes it. The box centre is on the arm too,
 * so the box prompt also gives the arm (IoU ≈ 0.70).
 */
export const TWO_TONE_L: SyntheticSpec = {
  name: 'l-two-tone',
  parts: [
    { region: rect(0.2, 0.1, 0.6, 0.9), colour: OBJ, object: true },
    { region: rect(0.6, 0.45, 0.9, 0.9), colour: OTHER, object: true },
  ],
  noc90: 2,
};

export interface SyntheticSample {
  name: string;
  image: RgbaImage;
  mask: GrayImage;
  /** Expected NoC@90 with the analytic models. */
  noc90: number;
}

/** Rasterises one spec at pixel centres (later parts on top). */
export function renderSynthetic(spec: SyntheticSpec, width = 256, height = width): SyntheticSample {
  const bg = SYNTHETIC_COLOURS.background;
  const rgba = new Uint8Array(width * height * 4);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const v = (y + 0.5) / height;
    for (let x = 0; x < width; x++) {
      const u = (x + 0.5) / width;
      let colour = bg;
      let inside = false;
      for (const part of spec.parts) {
        if (part.region(u, v)) {
          colour = part.colour;
          inside = part.object;
        }
      }
      const i = y * width + x;
      rgba.set(colour, i * 4);
      rgba[i * 4 + 3] = 255;
      mask[i] = inside ? 255 : 0;
    }
  }
  return { name: spec.name, image: { width, height, data: rgba }, mask: { width, height, data: mask }, noc90: spec.noc90 };
}

/** The synthetic set: the single-colour shapes, plus the two-tone L when asked. */
export function syntheticDataset(options: { size?: number; twoTone?: boolean } = {}): SyntheticSample[] {
  const size = options.size ?? 256;
  const specs = options.twoTone ? [...SYNTHETIC_SHAPES, TWO_TONE_L] : [...SYNTHETIC_SHAPES];
  return specs.map((s) => renderSynthetic(s, size));
}

/** Writes samples as DIR/images/<name>.png and DIR/masks/<name>.png (Node). */
export async function writeSyntheticDataset(dir: string, samples: readonly SyntheticSample[]): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { encodePng } = await import('../core/image/png.js');
  await fs.mkdir(path.join(dir, 'images'), { recursive: true });
  await fs.mkdir(path.join(dir, 'masks'), { recursive: true });
  for (const s of samples) {
    await fs.writeFile(path.join(dir, 'images', `${s.name}.png`), encodePng(s.image));
    await fs.writeFile(path.join(dir, 'masks', `${s.name}.png`), encodePng(s.mask));
  }
}
