/** The Penpot fake enforces what Penpot's plugin runtime enforces; these pin each rule down. */
import jpeg from 'jpeg-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Board, Fill, Group, Page, Path, Penpot, Rectangle, Shape } from '@penpot/plugin-types';
import { decodePng } from '../../core/image/png.js';
import {
  type FakePenpot,
  type FakePenpotOptions,
  ROOT_ID,
  addImage,
  addPage,
  board,
  colorShape,
  coordinatePng,
  createFakePenpot,
  decodeCoordinate,
  group,
  imageShape,
  markComponent,
  pathShape,
  rgba,
  solidPng,
  textShape,
} from './fake/index.js';
import { encodePng } from '../../core/image/png.js';

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

/** A fake with throwing validation (manifest v2), quiet console. */
function fake(options: FakePenpotOptions = {}): { f: FakePenpot; penpot: Penpot } {
  const f = createFakePenpot({ manifestVersion: 2, quiet: true, ...options });
  restore = f.install();
  return { f, penpot: f.penpot };
}

const asShape = (s: unknown) => s as Shape;

function pixel(png: Uint8Array, x: number, y: number): [number, number, number, number] {
  const img = decodePng(png);
  const o = (y * img.width + x) * 4;
  return [img.data[o], img.data[o + 1], img.data[o + 2], img.data[o + 3]];
}

function coordAt(png: Uint8Array, x: number, y: number): { x: number; y: number; a: number } {
  const [r, g, b, a] = pixel(png, x, y);
  return { ...decodeCoordinate(r, g, b), a };
}

function jpegBytes(w: number, h: number): Uint8Array {
  const data = new Uint8Array(w * h * 4).fill(200);
  return new Uint8Array(jpeg.encode({ width: w, height: h, data }, 90).data);
}

describe('fake Penpot: install and permissions', () => {
  it('install sets globalThis.penpot and the restorer removes it', () => {
    const f = createFakePenpot({ quiet: true });
    const undo = f.install();
    expect((globalThis as { penpot?: unknown }).penpot).toBe(f.penpot);
    undo();
    expect('penpot' in globalThis).toBe(false);
  });

  it('reading the document needs content:read (the runtime throws)', () => {
    const { penpot } = fake({ permissions: ['content:write'] });
    expect(() => penpot.selection).toThrow('Permission content:read is not granted');
    expect(() => penpot.root).toThrow('Permission content:read is not granted');
    expect(() => penpot.currentPage).toThrow('Permission content:read is not granted');
    expect(() => penpot.currentFile).toThrow('Permission content:read is not granted');
    expect(() => penpot.on('selectionchange', () => {})).toThrow('Permission content:read is not granted');
  });

  it('creating needs content:write; uploadMediaData throws synchronously without it', () => {
    const { penpot } = fake({ permissions: ['content:read'] });
    expect(() => penpot.createRectangle()).toThrow('Permission content:write is not granted');
    expect(() => penpot.createBoard()).toThrow('Permission content:write is not granted');
    expect(() => penpot.group([])).toThrow('Permission content:write is not granted');
    expect(() => penpot.uploadMediaData('x', solidPng(2, 2), 'image/png')).toThrow('Permission content:write is not granted');
  });

  it('modifying a shape without content:write is a Penpot validation error (thrown with v2, logged and dropped with v1)', () => {
    const v2 = fake({ permissions: ['content:read'] });
    const r2 = colorShape(v2.f, { x: 5, y: 5, width: 10, height: 10 });
    expect(() => (r2.x = 50)).toThrow("[PENPOT PLUGIN] Value not valid: Plugin doesn't have 'content:write' permission. Code: :x");
    expect(r2.x).toBe(5);

    const v1 = createFakePenpot({ permissions: ['content:read'], quiet: true });
    const r1 = colorShape(v1, { x: 5, y: 5, width: 10, height: 10 });
    expect(() => (r1.x = 50)).not.toThrow();
    expect(r1.x).toBe(5);
    expect(v1.validationErrors).toEqual(["[PENPOT PLUGIN] Value not valid: Plugin doesn't have 'content:write' permission. Code: :x"]);
    expect(v1.consoleMessages).toHaveLength(1);
  });

  it('penpot.flags.throwValidationErrors switches the channel at run time', () => {
    const f = createFakePenpot({ quiet: true });
    const r = f.penpot.createRectangle();
    expect(f.penpot.flags.throwValidationErrors).toBe(false);
    r.opacity = 2;
    expect(r.opacity).toBe(1);
    f.penpot.flags.throwValidationErrors = true;
    expect(() => (r.opacity = 2)).toThrow(/Value not valid: 2\. Code: :opacity/);
  });

  it('values handed out by penpot.* are hardened (frozen)', () => {
    const { f, penpot } = fake();
    colorShape(f, { width: 1, height: 1 });
    const sel = penpot.selection;
    expect(() => (sel as Shape[]).push(penpot.createRectangle())).toThrow(TypeError);
    expect(Object.isFrozen(penpot)).toBe(true);
  });
});

describe('fake Penpot: localStorage', () => {
  it('needs allow:localstorage', () => {
    const { penpot } = fake({ permissions: ['content:read', 'content:write'] });
    expect(() => penpot.localStorage).toThrow('Permission allow:localstorage is not granted');
  });

  it('stores String(value), returns null for missing keys, lists and removes keys, checks key types', () => {
    const shared = new Map<string, string>();
    const { penpot } = fake({ localStorage: shared, pluginId: 'p1' });
    const ls = penpot.localStorage;
    expect(ls.getItem('missing')).toBeNull();
    ls.setItem('n', 42);
    ls.setItem('o', { a: 1 });
    ls.setItem('s', JSON.stringify({ a: 1 }));
    expect(ls.getItem('n')).toBe('42');
    expect(ls.getItem('o')).toBe('[object Object]');
    expect(JSON.parse(ls.getItem('s'))).toEqual({ a: 1 });
    expect(ls.getKeys().sort()).toEqual(['n', 'o', 's']);
    ls.removeItem('n');
    expect(ls.getKeys().sort()).toEqual(['o', 's']);
    expect([...shared.keys()].sort()).toEqual(['penpot-plugins:p1/o', 'penpot-plugins:p1/s']);
    expect(() => ls.getItem(1 as unknown as string)).toThrow(/The key must be a string. Code: :getItem/);
    // another "session" of the same plugin sees the values
    const again = createFakePenpot({ localStorage: shared, pluginId: 'p1', quiet: true });
    expect(again.penpot.localStorage.getItem('o')).toBe('[object Object]');
  });
});

