/**
 * Selection → image sources: which pixels the UI gets for a layer and how those pixels sit on
 * the layer (image → node-local map, see placement.ts).
 *
 * A layer is read from its ORIGINAL image bytes (full resolution) when it is a plain image
 * fill — one visible IMAGE paint (FILL, FIT or CROP; not rotated, no adjustments, opaque,
 * normal blend) on a rectangle, or on a frame/component/instance with no layers above the
 * fill, with no visible effect that alters the pixels (drop shadows and background blur are
 * fine), and bytes that are PNG or JPEG without an EXIF rotation whose size matches what Figma
 * reports. Everything else is rendered with exportAsync (useAbsoluteBounds, so the export
 * covers exactly the node's absolute bounding box) at a scale that keeps the image's own
 * resolution (2× for layers without images), capped at 4096 px on the long side.
 */
import { ErrorCode, fail } from '../../core/errors.js';
import { checkExport, checkFillBytes, exportNote } from '../host/sources.js';
import type { SourceInfo } from '../protocol.js';
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

/** Everything the host needs to put results back over a source. */
export interface PreparedSource {
  info: SourceInfo;
  /** Source-image pixels → the source node's local space. */
  imageToLocal: Affine;
  /** Node size when prepared (a fill origin is re-derived if the layer was resized since). */
  nodeSize: Size;
  /** Fill origin: the image paint's hash and mode. */
  imageHash?: string;
  /** The part of the image the layer shows (image pixels). */
  visible: Rect;
}

export type FillCheck = { ok: true; paint: ImagePaint } | { ok: false; reason: string; hasImage: boolean };

const PLAIN_FILL_TYPES = new Set(['RECTANGLE', 'FRAME', 'COMPONENT', 'INSTANCE']);
const HARMLESS_EFFECTS = new Set(['DROP_SHADOW', 'BACKGROUND_BLUR']);

export function visiblePaints(node: BaseNode): Paint[] {
  if (!('fills' in node)) return [];
  const fills = (node as GeometryMixin).fills;
  if (fills === figma.mixed || !Array.isArray(fills)) return [];
  return (fills as readonly Paint[]).filter((p) => p.visible !== false);
}

/** The visible image paints of a node (with an image behind them). */
export function imagePaints(node: BaseNode): ImagePaint[] {
  return visiblePaints(node).filter((p): p is ImagePaint => p.type === 'IMAGE' && typeof p.imageHash === 'string');
}

/** Can the layer be read from its image fill's original bytes? If not, why. */
export function checkPlainFill(node: SceneNode): FillCheck {
  const paints = visiblePaints(node);
  const images = imagePaints(node);
  if (images.length === 0) return { ok: false, reason: 'it has no image fill', hasImage: false };
  const no = (reason: string): FillCheck => ({ ok: false, reason, hasImage: true });
  if (paints.length > 1) return no('the image is combined with other fills');
  if (!PLAIN_FILL_TYPES.has(node.type)) return no(`the ${node.type.toLowerCase()} shape clips the image`);
  if ('children' in node && node.children.some((c) => c.visible)) return no('there are layers on top of the image');
  const paint = images[0];
  if (paint.scaleMode === 'TILE') return no('the image is tiled');
  if ((paint.rotation ?? 0) % 360 !== 0) return no('the image is rotated inside the layer');
  if (paint.filters && Object.values(paint.filters).some((v) => typeof v === 'number' && v !== 0)) {
    return no('image adjustments (exposure, contrast, …) are applied');
  }
  if ((paint.opacity ?? 1) < 1) return no('the image fill is semi-transparent');
  if (paint.blendMode && paint.blendMode !== 'NORMAL' && paint.blendMode !== 'PASS_THROUGH') return no('the image fill uses a blend mode');
  if ('effects' in node && node.effects.some((e) => e.visible !== false && !HARMLESS_EFFECTS.has(e.type))) {
    return no('effects change how the image looks');
  }
  return { ok: true, paint };
}

function fillMode(paint: ImagePaint): 'FILL' | 'FIT' | 'CROP' {
  return paint.scaleMode === 'TILE' ? 'FILL' : paint.scaleMode;
}

function fillTransform(paint: ImagePaint): Affine | undefined {
  const t = paint.imageTransform;
  return t ? [[t[0][0], t[0][1], t[0][2]], [t[1][0], t[1][1], t[1][2]]] : undefined;
}

const sizeCache = new Map<string, Size>();

async function imageSize(hash: string): Promise<Size | null> {
  const cached = sizeCache.get(hash);
  if (cached) return cached;
  const image = figma.getImageByHash(hash);
  if (!image) return null;
  const size = await image.getSizeAsync();
  sizeCache.set(hash, size);
  return size;
}

/** Export scale for a node: the image's own density when it has one, else 2×; ≤ 4096 px. */
async function preferredScale(node: SceneNode): Promise<number> {
  const paint = imagePaints(node)[0];
  if (!paint || !(node.width > 0 && node.height > 0)) return 2;
  const size = await imageSize(paint.imageHash as string);
  if (!size) return 2;
  if (paint.scaleMode === 'TILE') return 1 / (paint.scalingFactor ?? 0.5);
  const m = imageToLocalForFill(fillMode(paint), size, node, fillTransform(paint));
  const perPixel = Math.min(Math.hypot(m[0][0], m[1][0]), Math.hypot(m[0][1], m[1][1]));
  return perPixel > 0 ? 1 / perPixel : 2;
}

