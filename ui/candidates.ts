/**
 * The mask candidates a click gives (SAM answers an ambiguous click with up to three masks:
 * the whole object, a part of it, a detail), shown as thumbnails named by size, with the
 * model's confidence, largest first.
 *
 * Which one is shown first follows SAM: the format's own rule (the highest predicted IoU, or
 * the official token rule for Meta's decoder), unless that mask is unstable — its area changes
 * a lot when the logit threshold moves by ±1 (SAM's stability score) — and a stable one
 * exists: then the best-scoring stable one, as SAM 2 does when its first choice is unstable.
 */
import type { RgbaImage } from '../core/image/types.js';
import type { DecodeResult } from '../core/models/types.js';
import { originalToLowRes } from '../core/prompts/frames.js';

/** SAM's stability offset (logits) and the stability a mask needs to be trusted (SAM's defaults). */
export const STABILITY_OFFSET = 1;
export const STABLE = 0.95;

export interface CandidateStats {
  /** Low-res cells inside the mask (logit > 0). */
  area: number;
  /** area(logit > +offset) / area(logit > −offset); 0 for an empty mask. */
  stability: number;
}

export function candidateStats(logits: Float32Array, offset = STABILITY_OFFSET): CandidateStats {
  let area = 0;
  let inner = 0;
  let outer = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > 0) area++;
    if (v > offset) inner++;
    if (v > -offset) outer++;
  }
  return { area, stability: outer > 0 ? inner / outer : 0 };
}

/** The candidate to show first (see the module comment). */
export function defaultCandidate(p: Pick<DecodeResult, 'lowRes' | 'scores' | 'selected'>, stats = p.lowRes.map((l) => candidateStats(l))): number {
  const ok = (k: number) => stats[k]!.area > 0 && stats[k]!.stability >= STABLE;
  if (p.lowRes.length < 2 || ok(p.selected)) return p.selected;
  let best = -1;
  for (let k = 0; k < p.lowRes.length; k++) if (ok(k) && (best < 0 || p.scores[k]! > p.scores[best]!)) best = k;
  return best < 0 ? p.selected : best;
}

/** A prediction whose `selected` is the default candidate. */
export function withDefault<T extends DecodeResult>(p: T): T {
  return { ...p, selected: defaultCandidate(p) };
}

/** Candidate indices, largest mask first (ties: the model's order). */
export function bySize(stats: readonly CandidateStats[]): number[] {
  return stats.map((_, k) => k).sort((a, b) => stats[b]!.area - stats[a]!.area || a - b);
}

/** Names for masks ordered largest first. */
export function sizeNames(n: number): string[] {
  if (n <= 1) return ['Mask'];
  if (n === 2) return ['Whole', 'Part'];
  if (n === 3) return ['Whole', 'Part', 'Detail'];
  return ['Whole', 'Large part', 'Part', 'Detail', ...Array.from({ length: n - 4 }, (_, i) => `Detail ${i + 2}`)];
}

/** CSS size of a thumbnail. */
const THUMB = { width: 52, height: 36 };

interface Base {
  image: RgbaImage;
  width: number;
  height: number;
  /** The image fitted into the thumbnail (contain), RGBA. */
  pixels: Uint8ClampedArray;
  /** Per thumbnail pixel: its low-res cell index, or -1 outside the image. */
  cells: Int32Array;
}

