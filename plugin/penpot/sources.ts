/**
 * Selection → image sources in Penpot: which pixels the UI gets for a shape and how they sit on
 * it (image → shape-local map, then geometry.ts for page space).
 *
 * A shape is read from its image fill's ORIGINAL bytes (ImageData.data()) when the fill is all
 * there is to see: one image fill (fully opaque) on a rectangle, a board without visible
 * children, or a legacy image shape; normal blend; no visible layer blur; PNG or JPEG bytes
 * without an EXIF rotation whose size matches what Penpot reports. The fill covers the
 * shape's box: `keepAspectRatio` scales it to cover (centred, overflow clipped), otherwise it
 * is stretched. Everything else is rendered with shape.export({type: 'png', scale}), which
 * covers the shape's axis-aligned page bounds, at the image's own density (2× without one),
 * capped at 4096 px on the long side.
 */
import type { Fill, ImageData, Shape } from '@penpot/plugin-types';
import { ErrorCode, fail } from '../../core/errors.js';
import {
  type Affine,
  type Rect,
  type Size,
  exportPixels,
  exportScale,
  imageToLocalForExport,
  imageToLocalForFill,
  visibleImageRect,
} from '../host/placement.js';
import { checkExport, checkFillBytes, exportNote } from '../host/sources.js';
import type { SourceInfo } from '../protocol.js';
import { type ShapeFrame, frameToPage } from './geometry.js';

export interface PreparedSource {
  info: SourceInfo;
  /** Source-image pixels → the shape's local space. */
  imageToLocal: Affine;
  /** Fill origin: the image's id (a fill origin is re-derived when inserting). */
  imageId?: string;
  /** The part of the image the shape shows (image pixels). */
  visible: Rect;
}

type FillCheck = { ok: true; image: ImageData } | { ok: false; reason: string; hasImage: boolean };

const PLAIN_FILL_TYPES = new Set(['rectangle', 'board', 'image']);

export function frameOf(shape: Shape): ShapeFrame {
  return { x: shape.x, y: shape.y, width: shape.width, height: shape.height, rotation: shape.rotation || 0, flipX: !!shape.flipX, flipY: !!shape.flipY };
}

export function fillsOf(shape: Shape): Fill[] {
  const fills = (shape as { fills?: Fill[] | 'mixed' }).fills;
  return Array.isArray(fills) ? fills.filter((f) => (f.fillOpacity ?? 1) > 0) : [];
}

/** The visible image fills of a shape. */
export function imageFills(shape: Shape): Array<Fill & { fillImage: ImageData }> {
  return fillsOf(shape).filter((f): f is Fill & { fillImage: ImageData } => !!f.fillImage);
}

function childrenOf(shape: Shape): readonly Shape[] {
  return 'children' in shape && Array.isArray(shape.children) ? shape.children : [];
}

/** Can the shape be read from its image fill's original bytes? If not, why. */
export function checkPlainFill(shape: Shape): FillCheck {
  const fills = fillsOf(shape);
  const images = imageFills(shape);
  if (images.length === 0) return { ok: false, reason: 'it has no image fill', hasImage: false };
  const no = (reason: string): FillCheck => ({ ok: false, reason, hasImage: true });
  if (fills.length > 1) return no('the image is combined with other fills');
  if (!PLAIN_FILL_TYPES.has(shape.type)) return no(`the ${shape.type} shape clips the image`);
  if (childrenOf(shape).some((c) => !c.hidden)) return no('there are layers on top of the image');
  if ((images[0].fillOpacity ?? 1) < 1) return no('the image fill is semi-transparent');
  if (shape.blendMode && shape.blendMode !== 'normal') return no('the layer uses a blend mode');
  if (shape.blur && !shape.blur.hidden && (shape.blur.value ?? 0) > 0) return no('a blur changes how the image looks');
  return { ok: true, image: images[0].fillImage };
}

function fillMap(image: ImageData, size: Size, shape: Shape): Affine {
  // keepAspectRatio: cover, centred (the shared FILL); otherwise stretched (CROP with identity).
  return imageToLocalForFill(image.keepAspectRatio ? 'FILL' : 'CROP', size, { width: shape.width, height: shape.height });
}

/** Export scale: the image's own density when it has an image fill, else 2×; ≤ 4096 px. */
function preferredScale(shape: Shape): number {
  const fill = imageFills(shape)[0];
  if (!fill || !(shape.width > 0 && shape.height > 0) || !(fill.fillImage.width > 0 && fill.fillImage.height > 0)) return 2;
  const m = fillMap(fill.fillImage, fill.fillImage, shape);
  const perPixel = Math.min(Math.hypot(m[0][0], m[1][0]), Math.hypot(m[0][1], m[1][1]));
  return perPixel > 0 ? 1 / perPixel : 2;
}

