/** Batch background removal, host side (issue 5): listing, streaming inserts, undo, cancel. */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image/decode.js';
import { encodePng } from '../../core/image/png.js';
import type { BatchScope, HostMessage, SourceInfo } from '../../plugin/protocol.js';
import { type FakeFigma, type FFrame, type FPage, type FScene, coordinatePng, frame, imageLayer } from './fake/index.js';
import { absCorners, expectPoints, session } from './helpers.js';

type Of<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

interface Doc {
  images: Record<string, FScene>;
  frameA: FFrame;
  text: FScene;
  page2: FPage;
  instance: FFrame;
}

function build(f: FakeFigma): Doc {
  const images: Record<string, FScene> = {};
  const img = (name: string, parent?: FScene | FFrame | FPage, spec: Partial<Parameters<typeof imageLayer>[1]> = {}) =>
    (images[name] = imageLayer(f, { bytes: coordinatePng(60, 40), width: 120, height: 80, name, parent: parent as never, ...spec }));
  const frameA = frame(f, { name: 'A', x: 0, y: 0, width: 800, height: 600, rotation: 8, clips: false });
  const frameB = frame(f, { name: 'B', x: 50, y: 50, width: 500, height: 400, rotation: -30, parent: frameA, clips: false });
  img('one', frameB, { x: 20, y: 30, rotation: 10 });
  img('two', frameA, { x: 300, y: 400 });
  img('three', undefined, { x: 1000, y: 0 });
  const four = img('four', undefined, { x: 1200, y: 300 });
  f.figma.group([four as unknown as SceneNode], f.figma.currentPage);
  img('locked', undefined, { x: 1500 }).locked = true;
  img('hidden', undefined, { x: 1700 }).visible = false;
  img('tiny', undefined, { x: 1900, width: 10, height: 10 });
  const lockedFrame = frame(f, { name: 'Locked frame', x: 2100, width: 300, height: 300 });
  lockedFrame.locked = true;
  img('in-locked', lockedFrame);
  const hiddenFrame = frame(f, { name: 'Hidden frame', x: 2500, width: 300, height: 300 });
  hiddenFrame.visible = false;
  img('in-hidden', hiddenFrame);
  const comp = f.figma.createComponent() as unknown as FFrame;
  comp.name = 'Card';
  comp.resize(300, 300);
  comp.x = 3000;
  comp.fills = [];
  img('in-component', comp, { x: 10, y: 10 });
  const instance = comp.createInstance();
  instance.x = 3400;
  instance.rotation = 15;
  images['in-instance'] = instance.children[0];
  const text = f.figma.createText() as unknown as FScene;
  const page2 = f.addPage('Second');
  page2.s.loaded = true; // build it, then unload it again like a page not yet visited
  const p2frame = frame(f, { name: 'P2', width: 600, height: 600, rotation: 20, clips: false });
  page2.appendChild(p2frame);
  const p2inner = frame(f, { name: 'P2 inner', x: 40, y: 40, width: 400, height: 400, parent: p2frame, clips: false });
  img('page2-nested', p2inner, { x: 10, y: 10 });
  const loose = img('page2-top', undefined, { x: 700 });
  page2.appendChild(loose);
  page2.s.loaded = false;
  return { images, frameA, text, page2, instance };
}

async function list(s: ReturnType<typeof session>, scope: BatchScope, requestId = s.nextId()) {
  const reply = await s.fake.ui.request<HostMessage>({ type: 'batch-list', requestId, scope });
  if (reply.type !== 'batch-items') throw new Error(JSON.stringify(reply));
  return reply;
}

const names = (d: Doc, sources: SourceInfo[]) => sources.map((x) => Object.entries(d.images).find(([, n]) => n.id === x.id)?.[0] ?? x.name).sort();

/** A cutout of the whole image with a transparent left half, as the batch UI would send. */
function removedBackground(bytes: Uint8Array): Uint8Array {
  const img = decodeImage(bytes);
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width / 2; x++) img.data[(y * img.width + x) * 4 + 3] = 0;
  return encodePng(img, { level: 1 });
}

