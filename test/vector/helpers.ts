/** Test helpers: an independent renderer (resvg), topology counts by flood fill, random masks. */
import { Resvg } from '@resvg/resvg-js';
import type { GrayImage } from '../../core/image/types.js';
import { toSvg } from '../../core/vector/svg.js';
import type { VectorPath } from '../../core/vector/types.js';
import { rng } from '../../corpus/masks.js';

/** Renders paths with resvg (anti-aliased) at the mask size; inside = alpha ≥ 128. */
export function renderWithResvg(paths: readonly VectorPath[], width: number, height: number): GrayImage {
  const img = new Resvg(toSvg(paths, width, height), { fitTo: { mode: 'original' }, font: { loadSystemFonts: false } }).render();
  const data = new Uint8Array(width * height);
  const px = img.pixels; // a getter that copies: read it once
  for (let i = 0; i < width * height; i++) data[i] = px[i * 4 + 3]! >= 128 ? 255 : 0;
  return { width, height, data };
}

/** Connected components of pixels where `pick` holds (4- or 8-connected); returns labels and count. */
export function components(mask: GrayImage, pick: (i: number) => boolean, eight: boolean): { labels: Int32Array; count: number } {
  const { width: w, height: h } = mask;
  const labels = new Int32Array(w * h).fill(-1);
  let count = 0;
  const stack: number[] = [];
  for (let s = 0; s < w * h; s++) {
    if (labels[s] !== -1 || !pick(s)) continue;
    labels[s] = count;
    stack.push(s);
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!eight && dx !== 0 && dy !== 0)) continue;
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const q = ny * w + nx;
          if (labels[q] === -1 && pick(q)) {
            labels[q] = count;
            stack.push(q);
          }
        }
      }
    }
    count++;
  }
  return { labels, count };
}

/**
 * Parts and holes by flood fill: parts are 8-connected inside components; holes are 4-connected
 * outside components that do not touch the image border (the tracer's documented topology).
 */
export function topology(mask: GrayImage, threshold = 128): { parts: number; holes: number } {
  const { width: w, height: h } = mask;
  const inside = (i: number) => mask.data[i]! >= threshold;
  const parts = components(mask, inside, true).count;
  const bg = components(mask, (i) => !inside(i), false);
  const touches = new Uint8Array(bg.count);
  for (let x = 0; x < w; x++) {
    for (const y of [0, h - 1]) {
      const l = bg.labels[y * w + x]!;
      if (l >= 0) touches[l] = 1;
    }
  }
  for (let y = 0; y < h; y++) {
    for (const x of [0, w - 1]) {
      const l = bg.labels[y * w + x]!;
      if (l >= 0) touches[l] = 1;
    }
  }
  let holes = 0;
  for (let k = 0; k < bg.count; k++) if (!touches[k]) holes++;
  return { parts, holes };
}

/** A seeded random mask of one of several kinds (noise, blobs, stripes, single pixels). */
export function randomMask(seed: number): GrayImage {
  const r = rng(seed);
  const w = 1 + Math.floor(r() * 40);
  const h = 1 + Math.floor(r() * 40);
  const data = new Uint8Array(w * h);
  const kind = Math.floor(r() * 4);
  if (kind === 0) {
    const p = r();
    for (let i = 0; i < data.length; i++) data[i] = r() < p ? 255 : 0;
  } else if (kind === 1) {
    const n = 1 + Math.floor(r() * 6);
    const blobs = Array.from({ length: n }, () => ({ x: r() * w, y: r() * h, rad: 0.5 + r() * 10, hole: r() < 0.4 }));
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let v = 0;
        for (const b of blobs) if (Math.hypot(x + 0.5 - b.x, y + 0.5 - b.y) <= b.rad) v = b.hole ? 0 : 255;
        data[y * w + x] = v;
      }
    }
  } else if (kind === 2) {
    const step = 1 + Math.floor(r() * 4);
    const ang = r() * Math.PI;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const t = Math.floor((x * Math.cos(ang) + y * Math.sin(ang)) / step);
        data[y * w + x] = t % 2 === 0 ? 255 : 0;
      }
    }
  } else {
    for (let k = 0; k < 1 + r() * 12; k++) data[Math.floor(r() * data.length)] = 255;
  }
  return { width: w, height: h, data };
}
