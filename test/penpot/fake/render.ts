/**
 * The renderer behind `shape.export({ type: 'png', scale })`: what Penpot would draw for the
 * subset the tests use. One sample at each pixel centre (no anti-aliasing), nearest-neighbour
 * image sampling, source-over compositing, transparent background.
 *
 * Area (common/geom/shapes/bounds.cljc get-object-bounds, ignore-margin? false): the shape's
 * points bounds, grown by stroke / shadow / blur margins, joined with its visible descendants'
 * unless it is a clipping board or a mask group; pixel size = round(bounds × scale) (Penpot's
 * exporter screenshots an element of that size; its exact rounding is not verified).
 *
 * Drawn (main/ui/shapes/*.cljs): rectangles (with per-corner radius), ellipses, boards (fill,
 * then children, clipped to the box when clipContent), paths (nonzero fill rule — Penpot sets
 * no fill-rule on plugin-created paths, so SVG's default applies), solid fills with
 * fillOpacity, image fills (fills are painted last-to-first: fills[0] ends on top), layer
 * opacity, hidden shapes skipped, mask groups (the bottom child's alpha — Penpot floods it
 * white inside an SVG mask — clipped to the mask's outline, applied to the other children, the
 * mask itself not drawn), and board children in layout z order.
 *
 * Image fills (fills.cljs): an SVG <image> over the unrotated box in the shape's local space
 * (so it rotates and mirrors with the shape), preserveAspectRatio "xMidYMid slice" when the
 * fill's keepAspectRatio is true (scaled to cover, centred, overflow clipped) and "none"
 * (stretched) otherwise. The image's own pixel size decides the aspect, as for an <image>.
 *
 * Not drawn, and reported in `notDrawn` (never silently claimed): strokes, shadows, blurs,
 * text, blend modes other than normal. Gradient fills throw.
 */
import { encodePng } from '../../../core/image/png.js';
import type { RgbaImage } from '../../../core/image/types.js';
import { flatten, winding } from '../../figma/fake/paths.js';
import type { FakeDoc, FillState, ShapeState } from './doc.js';
import { type Mat, type Rect, ap, insidePolygon, inv, joinRects, localToPage, pointsOf } from './geometry.js';
import { toSegs } from './svgpath.js';

type RGBA = [number, number, number, number]; // premultiplied, 0..1
const CLEAR: RGBA = [0, 0, 0, 0];

function over(src: RGBA, dst: RGBA): RGBA {
  const k = 1 - src[3];
  return [src[0] + dst[0] * k, src[1] + dst[1] * k, src[2] + dst[2] * k, src[3] + dst[3] * k];
}

function scale4(c: RGBA, k: number): RGBA {
  return k === 1 ? c : [c[0] * k, c[1] * k, c[2] * k, c[3] * k];
}

export function parseHex(hex: string): [number, number, number] {
  let h = hex.slice(1);
  if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
  return [parseInt(h.slice(0, 2), 16) / 255, parseInt(h.slice(2, 4), 16) / 255, parseInt(h.slice(4, 6), 16) / 255];
}

function isOpenPath(s: ShapeState): boolean {
  if (s.type !== 'path' || !s.content) return false;
  // a subpath that draws something and is not ended by Z
  let drawing = false;
  for (const seg of s.content) {
    if (seg.cmd === 'M') {
      if (drawing) return true;
    } else if (seg.cmd === 'Z') drawing = false;
    else drawing = true;
  }
  return drawing;
}

/** calculate-padding: stroke and drop-shadow margins, rounded up. */
function padding(s: ShapeState): { h: number; v: number } {
  const open = isOpenPath(s);
  let sw = 0;
  for (const st of s.strokes) {
    const w = typeof st.strokeWidth === 'number' ? st.strokeWidth : 0;
    const a = (st.strokeAlignment as string | undefined) ?? 'center';
    sw = Math.max(sw, a === 'center' ? w / 2 : a === 'outer' ? w : open ? w : 0);
  }
  const strokeMargin = s.type === 'path' ? sw + Math.sqrt(2 * sw * sw) : Math.sqrt(2 * sw * sw);
  let shw = 0;
  let shh = 0;
  for (const sh of s.shadows) {
    if (sh.hidden || (sh.style ?? 'drop-shadow') !== 'drop-shadow') continue;
    const blur = sh.blur as number;
    const spread = sh.spread as number;
    shw = Math.max(shw, Math.abs(sh.offsetX as number) + spread * 2 + blur * 2 + 10);
    shh = Math.max(shh, Math.abs(sh.offsetY as number) + spread * 2 + blur * 2 + 10);
  }
  return { h: Math.ceil(strokeMargin + shw), v: Math.ceil(strokeMargin + shh) };
}