describe('fake Penpot: UI channel', () => {
  it('ui.open records the url Penpot builds, default and clamped sizes; size is null before', () => {
    const { f, penpot } = fake({ manifestVersion: 1, host: 'http://localhost:4400', window: { width: 1000, height: 700 } });
    expect(penpot.ui.size).toBeNull();
    penpot.ui.open('Cutout', 'ui.html', { width: 320, height: 2000 });
    expect(f.modal?.src).toBe('http://localhost:4400/ui.html?theme=dark');
    expect(penpot.ui.size).toEqual({ width: 320, height: 660 });
    penpot.ui.resize(100, 300);
    expect(penpot.ui.size).toEqual({ width: 200, height: 300 });
    expect(() => penpot.ui.resize(0, 300)).toThrow(/positive/);
    expect(() => penpot.ui.open('x', 'y', { width: -1, height: 5 })).toThrow(/positive/);
    const v2 = createFakePenpot({ manifestVersion: 2, quiet: true });
    v2.penpot.ui.open('Cutout', 'ui.html');
    expect(v2.modal?.src).toBe('http://localhost:4400/ui.html#/?theme=dark');
    expect(v2.penpot.ui.size).toEqual({ width: 335, height: 590 });
  });

  it('sendMessage clones, delivers on a later task, and refuses non-cloneable messages', async () => {
    const { f, penpot } = fake();
    penpot.ui.open('Cutout', 'ui.html');
    const msg = { type: 'hello', nested: { n: 1 } };
    penpot.ui.sendMessage(msg);
    msg.nested.n = 2;
    expect(f.ui.received).toEqual([]);
    await f.flush();
    expect(f.ui.received).toEqual([{ type: 'hello', nested: { n: 1 } }]);

    penpot.ui.sendMessage({ type: 'bad', fn: () => 1 });
    expect(f.consoleMessages.join('\n')).toMatch(/could not be cloned/);
    expect(() => penpot.ui.sendMessage({ type: 'bad', fn: () => 1 }, true)).toThrow(/could not be cloned/);
    await f.flush();
    expect(f.ui.ofType('bad')).toEqual([]);
  });

  it('messages sent before ui.open are dropped', async () => {
    const { f, penpot } = fake();
    penpot.ui.sendMessage({ type: 'early' });
    await f.flush();
    expect(f.ui.received).toEqual([]);
    expect(f.droppedMessages).toEqual([{ type: 'early' }]);
  });

  it('UI → plugin messages are structured clones delivered asynchronously to every onMessage callback', async () => {
    const { f, penpot } = fake();
    const got: unknown[] = [];
    penpot.ui.onMessage((m) => got.push(m));
    penpot.ui.open('Cutout', 'ui.html');
    const m = { type: 'run', data: new Uint8Array([1, 2]) };
    f.ui.send(m);
    m.data[0] = 9;
    expect(got).toEqual([]);
    await f.flush();
    expect(got).toEqual([{ type: 'run', data: new Uint8Array([1, 2]) }]);
    expect(() => f.ui.send({ fn: () => 1 })).toThrow();
    expect(() => penpot.ui.onMessage('nope' as never)).toThrow(/Expected function/);
  });

  it('closePlugin closes the UI and drops callbacks and listeners', async () => {
    const { f, penpot } = fake();
    const got: unknown[] = [];
    penpot.ui.onMessage((m) => got.push(m));
    const events: unknown[] = [];
    penpot.on('themechange', (t) => events.push(t));
    penpot.ui.open('Cutout', 'ui.html');
    penpot.closePlugin();
    expect(f.closed).toBe(true);
    expect(penpot.ui.size).toBeNull();
    f.ui.send({ type: 'late' });
    f.setTheme('light');
    await f.flush();
    expect(got).toEqual([]);
    expect(events).toEqual([]);
  });
});

describe('fake Penpot: events and selection', () => {
  it('selectionchange fires asynchronously (debounced) with the id list', async () => {
    const { f, penpot } = fake();
    const a = colorShape(f, { width: 10, height: 10 });
    const b = colorShape(f, { width: 10, height: 10 });
    const calls: string[][] = [];
    const id = penpot.on('selectionchange', (ids) => calls.push(ids));
    f.select([a]);
    f.select([a, b]);
    expect(calls).toEqual([]);
    await f.flush();
    expect(calls).toEqual([[a.id, b.id]]);
    expect(penpot.selection.map((s) => s.id)).toEqual([a.id, b.id]);
    penpot.off(id);
    f.select([b]);
    await f.flush();
    expect(calls).toHaveLength(1);
  });

  it('setting penpot.selection needs shape proxies and fires selectionchange too', async () => {
    const { f, penpot } = fake();
    const a = colorShape(f, { width: 10, height: 10 });
    const calls: string[][] = [];
    penpot.on('selectionchange', (ids) => calls.push(ids));
    penpot.selection = [a];
    await f.flush();
    expect(calls).toEqual([[a.id]]);
    expect(() => (penpot.selection = [{ id: a.id } as Shape])).toThrow(/Code: :selection/);
  });

  it('removing a selected shape deselects it', async () => {
    const { f, penpot } = fake();
    const a = colorShape(f, { width: 10, height: 10 });
    f.select([a]);
    penpot.selection[0].remove();
    expect(penpot.selection).toEqual([]);
  });

  it('themechange fires with the new theme; unknown event types are refused', async () => {
    const { f, penpot } = fake({ theme: 'light' });
    expect(penpot.theme).toBe('light');
    const got: string[] = [];
    penpot.on('themechange', (t) => got.push(t));
    f.setTheme('dark');
    await f.flush();
    expect(got).toEqual(['dark']);
    expect(penpot.theme).toBe('dark');
    expect(() => penpot.on('bogus' as never, () => {})).toThrow(/Invalid enum value/);
  });
});

describe('fake Penpot: history (undo blocks)', () => {
  it('one undo reverts a whole block; without a block every change is its own step', () => {
    const { f, penpot } = fake();
    const base = colorShape(f, { width: 10, height: 10 });
    f.resetHistory();
    const block = penpot.history.undoBlockBegin();
    const r = penpot.createRectangle();
    r.name = 'Result';
    r.resize(20, 20);
    penpot.history.undoBlockFinish(block);
    expect(f.undoEntries).toHaveLength(1);
    expect(f.undoEntries[0].ops).toEqual(['createRectangle', 'name', 'resize']);
    const rid = r.id;
    const e = f.undoLast();
    expect(e.block).toBe(true);
    expect(penpot.currentPage!.getShapeById(rid)).toBeNull();
    expect(penpot.currentPage!.getShapeById(base.id)).not.toBeNull();

    const r2 = penpot.createRectangle();
    r2.name = 'Loose';
    expect(f.undoEntries.map((x) => x.ops)).toEqual([['createRectangle'], ['name']]);
    f.undoLast();
    expect(r2.name).toBe('Rectangle');
  });

  it('nested blocks make one entry when the last one finishes', () => {
    const { f, penpot } = fake();
    const outer = penpot.history.undoBlockBegin();
    penpot.createRectangle();
    const inner = penpot.history.undoBlockBegin();
    penpot.createEllipse();
    penpot.history.undoBlockFinish(inner);
    expect(f.undoEntries).toHaveLength(0);
    penpot.history.undoBlockFinish(outer);
    expect(f.undoEntries.map((x) => x.ops)).toEqual([['createRectangle', 'createEllipse']]);
  });

  it('finishing an unknown, already finished or missing block id is reported', () => {
    const { penpot } = fake();
    const id = penpot.history.undoBlockBegin();
    penpot.history.undoBlockFinish(id);
    expect(() => penpot.history.undoBlockFinish(id)).toThrow(/already finished/);
    expect(() => penpot.history.undoBlockFinish(Symbol())).toThrow(/unknown block id/);
    expect(() => penpot.history.undoBlockFinish(undefined as never)).toThrow(/Code: :undoBlockFinish/);
  });

  it('a block left open is force-committed after the timeout (Penpot: 20 s) with a warning', async () => {
    const { f, penpot } = fake({ undoTransactionTimeoutMs: 20 });
    penpot.history.undoBlockBegin();
    penpot.createRectangle();
    expect(f.undoEntries).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 40));
    expect(f.undoEntries.map((e) => e.ops)).toEqual([['createRectangle']]);
    expect(f.consoleMessages.join('\n')).toMatch(/FORCE COMMIT TRANSACTION/);
  });

  it('undo blocks need content:write', () => {
    const { penpot } = fake({ permissions: ['content:read'] });
    expect(() => penpot.history.undoBlockBegin()).toThrow(/content:write/);
  });
});

