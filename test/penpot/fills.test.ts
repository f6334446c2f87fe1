/**
 * Penpot image fills the plain-fill path cannot take: the plugin reads the layer's rendering
 * instead, says why, and the pixels the UI gets always have the size the placement assumes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image/decode.js';
import { checkFillBytes } from '../../plugin/host/sources.js';
import { encodeGif } from '../helpers/gif.js';
import { addImage, coordinatePixel, coordinatePng, imageShape, rgba } from './fake/index.js';
import { type Of, apply, cropPng, expectPoints, pageCorners, ready, requestImage, session, sourceRectToPage } from './helpers.js';

function jpegBytes(w: number, h: number): Uint8Array {
  const img = rgba(w, h, coordinatePixel);
  return new Uint8Array(jpeg.encode({ width: w, height: h, data: img.data }, 92).data);
}

describe('a JPEG fill whose file is not the size the editor reports', () => {
  it('checkFillBytes reads the JPEG frame size and refuses a mismatch (as for PNG)', () => {
    const bytes = jpegBytes(40, 20);
    expect(checkFillBytes(bytes, { width: 40, height: 20 }, 'Penpot')).toEqual({ size: { width: 40, height: 20 } });
    expect(checkFillBytes(bytes, { width: 20, height: 20 }, 'Penpot')).toEqual({ reason: 'the image file does not match the size Penpot shows' });
  });

  it('Penpot: read from the rendering, the UI gets pixels of the size it is told, the cutout lands on them', async () => {
    let id = '';
    const s = session((f) => {
      const uploaded = addImage(f, jpegBytes(96, 48));
      // A fill whose recorded size is stale (a plugin or an import wrote it): Penpot draws the file's real pixels.
      const src = imageShape(f, { image: { ...uploaded, width: 48, height: 48, data: uploaded.data }, x: 10, y: 20, width: 192, height: 96, rotation: 15, name: 'Stale' });
      id = src.id;
      f.select([src.id]);
    });
    await ready(s);
    const { source, image } = await requestImage(s, id);
    expect(source.origin).toBe('export');
    expect(source.note).toMatch(/the image file does not match the size Penpot shows/);
    expect({ width: image.width, height: image.height }).toEqual({ width: source.width, height: source.height });
    const rect = { x: 20, y: 10, width: 60, height: 40 };
    const reply = await apply(s, { sourceId: id, output: 'cutout', png: cropPng(image, rect), rect, hideSource: false });
    expect(reply.type).toBe('applied');
    const result = (reply as Of<'applied'>).nodeIds[0];
    expectPoints(pageCorners(s.fake, result), sourceRectToPage(s.fake, id, source, rect), 0.01);
  });
});

describe('two image fills on one layer', () => {
  it('Penpot: read from the rendering (both fills show), the cutout lands on it', async () => {
    let id = '';
    const s = session((f) => {
      const below = addImage(f, coordinatePng(64, 32));
      const src = imageShape(f, { bytes: coordinatePng(32, 32), x: 40, y: 30, width: 128, height: 64, name: 'Layered' });
      const state = f.doc.get(src.id);
      state.fills = [...state.fills, { fillOpacity: 1, fillImage: { id: below.id, width: 64, height: 32, mtype: 'image/png' } }];
      id = src.id;
      f.select([src.id]);
    });
    const { selection } = await ready(s);
    expect(selection.sources[0]).toMatchObject({ origin: 'export' });
    expect(selection.sources[0].note).toMatch(/combined with other fills/);
    const { source, image } = await requestImage(s, id);
    expect(source.origin).toBe('export');
    const rect = { x: 10, y: 8, width: 50, height: 30 };
    const reply = await apply(s, { sourceId: id, output: 'cutout', png: cropPng(image, rect), rect, hideSource: false });
    const result = (reply as Of<'applied'>).nodeIds[0];
    expectPoints(pageCorners(s.fake, result), sourceRectToPage(s.fake, id, source, rect), 0.01);
  });
});

describe('a Penpot image fill larger than Cutout works with', () => {
  it('is read from a rendering capped at 4096 px (Penpot keeps any size; the UI could not take the largest)', async () => {
    let id = '';
    const s = session((f) => {
      const src = imageShape(f, { bytes: coordinatePng(4400, 200), x: 30, y: 40, width: 440, height: 20, name: 'Panorama' });
      id = src.id;
      f.select([src.id]);
    });
    const { selection } = await ready(s);
    expect(selection.sources[0]).toMatchObject({ origin: 'export' });
    expect(selection.sources[0].note).toMatch(/the image is 4400×200 px, more than the 4096 px Cutout works with/);
    const { source, image } = await requestImage(s, id);
    expect(source.origin).toBe('export');
    expect(Math.max(source.width, source.height)).toBeLessThanOrEqual(4096);
    expect({ width: image.width, height: image.height }).toEqual({ width: source.width, height: source.height });
    const rect = { x: 1000, y: 40, width: 1500, height: 100 };
    const reply = await apply(s, { sourceId: id, output: 'cutout', png: cropPng(image, rect), rect, hideSource: false });
    const result = (reply as Of<'applied'>).nodeIds[0];
    expectPoints(pageCorners(s.fake, result), sourceRectToPage(s.fake, id, source, rect), 0.01);
  });
});

describe('a GIF image fill', () => {
  it('Penpot: read from its rendering (the UI decodes PNG, JPEG and WebP only), the cutout lands on it', async () => {
    let id = '';
    const s = session((f) => {
      const gif = encodeGif(rgba(48, 24, (x, y) => (x < 24 ? [200, 40, 40, 255] : y < 12 ? [40, 200, 40, 255] : [40, 40, 200, 255])));
      const src = imageShape(f, { image: addImage(f, gif), x: 10, y: 20, width: 96, height: 48, rotation: 12, name: 'Animated' });
      id = src.id;
      f.select([src.id]);
    });
    await ready(s);
    const { source, image } = await requestImage(s, id);
    expect(source.origin).toBe('export');
    expect(source.note).toMatch(/not a PNG, JPEG or WebP/);
    const centre = ((image.height >> 1) * image.width + (image.width >> 2)) * 4;
    expect([...image.data.subarray(centre, centre + 4)]).toEqual([200, 40, 40, 255]);
    const rect = { x: 10, y: 8, width: 60, height: 40 };
    const reply = await apply(s, { sourceId: id, output: 'cutout', png: cropPng(image, rect), rect, hideSource: false });
    const result = (reply as Of<'applied'>).nodeIds[0];
    expectPoints(pageCorners(s.fake, result), sourceRectToPage(s.fake, id, source, rect), 0.01);
  });
});

describe('a WebP image fill', () => {
  // Written by libwebp's cwebp (test/image/webp-fixtures/README.md): lossy, with an alpha chunk.
  const webp = new Uint8Array(readFileSync(join(import.meta.dirname, '../image/webp-fixtures/scene-37x23-lossy-alpha.webp')));

  it('the fill bytes are accepted when their header matches the size shown; animated ones are rendered', () => {
    expect(checkFillBytes(webp, { width: 37, height: 23 }, 'Penpot')).toEqual({ size: { width: 37, height: 23 } });
    expect(checkFillBytes(webp, { width: 40, height: 23 }, 'Penpot')).toEqual({ reason: 'the image file does not match the size Penpot shows' });
    const animated = webp.slice();
    animated[20]! |= 0x02;
    expect(checkFillBytes(animated, { width: 37, height: 23 }, 'Penpot')).toEqual({ reason: 'the image is animated' });
  });

  it('Penpot: the original file is sent (not a rendering), decoded to its own pixels, and the cutout lands on it', async () => {
    let id = '';
    const s = session((f) => {
      const src = imageShape(f, { image: addImage(f, webp), x: 10, y: 20, width: 74, height: 46, rotation: 8, name: 'Web photo' });
      id = src.id;
      f.select([src.id]);
    });
    await ready(s);
    const { source, image, bytes } = await requestImage(s, id);
    expect(source.origin).toBe('fill');
    expect(source.note).toBeUndefined();
    expect([...bytes.subarray(0, 4)]).toEqual([...webp.subarray(0, 4)]);
    expect({ width: image.width, height: image.height }).toEqual({ width: 37, height: 23 });
    expect(image.data).toEqual(decodeImage(webp).data);
    const rect = { x: 4, y: 3, width: 24, height: 16 };
    const reply = await apply(s, { sourceId: id, output: 'cutout', png: cropPng(image, rect), rect, hideSource: false });
    const result = (reply as Of<'applied'>).nodeIds[0];
    expectPoints(pageCorners(s.fake, result), sourceRectToPage(s.fake, id, source, rect), 0.01);
  });
});
