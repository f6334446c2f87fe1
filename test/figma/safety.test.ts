/** Nothing is lost: the source stays as it was, failures leave no trace, one undo step per apply. */
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../core/image/png.js';
import type { ApplyPayload, HostMessage } from '../../plugin/protocol.js';
import { type FaultOp, type FakeFigma, type FScene, coordinatePng, frame, imageLayer, rgba } from './fake/index.js';
import { absCorners, apply, cropPng, expectPoints, fillImageToPage, rectCorners, requestImage, session } from './helpers.js';

const PATHS = [{ windingRule: 'NONZERO' as const, data: 'M 10 10 L 90 10 L 90 60 Z' }];

function build(f: FakeFigma): FScene {
  const fr = frame(f, { x: 10, y: 20, width: 500, height: 400, rotation: 12, clips: false });
  imageLayer(f, { bytes: coordinatePng(20, 20), width: 40, height: 40, parent: fr, name: 'Below' });
  const src = imageLayer(f, { bytes: coordinatePng(120, 80), width: 240, height: 160, x: 30, y: 40, rotation: -20, parent: fr });
  src.setPluginData('mine', 'kept');
  imageLayer(f, { bytes: coordinatePng(20, 20), width: 40, height: 40, parent: fr, name: 'Above' });
  return src;
}

async function payloadFor(s: ReturnType<typeof session>, src: FScene, output: ApplyPayload['output'], hideSource = false): Promise<ApplyPayload> {
  const { image } = await requestImage(s, src.id);
  const rect = { x: 10, y: 10, width: 60, height: 40 };
  return output === 'cutout'
    ? { sourceId: src.id, output, png: cropPng(image, rect), rect, hideSource }
    : { sourceId: src.id, output, paths: PATHS, hideSource };
}

/** Live nodes' states, keyed by id. */
function liveStates(f: FakeFigma): Map<string, string> {
  const m = new Map<string, string>();
  // the page's selection is expected to change (results get selected)
  for (const [id, n] of f.doc.nodes) if (!n.removed) m.set(id, JSON.stringify({ ...n.s, selection: [] }));
  return m;
}

describe('the source and the rest of the file are never modified', () => {
  for (const output of ['cutout', 'vector-mask', 'outline'] as const) {
    it(`${output}: every existing layer keeps every property`, async () => {
      let src!: FScene;
      const s = session((f) => (src = build(f)));
      const payload = await payloadFor(s, src, output);
      const before = liveStates(s.fake);
      const reply = await apply(s, payload);
      expect(reply.type).toBe('applied');
      const after = liveStates(s.fake);
      for (const [id, state] of before) {
        if (id === src.parent!.id) continue; // the parent gained a child: compare everything else
        expect(after.get(id), id).toBe(state);
      }
      const { children: c0, ...p0 } = JSON.parse(before.get(src.parent!.id)!);
      const { children: c1, ...p1 } = JSON.parse(after.get(src.parent!.id)!);
      expect(p1).toEqual(p0);
      expect(c1.filter((id: string) => c0.includes(id))).toEqual(c0);
    });
  }

  it('hideSource hides the source and changes nothing else about it', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const payload = await payloadFor(s, src, 'cutout', true);
    const before = JSON.parse(JSON.stringify(src.s));
    await apply(s, payload);
    expect(src.visible).toBe(false);
    expect({ ...src.s, visible: true }).toEqual({ ...before, visible: true });
  });
});

describe('a failure mid-insert leaves no new layers', () => {
  const cases: Array<[ApplyPayload['output'], FaultOp]> = [
    ['cutout', 'createImage'],
    ['cutout', 'insertChild'],
    ['cutout', 'resize'],
    ['cutout', 'fills'],
    ['vector-mask', 'clone'],
    ['vector-mask', 'vectorPaths'],
    ['vector-mask', 'group'],
    ['vector-mask', 'insertChild'],
    ['outline', 'vectorPaths'],
    ['outline', 'insertChild'],
  ];
  for (const [output, fault] of cases) {
    it(`${output}, ${fault} fails`, async () => {
      let src!: FScene;
      const s = session((f) => (src = build(f)));
      const payload = await payloadFor(s, src, output, true);
      const before = s.fake.dump();
      const nodeCount = [...s.fake.doc.nodes.values()].filter((n) => !n.removed).length;
      s.fake.injectFault(fault);
      const reply = await apply(s, payload);
      expect(reply.type).toBe('error');
      if (reply.type === 'error') {
        expect(reply.requestId).toBeDefined();
        expect(reply.error.message).toMatch(/nothing was changed/i);
      }
      expect(s.fake.dump()).toBe(before);
      expect([...s.fake.doc.nodes.values()].filter((n) => !n.removed).length).toBe(nodeCount);
      expect(src.visible).toBe(true);
      expect(s.fake.undoSteps).toBe(0);
      // and the next try works
      expect((await apply(s, payload)).type).toBe('applied');
    });
  }
});

