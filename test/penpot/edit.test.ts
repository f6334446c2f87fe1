/**
 * "Edit a cutout later" in Penpot (against the fake): the edit state is kept as the result's
 * plugin data, "Edit cutout" hands it back in init, and an apply with `replaceId` puts the new
 * result where the old one is in one undo entry, the old one removed only once the new exists.
 */
import { describe, expect, it } from 'vitest';
import type { Shape } from '@penpot/plugin-types';
import { DATA_EDIT } from '../../plugin/host/edit-data.js';
import { startPenpotPlugin } from '../../plugin/penpot/plugin.js';
import type { ApplyPayload, EditState } from '../../plugin/protocol.js';
import { PROTOCOL_VERSION } from '../../plugin/protocol.js';
import { board, colorShape, coordinatePng, imageShape } from './fake/index.js';
import { type Of, type Session, apply, cropPng, expectPoints, pageCorners, ready, requestImage, session } from './helpers.js';

const RECT = { x: 8, y: 6, width: 40, height: 30 };

function state(sourceId: string, over: Partial<EditState> = {}): EditState {
  return {
    version: 1,
    sourceId,
    image: { width: 64, height: 48, hash: '12345678' },
    points: [{ x: 20, y: 18, label: 1 }],
    candidate: 1,
    output: 'cutout',
    feather: 2,
    smoothing: 1,
    modelId: 'slimsam-77-q8',
    ...over,
  };
}

/** A board holding Below, the source, Above (bottom to top). */
function build(f: Parameters<Parameters<typeof session>[0]>[0]): Shape {
  const b = board(f, { x: 0, y: 0, width: 400, height: 300, name: 'Board' });
  colorShape(f, { x: 10, y: 10, width: 20, height: 20, name: 'Below', parent: b });
  const src = imageShape(f, { bytes: coordinatePng(64, 48), x: 40, y: 30, width: 128, height: 96, name: 'Photo', parent: b });
  colorShape(f, { x: 300, y: 10, width: 20, height: 20, name: 'Above', parent: b });
  return src;
}

async function payload(s: Session, src: Shape, extra: Partial<ApplyPayload> = {}): Promise<ApplyPayload> {
  const { image } = await requestImage(s, src.id);
  return { sourceId: src.id, output: 'cutout', png: cropPng(image, RECT), rect: RECT, hideSource: false, ...extra };
}

async function applied(s: Session, p: ApplyPayload): Promise<string> {
  const reply = await apply(s, p);
  if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
  return reply.nodeIds[0]!;
}

/** Names of the board's children, bottom to top. */
function stack(s: Session, boardName = 'Board'): string[] {
  const b = (s.fake.dump().children ?? []).find((d) => d.name === boardName)!;
  return (b.children ?? []).map((d) => d.name);
}

/** The plugin started again as "Edit cutout" with `id` selected, same file. */
async function relaunch(s: Session, id: string) {
  s.plugin.dispose();
  s.fake.select([id]);
  const plugin = startPenpotPlugin('edit');
  const from = s.fake.ui.received.length;
  s.fake.ui.send({ type: 'ready', version: PROTOCOL_VERSION });
  // The first session's handler is still subscribed (penpot.ui.onMessage adds): take the edit one's answer.
  const init = await s.fake.ui.waitFor<Of<'init'>>((m) => m.type === 'init' && m.command === 'edit', { from });
  return { init, dispose: () => plugin.dispose() };
}

describe('Penpot: edit a cutout later', () => {
  it('the edit state is kept as plugin data; "Edit cutout" hands it back with the source', async () => {
    let src!: Shape;
    const s = session((f) => (src = build(f)));
    await ready(s);
    const id = await applied(s, await payload(s, src, { name: 'Cutout of Photo', edit: state(src.id) }));
    expect(JSON.parse(s.fake.shape(id).getPluginData(DATA_EDIT))).toEqual(state(src.id));
    const { init, dispose } = await relaunch(s, id);
    expect(init.command).toBe('edit');
    expect(init.editSourceId).toBe(src.id);
    expect(init.edit).toEqual({ resultId: id, resultName: 'Cutout of Photo', state: state(src.id) });
    dispose();
  });

  it('replaces in place (same board, same place in the stack, same page position); one undo entry brings the old result back', async () => {
    let src!: Shape;
    const s = session((f) => (src = build(f)));
    await ready(s);
    const oldId = await applied(s, await payload(s, src, { name: 'Old', edit: state(src.id) }));
    expect(stack(s)).toEqual(['Below', 'Photo', 'Old', 'Above']);
    const oldCorners = pageCorners(s.fake, oldId);
    s.fake.resetHistory();
    const before = JSON.stringify(s.fake.dump());
    const newId = await applied(s, await payload(s, src, { name: 'New', edit: state(src.id, { feather: 6 }), replaceId: oldId }));
    expect(stack(s)).toEqual(['Below', 'Photo', 'New', 'Above']);
    expect(s.fake.dump().children!.some((d) => d.id === oldId)).toBe(false);
    expectPoints(pageCorners(s.fake, newId), oldCorners, 1e-6);
    expect(JSON.parse(s.fake.shape(newId).getPluginData(DATA_EDIT)).feather).toBe(6);
    expect(s.fake.undoEntries).toHaveLength(1);
    s.fake.undoLast();
    expect(JSON.stringify(s.fake.dump())).toBe(before);
  });

  it('no relaunch buttons in Penpot: selecting one result that remembers how it was made offers it in the selection message', async () => {
    let src!: Shape;
    const s = session((f) => (src = build(f)));
    await ready(s);
    const id = await applied(s, await payload(s, src, { name: 'Cutout of Photo', edit: state(src.id) }));
    const from = s.fake.ui.received.length;
    s.fake.select([id]);
    const sel = await s.fake.ui.waitFor<Of<'selection'>>((m) => m.type === 'selection', { from });
    expect(sel.edit).toEqual({ resultId: id, resultName: 'Cutout of Photo', state: state(src.id) });
    expect(sel.sources.map((x) => x.id)).toEqual([src.id]);
    // The source itself selected: a plain selection.
    const from2 = s.fake.ui.received.length;
    s.fake.select([src.id]);
    const plain = await s.fake.ui.waitFor<Of<'selection'>>((m) => m.type === 'selection', { from: from2 });
    expect(plain.edit).toBeUndefined();
  });

  it('the source deleted since: init says so and nothing changes', async () => {
    let src!: Shape;
    const s = session((f) => (src = build(f)));
    await ready(s);
    const id = await applied(s, await payload(s, src, { edit: state(src.id) }));
    s.fake.shape(src.id).remove();
    const before = JSON.stringify(s.fake.dump());
    const { init, dispose } = await relaunch(s, id);
    expect(init.edit?.sourceMissing).toBe(true);
    expect(init.editSourceId).toBeUndefined();
    expect(JSON.stringify(s.fake.dump())).toBe(before);
    dispose();
  });
});
