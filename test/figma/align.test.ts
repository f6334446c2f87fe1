/**
 * Results coincide with their source: corners within 0.01 px (expected positions computed here,
 * independently of plugin/figma/placement.ts) and, rendered by the fake, the result shows the
 * source's own pixels where it covers them (the test images encode each pixel's coordinates).
 */
import { describe, expect, it } from 'vitest';
import type { Mat } from './fake/affine.js';
import { ap } from './fake/affine.js';
import {
  type FakeFigma,
  type FFrame,
  type FGroup,
  type FScene,
  type FVector,
  coordinatePng,
  frame,
  imageLayer,
  parseVectorPath,
  solidPng,
} from './fake/index.js';
import {
  type Pt,
  type Session,
  absCorners,
  agreement,
  apply,
  cropPng,
  expectPoints,
  exportImageToPage,
  fillImageToPage,
  rectCorners,
  renderPage,
  requestImage,
  session,
} from './helpers.js';

type R = { x: number; y: number; width: number; height: number };

async function cutout(s: Session, sourceId: string, rect?: R) {
  const { source, image } = await requestImage(s, sourceId);
  const r = rect ?? { x: 0, y: 0, width: image.width, height: image.height };
  const reply = await apply(s, { sourceId, output: 'cutout', png: cropPng(image, r), rect: r, hideSource: false });
  if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
  expect(reply.nodeIds).toHaveLength(1);
  return { node: s.fake.doc.node(reply.nodeIds[0]) as FScene, info: source, image, rect: r };
}

/** The result shows the source's pixels wherever it covers the page. */
function expectSamePixels(fake: FakeFigma, source: FScene, result: FScene, scale = 2, minCovered = 100): void {
  const box = source.absoluteBoundingBox!;
  const withSource = renderPage(fake, box, scale, [result]);
  const withResult = renderPage(fake, box, scale, [source]);
  const { covered, equal } = agreement(withSource, withResult);
  expect(covered).toBeGreaterThan(minCovered);
  expect(equal).toBeGreaterThan(0.99);
}

function expectAbove(source: FScene, result: FScene): void {
  const parent = source.parent as unknown as { children: readonly FScene[] };
  expect(result.parent).toBe(source.parent);
  expect(parent.children.indexOf(result)).toBe(parent.children.indexOf(source) + 1);
}

const photo = (fake: FakeFigma, spec: Partial<Parameters<typeof imageLayer>[1]> = {}) =>
  imageLayer(fake, { bytes: coordinatePng(400, 300), width: 400, height: 300, x: 50, y: 40, ...spec });