/** get-rect-filter-bounds: drop shadows and layer blur around `r`. */
function filterBounds(s: ShapeState, r: Rect): Rect {
  const rects = [r];
  for (const sh of s.shadows) {
    if (sh.hidden || (sh.style ?? 'drop-shadow') !== 'drop-shadow') continue;
    const ox = sh.offsetX as number;
    const oy = sh.offsetY as number;
    const blur = sh.blur as number;
    const spread = sh.spread as number;
    rects.push({
      x: Math.min(r.x, r.x + ox - spread - blur - 5),
      y: Math.min(r.y, r.y + oy - spread - blur - 5),
      width: r.width + Math.abs(ox) + spread * 2 + blur * 2 + 10,
      height: r.height + Math.abs(oy) + spread * 2 + blur * 2 + 10,
    });
  }
  const j = joinRects(rects);
  const d = s.blur && !s.blur.hidden ? s.blur.value * 2 : 0;
  return { x: j.x - d, y: j.y - d, width: j.width + 2 * d, height: j.height + 2 * d };
}

function baseBounds(doc: FakeDoc, s: ShapeState): Rect {
  const r = filterBounds(s, doc.bounds(s));
  const p = padding(s);
  return { x: r.x - p.h, y: r.y - p.v, width: r.width + 2 * p.h, height: r.height + 2 * p.v };
}

/** The page-space area `shape.export` captures. */
export function exportBounds(doc: FakeDoc, s: ShapeState): Rect {
  const base = filterBounds(s, doc.bounds(s));
  const pad = padding(s);
  const own = { x: base.x - pad.h, y: base.y - pad.v, width: base.width + 2 * pad.h, height: base.height + 2 * pad.v };
  if (s.children.length === 0 || s.masked || (s.type === 'board' && s.clipContent)) return own;
  const rects: Rect[] = [own];
  const walk = (x: ShapeState) => {
    for (const c of doc.kids(x)) {
      if (c.hidden) continue;
      rects.push(baseBounds(doc, c));
      const descend = c.children.length > 0 && !(c.type === 'board' && c.clipContent) && !(c.type === 'group' && c.masked);
      if (descend) walk(c);
    }
  };
  walk(s);
  return filterBounds(s, joinRects(rects));
}

interface Info {
  inv: Mat;
  w: number;
  h: number;
  polys?: number[][];
  maskOutline?: [number, number][];
}

class Renderer {
  private readonly cache = new Map<string, Info>();
  readonly notDrawn = new Set<string>();

  constructor(private readonly doc: FakeDoc) {}

  private info(s: ShapeState): Info {
    let c = this.cache.get(s.id);
    if (!c) {
      const g = this.doc.geom(s);
      c = { inv: inv(localToPage(g)), w: g.w, h: g.h };
      if (s.type === 'path') c.polys = flatten(toSegs(s.content ?? []));
      this.cache.set(s.id, c);
    }
    return c;
  }

  private inside(s: ShapeState, c: Info, lx: number, ly: number, x: number, y: number): boolean {
    const { w, h } = c;
    switch (s.type) {
      case 'rectangle':
      case 'board': {
        if (!(lx >= 0 && ly >= 0 && lx < w && ly < h)) return false;
        const [r1, r2, r3, r4] = s.radius.map((r) => Math.min(r, w / 2, h / 2));
        const corner = (r: number, cx: number, cy: number) => r > 0 && (lx - cx) ** 2 + (ly - cy) ** 2 > r * r;
        if (lx < r1 && ly < r1 && corner(r1, r1, r1)) return false;
        if (lx > w - r2 && ly < r2 && corner(r2, w - r2, r2)) return false;
        if (lx > w - r3 && ly > h - r3 && corner(r3, w - r3, h - r3)) return false;
        if (lx < r4 && ly > h - r4 && corner(r4, r4, h - r4)) return false;
        return true;
      }
      case 'ellipse': {
        const dx = (lx - w / 2) / (w / 2);
        const dy = (ly - h / 2) / (h / 2);
        return dx * dx + dy * dy <= 1;
      }
      case 'path':
        return winding(c.polys ?? [], x, y) !== 0;
      default:
        return false;
    }
  }

  private fillColor(f: FillState, c: Info, lx: number, ly: number): RGBA {
    const opacity = f.fillOpacity ?? 1;
    if (f.fillColorGradient) throw new Error('fake: rendering gradient fills is not emulated');
    if (f.fillImage) {
      const img = this.doc.media.pixels(f.fillImage.id);
      const W = img.width;
      const H = img.height;
      const { w, h } = c;
      if (!(w > 0 && h > 0)) return CLEAR;
      let u: number;
      let v: number;
      if (f.fillImage.keepAspectRatio) {
        const k = Math.max(w / W, h / H);
        u = (lx - (w - W * k) / 2) / k;
        v = (ly - (h - H * k) / 2) / k;
      } else {
        u = (lx / w) * W;
        v = (ly / h) * H;
      }
      return sample(img, u, v, opacity);
    }
    if (f.fillColor) {
      const [r, g, b] = parseHex(f.fillColor);
      return [r * opacity, g * opacity, b * opacity, opacity];
    }
    return CLEAR;
  }

