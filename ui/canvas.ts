/**
 * The image view: the source image zoomed to fit, and over it the prompt (positive and
 * negative points, the box), the selected candidate's mask (tinted, with an edge that reads on
 * any image: overlay-style.ts) or a hover preview. Pointer input becomes prompt events in source image pixels: click = positive point,
 * Alt/Option-click = negative point, drag = box, move = hover.
 */
import type { RgbaImage, Size } from '../core/image/types.js';
import type { DecodeResult } from '../core/models/types.js';
import type { BoxPrompt, PointLabel } from '../core/prompts/types.js';
import { candidateMask } from '../core/segment.js';
import { boxFromCorners, fitContain, fitLongSide, imageToView, insideImage, isDrag, previewMaskSize, viewToImage, type Fit, type Point } from './layout.js';
import { chooseOverlayStyle, paintOverlay, type OverlayStyle } from './overlay-style.js';
import type { PreviewResult } from './preview.js';
import type { PromptState } from './prompts.js';

export interface CanvasEvents {
  onPoint(p: Point, label: PointLabel): void;
  onBox(box: BoxPrompt): void;
  /** Pointer over the image (image pixels), or undefined when it left. */
  onHover(p: Point | undefined): void;
}

interface MaskLayer {
  prediction: DecodeResult;
  candidate: number;
  hover: boolean;
  canvas?: HTMLCanvasElement;
  size?: Size;
  style?: OverlayStyle;
}

/** CSS px under the image reserved for the hint line. */
const HINT_SPACE = 16;

/** Max side of the bitmap the image is drawn from (the view is at most a few hundred px). */
const PREVIEW_MAX = 2048;

function cssColor(el: Element, name: string, fallback: string): [number, number, number] {
  const probe = document.createElement('span');
  probe.style.color = getComputedStyle(el).getPropertyValue(name).trim() || fallback;
  el.appendChild(probe);
  const c = getComputedStyle(probe).color;
  probe.remove();
  const m = c.match(/\d+(\.\d+)?/g);
  return m && m.length >= 3 ? [Number(m[0]), Number(m[1]), Number(m[2])] : [13, 153, 255];
}

export class ImageCanvas {
  private readonly ctx: CanvasRenderingContext2D;
  private image: RgbaImage | undefined;
  private bitmap: HTMLCanvasElement | undefined;
  private fit: Fit = { x: 0, y: 0, scale: 1 };
  private view: Size = { width: 1, height: 1 };
  private prompt: PromptState = { points: [] };
  private mask: MaskLayer | undefined;
  private dragBox: BoxPrompt | undefined;
  private press: { start: Point; startView: Point; alt: boolean; dragging: boolean; id: number } | undefined;
  private checker: CanvasPattern | null = null;
  private sampled: ImageData | undefined;
  /** The result shown instead of the mask (preview.ts), decoded for drawing. */
  private preview:
    | { key: string; output: 'cutout'; bitmap: ImageBitmap; rect: { x: number; y: number; width: number; height: number } }
    | { key: string; output: 'vector-mask' | 'outline'; paths: Array<{ path: Path2D; rule: CanvasFillRule }>; bounds: { x0: number; y0: number; x1: number; y1: number } }
    | undefined;
  private previewWanted: string | undefined;
  private raf = 0;
  private enabled = false;
  private palette: { brand: [number, number, number]; danger: [number, number, number] } | undefined;

  constructor(
    private readonly el: HTMLCanvasElement,
    private readonly events: CanvasEvents,
  ) {
    const ctx = el.getContext('2d');
    if (!ctx) throw new Error('2D canvas is not available');
    this.ctx = ctx;
    new ResizeObserver(() => this.resize()).observe(el.parentElement ?? el);
    el.addEventListener('pointerdown', (e) => this.down(e));
    el.addEventListener('pointermove', (e) => this.move(e));
    el.addEventListener('pointerup', (e) => this.up(e));
    el.addEventListener('pointercancel', () => {
      this.press = undefined;
      this.dragBox = undefined;
      this.redraw();
    });
    el.addEventListener('pointerleave', () => {
      if (!this.press) this.events.onHover(undefined);
    });
    this.resize();
  }

  /** Re-reads the theme's colours (call after the theme changed). */
  themeChanged(): void {
    this.palette = undefined;
    this.checker = null;
    if (this.mask) this.mask.canvas = undefined;
    this.redraw();
  }

  private colors(): NonNullable<ImageCanvas['palette']> {
    this.palette ??= {
      brand: cssColor(this.el, '--brand', '#0d99ff'),
      danger: cssColor(this.el, '--danger', '#f24822'),
    };
    return this.palette;
  }