describe('cutout alignment (origin fill)', () => {
  it('plain image fill', async () => {
    let src!: FScene;
    const s = session((f) => (src = photo(f)));
    const rect = { x: 100, y: 50, width: 200, height: 100 };
    const { node, info } = await cutout(s, src.id, rect);
    expect(info.origin).toBe('fill');
    expectPoints(absCorners(node), rectCorners(fillImageToPage(src, 'FILL', 400, 300), rect));
    expectAbove(src, node);
    expect(node.name).toBe('Cutout – Photo');
    expect(s.fake.page.selection).toEqual([node]);
    expectSamePixels(s.fake, src, node);
  });

  it('rotated 30°', async () => {
    let src!: FScene;
    const s = session((f) => (src = photo(f, { rotation: 30 })));
    const rect = { x: 100, y: 50, width: 200, height: 100 };
    const { node } = await cutout(s, src.id, rect);
    expect(node.rotation).toBeCloseTo(30, 9);
    expectPoints(absCorners(node), rectCorners(fillImageToPage(src, 'FILL', 400, 300), rect));
    expectSamePixels(s.fake, src, node);
  });

  it('flipped (negative determinant) and rotated', async () => {
    let src!: FScene;
    const s = session((f) => (src = photo(f, { rotation: 20, flipX: true })));
    const t = src.relativeTransform;
    expect(t[0][0] * t[1][1] - t[0][1] * t[1][0]).toBeCloseTo(-1, 12);
    const rect = { x: 10, y: 200, width: 150, height: 90 };
    const { node } = await cutout(s, src.id, rect);
    const nt = node.relativeTransform;
    expect(nt[0][0] * nt[1][1] - nt[0][1] * nt[1][0]).toBeCloseTo(-1, 12);
    expectPoints(absCorners(node), rectCorners(fillImageToPage(src, 'FILL', 400, 300), rect));
    expectSamePixels(s.fake, src, node);
  });

  it('scaled-down FILL: a 3000×2000 image in a 300×300 rectangle; cutouts are clipped to what shows', async () => {
    let src!: FScene;
    const s = session((f) => (src = imageLayer(f, { bytes: coordinatePng(3000, 2000), width: 300, height: 300, x: 20, y: 30, rotation: -15 })));
    const inside = { x: 1000, y: 600, width: 1000, height: 800 };
    const a = await cutout(s, src.id, inside);
    expect(a.info).toMatchObject({ width: 3000, height: 2000, origin: 'fill', visible: { x: 500, y: 0, width: 2000, height: 2000 } });
    const f = fillImageToPage(src, 'FILL', 3000, 2000);
    expectPoints(absCorners(a.node), rectCorners(f, inside));
    expectSamePixels(s.fake, src, a.node, 1);
    // the whole image: only the visible square is inserted, exactly over the layer
    const whole = await cutout(s, src.id, { x: 0, y: 0, width: 3000, height: 2000 });
    expectPoints(absCorners(whole.node), absCorners(src));
    expectSamePixels(s.fake, src, whole.node, 1, 80_000);
  });

  it('FIT (letterboxed)', async () => {
    let src!: FScene;
    const s = session((f) => (src = imageLayer(f, { bytes: coordinatePng(400, 200), width: 300, height: 300, x: 10, y: 10, rotation: 45, scaleMode: 'FIT' })));
    const { node, rect } = await cutout(s, src.id);
    expectPoints(absCorners(node), rectCorners(fillImageToPage(src, 'FIT', 400, 200), rect));
    const local = absCorners(node).map((p) => ap(invAbs(src), p[0], p[1]));
    expectPoints(local, [[0, 75], [300, 75], [300, 225], [0, 225]]);
    expectSamePixels(s.fake, src, node);
  });

  it('CROP with an imageTransform', async () => {
    const T: Transform = [[0.5, 0, 0.25], [0, 0.5, 0.1]];
    let src!: FScene;
    const s = session((f) => (src = photo(f, { width: 300, height: 200, scaleMode: 'CROP', imageTransform: T, rotation: 10 })));
    const rect = { x: 150, y: 50, width: 100, height: 100 };
    const { node, info } = await cutout(s, src.id, rect);
    expect(info.visible).toEqual({ x: 100, y: 30, width: 200, height: 150 });
    expectPoints(absCorners(node), rectCorners(fillImageToPage(src, 'CROP', 400, 300, T as unknown as Mat), rect));
    expectSamePixels(s.fake, src, node);
    // a cutout larger than the crop window is clipped to it: exactly the layer's box
    const all = await cutout(s, src.id);
    expectPoints(absCorners(all.node), absCorners(src));
    expectSamePixels(s.fake, src, all.node);
  });

  it('CROP with a rotated imageTransform', async () => {
    const T: Transform = [[0, 0.5, 0.2], [-0.5, 0, 0.8]];
    let src!: FScene;
    const s = session((f) => (src = photo(f, { width: 200, height: 200, scaleMode: 'CROP', imageTransform: T })));
    const rect = { x: 120, y: 120, width: 60, height: 80 };
    const { node } = await cutout(s, src.id, rect);
    const want = rectCorners(fillImageToPage(src, 'CROP', 400, 300, T as unknown as Mat), rect);
    expectPoints(absCorners(node), want);
    expectSamePixels(s.fake, src, node);
  });

  it('nested frames, three levels, some rotated', async () => {
    let src!: FScene;
    const s = session((f) => {
      const a = frame(f, { x: 100, y: 100, width: 800, height: 800, rotation: 10, clips: false });
      const b = frame(f, { x: 30, y: 40, width: 600, height: 600, rotation: -25, parent: a, clips: false });
      const c = frame(f, { x: 10, y: 10, width: 500, height: 500, parent: b, clips: false });
      for (const fr of [a, b, c]) fr.fills = [];
      src = photo(f, { x: 20, y: 30, rotation: 15, parent: c });
    });
    const rect = { x: 50, y: 60, width: 250, height: 180 };
    const { node } = await cutout(s, src.id, rect);
    expectAbove(src, node);
    expectPoints(absCorners(node), rectCorners(fillImageToPage(src, 'FILL', 400, 300), rect));
    expectSamePixels(s.fake, src, node);
  });

  it('inside a rotated group (transforms relative to the frame around it)', async () => {
    let src!: FScene;
    let group!: FGroup;
    const s = session((f) => {
      const fr = frame(f, { x: 40, y: 60, width: 900, height: 900, rotation: 5, clips: false });
      fr.fills = [];
      src = photo(f, { x: 100, y: 100, parent: fr });
      const other = imageLayer(f, { bytes: solidPng(4, 4), width: 50, height: 50, x: 600, y: 500, parent: fr });
      group = f.figma.group([src, other] as unknown as SceneNode[], fr as unknown as FrameNode) as unknown as FGroup;
      group.rotation = 25;
    });
    const rect = { x: 10, y: 10, width: 300, height: 250 };
    const { node } = await cutout(s, src.id, rect);
    expect(node.parent).toBe(group);
    expectAbove(src, node);
    expectPoints(absCorners(node), rectCorners(fillImageToPage(src, 'FILL', 400, 300), rect));
    expectSamePixels(s.fake, src, node);
  });

  it('auto-layout parent: the result is absolutely positioned and nothing moves', async () => {
    let src!: FScene;
    let row!: FFrame;
    const s = session((f) => {
      row = frame(f, { x: 10, y: 10, width: 1200, height: 400 });
      row.fills = [];
      row.layoutMode = 'HORIZONTAL';
      row.itemSpacing = 20;
      row.paddingLeft = 15;
      imageLayer(f, { bytes: solidPng(4, 4), width: 100, height: 100, parent: row, name: 'A' });
      src = photo(f, { parent: row });
      imageLayer(f, { bytes: solidPng(4, 4), width: 100, height: 100, parent: row, name: 'B' });
    });
    const before = row.children.map((c) => absCorners(c));
    expect(src.x).toBe(135);
    const rect = { x: 20, y: 20, width: 100, height: 100 };
    const { node } = await cutout(s, src.id, rect);
    expect(node.layoutPositioning).toBe('ABSOLUTE');
    expectAbove(src, node);
    row.children.filter((c) => c !== node).forEach((c, i) => expectPoints(absCorners(c), before[i]));
    expectPoints(absCorners(node), rectCorners(fillImageToPage(src, 'FILL', 400, 300), rect));
    expectSamePixels(s.fake, src, node);
  });

  it('inside an instance: the result goes above the instance, still exactly over the image', async () => {
    let src!: FScene;
    let inst!: FFrame;
    const s = session((f) => {
      const comp = f.figma.createComponent() as unknown as FFrame;
      comp.fills = [];
      comp.resize(600, 500);
      photo(f, { parent: comp, x: 30, y: 20, rotation: 12 });
      comp.x = 2000;
      inst = comp.createInstance();
      inst.relativeTransform = [[Math.cos(0.3), Math.sin(0.3), 100], [-Math.sin(0.3), Math.cos(0.3), 300]];
      src = inst.children[0];
    });
    const rect = { x: 40, y: 40, width: 200, height: 150 };
    const { node } = await cutout(s, src.id, rect);
    expect(node.parent).toBe(inst.parent);
    expect(s.fake.page.children.indexOf(node)).toBe(s.fake.page.children.indexOf(inst) + 1);
    expectPoints(absCorners(node), rectCorners(fillImageToPage(src, 'FILL', 400, 300), rect));
    expectSamePixels(s.fake, src, node);
  });
});

