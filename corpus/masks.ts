/**
 * The tracing corpus: small synthetic masks that exercise what users trace — discs, rings and
 * nested holes, letters, 1–3 px strokes, noisy blobs, organic masks (blurred seeded noise
 * thresholded at its median), empty / 1×1 / full / border-touching masks — plus soft maps
 * (signed distance fields) and a 1024² SAM-like mask for timing. Everything is seeded and
 * deterministic; masks are 0 outside, 255 inside. Shared by the tests and the bench (corpus/ holds
 * generated inputs, no test code), so neither imports the other.
 */
import type { FloatMap, GrayImage } from '../core/image/types.js';

export interface CorpusItem {
  name: string;
  mask: GrayImage;
}

/** Mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A mask from a predicate evaluated at pixel centres. */
export function fromPredicate(w: number, h: number, inside: (x: number, y: number) => boolean): GrayImage {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inside(x + 0.5, y + 0.5)) data[y * w + x] = 255;
  return { width: w, height: h, data };
}

const disc = (cx: number, cy: number, r: number) => (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ellipse = (cx: number, cy: number, rx: number, ry: number) => (x: number, y: number) =>
  ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
const rect = (x0: number, y0: number, x1: number, y1: number) => (x: number, y: number) => x >= x0 && x < x1 && y >= y0 && y < y1;

/** Even-odd point-in-polygon for polygons given as [x0, y0, x1, y1, ...]. */
function inPolygons(polys: number[][], x: number, y: number): boolean {
  let inside = false;
  for (const p of polys) {
    const n = p.length / 2;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const xi = p[i * 2]!;
      const yi = p[i * 2 + 1]!;
      const xj = p[j * 2]!;
      const yj = p[j * 2 + 1]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/** Distance from (x, y) to the segment a→b. */
function segDist(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const L = dx * dx + dy * dy;
  let t = L > 0 ? ((x - ax) * dx + (y - ay) * dy) / L : 0;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

/** A 1 px Bresenham line (8-connected). */
function bresenham(img: GrayImage, x0: number, y0: number, x1: number, y1: number): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    if (x0 >= 0 && y0 >= 0 && x0 < img.width && y0 < img.height) img.data[y0 * img.width + x0] = 255;
    if (x0 === x1 && y0 === y1) break;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

function blank(w: number, h: number): GrayImage {
  return { width: w, height: h, data: new Uint8Array(w * h) };
}

/** Box blur (radius r, clamped edges), applied `passes` times, in place on a float buffer. */
export function boxBlur(src: Float32Array, w: number, h: number, r: number, passes = 3): Float32Array {
  let a: Float32Array = src;
  let b: Float32Array = new Float32Array(a.length);
  const n = 2 * r + 1;
  for (let p = 0; p < passes; p++) {
    for (let y = 0; y < h; y++) {
      const row = y * w;
      let s = 0;
      for (let k = -r; k <= r; k++) s += a[row + Math.min(w - 1, Math.max(0, k))]!;
      for (let x = 0; x < w; x++) {
        b[row + x] = s / n;
        s += a[row + Math.min(w - 1, x + r + 1)]! - a[row + Math.max(0, x - r)]!;
      }
    }
    [a, b] = [b, a];
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += a[Math.min(h - 1, Math.max(0, k)) * w + x]!;
      for (let y = 0; y < h; y++) {
        b[y * w + x] = s / n;
        s += a[Math.min(h - 1, y + r + 1) * w + x]! - a[Math.max(0, y - r) * w + x]!;
      }
    }
    [a, b] = [b, a];
  }
  return a;
}

/** Blurred seeded noise thresholded at its median: an organic mask with parts and holes. */
export function organicMask(w: number, h: number, seed: number, radius: number): GrayImage {
  const r = rng(seed);
  const noise = new Float32Array(w * h);
  for (let i = 0; i < noise.length; i++) noise[i] = r();
  const blurred = boxBlur(noise, w, h, radius);
  const sorted = Float32Array.from(blurred).sort();
  const median = sorted[sorted.length >> 1]!;
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = blurred[i]! >= median ? 255 : 0;
  return { width: w, height: h, data };
}

/** A blob with a wavy seeded boundary and salt-and-pepper flips near its edge. */
export function noisyBlob(w: number, h: number, seed: number, flip = 0.15): GrayImage {
  const r = rng(seed);
  const harmonics = Array.from({ length: 6 }, (_, k) => ({ k: k + 2, a: (r() - 0.5) * 0.12, p: r() * Math.PI * 2 }));
  const cx = w / 2;
  const cy = h / 2;
  const R = Math.min(w, h) * 0.36;
  const radius = (x: number, y: number): number => {
    const th = Math.atan2(y - cy, x - cx);
    let f = 1;
    for (const hm of harmonics) f += hm.a * Math.cos(hm.k * th + hm.p);
    return R * f;
  };
  const img = fromPredicate(w, h, (x, y) => Math.hypot(x - cx, y - cy) <= radius(x, y));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) - radius(x + 0.5, y + 0.5);
      if (Math.abs(d) < 2.5 && r() < flip) img.data[y * w + x] ^= 255;
    }
  }
  return img;
}

