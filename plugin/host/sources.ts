/**
 * Reading sources, for every host: which pixels the UI gets for a layer and how they sit on it
 * (image → layer-local map). A host describes its layers through LayerImaging; the rules live
 * here once:
 * - a layer is read from its image fill's ORIGINAL bytes when the host says the fill is all
 *   there is to see (checkFill) and the bytes are PNG, or JPEG without an EXIF rotation, of the
 *   size the editor reports, at most MAX_IMAGE_SIDE on a side;
 * - everything else is rendered by the editor (exportPng) over the layer's axis-aligned page
 *   box, at the host's preferred scale (the image's own density; 2× without one), capped at
 *   MAX_IMAGE_SIDE on the long side, with a note saying why.
 */
import { ErrorCode, fail } from '../../core/errors.js';
// Header readers only: the decoders' modules would pull their wasm glue into the plugin code.
import { readExifOrientation, readJpegFrameSize } from '../../core/image/exif.js';
import { isPng, readPngSize } from '../../core/image/png.js';
import { isAnimatedWebp, isWebp, readWebpSize } from '../../core/image/webp-header.js';
import type { SourceInfo } from '../protocol.js';
import type { PreparedBase } from './contract.js';
import {
  type Affine,
  MAX_IMAGE_SIDE,
  type Rect,
  type Size,
  exportPixels,
  exportScale,
  imageToLocalForExport,
  visibleImageRect,
} from './placement.js';

export type FillCheck<F> = { ok: true; fill: F } | { ok: false; reason: string; hasImage: boolean };

/** What a host tells the shared reader about its layers (N) and image fills (F). */
export interface LayerImaging<N, F> {
  /** The editor's name in messages ("Figma", "Penpot"). */
  editor: string;
  id(node: N): string;
  name(node: N): string;
  /** Layer size in its own units (width, height before its transform). */
  size(node: N): Size;
  hidden(node: N): boolean;
  canExport(node: N): boolean;
  /** The page-space axis-aligned box an export covers (null: none). */
  exportBox(node: N): Rect | null;
  /** Layer local → page space. */
  localToPage(node: N): Affine;
  exportPng(node: N, scale: number): Promise<Uint8Array>;
  /** Whether the layer shows its (one) image fill and nothing else; if not, why. */
  checkFill(node: N): FillCheck<F>;
  /** Identity of the image behind a fill (to notice a replaced image). */
  fillKey(fill: F): string;
  /** The size the editor reports for the fill's image (null: not found). */
  fillSize(fill: F): Promise<Size | null>;
  fillBytes(fill: F): Promise<Uint8Array | null>;
  /** image pixels → layer-local for the fill as it is on `node` now. */
  fillToLocal(node: N, fill: F, image: Size): Affine;
  /** The export scale wanted before the MAX_IMAGE_SIDE cap. */
  preferredScale(node: N): Promise<number>;
}

export interface PreparedSource extends PreparedBase {
  /** Source-image pixels → the layer's local space. */
  imageToLocal: Affine;
  /** The part of the image the layer shows (image pixels). */
  visible: Rect;
  /** Fill origin: the image's identity (the map is re-derived from the layer when inserting). */
  fillKey?: string;
}

/**
 * The pixel size of an image fill's original bytes, or why they cannot be used: only PNG,
 * JPEG or still WebP (the UI's worker decodes those); a PNG or WebP must have the size the
 * editor reports; a JPEG must not carry an EXIF rotation
 * (then the stored pixels are what the editor shows) and must have the size the editor reports
 * too: the pixels the UI decodes are placed by that size.
 */