describe('fake Penpot: fills', () => {
  it('validates every fill like Penpot’s schema', () => {
    const { penpot } = fake();
    const r = penpot.createRectangle();
    expect(r.fills).toEqual([expect.objectContaining({ fillColor: '#b1b2b5', fillOpacity: 1 })]);
    r.fills = [{ fillColor: '#ABCDEF', fillOpacity: 0.5 }];
    expect((r.fills as { fillColor?: string }[])[0].fillColor).toBe('#abcdef');
    r.fills = [{ fillColor: '#abc' }];
    expect(() => (r.fills = [{ fillColor: 'red' }])).toThrow(/Code: :fills/);
    expect(() => (r.fills = [{ fillColor: '#aabbcc', fillOpacity: 1.5 }])).toThrow(/Code: :fills/);
    expect(() => (r.fills = [{ fillOpacity: 1 }])).toThrow(/Code: :fills/);
    expect(() => (r.fills = [null as never])).toThrow(/Code: :fills/);
    expect(() => (r.fills = [{ fillColor: '#aabbcc', fillImage: { id: 'x', width: 1, height: 1 } as never }])).toThrow(/Code: :fills/);
    expect(() => (r.fills = { fillColor: '#aabbcc' } as never)).toThrow(/Code: :fills/);
    expect((r.fills as { fillColor?: string }[])[0].fillColor).toBe('#abc');
  });

  it('fillImage must be ImageData uploaded to this fake, with valid fields', async () => {
    const { penpot } = fake();
    const r = penpot.createRectangle();
    const img = await penpot.uploadMediaData('photo', solidPng(4, 2), 'image/png');
    r.fills = [{ fillOpacity: 1, fillImage: img }];
    const back = (r.fills as { fillImage?: { id: string; width: number } }[])[0].fillImage!;
    expect(back.id).toBe(img.id);
    expect(back.width).toBe(4);
    expect(() => (r.fills = [{ fillImage: { ...img, id: '0fa4e000-0000-4000-8000-0000deadbeef' } }])).toThrow(/not returned by uploadMediaData/);
    expect(() => (r.fills = [{ fillImage: { ...img, width: 4.5 } }])).toThrow(/Code: :fills/);
    r.fills = [{ fillImage: { ...img, keepAspectRatio: true } }];
    expect((r.fills as { fillImage?: { keepAspectRatio?: boolean } }[])[0].fillImage!.keepAspectRatio).toBe(true);
  });

  it('the fills getter returns live fill proxies (setting a field commits); the array itself is a copy', () => {
    const { penpot } = fake();
    const r = penpot.createRectangle();
    const fills = r.fills as { fillColor?: string }[];
    fills[0].fillColor = '#00ff00';
    expect((r.fills as { fillColor?: string }[])[0].fillColor).toBe('#00ff00');
    fills.push({ fillColor: '#0000ff' });
    expect(r.fills).toHaveLength(1);
    expect(() => (fills[0].fillColor = 'green')).toThrow(/Code: :fills/);
  });
});

describe('fake Penpot: uploadMediaData', () => {
  it('accepts PNG and JPEG that decode, reports their size and gives the bytes back', async () => {
    const { penpot } = fake();
    const png = coordinatePng(7, 3);
    const img = await penpot.uploadMediaData('p', png, 'image/png');
    expect(img).toMatchObject({ name: 'p', width: 7, height: 3, mtype: 'image/png' });
    expect(img.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await img.data()).toEqual(png);
    const j = await penpot.uploadMediaData('j', jpegBytes(5, 4), 'image/jpeg');
    expect(j).toMatchObject({ width: 5, height: 4, mtype: 'image/jpeg' });
  });

  it('rejects types Penpot does not take, mismatches, garbage, SVG and files over the size limit', async () => {
    const { penpot } = fake({ maxUploadBytes: 1000 });
    await expect(penpot.uploadMediaData('x', solidPng(2, 2), 'image/bmp')).rejects.toThrow('media type image/bmp is not supported');
    await expect(penpot.uploadMediaData('x', solidPng(2, 2), 'image/jpeg')).rejects.toThrow(/does not match the extension.*Got: image\/png/);
    await expect(penpot.uploadMediaData('x', new Uint8Array([1, 2, 3, 4, 5]), 'image/png')).rejects.toThrow('invalid image');
    const broken = solidPng(8, 8).slice(0, 40);
    await expect(penpot.uploadMediaData('x', broken, 'image/png')).rejects.toThrow('invalid image');
    await expect(penpot.uploadMediaData('x', new TextEncoder().encode('<svg/>'), 'image/svg+xml')).rejects.toThrow(/not emulated/);
    const noisy = encodePng(rgba(40, 40, (x, y) => [(x * 37 + y * 91) & 255, (x * y) & 255, (x ^ y) & 255, 255]), { level: 0 });
    expect(noisy.length).toBeGreaterThan(1000);
    await expect(penpot.uploadMediaData('x', noisy, 'image/png')).rejects.toThrow(/greater than the maximum 1000/);
    await expect(penpot.uploadMediaData('x', 'abc' as never, 'image/png')).rejects.toThrow(/must be a Uint8Array/);
  });

  it('the default limit is Penpot’s 30 MiB', () => {
    const f = createFakePenpot({ quiet: true });
    expect(f.doc.media.maxBytes).toBe(30 * 1024 * 1024);
  });
});

describe('fake Penpot: paths', () => {
  it('parses SVG path grammar (relative, H/V, curves, arcs, exponents) into Penpot’s normalised d', () => {
    const { penpot } = fake();
    const p = penpot.createPath();
    expect(p.d).toBe('M0,0L100,100');
    p.d = 'M0 0 H10 V10 Z';
    expect(p.d).toBe('M0,0L10,0L10,10Z');
    expect(p.content).toBe(p.d);
    p.d = 'm1e1,2E1 l-5.5.5 q0 10 10 10 t10 0 s5 5 10 0 a5 5 0 0110 0z';
    expect(p.d).toMatch(/^M10,20L4\.5,20\.5C.*Z$/);
    expect(p.commands[0]).toEqual({ command: 'move-to', params: { x: 10, y: 20 } });
    p.content = 'M 1 2 L 3 4';
    expect(p.d).toBe('M1,2L3,4');
  });

  it('rejects garbage, NaN, missing parameters, a leading non-M command, numbers after Z and empty data', () => {
    const { penpot } = fake();
    const p = penpot.createPath();
    for (const bad of ['garbage', 'M0 0 L NaN 1', 'M0 0 L5', 'L0 0', 'M0 0 Z 5 5', 'M1. 2', 'M0 0 L1e999 0', '   ', 'M0 0 X 1 1', 'M0 0 A 5 5 0 2 0 10 10']) {
      expect(() => (p.d = bad), bad).toThrow(/fake: invalid SVG path data/);
    }
    expect(() => (p.d = '')).toThrow(/Code: :content/);
    expect(p.d).toBe('M0,0L100,100');
  });

  it('a path’s box is the bounds of its absolute data, unrotated', () => {
    const { penpot } = fake();
    const p = penpot.createPath();
    p.d = 'M10 20 C10 120 110 120 110 20 Z';
    expect(p.x).toBe(10);
    expect(p.y).toBe(20);
    expect(p.width).toBe(100);
    expect(p.height).toBeCloseTo(75, 6);
    expect(p.rotation).toBe(0);
    p.x = 0;
    expect(p.d).toBe('M0,20C0,120,100,120,100,20Z');
  });
});

