/**
 * The salient format (core/models/salient.ts): descriptor parsing, the preprocessing and
 * post-processing semantics against hand computations, name checks against the session,
 * detection (loadAnyModel), and the analytic salient model end to end.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { CutoutError, ErrorCode } from '../../core/errors.js';
import type { FloatMap, RgbaImage } from '../../core/image/types.js';
import { maskIoU } from '../../core/masks/measure.js';
import { loadAnyModel } from '../../core/models/load.js';
import {
  alphaMask,
  loadSalientModel,
  parseSalientDescriptor,
  salientAlpha,
  salientInputSize,
  salientTensor,
  type SalientDescriptor,
} from '../../core/models/salient.js';
import type { ModelFiles } from '../../core/models/types.js';
import { readModelDir } from '../../node/model-source.js';
import { getModel, salientDescriptor } from '../../models/registry.js';
import { SALIENT_DESCRIPTOR } from '../../models/analytic/index.js';
import { ort } from '../helpers/ort.js';
import { analyticDirs } from './models.js';
import { render } from './scenes.js';

const BASE: SalientDescriptor = {
  format: 'salient',
  model: 'model.onnx',
  input: 'input',
  output: 'output',
  size: [4, 2],
  resize: 'stretch',
  mean: [0.5, 0.25, 0],
  std: [0.5, 1, 2],
  scale: 255,
  activation: 'none',
  normalize: 'none',
};

async function thrown(f: () => unknown): Promise<CutoutError> {
  try {
    await f();
  } catch (err) {
    if (err instanceof CutoutError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

function solid(w: number, h: number, rgb: [number, number, number], alpha = 255): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([...rgb, alpha], i * 4);
  return { width: w, height: h, data };
}

describe('parseSalientDescriptor', () => {
  it('accepts the issue example, as an object, JSON text or bytes', () => {
    const example = {
      format: 'salient', model: 'model.onnx', input: 'input', output: 'output', size: [1024, 1024], resize: 'stretch',
      mean: [0.5, 0.5, 0.5], std: [1, 1, 1], scale: 255, activation: 'none', normalize: 'minmax',
    };
    expect(parseSalientDescriptor(example, ['model.onnx'])).toEqual(example);
    expect(parseSalientDescriptor(JSON.stringify(example), ['model.onnx'])).toEqual(example);
    expect(parseSalientDescriptor(new TextEncoder().encode(JSON.stringify(example)), [])).toEqual(example);
  });

  it('accepts every registry descriptor and the analytic one', () => {
    for (const id of ['u2netp', 'isnet-general-use', 'birefnet-lite']) {
      const e = getModel(id);
      expect(parseSalientDescriptor(e.descriptor, e.files.map((f) => f.name))).toEqual(salientDescriptor(e));
    }
    expect(parseSalientDescriptor(SALIENT_DESCRIPTOR, ['model.onnx']).activation).toBe('sigmoid');
  });

  it('lists every problem in one clear MODEL_FORMAT error', async () => {
    const err = await thrown(() =>
      parseSalientDescriptor({ format: 'salient', model: 'other.onnx', size: [0, 5], std: [1, 0, 1], normalise: 'minmax' }, ['model.onnx']),
    );
    expect(err.code).toBe(ErrorCode.ModelFormat);
    expect(err.message).toMatch(/"other.onnx" is not one of the files found \(model.onnx\)/);
    expect(err.message).toMatch(/input tensor name is missing/);
    expect(err.message).toMatch(/size must be \[width, height\]/);
    expect(err.message).toMatch(/std must be three positive numbers/);
    expect(err.message).toMatch(/unknown key "normalise"/);
    expect((await thrown(() => parseSalientDescriptor('{nope', []))).message).toMatch(/not valid JSON/);
    expect((await thrown(() => parseSalientDescriptor([1, 2], []))).message).toMatch(/JSON object, found an array/);
    expect((await thrown(() => parseSalientDescriptor({ ...BASE, format: 'sam1' }, []))).message).toMatch(/expected "salient"/);
    expect((await thrown(() => parseSalientDescriptor({ ...BASE, scale: 0 }, []))).message).toMatch(/scale must be a positive number or "max"/);
  });
});

describe('salient preprocessing', () => {
  it('stretch: ((pixel / scale) − mean) / std, NCHW, per channel', () => {
    const img = solid(8, 4, [51, 102, 255]);
    const t = salientTensor(BASE, img);
    expect(t).toHaveLength(3 * 4 * 2);
    const plane = (c: number) => Array.from(t.subarray(c * 8, (c + 1) * 8));
    expect(plane(0).every((v) => Math.abs(v - (51 / 255 - 0.5) / 0.5) < 1e-6)).toBe(true);
    expect(plane(1).every((v) => Math.abs(v - (102 / 255 - 0.25) / 1) < 1e-6)).toBe(true);
    expect(plane(2).every((v) => Math.abs(v - (255 / 255 - 0) / 2) < 1e-6)).toBe(true);
  });

  it("scale 'max' divides by the image's largest channel value", () => {
    const img = solid(4, 2, [50, 100, 200]);
    const t = salientTensor({ ...BASE, scale: 'max', mean: [0, 0, 0], std: [1, 1, 1] }, img);
    expect(Array.from(t.filter((_, i) => i % 8 === 0))).toEqual([0.25, 0.5, 1]);
  });

  it('flattens transparency onto white first', () => {
    const t = salientTensor({ ...BASE, mean: [0, 0, 0], std: [1, 1, 1] }, solid(4, 2, [0, 0, 0], 0));
    expect(Array.from(t).every((v) => v === 1)).toBe(true);
  });

  it('letterbox keeps the aspect ratio at the top-left and pads with 0 after normalising', () => {
    const d: SalientDescriptor = { ...BASE, size: [8, 8], resize: 'letterbox' };
    expect(salientInputSize(d, { width: 100, height: 50 })).toEqual({ width: 8, height: 4 });
    expect(salientInputSize(d, { width: 30, height: 100 })).toEqual({ width: 2, height: 8 }); // 2.4 → 2
    expect(salientInputSize(d, { width: 3, height: 1000 })).toEqual({ width: 1, height: 8 });
    const t = salientTensor(d, solid(16, 8, [255, 255, 255]));
    const r = t.subarray(0, 64); // channel 0: (1 − 0.5) / 0.5 = 1 on the image, 0 on the padding
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) expect(r[y * 8 + x]).toBe(y < 4 ? 1 : 0);
  });
});

describe('salient post-processing', () => {
  const map = (w: number, h: number, f: (x: number, y: number) => number): FloatMap => {
    const data = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
    return { width: w, height: h, data };
  };

  it('sigmoid, then min-max over the image region, then bilinear to the original size', () => {
    const d: SalientDescriptor = { ...BASE, size: [2, 2], activation: 'sigmoid', normalize: 'minmax' };
    const a = salientAlpha(d, map(2, 2, (x) => (x ? 3 : -3)), { width: 4, height: 2 });
    // minmax maps sigmoid(−3) → 0 and sigmoid(3) → 1; bilinear (align_corners=False) 2 → 4.
    expect(Array.from(a.data.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1]);
  });

  it('normalize none keeps values, clamped to 0..1; a constant min-max map is all background', () => {
    const d: SalientDescriptor = { ...BASE, size: [2, 2] };
    expect(Array.from(salientAlpha(d, map(2, 2, (x) => (x ? 1.5 : -0.5)), { width: 2, height: 2 }).data)).toEqual([0, 1, 0, 1]);
    const mm: SalientDescriptor = { ...d, normalize: 'minmax' };
    expect(Array.from(salientAlpha(mm, map(2, 2, () => 0.7), { width: 2, height: 2 }).data)).toEqual([0, 0, 0, 0]);
  });

  it('letterbox: the padding is cut off before the resize back (and before min-max)', () => {
    const d: SalientDescriptor = { ...BASE, size: [4, 4], resize: 'letterbox', normalize: 'minmax' };
    // 8×4 image → 4×2 region at the top; the padding rows hold a huge value min-max must ignore.
    const a = salientAlpha(d, map(4, 4, (x, y) => (y >= 2 ? 100 : x)), { width: 4, height: 2 });
    expect(Array.from(a.data)).toEqual([0, 1 / 3, 2 / 3, 1, 0, 1 / 3, 2 / 3, 1].map(Math.fround));
  });

  it('alphaMask: alpha ≥ threshold', () => {
    const m = alphaMask({ width: 3, height: 1, data: Float32Array.from([0.49, 0.5, 0.9]) });
    expect(Array.from(m.data)).toEqual([0, 255, 255]);
    expect(Array.from(alphaMask({ width: 3, height: 1, data: Float32Array.from([0.49, 0.5, 0.9]) }, 0.8).data)).toEqual([0, 0, 255]);
  });
});

describe('salient models in onnxruntime-web', () => {
  let files: ModelFiles;
  let samFiles: ModelFiles;
  beforeAll(async () => {
    const dirs = await analyticDirs();
    files = readModelDir(dirs.salient);
    samFiles = readModelDir(dirs.sam1);
  });

  it('the analytic model segments a shape: the alpha is the sigmoid map and the mask matches', async () => {
    const { image, truth } = render({
      width: 640, height: 400, background: [128, 128, 128],
      shapes: [{ kind: 'ellipse', cx: 300, cy: 210, rx: 160, ry: 120, colour: [160, 160, 160] }],
    });
    const m = await loadSalientModel(ort, files, { id: 'analytic' });
    try {
      expect(m.id).toBe('analytic');
      expect(m.format).toBe('salient');
      const p = await m.predict(image);
      expect(p.alpha.width).toBe(640);
      expect(p.alpha.height).toBe(400);
      expect(p.ms).toBeGreaterThan(0);
      expect(p.alpha.data[0]).toBeCloseTo(1 / (1 + Math.exp(4)), 5); // sigmoid(40 · (0 − 0.1))
      expect(p.alpha.data[210 * 640 + 300]).toBeGreaterThan(0.99);
      expect(maskIoU(alphaMask(p.alpha), truth)).toBeGreaterThan(0.98);
    } finally {
      await m.dispose();
    }
  });

  it('letterbox with the analytic model gives the same shape (padding cut off)', async () => {
    const { image, truth } = render({
      width: 900, height: 300, background: [235, 235, 235],
      shapes: [{ kind: 'rect', x0: 500, y0: 60, x1: 800, y1: 250, colour: [205, 205, 205] }],
    });
    const descriptor = { ...JSON.parse(new TextDecoder().decode(files['cutout.json'] as Uint8Array)), resize: 'letterbox' };
    const m = await loadSalientModel(ort, { 'model.onnx': files['model.onnx']! }, { descriptor });
    try {
      expect(m.descriptor.resize).toBe('letterbox');
      expect(maskIoU(alphaMask((await m.predict(image)).alpha), truth)).toBeGreaterThan(0.97);
    } finally {
      await m.dispose();
    }
  });

  it('names that do not match the graph: a clear error with expected and found', async () => {
    const bad = new TextEncoder().encode(JSON.stringify({ ...SALIENT_DESCRIPTOR, input: 'image', output: 'mask' }));
    const err = await thrown(() => loadSalientModel(ort, { ...files, 'cutout.json': bad }));
    expect(err.code).toBe(ErrorCode.ModelFormat);
    expect(err.message).toContain('expected inputs [image] and outputs [mask]');
    expect(err.message).toContain('found inputs [input] and outputs [output]');
    const size = new TextEncoder().encode(JSON.stringify({ ...SALIENT_DESCRIPTOR, size: [512, 512] }));
    expect((await thrown(() => loadSalientModel(ort, { ...files, 'cutout.json': size }))).message).toMatch(
      /input input is \[1,3,320,320\] but the descriptor's size \[512,512\] means \[1,3,512,512\]/,
    );
    const none = await thrown(() => loadSalientModel(ort, { 'model.onnx': files['model.onnx']! }));
    expect(none.message).toMatch(/no cutout.json found next to the model \(found model.onnx\)/);
  });

  it('loadAnyModel tells a salient folder from a SAM one', async () => {
    const s = await loadAnyModel(ort, files, { id: 'x' });
    expect(s.kind).toBe('salient');
    await s.model.dispose();
    const m = await loadAnyModel(ort, samFiles);
    expect(m.kind).toBe('sam');
    expect(m.kind === 'sam' && m.model.format).toBe('sam1');
    await m.model.dispose();
    // A registry-style descriptor without cutout.json.
    const r = await loadAnyModel(ort, { 'model.onnx': files['model.onnx']! }, { descriptor: SALIENT_DESCRIPTOR as unknown as SalientDescriptor });
    expect(r.kind).toBe('salient');
    await r.model.dispose();

    expect((await thrown(() => loadAnyModel(ort, samFiles, { kind: 'salient' }))).message).toMatch(/expected a salient model .* found a SAM model/);
    expect((await thrown(() => loadAnyModel(ort, files, { kind: 'sam' }))).message).toMatch(/expected a SAM model .* found a salient model/);
    const odd = { ...files, 'cutout.json': new TextEncoder().encode('{"format":"yolo"}') };
    expect((await thrown(() => loadAnyModel(ort, odd))).message).toMatch(/declares format "yolo"; expected "salient" or one of sam-hf/);
  });
});
