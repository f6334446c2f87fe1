/** Batch background removal through plugin/penpot: the walk, streamed inserts, one undo step, the summary notice. */
import { describe, expect, it } from 'vitest';
import type { Shape } from '@penpot/plugin-types';
import type { BatchScope } from '../../plugin/protocol.js';
import { board, coordinatePng, group, imageShape, textShape } from './fake/index.js';
import type { SourceInfo } from '../../plugin/protocol.js';
import { type Of, type Session, cropPng, expectPoints, pageCorners, ready, requestImage, session, sourceRectToPage } from './helpers.js';

const W = 40;
const H = 30;

function scene(s: { fake: Session['fake'] }) {
  const f = s.fake;
  const outer = board(f, { x: 0, y: 0, width: 600, height: 400, name: 'Outer' });
  const inner = board(f, { x: 20, y: 20, width: 300, height: 300, name: 'Inner', parent: outer, rotation: 10 });
  const a = imageShape(f, { bytes: coordinatePng(W, H), x: 40, y: 40, width: 80, height: 60, parent: inner, name: 'A' });
  const b = imageShape(f, { bytes: coordinatePng(W, H), x: 200, y: 60, width: 80, height: 60, parent: outer, name: 'B', rotation: 45 });
  const c = imageShape(f, { bytes: coordinatePng(W, H), x: 400, y: 200, width: 80, height: 60, name: 'C' });
  const g = group(f, [c], { name: 'Group' });
  const locked = imageShape(f, { bytes: coordinatePng(W, H), x: 700, y: 0, width: 80, height: 60, name: 'Locked' });
  locked.blocked = true;
  const hidden = imageShape(f, { bytes: coordinatePng(W, H), x: 800, y: 0, width: 80, height: 60, name: 'Hidden', hidden: true });
  const tiny = imageShape(f, { bytes: coordinatePng(W, H), x: 900, y: 0, width: 10, height: 8, name: 'Tiny' });
  textShape(f, 'Title', { x: 0, y: 500, name: 'Title' });
  return { a, b, c, g, locked, hidden, tiny };
}

async function list(s: Session, scope: BatchScope, requestId: number) {
  return s.fake.ui.request<Of<'batch-items'>>({ type: 'batch-list', requestId, scope });
}