function boundsOf(shape: Shape): Rect {
  const b = shape.bounds;
  if (!b || !(b.width > 0 && b.height > 0)) fail(ErrorCode.ImageSize, `“${shape.name}” has no area to cut out from.`);
  return { x: b.x, y: b.y, width: b.width, height: b.height };
}

/** Why `shape` cannot be a source at all (undefined: it can). Hidden ones only when `allowHidden`. */
export function sourceProblem(shape: Shape, allowHidden = false): string | undefined {
  if (typeof shape.export !== 'function') return `“${shape.name}” cannot be rendered.`;
  if (shape.hidden && !allowHidden) return `“${shape.name}” is hidden: show it to cut out from it.`;
  const b = shape.bounds;
  if (!b || !(b.width >= 1 && b.height >= 1)) return `“${shape.name}” is smaller than 1 px.`;
  return undefined;
}

/** What the UI will get for `shape`, without reading pixels. */
export async function describeSource(shape: Shape): Promise<SourceInfo> {
  const check = checkPlainFill(shape);
  if (check.ok && check.image.width > 0 && check.image.height > 0) {
    const size = { width: check.image.width, height: check.image.height };
    const visible = visibleImageRect(fillMap(check.image, size, shape), size, shape) ?? undefined;
    return { id: shape.id, name: shape.name, ...size, origin: 'fill', ...(visible ? { visible } : {}) };
  }
  const box = boundsOf(shape);
  const scale = exportScale(box, preferredScale(shape));
  const px = exportPixels(box, scale);
  const note = exportNote(scale, !check.ok && check.hasImage ? check.reason : undefined);
  return { id: shape.id, name: shape.name, ...px, origin: 'export', visible: { x: 0, y: 0, ...px }, ...(note ? { note } : {}) };
}

/** The pixels for `shape` and how they sit on it. */
export async function readSource(shape: Shape): Promise<{ prepared: PreparedSource; bytes: Uint8Array }> {
  const check = checkPlainFill(shape);
  let reason = !check.ok && check.hasImage ? check.reason : undefined;
  if (check.ok) {
    const fromFill = await readFill(shape, check.image);
    if ('prepared' in fromFill) return fromFill;
    reason = fromFill.reason;
  }
  return readExport(shape, reason);
}

async function readFill(shape: Shape, image: ImageData): Promise<{ prepared: PreparedSource; bytes: Uint8Array } | { reason: string }> {
  const bytes = await image.data();
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return { reason: 'its image could not be read' };
  const checked = checkFillBytes(bytes, image, 'Penpot');
  if ('reason' in checked) return checked;
  const { size } = checked;
  const imageToLocal = fillMap(image, size, shape);
  const visible = visibleImageRect(imageToLocal, size, shape);
  if (!visible) return { reason: 'the image lies outside the layer' };
  const info: SourceInfo = { id: shape.id, name: shape.name, ...size, origin: 'fill', visible };
  return { prepared: { info, imageToLocal, imageId: image.id, visible }, bytes };
}

async function readExport(shape: Shape, reason?: string): Promise<{ prepared: PreparedSource; bytes: Uint8Array }> {
  const problem = sourceProblem(shape, true);
  if (problem) fail(ErrorCode.InvalidImage, problem);
  const scale = exportScale(boundsOf(shape), preferredScale(shape));
  const bytes = await shape.export({ type: 'png', scale });
  const px = checkExport(bytes, shape.name, 'Penpot');
  // Read after the await: the export shows the shape as it is now.
  const imageToLocal = imageToLocalForExport(boundsOf(shape), px, frameToPage(frameOf(shape)));
  const visible = { x: 0, y: 0, ...px };
  const note = exportNote(scale, reason);
  const info: SourceInfo = { id: shape.id, name: shape.name, ...px, origin: 'export', visible, ...(note ? { note } : {}) };
  return { prepared: { info, imageToLocal, visible }, bytes };
}

/**
 * The image → local map for `shape` now: a fill origin is re-derived from the current shape
 * (it may have been resized since it was read); an export keeps the map it had.
 */
export function currentImageToLocal(shape: Shape, prepared: PreparedSource): Affine {
  if (prepared.info.origin !== 'fill' || prepared.imageId === undefined) return prepared.imageToLocal;
  const check = checkPlainFill(shape);
  if (!check.ok || check.image.id !== prepared.imageId) {
    fail(ErrorCode.State, `“${shape.name}” changed its image since it was opened: select it again and redo the cutout.`);
  }
  return fillMap(check.image, prepared.info, shape);
}
