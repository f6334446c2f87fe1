/** Vector masks, outlines and layout/undo/safety behaviour of plugin/penpot against the fake. */
import { describe, expect, it } from 'vitest';
import type { Shape } from '@penpot/plugin-types';
import type { FakePenpot } from './fake/index.js';
import type { SourceInfo } from '../../plugin/protocol.js';
import { ap, board, colorShape, coordinatePng, decodeCoordinate, imageShape, renderRgba } from './fake/index.js';
import { type Of, apply, cropPng, pageToSource, ready, requestImage, session, sourceToPage } from './helpers.js';

const W = 64;
const H = 48;
// A frame with a hole, in source-image pixels (outer clockwise, hole counter-clockwise).
const RING = 'M 8 6 L 56 6 L 56 42 L 8 42 Z M 20 16 L 20 32 L 44 32 L 44 16 Z';
/** RING with its coordinates scaled (to the pixels of a rendering). */
const scaleRing = (sx: number, sy: number) => RING.replace(/(-?[\d.]+) (-?[\d.]+)/g, (_, x: string, y: string) => `${Number(x) * sx} ${Number(y) * sy}`);
const inRing = (x: number, y: number) => x >= 8 && x < 56 && y >= 6 && y < 42 && !(x >= 20 && x < 44 && y >= 16 && y < 32);

/**
 * IoU between the rendered alpha of shape `id` and the ring in source pixels mapped to the page
 * (the fake's own geometry for how the plugin described the source), and how many pixels inside
 * show something else than the source itself shows there.
 */
/** The source rendered alone over its bounds (before anything hides it). */
function renderSource(fake: FakePenpot, src: Shape) {
  const doc = fake.doc;
  const b = doc.bounds(doc.get(src.id));
  const box = { x: Math.floor(b.x), y: Math.floor(b.y), width: Math.ceil(b.width) + 1, height: Math.ceil(b.height) + 1 };
  return { box, rgba: renderRgba(doc, doc.get(src.id), box, box.width, box.height).rgba };
}

function ringIoU(fake: FakePenpot, id: string, src: Shape, info: SourceInfo, source: ReturnType<typeof renderSource>): { iou: number; wrongPixels: number } {
  const doc = fake.doc;
  const toSource = pageToSource(fake, src.id, info);
  const { box, rgba: own } = source;
  const img = renderRgba(doc, doc.get(id), box, box.width, box.height).rgba;
  const sx = info.width / W;
  const sy = info.height / H;
  let inter = 0;
  let union = 0;
  let wrong = 0;
  for (let j = 0; j < box.height; j++) {
    for (let i = 0; i < box.width; i++) {
      const [px, py] = ap(toSource, box.x + i + 0.5, box.y + j + 0.5);
      const o = (j * box.width + i) * 4;
      // the ring, where the source itself shows something (a rendering's box is larger than the layer)
      const want = inRing(px / sx, py / sy) && own.data[o + 3] > 127;
      const got = img.data[o + 3] > 127;
      if (want && got) {
        inter++;
        if (own.data[o + 3] === 255) {
          const c = decodeCoordinate(img.data[o], img.data[o + 1], img.data[o + 2]);
          const t = decodeCoordinate(own.data[o], own.data[o + 1], own.data[o + 2]);
          if (c.x !== t.x || c.y !== t.y) wrong++;
        }
      }
      if (want || got) union++;
    }
  }
  return { iou: inter / union, wrongPixels: wrong };
}

