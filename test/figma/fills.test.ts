/**
 * Figma layers the plain-fill path cannot take or that are unusual: two image fills, an image
 * turned inside its fill (ImagePaint.rotation), a skewed layer. Each is read from what Figma
 * shows, and the result lands exactly on those pixels.
 */
import { describe, expect, it } from 'vitest';
import type { HostMessage } from '../../plugin/protocol.js';
import { decodeCoordinate } from './fake/build.js';
import { encodeGif } from '../helpers/gif.js';
import { type FRectangle, type FScene, coordinatePng, imageLayer, rgba } from './fake/index.js';
import { absCorners, apply, cropPng, exportImageToPage, expectPoints, fillImageToPage, rectCorners, renderPage, requestImage, session } from './helpers.js';

type Applied = Extract<HostMessage, { type: 'applied' }>;

async function cutout(s: ReturnType<typeof session>, src: FScene, rect: { x: number; y: number; width: number; height: number }) {
  const got = await requestImage(s, src.id);
  const reply = await apply(s, { sourceId: src.id, output: 'cutout', png: cropPng(got.image, rect), rect, hideSource: false });
  expect(reply.type).toBe('applied');
  const node = s.fake.doc.node((reply as Applied).nodeIds[0]) as FScene;
  return { ...got, node };
}

describe('two image fills on one layer', () => {
  it('is read from its rendering (both fills show) and the cutout covers those pixels', async () => {
    let src!: FRectangle;
    const s = session((f) => {
      src = imageLayer(f, { bytes: coordinatePng(64, 32), width: 160, height: 80, x: 30, y: 40, rotation: 10 });
      const top = f.figma.createImage(coordinatePng(16, 16));
      src.fills = [...(src.fills as Paint[]), { type: 'IMAGE', imageHash: top.hash, scaleMode: 'FIT' } as Paint];
    });
    const rect = { x: 30, y: 20, width: 90, height: 50 };
    const { source, node } = await cutout(s, src, rect);
    expect(source.origin).toBe('export');
    expect(source.note).toMatch(/combined with other fills/);
    expectPoints(absCorners(node), rectCorners(exportImageToPage(src, source.width, source.height), rect), 1e-6);
  });
});

describe('an image turned inside its fill (ImagePaint.rotation)', () => {
  it('is read from a rendering at the turned image’s own density, and the cutout covers those pixels', async () => {
    let src!: FRectangle;
    // 400×200 turned a quarter: a 200×400 image covering the 100×200 layer at half a unit per pixel.
    const s = session((f) => {
      src = imageLayer(f, { bytes: coordinatePng(400, 200), width: 100, height: 200, x: 20, y: 30 });
      src.fills = [{ ...((src.fills as Paint[])[0] as ImagePaint), rotation: 90 }];
    });
    const rect = { x: 40, y: 100, width: 120, height: 160 };
    const { source, image, node } = await cutout(s, src, rect);
    expect(source.origin).toBe('export');
    expect(source.note).toMatch(/rotated inside the layer/);
    expect({ width: source.width, height: source.height }).toEqual({ width: 200, height: 400 });
    // What the UI got is Figma's rendering of the turned image: its top-left pixel is the image's bottom-left.
    expect(decodeCoordinate(image.data[0], image.data[1], image.data[2])).toEqual({ x: 0, y: 199 });
    expectPoints(absCorners(node), rectCorners(exportImageToPage(src, source.width, source.height), rect), 1e-6);
  });
});

describe('a skewed layer', () => {
  it('is read from its fill and the cutout is placed exactly, skewed like the layer', async () => {
    let src!: FRectangle;
    const k = Math.SQRT1_2;
    const s = session((f) => {
      src = imageLayer(f, { bytes: coordinatePng(64, 32), width: 128, height: 64, x: 50, y: 60 });
      // A 45° shear along x (Figma keeps unit axes; the layer's height stays its side length).
      src.relativeTransform = [
        [1, k, 50],
        [0, k, 60],
      ];
    });
    const rect = { x: 8, y: 4, width: 40, height: 20 };
    const { source, node } = await cutout(s, src, rect);
    expect(source.origin).toBe('fill');
    expectPoints(absCorners(node), rectCorners(fillImageToPage(src, 'FILL', 64, 32), rect), 1e-6);
    // The result shows the source's own pixels where it covers them.
    const box = { x: 40, y: 50, width: 200, height: 80 };
    const withResult = renderPage(s.fake, box, 1);
    const sourceOnly = renderPage(s.fake, box, 1, [node]);
    let covered = 0;
    let same = 0;
    for (let i = 0; i < withResult.data.length; i += 4) {
      if (withResult.data[i + 3] !== 255) continue;
      covered++;
      if ([0, 1, 2].every((c) => withResult.data[i + c] === sourceOnly.data[i + c])) same++;
    }
    expect(covered).toBeGreaterThan(1000);
    expect(same / covered).toBeGreaterThan(0.995);
  });
});

describe('a GIF image fill', () => {
  it('is read from its rendering (the UI decodes PNG, JPEG and WebP only) and the cutout covers those pixels', async () => {
    let src!: FRectangle;
    const s = session((f) => {
      src = imageLayer(f, { bytes: encodeGif(rgba(48, 24, (x, y) => (x < 24 ? [200, 40, 40, 255] : y < 12 ? [40, 200, 40, 255] : [40, 40, 200, 255]))), width: 96, height: 48, x: 10, y: 20, rotation: -12 });
    });
    const rect = { x: 10, y: 8, width: 60, height: 40 };
    const { source, image, node } = await cutout(s, src, rect);
    expect(source.origin).toBe('export');
    expect(source.note).toMatch(/not a PNG, JPEG or WebP/);
    // Figma draws the GIF's pixels: the rendering shows its colours.
    const centre = ((image.height >> 1) * image.width + (image.width >> 2)) * 4;
    expect([...image.data.subarray(centre, centre + 4)]).toEqual([200, 40, 40, 255]);
    expectPoints(absCorners(node), rectCorners(exportImageToPage(src, source.width, source.height), rect), 1e-6);
  });
});