export function checkFillBytes(bytes: Uint8Array, reported: Size, editor: string): { size: Size } | { reason: string } {
  if (isPng(bytes)) {
    const size = readPngSize(bytes);
    if (size.width !== reported.width || size.height !== reported.height) return { reason: `the image file does not match the size ${editor} shows` };
    return { size };
  }
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    if (readExifOrientation(bytes) !== 1) return { reason: 'the photo carries an EXIF rotation' };
    const size = readJpegFrameSize(bytes);
    if (!size) return { reason: 'the photo file is damaged' };
    if (size.width !== reported.width || size.height !== reported.height) return { reason: `the image file does not match the size ${editor} shows` };
    return { size };
  }
  if (isWebp(bytes)) {
    let size: Size;
    try {
      size = readWebpSize(bytes);
    } catch {
      return { reason: 'the image file is damaged' };
    }
    // An animated WebP's first frame is not necessarily what the editor shows.
    if (isAnimatedWebp(bytes)) return { reason: 'the image is animated' };
    if (size.width !== reported.width || size.height !== reported.height) return { reason: `the image file does not match the size ${editor} shows` };
    return { size };
  }
  return { reason: 'the image is not a PNG, JPEG or WebP (other formats are rendered)' };
}

/**
 * Why an image fill is too large to send as it is (undefined: it is not). Figma stores no image
 * above MAX_IMAGE_SIDE; Penpot keeps what was uploaded, but the UI works at most at that size
 * and could not even decode the largest: a rendering capped at MAX_IMAGE_SIDE stands for it.
 */
export function oversized(size: Size): string | undefined {
  if (size.width <= MAX_IMAGE_SIDE && size.height <= MAX_IMAGE_SIDE) return undefined;
  return `the image is ${size.width}×${size.height} px, more than the ${MAX_IMAGE_SIDE} px Cutout works with`;
}

/** The note shown with a source read from a rendering. */
export function exportNote(scale: number, reason?: string): string | undefined {
  const notes: string[] = [];
  if (reason) notes.push(`Using a rendering of the layer because ${reason}.`);
  if (scale < 1) notes.push(`Rendered at ${Math.round(scale * 100)}% to stay within ${MAX_IMAGE_SIDE} px.`);
  return notes.length ? notes.join(' ') : undefined;
}

/** A rendering the editor returned, checked: a PNG within MAX_IMAGE_SIDE. */
export function checkExport(bytes: unknown, name: string, editor: string): Size {
  if (!(bytes instanceof Uint8Array) || !isPng(bytes)) fail(ErrorCode.InvalidImage, `${editor} did not return a PNG for “${name}”.`);
  const px = readPngSize(bytes);
  if (px.width > MAX_IMAGE_SIDE || px.height > MAX_IMAGE_SIDE) {
    fail(ErrorCode.ImageSize, `${editor} rendered “${name}” at ${px.width}×${px.height} px, above the ${MAX_IMAGE_SIDE} px limit.`);
  }
  return px;
}

/** Export scale matching an image's density when it is mapped to the layer by `imageToLocal` (2× when degenerate). */
export function densityScale(imageToLocal: Affine): number {
  const m = imageToLocal;
  const perPixel = Math.min(Math.hypot(m[0][0], m[1][0]), Math.hypot(m[0][1], m[1][1]));
  return perPixel > 0 ? 1 / perPixel : 2;
}

export interface SourceReader<N> {
  /** Why `node` cannot be a source at all (undefined: it can); hidden layers only when `allowHidden`. */
  sourceProblem(node: N, allowHidden?: boolean): string | undefined;
  /** What the UI will get for `node`, without reading pixels (read may still fall back to an export). */
  describe(node: N): Promise<SourceInfo>;
  read(node: N): Promise<{ prepared: PreparedSource; bytes: Uint8Array }>;
  /** image → local for `node` now (a fill origin re-derived: the layer may have been resized). */
  currentImageToLocal(node: N, prepared: PreparedSource): Affine;
}