  /** Input is accepted only when the engine can act on it. */
  setEnabled(on: boolean): void {
    this.enabled = on;
    this.el.classList.toggle('is-enabled', on);
  }

  setImage(image: RgbaImage | undefined): void {
    this.image = image;
    this.mask = undefined;
    this.prompt = { points: [] };
    this.bitmap = image ? this.makeBitmap(image) : undefined;
    this.sampled = undefined;
    this.preview = undefined;
    this.previewWanted = undefined;
    this.layout();
    this.redraw();
  }

  setPrompt(prompt: PromptState): void {
    this.prompt = prompt;
    this.redraw();
  }

  /** The mask shown: a committed candidate, a hover preview, or none. */
  setMask(prediction: DecodeResult | undefined, candidate = 0, hover = false): void {
    const m = this.mask;
    if (m && prediction && m.prediction === prediction && m.candidate === candidate && m.hover === hover) return;
    this.mask = prediction ? { prediction, candidate, hover } : undefined;
    this.redraw();
  }

  /** Shows the result (a cutout on the checkerboard, or traced paths over the image) instead of the mask; undefined: the mask again. */
  setPreview(result: PreviewResult | undefined): void {
    if (!result) {
      if (!this.preview && !this.previewWanted) return;
      this.previewWanted = undefined;
      this.preview = undefined;
      this.redraw();
      return;
    }
    this.previewWanted = result.key;
    if (result.output === 'cutout') {
      const rect = result.rect;
      void createImageBitmap(new Blob([result.png as Uint8Array<ArrayBuffer>], { type: 'image/png' })).then(
        (bitmap) => {
          if (this.previewWanted !== result.key) return;
          this.preview = { key: result.key, output: 'cutout', bitmap, rect };
          this.redraw();
        },
        () => undefined,
      );
      return;
    }
    const nums = result.paths.flatMap((p) => p.data.match(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi)?.map(Number) ?? []);
    const xs = nums.filter((_, i) => i % 2 === 0);
    const ys = nums.filter((_, i) => i % 2 === 1);
    this.preview = {
      key: result.key,
      output: result.output,
      paths: result.paths.map((p) => ({ path: new Path2D(p.data), rule: p.windingRule === 'EVENODD' ? 'evenodd' : 'nonzero' })),
      bounds: { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) },
    };
    this.redraw();
  }

  /** What the preview shows now (tests): its output and, for paths, their bounds in image pixels. */
  get previewShown(): { key: string; output: string; bounds?: { x0: number; y0: number; x1: number; y1: number } } | undefined {
    const p = this.preview;
    if (!p) return undefined;
    return p.output === 'cutout' ? { key: p.key, output: p.output } : { key: p.key, output: p.output, bounds: p.bounds };
  }

  get hasMask(): boolean {
    return !!this.mask && !this.mask.hover;
  }

  /** View geometry, for tests and the e2e harness: image px → CSS px inside the canvas. */
  get geometry(): Fit {
    return { ...this.fit };
  }

  private makeBitmap(image: RgbaImage): HTMLCanvasElement {
    const full = document.createElement('canvas');
    full.width = image.width;
    full.height = image.height;
    const fctx = full.getContext('2d')!;
    const data = new ImageData(new Uint8ClampedArray(image.data.buffer as ArrayBuffer, image.data.byteOffset, image.data.byteLength), image.width, image.height);
    fctx.putImageData(data, 0, 0);
    const size = fitLongSide(image, PREVIEW_MAX);
    if (size.width === image.width && size.height === image.height) return full;
    const small = document.createElement('canvas');
    small.width = size.width;
    small.height = size.height;
    const sctx = small.getContext('2d')!;
    sctx.imageSmoothingQuality = 'high';
    sctx.drawImage(full, 0, 0, size.width, size.height);
    full.width = full.height = 0; // free the full-size copy
    return small;
  }

  private resize(): void {
    const parent = this.el.parentElement;
    const w = Math.max(1, Math.round(parent?.clientWidth ?? this.el.clientWidth));
    const h = Math.max(1, Math.round(parent?.clientHeight ?? this.el.clientHeight));
    const dpr = window.devicePixelRatio || 1;
    this.view = { width: w, height: h };
    this.el.style.width = `${w}px`;
    this.el.style.height = `${h}px`;
    this.el.width = Math.round(w * dpr);
    this.el.height = Math.round(h * dpr);
    this.checker = null;
    this.layout();
    if (this.mask) this.mask.canvas = undefined;
    this.draw();
  }

  private layout(): void {
    // The bottom strip is kept free for the hint line under the image.
    if (this.image) this.fit = fitContain(this.image, { width: this.view.width, height: Math.max(1, this.view.height - HINT_SPACE) }, 12);
  }

  private toImage(e: PointerEvent): Point {
    const r = this.el.getBoundingClientRect();
    return viewToImage(this.fit, { x: e.clientX - r.left, y: e.clientY - r.top });
  }

  private down(e: PointerEvent): void {
    if (!this.enabled || !this.image || e.button !== 0) return;
    const p = this.toImage(e);
    if (!insideImage(p, this.image)) return;
    this.el.setPointerCapture(e.pointerId);
    const r = this.el.getBoundingClientRect();
    this.press = { start: p, startView: { x: e.clientX - r.left, y: e.clientY - r.top }, alt: e.altKey, dragging: false, id: e.pointerId };
    this.events.onHover(undefined);
    // Keyboard shortcuts (Enter, Esc, ⌘Z, 1-3) need focus in this document; preventing the
    // pointerdown default (no text selection while dragging) also skips the focus change.
    this.el.focus({ preventScroll: true });
    e.preventDefault();
  }

  private move(e: PointerEvent): void {
    if (!this.image) return;
    const p = this.toImage(e);
    const press = this.press;
    if (press) {
      const r = this.el.getBoundingClientRect();
      if (!press.dragging && isDrag(press.startView, { x: e.clientX - r.left, y: e.clientY - r.top })) press.dragging = true;
      if (press.dragging) {
        this.dragBox = boxFromCorners(press.start, p, this.image);
        this.redraw();
      }
      return;
    }
    if (!this.enabled) return;
    this.el.classList.toggle('is-over-image', insideImage(p, this.image));
    this.events.onHover(insideImage(p, this.image) ? p : undefined);
  }

  private up(e: PointerEvent): void {
    const press = this.press;
    if (!press || e.pointerId !== press.id || !this.image) return;
    this.press = undefined;
    const p = this.toImage(e);
    if (press.dragging) {
      const box = boxFromCorners(press.start, p, this.image);
      this.dragBox = undefined;
      if (box.x1 - box.x0 >= 1 && box.y1 - box.y0 >= 1) this.events.onBox(box);
      else this.redraw();
    } else {
      this.events.onPoint(press.start, press.alt || e.altKey ? 0 : 1);
    }
  }

  private redraw(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.draw();
    });
  }

  private checkerPattern(): CanvasPattern | null {
    if (this.checker) return this.checker;
    const dpr = window.devicePixelRatio || 1;
    const s = Math.round(6 * dpr);
    const c = document.createElement('canvas');
    c.width = c.height = s * 2;
    const g = c.getContext('2d')!;
    const [r, gg, b] = cssColor(this.el, '--checker-a', '#ffffff');
    const [r2, g2, b2] = cssColor(this.el, '--checker-b', '#e6e6e6');
    g.fillStyle = `rgb(${r},${gg},${b})`;
    g.fillRect(0, 0, s * 2, s * 2);
    g.fillStyle = `rgb(${r2},${g2},${b2})`;
    g.fillRect(0, 0, s, s);
    g.fillRect(s, s, s, s);
    this.checker = this.ctx.createPattern(c, 'repeat');
    return this.checker;
  }

  /** The image's pixels at `size` (the overlay picks its colours against them). */
  private imageAt(size: Size): ImageData | undefined {
    const cached = this.sampled;
    if (cached && cached.width === size.width && cached.height === size.height) return cached;
    if (!this.bitmap) return undefined;
    const c = document.createElement('canvas');
    c.width = size.width;
    c.height = size.height;
    const g = c.getContext('2d', { willReadFrequently: true })!;
    g.imageSmoothingQuality = 'high';
    g.drawImage(this.bitmap, 0, 0, size.width, size.height);
    this.sampled = g.getImageData(0, 0, size.width, size.height);
    return this.sampled;
  }

  /**
   * The candidate's mask as an overlay bitmap at preview resolution: tinted inside, veiled
   * outside, a double edge that contrasts with the image under it (overlay-style.ts).
   */
  private maskBitmap(m: MaskLayer): HTMLCanvasElement | undefined {
    if (!this.image) return undefined;
    const size = previewMaskSize(this.image, this.fit, window.devicePixelRatio || 1);
    if (m.canvas && m.size && m.size.width === size.width && m.size.height === size.height) return m.canvas;
    const under = this.imageAt(size);
    if (!under) return undefined;
    const mask = candidateMask(m.prediction, m.candidate, size);
    const style = chooseOverlayStyle(under, mask, m.hover);
    // Each of the two lines is one CSS pixel wide whatever the zoom and screen density.
    const perCss = size.width / Math.max(1e-6, this.image.width * this.fit.scale);
    const px = paintOverlay(mask, under, style, Math.max(1, Math.round(perCss)));
    const c = document.createElement('canvas');
    c.width = size.width;
    c.height = size.height;
    c.getContext('2d')!.putImageData(new ImageData(px, size.width, size.height), 0, 0);
    m.canvas = c;
    m.size = size;
    m.style = style;
    return c;
  }

  /** The colours the overlay uses now (tests; undefined when no mask is shown). */
  get overlayStyle(): OverlayStyle | undefined {
    return this.mask?.style;
  }

  /**
   * Traced paths, in image pixels: the edge of a vector mask (drawn clipped above) or an
   * outline's stroke over the image; a dark line under a light one so they read on any image.
   */
  private drawPaths(paths: Array<{ path: Path2D; rule: CanvasFillRule }>, output: 'vector-mask' | 'outline', dpr: number): void {
    const ctx = this.ctx;
    const f = this.fit;
    const k = dpr * f.scale;
    ctx.save();
    ctx.setTransform(k, 0, 0, k, dpr * f.x, dpr * f.y);
    const px = 1 / f.scale; // one CSS pixel in image units
    const { brand } = this.colors();
    ctx.lineJoin = 'round';
    ctx.strokeStyle = 'rgba(0,0,0,0.85)';
    ctx.lineWidth = 3.5 * px;
    for (const p of paths) ctx.stroke(p.path);
    ctx.strokeStyle = output === 'outline' ? `rgb(${brand.join(',')})` : '#ffffff';
    ctx.lineWidth = 1.5 * px;
    for (const p of paths) ctx.stroke(p.path);
    ctx.restore();
  }

  draw(): void {
    const ctx = this.ctx;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.el.width, this.el.height);
    const img = this.image;
    if (!img || !this.bitmap) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const f = this.fit;
    const w = img.width * f.scale;
    const h = img.height * f.scale;
    const pattern = this.checkerPattern();
    if (pattern) {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = pattern;
      ctx.fillRect(Math.round(f.x * dpr), Math.round(f.y * dpr), Math.round(w * dpr), Math.round(h * dpr));
      ctx.restore();
    }
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    const pv = this.preview;
    if (pv?.output === 'cutout') {
      // The cut object alone on the checkerboard, where it will sit.
      const a = imageToView(f, { x: pv.rect.x, y: pv.rect.y });
      ctx.drawImage(pv.bitmap, a.x, a.y, pv.rect.width * f.scale, pv.rect.height * f.scale);
    } else if (pv?.output === 'vector-mask') {
      // The image masked by the traced path, on the checkerboard: what the mask group shows.
      ctx.save();
      ctx.setTransform(dpr * f.scale, 0, 0, dpr * f.scale, dpr * f.x, dpr * f.y);
      const all = new Path2D();
      for (const p of pv.paths) all.addPath(p.path);
      ctx.clip(all, pv.paths[0]?.rule ?? 'nonzero');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.drawImage(this.bitmap, f.x, f.y, w, h);
      ctx.restore();
    } else {
      ctx.drawImage(this.bitmap, f.x, f.y, w, h);
    }
    if (pv && pv.output !== 'cutout') {
      this.drawPaths(pv.paths, pv.output, dpr);
    } else if (this.mask && !pv) {
      const bm = this.maskBitmap(this.mask);
      if (bm) {
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(bm, f.x, f.y, w, h);
        ctx.imageSmoothingEnabled = true;
      }
    }

    const { brand, danger } = this.colors();
    const box = this.dragBox ?? this.prompt.box;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (box) {
      const a = imageToView(f, { x: box.x0, y: box.y0 });
      const b = imageToView(f, { x: box.x1, y: box.y1 });
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = `rgb(${brand.join(',')})`;
      ctx.setLineDash(this.dragBox ? [4, 3] : []);
      ctx.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
      ctx.setLineDash([]);
    }

    for (const p of this.prompt.points) {
      const v = imageToView(f, p);
      ctx.beginPath();
      ctx.arc(v.x, v.y, 5.5, 0, Math.PI * 2);
      ctx.fillStyle = p.label === 1 ? `rgb(${brand.join(',')})` : `rgb(${danger.join(',')})`;
      ctx.shadowColor = 'rgba(0,0,0,0.35)';
      ctx.shadowBlur = 3;
      ctx.fill();
      ctx.shadowBlur = 0;
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
      // + / − glyph
      ctx.beginPath();
      ctx.moveTo(v.x - 2.5, v.y);
      ctx.lineTo(v.x + 2.5, v.y);
      if (p.label === 1) {
        ctx.moveTo(v.x, v.y - 2.5);
        ctx.lineTo(v.x, v.y + 2.5);
      }
      ctx.lineWidth = 1.3;
      ctx.stroke();
    }
  }
}
