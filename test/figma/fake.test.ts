/** The fake enforces Figma's documented behaviour; these pin it down. */
import { afterEach, describe, expect, it } from 'vitest';
import { decodePng, encodePng } from '../../core/image/png.js';
import type { Mat } from './fake/affine.js';
import {
  type FakeFigma,
  type FFrame,
  type FGroup,
  type FRectangle,
  type FScene,
  type FVector,
  coordinatePixel,
  coordinatePng,
  createFakeFigma,
  decodeCoordinate,
  frame,
  imageLayer,
  rgba,
  solidPng,
  transformOf,
} from './fake/index.js';
import { absCorners, expectPoints } from './helpers.js';

let restore: (() => void) | undefined;
afterEach(() => restore?.());

function fake(options = {}): { f: FakeFigma; figma: PluginAPI } {
  const f = createFakeFigma(options);
  restore = f.install();
  return { f, figma: f.figma };
}

const rect = (figma: PluginAPI) => figma.createRectangle() as unknown as FRectangle;

describe('fake Figma: images', () => {
  it('createImage reads PNG/JPEG/GIF headers and refuses images above 4096 px like Figma', () => {
    const { figma } = fake();
    const img = figma.createImage(solidPng(10, 20));
    expect(img.hash).toMatch(/^[0-9a-f]{40}$/);
    expect(figma.getImageByHash(img.hash)?.hash).toBe(img.hash);
    expect(() => figma.createImage(solidPng(4097, 2))).toThrow(/Image is too large/);
    expect(() => figma.createImage(new Uint8Array([1, 2, 3, 4]))).toThrow(/unsupported/);
    const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 5, 0, 7, 0, 0, 0, 0]);
    expect(() => figma.createImage(gif)).not.toThrow();
    expect(figma.getImageByHash('0'.repeat(40))).toBeNull();
  });

  it('getBytesAsync returns the original file and getSizeAsync its size', async () => {
    const { figma } = fake();
    const bytes = coordinatePng(33, 17);
    const img = figma.createImage(bytes);
    expect(await img.getBytesAsync()).toEqual(bytes);
    expect(await img.getSizeAsync()).toEqual({ width: 33, height: 17 });
  });
});

