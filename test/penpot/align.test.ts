/**
 * Results land exactly over their source in Penpot: checked against the fake's TRUE geometry
 * (its transform model, not what the API reports) and against its renderer.
 */
import { describe, expect, it } from 'vitest';
import type { Shape } from '@penpot/plugin-types';
import { decodePng } from '../../core/image/png.js';
import type { FakePenpot } from './fake/index.js';
import { board, coordinatePng, decodeCoordinate, group, imageShape, markComponent, renderRgba } from './fake/index.js';
import { type Of, apply, cropPng, expectPoints, pageCorners, ready, requestImage, session, sourceRectToPage } from './helpers.js';

const W = 64;
const H = 48;
const RECT = { x: 8, y: 6, width: 40, height: 30 };

interface Case {
  name: string;
  spec: {
    x: number;
    y: number;
    width: number;
    height: number;
    rotation?: number;
    flipX?: boolean;
    flipY?: boolean;
    reports?: { rotation?: number; flipX?: boolean; flipY?: boolean };
  };
  origin: 'fill' | 'export';
}

const CASES: Case[] = [
  { name: 'straight', spec: { x: 100, y: 50, width: 128, height: 96 }, origin: 'fill' },
  { name: 'rotated 30°', spec: { x: 100, y: 50, width: 128, height: 96, rotation: 30 }, origin: 'fill' },
  { name: 'rotated 150°', spec: { x: 300, y: 80, width: 96, height: 64, rotation: 150 }, origin: 'fill' },
  {
    // What Penpot's API says of a layer the user turned 150° in one go: rotated AND mirrored twice.
    name: 'rotated 150° in one step (reported as rotation 150 + flipX + flipY)',
    spec: { x: 300, y: 80, width: 96, height: 64, rotation: 150, reports: { rotation: 150, flipX: true, flipY: true } },
    origin: 'export',
  },
  { name: 'flipped horizontally', spec: { x: 40, y: 40, width: 128, height: 96, flipX: true }, origin: 'export' },
  { name: 'flipped and rotated 75°', spec: { x: 40, y: 40, width: 100, height: 80, flipY: true, rotation: 75 }, origin: 'export' },
];

async function cutout(s: { fake: FakePenpot } & Parameters<typeof apply>[0], src: Shape) {
  const { image, source } = await requestImage(s, src.id);
  const reply = await apply(s, { sourceId: src.id, output: 'cutout', png: cropPng(image, RECT), rect: RECT, hideSource: false });
  if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
  return { id: reply.nodeIds[0], info: source };
}

