/** "Split into layers" in Penpot (the faithful fake): one group right above the source, top-first, all or nothing, one undo step. */
import { describe, expect, it } from 'vitest';
import type { Shape } from '@penpot/plugin-types';
import { encodePng } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import type { SplitPayload } from '../../plugin/protocol.js';
import { type FakePenpot, board, colorShape, coordinatePng, imageShape, renderRgba } from './fake/index.js';
import { type Of, type Session, cropPng, ready, requestImage, session } from './helpers.js';

type R = { x: number; y: number; width: number; height: number };
const W = 64;
const H = 48;
const BIG: R = { x: 4, y: 4, width: 40, height: 30 };
const SMALL: R = { x: 20, y: 10, width: 10, height: 8 };

function background(image: RgbaImage, holes: R[]): Uint8Array {
  const data = image.data.slice();
  for (const r of holes) for (let y = r.y; y < r.y + r.height; y++) for (let x = r.x; x < r.x + r.width; x++) data[(y * image.width + x) * 4 + 3] = 0;
  return encodePng({ width: image.width, height: image.height, data }, { level: 1 });
}

async function payload(s: Session, src: Shape): Promise<SplitPayload> {
  const { image } = await requestImage(s, src.id);
  return {
    sourceId: src.id,
    output: 'cutout',
    objects: [
      { name: 'Small', png: cropPng(image, SMALL), rect: SMALL },
      { name: 'Big', png: cropPng(image, BIG), rect: BIG },
    ],
    background: { name: 'Background', png: background(image, [SMALL, BIG]), rect: { x: 0, y: 0, width: image.width, height: image.height } },
  };
}

async function split(s: Session, p: SplitPayload) {
  const reply = await s.fake.ui.request<Of<'applied'> | Of<'error'>>({ type: 'split-apply', requestId: s.nextId(), payload: p });
  await s.plugin.idle();
  return reply;
}

/** Where `b` is opaque, the share of pixels equal to `a`, and how many it covers. */
function sameWhereShown(fake: FakePenpot, sourceId: string, resultId: string): { covered: number; equal: number } {
  const doc = fake.doc;
  const b = doc.bounds(doc.get(sourceId));
  const box = { x: Math.floor(b.x), y: Math.floor(b.y), width: Math.ceil(b.width), height: Math.ceil(b.height) };
  const a = renderRgba(doc, doc.get(sourceId), box, box.width, box.height).rgba;
  const r = renderRgba(doc, doc.get(resultId), box, box.width, box.height).rgba;
  let covered = 0;
  let equal = 0;
  for (let i = 0; i < r.data.length; i += 4) {
    if (r.data[i + 3] !== 255) continue;
    covered++;
    if (r.data[i] === a.data[i] && r.data[i + 1] === a.data[i + 1] && r.data[i + 2] === a.data[i + 2]) equal++;
  }
  return { covered, equal: covered ? equal / covered : 0 };
}

