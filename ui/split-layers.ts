/**
 * "Split into layers", the pure part (core only, no DOM): what the panel shows of the objects
 * the automatic mask generator found, and the layers the host inserts for them.
 *
 * - Objects are stacked smaller above larger: a smaller mask inside a larger one (a button on
 *   a card) stays visible and clickable, and the layer list reads from details to wholes.
 * - Names say where and how big an object is, in the source's pixels ("Top left 120×80 at
 *   12, 8"), so two similar objects can be told apart in the layers panel.
 * - Every object layer holds its whole mask (they may overlap); the background is the source
 *   with the union of the objects made transparent (cutout) or masked out (vector mask).
 */
import { ErrorCode, fail } from '../core/errors.js';
import { encodePng } from '../core/image/png.js';
import { resizeBilinearPil } from '../core/image/resize.js';
import type { GrayImage, RgbaImage, Size } from '../core/image/types.js';
import { maskBounds } from '../core/masks/measure.js';
import { traceMask } from '../core/vector/trace.js';
import type { SplitLayer, SplitPayload, VectorPathData } from '../plugin/protocol.js';
import { fitLongSide, rectToSource, workScale, workSize } from './layout.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A mask as the panel gets it: small enough to send and draw, with its full-size figures. */
export interface PreviewMask {
  /** The generator's id (stable within one run). */
  id: number;
  /** Pixels inside, at the source's size. */
  area: number;
  /** Bounds in source pixels (width/height counted in pixels: a one-pixel mask is 1×1). */
  rect: Rect;
  /** The mask at the preview size: 255 inside, 0 outside. */
  mask: GrayImage;
}

export interface SplitOptions {
  output: SplitPayload['output'];
  /** Tracing tolerance in source pixels (vector masks). */
  smoothing: number;
  /** Largest side the layers are made at (Figma's image limit). */
  maxSide?: number;
}

/** The size masks are shown at: small, since the panel only draws and hit-tests them. */
export function previewSize(image: Size, maxSide = 384): Size {
  return fitLongSide(image, maxSide);
}

/** Nearest-neighbour resampling of a mask (pixel centres). */
export function resampleMask(mask: GrayImage, size: Size): GrayImage {
  if (mask.width === size.width && mask.height === size.height) return mask;
  const data = new Uint8Array(size.width * size.height);
  const sx = mask.width / size.width;
  const sy = mask.height / size.height;
  for (let y = 0; y < size.height; y++) {
    const row = Math.min(mask.height - 1, Math.floor((y + 0.5) * sy)) * mask.width;
    for (let x = 0; x < size.width; x++) data[y * size.width + x] = mask.data[row + Math.min(mask.width - 1, Math.floor((x + 0.5) * sx))]!;
  }
  return { width: size.width, height: size.height, data };
}

/** Bounds of the non-zero pixels as a rectangle (undefined: empty). */
export function maskRect(mask: GrayImage): Rect | undefined {
  const b = maskBounds(mask);
  return b && { x: b.x0, y: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0 };
}

/** The union of masks of one size (255 where any is set). */
export function unionMasks(masks: readonly GrayImage[]): GrayImage {
  const first = masks[0];
  if (!first) fail(ErrorCode.InvalidMask, 'Nothing to merge.');
  const data = new Uint8Array(first.width * first.height);
  for (const m of masks) {
    if (m.width !== first.width || m.height !== first.height) fail(ErrorCode.InvalidMask, 'Masks of different sizes cannot be merged.');
    for (let i = 0; i < data.length; i++) if (m.data[i]) data[i] = 255;
  }
  return { width: first.width, height: first.height, data };
}

export function countInside(mask: GrayImage): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) n++;
  return n;
}

/** Top-first order: smaller objects above larger ones (ties: the earlier found first). */
export function stackOrder<T extends { area: number }>(objects: readonly T[]): T[] {
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => a.o.area - b.o.area || a.i - b.i)
    .map((x) => x.o);
}

const ROWS = ['Top', '', 'Bottom'] as const;
const COLS = ['left', '', 'right'] as const;

/** Where an object's centre lies, in thirds of the image: "Top left", "Centre", "Bottom"… */
export function placeName(rect: Rect, image: Size): string {
  const third = (v: number, n: number) => Math.max(0, Math.min(2, Math.floor((3 * v) / Math.max(1, n))));
  const row = ROWS[third(rect.y + rect.height / 2, image.height)];
  const col = COLS[third(rect.x + rect.width / 2, image.width)];
  if (!row && !col) return 'Centre';
  if (!row) return col === 'left' ? 'Left' : 'Right';
  return col ? `${row} ${col}` : row;
}

/** A layer name by position and size, in source pixels: "Top left 120×80 at 12, 8". */
export function objectName(rect: Rect, image: Size): string {
  const r = (v: number) => Math.round(v);
  return `${placeName(rect, image)} ${r(rect.width)}×${r(rect.height)} at ${r(rect.x)}, ${r(rect.y)}`;
}

/**
 * A distinct colour per object, for the preview: hues a golden angle apart (neighbours in
 * the list never look alike), saturated and mid-light so they show on dark and light photos.
 */
export function objectColour(index: number): [number, number, number] {
  // Starting at a blue: the first objects are seldom the colour of the photo's own first objects.
  const h = (200 + index * 137.508) % 360;
  const s = 0.72;
  const l = 0.52;
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(255 * f(0)), Math.round(255 * f(8)), Math.round(255 * f(4))];
}

