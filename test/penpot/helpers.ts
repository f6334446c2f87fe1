/** Test-side helpers for plugin/penpot against the faithful fake (independent geometry included). */
import { startPenpotPlugin } from '../../plugin/penpot/plugin.js';
import type { HostMessage } from '../../plugin/protocol.js';
import { PROTOCOL_VERSION } from '../../plugin/protocol.js';
import { type PluginSession, type Pt, pluginSession } from '../helpers/plugin-session.js';
import type { SourceInfo } from '../../plugin/protocol.js';
import { type FakePenpot, type FakePenpotOptions, type Mat, ap, createFakePenpot, exportBounds, inv, localToPage } from './fake/index.js';

export { apply, crop, cropPng, expectPoints, type Pt, requestImage } from '../helpers/plugin-session.js';
export type Of<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

export type Session = PluginSession<FakePenpot>;

/** A fake Penpot installed as the global; build the document with `build`, then the plugin starts. */
export function session(build: (fake: FakePenpot) => void, options: FakePenpotOptions & { command?: string } = {}): Session {
  const fake = createFakePenpot({ quiet: true, ...options });
  return pluginSession(fake, build, () => fake.resetHistory(), () => startPenpotPlugin(options.command));
}

export async function ready(s: Session): Promise<{ init: Of<'init'>; selection: Of<'selection'> }> {
  const from = s.fake.ui.received.length;
  s.fake.ui.send({ type: 'ready', version: PROTOCOL_VERSION });
  const init = await s.fake.ui.waitFor<Of<'init'>>((m) => m.type === 'init', { from });
  const selection = await s.fake.ui.waitFor<Of<'selection'>>((m) => m.type === 'selection', { from });
  return { init, selection };
}

/** The TRUE local → page map of a shape, from the fake's model (not from what the API reports). */
export function truePageMap(fake: FakePenpot, id: string): Mat {
  return localToPage(fake.docOf(id).get(id).g);
}

/** Page corners of a shape's box: TL, TR, BR, BL (true geometry). */
export function pageCorners(fake: FakePenpot, id: string): Pt[] {
  const g = fake.docOf(id).get(id).g;
  const m = localToPage(g);
  return [ap(m, 0, 0), ap(m, g.w, 0), ap(m, g.w, g.h), ap(m, 0, g.h)];
}

/** Page position of image pixel (px, py) of a STRETCHED image fill on shape `id` whose image is W×H. */
export function stretchedImageToPage(fake: FakePenpot, id: string, W: number, H: number, px: number, py: number): Pt {
  const g = fake.docOf(id).get(id).g;
  return ap(localToPage(g), (px * g.w) / W, (py * g.h) / H);
}

type Described = Pick<SourceInfo, 'origin' | 'width' | 'height'>;

/**
 * source pixels → page for a source the plugin described as `info`, from the fake's own model:
 * a stretched fill's image pixels through the shape's TRUE geometry, or an export's pixels over
 * the box the fake renders exports of that shape at.
 */
export function sourceToPage(fake: FakePenpot, id: string, info: Described): Mat {
  const doc = fake.docOf(id);
  const s = doc.get(id);
  if (info.origin === 'fill') {
    const m = localToPage(s.g);
    const sx = s.g.w / info.width;
    const sy = s.g.h / info.height;
    return [
      [m[0][0] * sx, m[0][1] * sy, m[0][2]],
      [m[1][0] * sx, m[1][1] * sy, m[1][2]],
    ];
  }
  const box = exportBounds(doc, s);
  return [
    [box.width / info.width, 0, box.x],
    [0, box.height / info.height, box.y],
  ];
}

/** Page corners TL, TR, BR, BL of a rectangle of source pixels. */
export function sourceRectToPage(fake: FakePenpot, id: string, info: Described, r: { x: number; y: number; width: number; height: number }): Pt[] {
  const m = sourceToPage(fake, id, info);
  return [ap(m, r.x, r.y), ap(m, r.x + r.width, r.y), ap(m, r.x + r.width, r.y + r.height), ap(m, r.x, r.y + r.height)];
}

/** page → source pixels (the inverse of sourceToPage). */
export function pageToSource(fake: FakePenpot, id: string, info: Described): Mat {
  return inv(sourceToPage(fake, id, info));
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