async function runBatch(s: ReturnType<typeof session>, scope: BatchScope, opts: { stopAfter?: number; hideSource?: boolean } = {}) {
  const requestId = s.nextId();
  const items = await list(s, scope, requestId);
  let sent = 0;
  for (const src of items.sources) {
    if (opts.stopAfter !== undefined && sent >= opts.stopAfter) break;
    const img = await s.fake.ui.request<Of<'image'>>({ type: 'request-image', requestId: s.nextId(), sourceId: src.id });
    s.fake.ui.send({
      type: 'batch-apply',
      requestId,
      payload: {
        sourceId: src.id,
        output: 'cutout',
        name: `Cutout of ${src.name}`,
        png: removedBackground(img.bytes),
        rect: { x: 0, y: 0, width: img.source.width, height: img.source.height },
        hideSource: opts.hideSource ?? false,
      },
    });
    sent++;
  }
  const done = await s.fake.ui.request<HostMessage>({ type: 'batch-end', requestId, cancelled: opts.stopAfter !== undefined, failures: [] });
  await s.plugin.idle();
  return { items, done };
}

function results(f: FakeFigma): FScene[] {
  return [...f.doc.nodes.values()].filter((n) => !n.removed && n.s.pluginData.source) as FScene[];
}

describe('batch-list', () => {
  it('page: every image in nested frames, groups, components and instances; skips locked, hidden and tiny with reasons', async () => {
    let d!: Doc;
    const s = session((f) => (d = build(f)));
    const items = await list(s, 'page');
    expect(names(d, items.sources)).toEqual(['four', 'in-component', 'in-instance', 'one', 'three', 'two']);
    const reasons = Object.fromEntries(items.skipped.map((k) => [k.name, k.reason]));
    expect(reasons).toEqual({
      locked: 'is locked',
      hidden: 'is hidden',
      tiny: 'is smaller than 16 px (10×10)',
      'in-locked': 'is inside a locked layer',
      'in-hidden': 'is inside a hidden layer',
    });
    expect(items.sources.every((x) => x.origin === 'fill' && x.width === 60 && x.height === 40)).toBe(true);
  });

  it('selection: only inside the selected layers; a selected layer without images is reported', async () => {
    let d!: Doc;
    const s = session((f) => {
      d = build(f);
      f.figma.currentPage.selection = [d.frameA, d.text] as unknown as SceneNode[];
    });
    const items = await list(s, 'selection');
    expect(names(d, items.sources)).toEqual(['one', 'two']);
    expect(items.skipped).toEqual([{ id: d.text.id, name: 'Text', reason: 'has no image in it' }]);
  });

  it('file: loads every page first (dynamic-page) and finds images on pages not yet visited', async () => {
    let d!: Doc;
    const s = session((f) => (d = build(f)));
    expect(() => d.page2.children).toThrow(/loadAsync/);
    const items = await list(s, 'file');
    expect(names(d, items.sources)).toEqual(['four', 'in-component', 'in-instance', 'one', 'page2-nested', 'page2-top', 'three', 'two']);
  });
});

describe('batch-count', () => {
  it('counts the images each scope would take, without reading any pixels, before a batch runs', async () => {
    let d!: Doc;
    const s = session((f) => {
      d = build(f);
      f.figma.currentPage.selection = [d.frameA] as unknown as SceneNode[];
    });
    const reply = await s.fake.ui.request<HostMessage>({ type: 'batch-count', requestId: s.nextId() });
    expect(reply).toMatchObject({ type: 'batch-counts', counts: { selection: 2, page: 6, file: 8 } });
    // only what is asked: counting all pages loads every page
    const some = await s.fake.ui.request<HostMessage>({ type: 'batch-count', requestId: s.nextId(), scopes: ['page'] });
    expect((some as Of<'batch-counts'>).counts).toEqual({ page: 6 });
    // the same numbers batch-list then takes
    for (const scope of ['selection', 'page', 'file'] as const) expect((await list(s, scope)).sources).toHaveLength((reply as Of<'batch-counts'>).counts[scope]!);
  });
});