describe('fake Penpot: geometry', () => {
  it('x/y are the axis-aligned bounds of the rotated box (Penpot: points → rect), width/height the unrotated size', () => {
    const { penpot } = fake();
    const r = penpot.createRectangle();
    r.resize(200, 100);
    r.x = 0;
    r.y = 0;
    expect(r.center).toEqual({ x: 100, y: 50 });
    r.rotation = 90;
    expect(r.rotation).toBe(90);
    expect(r.width).toBe(200);
    expect(r.height).toBe(100);
    expect(r.center.x).toBeCloseTo(100, 9);
    expect(r.center.y).toBeCloseTo(50, 9);
    expect(r.x).toBeCloseTo(50, 9);
    expect(r.y).toBeCloseTo(-50, 9);
    expect(r.bounds.width).toBeCloseTo(100, 9);
    expect(r.bounds.height).toBeCloseTo(200, 9);
    r.x = 0;
    expect(r.center.x).toBeCloseTo(50, 9);
    r.rotation = -30;
    expect(r.rotation).toBeCloseTo(330, 9);
  });

  it('Penpot’s bookkeeping: a 180° turn reports flipX = flipY = true although the shape is only turned', async () => {
    const { f } = fake();
    const img = imageShape(f, { bytes: coordinatePng(10, 10), width: 10, height: 10 });
    img.rotation = 180;
    expect([img.rotation, img.flipX, img.flipY]).toEqual([180, true, true]);
    const png = await img.export({ type: 'png' });
    expect(coordAt(png, 0, 0)).toEqual({ x: 9, y: 9, a: 255 });
    img.rotation = 0;
    expect([img.rotation, img.flipX, img.flipY]).toEqual([0, false, false]);
    // the builder can set up such a shape directly
    const turned = imageShape(f, { bytes: coordinatePng(10, 10), width: 10, height: 10, rotation: 180, reports: { flipX: true, flipY: true } });
    expect([turned.rotation, turned.flipX, turned.flipY]).toEqual([180, true, true]);
    expect(coordAt(await turned.export({ type: 'png' }), 0, 0)).toEqual({ x: 9, y: 9, a: 255 });
  });

  it('rotate(angle, center) turns about the given point; 45° bounds grow', () => {
    const { penpot } = fake();
    const r = penpot.createRectangle();
    r.rotate(90, { x: 0, y: 0 });
    expect(r.center.x).toBeCloseTo(-50, 9);
    expect(r.center.y).toBeCloseTo(50, 9);
    expect(r.rotation).toBe(90);
    const s = penpot.createRectangle();
    s.rotate(45);
    expect(s.bounds.width).toBeCloseTo(100 * Math.SQRT2, 9);
  });

  it('flipX setter flips whatever the value (like Penpot) and mirrors a rotated shape: rotation negates', () => {
    const { penpot } = fake();
    const r = penpot.createRectangle();
    r.resize(100, 50);
    r.rotation = 30;
    const before = r.bounds;
    r.flipX = true;
    expect(r.flipX).toBe(true);
    expect(r.rotation).toBeCloseTo(330, 9);
    expect(r.bounds.x).toBeCloseTo(before.x, 9);
    expect(r.bounds.width).toBeCloseTo(before.width, 9);
    r.flipX = true; // flips back
    expect(r.flipX).toBe(false);
    expect(r.rotation).toBeCloseTo(30, 9);
    expect(() => (r.flipY = 'yes' as never)).toThrow(/Code: :flipY/);
  });

  it('moving or rotating a board moves/rotates its children about the board centre', () => {
    const { f } = fake();
    const b = board(f, { x: 0, y: 0, width: 100, height: 100 });
    const c = colorShape(f, { x: 10, y: 10, width: 20, height: 20, parent: b });
    b.x = 50;
    expect(c.x).toBe(60);
    expect(c.parentX).toBe(10);
    b.rotation = 180;
    expect(c.rotation).toBe(180);
    // Penpot's bookkeeping: both edges reversed → both flips toggled, though nothing is mirrored
    expect([c.flipX, c.flipY]).toEqual([true, true]);
    expect(c.center.x).toBeCloseTo(50 + 100 - 20, 9);
    expect(c.center.y).toBeCloseTo(100 - 20, 9);
  });

  it('a group’s box follows its children; rotating it rotates them about its centre', () => {
    const { f } = fake();
    const a = colorShape(f, { x: 0, y: 0, width: 10, height: 10 });
    const b = colorShape(f, { x: 90, y: 40, width: 10, height: 10 });
    const g = group(f, [a, b]);
    expect([g.x, g.y, g.width, g.height]).toEqual([0, 0, 100, 50]);
    g.rotation = 90;
    expect(g.rotation).toBe(90);
    expect(a.rotation).toBe(90);
    expect(a.center.x).toBeCloseTo(50 + 20, 9);
    expect(a.center.y).toBeCloseTo(25 - 45, 9);
    expect(g.width).toBeCloseTo(100, 9);
    expect(g.bounds.height).toBeCloseTo(100, 9);
  });

  it('resize keeps the first corner; proportionLock (as Penpot sets it up for image shapes) keeps the aspect', () => {
    const { f, penpot } = fake();
    const r = penpot.createRectangle();
    r.x = 10;
    r.y = 10;
    r.resize(30, 40);
    expect([r.x, r.y, r.width, r.height]).toEqual([10, 10, 30, 40]);
    expect(() => r.resize(0, 5)).toThrow(/Code: :resize/);
    const img = imageShape(f, { bytes: solidPng(4, 2), width: 40, height: 20 });
    expect(img.proportionLock).toBe(true);
    img.resize(100, 100);
    expect([img.width, img.height]).toEqual([200, 100]);
  });
});