  paint(s: ShapeState, x: number, y: number): RGBA {
    if (s.hidden) return CLEAR;
    if (s.strokes.length > 0) this.notDrawn.add(`strokes of ${s.type} ${s.id}`);
    if (s.shadows.some((sh) => !sh.hidden)) this.notDrawn.add(`shadows of ${s.type} ${s.id}`);
    if (s.blur && !s.blur.hidden && s.blur.value > 0) this.notDrawn.add(`blur of ${s.type} ${s.id}`);
    if (s.blendMode !== 'normal') this.notDrawn.add(`blend mode ${s.blendMode} of ${s.type} ${s.id}`);
    if (s.type === 'text') {
      this.notDrawn.add(`text ${s.id}`);
      return CLEAR;
    }
    let out: RGBA = CLEAR;
    if (s.type === 'group') {
      const kids = this.doc.kids(s);
      if (s.masked && kids.length > 0) {
        const mask = kids[0];
        const mc = this.info(mask);
        if (!mc.maskOutline) mc.maskOutline = pointsOf(this.doc.geom(mask));
        const a = insidePolygon(mc.maskOutline, x, y) ? this.paint(mask, x, y)[3] : 0;
        if (a > 0) for (const k of kids.slice(1)) out = over(scale4(this.paint(k, x, y), a), out);
      } else {
        for (const k of kids) out = over(this.paint(k, x, y), out);
      }
    } else {
      const c = this.info(s);
      const [lx, ly] = ap(c.inv, x, y);
      const inside = this.inside(s, c, lx, ly, x, y);
      if (inside) for (let i = s.fills.length - 1; i >= 0; i--) out = over(this.fillColor(s.fills[i], c, lx, ly), out);
      if (s.type === 'board' && s.children.length > 0 && (!s.clipContent || inside)) {
        for (const k of this.renderOrder(s)) out = over(this.paint(k, x, y), out);
      }
    }
    return scale4(out, s.opacity);
  }

  /** Children bottom-to-top; layout boards sort by z-index, then lower :shapes index on top. */
  private renderOrder(s: ShapeState): ShapeState[] {
    const kids = this.doc.kids(s);
    if (!s.flex) return kids;
    const reverse = s.flex.dir.endsWith('reverse');
    return kids
      .map((k, i) => ({ k, i }))
      .sort((a, b) => a.k.layoutZIndex - b.k.layoutZIndex || (reverse ? a.i - b.i : b.i - a.i))
      .map((e) => e.k);
  }
}

function sample(img: RgbaImage, u: number, v: number, opacity: number): RGBA {
  const ui = Math.floor(u);
  const vi = Math.floor(v);
  if (ui < 0 || vi < 0 || ui >= img.width || vi >= img.height) return CLEAR;
  const o = (vi * img.width + ui) * 4;
  const a = (img.data[o + 3] / 255) * opacity;
  return [(img.data[o] / 255) * a, (img.data[o + 1] / 255) * a, (img.data[o + 2] / 255) * a, a];
}

export interface RenderResult {
  rgba: RgbaImage;
  box: Rect;
  notDrawn: string[];
}

/** Renders `s` over the page-space rectangle `box` into pw × ph pixels. */
export function renderRgba(doc: FakeDoc, s: ShapeState, box: Rect, pw: number, ph: number): RenderResult {
  const r = new Renderer(doc);
  const data = new Uint8Array(pw * ph * 4);
  const sx = box.width / pw;
  const sy = box.height / ph;
  for (let j = 0; j < ph; j++) {
    const y = box.y + (j + 0.5) * sy;
    for (let i = 0; i < pw; i++) {
      const c = r.paint(s, box.x + (i + 0.5) * sx, y);
      const a = c[3];
      if (a > 0) {
        const o = (j * pw + i) * 4;
        data[o] = Math.round(Math.min(1, c[0] / a) * 255);
        data[o + 1] = Math.round(Math.min(1, c[1] / a) * 255);
        data[o + 2] = Math.round(Math.min(1, c[2] / a) * 255);
        data[o + 3] = Math.round(Math.min(1, a) * 255);
      }
    }
  }
  if (s.hidden) r.notDrawn.add(`the exported shape ${s.id} itself is hidden`);
  return { rgba: { width: pw, height: ph, data }, box, notDrawn: [...r.notDrawn] };
}

export interface ExportResult extends RenderResult {
  png: Uint8Array;
}

export function exportPng(doc: FakeDoc, s: ShapeState, scale: number, maxPixels: number): ExportResult {
  const box = exportBounds(doc, s);
  const pw = Math.max(1, Math.round(box.width * scale));
  const ph = Math.max(1, Math.round(box.height * scale));
  if (pw * ph > maxPixels) throw new Error(`fake: export of ${pw}×${ph} px exceeds the fake's limit of ${maxPixels} pixels`);
  const r = renderRgba(doc, s, box, pw, ph);
  return { ...r, png: encodePng(r.rgba, { level: 1 }) };
}

