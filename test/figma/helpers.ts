/** Test-side helpers for plugin/figma tests against the fake (independent geometry included). */
import type { RgbaImage } from '../../core/image/types.js';
import { startPlugin } from '../../plugin/figma/plugin.js';
import { type PluginSession, type Pt, pluginSession } from '../helpers/plugin-session.js';
import { type Mat, ap, inv, mul } from './fake/affine.js';
import { renderToRgba } from './fake/render.js';
import { type FakeFigma, type FakeFigmaOptions, type FNode, type FScene, createFakeFigma } from './fake/index.js';

export { apply, crop, cropPng, expectPoints, type Pt, requestImage } from '../helpers/plugin-session.js';

export type Session = PluginSession<FakeFigma>;

/** A fake Figma installed as the global; build the document with `build`, then the plugin starts. */
export function session(build: (fake: FakeFigma) => void, options: FakeFigmaOptions = {}): Session {
  const fake = createFakeFigma(options);
  return pluginSession(fake, build, () => fake.baseline(), startPlugin);
}

/** Absolute corners of a node's box: TL, TR, BR, BL. */
export function absCorners(n: FScene): Pt[] {
  const t = n.absoluteTransform as unknown as Mat;
  const w = n.width;
  const h = n.height;
  return [ap(t, 0, 0), ap(t, w, 0), ap(t, w, h), ap(t, 0, h)];
}

/**
 * Where image pixel (u, v) of an image-filled node lands on the page, written independently of
 * plugin/figma/placement.ts: FILL/FIT centre the scaled image; CROP's imageTransform maps the
 * node's normalised space to the image's normalised space, so the image sits at its inverse.
 */
export function fillImageToPage(node: FScene, mode: 'FILL' | 'FIT' | 'CROP', W: number, H: number, T?: Mat): (u: number, v: number) => Pt {
  const A = node.absoluteTransform as unknown as Mat;
  const w = node.width;
  const h = node.height;
  let toLocal: Mat;
  if (mode === 'CROP') {
    const Ti = inv(T!);
    toLocal = mul(
      [
        [w, 0, 0],
        [0, h, 0],
      ],
      mul(Ti, [
        [1 / W, 0, 0],
        [0, 1 / H, 0],
      ]),
    );
  } else {
    const s = mode === 'FILL' ? Math.max(w / W, h / H) : Math.min(w / W, h / H);
    toLocal = [
      [s, 0, (w - W * s) / 2],
      [0, s, (h - H * s) / 2],
    ];
  }
  const m = mul(A, toLocal);
  return (u, v) => ap(m, u, v);
}

/** Export pixels ↔ page: the export covers the node's axis-aligned absolute box. */
export function exportImageToPage(node: FScene, pw: number, ph: number): (u: number, v: number) => Pt {
  const c = absCorners(node);
  const x0 = Math.min(...c.map((p) => p[0]));
  const y0 = Math.min(...c.map((p) => p[1]));
  const x1 = Math.max(...c.map((p) => p[0]));
  const y1 = Math.max(...c.map((p) => p[1]));
  return (u, v) => [x0 + (u * (x1 - x0)) / pw, y0 + (v * (y1 - y0)) / ph];
}

export function rectCorners(f: (u: number, v: number) => Pt, r: { x: number; y: number; width: number; height: number }): Pt[] {
  return [f(r.x, r.y), f(r.x + r.width, r.y), f(r.x + r.width, r.y + r.height), f(r.x, r.y + r.height)];
}

/** Renders the current page over `box` (page units) at `scale`, with some layers hidden. */
export function renderPage(fake: FakeFigma, box: { x: number; y: number; width: number; height: number }, scale: number, hide: FScene[] = []): RgbaImage {
  const saved = hide.map((n) => n.s.visible);
  hide.forEach((n) => (n.s.visible = false));
  try {
    return renderToRgba(fake.doc, fake.page as unknown as FNode, box, Math.round(box.width * scale), Math.round(box.height * scale));
  } finally {
    hide.forEach((n, i) => (n.s.visible = saved[i]));
  }
}

/**
 * Where `b` is opaque, how many pixels equal `a` (fraction), and how many pixels `b` covers.
 * Used to check a result shows exactly the source's pixels where it covers them.
 */
export function agreement(a: RgbaImage, b: RgbaImage): { covered: number; equal: number } {
  let covered = 0;
  let equal = 0;
  for (let i = 0; i < b.data.length; i += 4) {
    if (b.data[i + 3] !== 255) continue;
    covered++;
    if (a.data[i] === b.data[i] && a.data[i + 1] === b.data[i + 1] && a.data[i + 2] === b.data[i + 2] && a.data[i + 3] === 255) equal++;
  }
  return { covered, equal: covered ? equal / covered : 0 };
}

/** The node's state minus what may legitimately differ (id-independent JSON). */
export function stateOf(n: FNode): string {
  const { ...s } = n.s;
  return JSON.stringify(s);
}