export function sourceReader<N, F>(h: LayerImaging<N, F>): SourceReader<N> {
  const boxOf = (node: N): Rect => {
    const b = h.exportBox(node);
    if (!b || !(b.width > 0 && b.height > 0)) fail(ErrorCode.ImageSize, `“${h.name(node)}” has no area to cut out from.`);
    return b;
  };
  const exportInfo = (node: N, px: Size, note: string | undefined): SourceInfo => ({
    id: h.id(node),
    name: h.name(node),
    width: px.width,
    height: px.height,
    origin: 'export',
    visible: { x: 0, y: 0, width: px.width, height: px.height },
    ...(note ? { note } : {}),
  });

  const sourceProblem = (node: N, allowHidden = false): string | undefined => {
    const name = h.name(node);
    if (!h.canExport(node)) return `“${name}” cannot be rendered.`;
    if (h.hidden(node) && !allowHidden) return `“${name}” is hidden: show it to cut out from it.`;
    const b = h.exportBox(node);
    if (!b || !(b.width >= 1 && b.height >= 1)) return `“${name}” is smaller than 1 px.`;
    return undefined;
  };

  const readFill = async (node: N, fill: F): Promise<{ prepared: PreparedSource; bytes: Uint8Array } | { reason: string }> => {
    const reported = await h.fillSize(fill);
    const tooLarge = reported && oversized(reported);
    if (tooLarge) return { reason: tooLarge };
    const bytes = reported && (await h.fillBytes(fill));
    if (!reported || !bytes || bytes.length === 0) return { reason: 'its image could not be found' };
    const checked = checkFillBytes(bytes, reported, h.editor);
    if ('reason' in checked) return checked;
    const { size } = checked;
    const imageToLocal = h.fillToLocal(node, fill, size);
    const visible = visibleImageRect(imageToLocal, size, h.size(node));
    if (!visible) return { reason: 'the layer shows none of its image' };
    const info: SourceInfo = { id: h.id(node), name: h.name(node), width: size.width, height: size.height, origin: 'fill', visible };
    return { prepared: { info, imageToLocal, visible, fillKey: h.fillKey(fill) }, bytes };
  };

  const readExport = async (node: N, reason?: string): Promise<{ prepared: PreparedSource; bytes: Uint8Array }> => {
    const problem = sourceProblem(node, true);
    if (problem) fail(ErrorCode.InvalidImage, problem);
    const scale = exportScale(boxOf(node), await h.preferredScale(node));
    const bytes = await h.exportPng(node, scale);
    const px = checkExport(bytes, h.name(node), h.editor);
    // The box is read again after the await: the export shows the layer as it is now.
    const imageToLocal = imageToLocalForExport(boxOf(node), px, h.localToPage(node));
    const info = exportInfo(node, px, exportNote(scale, reason));
    return { prepared: { info, imageToLocal, visible: info.visible! }, bytes };
  };

  return {
    sourceProblem,
    async describe(node) {
      const check = h.checkFill(node);
      let reason = !check.ok && check.hasImage ? check.reason : undefined;
      if (check.ok) {
        const size = await h.fillSize(check.fill);
        reason = size ? oversized(size) : undefined;
        if (size && size.width > 0 && size.height > 0 && !reason) {
          const visible = visibleImageRect(h.fillToLocal(node, check.fill, size), size, h.size(node)) ?? undefined;
          return { id: h.id(node), name: h.name(node), width: size.width, height: size.height, origin: 'fill', ...(visible ? { visible } : {}) };
        }
      }
      const box = boxOf(node);
      const scale = exportScale(box, await h.preferredScale(node));
      return exportInfo(node, exportPixels(box, scale), exportNote(scale, reason));
    },
    async read(node) {
      const check = h.checkFill(node);
      let reason = !check.ok && check.hasImage ? check.reason : undefined;
      if (check.ok) {
        const fromFill = await readFill(node, check.fill);
        if ('prepared' in fromFill) return fromFill;
        reason = fromFill.reason;
      }
      return readExport(node, reason);
    },
    currentImageToLocal(node, prepared) {
      if (prepared.info.origin !== 'fill' || prepared.fillKey === undefined) return prepared.imageToLocal;
      const check = h.checkFill(node);
      if (!check.ok || h.fillKey(check.fill) !== prepared.fillKey) {
        fail(ErrorCode.State, `“${h.name(node)}” changed its image since it was opened: select it again and redo the cutout.`);
      }
      return h.fillToLocal(node, check.fill, prepared.info);
    },
  };
}