describe('cutout alignment (origin export)', () => {
  it('a rotated frame with layers is rendered and the result lands on it', async () => {
    let src!: FFrame;
    const s = session((f) => {
      src = frame(f, { x: 300, y: 200, width: 240, height: 160, rotation: 30 });
      src.name = 'Card';
      imageLayer(f, { bytes: coordinatePng(200, 100), width: 200, height: 100, x: 20, y: 30, parent: src, rotation: -10 });
    });
    const { node, info, rect } = await cutout(s, src.id);
    expect(info.origin).toBe('export');
    const bb = src.absoluteBoundingBox!;
    expect(info.width).toBe(Math.round(bb.width * 2));
    expectPoints(absCorners(node), rectCorners(exportImageToPage(src, info.width, info.height), rect));
    expectAbove(src as unknown as FScene, node);
    expectSamePixels(s.fake, src as unknown as FScene, node, 2, 50_000);
  });

  it('an ellipse with an image is rendered (its shape clips the image), with a note saying so', async () => {
    let src!: FScene;
    const s = session((f) => (src = imageLayer(f, { type: 'ELLIPSE', bytes: coordinatePng(300, 300), width: 150, height: 150, x: 5, y: 5, rotation: 60 })));
    const { node, info } = await cutout(s, src.id, { x: 50, y: 50, width: 200, height: 200 });
    expect(info.origin).toBe('export');
    expect(info.note).toMatch(/ellipse/);
    expect(info.width).toBe(Math.round(src.absoluteBoundingBox!.width * 2)); // the image's own density (300 px over 150)
    expectPoints(absCorners(node), rectCorners(exportImageToPage(src, info.width, info.height), { x: 50, y: 50, width: 200, height: 200 }));
    expectSamePixels(s.fake, src, node, 2, 1000);
  });
});

