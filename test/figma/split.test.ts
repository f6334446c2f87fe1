/** "Split into layers" in Figma (the fake): one group right above the source, top-first, all or nothing, one undo step. */
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import type { HostMessage, SplitPayload } from '../../plugin/protocol.js';
import { type FakeFigma, type FScene, coordinatePng, frame, imageLayer, rgba } from './fake/index.js';
import { agreement, cropPng, renderPage, requestImage, session, type Session } from './helpers.js';

type R = { x: number; y: number; width: number; height: number };

const BIG: R = { x: 10, y: 10, width: 80, height: 50 };
const SMALL: R = { x: 30, y: 20, width: 20, height: 15 };

/** The source with the objects' rectangles made transparent. */
function background(image: RgbaImage, holes: R[]): Uint8Array {
  const data = image.data.slice();
  for (const r of holes) {
    for (let y = r.y; y < r.y + r.height; y++) for (let x = r.x; x < r.x + r.width; x++) data[(y * image.width + x) * 4 + 3] = 0;
  }
  return encodePng({ width: image.width, height: image.height, data }, { level: 1 });
}

async function cutoutSplit(s: Session, src: FScene): Promise<SplitPayload> {
  const { image } = await requestImage(s, src.id);
  return {
    sourceId: src.id,
    output: 'cutout',
    name: 'Layers – Photo',
    objects: [
      { name: 'Small', png: cropPng(image, SMALL), rect: SMALL },
      { name: 'Big', png: cropPng(image, BIG), rect: BIG },
    ],
    background: { name: 'Background', png: background(image, [SMALL, BIG]), rect: { x: 0, y: 0, width: image.width, height: image.height } },
  };
}

async function split(s: Session, payload: SplitPayload): Promise<HostMessage> {
  const reply = await s.fake.ui.request<HostMessage>({ type: 'split-apply', requestId: s.nextId(), payload });
  await s.plugin.idle();
  return reply;
}

function build(f: FakeFigma): FScene {
  const fr = frame(f, { x: 10, y: 20, width: 500, height: 400, rotation: 12, clips: false });
  imageLayer(f, { bytes: coordinatePng(20, 20), width: 40, height: 40, parent: fr, name: 'Below' });
  const src = imageLayer(f, { bytes: coordinatePng(120, 80), width: 240, height: 160, x: 30, y: 40, rotation: -20, parent: fr });
  imageLayer(f, { bytes: coordinatePng(20, 20), width: 40, height: 40, parent: fr, name: 'Above' });
  return src;
}

const kids = (n: FScene) => (n as unknown as { children: readonly FScene[] }).children;