/** Glyphs drawn as filled shapes on a 64×64 canvas. */
function letter(ch: string): GrayImage {
  const W = 64;
  switch (ch) {
    case 'A': {
      const outer = [8, 58, 28, 6, 36, 6, 56, 58, 46, 58, 41, 45, 23, 45, 18, 58];
      const hole = [26, 36, 38, 36, 32, 18];
      return fromPredicate(W, W, (x, y) => inPolygons([outer, hole], x, y));
    }
    case 'B': {
      const outerTop = (x: number, y: number) => rect(10, 6, 34, 32)(x, y) || ellipse(34, 19, 14, 13)(x, y);
      const outerBot = (x: number, y: number) => rect(10, 30, 36, 58)(x, y) || ellipse(36, 44, 16, 14)(x, y);
      const holeTop = (x: number, y: number) => rect(19, 14, 33, 25)(x, y) || ellipse(33, 19.5, 6, 5.5)(x, y);
      const holeBot = (x: number, y: number) => rect(19, 37, 35, 51)(x, y) || ellipse(35, 44, 8, 7)(x, y);
      return fromPredicate(W, W, (x, y) => (outerTop(x, y) || outerBot(x, y)) && !holeTop(x, y) && !holeBot(x, y));
    }
    case 'O':
      return fromPredicate(W, W, (x, y) => ellipse(32, 32, 22, 27)(x, y) && !ellipse(32, 32, 13, 18)(x, y));
    case 'e': {
      return fromPredicate(W, W, (x, y) => {
        const ring = disc(32, 34, 22)(x, y) && !disc(32, 34, 13)(x, y);
        const bar = rect(14, 31, 50, 38)(x, y);
        const opening = x > 34 && y > 38 && y < 48;
        return (ring && !opening) || (bar && disc(32, 34, 22)(x, y));
      });
    }
    case '8': {
      return fromPredicate(W, W, (x, y) => {
        const top = ellipse(32, 18, 14, 12)(x, y) && !ellipse(32, 18, 7, 6)(x, y);
        const bot = ellipse(32, 44, 17, 15)(x, y) && !ellipse(32, 44, 9, 8)(x, y);
        return top || bot;
      });
    }
    default:
      throw new Error(`no glyph for ${ch}`);
  }
}

/** The fidelity corpus (every item must trace at IoU ≥ 0.98). */
export function corpus(): CorpusItem[] {
  const items: CorpusItem[] = [];
  const add = (name: string, mask: GrayImage) => items.push({ name, mask });

  add('disc-r30', fromPredicate(80, 80, disc(40, 40, 30)));
  add('disc-r5', fromPredicate(20, 20, disc(10, 10, 5)));
  add('disc-r2.5-offgrid', fromPredicate(12, 12, disc(6.3, 5.8, 2.5)));
  add('ring', fromPredicate(80, 80, (x, y) => disc(40, 40, 32)(x, y) && !disc(40, 40, 20)(x, y)));
  add(
    'nested-rings',
    fromPredicate(100, 100, (x, y) => {
      const d = Math.hypot(x - 50, y - 50);
      return (d <= 46 && d > 36) || (d <= 28 && d > 18) || d <= 10;
    }),
  );
  add('square-holes', fromPredicate(64, 64, (x, y) => rect(4, 4, 60, 60)(x, y) && !rect(12, 12, 28, 28)(x, y) && !rect(36, 36, 52, 52)(x, y)));
  add('rotated-square', fromPredicate(64, 64, (x, y) => Math.abs((x - 32) * 0.866 + (y - 32) * 0.5) < 20 && Math.abs(-(x - 32) * 0.5 + (y - 32) * 0.866) < 20));
  for (const ch of ['A', 'B', 'O', 'e', '8']) add(`letter-${ch}`, letter(ch));

  // Strokes: 1 px exact (Bresenham), 2 and 3 px thick segments.
  const h1 = blank(64, 32);
  for (let x = 4; x < 60; x++) h1.data[16 * 64 + x] = 255;
  add('stroke-1px-horizontal', h1);
  const v1 = blank(32, 64);
  for (let y = 3; y < 61; y++) v1.data[y * 32 + 15] = 255;
  add('stroke-1px-vertical', v1);
  const d45 = blank(64, 64);
  bresenham(d45, 4, 4, 59, 59);
  add('stroke-1px-diagonal-45', d45);
  const dShallow = blank(64, 64);
  bresenham(dShallow, 2, 10, 61, 40);
  add('stroke-1px-diagonal-shallow', dShallow);
  const dSteep = blank(64, 64);
  bresenham(dSteep, 20, 2, 44, 61);
  add('stroke-1px-diagonal-steep', dSteep);
  const zig = blank(64, 64);
  bresenham(zig, 4, 60, 20, 4);
  bresenham(zig, 20, 4, 36, 60);
  bresenham(zig, 36, 60, 59, 10);
  add('stroke-1px-zigzag', zig);
  add('stroke-2px-diagonal', fromPredicate(64, 64, (x, y) => segDist(x, y, 6, 8, 58, 50) <= 1));
  add('stroke-3px-diagonal', fromPredicate(64, 64, (x, y) => segDist(x, y, 6, 58, 58, 12) <= 1.5));
  add('stroke-2px-horizontal', fromPredicate(64, 16, rect(3, 7, 61, 9)));

  for (const seed of [1, 2, 3]) add(`noisy-blob-${seed}`, noisyBlob(96, 96, seed));
  add('organic-128-r6', organicMask(128, 128, 11, 6));
  add('organic-128-r3', organicMask(128, 128, 12, 3));
  add('organic-200-r10', organicMask(200, 150, 13, 10));

  add('empty', blank(32, 32));
  add('one-pixel-full', { width: 1, height: 1, data: Uint8Array.of(255) });
  add('one-pixel-empty', { width: 1, height: 1, data: Uint8Array.of(0) });
  add('full-image', fromPredicate(40, 30, () => true));
  add('single-pixel-speck', fromPredicate(9, 9, rect(4, 4, 5, 5)));
  add('border-disc', fromPredicate(60, 60, disc(0, 30, 25)));
  add('border-corner-blob', fromPredicate(60, 60, (x, y) => disc(60, 60, 30)(x, y) || rect(0, 0, 12, 60)(x, y)));
  add('checker-pinches', fromPredicate(16, 16, (x, y) => rect(2, 2, 14, 14)(x, y) && (Math.floor(x) + Math.floor(y)) % 2 === 0));
  return items;
}