describe('fake Figma: nodes and geometry', () => {
  it('fills are frozen; assigning a new array works and is validated', () => {
    const { figma } = fake();
    const r = rect(figma);
    expect(() => (r.fills as Paint[]).push({ type: 'SOLID', color: { r: 1, g: 0, b: 0 } })).toThrow();
    r.fills = [{ type: 'SOLID', color: { r: 1, g: 0, b: 0 } }];
    expect(r.fills[0]).toMatchObject({ type: 'SOLID', visible: true, opacity: 1 });
    expect(() => (r.fills = [{ type: 'IMAGE', scaleMode: 'FILL', imageHash: 'nope' } as ImagePaint])).toThrow(/does not exist/);
    expect(() => (r.fills = [{ type: 'SOLID', color: { r: 2, g: 0, b: 0 } }])).toThrow();
  });

  it('resize refuses sizes below 0.01; transforms must have unit axes', () => {
    const { figma } = fake();
    const r = rect(figma);
    expect(() => r.resize(0.001, 10)).toThrow(/>= 0.01/);
    r.resize(0.01, 10);
    expect(() => (r.relativeTransform = [[2, 0, 0], [0, 1, 0]])).toThrow(/unit axes/);
  });

  it('rotation follows atan2(-m10, m00) and turns about the top-left corner', () => {
    const { figma } = fake();
    const r = rect(figma);
    r.x = 10;
    r.y = 20;
    r.rotation = 30;
    const t = r.relativeTransform;
    expect(t[0][2]).toBe(10);
    expect(t[1][0]).toBeCloseTo(-0.5, 12);
    expect(r.rotation).toBeCloseTo(30, 12);
  });

  it('absoluteTransform composes through frames; group children stay relative to the frame', () => {
    const { f, figma } = fake();
    const outer = frame(f, { x: 100, y: 50, width: 400, height: 400, rotation: 90 });
    const r = rect(figma);
    outer.appendChild(r);
    r.x = 10;
    r.y = 0;
    const g = figma.group([r] as unknown as SceneNode[], outer as unknown as FrameNode) as unknown as FGroup;
    expect(g.parent).toBe(outer);
    expect(r.relativeTransform).toEqual([[1, 0, 10], [0, 1, 0]]);
    // rotated 90° (counter-clockwise on screen): local x goes up
    expectPoints([absCorners(r as unknown as FScene)[0]], [[100, 40]]);
    expect(g.width).toBe(100);
    expect(g.x).toBe(10);
  });

  it('group: empty list throws, layers keep their place, bounds follow children, an emptied group disappears', () => {
    const { f, figma } = fake();
    expect(() => figma.group([], figma.currentPage)).toThrow(/at least one/);
    const a = rect(figma);
    a.x = 10;
    const fr = frame(f, { x: 200, y: 100, width: 300, height: 300 });
    const b = rect(figma);
    fr.appendChild(b);
    b.x = 5;
    b.y = 5;
    const before = absCorners(b as unknown as FScene);
    const g = figma.group([a, b] as unknown as SceneNode[], figma.currentPage) as unknown as FGroup;
    expectPoints(absCorners(b as unknown as FScene), before);
    expect(g.x).toBe(10);
    expect(g.width).toBe(205 + 100 - 10);
    g.x = 20;
    expect(a.x).toBe(20);
    a.remove();
    b.remove();
    expect(g.removed).toBe(true);
  });

  it('rotating a group rotates its children', () => {
    const { figma } = fake();
    const a = rect(figma);
    const g = figma.group([a] as unknown as SceneNode[], figma.currentPage) as unknown as FGroup;
    g.rotation = 90;
    expect(a.rotation).toBeCloseTo(90, 10);
    expect(g.rotation).toBeCloseTo(90, 10);
  });

  it('auto-layout places AUTO children and ignores their translation; ABSOLUTE ones keep it', () => {
    const { f, figma } = fake();
    const fr = frame(f, { width: 500, height: 200 }) as FFrame;
    fr.layoutMode = 'HORIZONTAL';
    fr.itemSpacing = 10;
    fr.paddingLeft = 5;
    const a = rect(figma);
    const b = rect(figma);
    fr.appendChild(a);
    fr.appendChild(b);
    expect([a.x, b.x]).toEqual([5, 115]);
    b.x = 300;
    expect(b.x).toBe(115);
    const c = rect(figma);
    fr.insertChild(1, c);
    expect([a.x, c.x, b.x]).toEqual([5, 115, 225]);
    c.layoutPositioning = 'ABSOLUTE';
    expect(b.x).toBe(115);
    c.x = 400;
    expect(c.x).toBe(400);
    a.visible = false;
    expect(b.x).toBe(5);
    const loose = rect(figma);
    expect(() => (loose.layoutPositioning = 'ABSOLUTE')).toThrow(/layoutMode !== NONE/);
  });

  it('instances: no inserting, removing or grouping inside them', () => {
    const { figma } = fake();
    const comp = figma.createComponent() as unknown as FFrame;
    comp.appendChild(rect(figma));
    const inst = comp.createInstance();
    const inner = inst.children[0];
    expect(() => inst.appendChild(rect(figma))).toThrow(/instance/);
    expect(() => inner.remove()).toThrow(/instance/);
    expect(() => figma.group([inner as unknown as SceneNode], figma.currentPage)).toThrow(/instance/);
    expect(() => (inner.visible = false)).not.toThrow();
  });

  it('vectorPaths accepts only absolute M L Q C Z with single spaces and plain numbers', () => {
    const { figma } = fake();
    const v = figma.createVector() as unknown as FVector;
    v.vectorPaths = [{ windingRule: 'EVENODD', data: 'M 0 0 L 10 0 Q 20 5 10 10 C 5 12 2 12 0 10 Z' }];
    expect(v.width).toBeCloseTo(15, 9);
    for (const bad of ['m 0 0 l 1 1', 'M 0 0  L 1 1', 'M 0 0 H 5', 'M 0 0 L 1e-7 1', 'M 0,0 L 1 1', ' M 0 0', 'L 1 1', 'M 0 0 L 1', 'M 0 0 A 1 1 0 0 1 2 2']) {
      expect(() => (v.vectorPaths = [{ windingRule: 'NONZERO', data: bad }]), bad).toThrow(/set_vectorPaths/);
    }
  });

  it('clone goes to the current page; remove detaches; removed nodes throw on access', () => {
    const { f, figma } = fake();
    const fr = frame(f, { width: 100, height: 100 });
    const r = rect(figma);
    fr.appendChild(r);
    r.setPluginData('k', 'v');
    const c = r.clone();
    expect(c.parent).toBe(f.page);
    expect(c.getPluginData('k')).toBe('v');
    c.remove();
    expect(c.removed).toBe(true);
    expect(() => c.name).toThrow(/does not exist/);
  });

  it('setRelaunchData accepts only manifest commands', () => {
    const { figma } = fake();
    const r = rect(figma);
    r.setRelaunchData({ edit: 'Edit' });
    expect(() => r.setRelaunchData({ other: 'x' })).toThrow(/relaunch/);
  });
});

