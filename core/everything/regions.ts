import type { GrayImage } from '../image/types.js';

/**
 * 8-connected components of the pixels where (data ≠ 0) === inside. Label 0 marks the other
 * pixels; components are numbered from 1 in raster order of their first pixel.
 */
function components8(mask: GrayImage, inside: boolean): { labels: Int32Array; sizes: number[] } {
  const { width: w, height: h, data } = mask;
  const labels = new Int32Array(w * h);
  const sizes = [0];
  const stack = new Int32Array(w * h);
  let next = 1;
  for (let start = 0; start < w * h; start++) {
    if (labels[start] || (data[start] !== 0) !== inside) continue;
    let sp = 0;
    stack[sp++] = start;
    labels[start] = next;
    let size = 0;
    while (sp) {
      const p = stack[--sp]!;
      size++;
      const x = p % w;
      const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w || (dx === 0 && dy === 0)) continue;
          const q = yy * w + xx;
          if (!labels[q] && (data[q] !== 0) === inside) {
            labels[q] = next;
            stack[sp++] = q;
          }
        }
      }
    }
    sizes.push(size);
    next++;
  }
  return { labels, sizes };
}

/**
 * The reference's small-region removal: 'holes' fills background components (8-connected)
 * smaller than `minArea`; 'islands' drops foreground components smaller than it, keeping the
 * largest one if all are small. Returns the new mask (255 inside) and whether anything changed.
 */
export function removeSmallRegions(mask: GrayImage, minArea: number, mode: 'holes' | 'islands'): { mask: GrayImage; changed: boolean } {
  const holes = mode === 'holes';
  const { labels, sizes } = components8(mask, !holes);
  const small = new Set<number>();
  for (let l = 1; l < sizes.length; l++) if (sizes[l]! < minArea) small.add(l);
  if (small.size === 0) return { mask, changed: false };
  const data = new Uint8Array(mask.data.length);
  if (holes) {
    for (let i = 0; i < data.length; i++) data[i] = labels[i] === 0 || small.has(labels[i]!) ? 255 : 0;
  } else {
    let keep = new Set<number>();
    for (let l = 1; l < sizes.length; l++) if (!small.has(l)) keep.add(l);
    if (keep.size === 0) {
      let best = 1;
      for (let l = 2; l < sizes.length; l++) if (sizes[l]! > sizes[best]!) best = l;
      keep = new Set([best]);
    }
    for (let i = 0; i < data.length; i++) data[i] = keep.has(labels[i]!) ? 255 : 0;
  }
  return { mask: { width: mask.width, height: mask.height, data }, changed: true };
}
