/**
 * Batch background removal over a whole Penpot FILE: three pages, images in nested (rotated)
 * boards, groups and a locked board. Penpot changes only the active page (shapes of another page
 * are refused: "Cannot modify a page that is not currently active"), so the adapter has to open
 * each source's page before inserting its result. Checked against the fake's true geometry, page
 * by page.
 *
 * Undo, as Penpot does it: the batch is one undo transaction even though pages were opened in
 * between (page navigation neither commits nor resets the workspace's undo stack); one undo
 * reverts every page at once without opening any of them — the user stays on the last page the
 * batch opened (workspace/undo.cljs; see test/penpot/fake/host.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Page, Shape } from '@penpot/plugin-types';
import { decodePng } from '../../core/image/png.js';
import type { FakeDoc, FakePenpot } from './fake/index.js';
import { addPage, board, coordinatePng, group, imageShape, textShape } from './fake/index.js';
import type { SourceInfo } from '../../plugin/protocol.js';
import { type Of, type Session, apply, cropPng, expectPoints, pageCorners, ready, requestImage, session, sourceRectToPage } from './helpers.js';

const W = 40;
const H = 30;
const RECT = { x: 5, y: 5, width: 20, height: 15 };

const corners = pageCorners;

/** Every page's shapes as stored, keyed by page (for "nothing else changed" checks). */
function pageStates(fake: FakePenpot): Map<string, Map<string, string>> {
  return new Map(fake.pages.map((p) => [p.pageId, new Map([...p.shapes.values()].map((s) => [s.id, JSON.stringify(s)]))]));
}

function scene(f: FakePenpot) {
  const img = (spec: Parameters<typeof imageShape>[1]) => imageShape(f, { bytes: coordinatePng(W, H), ...spec });
  // Page 1 "Cover": A in a rotated board inside a board; B rotated on the page
  const cover = f.doc;
  cover.pageName = 'Cover';
  const outer = board(f, { x: 0, y: 0, width: 600, height: 400, name: 'Outer' });
  const inner = board(f, { x: 20, y: 20, width: 300, height: 300, rotation: 10, parent: outer, name: 'Inner' });
  const a = img({ x: 40, y: 40, width: 80, height: 60, parent: inner, name: 'A' });
  const b = img({ x: 700, y: 50, width: 80, height: 60, rotation: 30, name: 'B' });
  textShape(f, 'Cover title', { x: 0, y: 450 });
  // Page 2 "Photos": C flipped in a group in a board; a locked image; a hidden one
  const photos = addPage(f, 'Photos');
  const frame = board(f, { x: 0, y: 0, width: 500, height: 500, page: photos, name: 'Frame' });
  const c = img({ x: 50, y: 50, width: 100, height: 75, flipX: true, parent: frame, name: 'C' });
  group(f, [c], { name: 'G' });
  img({ x: 600, y: 0, width: 80, height: 60, page: photos, name: 'Locked', blocked: true });
  img({ x: 200, y: 200, width: 80, height: 60, parent: frame, name: 'Hidden', hidden: true });
  // Page 3 "Archive": D in a locked board; E rotated 150° in a rotated board in a board; a tiny one
  const archive = addPage(f, 'Archive');
  const vault = board(f, { x: 0, y: 0, width: 300, height: 300, page: archive, name: 'Vault', blocked: true });
  img({ x: 10, y: 10, width: 80, height: 60, parent: vault, name: 'D' });
  const shelf = board(f, { x: 400, y: 0, width: 500, height: 500, page: archive, name: 'Shelf' });
  const box = board(f, { x: 450, y: 50, width: 300, height: 300, rotation: -20, parent: shelf, name: 'Box' });
  const e = img({ x: 500, y: 100, width: 120, height: 90, rotation: 150, parent: box, name: 'E' });
  img({ x: 1000, y: 0, width: 10, height: 8, page: archive, name: 'Tiny' });
  return { pages: { cover, photos: f.page(photos), archive: f.page(archive) }, sources: { A: a, B: b, C: c, E: e } as Record<string, Shape> };
}

async function batchOverFile(s: Session, requestId: number) {
  const items = await s.fake.ui.request<Of<'batch-items'>>({ type: 'batch-list', requestId, scope: 'file' });
  const described = new Map<string, SourceInfo>();
  for (const src of items.sources) {
    const { image, source } = await requestImage(s, src.id);
    described.set(src.id, source);
    s.fake.ui.send({ type: 'batch-apply', requestId, payload: { sourceId: src.id, output: 'cutout', png: cropPng(image, RECT), rect: RECT, hideSource: false } });
  }
  const done = await s.fake.ui.request<Of<'batch-done'>>({ type: 'batch-end', requestId, cancelled: false, failures: [] });
  await s.plugin.idle();
  await s.fake.flush();
  await s.plugin.idle();
  return { items, done, described };
}

