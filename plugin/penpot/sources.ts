/**
 * Penpot shapes as image sources (the shared rules: plugin/host/sources.ts).
 *
 * The original bytes (ImageData.data()) stand for a shape when its image fill is all there is
 * to see: one image fill, fully opaque, on a rectangle, a board without visible children, or a
 * legacy image shape; normal blend; no visible layer blur; not flipped (see checkPlainFill). The fill covers the shape's box:
 * `keepAspectRatio` scales it to cover (centred, overflow clipped), otherwise it is stretched.
 * Everything else is rendered with shape.export({type: 'png', scale}), which covers the
 * shape's axis-aligned page bounds.
 */
import type { Fill, ImageData, Shape } from '@penpot/plugin-types';
import { type Affine, type Size, imageToLocalForFill } from '../host/placement.js';
import { type FillCheck, type LayerImaging, densityScale, sourceReader } from '../host/sources.js';
import { type ShapeFrame, frameToPage } from './geometry.js';

export type { PreparedSource } from '../host/sources.js';

const PLAIN_FILL_TYPES = new Set(['rectangle', 'board', 'image']);

/** A shape's frame; Penpot's x / y are the corner of the ROTATED box's bounds, so the box is placed by its centre. */
export function frameOf(shape: Shape): ShapeFrame {
  const { width, height } = shape;
  const c = shape.center;
  return { x: c.x - width / 2, y: c.y - height / 2, width, height, rotation: shape.rotation || 0, flipX: !!shape.flipX, flipY: !!shape.flipY };
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
export function checkPlainFill(shape: Shape): FillCheck<ImageData> {
  const fills = fillsOf(shape);
  const images = imageFills(shape);
  if (images.length === 0) return { ok: false, reason: 'it has no image fill', hasImage: false };
  const no = (reason: string): FillCheck<ImageData> => ({ ok: false, reason, hasImage: true });
  if (fills.length > 1) return no('the image is combined with other fills');
  if (!PLAIN_FILL_TYPES.has(shape.type)) return no(`the ${shape.type} shape clips the image`);
  if (childrenOf(shape).some((c) => !c.hidden)) return no('there are layers on top of the image');
  if ((images[0].fillOpacity ?? 1) < 1) return no('the image fill is semi-transparent');
  if (shape.blendMode && shape.blendMode !== 'normal') return no('the layer uses a blend mode');
  if (shape.blur && !shape.blur.hidden && (shape.blur.value ?? 0) > 0) return no('a blur changes how the image looks');
  // Penpot keeps rotation and flips as bookkeeping beside the real transform, and one rotation
  // over 90° toggles BOTH flip flags while the layer is only turned (its rotation then reads
  // 180° off). A reported flip therefore cannot be told from that drift: such a layer is read
  // from its rendering, placed by its axis-aligned bounds, right whatever the flags say. A layer
  // reporting no flip is what it reports (drift always shows as a flip).
  if (shape.flipX || shape.flipY) return no('Penpot cannot tell a flipped layer’s exact orientation');
  return { ok: true, fill: images[0].fillImage };
}

function fillMap(image: ImageData, size: Size, shape: Shape): Affine {
  // keepAspectRatio: cover, centred (the shared FILL); otherwise stretched (CROP with identity).
  return imageToLocalForFill(image.keepAspectRatio ? 'FILL' : 'CROP', size, { width: shape.width, height: shape.height });
}

const penpotImaging: LayerImaging<Shape, ImageData> = {
  editor: 'Penpot',
  id: (s) => s.id,
  name: (s) => s.name,
  size: (s) => ({ width: s.width, height: s.height }),
  hidden: (s) => !!s.hidden,
  canExport: (s) => typeof s.export === 'function',
  exportBox: (s) => (s.bounds ? { x: s.bounds.x, y: s.bounds.y, width: s.bounds.width, height: s.bounds.height } : null),
  localToPage: (s) => frameToPage(frameOf(s)),
  exportPng: (s, scale) => s.export({ type: 'png', scale }),
  checkFill: checkPlainFill,
  fillKey: (image) => image.id,
  fillSize: async (image) => (image.width > 0 && image.height > 0 ? { width: image.width, height: image.height } : null),
  fillBytes: (image) => image.data(),
  fillToLocal: (shape, image, size) => fillMap(image, size, shape),
  // The image's own density when the shape has an image fill, else 2×.
  preferredScale: async (s) => {
    const image = imageFills(s)[0]?.fillImage;
    if (!image || !(s.width > 0 && s.height > 0) || !(image.width > 0 && image.height > 0)) return 2;
    return densityScale(fillMap(image, image, s));
  },
};

/** sourceProblem / describe / read / currentImageToLocal for Penpot layers. */
export const penpotSources = sourceReader(penpotImaging);
