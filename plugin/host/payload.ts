/**
 * Checks on a result payload (plugin/protocol.ts ApplyPayload) before any host inserts it:
 * a payload that fails here changes nothing in the document.
 */
import { ErrorCode, fail } from '../../core/errors.js';
import { isPng, readPngSize } from '../../core/image/png.js';
import type { ApplyPayload } from '../protocol.js';
import { checkPathData } from '../../core/vector/path.js';
import { MAX_IMAGE_SIDE, type Rect, type Size, intersect } from './placement.js';

/** The region of the source image a cutout covers (default: all of it), checked. */
export function checkRect(rect: Rect | undefined, image: Size): Rect {
  const { width: W, height: H } = image;
  const r = rect ?? { x: 0, y: 0, width: W, height: H };
  if (![r.x, r.y, r.width, r.height].every(Number.isFinite) || !(r.width > 0 && r.height > 0)) {
    fail(ErrorCode.InvalidOption, `The cutout region ${JSON.stringify(r)} is not a rectangle with a positive size.`);
  }
  const inside = intersect(r, { x: 0, y: 0, width: W, height: H });
  if (!inside) fail(ErrorCode.InvalidOption, `The cutout region lies outside the ${W}×${H} source image.`);
  return r;
}

/** A cutout PNG, checked against the most the editor accepts (`editor` names it in the message). */
export function checkPng(png: unknown, editor: string, maxSide = MAX_IMAGE_SIDE): { width: number; height: number } {
  if (!(png instanceof Uint8Array) || !isPng(png)) {
    fail(ErrorCode.InvalidImage, 'The cutout must be a PNG image (Uint8Array); nothing was inserted.');
  }
  const size = readPngSize(png);
  if (size.width > maxSide || size.height > maxSide) {
    fail(
      ErrorCode.ImageSize,
      `The cutout is ${size.width}×${size.height} pixels, but ${editor} accepts images of at most ` +
        `${maxSide}×${maxSide}. Downscale it to ${maxSide} px on the long side and apply again; nothing was inserted.`,
    );
  }
  return size;
}

/** Vector results: at least one path, known winding rules, paths in the absolute M L C Z grammar. */
export function checkPaths(paths: ApplyPayload['paths']): NonNullable<ApplyPayload['paths']> {
  if (!Array.isArray(paths) || paths.length === 0) {
    fail(ErrorCode.InvalidMask, 'The result has no vector paths (the mask is empty?); nothing was inserted.');
  }
  for (const p of paths) {
    if (p.windingRule !== 'EVENODD' && p.windingRule !== 'NONZERO') fail(ErrorCode.InvalidMask, `Unknown winding rule ${String(p.windingRule)}.`);
    checkPathData(p.data);
  }
  return paths;
}