describe('split into layers (Figma)', () => {
  it('cutouts: one group right above the source, smaller objects on top, background at the bottom; together they show the source', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const before = JSON.stringify(src.s);
    const reply = await split(s, await cutoutSplit(s, src));
    if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
    expect(reply.nodeIds).toHaveLength(1);
    const group = s.fake.doc.node(reply.nodeIds[0]) as FScene;
    expect(group.type).toBe('GROUP');
    expect(group.name).toBe('Layers – Photo');
    expect(group.parent).toBe(src.parent);
    expect(kids(src.parent as unknown as FScene).indexOf(group)).toBe(kids(src.parent as unknown as FScene).indexOf(src) + 1);
    // Figma lists children bottom-first.
    expect(kids(group).map((n) => n.name)).toEqual(['Background', 'Big', 'Small']);
    expect(group.getPluginData('source')).toBe(src.id);
    for (const n of kids(group)) expect(n.getPluginData('source')).toBe(src.id);
    expect(JSON.stringify(src.s)).toBe(before);
    expect(src.visible).toBe(true);
    expect(s.fake.undoSteps).toBe(1);
    expect(s.fake.page.selection).toEqual([group]);
    const box = src.absoluteBoundingBox!;
    const withSource = renderPage(s.fake, box, 1, [group]);
    const withLayers = renderPage(s.fake, box, 1, [src]);
    const { covered, equal } = agreement(withSource, withLayers);
    expect(covered).toBeGreaterThan(10000);
    expect(equal).toBeGreaterThan(0.99);
  });

  it('vector masks: each object a mask group with a copy of the source, the background masked by the outside', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    await requestImage(s, src.id);
    const rectPath = (r: R) => `M ${r.x} ${r.y} L ${r.x + r.width} ${r.y} L ${r.x + r.width} ${r.y + r.height} L ${r.x} ${r.y + r.height} Z`;
    const reply = await split(s, {
      sourceId: src.id,
      output: 'vector-mask',
      objects: [
        { name: 'Small', paths: [{ windingRule: 'NONZERO', data: rectPath(SMALL) }] },
        { name: 'Big', paths: [{ windingRule: 'NONZERO', data: rectPath(BIG) }] },
      ],
      background: { name: 'Background', paths: [{ windingRule: 'EVENODD', data: `${rectPath({ x: 0, y: 0, width: 120, height: 80 })} ${rectPath(BIG)}` }] },
    });
    if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
    const group = s.fake.doc.node(reply.nodeIds[0]) as FScene;
    expect(group.name).toBe('Layers – Photo');
    expect(kids(group).map((n) => n.name)).toEqual(['Background', 'Big', 'Small']);
    for (const g of kids(group)) {
      expect(g.type).toBe('GROUP');
      expect(kids(g)[0]!.isMask).toBe(true);
    }
    const box = src.absoluteBoundingBox!;
    const { covered, equal } = agreement(renderPage(s.fake, box, 1, [group]), renderPage(s.fake, box, 1, [src]));
    expect(covered).toBeGreaterThan(10000);
    expect(equal).toBeGreaterThan(0.99);
  });

  it('in an auto-layout frame the group stays out of the flow, over the source', async () => {
    let src!: FScene;
    const s = session((f) => {
      const fr = frame(f, { x: 0, y: 0, width: 600, height: 300 });
      (fr as unknown as FrameNode).layoutMode = 'HORIZONTAL';
      imageLayer(f, { bytes: coordinatePng(20, 20), width: 40, height: 40, parent: fr, name: 'First' });
      src = imageLayer(f, { bytes: coordinatePng(120, 80), width: 240, height: 160, parent: fr });
    });
    const reply = await split(s, await cutoutSplit(s, src));
    if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
    const group = s.fake.doc.node(reply.nodeIds[0]) as FScene;
    expect((group as unknown as GroupNode).layoutPositioning).toBe('ABSOLUTE');
    const box = src.absoluteBoundingBox!;
    const { covered, equal } = agreement(renderPage(s.fake, box, 1, [group]), renderPage(s.fake, box, 1, [src]));
    expect(covered).toBeGreaterThan(10000);
    expect(equal).toBeGreaterThan(0.99);
  });

  it('one undo step removes the whole split', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const base = s.fake.dump();
    expect((await split(s, await cutoutSplit(s, src))).type).toBe('applied');
    expect(s.fake.undoSteps).toBe(1);
    s.fake.undo();
    expect(s.fake.dump()).toBe(base);
  });

  it('a failure part-way (grouping, or a bad second layer) leaves the file as it was', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const payload = await cutoutSplit(s, src);
    const base = s.fake.dump();
    s.fake.injectFault('group');
    const r1 = await split(s, payload);
    expect(r1).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/nothing was changed/) } });
    expect(s.fake.dump()).toBe(base);
    const tooBig = encodePng(rgba(4100, 2, () => [0, 0, 0, 255]), { level: 1 });
    const r2 = await split(s, { ...payload, objects: [payload.objects[0]!, { name: 'Huge', png: tooBig, rect: BIG }] });
    expect(r2).toMatchObject({ type: 'error', error: { code: 'IMAGE_SIZE' } });
    expect(s.fake.dump()).toBe(base);
    expect(s.fake.undoSteps).toBe(0);
    expect((await split(s, payload)).type).toBe('applied');
  });

  it('refuses an empty split before creating anything', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    await requestImage(s, src.id);
    const base = s.fake.dump();
    const reply = await split(s, { sourceId: src.id, output: 'cutout', objects: [] });
    expect(reply).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/No objects/) } });
    expect(s.fake.dump()).toBe(base);
  });
});