describe('fake Penpot: tree', () => {
  it('children[0] is the bottom; appendChild puts the child at the bottom, insertChild(0) on top (default flags)', () => {
    const { f, penpot } = fake();
    const b = board(f, { width: 100, height: 100 }) as unknown as Board;
    const r1 = penpot.createRectangle();
    const r2 = penpot.createRectangle();
    b.appendChild(r1);
    b.appendChild(r2);
    expect(b.children.map((c) => c.id)).toEqual([r2.id, r1.id]);
    const r3 = penpot.createRectangle();
    b.insertChild(0, r3);
    expect(b.children.map((c) => c.id)).toEqual([r2.id, r1.id, r3.id]);
    expect(r3.parentIndex).toBe(2);
    // right above child k (here r2, k = 0): insertChild(children.length − k − 1)
    const above = penpot.createRectangle();
    b.insertChild(b.children.length - r2.parentIndex - 1, above);
    expect(b.children.map((c) => c.id)).toEqual([r2.id, above.id, r1.id, r3.id]);
    penpot.flags.naturalChildOrdering = true;
    const r4 = penpot.createRectangle();
    b.appendChild(r4);
    expect(b.children.at(-1)!.id).toBe(r4.id);
  });

  it('reparenting keeps the absolute position; only boards and groups take children', () => {
    const { f, penpot } = fake();
    const b = board(f, { x: 100, y: 100, width: 100, height: 100 }) as unknown as Board;
    const r = penpot.createRectangle();
    r.x = 5;
    r.y = 7;
    b.appendChild(r);
    expect([r.x, r.y, r.parentX, r.parentY]).toEqual([5, 7, -95, -93]);
    expect(r.parent!.id).toBe(b.id);
    const e = penpot.createEllipse();
    expect(() => (e as unknown as Board).appendChild(penpot.createRectangle())).toThrow('[PENPOT PLUGIN] Value not valid: :circle. Code: :appendChild');
  });

  it('component copies refuse structural changes', () => {
    const { f, penpot } = fake();
    const copy = board(f, { width: 50, height: 50 });
    const inner = colorShape(f, { width: 5, height: 5, parent: copy });
    markComponent(f, copy, 'copy');
    expect(copy.isComponentCopyInstance()).toBe(true);
    const r = penpot.createRectangle();
    expect(() => (copy as unknown as Board).appendChild(r)).toThrow(/Cannot change the structure of a component copy/);
    expect(() => (copy as unknown as Board).insertChild(0, r)).toThrow(/Cannot change the structure of a component copy/);
    expect(() => (penpot.root as Board).appendChild(inner)).toThrow(/Cannot change the structure of a component copy/);
    expect(() => penpot.group([inner])).toThrow(/Cannot change the structure of a component copy/);
    expect(() => inner.setParentIndex(0)).toThrow(/Cannot change the structure of a component copy/);
    expect(r.parent!.id).toBe(penpot.root!.id);
  });

  it('group: [] → null; shapes from different parents go into the top-most one’s parent; emptied groups vanish', () => {
    const { f, penpot } = fake();
    expect(penpot.group([])).toBeNull();
    const a = colorShape(f, { width: 5, height: 5 });
    const b = board(f, { width: 100, height: 100 });
    const inB = colorShape(f, { width: 5, height: 5, parent: b });
    const g = penpot.group([a, inB])!;
    expect(g.type).toBe('group');
    expect(g.parent!.id).toBe(b.id);
    expect(g.children.map((c) => c.id)).toEqual([a.id, inB.id]);
    const inner = group(f, [colorShape(f, { width: 1, height: 1 })]);
    const only = (inner as unknown as Group).children[0];
    const innerId = inner.id;
    (penpot.root as Board).appendChild(only);
    expect(penpot.currentPage!.getShapeById(innerId)).toBeNull();
    expect(inner.id).toBe('');
    penpot.ungroup(g);
    expect(a.parent!.id).toBe(b.id);
    expect(penpot.currentPage!.getShapeById(g.id)).toBeNull();
  });

  it('clone is a deep copy right above the original; remove takes the subtree', () => {
    const { f } = fake();
    const b = board(f, { width: 100, height: 100 });
    const under = colorShape(f, { width: 5, height: 5, parent: b });
    const top = colorShape(f, { width: 5, height: 5, parent: b });
    under.setPluginData('k', 'v');
    const c = under.clone();
    expect((b as unknown as Board).children.map((x) => x.id)).toEqual([under.id, c.id, top.id]);
    expect(c.getPluginData('k')).toBe('v');
    const g = group(f, [colorShape(f, { width: 1, height: 1 }), colorShape(f, { width: 1, height: 1 })]);
    const gc = g.clone() as unknown as Group;
    expect(gc.children).toHaveLength(2);
    expect(gc.children.map((x) => x.id)).not.toContain((g as unknown as Group).children[0].id);
    const underId = under.id;
    b.remove();
    expect(f.doc.has(underId)).toBe(false);
    expect(() => under.name).toThrow(/does not exist/);
  });

  it('page and file: getShapeById, findShapes, pages, root', () => {
    const { f, penpot } = fake();
    const r = colorShape(f, { width: 1, height: 1, name: 'Photo A' });
    colorShape(f, { width: 1, height: 1, name: 'Other', type: 'ellipse' });
    const page = penpot.currentPage!;
    expect(page.getShapeById(r.id)!.name).toBe('Photo A');
    expect(page.getShapeById('0fa4e000-0000-4000-8000-00000000beef')).toBeNull();
    expect(page.findShapes({ nameLike: 'photo' }).map((s) => s.id)).toEqual([r.id]);
    expect(page.findShapes({ type: 'ellipse' })).toHaveLength(1);
    expect(penpot.currentFile!.pages.map((p) => p.id)).toEqual([page.id]);
    expect(page.root.id).toBe(penpot.root!.id);
    expect(penpot.root!.parent).toBeNull();
    expect(r.parent!.id).toBe(penpot.root!.id);
  });

  it('plugin data takes string values only', () => {
    const { penpot } = fake();
    const r = penpot.createRectangle();
    r.setPluginData('a', '1');
    expect(r.getPluginData('a')).toBe('1');
    expect(r.getPluginData('missing')).toBeNull();
    expect(r.getPluginDataKeys()).toEqual(['a']);
    expect(() => r.setPluginData('b', 2 as never)).toThrow(/Code: :setPluginData-value/);
  });

  it('setParentIndex and z-order moves', () => {
    const { f } = fake();
    const b = board(f, { width: 100, height: 100 }) as unknown as Board;
    const [x, y, z] = [0, 1, 2].map(() => colorShape(f, { width: 1, height: 1, parent: b as unknown as never }));
    x.setParentIndex(5);
    expect(b.children.map((c) => c.id)).toEqual([y.id, z.id, x.id]);
    x.sendToBack();
    expect(b.children.map((c) => c.id)).toEqual([x.id, y.id, z.id]);
    x.bringForward();
    expect(b.children.map((c) => c.id)).toEqual([y.id, x.id, z.id]);
    x.bringToFront();
    expect(b.children.map((c) => c.id)).toEqual([y.id, z.id, x.id]);
  });
});

describe('fake Penpot: flex layout', () => {
  it('children of a flex board are laid out in a row; layoutChild.absolute keeps a child where it is put', () => {
    const { f, penpot } = fake();
    const b = board(f, { x: 100, y: 100, width: 300, height: 100, flex: true }) as unknown as Board;
    const flex = b.flex!;
    flex.columnGap = 10;
    flex.leftPadding = 5;
    const r1 = penpot.createRectangle();
    r1.resize(50, 20);
    b.appendChild(r1);
    expect([r1.x, r1.y]).toEqual([105, 100]);
    const r2 = penpot.createRectangle();
    r2.resize(30, 20);
    b.appendChild(r2);
    // appendChild = end of the visual flow
    expect([r2.x, r1.x]).toEqual([165, 105]);
    r2.x = 250; // snaps back: the layout owns it
    expect(r2.x).toBe(165);
    const res = penpot.createRectangle();
    b.appendChild(res);
    res.layoutChild!.absolute = true;
    res.x = 120;
    res.y = 130;
    expect([res.x, res.y]).toEqual([120, 130]);
    expect([r1.x, r2.x]).toEqual([105, 165]);
    expect(res.layoutChild!.absolute).toBe(true);
    expect(penpot.createRectangle().layoutChild).toBeNull();
  });
});

