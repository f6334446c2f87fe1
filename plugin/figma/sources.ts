/**
 * Figma layers as image sources (the shared rules: plugin/host/sources.ts).
 *
 * The original image bytes stand for a layer when it is a plain image fill — one visible IMAGE
 * paint (FILL, FIT or CROP; not rotated, no adjustments, opaque, normal blend) on a rectangle,
 * or on a frame/component/instance with no layers above the fill, with no visible effect that
 * alters the pixels (drop shadows and background blur are fine). Everything else is rendered
 * with exportAsync (useAbsoluteBounds: the export covers exactly the node's absolute bounding
 * box), at the image's own density (2× for layers without images).
 */
import { type FillCheck, type LayerImaging, densityScale, sourceReader } from '../host/sources.js';
import { type Affine, type Size, imageToLocalForFill } from '../host/placement.js';

export type { PreparedSource } from '../host/sources.js';

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
export function checkPlainFill(node: SceneNode): FillCheck<ImagePaint> {
  const paints = visiblePaints(node);
  const images = imagePaints(node);
  if (images.length === 0) return { ok: false, reason: 'it has no image fill', hasImage: false };
  const no = (reason: string): FillCheck<ImagePaint> => ({ ok: false, reason, hasImage: true });
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
  return { ok: true, fill: paint };
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

/** Export scale for a node: the image's own density when it has one, else 2×. */
async function preferredScale(node: SceneNode): Promise<number> {
  const paint = imagePaints(node)[0];
  if (!paint || !(node.width > 0 && node.height > 0)) return 2;
  const size = await imageSize(paint.imageHash as string);
  if (!size) return 2;
  if (paint.scaleMode === 'TILE') return 1 / (paint.scalingFactor ?? 0.5);
  // A quarter-turned FILL / FIT image is fitted as a H×W image: its density follows that.
  const quarter = paint.scaleMode !== 'CROP' && Math.abs(Math.round((paint.rotation ?? 0) / 90)) % 2 === 1;
  const fitted = quarter ? { width: size.height, height: size.width } : size;
  return densityScale(imageToLocalForFill(fillMode(paint), fitted, node, fillTransform(paint)));
}

const asAffine = (t: Transform): Affine => [
  [t[0][0], t[0][1], t[0][2]],
  [t[1][0], t[1][1], t[1][2]],
];

const figmaImaging: LayerImaging<SceneNode, ImagePaint> = {
  editor: 'Figma',
  id: (n) => n.id,
  name: (n) => n.name,
  size: (n) => ({ width: n.width, height: n.height }),
  hidden: (n) => !n.visible,
  canExport: (n) => typeof (n as Partial<ExportMixin>).exportAsync === 'function',
  exportBox: (n) => n.absoluteBoundingBox,
  localToPage: (n) => asAffine(n.absoluteTransform),
  exportPng: (n, scale) =>
    (n as SceneNode & ExportMixin).exportAsync({ format: 'PNG', constraint: { type: 'SCALE', value: scale }, useAbsoluteBounds: true }),
  checkFill: checkPlainFill,
  fillKey: (paint) => paint.imageHash as string,
  fillSize: (paint) => imageSize(paint.imageHash as string),
  fillBytes: async (paint) => {
    const image = figma.getImageByHash(paint.imageHash as string);
    return image ? image.getBytesAsync() : null;
  },
  fillToLocal: (node, paint, image) => imageToLocalForFill(fillMode(paint), image, node, fillTransform(paint)),
  preferredScale,
};

/** sourceProblem / describe / read / currentImageToLocal for Figma layers. */
export const figmaSources = sourceReader(figmaImaging);
