/**
 * "Edit a cutout later" in Figma (against the fake): results keep how they were made, "Edit
 * cutout" on one hands that back in init, and an apply with `replaceId` puts the new result in
 * the old one's place in one undo step, the old one removed only once the new one exists.
 */
import { describe, expect, it } from 'vitest';
import { DATA_EDIT } from '../../plugin/host/edit-data.js';
import type { ApplyPayload, EditState, HostMessage } from '../../plugin/protocol.js';
import { PROTOCOL_VERSION } from '../../plugin/protocol.js';
import { startPlugin } from '../../plugin/figma/plugin.js';
import { type FakeFigma, type FScene, coordinatePng, frame, imageLayer } from './fake/index.js';
import { absCorners, apply, cropPng, expectPoints, requestImage, session } from './helpers.js';

type Of<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

const RECT = { x: 10, y: 10, width: 60, height: 40 };

function state(sourceId: string, over: Partial<EditState> = {}): EditState {
  return {
    version: 1,
    sourceId,
    image: { width: 120, height: 80, hash: '0badc0de' },
    points: [
      { x: 30, y: 25, label: 1 },
      { x: 50, y: 30, label: 0 },
    ],
    box: { x0: 10, y0: 10, x1: 70, y1: 50 },
    candidate: 2,
    output: 'cutout',
    feather: 3,
    smoothing: 1.5,
    modelId: 'slimsam-77-q8',
    ...over,
  };
}

/** A frame holding Below, the source, Above. */
function build(f: FakeFigma): FScene {
  const fr = frame(f, { x: 10, y: 20, width: 500, height: 400, rotation: 12, clips: false, name: 'Frame' });
  imageLayer(f, { bytes: coordinatePng(20, 20), width: 40, height: 40, parent: fr, name: 'Below' });
  const src = imageLayer(f, { bytes: coordinatePng(120, 80), width: 240, height: 160, x: 30, y: 40, rotation: -20, parent: fr, name: 'Photo' });
  imageLayer(f, { bytes: coordinatePng(20, 20), width: 40, height: 40, parent: fr, name: 'Above' });
  return src;
}

async function cutoutPayload(s: ReturnType<typeof session>, src: FScene, extra: Partial<ApplyPayload> = {}): Promise<ApplyPayload> {
  const { image } = await requestImage(s, src.id);
  return { sourceId: src.id, output: 'cutout', png: cropPng(image, RECT), rect: RECT, hideSource: false, ...extra };
}

async function applied(s: ReturnType<typeof session>, payload: ApplyPayload): Promise<FScene> {
  const reply = await apply(s, payload);
  if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
  return s.fake.doc.node(reply.nodeIds[0]!) as FScene;
}

/** The plugin started again from the result's relaunch button, same document. */
async function relaunch(s: ReturnType<typeof session>, selected: FScene): Promise<{ init: Of<'init'>; selection: Of<'selection'>; dispose(): void }> {
  s.plugin.dispose();
  (s.fake.figma as { command: string }).command = 'edit';
  s.fake.figma.currentPage.selection = [selected as unknown as SceneNode];
  const plugin = startPlugin();
  const from = s.fake.ui.received.length;
  s.fake.ui.send({ type: 'ready', version: PROTOCOL_VERSION });
  const init = await s.fake.ui.waitFor<Of<'init'>>((m) => m.type === 'init', { from });
  const selection = await s.fake.ui.waitFor<Of<'selection'>>((m) => m.type === 'selection', { from });
  return { init, selection, dispose: () => plugin.dispose() };
}

const names = (n: FScene) => (n.parent as unknown as { children: FScene[] }).children.map((c) => c.name);

describe('results remember how they were made', () => {
  it('the edit state is kept as plugin data beside the relaunch button', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const node = await applied(s, await cutoutPayload(s, src, { edit: state(src.id) }));
    expect(JSON.parse(node.getPluginData(DATA_EDIT))).toEqual(state(src.id));
    expect(node.getRelaunchData()).toEqual({ edit: 'Edit the cutout' });
  });

  it('an edit state too large for a plugin-data entry is not kept, and the result is still inserted', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const points = Array.from({ length: 1000 }, (_, i) => ({ x: i % 120, y: i % 80, label: 1 as const }));
    // Within the protocol's point limit, but a model id that takes the entry past Figma's 100 kB.
    const node = await applied(s, await cutoutPayload(s, src, { edit: state(src.id, { points, modelId: 'x'.repeat(95_000) }) }));
    expect(node.getPluginData(DATA_EDIT)).toBe('');
    expect(node.getPluginData('source')).toBe(src.id);
  });

  it('the fake enforces Figma\'s limits: 100 kB per plugin-data entry, 1000 characters per relaunch description', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    expect(() => src.setPluginData('k', 'x'.repeat(100_000))).toThrow(/100 kB/);
    expect(() => src.setPluginData('k', 'x'.repeat(90_000))).not.toThrow();
    expect(() => (src as unknown as SceneNode).setRelaunchData({ edit: 'x'.repeat(1001) })).toThrow(/1000 characters/);
    expect(() => (src as unknown as SceneNode).setRelaunchData({ other: 'x' })).toThrow(/relaunchButtons/);
    void s;
  });
});