describe('fake Figma: document access, events, storage, UI, undo', () => {
  it('dynamic-page: unloaded pages refuse their children until loaded; getNodeById is refused', async () => {
    const { f, figma } = fake();
    const p2 = f.addPage('Two');
    expect(() => p2.children).toThrow(/loadAsync/);
    expect(() => figma.getNodeById('0:1')).toThrow(/dynamic-page/);
    await p2.loadAsync();
    expect(p2.children).toEqual([]);
    const p3 = f.addPage('Three');
    await figma.loadAllPagesAsync();
    expect(p3.children).toEqual([]);
  });

  it('setting the selection fires selectionchange', async () => {
    const { f, figma } = fake();
    let n = 0;
    figma.on('selectionchange', () => n++);
    figma.currentPage.selection = [figma.createRectangle()];
    await f.flush();
    expect(n).toBe(1);
  });

  it('clientStorage enforces 5 MB and clones values', async () => {
    const { figma } = fake();
    const obj = { a: [1, 2] };
    await figma.clientStorage.setAsync('x', obj);
    obj.a.push(3);
    expect(await figma.clientStorage.getAsync('x')).toEqual({ a: [1, 2] });
    await expect(figma.clientStorage.setAsync('big', 'x'.repeat(5 * 1024 * 1024))).rejects.toThrow(/quota/);
    await figma.clientStorage.setAsync('ok', new Uint8Array(4 * 1024 * 1024));
    await expect(figma.clientStorage.setAsync('more', new Uint8Array(2 * 1024 * 1024))).rejects.toThrow(/quota/);
    await expect(figma.clientStorage.setAsync('f', () => 1)).rejects.toThrow(/cannot be stored/);
  });

  it('the UI bridge delivers structured clones asynchronously and refuses uncloneable data', async () => {
    const { f, figma } = fake();
    expect(() => figma.ui.postMessage({})).toThrow(/showUI/);
    figma.showUI('<p>', { width: 10, height: 10, themeColors: true });
    const got: unknown[] = [];
    figma.ui.onmessage = (m) => got.push(m);
    f.ui.send({ type: 'ready' });
    expect(got).toEqual([]);
    await f.flush();
    expect(got).toEqual([{ type: 'ready' }]);
    expect(() => figma.ui.postMessage({ fn: () => 1 })).toThrow();
    figma.ui.postMessage({ bytes: new Uint8Array([1, 2]) });
    await f.flush();
    expect(f.ui.received[0]).toEqual({ bytes: new Uint8Array([1, 2]) });
  });

  it('commitUndo records steps; undo goes back to the previous committed state', () => {
    const { f, figma } = fake();
    f.baseline();
    const base = f.dump();
    const r = rect(figma);
    r.name = 'one';
    figma.commitUndo();
    const one = f.dump();
    rect(figma);
    figma.commitUndo();
    expect(f.undoSteps).toBe(2);
    f.undo();
    expect(f.dump()).toBe(one);
    f.undo();
    expect(f.dump()).toBe(base);
    expect(r.removed).toBe(true);
  });
});