describe('split into layers (Penpot)', () => {
  it('one group right above the source, smaller objects on top, the background at the bottom; together they show the source', async () => {
    let src!: Shape;
    const s = session((f) => {
      colorShape(f, { x: 0, y: 0, width: 20, height: 20, name: 'Below' });
      src = imageShape(f, { bytes: coordinatePng(W, H), x: 40, y: 30, width: 128, height: 96, name: 'Photo' });
      colorShape(f, { x: 300, y: 0, width: 20, height: 20, name: 'Above' });
    });
    await ready(s);
    const before = JSON.stringify(s.fake.doc.get(src.id));
    const reply = await split(s, await payload(s, src));
    if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
    expect(reply.nodeIds).toHaveLength(1);
    const g = s.fake.doc.get(reply.nodeIds[0]!);
    expect(g.type).toBe('group');
    expect(g.name).toBe('Layers – Photo');
    const siblings = s.fake.doc.parent(s.fake.doc.get(src.id))!.children;
    expect(siblings.indexOf(g.id)).toBe(siblings.indexOf(src.id) + 1);
    // Penpot lists children bottom-first.
    expect(g.children.map((id) => s.fake.doc.get(id).name)).toEqual(['Background', 'Big', 'Small']);
    expect(s.fake.shape(g.id).getPluginData('source')).toBe(src.id);
    expect(JSON.stringify(s.fake.doc.get(src.id))).toBe(before);
    const { covered, equal } = sameWhereShown(s.fake, src.id, g.id);
    expect(covered).toBeGreaterThan(128 * 96 * 0.9);
    expect(equal).toBeGreaterThan(0.99);
  });

  it('vector masks: each object a mask group with a copy of the source', async () => {
    let src!: Shape;
    const s = session((f) => {
      src = imageShape(f, { bytes: coordinatePng(W, H), x: 0, y: 0, width: 128, height: 96, name: 'Photo' });
    });
    await ready(s);
    const { source: info } = await requestImage(s, src.id);
    const sx = info.width / W;
    const sy = info.height / H;
    const rectPath = (r: R) => `M ${r.x * sx} ${r.y * sy} L ${(r.x + r.width) * sx} ${r.y * sy} L ${(r.x + r.width) * sx} ${(r.y + r.height) * sy} L ${r.x * sx} ${(r.y + r.height) * sy} Z`;
    const reply = await split(s, {
      sourceId: src.id,
      output: 'vector-mask',
      objects: [
        { name: 'Small', paths: [{ windingRule: 'NONZERO', data: rectPath(SMALL) }] },
        { name: 'Big', paths: [{ windingRule: 'NONZERO', data: rectPath(BIG) }] },
      ],
    });
    if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
    const g = s.fake.doc.get(reply.nodeIds[0]!);
    expect(g.children.map((id) => s.fake.doc.get(id).name)).toEqual(['Big', 'Small']);
    for (const id of g.children) expect(s.fake.doc.get(id).masked).toBe(true);
    const { covered, equal } = sameWhereShown(s.fake, src.id, g.id);
    expect(covered).toBeGreaterThan(80 * 60 * 0.9);
    expect(equal).toBeGreaterThan(0.99);
  });

  it('in a flex board the group is absolute, over the source; the other children do not move', async () => {
    let src!: Shape;
    let other!: Shape;
    const s = session((f) => {
      const row = board(f, { x: 0, y: 0, width: 400, height: 120, flex: true, name: 'Row' });
      src = imageShape(f, { bytes: coordinatePng(W, H), width: 128, height: 96, parent: row, name: 'In row' });
      other = colorShape(f, { width: 50, height: 50, parent: row, name: 'Swatch' });
    });
    await ready(s);
    const where = (id: string) => JSON.stringify(s.fake.doc.bounds(s.fake.doc.get(id)));
    const [srcAt, otherAt] = [where(src.id), where(other.id)];
    const reply = await split(s, await payload(s, src));
    if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
    const g = s.fake.doc.get(reply.nodeIds[0]!);
    expect(g.layoutAbsolute).toBe(true);
    expect(where(src.id)).toBe(srcAt);
    expect(where(other.id)).toBe(otherAt);
    expect(where(g.id)).toBe(srcAt);
  });

  it('one undo step; a failure after some layers were made leaves the file as it was', async () => {
    let src!: Shape;
    const s = session((f) => {
      src = imageShape(f, { bytes: coordinatePng(W, H), x: 0, y: 0, width: 128, height: 96 });
    });
    await ready(s);
    const p = await payload(s, src);
    const before = JSON.stringify(s.fake.dump());
    const bad = await split(s, { ...p, background: { name: 'Background', png: new Uint8Array([1, 2, 3]), rect: { x: 0, y: 0, width: W, height: H } } });
    expect(bad).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/PNG/) } });
    expect(JSON.stringify(s.fake.dump())).toBe(before);
    // (Penpot's undo block is closed even when nothing was kept: the pairing is required.)
    const entries = s.fake.undoEntries.length;
    const ok = await split(s, p);
    expect(ok.type).toBe('applied');
    expect(s.fake.undoEntries).toHaveLength(entries + 1);
    s.fake.undoLast();
    expect(JSON.stringify(s.fake.dump())).toBe(before);
  });
});