describe('"Edit cutout" on a result', () => {
  it('init carries the result, its name and its state over the source, which is opened', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const result = await applied(s, await cutoutPayload(s, src, { name: 'Cutout of Photo', edit: state(src.id) }));
    const { init, selection, dispose } = await relaunch(s, result);
    expect(init.command).toBe('edit');
    expect(init.editSourceId).toBe(src.id);
    expect(init.edit).toEqual({ resultId: result.id, resultName: 'Cutout of Photo', state: state(src.id) });
    expect(selection.sources.map((x) => x.id)).toEqual([src.id]);
    dispose();
  });

  it('the source deleted since: said in init (sourceMissing), the result untouched', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const result = await applied(s, await cutoutPayload(s, src, { edit: state(src.id) }));
    src.remove();
    const before = s.fake.dump();
    const { init, dispose } = await relaunch(s, result);
    expect(init.edit?.sourceMissing).toBe(true);
    expect(init.edit?.resultId).toBe(result.id);
    expect(init.editSourceId).toBeUndefined();
    expect(s.fake.dump()).toBe(before);
    dispose();
  });

  it('a result without edit data, or with damaged data: a sentence in init, no state', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const plain = await applied(s, await cutoutPayload(s, src));
    let r = await relaunch(s, plain);
    expect(r.init.edit).toBeUndefined();
    expect(r.init.editProblem).toMatch(/before Cutout remembered/);
    expect(r.init.editSourceId).toBe(src.id);
    r.dispose();
    plain.setPluginData(DATA_EDIT, '{"version":1,"points":"nope"}');
    r = await relaunch(s, plain);
    expect(r.init.edit).toBeUndefined();
    expect(r.init.editProblem).toMatch(/damaged/);
    r.dispose();
  });
});

describe('apply with replaceId', () => {
  it('replaces in place: same parent, same position in the layer list, same place on the canvas; one undo restores the old result', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const old = await applied(s, await cutoutPayload(s, src, { name: 'Old', edit: state(src.id) }));
    // The designer moved the result to the top of the frame since.
    (old.parent as unknown as { appendChild(n: FScene): void }).appendChild(old);
    s.fake.figma.commitUndo(); // the designer's own undo step
    expect(names(old)).toEqual(['Below', 'Photo', 'Above', 'Old']);
    const steps = s.fake.undoSteps;
    const beforeReplace = s.fake.dump();
    const fresh = await applied(s, await cutoutPayload(s, src, { name: 'New', edit: state(src.id, { feather: 5 }), replaceId: old.id }));
    expect(old.removed).toBe(true);
    expect(fresh.parent).toBe(src.parent);
    expect(names(fresh)).toEqual(['Below', 'Photo', 'Above', 'New']);
    expect(JSON.parse(fresh.getPluginData(DATA_EDIT)).feather).toBe(5);
    expect(s.fake.undoSteps).toBe(steps + 1);
    // A plain insert of the same payload, for where the result belongs on the canvas.
    const plain = await applied(s, await cutoutPayload(s, src, { name: 'Plain' }));
    expectPoints(absCorners(fresh), absCorners(plain), 1e-6);
    s.fake.undo(); // the plain one
    s.fake.undo(); // the replacement: the old result is back, exactly
    expect(s.fake.dump()).toBe(beforeReplace);
    expect(names(src)).toEqual(['Below', 'Photo', 'Above', 'Old']);
  });

  it('a result deleted since is not an error: the new one is added above the source', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const old = await applied(s, await cutoutPayload(s, src, { name: 'Old' }));
    old.remove();
    const fresh = await applied(s, await cutoutPayload(s, src, { name: 'New', replaceId: old.id }));
    expect(names(fresh)).toEqual(['Below', 'Photo', 'New', 'Above']);
  });

  it('a replaceId naming a layer that is not a result is refused; nothing changes', async () => {
    let src!: FScene;
    const s = session((f) => (src = build(f)));
    const above = (src.parent as unknown as { children: FScene[] }).children[2]!;
    const before = s.fake.dump();
    const reply = await apply(s, await cutoutPayload(s, src, { replaceId: above.id }));
    expect(reply.type).toBe('error');
    expect((reply as Of<'error'>).error.message).toMatch(/“Above” is not a Cutout result/);
    expect(s.fake.dump()).toBe(before);
  });
});