function invAbs(n: FScene): Mat {
  const t = n.absoluteTransform as unknown as Mat;
  const det = t[0][0] * t[1][1] - t[0][1] * t[1][0];
  const a = t[1][1] / det;
  const b = -t[0][1] / det;
  const c = -t[1][0] / det;
  const d = t[0][0] / det;
  return [
    [a, b, -(a * t[0][2] + b * t[1][2])],
    [c, d, -(c * t[0][2] + d * t[1][2])],
  ];
}

/** Every coordinate of a vector's paths, on the page. */
function pathPagePoints(v: FVector): Pt[] {
  const t = v.absoluteTransform as unknown as Mat;
  return v.vectorPaths.flatMap((p) => parseVectorPath(p.data).flatMap((seg) => pairs(seg.pts).map(([x, y]) => ap(t, x, y))));
}

function pairs(a: number[]): Pt[] {
  const out: Pt[] = [];
  for (let i = 0; i < a.length; i += 2) out.push([a[i], a[i + 1]]);
  return out;
}

const PATHS = [
  { windingRule: 'NONZERO' as const, data: 'M 100 50 L 300 50 L 300 150 L 100 150 Z' },
  { windingRule: 'EVENODD' as const, data: 'M 150 160 C 200 160 250 200 250 240 L 150 240 Z' },
];

function expectedPathPoints(f: (u: number, v: number) => Pt): Pt[] {
  return PATHS.flatMap((p) => parseVectorPath(p.data).flatMap((seg) => pairs(seg.pts).map(([x, y]) => f(x, y))));
}

