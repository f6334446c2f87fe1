/**
 * Parity of decode + resize with the reference processors (transformers' SamImageProcessor
 * and Sam2ImageProcessor, i.e. PIL bilinear on uint8): the stored pixel_values, sampled at
 * stride 16, must match ours to 1e-4 — which in practice requires a bit-exact uint8 resize
 * (one grey level is 1/255/0.225 ≈ 0.017 after normalising).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../core/image/png.js';
import { longestSideSize, resizeBilinearPil } from '../../core/image/resize.js';
import type { RgbaImage } from '../../core/image/types.js';
import { requireFixture } from '../fixtures.js';

const FRAME = 1024;
const STRIDE = 16;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** pixel_values[0, :, ::16, ::16] of the normalised, zero-padded 1024×1024 frame. */
function sampledPixelValues(resized: RgbaImage): Float32Array {
  const n = FRAME / STRIDE;
  const out = new Float32Array(3 * n * n);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const y = i * STRIDE;
        const x = j * STRIDE;
        const inside = x < resized.width && y < resized.height;
        // Padding is applied after normalising, so padded pixels are exactly 0.
        out[c * n * n + i * n + j] = inside ? (resized.data[(y * resized.width + x) * 4 + c] / 255 - MEAN[c]) / STD[c] : 0;
      }
    }
  }
  return out;
}

function readF32(file: string): Float32Array {
  const buf = readFileSync(file);
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float32Array(copy.buffer); // Little-endian hosts only (all we run on).
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

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

const samDir = requireFixture('sam-reference');
describe.skipIf(!samDir)('resize parity: SAM 1 (longest side 1024, pad)', () => {
  const cases = samDir ? loadCases(samDir) : [];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  for (const c of cases) {
    it(`${c.image} (${c.width}×${c.height})`, () => {
      const img = decodePng(new Uint8Array(readFileSync(path.join(samDir!, c.image))));
      expect([img.width, img.height]).toEqual([c.width, c.height]);
      const size = longestSideSize(img.width, img.height, FRAME);
      expect([size.height, size.width]).toEqual(c.reshaped_input_sizes![0]);
      const resized = resizeBilinearPil(img, size.width, size.height);
      const diff = maxAbsDiff(sampledPixelValues(resized), readF32(path.join(samDir!, c.pixel_values_stride16)));
      expect(diff).toBeLessThanOrEqual(1e-4);
    });
  }
});

const sam2Dir = requireFixture('sam2-reference');
describe.skipIf(!sam2Dir)('resize parity: SAM 2 (square 1024×1024 stretch)', () => {
  const cases = sam2Dir ? loadCases(sam2Dir) : [];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  for (const c of cases) {
    it(`${c.image} (${c.width}×${c.height})`, () => {
      const img = decodePng(new Uint8Array(readFileSync(path.join(sam2Dir!, c.image))));
      expect([img.width, img.height]).toEqual([c.width, c.height]);
      const resized = resizeBilinearPil(img, FRAME, FRAME);
      const diff = maxAbsDiff(sampledPixelValues(resized), readF32(path.join(sam2Dir!, c.pixel_values_stride16)));
      expect(diff).toBeLessThanOrEqual(1e-4);
    });
  }
});
