/**
 * The CLI's batch path reuses its buffers from one image to the next (core/image/scratch.ts):
 * file bytes, decoded pixels, resize and tensor, alpha, mask, cutout, PNG filtering and
 * compression. Reuse must not change a single output byte, whatever the order of sizes: each
 * pipeline below runs over a sequence of different sizes and formats, small to large and large
 * to small, with one ScratchBuffers, and is compared with fresh allocations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelDir } from '../../node/model-source.js';
import { makeCutout } from '../../core/cutout/index.js';
import { decodeImage } from '../../core/image/decode.js';
import { decodePng, encodePng } from '../../core/image/png.js';
import { ScratchBuffers } from '../../core/image/scratch.js';
import type { GrayImage, RgbaImage } from '../../core/image/types.js';
import { loadSalientModel, type SalientModel } from '../../core/models/salient.js';
import { removeBackground, type RemoveBgOptions } from '../../core/removebg.js';
import { buildPng } from '../image/png-builder.js';
import { ort } from '../helpers/ort.js';
import { analyticDirs } from './models.js';
import { encode, randomScene, render, rng, type Encoding } from './scenes.js';

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** The JPEG with an EXIF APP1 segment saying `orientation` (big-endian TIFF, one IFD0 entry). */
function withOrientation(jpegBytes: Uint8Array, orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const seg = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 255, ...payload];
  return Uint8Array.from([...jpegBytes.subarray(0, 2), ...seg, ...jpegBytes.subarray(2)]);
}

interface Input {
  name: string;
  bytes: Uint8Array;
}

/** Different sizes and every decode path: PNG RGB/RGBA/transparent, interlaced, JPEG, rotated JPEG. */
function inputs(): Input[] {
  const random = rng(7);
  const out: Input[] = [];
  const sizes: Array<[number, number, Encoding]> = [
    [640, 480, 'jpeg'],
    [33, 17, 'png-rgb'],
    [1200, 900, 'png-rgba'],
    [300, 500, 'png-rgba-transparent'],
    [1024, 768, 'jpeg'],
    [256, 256, 'png-rgb'],
  ];
  for (const [w, h, e] of sizes) out.push({ name: `${w}x${h}.${e}`, bytes: encode(render(randomScene(w, h, random, e)).image, e) });
  const rotated = render(randomScene(400, 240, random, 'jpeg')).image;
  out.push({ name: '400x240 jpeg, EXIF orientation 6', bytes: withOrientation(encode(rotated, 'jpeg'), 6) });
  const scene = render(randomScene(150, 90, random, 'png-rgb')).image;
  out.push({
    name: '150x90 interlaced PNG in small IDATs',
    bytes: buildPng({
      width: 150,
      height: 90,
      colorType: 6,
      bitDepth: 8,
      interlace: true,
      idatSize: 1000,
      pixel: (x, y) => Array.from(scene.data.subarray((y * 150 + x) * 4, (y * 150 + x) * 4 + 4)),
    }),
  });
  return out;
}

/** Every input's index, ordered by pixel count: ascending, descending, and as listed. */
function orders(list: Input[]): number[][] {
  const px = list.map((i) => {
    const d = decodeImage(i.bytes);
    return d.width * d.height;
  });
  const asc = list.map((_, i) => i).sort((a, b) => px[a]! - px[b]!);
  return [asc, [...asc].reverse(), list.map((_, i) => i)];
}