function boxOf(node: SceneNode): Rect {
  const b = node.absoluteBoundingBox;
  if (!b || !(b.width > 0 && b.height > 0)) fail(ErrorCode.ImageSize, `“${node.name}” has no area to cut out from.`);
  return b;
}

/**
 * Problem with using `node` as a source at all (undefined when it can be used). A hidden layer
 * is refused unless `allowHidden` (a source hidden by "hide the original", reopened to edit).
 */
export function sourceProblem(node: SceneNode, allowHidden = false): string | undefined {
  if (typeof (node as Partial<ExportMixin>).exportAsync !== 'function') return `“${node.name}” cannot be rendered.`;
  if (!node.visible && !allowHidden) return `“${node.name}” is hidden: show it to cut out from it.`;
  const b = node.absoluteBoundingBox;
  if (!b || !(b.width >= 1 && b.height >= 1)) return `“${node.name}” is smaller than 1 px.`;
  return undefined;
}

/**
 * What the UI will get for `node`, without reading pixels: the size is the image's (fill) or
 * the export's. `readSource` may still fall back to an export (GIF bytes, EXIF rotation) and
 * sends the final SourceInfo with the bytes.
 */
export async function describeSource(node: SceneNode): Promise<SourceInfo> {
  const check = checkPlainFill(node);
  if (check.ok) {
    const hash = check.paint.imageHash as string;
    const size = await imageSize(hash);
    if (size && size.width > 0 && size.height > 0) {
      const m = imageToLocalForFill(fillMode(check.paint), size, node, fillTransform(check.paint));
      const visible = visibleImageRect(m, size, node) ?? undefined;
      return { id: node.id, name: node.name, width: size.width, height: size.height, origin: 'fill', ...(visible ? { visible } : {}) };
    }
  }
  const box = boxOf(node);
  const scale = exportScale(box, await preferredScale(node));
  const px = exportPixels(box, scale);
  const note = exportNote(scale, !check.ok && check.hasImage ? check.reason : undefined);
  return {
    id: node.id,
    name: node.name,
    width: px.width,
    height: px.height,
    origin: 'export',
    visible: { x: 0, y: 0, width: px.width, height: px.height },
    ...(note ? { note } : {}),
  };
}

/** The pixels for `node` and how they sit on it. */
export async function readSource(node: SceneNode): Promise<{ prepared: PreparedSource; bytes: Uint8Array }> {
  const check = checkPlainFill(node);
  let reason = !check.ok && check.hasImage ? check.reason : undefined;
  if (check.ok) {
    const fromFill = await readFill(node, check.paint);
    if ('prepared' in fromFill) return fromFill;
    reason = fromFill.reason;
  }
  return readExport(node, reason);
}

async function readFill(
  node: SceneNode,
  paint: ImagePaint,
): Promise<{ prepared: PreparedSource; bytes: Uint8Array } | { reason: string }> {
  const hash = paint.imageHash as string;
  const image = figma.getImageByHash(hash);
  if (!image) return { reason: 'its image could not be found' };
  const bytes = await image.getBytesAsync();
  const reported = await imageSize(hash);
  if (!reported) return { reason: 'its image could not be found' };
  const checked = checkFillBytes(bytes, reported, 'Figma');
  if ('reason' in checked) return checked;
  const { size } = checked;
  const imageToLocal = imageToLocalForFill(fillMode(paint), size, node, fillTransform(paint));
  const visible = visibleImageRect(imageToLocal, size, node);
  if (!visible) return { reason: 'the crop shows none of the image' };
  const info: SourceInfo = { id: node.id, name: node.name, width: size.width, height: size.height, origin: 'fill', visible };
  return {
    prepared: { info, imageToLocal, nodeSize: { width: node.width, height: node.height }, imageHash: hash, visible },
    bytes,
  };
}

async function readExport(node: SceneNode, reason?: string): Promise<{ prepared: PreparedSource; bytes: Uint8Array }> {
  const problem = sourceProblem(node, true);
  if (problem) fail(ErrorCode.InvalidImage, problem);
  const box = boxOf(node);
  const scale = exportScale(box, await preferredScale(node));
  const bytes = await (node as SceneNode & ExportMixin).exportAsync({
    format: 'PNG',
    constraint: { type: 'SCALE', value: scale },
    useAbsoluteBounds: true,
  });
  const px = checkExport(bytes, node.name, 'Figma');
  // The box is read again after the await: exportAsync renders the node as it is now.
  const imageToLocal = imageToLocalForExport(boxOf(node), px, node.absoluteTransform);
  const visible = { x: 0, y: 0, width: px.width, height: px.height };
  const note = exportNote(scale, reason);
  const info: SourceInfo = { id: node.id, name: node.name, width: px.width, height: px.height, origin: 'export', visible, ...(note ? { note } : {}) };
  return { prepared: { info, imageToLocal, nodeSize: { width: node.width, height: node.height }, visible }, bytes };
}

/**
 * The image → local map for `node` now: a fill origin is re-derived from the current layer
 * (the user may have resized it since the image was read); an export keeps the map it had.
 */
export function currentImageToLocal(node: SceneNode, prepared: PreparedSource): Affine {
  if (prepared.info.origin !== 'fill' || prepared.imageHash === undefined) return prepared.imageToLocal;
  const check = checkPlainFill(node);
  if (!check.ok || check.paint.imageHash !== prepared.imageHash) {
    fail(ErrorCode.State, `“${node.name}” changed its image since it was opened: select it again and redo the cutout.`);
  }
  return imageToLocalForFill(fillMode(check.paint), prepared.info, node, fillTransform(check.paint));
}