describe('fake Penpot: export rendering', () => {
  it('exports the bounds × scale with a transparent background', async () => {
    const { f } = fake();
    const r = colorShape(f, { x: 3, y: 4, width: 10, height: 6, color: '#ff0000' });
    const png = await r.export({ type: 'png', scale: 2 });
    const img = decodePng(png);
    expect([img.width, img.height]).toEqual([20, 12]);
    expect(pixel(png, 0, 0)).toEqual([255, 0, 0, 255]);
    const e = colorShape(f, { width: 10, height: 10, type: 'ellipse', color: '#00ff00' });
    const ep = await e.export({ type: 'png' });
    expect(pixel(ep, 0, 0)[3]).toBe(0);
    expect(pixel(ep, 5, 5)).toEqual([0, 255, 0, 255]);
    await expect(r.export({ type: 'jpeg' })).rejects.toThrow(/not emulated/);
    expect(() => r.export({ type: 'gif' as never })).toThrow(/Code: :export/);
  });

  it('a rotated image rect: every pixel maps back to the image through the rotation', async () => {
    const { f } = fake();
    const img = imageShape(f, { bytes: coordinatePng(40, 20), x: 100, y: 50, width: 40, height: 20, rotation: 90 });
    expect([img.x, img.y, img.width, img.height]).toEqual([110, 40, 40, 20]);
    const png = await img.export({ type: 'png', scale: 1 });
    const d = decodePng(png);
    expect([d.width, d.height]).toEqual([20, 40]);
    // clockwise 90°: the image's top-left corner is at the export's top-right
    expect(coordAt(png, 19, 0)).toEqual({ x: 0, y: 0, a: 255 });
    expect(coordAt(png, 0, 0)).toEqual({ x: 0, y: 19, a: 255 });
    expect(coordAt(png, 19, 39)).toEqual({ x: 39, y: 0, a: 255 });
    expect(coordAt(png, 0, 39)).toEqual({ x: 39, y: 19, a: 255 });
  });

  it('a flipped image rect is mirrored', async () => {
    const { f } = fake();
    const img = imageShape(f, { bytes: coordinatePng(30, 10), width: 30, height: 10, flipX: true });
    const png = await img.export({ type: 'png' });
    expect(coordAt(png, 0, 0)).toEqual({ x: 29, y: 0, a: 255 });
    expect(coordAt(png, 29, 9)).toEqual({ x: 0, y: 9, a: 255 });
    const up = imageShape(f, { bytes: coordinatePng(30, 10), width: 30, height: 10, flipY: true });
    const upPng = await up.export({ type: 'png' });
    expect(coordAt(upPng, 0, 0)).toEqual({ x: 0, y: 9, a: 255 });
  });

  it('keepAspectRatio covers (centred, cropped); otherwise the image is stretched', async () => {
    const { f } = fake();
    const bytes = coordinatePng(20, 10);
    const stretch = imageShape(f, { bytes, width: 20, height: 20 });
    const sp = await stretch.export({ type: 'png' });
    expect(coordAt(sp, 0, 19)).toEqual({ x: 0, y: 9, a: 255 });
    const cover = imageShape(f, { bytes, width: 20, height: 20, keepAspectRatio: true });
    const cp = await cover.export({ type: 'png' });
    // scale 2, centred horizontally: the 20 px wide box shows image x 5..14
    expect(coordAt(cp, 0, 0)).toEqual({ x: 5, y: 0, a: 255 });
    expect(coordAt(cp, 19, 19)).toEqual({ x: 14, y: 9, a: 255 });
  });

  it('boards clip their children, hidden shapes are skipped, opacity multiplies', async () => {
    const { f } = fake();
    const b = board(f, { width: 10, height: 10, color: null });
    colorShape(f, { x: 5, y: 0, width: 20, height: 10, color: '#0000ff', parent: b });
    colorShape(f, { x: 0, y: 0, width: 5, height: 10, color: '#ff0000', parent: b, hidden: true });
    const png = await b.export({ type: 'png' });
    expect(decodePng(png).width).toBe(10);
    expect(pixel(png, 2, 2)[3]).toBe(0);
    expect(pixel(png, 7, 2)).toEqual([0, 0, 255, 255]);
    b.clipContent = false;
    expect(decodePng(await b.export({ type: 'png' })).width).toBe(25);
    const half = colorShape(f, { width: 2, height: 2, color: '#ffffff', opacity: 0.5 });
    expect(pixel(await half.export({ type: 'png' }), 0, 0)).toEqual([255, 255, 255, 128]);
  });

  it('fills paint last-to-first: fills[0] is on top', async () => {
    const { f } = fake();
    const r = colorShape(f, { width: 2, height: 2 });
    r.fills = [{ fillColor: '#00ff00' }, { fillColor: '#ff0000' }];
    expect(pixel(await r.export({ type: 'png' }), 0, 0)).toEqual([0, 255, 0, 255]);
  });

  it('a mask group shows its other children through the bottom child’s shape; the mask itself is not drawn', async () => {
    const { f, penpot } = fake();
    const mask = colorShape(f, { width: 20, height: 20, type: 'ellipse', color: '#00ff00' });
    const img = imageShape(f, { bytes: coordinatePng(20, 20), width: 20, height: 20 });
    const g = penpot.group([img, mask]) as Group;
    // the group keeps z order: the ellipse (created first) is the bottom child, i.e. the mask
    expect(g.children.map((c) => c.id)).toEqual([mask.id, img.id]);
    g.makeMask();
    expect(g.isMask()).toBe(true);
    const png = await g.export({ type: 'png' });
    expect(coordAt(png, 10, 10)).toEqual({ x: 10, y: 10, a: 255 });
    expect(pixel(png, 0, 0)[3]).toBe(0);
    expect(pixel(png, 1, 10)[1]).not.toBe(255);
    g.removeMask();
    expect(g.isMask()).toBe(false);
  });

  it('reports what it cannot draw instead of pretending', async () => {
    const { f, penpot } = fake();
    const r = colorShape(f, { width: 4, height: 4 });
    r.strokes = [{ strokeColor: '#000000', strokeWidth: 2, strokeAlignment: 'inner' }];
    await r.export({ type: 'png' });
    expect(f.exportLog.at(-1)!.notDrawn).toEqual([`strokes of rectangle ${r.id}`]);
    const t = textShape(f, 'Hi');
    const g = penpot.group([t, colorShape(f, { width: 4, height: 4 })])!;
    await g.export({ type: 'png' });
    expect(f.exportLog.at(-1)!.notDrawn).toContain(`text ${t.id}`);
    const grad = colorShape(f, { width: 4, height: 4 });
    grad.fills = [{ fillColorGradient: { type: 'linear', startX: 0, startY: 0, endX: 1, endY: 1, width: 1, stops: [{ color: '#000000', offset: 0 }] } }];
    await expect(grad.export({ type: 'png' })).rejects.toThrow(/gradient fills is not emulated/);
  });

  it('paths fill with the nonzero rule and their export box grows by the open-path stroke margin', async () => {
    const { f } = fake();
    // two nested squares drawn the same way: nonzero fills the hole too
    const p = pathShape(f, 'M0 0 H20 V20 H0 Z M5 5 H15 V15 H5 Z', { color: '#ff0000' });
    const png = await p.export({ type: 'png' });
    expect(pixel(png, 10, 10)).toEqual([255, 0, 0, 255]);
    const open = pathShape(f, 'M0 0 L10 0 L10 10', { color: '#ff0000' });
    (open as unknown as Path).strokes = [{ strokeColor: '#000000', strokeWidth: 1, strokeAlignment: 'inner' }];
    const op = await open.export({ type: 'png' });
    expect(decodePng(op).width).toBe(10 + 2 * 3);
  });
});

describe('fake Penpot: builders and dump', () => {
  it('builds a nested scene and dumps it as JSON', () => {
    const f = createFakePenpot({ quiet: true });
    const b = board(f, { x: 0, y: 0, width: 200, height: 200, name: 'Frame' });
    const img = imageShape(f, { bytes: solidPng(4, 4), x: 10, y: 10, width: 40, height: 40, parent: b, name: 'Photo' });
    const g = group(f, [img, colorShape(f, { width: 5, height: 5, parent: b })], { name: 'G' });
    const dump = f.dump();
    expect(dump.children![0].name).toBe('Frame');
    expect(dump.children![0].children![0].name).toBe('G');
    expect(dump.children![0].children![0].children!.map((c) => c.name)).toContain('Photo');
    expect(g.parent!.id).toBe(b.id);
    expect(f.undoEntries).toEqual([]);
    expect(addImage(f, solidPng(2, 2)).width).toBe(2);
    expect(asShape(img).type).toBe('rectangle');
  });
});

/** Every page's shapes, as stored (for "nothing changed" checks). */
function fileState(f: FakePenpot): string {
  return JSON.stringify(f.pages.map((p) => ({ id: p.pageId, name: p.pageName, shapes: [...p.shapes.values()] })));
}

const asBoard = (s: Shape) => s as unknown as Board;

const INACTIVE = (code: string) => `[PENPOT PLUGIN] Value not valid: Cannot modify a page that is not currently active. Code: :${code}`;