describe('vector mask and outline alignment', () => {
  const cases: Array<[string, (f: FakeFigma) => FScene]> = [
    ['rotated and flipped', (f) => photo(f, { rotation: 33, flipX: true })],
    [
      'nested in rotated frames',
      (f) => {
        const a = frame(f, { x: 100, y: 100, width: 900, height: 900, rotation: -20, clips: false });
        const b = frame(f, { x: 50, y: 50, width: 700, height: 700, rotation: 40, parent: a, clips: false });
        a.fills = [];
        b.fills = [];
        return photo(f, { parent: b, x: 10, y: 20, rotation: 5 });
      },
    ],
  ];

  for (const [label, build] of cases) {
    it(`vector mask: ${label}`, async () => {
      let src!: FScene;
      const s = session((f) => (src = build(f)));
      await requestImage(s, src.id);
      const before = JSON.stringify({ ...src.s });
      const reply = await apply(s, { sourceId: src.id, output: 'vector-mask', paths: PATHS, hideSource: false });
      if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
      const group = s.fake.doc.node(reply.nodeIds[0]) as FGroup;
      expect(group.type).toBe('GROUP');
      expect(group.name).toBe('Vector mask – Photo');
      expectAbove(src, group as unknown as FScene);
      const [mask, copy] = group.children;
      expect(mask.type).toBe('VECTOR');
      expect(mask.isMask).toBe(true);
      expect((mask as FVector).geometryOrigin[0]).toBeCloseTo(0, 3);
      expect((mask as FVector).geometryOrigin[1]).toBeCloseTo(0, 3);
      // the copy is the source, untouched, in the same place
      expect(copy.type).toBe(src.type);
      expect((copy as unknown as { fills: unknown }).fills).toEqual((src as unknown as { fills: unknown }).fills);
      expectPoints(absCorners(copy), absCorners(src));
      expect(JSON.stringify({ ...src.s })).toBe(before);
      expectPoints(pathPagePoints(mask as FVector), expectedPathPoints(fillImageToPage(src, 'FILL', 400, 300)), 0.01);
      expectSamePixels(s.fake, src, group as unknown as FScene, 2, 20_000);
    });

    it(`outline: ${label}`, async () => {
      let src!: FScene;
      const s = session((f) => (src = build(f)));
      await requestImage(s, src.id);
      const reply = await apply(s, { sourceId: src.id, output: 'outline', paths: PATHS, hideSource: false });
      if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
      const v = s.fake.doc.node(reply.nodeIds[0]) as FVector;
      expect(v.type).toBe('VECTOR');
      expect(v.name).toBe('Outline – Photo');
      expect(v.fills).toEqual([]);
      expect(v.strokes).toHaveLength(1);
      expect(v.strokeWeight).toBeGreaterThan(0);
      expectAbove(src, v as unknown as FScene);
      expectPoints(pathPagePoints(v), expectedPathPoints(fillImageToPage(src, 'FILL', 400, 300)), 0.01);
    });
  }

  it('vector mask in an auto-layout parent stays put', async () => {
    let src!: FScene;
    let row!: FFrame;
    const s = session((f) => {
      row = frame(f, { width: 1400, height: 400 });
      row.fills = [];
      row.layoutMode = 'HORIZONTAL';
      imageLayer(f, { bytes: solidPng(4, 4), width: 100, height: 100, parent: row });
      src = photo(f, { parent: row });
    });
    await requestImage(s, src.id);
    const reply = await apply(s, { sourceId: src.id, output: 'vector-mask', paths: PATHS, hideSource: true });
    if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
    const group = s.fake.doc.node(reply.nodeIds[0]) as FGroup;
    expect(group.layoutPositioning).toBe('ABSOLUTE');
    expect(src.visible).toBe(false);
    // hiding the source reflows the row (Figma's auto-layout); the result stays where the image was
    const [mask, copy] = group.children;
    expect(copy.visible).toBe(true);
    expect(absCorners(copy)[0][0]).toBeCloseTo(100, 9);
    expect(pathPagePoints(mask as FVector)[0][0]).toBeCloseTo(200, 6);
  });
});