describe('vector mask', () => {
  it('a mask group [path, copy of the source] over a rotated, flipped source: the source shows exactly through the ring (holes kept)', async () => {
    let src!: Shape;
    const s = session((f) => {
      src = imageShape(f, { bytes: coordinatePng(W, H), x: 120, y: 80, width: 192, height: 144, rotation: 35, flipX: true, name: 'Photo' });
    });
    await ready(s);
    const { source: info } = await requestImage(s, src.id);
    expect(info.origin).toBe('export'); // rotated: read from a rendering
    // the ring scaled to the pixels the UI got
    const ring = scaleRing(info.width / W, info.height / H);
    const before = JSON.stringify(s.fake.dump());
    const shown = renderSource(s.fake, src);
    const reply = (await apply(s, { sourceId: src.id, output: 'vector-mask', paths: [{ windingRule: 'EVENODD', data: ring }], hideSource: true })) as Of<'applied'>;
    expect(reply.type).toBe('applied');
    const g = s.fake.doc.get(reply.nodeIds[0]);
    expect(g.type).toBe('group');
    expect(g.masked).toBe(true);
    expect(g.name).toBe('Vector mask – Photo');
    const [maskId, copyId] = g.children;
    expect(s.fake.doc.get(maskId).type).toBe('path');
    expect(s.fake.doc.get(copyId).fills[0].fillImage?.id).toBe(s.fake.doc.get(src.id).fills[0].fillImage?.id);
    expect(s.fake.doc.get(copyId).hidden).toBe(false);
    const { iou, wrongPixels } = ringIoU(s.fake, g.id, src, info, shown);
    expect(iou).toBeGreaterThan(0.97);
    expect(wrongPixels).toBe(0);
    // the source is hidden (asked), nothing else changed; one undo step restores everything
    expect(s.fake.doc.get(src.id).hidden).toBe(true);
    expect(s.fake.undoEntries).toHaveLength(1);
    s.fake.undoLast();
    expect(JSON.stringify(s.fake.dump())).toBe(before);
  });

  it('outline: a stroked path without fill along the ring, in page space', async () => {
    let src!: Shape;
    const s = session((f) => {
      src = imageShape(f, { bytes: coordinatePng(W, H), x: 10, y: 10, width: 128, height: 96, rotation: 90 });
    });
    await ready(s);
    const { source: info } = await requestImage(s, src.id);
    const ring = scaleRing(info.width / W, info.height / H);
    const reply = (await apply(s, { sourceId: src.id, output: 'outline', paths: [{ windingRule: 'EVENODD', data: ring }], hideSource: false })) as Of<'applied'>;
    const p = s.fake.doc.get(reply.nodeIds[0]);
    expect(p.type).toBe('path');
    expect(p.fills).toEqual([]);
    expect(p.strokes[0]).toMatchObject({ strokeColor: '#0d99ff', strokeWidth: 2 });
    // every point of the path is the ring's point mapped to the page by the fake's own geometry
    const m = sourceToPage(s.fake, src.id, info);
    const ringPts = [...ring.matchAll(/(-?[\d.]+) (-?[\d.]+)/g)].map((x) => ap(m, Number(x[1]), Number(x[2])));
    const pts = p.content!.filter((seg) => seg.cmd !== 'Z').map((seg) => [seg.pts[0], seg.pts[1]]);
    expect(pts).toHaveLength(ringPts.length);
    pts.forEach((q, i) => {
      expect(q[0]).toBeCloseTo(ringPts[i][0], 2);
      expect(q[1]).toBeCloseTo(ringPts[i][1], 2);
    });
  });
});

describe('layout, safety', () => {
  it('in a flex board the result is absolutely positioned: the other children do not move', async () => {
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
    const { image } = await requestImage(s, src.id);
    const rect = { x: 0, y: 0, width: W, height: H };
    const reply = (await apply(s, { sourceId: src.id, output: 'cutout', png: cropPng(image, rect), rect, hideSource: false })) as Of<'applied'>;
    expect(reply.type).toBe('applied');
    const r = s.fake.doc.get(reply.nodeIds[0]);
    expect(r.layoutAbsolute).toBe(true);
    expect(where(src.id)).toBe(srcAt);
    expect(where(other.id)).toBe(otherAt);
    expect(where(r.id)).toBe(srcAt);
  });

  it('bad results are refused with the reason and change nothing; an upload Penpot refuses leaves no shape behind', async () => {
    let src!: Shape;
    const s = session(
      (f) => {
        src = imageShape(f, { bytes: coordinatePng(W, H), x: 0, y: 0, width: 128, height: 96 });
      },
      { maxUploadBytes: 2000 },
    );
    await ready(s);
    const before = JSON.stringify(s.fake.dump());
    const bad = (await apply(s, { sourceId: src.id, output: 'cutout', png: new Uint8Array([1, 2, 3]), hideSource: true })) as Of<'error'>;
    expect(bad.type).toBe('error');
    expect(bad.error.message).toMatch(/PNG/);
    const path = (await apply(s, { sourceId: src.id, output: 'outline', paths: [{ windingRule: 'EVENODD', data: 'M 1 1 L nope' }], hideSource: false })) as Of<'error'>;
    expect(path.error.message).toMatch(/malformed/);
    // noise does not compress: over Penpot's upload limit (set to 2000 bytes here)
    let seed = 7;
    const noise = { width: W, height: H, data: new Uint8Array(W * H * 4).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0), seed >>> 24)) };
    const rect = { x: 0, y: 0, width: W, height: H };
    const big = (await apply(s, { sourceId: src.id, output: 'cutout', png: cropPng(noise, rect), rect, hideSource: true })) as Of<'error'>;
    expect(big.type).toBe('error');
    expect(big.error.message).toMatch(/nothing was changed/);
    expect(JSON.stringify(s.fake.dump())).toBe(before);
    expect(s.fake.doc.get(src.id).hidden).toBe(false);
    // a layer deleted meanwhile
    s.fake.shape(src.id).remove();
    const gone = (await apply(s, { sourceId: src.id, output: 'outline', paths: [{ windingRule: 'EVENODD', data: RING }], hideSource: false })) as Of<'error'>;
    expect(gone.error.message).toMatch(/no longer exists/);
  });
});
