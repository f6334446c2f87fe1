/**
 * A small software renderer for the fake's exportAsync: what Figma would draw for the subset
 * the tests use. One sample at each pixel centre (no anti-aliasing), nearest-neighbour image
 * sampling, source-over compositing, layer opacity, frame clipping (with corner radius),
 * alpha masks (a mask clips the siblings above it), image fills in all four scale modes,
 * solid fills, rectangles/frames/ellipses/vectors. Not drawn: strokes, effects, text, blend
 * modes other than normal, gradients (these throw or are skipped, never faked).
 */
import type { RgbaImage } from '../../../core/image/types.js';
import { type Mat, ap, inv } from './affine.js';
import type { FakeDoc, Rect4 } from './doc.js';
import type { FNode } from './nodes.js';
import { isFrameLike } from './nodes.js';
import { flatten, parseStrict, winding } from './paths.js';

type RGBA = [number, number, number, number]; // premultiplied, 0..1

interface NodeCache {
  inv: Mat;
  w: number;
  h: number;
  polys?: { polys: number[][]; evenOdd: boolean }[];
}

class Renderer {
  private readonly cache = new Map<FNode, NodeCache>();

  constructor(private readonly doc: FakeDoc) {}

  private info(n: FNode): NodeCache {
    let c = this.cache.get(n);
    if (!c) {
      const { width: w, height: h } = this.doc.size(n);
      c = { inv: inv(this.doc.absTransform(n)), w, h };
      if (n.type === 'VECTOR') {
        c.polys = n.s.vectorPaths.map((p) => ({ polys: flatten(parseStrict(p.data)), evenOdd: p.windingRule === 'EVENODD' }));
      }
      this.cache.set(n, c);
    }
    return c;
  }

  private inside(n: FNode, c: NodeCache, lx: number, ly: number): boolean {
    const { w, h } = c;
    switch (n.type) {
      case 'RECTANGLE':
      case 'FRAME':
      case 'COMPONENT':
      case 'INSTANCE': {
        if (!(lx >= 0 && ly >= 0 && lx < w && ly < h)) return false;
        const r = Math.min(n.s.cornerRadius, w / 2, h / 2);
        if (r > 0) {
          const cx = lx < r ? r : lx > w - r ? w - r : lx;
          const cy = ly < r ? r : ly > h - r ? h - r : ly;
          if ((lx - cx) ** 2 + (ly - cy) ** 2 > r * r) return false;
        }
        return true;
      }
      case 'ELLIPSE': {
        const dx = (lx - w / 2) / (w / 2);
        const dy = (ly - h / 2) / (h / 2);
        return dx * dx + dy * dy <= 1;
      }
      case 'VECTOR':
        return (c.polys ?? []).some((p) => {
          const wn = winding(p.polys, lx, ly);
          return p.evenOdd ? wn % 2 !== 0 : wn !== 0;
        });
      default:
        return false;
    }
  }