/** The thumbnails in the toolbar (a radiogroup); keys 1…n pick them in the order shown. */
export class CandidateStrip {
  private order: number[] = [];
  private base: Base | undefined;
  private drawn: { p: DecodeResult; chosen: number } | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly onPick: (index: number) => void,
  ) {}

  /** The size name of candidate `index` as last shown ("Whole", "Part", …), or undefined. */
  nameOf(index: number): string | undefined {
    const pos = this.order.indexOf(index);
    return pos < 0 ? undefined : sizeNames(this.order.length)[pos];
  }

  /** The candidate shown at position `k` (0-based), for the number keys. */
  at(k: number): number | undefined {
    return this.order[k];
  }

  render(p: DecodeResult | undefined, chosen: number, image: RgbaImage | undefined): void {
    if (!p || p.lowRes.length < 2 || !image) {
      this.order = [];
      this.drawn = undefined;
      this.root.textContent = '';
      return;
    }
    if (this.drawn && this.drawn.p === p) {
      if (this.drawn.chosen !== chosen) this.markChosen(chosen);
      this.drawn.chosen = chosen;
      return;
    }
    this.drawn = { p, chosen };
    const stats = p.lowRes.map((l) => candidateStats(l));
    this.order = bySize(stats);
    const names = sizeNames(p.lowRes.length);
    const base = this.baseFor(image, p);
    this.root.textContent = '';
    this.order.forEach((k, pos) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'candidate';
      b.dataset.index = String(k);
      b.setAttribute('role', 'radio');
      const pct = Math.round(p.scores[k]! * 100);
      b.title = `${names[pos]}: the model is ${pct}% confident in this mask (key ${pos + 1})`;
      b.setAttribute('aria-label', `${names[pos]}, ${pct}%`);
      const canvas = document.createElement('canvas');
      canvas.className = 'candidate-thumb';
      canvas.width = base.width;
      canvas.height = base.height;
      this.paint(canvas, base, p.lowRes[k]!);
      const caption = document.createElement('span');
      caption.className = 'candidate-caption';
      const name = document.createElement('span');
      name.className = 'candidate-name';
      name.textContent = names[pos]!;
      const score = document.createElement('span');
      score.className = 'candidate-score';
      score.textContent = `${pct}%`;
      caption.append(name, score);
      b.append(canvas, caption);
      b.addEventListener('click', () => this.onPick(k));
      this.root.appendChild(b);
    });
    this.markChosen(chosen);
  }

  private markChosen(chosen: number): void {
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('.candidate')) {
      const on = Number(b.dataset.index) === chosen;
      b.setAttribute('aria-checked', String(on));
      b.tabIndex = on ? 0 : -1;
    }
  }

  private baseFor(image: RgbaImage, p: DecodeResult): Base {
    const dpr = Math.min(2, Math.max(1, window.devicePixelRatio || 1));
    const width = Math.round(THUMB.width * dpr);
    const height = Math.round(THUMB.height * dpr);
    const b = this.base;
    if (b && b.image === image && b.width === width && b.height === height) return b;
    const scale = Math.min(width / image.width, height / image.height);
    const ox = (width - image.width * scale) / 2;
    const oy = (height - image.height * scale) / 2;
    const pixels = new Uint8ClampedArray(width * height * 4);
    const cells = new Int32Array(width * height).fill(-1);
    const side = p.transform.lowRes;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const ix = (x + 0.5 - ox) / scale;
        const iy = (y + 0.5 - oy) / scale;
        if (ix < 0 || iy < 0 || ix >= image.width || iy >= image.height) continue;
        const si = (Math.floor(iy) * image.width + Math.floor(ix)) * 4;
        const di = (y * width + x) * 4;
        pixels[di] = image.data[si]!;
        pixels[di + 1] = image.data[si + 1]!;
        pixels[di + 2] = image.data[si + 2]!;
        pixels[di + 3] = 255;
        const [cx, cy] = originalToLowRes(p.transform, ix, iy);
        const gx = Math.min(side - 1, Math.max(0, Math.floor(cx)));
        const gy = Math.min(side - 1, Math.max(0, Math.floor(cy)));
        cells[y * width + x] = gy * side + gx;
      }
    }
    this.base = { image, width, height, pixels, cells };
    return this.base;
  }

  /** The mask at full strength, the rest of the image faded to a quarter: what each choice keeps. */
  private paint(canvas: HTMLCanvasElement, base: Base, logits: Float32Array): void {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const out = new ImageData(base.width, base.height);
    const d = out.data;
    for (let i = 0; i < base.cells.length; i++) {
      const cell = base.cells[i]!;
      if (cell < 0) continue;
      const j = i * 4;
      const inside = logits[cell]! > 0;
      d[j] = base.pixels[j]!;
      d[j + 1] = base.pixels[j + 1]!;
      d[j + 2] = base.pixels[j + 2]!;
      d[j + 3] = inside ? 255 : 56;
    }
    ctx.putImageData(out, 0, 0);
  }
}