describe('undo', () => {
  it('one undo step per apply; undo restores the file exactly', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const base = s.fake.dump();
    await apply(s, await payloadFor(s, src, 'cutout', true));
    const afterFirst = s.fake.dump();
    expect(s.fake.undoSteps).toBe(1);
    await apply(s, await payloadFor(s, src, 'vector-mask'));
    expect(s.fake.undoSteps).toBe(2);
    s.fake.undo();
    expect(s.fake.dump()).toBe(afterFirst);
    s.fake.undo();
    expect(s.fake.dump()).toBe(base);
    expect(src.visible).toBe(true);
  });
});

describe('refusals with clear messages', () => {
  it('a cutout above 4096 px is refused before anything is created', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    await requestImage(s, src.id);
    const big = encodePng(rgba(4100, 2, () => [0, 0, 0, 255]), { level: 1 });
    const before = s.fake.dump();
    const reply = await apply(s, { sourceId: src.id, output: 'cutout', png: big, rect: { x: 0, y: 0, width: 120, height: 80 }, hideSource: false });
    expect(reply).toMatchObject({ type: 'error', error: { code: 'IMAGE_SIZE' } });
    expect((reply as { error: { message: string } }).error.message).toMatch(/4100×2.*4096/);
    expect(s.fake.dump()).toBe(before);
  });

  it('bad payloads: not a PNG, empty paths, region outside the image, deleted source', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    await requestImage(s, src.id);
    const send = (p: Partial<ApplyPayload>) => apply(s, { sourceId: src.id, output: 'cutout', hideSource: false, ...p } as ApplyPayload);
    expect(await send({ png: new Uint8Array([1, 2, 3]) })).toMatchObject({ error: { code: 'INVALID_IMAGE' } });
    expect(await send({ output: 'outline', paths: [] })).toMatchObject({ error: { code: 'INVALID_MASK' } });
    expect(await send({ output: 'outline', paths: [{ windingRule: 'NONZERO', data: 'M 0 0 l 5 5' }] })).toMatchObject({ error: { code: 'INVALID_MASK' } });
    const png = encodePng(rgba(2, 2, () => [0, 0, 0, 255]));
    expect(await send({ png, rect: { x: 500, y: 500, width: 10, height: 10 } })).toMatchObject({ error: { code: 'INVALID_OPTION' } });
    src.remove();
    const gone = (await send({ png })) as HostMessage;
    expect(gone).toMatchObject({ type: 'error', error: { code: 'STATE' } });
  });
});

describe('the layer changed between reading and applying', () => {
  it('a resized image fill: the result follows the layer as it is now', async () => {
    let src!: FScene;
    const s = session((f) => (src = imageLayer(f, { bytes: coordinatePng(200, 100), width: 200, height: 100, x: 5, y: 5 })));
    const { image } = await requestImage(s, src.id);
    src.resize(100, 100);
    const rect = { x: 50, y: 20, width: 100, height: 60 };
    const reply = await apply(s, { sourceId: src.id, output: 'cutout', png: cropPng(image, rect), rect, hideSource: false });
    const node = s.fake.doc.node((reply as { nodeIds: string[] }).nodeIds[0]) as FScene;
    expectPoints(absCorners(node), rectCorners(fillImageToPage(src, 'FILL', 200, 100), rect));
  });

  it('a moved exported layer: the result moves with it', async () => {
    let src!: FScene;
    const s = session((f) => {
      src = frame(f, { x: 0, y: 0, width: 100, height: 50, rotation: 20 }) as unknown as FScene;
    });
    const { image, source } = await requestImage(s, src.id);
    expect(source.origin).toBe('export');
    const corners0 = absCorners(src);
    src.x += 300;
    const reply = await apply(s, { sourceId: src.id, output: 'cutout', png: cropPng(image, { x: 0, y: 0, width: image.width, height: image.height }), hideSource: false });
    const node = s.fake.doc.node((reply as { nodeIds: string[] }).nodeIds[0]) as FScene;
    const bb0 = { x0: Math.min(...corners0.map((p) => p[0])), y0: Math.min(...corners0.map((p) => p[1])) };
    expect(absCorners(node)[0][0]).toBeCloseTo(bb0.x0 + 300, 6);
    expect(absCorners(node)[0][1]).toBeCloseTo(bb0.y0, 6);
  });
});

describe('results carry their origin', () => {
  it('relaunch data and the source id; "Edit cutout" reopens the source', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const reply = await apply(s, await payloadFor(s, src, 'cutout'));
    const node = s.fake.doc.node((reply as { nodeIds: string[] }).nodeIds[0]) as FScene;
    expect(node.getRelaunchData()).toEqual({ edit: 'Edit the cutout' });
    expect(node.getPluginData('source')).toBe(src.id);
    expect(node.getPluginData('output')).toBe('cutout');
  });
});