  private fillColor(p: Record<string, unknown>, n: FNode, c: NodeCache, lx: number, ly: number): RGBA {
    const opacity = (p.opacity as number | undefined) ?? 1;
    if (p.type === 'SOLID') {
      const col = p.color as { r: number; g: number; b: number };
      return [col.r * opacity, col.g * opacity, col.b * opacity, opacity];
    }
    if (p.type === 'IMAGE') {
      if (p.imageHash === null) return [0, 0, 0, 0];
      const f = p.filters as Record<string, number> | undefined;
      if (f && Object.values(f).some((v) => v !== 0)) throw new Error('fake: rendering image filters is not emulated');
      const img = this.doc.images.pixels(p.imageHash as string);
      // ImagePaint.rotation (multiples of 90, FILL / FIT / TILE; CROP carries its turn in
      // imageTransform): the image is turned first, then fitted or tiled as a W'×H' image. The
      // fake turns it clockwise on screen, as Figma's "rotate 90°" button does.
      const turns = p.scaleMode === 'CROP' ? 0 : ((Math.round(((p.rotation as number | undefined) ?? 0) / 90) % 4) + 4) % 4;
      const W = turns % 2 ? img.height : img.width;
      const H = turns % 2 ? img.width : img.height;
      const { w, h } = c;
      let u: number;
      let v: number;
      switch (p.scaleMode) {
        case 'FILL':
        case 'FIT': {
          const s = p.scaleMode === 'FILL' ? Math.max(w / W, h / H) : Math.min(w / W, h / H);
          u = (lx - (w - W * s) / 2) / s;
          v = (ly - (h - H * s) / 2) / s;
          break;
        }
        case 'CROP': {
          // imageTransform maps the node's normalised space to the image's normalised space.
          const t = p.imageTransform as Mat;
          const q = ap(t, lx / w, ly / h);
          u = q[0] * W;
          v = q[1] * H;
          break;
        }
        case 'TILE': {
          const k = (p.scalingFactor as number | undefined) ?? 0.5;
          u = ((lx / k) % W + W) % W;
          v = ((ly / k) % H + H) % H;
          break;
        }
        default:
          throw new Error(`fake: unknown scaleMode ${String(p.scaleMode)}`);
      }
      if (u < 0 || v < 0 || u >= W || v >= H) return [0, 0, 0, 0];
      // (u, v) in the turned image → the stored pixel (turned clockwise: (x, y) → (H₀ − y, x)).
      const [su, sv] = turns === 1 ? [v, img.height - u] : turns === 2 ? [img.width - u, img.height - v] : turns === 3 ? [img.width - v, u] : [u, v];
      const ui = Math.min(img.width - 1, Math.floor(su));
      const vi = Math.min(img.height - 1, Math.floor(sv));
      if (ui < 0 || vi < 0) return [0, 0, 0, 0];
      const o = (vi * img.width + ui) * 4;
      const a = (img.data[o + 3] / 255) * opacity;
      return [(img.data[o] / 255) * a, (img.data[o + 1] / 255) * a, (img.data[o + 2] / 255) * a, a];
    }
    throw new Error(`fake: rendering ${String(p.type)} paints is not emulated`);
  }

  paint(n: FNode, x: number, y: number, isRoot: boolean): RGBA {
    const s = n.s;
    if (!isRoot && !s.visible) return [0, 0, 0, 0];
    let out: RGBA = [0, 0, 0, 0];
    const c = this.info(n);
    const l = ap(c.inv, x, y);
    if (n.type !== 'GROUP' && n.type !== 'TEXT') {
      const fills = (s.fills as unknown as Record<string, unknown>[]).filter((p) => p.visible !== false);
      if (fills.length > 0 && this.inside(n, c, l[0], l[1])) {
        for (const p of fills) out = over(this.fillColor(p, n, c, l[0], l[1]), out);
      }
    }
    if (s.children.length > 0) {
      const clip = isFrameLike(n.type) && s.clipsContent;
      if (!clip || this.inside(n, c, l[0], l[1])) {
        let mask: number | null = null;
        for (const id of s.children) {
          const child = this.doc.node(id);
          if (!child.s.visible) continue;
          if (child.s.isMask) {
            mask = this.paint(child, x, y, false)[3];
            continue;
          }
          let col = this.paint(child, x, y, false);
          if (mask !== null) col = [col[0] * mask, col[1] * mask, col[2] * mask, col[3] * mask];
          out = over(col, out);
        }
      }
    }
    const o = s.opacity;
    return o === 1 ? out : [out[0] * o, out[1] * o, out[2] * o, out[3] * o];
  }
}

function over(src: RGBA, dst: RGBA): RGBA {
  const k = 1 - src[3];
  return [src[0] + dst[0] * k, src[1] + dst[1] * k, src[2] + dst[2] * k, src[3] + dst[3] * k];
}

/** Renders `root` over the page-space rectangle `box` into pw × ph RGBA pixels. */
export function renderToRgba(doc: FakeDoc, root: FNode, box: Rect4, pw: number, ph: number): RgbaImage {
  const r = new Renderer(doc);
  const data = new Uint8Array(pw * ph * 4);
  const sx = box.width / pw;
  const sy = box.height / ph;
  for (let j = 0; j < ph; j++) {
    const y = box.y + (j + 0.5) * sy;
    for (let i = 0; i < pw; i++) {
      const c = r.paint(root, box.x + (i + 0.5) * sx, y, true);
      const o = (j * pw + i) * 4;
      const a = c[3];
      if (a > 0) {
        data[o] = Math.round(Math.min(1, c[0] / a) * 255);
        data[o + 1] = Math.round(Math.min(1, c[1] / a) * 255);
        data[o + 2] = Math.round(Math.min(1, c[2] / a) * 255);
        data[o + 3] = Math.round(Math.min(1, a) * 255);
      }
    }
  }
  return { width: pw, height: ph, data };
}