describe('remove background over a page', () => {
  it('counts the images of each scope before a batch runs', async () => {
    let shapes!: ReturnType<typeof scene>;
    const s = session((f) => {
      shapes = scene({ fake: f });
      f.select([shapes.g.id]);
    });
    await ready(s);
    const reply = await s.fake.ui.request<Of<'batch-counts'>>({ type: 'batch-count', requestId: 3 });
    expect(reply.counts).toEqual({ selection: 1, page: 3, file: 3 });
  });

  it('lists every visible, unlocked image in nested boards and groups; inserts each exactly over its source; one undo step; a summary notice', async () => {
    let shapes!: ReturnType<typeof scene>;
    const s = session((f) => {
      shapes = scene({ fake: f });
    }, { command: 'remove-bg' });
    const { init } = await ready(s);
    expect(init.command).toBe('remove-bg');
    const before = JSON.stringify(s.fake.dump());
    const items = await list(s, 'page', 7);
    expect(items.sources.map((x) => x.name).sort()).toEqual(['A', 'B', 'C']);
    const reasons = Object.fromEntries(items.skipped.map((x) => [x.name, x.reason]));
    expect(reasons).toMatchObject({ Locked: 'is locked', Hidden: 'is hidden', Tiny: expect.stringMatching(/smaller than 16 px/) });
    const described = new Map<string, SourceInfo>();
    for (const src of items.sources) {
      const { image, source } = await requestImage(s, src.id);
      described.set(src.id, source);
      const rect = { x: 5, y: 5, width: 20, height: 15 };
      s.fake.ui.send({ type: 'batch-apply', requestId: 7, payload: { sourceId: src.id, output: 'cutout', png: cropPng(image, rect), rect, hideSource: false } });
    }
    const done = await s.fake.ui.request<Of<'batch-done'>>({ type: 'batch-end', requestId: 7, cancelled: false, failures: [] });
    expect(done).toMatchObject({ inserted: 3, failed: 0 });
    expect(done.results!.map((r) => r.sourceId).sort()).toEqual(items.sources.map((x) => x.id).sort());
    for (const r of done.results!) expect(s.fake.doc.get(r.nodeIds[0]!).pluginData).toMatchObject({ source: r.sourceId });
    const notice = s.fake.ui.ofType<Of<'notice'>>('notice').at(-1)!;
    expect(notice.message).toBe('Removed the background from 3 images, 3 skipped.');
    // each result sits over its source
    for (const src of [shapes.a, shapes.b, shapes.c] as Shape[]) {
      const parent = s.fake.doc.get(s.fake.doc.get(src.id).parentId!);
      const result = parent.children[parent.children.indexOf(src.id) + 1];
      expect(s.fake.doc.get(result).pluginData).toMatchObject({ source: src.id, output: 'cutout' });
      expectPoints(pageCorners(s.fake, result), sourceRectToPage(s.fake, src.id, described.get(src.id)!, { x: 5, y: 5, width: 20, height: 15 }));
    }
    // results are selected; one undo entry takes the whole batch back
    expect(s.fake.penpot.selection).toHaveLength(3);
    expect(s.fake.undoEntries).toHaveLength(1);
    // a summary thumbnail selects its result
    const pick = done.results!.find((r) => r.sourceId === shapes.b.id)!;
    s.fake.ui.send({ type: 'select', nodeIds: pick.nodeIds });
    await s.fake.flush();
    await s.plugin.idle();
    expect(s.fake.penpot.selection.map((x) => x.id)).toEqual(pick.nodeIds);
    s.fake.undoLast();
    expect(JSON.stringify(s.fake.dump())).toBe(before);
  });

  it('a second batch skips Cutout results; failures are counted and named; the selection scope reports layers without images', async () => {
    let shapes!: ReturnType<typeof scene>;
    const s = session((f) => {
      shapes = scene({ fake: f });
    });
    await ready(s);
    const first = await list(s, 'page', 1);
    const a = first.sources.find((x) => x.name === 'A')!;
    const { image } = await requestImage(s, a.id);
    const rect = { x: 0, y: 0, width: W, height: H };
    s.fake.ui.send({ type: 'batch-apply', requestId: 1, payload: { sourceId: a.id, output: 'cutout', png: cropPng(image, rect), rect, hideSource: true } });
    // B's insert fails on the host side (not a PNG); C failed in the UI
    const b = first.sources.find((x) => x.name === 'B')!;
    s.fake.ui.send({ type: 'batch-apply', requestId: 1, payload: { sourceId: b.id, output: 'cutout', png: new Uint8Array([0]), rect, hideSource: true } });
    const done = await s.fake.ui.request<Of<'batch-done'>>({ type: 'batch-end', requestId: 1, cancelled: false, failures: [{ id: shapes.c.id, name: 'C', message: 'decoder said no' }] });
    expect(done).toMatchObject({ inserted: 1, failed: 2 });
    const notice = s.fake.ui.ofType<Of<'notice'>>('notice').at(-1)!;
    expect(notice.message).toMatch(/^Removed the background from 1 image, 2 failed, 3 skipped\. First problem: “B”: .*PNG/);
    expect(s.fake.doc.get(b.id).hidden).toBe(false);
    expect(s.fake.doc.get(a.id).hidden).toBe(true);
    const second = await list(s, 'page', 2);
    const resultId = [...s.fake.doc.shapes.values()].find((x) => x.pluginData.source === a.id)!.id;
    expect(second.skipped).toContainEqual({ id: resultId, name: s.fake.doc.get(resultId).name, reason: 'is a Cutout result' });
    expect(second.sources.map((x) => x.id)).not.toContain(resultId);
    await s.fake.ui.request({ type: 'batch-end', requestId: 2, cancelled: true, failures: [] });
    s.fake.select([shapes.g.id, s.fake.doc.get(s.fake.doc.get(shapes.a.id).parentId!).id]);
    await s.fake.flush();
    const sel = await list(s, 'selection', 3);
    expect(sel.sources.map((x) => x.name)).toEqual(['C']);
    const f = await list(s, 'file', 4);
    expect(f.sources.map((x) => x.name).sort()).toEqual(['B', 'C']);
  });
});
