/** Which pixels the UI gets for a layer: original bytes when they are a plain fill, else a rendering. */
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import type { HostMessage } from '../../plugin/protocol.js';
import { type FScene, coordinatePixel, coordinatePng, frame, imageLayer, rgba } from './fake/index.js';
import { requestImage, session } from './helpers.js';

type Selection = Extract<HostMessage, { type: 'selection' }>;

function jpegBytes(w: number, h: number): Uint8Array {
  const img = rgba(w, h, coordinatePixel);
  return new Uint8Array(jpeg.encode({ width: w, height: h, data: img.data }, 90).data);
}

/** The JPEG with an APP1 Exif segment (little-endian TIFF, one Orientation entry) after SOI. */
function withOrientation(bytes: Uint8Array, orientation: number): Uint8Array {
  const tiff = [0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const len = payload.length + 2;
  return new Uint8Array([0xff, 0xd8, 0xff, 0xe1, len >> 8, len & 255, ...payload, ...bytes.subarray(2)]);
}

async function selectionOf(s: ReturnType<typeof session>, nodes: FScene[]): Promise<Selection> {
  s.fake.ui.send({ type: 'ready', version: 1 });
  await s.fake.ui.waitFor((m) => m.type === 'selection');
  const from = s.fake.ui.received.length;
  s.fake.figma.currentPage.selection = nodes as unknown as SceneNode[];
  return s.fake.ui.waitFor<Selection>((m) => m.type === 'selection', { from });
}

describe('sources', () => {
  it('a JPEG fill is sent as its original bytes', async () => {
    const bytes = jpegBytes(64, 48);
    let src!: FScene;
    const s = session((f) => (src = imageLayer(f, { bytes, width: 32, height: 24 })));
    const got = await requestImage(s, src.id);
    expect(got.source).toMatchObject({ origin: 'fill', width: 64, height: 48 });
    expect(got.bytes).toEqual(bytes);
  });

  it('a JPEG with an EXIF rotation is rendered instead (no guessing how Figma oriented it)', async () => {
    let src!: FScene;
    const s = session((f) => (src = imageLayer(f, { bytes: withOrientation(jpegBytes(40, 20), 6), width: 20, height: 40 })));
    const got = await requestImage(s, src.id);
    expect(got.source.origin).toBe('export');
    expect(got.source.note).toMatch(/EXIF rotation/);
  });

  it('tiled, adjusted, blended or combined fills are rendered, each with its reason', async () => {
    let nodes: FScene[] = [];
    const s = session((f) => {
      const bytes = coordinatePng(20, 20);
      const tiled = imageLayer(f, { bytes, width: 50, height: 50, scaleMode: 'TILE', name: 'Tiled' });
      const adjusted = imageLayer(f, { bytes, width: 50, height: 50, name: 'Adjusted' });
      adjusted.fills = [{ ...(adjusted.fills[0] as ImagePaint), filters: { exposure: 0.5 } }];
      const faded = imageLayer(f, { bytes, width: 50, height: 50, name: 'Faded' });
      faded.fills = [{ ...(faded.fills[0] as ImagePaint), opacity: 0.5 }];
      const combined = imageLayer(f, { bytes, width: 50, height: 50, name: 'Combined' });
      combined.fills = [{ type: 'SOLID', color: { r: 1, g: 1, b: 1 } }, combined.fills[0]];
      const blurred = imageLayer(f, { bytes, width: 50, height: 50, name: 'Blurred' });
      blurred.effects = [{ type: 'LAYER_BLUR', radius: 4, visible: true } as Effect];
      const shadowed = imageLayer(f, { bytes, width: 50, height: 50, name: 'Shadowed' });
      shadowed.effects = [{ type: 'DROP_SHADOW', radius: 4, visible: true, color: { r: 0, g: 0, b: 0, a: 0.5 }, offset: { x: 2, y: 2 }, blendMode: 'NORMAL' } as Effect];
      const card = frame(f, { width: 50, height: 50 });
      card.fills = [{ type: 'IMAGE', imageHash: f.figma.createImage(bytes).hash, scaleMode: 'FILL' }];
      imageLayer(f, { bytes, width: 10, height: 10, parent: card, name: 'Badge' });
      card.name = 'Card';
      nodes = [tiled, adjusted, faded, combined, blurred, shadowed, card as unknown as FScene];
    });
    const sel = await selectionOf(s, nodes);
    const by = Object.fromEntries(sel.sources.map((x) => [x.name, x]));
    expect(by.Tiled.note).toMatch(/tiled/);
    expect(by.Adjusted.note).toMatch(/adjustments/);
    expect(by.Faded.note).toMatch(/semi-transparent/);
    expect(by.Combined.note).toMatch(/other fills/);
    expect(by.Blurred.note).toMatch(/effects/);
    expect(by.Shadowed.origin).toBe('fill');
    expect(by.Card.note).toMatch(/layers on top/);
    for (const n of ['Tiled', 'Adjusted', 'Faded', 'Combined', 'Blurred', 'Card']) expect(by[n].origin, n).toBe('export');
  });

  it('exports keep the image density, 2× for layers without images, and stay within 4096 px', async () => {
    let nodes: FScene[] = [];
    const s = session((f) => {
      const dense = imageLayer(f, { type: 'ELLIPSE', bytes: coordinatePng(3000, 2000), width: 300, height: 300, name: 'Dense' });
      const plain = frame(f, { width: 120, height: 80, name: 'Plain' }) as unknown as FScene;
      const wide = frame(f, { width: 10000, height: 300, name: 'Wide' }) as unknown as FScene;
      nodes = [dense, plain, wide];
    });
    const sel = await selectionOf(s, nodes);
    const by = Object.fromEntries(sel.sources.map((x) => [x.name, x]));
    expect([by.Dense.width, by.Dense.height]).toEqual([2000, 2000]);
    expect([by.Plain.width, by.Plain.height]).toEqual([240, 160]);
    expect([by.Wide.width, by.Wide.height]).toEqual([4096, 123]);
    expect(by.Wide.note).toMatch(/Rendered at 41% to stay within 4096 px/);
    const got = await requestImage(s, nodes[2].id);
    expect([got.image.width, got.image.height]).toEqual([4096, 123]);
  });
});