/** The top-most object (of those in top-first order) covering preview pixel (x, y), or -1. */
export function hitObject(masks: readonly GrayImage[], x: number, y: number): number {
  for (let i = 0; i < masks.length; i++) {
    const m = masks[i]!;
    const px = Math.floor(x);
    const py = Math.floor(y);
    if (px < 0 || py < 0 || px >= m.width || py >= m.height) continue;
    if (m.data[py * m.width + px]) return i;
  }
  return -1;
}

/** The image's pixels inside the mask over `r` (alpha kept, zero outside), as a PNG. */
function cutoutPng(image: RgbaImage, mask: GrayImage, r: Rect): Uint8Array {
  const data = new Uint8Array(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const i = (r.y + y) * image.width + r.x + x;
      if (!mask.data[i]) continue;
      data.set(image.data.subarray(i * 4, i * 4 + 4), (y * r.width + x) * 4);
    }
  }
  return encodePng({ width: r.width, height: r.height, data });
}

function tracePaths(mask: GrayImage, r: Rect, source: Size, work: Size, smoothing: number): VectorPathData[] {
  const scale = workScale(source, work);
  // A one-pixel frame of outside around the crop, so parts touching its edge close there.
  const framed = { x: r.x - 1, y: r.y - 1, width: r.width + 2, height: r.height + 2 };
  const data = new Uint8Array(framed.width * framed.height);
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) data[(y + 1) * framed.width + x + 1] = mask.data[(r.y + y) * mask.width + r.x + x]!;
  }
  const traced = traceMask(
    { width: framed.width, height: framed.height, data },
    {
      threshold: 128,
      tolerance: Math.max(0.2, smoothing / scale.x),
      minArea: 4,
      transform: { scale: { x: scale.x, y: scale.y }, offset: { x: framed.x * scale.x, y: framed.y * scale.y } },
    },
  );
  return traced.paths.map((p) => ({ windingRule: p.windingRule, data: p.data }));
}

/**
 * The layers for `objects` (full-size masks of the source, any order): objects top-first
 * (smaller above larger), named by position and size, then the background. Works at ≤ maxSide
 * (4096) on the long side; rects and paths are in source pixels.
 */
export function buildSplitLayers(image: RgbaImage, objects: readonly GrayImage[], options: SplitOptions): Pick<SplitPayload, 'objects' | 'background'> {
  const source: Size = { width: image.width, height: image.height };
  for (const m of objects) {
    if (m.width !== source.width || m.height !== source.height) {
      fail(ErrorCode.State, `the objects were found in a ${m.width}×${m.height} image but the image is ${source.width}×${source.height}: find them again`);
    }
  }
  const work = workSize(source, options.maxSide ?? 4096);
  const scaled = work.width !== source.width || work.height !== source.height;
  const pixels = scaled ? resizeBilinearPil(image, work.width, work.height) : image;
  const atWork = (m: GrayImage) => (scaled ? resampleMask(m, work) : m);

  const found = objects
    .map((m) => ({ full: m, area: countInside(m) }))
    .filter((o) => o.area > 0);
  if (!found.length) fail(ErrorCode.InvalidMask, 'No objects to split into layers (all were dropped?).');
  const layers: SplitLayer[] = [];
  for (const o of stackOrder(found)) {
    const name = objectName(maskRect(o.full)!, source);
    const m = atWork(o.full);
    const r = maskRect(m);
    if (!r) continue; // too small to survive the downscale
    if (options.output === 'cutout') {
      layers.push({ name, png: cutoutPng(pixels, m, r), rect: rectToSource(r, source, work) });
    } else {
      const paths = tracePaths(m, r, source, work, options.smoothing);
      if (paths.length) layers.push({ name, paths });
    }
  }
  if (!layers.length) fail(ErrorCode.InvalidMask, 'The objects are too small to make layers of.');

  const union = atWork(unionMasks(found.map((o) => o.full)));
  const rest: GrayImage = { width: union.width, height: union.height, data: union.data.map((v) => (v ? 0 : 255)) };
  const restRect = maskRect(rest);
  let background: SplitLayer | undefined;
  if (restRect) {
    if (options.output === 'cutout') {
      background = { name: 'Background', png: cutoutPng(pixels, rest, restRect), rect: rectToSource(restRect, source, work) };
    } else {
      const paths = tracePaths(rest, restRect, source, work, options.smoothing);
      if (paths.length) background = { name: 'Background', paths };
    }
  }
  return { objects: layers, ...(background ? { background } : {}) };
}

/**
 * The generator also finds the backdrop around the objects (on a plain background it is one
 * of its masks, the largest). That is the Background layer, not an object: the largest mask is
 * taken for it when it covers at least a quarter of the image and is nearly (IoU ≥ 0.85) what
 * the other masks leave. Returns its id.
 */
export function backgroundMaskId(masks: readonly PreviewMask[]): number | undefined {
  if (masks.length < 2) return undefined;
  const largest = masks.reduce((a, b) => (b.area > a.area ? b : a));
  const m = largest.mask;
  const rest = masks.filter((x) => x !== largest);
  let inter = 0;
  let uni = 0;
  let inside = 0;
  for (let i = 0; i < m.data.length; i++) {
    const free = !rest.some((x) => x.mask.data[i]);
    const on = m.data[i] !== 0;
    if (on) inside++;
    if (on && free) inter++;
    if (on || free) uni++;
  }
  if (inside < m.data.length / 4 || !uni || inter / uni < 0.85) return undefined;
  return largest.id;
}

/** What the panel gets for a generator mask (full size in, preview size out). */
export function toPreviewMask(id: number, segmentation: GrayImage, size: Size): PreviewMask {
  const rect = maskRect(segmentation) ?? { x: 0, y: 0, width: 0, height: 0 };
  return { id, area: countInside(segmentation), rect, mask: resampleMask(segmentation, size) };
}
