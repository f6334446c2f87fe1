/** Test-side helpers for plugin/penpot against the faithful fake (independent geometry included). */
import { afterEach, expect } from 'vitest';
import { decodeImage } from '../../core/image/decode.js';
import { encodePng } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import { type PluginController, startPenpotPlugin } from '../../plugin/penpot/plugin.js';
import type { ApplyPayload, HostMessage, SourceInfo } from '../../plugin/protocol.js';
import { PROTOCOL_VERSION } from '../../plugin/protocol.js';
import { type FakePenpot, type FakePenpotOptions, type Mat, ap, createFakePenpot, localToPage } from './fake/index.js';

export type Pt = [number, number];
export type Of<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

export interface Session {
  fake: FakePenpot;
  plugin: PluginController;
  nextId(): number;
}

/** A fake Penpot installed as the global; build the document with `build`, then the plugin starts. */
export function session(build: (fake: FakePenpot) => void, options: FakePenpotOptions & { command?: string } = {}): Session {
  const fake = createFakePenpot({ quiet: true, ...options });
  cleanups.push(fake.install());
  build(fake);
  fake.resetHistory();
  const plugin = startPenpotPlugin(options.command);
  cleanups.push(() => plugin.dispose());
  let id = 100;
  return { fake, plugin, nextId: () => id++ };
}

export async function ready(s: Session): Promise<{ init: Of<'init'>; selection: Of<'selection'> }> {
  const from = s.fake.ui.received.length;
  s.fake.ui.send({ type: 'ready', version: PROTOCOL_VERSION });
  const init = await s.fake.ui.waitFor<Of<'init'>>((m) => m.type === 'init', { from });
  const selection = await s.fake.ui.waitFor<Of<'selection'>>((m) => m.type === 'selection', { from });
  return { init, selection };
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

/** The TRUE local → page map of a shape, from the fake's model (not from what the API reports). */
export function truePageMap(fake: FakePenpot, id: string): Mat {
  return localToPage(fake.doc.get(id).g);
}

/** Page corners of a shape's box: TL, TR, BR, BL (true geometry). */
export function pageCorners(fake: FakePenpot, id: string): Pt[] {
  const g = fake.doc.get(id).g;
  const m = localToPage(g);
  return [ap(m, 0, 0), ap(m, g.w, 0), ap(m, g.w, g.h), ap(m, 0, g.h)];
}

/** Page position of image pixel (px, py) of a STRETCHED image fill on shape `id` whose image is W×H. */
export function stretchedImageToPage(fake: FakePenpot, id: string, W: number, H: number, px: number, py: number): Pt {
  const g = fake.doc.get(id).g;
  return ap(localToPage(g), (px * g.w) / W, (py * g.h) / H);
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

/** Ids of every shape on the page, in document order. */
export function allIds(fake: FakePenpot): string[] {
  const out: string[] = [];
  const walk = (d: { id: string; children?: unknown[] }) => {
    out.push(d.id);
    for (const c of (d.children ?? []) as Array<{ id: string; children?: unknown[] }>) walk(c);
  };
  walk(fake.dump());
  return out;
}