describe('fake Figma: exportAsync renders real PNGs', () => {
  it('FILL, FIT, CROP and TILE image fills', async () => {
    const { f } = fake();
    const bytes = coordinatePng(40, 20);
    const at = (img: { width: number; data: Uint8Array }, x: number, y: number) => {
      const o = (y * img.width + x) * 4;
      return [...img.data.subarray(o, o + 4)];
    };
    const fill = imageLayer(f, { bytes, width: 20, height: 20, scaleMode: 'FILL' });
    const a = decodePng(await fill.exportAsync({ format: 'PNG' }));
    expect([a.width, a.height]).toEqual([20, 20]);
    // cover: scale 1, centred → local x 0 is image x 10
    expect(decodeCoordinate(...(at(a, 0, 0).slice(0, 3) as [number, number, number]))).toEqual({ x: 10, y: 0 });
    const fit = imageLayer(f, { bytes, width: 20, height: 20, scaleMode: 'FIT' });
    const b = decodePng(await fit.exportAsync({ format: 'PNG', constraint: { type: 'SCALE', value: 2 } }));
    expect([b.width, b.height]).toEqual([40, 40]);
    expect(at(b, 0, 0)[3]).toBe(0); // letterbox
    expect(at(b, 20, 19)).toEqual(coordinatePixel(20, 9));
    const cropT: Transform = [[0.5, 0, 0.5], [0, 1, 0]];
    const crop = imageLayer(f, { bytes, width: 20, height: 20, scaleMode: 'CROP', imageTransform: cropT });
    const c = decodePng(await crop.exportAsync({ format: 'PNG' }));
    expect(at(c, 0, 0)).toEqual(coordinatePixel(20, 0));
    expect(at(c, 19, 19)).toEqual(coordinatePixel(39, 19));
    const tile = imageLayer(f, { bytes, width: 100, height: 20, scaleMode: 'TILE' });
    const d = decodePng(await tile.exportAsync({ format: 'PNG' }));
    expect(at(d, 21, 3)).toEqual(coordinatePixel(3, 7)); // centre (21.5, 3.5) / scalingFactor 0.5 = (43, 7), wrapped to 3
  });

  it('rotated layers export their axis-aligned absolute box; default bounds include strokes', async () => {
    const { f } = fake();
    const r = imageLayer(f, { bytes: solidPng(10, 10), width: 100, height: 50, rotation: 30 });
    const png = decodePng(await r.exportAsync({ format: 'PNG', useAbsoluteBounds: true }));
    const bb = r.absoluteBoundingBox!;
    expect([png.width, png.height]).toEqual([Math.round(bb.width), Math.round(bb.height)]);
    expect(png.data[3]).toBe(0); // corner of the box is outside the rotated rectangle
    r.strokes = [{ type: 'SOLID', color: { r: 0, g: 0, b: 0 } }];
    r.strokeWeight = 10;
    r.strokeAlign = 'OUTSIDE';
    const withStroke = decodePng(await r.exportAsync({ format: 'PNG' }));
    expect(withStroke.width).toBe(Math.round(bb.width + 20));
  });

  it('masks clip the siblings above them; opacity and frame clipping apply', async () => {
    const { f, figma } = fake();
    const content = imageLayer(f, { bytes: encodePng(rgba(10, 10, () => [255, 0, 0, 255])), width: 10, height: 10 });
    const mask = figma.createVector() as unknown as FVector;
    mask.vectorPaths = [{ windingRule: 'NONZERO', data: 'M 0 0 L 5 0 L 5 10 L 0 10 Z' }];
    mask.fills = [{ type: 'SOLID', color: { r: 0, g: 0, b: 0 } }];
    const g = figma.group([mask, content] as unknown as SceneNode[], figma.currentPage) as unknown as FGroup;
    // group() keeps the stacking order (mask was created last, so it is on top): move it down
    expect(g.children.map((c) => c.id)).toEqual([content.id, mask.id]);
    g.insertChild(0, mask);
    mask.isMask = true;
    const out = decodePng(await g.exportAsync({ format: 'PNG', useAbsoluteBounds: true }));
    expect(out.data[(5 * 10 + 2) * 4 + 3]).toBe(255);
    expect(out.data[(5 * 10 + 7) * 4 + 3]).toBe(0);
    g.opacity = 0.5;
    const half = decodePng(await g.exportAsync({ format: 'PNG', useAbsoluteBounds: true }));
    expect(half.data[(5 * 10 + 2) * 4 + 3]).toBe(128);
    const fr = frame(f, { width: 5, height: 5 }) as FFrame;
    fr.fills = [];
    const big = imageLayer(f, { bytes: solidPng(4, 4), width: 20, height: 20, parent: fr });
    expect(big.parent).toBe(fr);
    const clipped = decodePng(await fr.exportAsync({ format: 'PNG' }));
    expect([clipped.width, clipped.height]).toEqual([5, 5]);
  });

  it('the transform helper builds flips with a negative determinant that keep the box in place', () => {
    const t = transformOf(10, 20, 0, true, 50) as unknown as Mat;
    expect(t[0][0] * t[1][1] - t[0][1] * t[1][0]).toBe(-1);
    expect(t[0][2]).toBe(60);
  });
});