describe('cutout alignment', () => {
  for (const c of CASES) {
    it(`${c.name}: read from ${c.origin === 'fill' ? 'the original image' : 'a rendering'}; the cutout's corners are its pixels', to 0.01 px; rendering matches pixel for pixel`, async () => {
      let src!: Shape;
      const s = session((f) => {
        src = imageShape(f, { bytes: coordinatePng(W, H), name: 'Photo', ...c.spec });
      });
      await ready(s);
      const before = JSON.stringify(s.fake.dump());
      const { id, info } = await cutout(s, src);
      expect(info.origin).toBe(c.origin);
      if (c.origin === 'export') expect(info.note).toMatch(/orientation/);
      expectPoints(pageCorners(s.fake, id), sourceRectToPage(s.fake, src.id, info, RECT));
      // Rendered alone, every pixel of the result shows the same source pixel as the source does.
      const doc = s.fake.doc;
      const b = doc.bounds(doc.get(id));
      const box = { x: Math.floor(b.x), y: Math.floor(b.y), width: Math.ceil(b.width) + 1, height: Math.ceil(b.height) + 1 };
      const mine = renderRgba(doc, doc.get(id), box, box.width, box.height).rgba;
      const theirs = renderRgba(doc, doc.get(src.id), box, box.width, box.height).rgba;
      // source pixels one result pixel may differ by: 1, or 2 through a rendering (its own grid)
      const tol = c.origin === 'fill' ? 1 : 2;
      let compared = 0;
      let off = 0;
      for (let i = 0; i < mine.data.length; i += 4) {
        // where both are opaque (a rendering's border pixels may stick out by part of a pixel)
        if (mine.data[i + 3] < 255 || theirs.data[i + 3] < 255) continue;
        compared++;
        const a = decodeCoordinate(mine.data[i], mine.data[i + 1], mine.data[i + 2]);
        const t = decodeCoordinate(theirs.data[i], theirs.data[i + 1], theirs.data[i + 2]);
        if (Math.abs(a.x - t.x) > tol || Math.abs(a.y - t.y) > tol) off++;
      }
      // A rendering is resampled twice (export, then drawn again): allow a few more edge pixels off.
      expect(compared).toBeGreaterThan(c.origin === 'fill' ? 500 : 150);
      expect(off / compared).toBeLessThan(c.origin === 'fill' ? 0.02 : 0.05);
      // Right above the source, in its parent; the source and everything else untouched.
      const dump = s.fake.dump();
      const ids = (dump.children ?? []).map((d) => d.id);
      expect(ids.indexOf(id)).toBe(ids.indexOf(src.id) + 1);
      const after = JSON.parse(JSON.stringify(dump));
      after.children = after.children.filter((d: { id: string }) => d.id !== id);
      expect(JSON.stringify(after)).toBe(before);
      // What Penpot reports for the result describes it truly (no 180° bookkeeping drift).
      const r = s.fake.shape(id);
      expect(r.flipY).toBe(false);
      // one undo entry removes it
      expect(s.fake.undoEntries).toHaveLength(1);
      s.fake.undoLast();
      expect(JSON.stringify(s.fake.dump())).toBe(before);
    });
  }

  it('cover-fitted image (keepAspectRatio): the cutout is cropped to the part the shape shows', async () => {
    let src!: Shape;
    const s = session((f) => {
      // 64×48 image covering a 100×100 shape: scale 100/48, x overflow (64·100/48 − 100)/2 each side.
      src = imageShape(f, { bytes: coordinatePng(W, H), x: 0, y: 0, width: 100, height: 100, keepAspectRatio: true });
      f.select([src.id]);
    });
    const { selection } = await ready(s);
    const vis = selection.sources[0].visible!;
    expect(vis.y).toBe(0);
    expect(vis.height).toBe(48);
    expect(vis.x).toBeCloseTo(8, 6);
    expect(vis.width).toBeCloseTo(48, 6);
    const { image } = await requestImage(s, src.id);
    const full = { x: 0, y: 0, width: W, height: H };
    const reply = (await apply(s, { sourceId: src.id, output: 'cutout', png: cropPng(image, full), rect: full, hideSource: false })) as Of<'applied'>;
    expect(reply.type).toBe('applied');
    const id = reply.nodeIds[0];
    expectPoints(pageCorners(s.fake, id), [
      [0, 0],
      [100, 0],
      [100, 100],
      [0, 100],
    ]);
    const fill = s.fake.doc.get(id).fills[0];
    const media = s.fake.doc.media.get(fill.fillImage!.id)!;
    const png = decodePng(media.bytes);
    expect([png.width, png.height]).toEqual([48, 48]);
    expect(decodeCoordinate(png.data[0], png.data[1], png.data[2])).toEqual({ x: 8, y: 0 });
  });

  it('nested in a rotated board and a group; inside a component copy the result goes above the copy', async () => {
    let src!: Shape;
    let inCopy!: Shape;
    let copyRoot!: Shape;
    const s = session((f) => {
      const outer = board(f, { x: 20, y: 20, width: 400, height: 300, name: 'Outer', rotation: 20 });
      const a = imageShape(f, { bytes: coordinatePng(W, H), x: 60, y: 60, width: 128, height: 96, parent: outer, name: 'Nested' });
      const b = imageShape(f, { bytes: coordinatePng(W, H), x: 200, y: 80, width: 64, height: 48, parent: outer });
      group(f, [a, b], { name: 'G' });
      src = a;
      copyRoot = board(f, { x: 500, y: 20, width: 200, height: 200, name: 'Card' });
      inCopy = imageShape(f, { bytes: coordinatePng(W, H), x: 520, y: 40, width: 128, height: 96, parent: copyRoot, name: 'Card photo' });
      markComponent(f, copyRoot, 'copy');
    });
    await ready(s);
    const { id, info } = await cutout(s, src);
    expect(s.fake.doc.get(id).parentId).toBe(s.fake.doc.get(src.id).parentId);
    expectPoints(pageCorners(s.fake, id), sourceRectToPage(s.fake, src.id, info, RECT));
    const { id: id2, info: info2 } = await cutout(s, inCopy);
    expect(info2.origin).toBe('fill');
    const parentOfCopy = s.fake.doc.get(copyRoot.id).parentId;
    expect(s.fake.doc.get(id2).parentId).toBe(parentOfCopy);
    const siblings = s.fake.doc.get(parentOfCopy!).children;
    expect(siblings.indexOf(id2)).toBe(siblings.indexOf(copyRoot.id) + 1);
    expectPoints(pageCorners(s.fake, id2), sourceRectToPage(s.fake, inCopy.id, info2, RECT));
  });
});