/** A two-page file: page 1 (active) with `here`; page 2 with a board holding an image, a flex board with a child, a group and a path. */
function twoPages(options: FakePenpotOptions = {}) {
  const { f, penpot } = fake(options);
  const here = colorShape(f, { width: 10, height: 10, name: 'Here' });
  const p2 = addPage(f, 'Second');
  const frame = board(f, { x: 0, y: 0, width: 100, height: 100, page: p2, name: 'Frame' }) as unknown as Board;
  const img = imageShape(f, { bytes: coordinatePng(8, 6), x: 10, y: 10, width: 40, height: 30, parent: asShape(frame), name: 'Photo' });
  const flexBoard = board(f, { x: 200, y: 0, width: 100, height: 50, page: p2, flex: true, name: 'Row' }) as unknown as Board;
  const kid = colorShape(f, { width: 10, height: 10, parent: asShape(flexBoard), name: 'Kid' });
  const g = group(f, [colorShape(f, { x: 300, y: 0, width: 10, height: 10, page: p2 })], { name: 'G' });
  const path = pathShape(f, 'M300 100 L310 110', { page: p2, name: 'Line' });
  f.resetHistory();
  const pages = penpot.currentFile!.pages;
  return { f, penpot, here, p2, frame, img, flexBoard, kid, g, path, pages };
}