describe('batch run', () => {
  it('batch-done names each source\'s results; select puts them in the selection; a gone one is said', async () => {
    let d!: Doc;
    const s = session((f) => (d = build(f)));
    const { items, done } = await runBatch(s, 'page');
    const results = (done as Of<'batch-done'>).results!;
    expect(results.map((r) => r.sourceId).sort()).toEqual(items.sources.map((x) => x.id).sort());
    for (const r of results) {
      expect(r.nodeIds).toHaveLength(1);
      expect(s.fake.doc.node(r.nodeIds[0]!).getPluginData('source')).toBe(r.sourceId);
    }
    const two = results.find((r) => r.sourceId === d.images.two.id)!;
    s.fake.ui.send({ type: 'select', nodeIds: two.nodeIds });
    await s.fake.flush();
    await s.plugin.idle();
    expect(s.fake.figma.currentPage.selection.map((n) => n.id)).toEqual(two.nodeIds);
    (s.fake.doc.node(two.nodeIds[0]!) as unknown as SceneNode).remove();
    s.fake.ui.send({ type: 'select', nodeIds: two.nodeIds });
    await s.fake.flush();
    await s.plugin.idle();
    expect(s.fake.notifications.at(-1)?.message).toMatch(/no longer in the file/);
  });

  it('inserts each cutout exactly over its original as results arrive; one undo step; a summary', async () => {
    let d!: Doc;
    const s = session((f) => (d = build(f)));
    const before = new Map(Object.values(d.images).map((n) => [n.id, JSON.stringify(n.s)]));
    const baseline = s.fake.dump();
    const { items, done } = await runBatch(s, 'file');
    expect(done).toMatchObject({ type: 'batch-done', inserted: 8, failed: 0 });
    const made = results(s.fake);
    expect(made).toHaveLength(8);
    for (const src of items.sources) {
      const original = s.fake.doc.node(src.id) as FScene;
      const result = made.find((r) => r.getPluginData('source') === src.id)!;
      expect(result.name).toBe(`Cutout of ${original.name}`);
      expectPoints(absCorners(result), absCorners(original));
      if (src.id === d.images['in-instance'].id) expect(result.parent).toBe(d.instance.parent);
      else {
        const siblings = (original.parent as unknown as { children: readonly FScene[] }).children;
        expect(siblings.indexOf(result)).toBe(siblings.indexOf(original) + 1);
      }
    }
    for (const [id, state] of before) expect(JSON.stringify(s.fake.doc.node(id).s)).toBe(state);
    expect(s.fake.undoSteps).toBe(1);
    expect(s.fake.notifications.at(-1)?.message).toBe('Removed the background from 8 images, 5 skipped.');
    s.fake.undo();
    expect(s.fake.dump()).toBe(baseline);
  });

  it('hideSource hides the originals (and only that)', async () => {
    let d!: Doc;
    const s = session((f) => (d = build(f)));
    await runBatch(s, 'page', { hideSource: true });
    for (const name of ['one', 'two', 'three', 'four', 'in-component', 'in-instance']) expect(d.images[name].visible, name).toBe(false);
    expect(d.images.locked.visible).toBe(true);
  });

  it('cancel after k items leaves exactly k results, consistent, in one undo step', async () => {
    let d!: Doc;
    const s = session((f) => (d = build(f)));
    const { done, items } = await runBatch(s, 'page', { stopAfter: 2 });
    expect(items.sources).toHaveLength(6);
    expect(done).toMatchObject({ type: 'batch-done', inserted: 2 });
    const made = results(s.fake);
    expect(made).toHaveLength(2);
    for (const r of made) expectPoints(absCorners(r), absCorners(s.fake.doc.node(r.getPluginData('source')) as FScene));
    expect(s.fake.undoSteps).toBe(1);
    expect(s.fake.notifications.at(-1)?.message).toMatch(/^Cancelled: 2 of 6 backgrounds removed/);
    void d;
  });

  it('an item that cannot be inserted is counted as failed; the others land; no stray error reaches the UI', async () => {
    let d!: Doc;
    const s = session((f) => (d = build(f)));
    const requestId = s.nextId();
    const items = await list(s, 'selection', requestId);
    expect(items.sources).toEqual([]);
    const img = await s.fake.ui.request<Of<'image'>>({ type: 'request-image', requestId: s.nextId(), sourceId: d.images.three.id });
    const png = removedBackground(img.bytes);
    const rect = { x: 0, y: 0, width: 60, height: 40 };
    s.fake.ui.send({ type: 'batch-apply', requestId, payload: { sourceId: d.images.three.id, output: 'cutout', png, rect, hideSource: false } });
    s.fake.ui.send({ type: 'batch-apply', requestId, payload: { sourceId: '77:77', output: 'cutout', png, rect, hideSource: false } });
    const done = await s.fake.ui.request<HostMessage>({
      type: 'batch-end',
      requestId,
      cancelled: false,
      failures: [{ id: d.images.two.id, name: 'two', message: 'The model failed' }],
    });
    expect(done).toMatchObject({ type: 'batch-done', inserted: 1, failed: 2 });
    expect(s.fake.ui.ofType('error')).toEqual([]);
    expect(results(s.fake)).toHaveLength(1);
    expect(s.fake.notifications.at(-1)?.message).toMatch(/Removed the background from 1 image, 2 failed\. First problem: “77:77”/);
  });
});
