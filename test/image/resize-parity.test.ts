/**
 * Parity of the product's preprocessing with the reference processors (transformers'
 * SamImageProcessor and Sam2ImageProcessor, i.e. PIL bilinear on uint8). The encoder feed is
 * made exactly as SamModel.encode makes it — frameTransform → resizeForFrame → the format
 * driver's encodeFeeds — and compared with the stored pixel_values[0, :, ::16, ::16]:
 *  - the resized 8-bit pixels are bit for bit the reference's: the grey level each reference
 *    value stands for (inverting the normalisation) is exactly the product's resized pixel;
 *  - the normalised floats agree to float32 rounding (≤ 3e-7; one grey level is ≈ 0.017):
 *    the reference (torch) normalises in another order of float32 operations, so a few low
 *    bits differ — not bit for bit, and the README says so.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import type { FormatDriver } from '../../core/models/formats/driver.js';
import { samHf } from '../../core/models/formats/sam-hf.js';
import { sam2Hf } from '../../core/models/formats/sam2-hf.js';
import { IMAGENET_UNIT, resizeForFrame } from '../../core/models/preprocess.js';
import type { OrtSession } from '../../core/models/types.js';
import { frameTransform } from '../../core/prompts/frames.js';
import { requireFixture } from '../fixtures.js';
import { ort } from '../helpers/ort.js';

const STRIDE = 16;

interface Case {
  image: string;
  width: number;
  height: number;
  reshaped_input_sizes?: number[][];
  pixel_values_stride16: string;
}

function loadCases(dir: string): Case[] {
  return (JSON.parse(readFileSync(path.join(dir, 'cases.json'), 'utf8')) as { cases: Case[] }).cases;
}

function readF32(file: string): Float32Array {
  const buf = readFileSync(file);
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float32Array(copy.buffer); // Little-endian hosts only (all we run on).
}

/** The product's encoder input for `file`, with the resized image and the frame it fills. */
function productPixelValues(driver: FormatDriver, file: string) {
  const img = decodePng(new Uint8Array(readFileSync(file)));
  const t = frameTransform(driver.resize, { width: img.width, height: img.height });
  const image = resizeForFrame(img, t);
  // The hf drivers read nothing from the session; an empty one makes that visible.
  const feeds = driver.encodeFeeds(ort, {} as OrtSession, image, t);
  const tensor = feeds[driver.encoder.inputs[0]!]!;
  return { data: tensor.data as Float32Array, dims: tensor.dims, image, resized: [t.resized.height, t.resized.width] };
}

/** Sampled positions where the product's resized 8-bit pixel is not the one the reference value encodes (padding must be 0). */
function pixelMismatches(image: RgbaImage, ref: Float32Array): number {
  const n = 1024 / STRIDE;
  let bad = 0;
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = ref[c * n * n + i * n + j]!;
        const [x, y] = [j * STRIDE, i * STRIDE];
        if (x >= image.width || y >= image.height) {
          if (v !== 0) bad++;
          continue;
        }
        const level = (v * IMAGENET_UNIT.std[c]! + IMAGENET_UNIT.mean[c]!) * 255;
        if (Math.abs(level - Math.round(level)) > 1e-3 || Math.round(level) !== image.data[(y * image.width + x) * 4 + c]) bad++;
      }
    }
  }
  return bad;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** [c, ::16, ::16] of an NCHW [1,3,f,f] tensor. */
function strided(data: Float32Array, frame: number): Float32Array {
  const n = frame / STRIDE;
  const out = new Float32Array(3 * n * n);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[c * n * n + i * n + j] = data[c * frame * frame + i * STRIDE * frame + j * STRIDE]!;
  }
  return out;
}


for (const [name, fixture, driver] of [
  ['SAM 1 (longest side 1024, pad)', 'sam-reference', samHf],
  ['SAM 2 (square 1024×1024 stretch)', 'sam2-reference', sam2Hf],
] as const) {
  const dir = requireFixture(fixture);
  describe.skipIf(!dir)(`preprocessing parity: ${name}`, () => {
    const cases = dir ? loadCases(dir) : [];
    it('has cases', () => expect(cases.length).toBeGreaterThan(0));
    for (const c of cases) {
      it(`${c.image} (${c.width}×${c.height}): the encoder feed has the reference's pixels, normalised to float32 rounding`, () => {
        const pv = productPixelValues(driver, path.join(dir!, c.image));
        const ref = readF32(path.join(dir!, c.pixel_values_stride16));
        expect(pv.dims).toEqual([1, 3, 1024, 1024]);
        if (c.reshaped_input_sizes) expect(pv.resized).toEqual(c.reshaped_input_sizes[0]);
        expect(pixelMismatches(pv.image, ref)).toBe(0);
        expect(maxAbsDiff(strided(pv.data, 1024), ref)).toBeLessThanOrEqual(3e-7);
      });
    }
  });
}
