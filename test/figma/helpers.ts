/** Test-side helpers for plugin/figma tests against the fake (independent geometry included). */
import { afterEach, expect } from 'vitest';
import { decodeImage } from '../../core/image/decode.js';
import { encodePng } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import type { ApplyPayload, HostMessage, SourceInfo } from '../../plugin/protocol.js';
import { type PluginController, startPlugin } from '../../plugin/figma/plugin.js';
import { type Mat, ap, inv, mul } from './fake/affine.js';
import { renderToRgba } from './fake/render.js';
import { type FakeFigma, type FakeFigmaOptions, type FNode, type FScene, createFakeFigma } from './fake/index.js';

export type Pt = [number, number];

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

export interface Session {
  fake: FakeFigma;
  plugin: PluginController;
  nextId(): number;
}

/** A fake Figma installed as the global; build the document with `build`, then the plugin starts. */
export function session(build: (fake: FakeFigma) => void, options: FakeFigmaOptions = {}): Session {
  const fake = createFakeFigma(options);
  cleanups.push(fake.install());
  build(fake);
  fake.baseline();
  const plugin = startPlugin();
  cleanups.push(() => plugin.dispose());
  let id = 100;
  return { fake, plugin, nextId: () => id++ };
}

export async function requestImage(s: Session, sourceId: string): Promise<{ source: SourceInfo; image: RgbaImage; bytes: Uint8Array }> {
  const reply = await s.fake.ui.request<HostMessage>({ type: 'request-image', requestId: s.nextId(), sourceId });
  if (reply.type !== 'image') throw new Error(`expected image, got ${JSON.stringify(reply)}`);
  return { source: reply.source, image: decodeImage(reply.bytes), bytes: reply.bytes };
}

export async function apply(s: Session, payload: ApplyPayload): Promise<HostMessage> {
  const reply = await s.fake.ui.request<HostMessage>({ type: 'apply', requestId: s.nextId(), payload });
  await s.plugin.idle();
  return reply;
}

export function crop(img: RgbaImage, r: { x: number; y: number; width: number; height: number }): RgbaImage {
  const out = new Uint8Array(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) {
    out.set(img.data.subarray(((r.y + y) * img.width + r.x) * 4, ((r.y + y) * img.width + r.x + r.width) * 4), y * r.width * 4);
  }
  return { width: r.width, height: r.height, data: out };
}

export function cropPng(img: RgbaImage, r: { x: number; y: number; width: number; height: number }): Uint8Array {
  return encodePng(crop(img, r), { level: 1 });
}

/** Absolute corners of a node's box: TL, TR, BR, BL. */
export function absCorners(n: FScene): Pt[] {
  const t = n.absoluteTransform as unknown as Mat;
  const w = n.width;
  const h = n.height;
  return [ap(t, 0, 0), ap(t, w, 0), ap(t, w, h), ap(t, 0, h)];
}

export function expectPoints(actual: Pt[], expected: Pt[], tol = 0.01): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const dx = Math.abs(actual[i][0] - expected[i][0]);
    const dy = Math.abs(actual[i][1] - expected[i][1]);
    if (dx > tol || dy > tol) {
      throw new Error(`point ${i}: got (${actual[i].join(', ')}), expected (${expected[i].join(', ')}) (tolerance ${tol})`);
    }
  }
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
