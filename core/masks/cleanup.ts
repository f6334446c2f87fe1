import type { GrayImage } from '../image/types.js';

/**
 * Connected components of equal "inside-ness" (4-connected for the foreground, as SAM's
 * own post-processing does with its `remove_small_regions`). Returns a label per pixel
 * and each component's area; label 0 is unused.
 */
function components(mask: GrayImage, inside: boolean): { labels: Int32Array; areas: number[]; touchesBorder: boolean[] } {
  const { width: w, height: h, data } = mask;
  const labels = new Int32Array(w * h);
  const areas = [0];
  const touchesBorder = [false];
  const stack = new Int32Array(w * h);
  let next = 1;
  for (let start = 0; start < w * h; start++) {
    if (labels[start] || (data[start] !== 0) !== inside) continue;
    let sp = 0;
    stack[sp++] = start;
    labels[start] = next;
    let area = 0;
    let border = false;
    while (sp) {
      const p = stack[--sp]!;
      area++;
      const x = p % w;
      const y = (p - x) / w;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) border = true;
      const visit = (q: number) => {
        if (!labels[q] && (data[q] !== 0) === inside) {
          labels[q] = next;
          stack[sp++] = q;
        }
      };
      if (x > 0) visit(p - 1);
      if (x < w - 1) visit(p + 1);
      if (y > 0) visit(p - w);
      if (y < h - 1) visit(p + w);
    }
    areas.push(area);
    touchesBorder.push(border);
    next++;
  }
  return { labels, areas, touchesBorder };
}

export interface CleanupOptions {
  /** Foreground islands smaller than this many pixels are removed. 0 = keep all. */
  minIslandArea?: number;
  /** Holes (background enclosed by foreground) smaller than this are filled. 0 = keep all. */
  maxHoleArea?: number;
  /** Keep only the largest foreground part. */
  largestOnly?: boolean;
}

/** Removes small islands and fills small holes; returns a new mask. */
export function cleanupMask(mask: GrayImage, options: CleanupOptions): GrayImage {
  const out = new Uint8Array(mask.data);
  const result: GrayImage = { width: mask.width, height: mask.height, data: out };
  const minIsland = options.minIslandArea ?? 0;
  if (minIsland > 0 || options.largestOnly) {
    const fg = components(result, true);
    let largest = 0;
    for (let i = 1; i < fg.areas.length; i++) if (fg.areas[i]! > fg.areas[largest]!) largest = i;
    for (let p = 0; p < out.length; p++) {
      const l = fg.labels[p]!;
      if (l && ((options.largestOnly && l !== largest) || fg.areas[l]! < minIsland)) out[p] = 0;
    }
  }
  const maxHole = options.maxHoleArea ?? 0;
  if (maxHole > 0) {
    const bg = components(result, false);
    for (let p = 0; p < out.length; p++) {
      const l = bg.labels[p]!;
      if (l && !bg.touchesBorder[l] && bg.areas[l]! < maxHole) out[p] = 255;
    }
  }
  return result;
}

/** Fills every hole (background not connected to the image border). */
export function fillHoles(mask: GrayImage): GrayImage {
  return cleanupMask(mask, { maxHoleArea: Number.POSITIVE_INFINITY });
}