describe('reused buffers give byte-identical results', () => {
  let salient: SalientModel;
  const list = inputs();
  beforeAll(async () => {
    salient = await loadSalientModel(ort, readModelDir((await analyticDirs()).salient));
  });
  afterAll(() => salient?.dispose());

  it('decodeImage: PNG (every path) and JPEG (incl. EXIF rotation), both size orders', () => {
    const fresh = list.map((i) => decodeImage(i.bytes));
    for (const order of orders(list)) {
      const scratch = new ScratchBuffers();
      for (const k of order) {
        const got = decodeImage(list[k]!.bytes, { scratch });
        expect([got.width, got.height], list[k]!.name).toEqual([fresh[k]!.width, fresh[k]!.height]);
        expect(equal(got.data, fresh[k]!.data), list[k]!.name).toBe(true);
      }
    }
  });

  it('decodePng: every colour type and bit depth, interlaced or not, after larger and smaller images', () => {
    const specs = [
      { colorType: 0, bitDepth: 1 },
      { colorType: 0, bitDepth: 16 },
      { colorType: 2, bitDepth: 8 },
      { colorType: 3, bitDepth: 4, palette: Array.from({ length: 16 }, (_, i) => [i * 16, 255 - i * 16, i * 8]) },
      { colorType: 4, bitDepth: 8 },
      { colorType: 6, bitDepth: 16 },
    ] as const;
    const pngs: Uint8Array[] = [];
    specs.forEach((s, k) => {
      for (const interlace of [false, true]) {
        const w = 13 + k * 17;
        const h = 7 + k * 11;
        const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[s.colorType];
        const max = (1 << s.bitDepth) - 1;
        pngs.push(
          buildPng({
            width: w,
            height: h,
            colorType: s.colorType,
            bitDepth: s.bitDepth,
            interlace,
            palette: 'palette' in s ? s.palette.map((c) => [...c]) : undefined,
            pixel: (x, y) => Array.from({ length: channels }, (_, c) => ((x * 7 + y * 13 + c * 29) * 2654435761) % (max + 1)),
          }),
        );
      }
    });
    const fresh = pngs.map((p) => decodePng(p));
    for (const order of [pngs.map((_, i) => i), pngs.map((_, i) => pngs.length - 1 - i)]) {
      const scratch = new ScratchBuffers();
      for (const k of order) expect(equal(decodePng(pngs[k]!, { scratch }).data, fresh[k]!.data)).toBe(true);
    }
  });

  it('the CLI pipeline (decode → removeBackground → two PNGs), several option sets, both size orders', async () => {
    const optionSets: RemoveBgOptions[] = [{}, { feather: 2 }, { feather: 20 }, { largest: true, fillHoles: true, threshold: 0.4 }];
    for (const options of optionSets) {
      const fresh: Array<{ cutout: Uint8Array; mask: Uint8Array; foreground: number }> = [];
      for (const input of list) {
        const r = await removeBackground(decodeImage(input.bytes), { salient }, options);
        fresh.push({ cutout: encodePng(r.cutout), mask: encodePng(r.mask), foreground: r.foreground });
      }
      for (const order of orders(list)) {
        const scratch = new ScratchBuffers();
        for (const k of order) {
          const image = decodeImage(list[k]!.bytes, { scratch });
          // As the CLI does: the decoded pixels are given up, the cutout is written over them.
          const r = await removeBackground(image, { salient }, { ...options, inPlace: true }, undefined, scratch);
          const cutout = encodePng(r.cutout, { scratch, outputSlot: 'cutout.png' });
          const mask = encodePng(r.mask, { scratch, outputSlot: 'mask.png' });
          const what = `${list[k]!.name} ${JSON.stringify(options)}`;
          expect(equal(cutout, fresh[k]!.cutout), what).toBe(true);
          expect(equal(mask, fresh[k]!.mask), what).toBe(true);
          expect(r.foreground, what).toBe(fresh[k]!.foreground);
        }
        // Warmed up: the largest image seen sized the slots; nothing beyond that is held.
        expect(scratch.bytes).toBeGreaterThan(0);
      }
    }
  });
});

describe('makeCutout with an 8-bit alpha and no other option', () => {
  it('puts the mask values in the alpha channel: the same as the float path for all 256 values', () => {
    const w = 256;
    // An opaque image: its own alpha multiplies the mask's (see the transparency test in test/vector/cutout.test.ts).
    const image: RgbaImage = { width: w, height: 1, data: Uint8Array.from({ length: w * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 7) & 255)) };
    const mask: GrayImage = { width: w, height: 1, data: Uint8Array.from({ length: w }, (_, i) => i) };
    const got = makeCutout(image, mask).image.data;
    for (let v = 0; v < 256; v++) {
      // The float path: alpha = float32(v / 255), written as round(alpha · 255).
      expect(got[v * 4 + 3]).toBe(Math.round(Math.fround(v / 255) * 255));
      expect(Array.from(got.subarray(v * 4, v * 4 + 3))).toEqual(Array.from(image.data.subarray(v * 4, v * 4 + 3)));
    }
    // Cropping still applies to it.
    const cropped = makeCutout(image, mask, { crop: true });
    expect(cropped.offset).toEqual({ x: 1, y: 0 });
    expect(cropped.image.width).toBe(255);
  });
});

describe('ScratchBuffers', () => {
  it('reuses a slot for smaller requests, grows it for larger ones, and lets a huge one go for small requests', () => {
    const s = new ScratchBuffers();
    const a = s.u8('x', 1000);
    a.fill(7);
    const b = s.u8('x', 10);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(10);
    expect(b[0]).toBe(7); // contents are left as they were…
    expect(s.u8('x', 10, true)[0]).toBe(0); // …unless zeroing is asked for
    const c = s.f32('x', 1000);
    expect(c.buffer).not.toBe(a.buffer); // 4000 bytes: grown
    expect(s.bytes).toBe(4000);
    const huge = s.u8('h', 40 << 20);
    expect(s.u8('h', 20 << 20).buffer).toBe(huge.buffer); // half: kept
    expect(s.u8('h', 1 << 20).buffer).not.toBe(huge.buffer); // a fortieth: replaced
    expect(s.bytes).toBe(4000 + (1 << 20));
    s.clear();
    expect(s.bytes).toBe(0);
  });
});
