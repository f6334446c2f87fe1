/**
 * An evaluation folder: DIR/images/ (PNG or JPEG) and DIR/masks/ (PNG), paired by base name
 * (images/a.jpg ↔ masks/a.png). Masks are read as grey (ITU-R 601 luma, as PIL's
 * convert('L')); a pixel is object when its grey value is > 127.
 *
 * `openDataset` checks the whole layout before any model is loaded: both folders exist,
 * every file is of a supported kind, every image has exactly one mask and vice versa (the
 * unmatched ones are listed), each mask has its image's size (from the headers), and no mask
 * is empty. Hidden files (".DS_Store", ...) are ignored.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, parse } from 'node:path';
import { fail, ErrorCode } from '../core/errors.js';
import { decodeImage, readImageSize } from '../core/image/decode.js';
import { rgbaToGray } from '../core/image/ops.js';
import { decodePng, isPng } from '../core/image/png.js';
import type { GrayImage, RgbaImage } from '../core/image/types.js';

export interface DatasetItem {
  name: string;
  imagePath: string;
  maskPath: string;
}

const IMAGE_EXTS = new Set(['.png', '.jpg', '.jpeg']);
const MASK_EXTS = new Set(['.png']);

function listFolder(dir: string, sub: string, exts: Set<string>, kind: string): Map<string, string> {
  const folder = join(dir, sub);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    fail(ErrorCode.InvalidOption, `${folder} is missing: the data folder must hold images/ (PNG/JPEG) and masks/ (PNG) with matching names`);
  }
  const byName = new Map<string, string>();
  const unsupported: string[] = [];
  const duplicates: string[] = [];
  for (const file of readdirSync(folder).sort()) {
    if (file.startsWith('.')) continue;
    const full = join(folder, file);
    if (!statSync(full).isFile()) continue;
    if (!exts.has(extname(file).toLowerCase())) {
      unsupported.push(file);
      continue;
    }
    const base = parse(file).name;
    const seen = byName.get(base);
    if (seen) duplicates.push(`${parse(seen).base} and ${file}`);
    byName.set(base, full);
  }
  if (unsupported.length) {
    fail(ErrorCode.InvalidOption, `${folder} holds files that are not ${kind}: ${unsupported.join(', ')}`);
  }
  if (duplicates.length) {
    fail(ErrorCode.InvalidOption, `${folder} has several files with the same base name (ambiguous pairing): ${duplicates.join('; ')}`);
  }
  return byName;
}

/** Reads a mask file as object (255) / background (0): grey value > 127 is object. */
export function readMask(path: string): GrayImage {
  const bytes = new Uint8Array(readFileSync(path));
  if (!isPng(bytes)) fail(ErrorCode.InvalidMask, `mask ${path} is not a PNG file`);
  const gray = rgbaToGray(decodePng(bytes));
  const data = gray.data;
  for (let i = 0; i < data.length; i++) data[i] = data[i]! > 127 ? 255 : 0;
  return gray;
}

export function readImage(path: string): RgbaImage {
  return decodeImage(new Uint8Array(readFileSync(path)));
}

/** Lists and validates a data folder (see the header); sorted by name; `limit` keeps the first N. */
export function openDataset(dir: string, options: { limit?: number } = {}): DatasetItem[] {
  if (!existsSync(dir)) fail(ErrorCode.InvalidOption, `--data ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) fail(ErrorCode.InvalidOption, `--data ${dir} is a file; give the folder that holds images/ and masks/`);
  const images = listFolder(dir, 'images', IMAGE_EXTS, 'PNG or JPEG images (.png, .jpg, .jpeg)');
  const masks = listFolder(dir, 'masks', MASK_EXTS, 'PNG masks (.png)');

  const noMask = [...images.keys()].filter((n) => !masks.has(n)).map((n) => parse(images.get(n)!).base);
  const noImage = [...masks.keys()].filter((n) => !images.has(n)).map((n) => parse(masks.get(n)!).base);
  if (noMask.length || noImage.length) {
    const parts: string[] = [];
    if (noMask.length) parts.push(`images without a mask in masks/: ${noMask.join(', ')}`);
    if (noImage.length) parts.push(`masks without an image in images/: ${noImage.join(', ')}`);
    fail(ErrorCode.InvalidOption, `unmatched files in ${dir} (a mask must have its image's base name, e.g. images/a.jpg ↔ masks/a.png): ${parts.join('; ')}`);
  }
  if (images.size === 0) fail(ErrorCode.InvalidOption, `${join(dir, 'images')} is empty: nothing to evaluate`);

  let items: DatasetItem[] = [...images.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, imagePath: images.get(name)!, maskPath: masks.get(name)! }));
  if (options.limit !== undefined) items = items.slice(0, options.limit);

  const mismatched: string[] = [];
  const empty: string[] = [];
  for (const item of items) {
    const imageSize = readImageSize(new Uint8Array(readFileSync(item.imagePath)));
    const mask = readMask(item.maskPath);
    if (mask.width !== imageSize.width || mask.height !== imageSize.height) {
      mismatched.push(`images/${parse(item.imagePath).base} is ${imageSize.width}×${imageSize.height} but masks/${parse(item.maskPath).base} is ${mask.width}×${mask.height}`);
    } else if (!mask.data.includes(255)) {
      empty.push(`masks/${parse(item.maskPath).base}`);
    }
  }
  if (mismatched.length) fail(ErrorCode.InvalidMask, `mask and image sizes differ: ${mismatched.join('; ')}`);
  if (empty.length) fail(ErrorCode.InvalidMask, `masks with no object pixel (> 127): ${empty.join(', ')}`);
  return items;
}

export function loadItem(item: DatasetItem): { image: RgbaImage; gt: GrayImage } {
  return { image: readImage(item.imagePath), gt: readMask(item.maskPath) };
}