describe('remove background over a whole file (three pages)', () => {
  it('lists every page’s images with page-correct skip reasons; each result lands exactly over its source on the source’s page; one undo reverts all pages', async () => {
    let built!: ReturnType<typeof scene>;
    const s = session(
      (f) => {
        built = scene(f);
        // the user is on the middle page when the batch starts
        f.goToPage(built.pages.photos);
      },
      { command: 'remove-bg' },
    );
    const { pages, sources } = built;
    const pageOfSource = (name: string): FakeDoc => s.fake.docOf(sources[name].id);
    await ready(s);
    const before = pageStates(s.fake);
    const beforeIds = new Map([...before].map(([page, shapes]) => [page, new Set(shapes.keys())]));
    const { items, done, described } = await batchOverFile(s, 7);

    // the walk: every page, file order, with the reasons that hold on each page
    expect(items.sources.map((x) => x.name)).toEqual(['A', 'B', 'C', 'E']);
    expect(Object.fromEntries(items.skipped.map((x) => [x.name, x.reason]))).toEqual({
      Locked: 'is locked',
      Hidden: 'is hidden',
      D: 'is inside a locked layer',
      Tiny: 'is smaller than 16 px (10×8)',
    });
    expect(done).toMatchObject({ inserted: 4, failed: 0 });
    expect(s.fake.ui.ofType<Of<'notice'>>('notice').at(-1)!.message).toBe('Removed the background from 4 images, 4 skipped.');
    expect(s.fake.validationErrors).toEqual([]);

    // pages were opened in this workspace (never in a new window)
    expect(s.fake.openPageCalls.length).toBeGreaterThan(0);
    expect(s.fake.openPageCalls.every((c) => !c.newWindow)).toBe(true);
    expect(s.fake.currentPage.pageName).toBe('Archive');

    // each result: one, on its source's page, right above the source in its parent, exactly over the image's RECT
    const resultOf = new Map<string, string>();
    for (const [name, src] of Object.entries(sources)) {
      const all = s.fake.pages.flatMap((p) => [...p.shapes.values()].filter((x) => x.pluginData.source === src.id).map((x) => ({ page: p, id: x.id })));
      expect(all, name).toHaveLength(1);
      const { page, id } = all[0];
      expect(page.pageName, name).toBe(pageOfSource(name).pageName);
      resultOf.set(name, id);
      const parent = page.get(page.get(src.id).parentId!);
      expect(parent.children[parent.children.indexOf(src.id) + 1], name).toBe(id);
      expect(page.get(id).pluginData).toMatchObject({ source: src.id, output: 'cutout' });
      expectPoints(corners(s.fake, id), sourceRectToPage(s.fake, src.id, described.get(src.id)!, RECT));
      const fill = page.get(id).fills[0].fillImage!;
      expect([fill.width, fill.height], name).toEqual([RECT.width, RECT.height]);
      expect(decodePng(s.fake.file.media.get(fill.id)!.bytes).width).toBe(RECT.width);
    }

    // nothing landed on a wrong page: each page gained exactly its own sources' results; originals untouched
    const after = pageStates(s.fake);
    for (const p of s.fake.pages) {
      const added = [...after.get(p.pageId)!.keys()].filter((id) => !beforeIds.get(p.pageId)!.has(id)).sort();
      const expected = Object.keys(sources)
        .filter((n) => pageOfSource(n) === p)
        .map((n) => resultOf.get(n)!)
        .sort();
      expect(added, p.pageName).toEqual(expected);
      for (const [id, json] of before.get(p.pageId)!) {
        const now = JSON.parse(after.get(p.pageId)!.get(id)!);
        const was = JSON.parse(json);
        // parents gained a child; nothing else of any original changed
        now.children = now.children.filter((c: string) => beforeIds.get(p.pageId)!.has(c));
        expect(now, `${p.pageName}: ${was.name}`).toEqual(was);
      }
    }

    // one undo entry for the whole batch; undo reverts every page and opens none
    expect(s.fake.undoEntries).toHaveLength(1);
    s.fake.undoLast();
    expect(pageStates(s.fake)).toEqual(before);
    expect(s.fake.currentPage.pageName).toBe('Archive');
    expect((s.fake.penpot.currentFile!.pages as Page[]).map((p) => p.name)).toEqual(['Cover', 'Photos', 'Archive']);
  });

  it('after the batch only the results on the page it ended on are selected (Penpot’s selection belongs to the active page); no error follows', async () => {
    let built!: ReturnType<typeof scene>;
    const s = session((f) => {
      built = scene(f);
    });
    await ready(s);
    await batchOverFile(s, 3);
    expect(s.fake.currentPage.pageName).toBe('Archive');
    const e = [...s.fake.currentPage.shapes.values()].find((x) => x.pluginData.source === built.sources.E.id)!;
    // every selected id is a live shape of the active page
    expect(s.fake.file.selection).toEqual([e.id]);
    expect(s.fake.penpot.selection.map((x) => x.id)).toEqual([e.id]);
    // the selection message that follows reads them without trouble
    expect(s.fake.ui.ofType('error')).toEqual([]);
  });

  it('a single cutout of a layer on another page (the user opened another page after selecting it) opens the layer’s page and lands there', async () => {
    let built!: ReturnType<typeof scene>;
    const s = session((f) => {
      built = scene(f);
      f.select([built.sources.B]);
    });
    await ready(s);
    s.fake.goToPage(built.pages.photos);
    await s.fake.flush();
    const src = built.sources.B;
    const { image, source } = await requestImage(s, src.id);
    const reply = await apply(s, { sourceId: src.id, output: 'cutout', png: cropPng(image, RECT), rect: RECT, hideSource: false });
    expect(reply.type, JSON.stringify(reply)).toBe('applied');
    const id = (reply as Of<'applied'>).nodeIds[0];
    expect(s.fake.docOf(id).pageName).toBe('Cover');
    expect(s.fake.currentPage.pageName).toBe('Cover');
    expectPoints(corners(s.fake, id), sourceRectToPage(s.fake, src.id, source, RECT));
    expect(s.fake.penpot.selection.map((x) => x.id)).toEqual([id]);
  });
});