/** A soft disc: signed distance to a circle, positive inside (px), as a FloatMap. */
export function softDisc(w: number, h: number, cx: number, cy: number, r: number): FloatMap {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = r - Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
  return { width: w, height: h, data };
}

/**
 * A SAM-like mask: a 256² low-resolution logit field (smooth blobs: one large organic part with
 * three holes plus two separate parts) upsampled bilinearly to size² and thresholded at 0,
 * the way SAM's decoder output becomes a full-resolution mask.
 */
export function samLikeLogits(size = 1024, seed = 7): FloatMap {
  const r = rng(seed);
  const L = 256;
  const low = new Float32Array(L * L);
  const harm = Array.from({ length: 5 }, (_, k) => ({ k: k + 2, a: (r() - 0.5) * 0.18, p: r() * Math.PI * 2 }));
  for (let y = 0; y < L; y++) {
    for (let x = 0; x < L; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const th = Math.atan2(py - 120, px - 115);
      let f = 1;
      for (const hm of harm) f += hm.a * Math.cos(hm.k * th + hm.p);
      let v = 78 * f - Math.hypot(px - 115, py - 120);
      v = Math.min(v, Math.hypot(px - 95, py - 100) - 12);
      v = Math.min(v, Math.hypot((px - 140) / 1.6, py - 135) - 9);
      v = Math.min(v, Math.hypot(px - 105, py - 160) - 7);
      v = Math.max(v, 22 - Math.hypot(px - 215, py - 45));
      v = Math.max(v, 15 - Math.hypot((px - 40) / 0.7, py - 225));
      low[y * L + x] = v * 0.6;
    }
  }
  // Bilinear upsampling, align_corners = false.
  const out = new Float32Array(size * size);
  const s = L / size;
  for (let y = 0; y < size; y++) {
    const sy = Math.min(L - 1, Math.max(0, (y + 0.5) * s - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(L - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < size; x++) {
      const sx = Math.min(L - 1, Math.max(0, (x + 0.5) * s - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(L - 1, x0 + 1);
      const fx = sx - x0;
      const a = low[y0 * L + x0]! * (1 - fx) + low[y0 * L + x1]! * fx;
      const b = low[y1 * L + x0]! * (1 - fx) + low[y1 * L + x1]! * fx;
      out[y * size + x] = a * (1 - fy) + b * fy;
    }
  }
  return { width: size, height: size, data: out };
}

/** The SAM-like mask thresholded (logit > 0 → 255). */
export function samLikeMask(size = 1024, seed = 7): GrayImage {
  const f = samLikeLogits(size, seed);
  const data = new Uint8Array(f.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f.data[i]! > 0 ? 255 : 0;
  return { width: size, height: size, data };
}