describe('fake Penpot: pages', () => {
  it('the file lists every page; each page’s root, getShapeById and findShapes see that page only; penpot.root / currentPage are the active page', () => {
    const { f, penpot, here, p2, frame, img, flexBoard, g, path, pages } = twoPages();
    expect(pages.map((p) => p.name)).toEqual(['Page 1', 'Second']);
    expect(pages.map((p) => p.id)).toEqual([f.doc.pageId, p2.id]);
    expect(penpot.currentPage!.id).toBe(pages[0].id);
    // every page's root is uuid/zero, and lists that page's top-level shapes
    expect(pages[1].root.id).toBe(ROOT_ID);
    expect(asBoard(pages[0].root).children.map((c) => c.id)).toEqual([here.id]);
    expect(asBoard(pages[1].root).children.map((c) => c.id)).toEqual([frame.id, flexBoard.id, g.id, path.id]);
    expect(asBoard(penpot.root!).children.map((c) => c.id)).toEqual([here.id]);
    expect(pages[0].getShapeById(img.id)).toBeNull();
    expect(pages[1].getShapeById(here.id)).toBeNull();
    expect(pages[1].getShapeById(img.id)!.parent!.id).toBe(frame.id);
    expect(pages[1].findShapes({ name: 'photo' }).map((s) => s.id)).toEqual([img.id]);
    expect(pages[0].findShapes({ name: 'photo' })).toEqual([]);
    // builders: the parent's page; shape ids are unique in the file
    expect(f.docOf(img.id).pageId).toBe(p2.id);
    expect(f.page(p2).has(img.id)).toBe(true);
    expect(f.doc.has(img.id)).toBe(false);
    expect(() => colorShape(f, { width: 1, height: 1, parent: asShape(frame), page: pages[0] })).toThrow(/parent is on another page/);
    expect(() => group(f, [here, img])).toThrow(/one page/);
    expect(f.dump(p2).children!.map((c) => c.name)).toEqual(['Frame', 'Row', 'G', 'Line']);
    expect(f.dumpFile().map((p) => [p.name, p.root.children!.length])).toEqual([
      ['Page 1', 1],
      ['Second', 4],
    ]);
  });

  it('openPage navigates on a later task: until then the old page is active; then the selection is cleared, selectionchange and pagechange fire, the promise resolves', async () => {
    const { f, penpot, here, pages } = twoPages();
    f.select([here]);
    await f.flush();
    const selections: string[][] = [];
    const opened: string[] = [];
    penpot.on('selectionchange', (ids) => selections.push(ids));
    penpot.on('pagechange', (p) => opened.push(p.name));
    const done = penpot.openPage(pages[1]);
    expect(done).toBeInstanceOf(Promise);
    expect(penpot.currentPage!.id).toBe(pages[0].id);
    expect(penpot.selection.map((s) => s.id)).toEqual([here.id]);
    await done;
    expect(penpot.currentPage!.id).toBe(pages[1].id);
    expect(asBoard(penpot.root!).children.map((c) => c.name)).toEqual(['Frame', 'Row', 'G', 'Line']);
    expect(penpot.selection).toEqual([]);
    await f.flush();
    expect(opened).toEqual(['Second']);
    expect(selections).toEqual([[]]);
    // by id; the active page resolves at once and nothing happens
    await penpot.openPage(pages[0].id);
    expect(penpot.currentPage!.id).toBe(pages[0].id);
    await penpot.openPage(pages[0]);
    await f.flush();
    expect(opened).toEqual(['Second', 'Page 1']);
    // page.openPage() too
    await (pages[1] as Page & { openPage(newWindow?: boolean): Promise<void> }).openPage();
    expect(penpot.currentPage!.id).toBe(pages[1].id);
    expect(f.openPageCalls).toEqual([
      { pageId: pages[1].id, newWindow: false },
      { pageId: pages[0].id, newWindow: false },
      { pageId: pages[0].id, newWindow: false },
      { pageId: pages[1].id, newWindow: false },
    ]);
    // the user switching pages does the same
    f.goToPage(pages[0]);
    expect(penpot.currentPage!.id).toBe(pages[0].id);
    await f.flush();
    expect(opened.at(-1)).toBe('Page 1');
  });

  it('openPage(page, true) opens a NEW window (the plugin’s page stays); bad arguments, unknown pages and missing content:read are refused', async () => {
    const { f, penpot, pages } = twoPages();
    await penpot.openPage(pages[1], true);
    await f.flush();
    expect(penpot.currentPage!.id).toBe(pages[0].id);
    expect(f.openPageCalls).toEqual([{ pageId: pages[1].id, newWindow: true }]);
    expect(() => penpot.openPage({ id: pages[1].id } as Page)).toThrow('[PENPOT PLUGIN] Value not valid: Expected a Page object or a page UUID string. Code: :openPage');
    expect(() => penpot.openPage('Second')).toThrow(/Code: :openPage/);
    await expect(penpot.openPage('0fa4e000-0000-4000-8000-00000000beef')).rejects.toThrow(/no such page/);
    const noRead = createFakePenpot({ permissions: ['content:write'], quiet: true });
    expect(() => noRead.penpot.openPage(noRead.doc.pageId)).toThrow('Permission content:read is not granted');
  });

  it('changes to shapes of a page that is not active are refused (thrown with v2); nothing changes and no undo entry is made', () => {
    const { f, penpot, here, frame, img, flexBoard, kid, g, path, pages } = twoPages();
    const before = fileState(f);
    const cases: Array<[string, () => unknown]> = [
      ['name', () => (img.name = 'X')],
      ['x', () => (img.x = 5)],
      ['y', () => (img.y = 5)],
      ['hidden', () => (img.hidden = true)],
      ['blocked', () => (img.blocked = true)],
      ['opacity', () => (img.opacity = 0.5)],
      ['rotation', () => (img.rotation = 30)],
      ['flipX', () => (img.flipX = true)],
      ['proportionLock', () => (img.proportionLock = false)],
      ['fills', () => (img.fills = [{ fillColor: '#000000', fillOpacity: 1 }])],
      ['fills', () => ((img.fills as Fill[])[0].fillOpacity = 0.5)],
      ['strokes', () => (img.strokes = [])],
      ['shadows', () => (img.shadows = [])],
      ['blur', () => (img.blur = { value: 2 })],
      ['resize', () => img.resize(5, 5)],
      ['rotate', () => img.rotate(10)],
      ['clone', () => img.clone()],
      ['remove', () => img.remove()],
      ['setParentIndex', () => img.setParentIndex(0)],
      ['setPluginData', () => img.setPluginData('k', 'v')],
      ['setSharedPluginData', () => img.setSharedPluginData('ns', 'k', 'v')],
      ['clipContent', () => (frame.clipContent = false)],
      ['children', () => (frame.children = [...frame.children])],
      ['addFlexLayout', () => frame.addFlexLayout()],
      ['makeMask', () => (g as Group).makeMask()],
      // a parent of another page, and a child of another page
      ['appendChild', () => frame.appendChild(here)],
      ['insertChild', () => asBoard(penpot.root!).insertChild(0, img)],
      ['appendChild', () => asBoard(pages[1].root).appendChild(penpot.createRectangle())],
      ['dir', () => (flexBoard.flex!.dir = 'column')],
      ['columnGap', () => (flexBoard.flex!.columnGap = 4)],
      ['appendChild', () => flexBoard.flex!.appendChild(here)],
      ['absolute', () => (kid.layoutChild!.absolute = true)],
      ['zIndex', () => (kid.layoutChild!.zIndex = 2)],
      ['content', () => ((path as Path).d = 'M0 0 L5 5')],
      ['group', () => penpot.group([img])],
      ['ungroup', () => penpot.ungroup(g)],
    ];
    f.resetHistory();
    const created = [...f.doc.shapes.keys()];
    for (const [code, run] of cases) expect(run, code).toThrow(INACTIVE(code));
    // (the rectangles created for the appendChild case went to the active page)
    const extra = [...f.doc.shapes.keys()].filter((id) => !created.includes(id));
    for (const id of extra) f.doc.remove([id]);
    expect(fileState(f)).toBe(before);
    expect(f.undoEntries.map((e) => e.ops)).toEqual([['createRectangle']]);
  });

  it('the page guard: v1 logs and drops; fills check it before the permission, other setters after; creation always lands on the active page', async () => {
    const v1 = createFakePenpot({ quiet: true });
    const p2 = addPage(v1, 'Two');
    const s = colorShape(v1, { x: 5, y: 5, width: 10, height: 10, page: p2 });
    expect(() => (s.x = 50)).not.toThrow();
    expect(s.x).toBe(5);
    expect(v1.validationErrors).toEqual([INACTIVE('x')]);

    const ro = createFakePenpot({ manifestVersion: 2, permissions: ['content:read'], quiet: true });
    const q = colorShape(ro, { width: 10, height: 10, page: addPage(ro) });
    expect(() => (q.fills = [])).toThrow(INACTIVE('fills'));
    expect(() => (q.name = 'x')).toThrow(/content:write' permission. Code: :name/);
    expect(() => (q.x = 1)).toThrow(/content:write' permission. Code: :x/);
    expect(() => (q.x = NaN)).toThrow(/Value not valid: NaN. Code: :x/);

    const { f, penpot, img, frame, pages } = twoPages();
    const r = penpot.createRectangle();
    expect(f.docOf(r.id).pageId).toBe(pages[0].id);
    await penpot.openPage(pages[1]);
    const e = penpot.createEllipse();
    expect(f.docOf(e.id).pageId).toBe(pages[1].id);
    // once its page is active the same changes go through; a child of the other page still cannot move in
    img.name = 'Renamed';
    frame.appendChild(e);
    expect(frame.children.map((c) => c.id)).toContain(e.id);
    expect(() => frame.appendChild(r)).toThrow(INACTIVE('appendChild'));
    expect(f.page(pages[1]).get(img.id).name).toBe('Renamed');
  });

  it('operations Penpot runs without the page guard do nothing to another page’s shapes (noted in warnings)', () => {
    const { f, img, frame, flexBoard, p2 } = twoPages();
    f.page(p2).get(img.id).blur = { value: 2, hidden: false };
    const before = fileState(f);
    img.fixedWhenScrolling = true;
    frame.bringToFront();
    img.blur = undefined;
    flexBoard.flex!.remove();
    expect(fileState(f)).toBe(before);
    expect(f.undoEntries).toEqual([]);
    expect(f.file.warnings.filter((w) => /not active did nothing/.test(w))).toHaveLength(4);
  });

  it('shapes of any page can be read, their image data fetched and exported (the exporter renders the shape’s page); nothing navigates', async () => {
    const { f, penpot, img, frame, pages } = twoPages();
    const again = pages[1].getShapeById(img.id)!;
    expect([again.x, again.y, again.width, again.height]).toEqual([10, 10, 40, 30]);
    expect(again.parent!.id).toBe(frame.id);
    expect(again.getPluginData('missing')).toBeNull();
    const bytes = await (again.fills as Fill[])[0].fillImage!.data();
    expect(decodePng(bytes).width).toBe(8);
    const png = await again.export({ type: 'png', scale: 1 });
    expect(decodePng(png).width).toBe(40);
    expect(coordAt(png, 7, 7)).toMatchObject({ x: 1, y: 1, a: 255 });
    expect(coordAt(png, 37, 27)).toMatchObject({ x: 7, y: 5, a: 255 });
    expect(f.exportLog.map((e) => e.pageId)).toEqual([pages[1].id]);
    expect(penpot.currentPage!.id).toBe(pages[0].id);
    expect(f.openPageCalls).toEqual([]);
  });

  it('the selection belongs to the active page: the user selects there only; ids of another page stay selected but their proxies find nothing', async () => {
    const { f, penpot, here, img } = twoPages();
    expect(() => f.select([img])).toThrow(/is on page "Second", not on page "Page 1"/);
    const got: string[][] = [];
    penpot.on('selectionchange', (ids) => got.push(ids));
    penpot.selection = [here, img];
    await f.flush();
    expect(got).toEqual([[here.id, img.id]]);
    const sel = penpot.selection;
    expect(sel.map((s) => s.id)).toEqual([here.id, '']);
    expect(() => sel[1].name).toThrow(/is on page "Second", not on page "Page 1"/);
    expect(f.file.warnings.join('\n')).toMatch(/not on the active page/);
  });

  it('undo across pages: a block spanning openPage is one entry; undo restores every page without opening one; the selection becomes the one before', async () => {
    const { f, penpot, here, img, pages } = twoPages();
    f.select([here]);
    const before = fileState(f);
    const block = penpot.history.undoBlockBegin();
    here.name = 'Here 2';
    penpot.createRectangle();
    await penpot.openPage(pages[1]);
    img.name = 'Photo 2';
    penpot.createEllipse();
    penpot.history.undoBlockFinish(block);
    expect(f.undoEntries.map((e) => e.ops)).toEqual([['name', 'createRectangle', 'name', 'createEllipse']]);
    expect(fileState(f)).not.toBe(before);
    f.undoLast();
    expect(fileState(f)).toBe(before);
    expect(penpot.currentPage!.id).toBe(pages[1].id);
    // restore-selection puts page 1's selection back while page 2 is active
    expect(f.file.selection).toEqual([here.id]);
    expect(penpot.selection.map((s) => s.id)).toEqual(['']);
  });

  it('createPage adds "Page N" at the end without opening it (one undo entry; undo removes it); it needs content:write', () => {
    const { f, penpot } = fake();
    addPage(f, 'Page 2');
    const p = penpot.createPage();
    expect(p.name).toBe('Page 3');
    expect(penpot.currentFile!.pages.map((x) => x.name)).toEqual(['Page 1', 'Page 2', 'Page 3']);
    expect(penpot.currentPage!.name).toBe('Page 1');
    expect(asBoard(p.root).children).toEqual([]);
    expect(f.undoEntries.map((e) => e.ops)).toEqual([['createPage']]);
    f.undoLast();
    expect(penpot.currentFile!.pages.map((x) => x.name)).toEqual(['Page 1', 'Page 2']);
    const ro = createFakePenpot({ permissions: ['content:read'], quiet: true });
    expect(() => ro.penpot.createPage()).toThrow('Permission content:write is not granted');
  });
});

export type { Rectangle };
