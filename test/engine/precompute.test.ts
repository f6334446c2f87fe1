/**
 * The decoder split (core/models/precompute.ts) and the ONNX reader/writer under it
 * (core/models/onnx): the image half + prompt half must return what the full decoder returns
 * (within 1e-5) for every prompt kind, on the real SAM / SAM 2 decoder graphs of the shared
 * fixtures and on the analytic models; the reader must round-trip; graphs without
 * image-only work must not be split.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';
import { ort } from '../helpers/ort.js';
import { maxAbsDiff } from '../helpers/raw.js';
import { fixtureDir, requireFixture } from '../fixtures.js';
import { render } from '../helpers/synthetic.js';
import { analyticModelFiles, buildSam1Decoder, buildSam2Decoder, buildSam2HfDecoder, generateAnalyticModels } from '../../models/analytic/index.js';
import { GraphBuilder, serializeModel } from '../../models/analytic/graph.js';
import { parseModel, rewriteWhole } from '../../core/models/onnx/model.js';
import { splitPromptIndependent, trySplit, pruneToOutputs, type DecoderSplit } from '../../core/models/precompute.js';
import { probeDriver, promptHalfFeeds, verifySplit } from '../../core/models/split-decoder.js';
import { DRIVERS, detectFormat } from '../../core/models/detect.js';
import { loadSamModel } from '../../core/models/sam-model.js';
import { frameTransform } from '../../core/prompts/frames.js';
import type { ImageEmbedding, OrtSession, OrtTensor, SamFormat, SegmentModel } from '../../core/models/types.js';
import type { Prompt } from '../../core/prompts/types.js';
import { probeNoise } from '../../core/models/probe-noise.js';

const { onnx } = onnxProto;
const TOL = 1e-5;

/** Random tensors for a session's image inputs (symbolic dims = 1). */
function randomInputs(session: OrtSession, names: string[], seed: number): Record<string, OrtTensor> {
  const out: Record<string, OrtTensor> = {};
  names.forEach((name, k) => {
    const meta = session.inputMetadata.find((m) => m.name === name)!;
    const dims = (meta as unknown as { shape: Array<number | string> }).shape.map((d) => (typeof d === 'number' ? d : 1));
    out[name] = new ort.Tensor('float32', probeNoise(dims.reduce((a, b) => a * b, 1), seed + k), dims);
  });
  return out;
}

async function floats(t: OrtTensor): Promise<Float32Array> {
  const d = t.data;
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>, Number);
}

const box = { x0: 60, y0: 50, x1: 420, y1: 330 };
const previous = { width: 256 as const, height: 256 as const, data: probeNoise(65536, 99).map((v) => v * 8) };
function promptsFor(maskInput: boolean): Array<[string, Prompt]> {
  const prompts: Array<[string, Prompt]> = [
    ['1 point', { points: [{ x: 200, y: 150, label: 1 }] }],
    ['3 points with a negative', { points: [{ x: 200, y: 150, label: 1 }, { x: 330, y: 260, label: 0 }, { x: 90, y: 400, label: 1 }] }],
    ['a box', { points: [], box }],
    ['a box and a point', { points: [{ x: 200, y: 150, label: 1 }], box }],
  ];
  if (maskInput) prompts.push(['a point and the previous mask', { points: [{ x: 200, y: 150, label: 1 }], previous }]);
  return prompts;
}

/**
 * Runs the full decoder and the two halves on the same feeds (built by the format's driver,
 * exactly as the engine builds them) and returns the largest difference over the fetched outputs.
 */
async function compareHalves(decoderBytes: Uint8Array, split: DecoderSplit, format: SamFormat, seed: number) {
  const driver = DRIVERS[format];
  const full = await ort.InferenceSession.create(decoderBytes);
  const image = await ort.InferenceSession.create(split.imageGraph);
  const prompt = await ort.InferenceSession.create(split.promptGraph);
  const imageInputs = full.inputNames.filter((n) => driver.encoder.outputs.includes(n));
  const emb = randomInputs(full, imageInputs, seed);
  const boundary = await image.run(Object.fromEntries(image.inputNames.map((n) => [n, emb[n]!])));
  const t = frameTransform(driver.resize, { width: 640, height: 480 });
  const results: Array<{ name: string; diff: number }> = [];
  for (const [name, p] of promptsFor(driver.supports(full).maskInput)) {
    const { feeds, fetch } = driver.decodeFeeds(ort, full, emb, p, t);
    const a = await full.run(feeds, fetch);
    const b = await prompt.run(promptHalfFeeds(ort, split, new Set(prompt.inputNames), feeds, boundary, emb), fetch);
    let diff = 0;
    for (const k of fetch) {
      expect(b[k]!.dims, `${name}: ${k} dims`).toEqual(a[k]!.dims);
      diff = Math.max(diff, maxAbsDiff(await floats(a[k]!), await floats(b[k]!)));
    }
    results.push({ name, diff });
  }
  await Promise.all([full.release(), image.release(), prompt.release()]);
  return results;
}

/** The split the engine would make: fixed dims and outputs learnt from the driver. */
async function engineSplit(decoderBytes: Uint8Array, format: SamFormat, force = false): Promise<DecoderSplit | string> {
  const full = await ort.InferenceSession.create(decoderBytes);
  const driver = DRIVERS[format];
  expect(detectFormat(full, 'decoder')).toBe(format);
  const probe = probeDriver(ort, driver, full);
  const imageInputs = full.inputNames.filter((n) => driver.encoder.outputs.includes(n));
  const outputs = full.outputNames.filter((n) => probe.fetch.includes(n));
  await full.release();
  return trySplit(decoderBytes, imageInputs, { fixedDims: probe.fixedDims, outputs, force });
}

// ---------------------------------------------------------------------------------------------
describe('ONNX reader/writer (core/models/onnx)', () => {
  const files = analyticModelFiles();
  const decoders: Array<[string, Uint8Array]> = [
    ['analytic sam-hf', files['sam-hf']['prompt_encoder_mask_decoder.onnx']!],
    ['analytic sam2-hf', files['sam2-hf']['prompt_encoder_mask_decoder.onnx']!],
    ['analytic sam1', files.sam1['decoder.onnx']!],
    ['analytic sam2', files.sam2['decoder.onnx']!],
    ['analytic sam1 encoder', files.sam1['encoder.onnx']!],
  ];

  it.each(decoders)('%s: lists what onnx-proto decodes, and rewrites byte for byte', (_, bytes) => {
    const ours = parseModel(bytes);
    const ref = onnx.ModelProto.decode(bytes);
    const g = ref.graph as P.GraphProto;
    expect(ours.irVersion).toBe(Number(ref.irVersion));
    expect(ours.opsets).toEqual(ref.opsetImport.map((o) => ({ domain: o.domain ?? '', version: Number(o.version) })));
    expect(ours.graph.inputs.map((v) => v.name)).toEqual(g.input.map((v) => v.name));
    expect(ours.graph.outputs.map((v) => v.name)).toEqual(g.output.map((v) => v.name));
    expect(ours.graph.initializers.map((t) => t.name)).toEqual(g.initializer.map((t) => t.name));
    expect(ours.graph.nodes.map((n) => [n.opType, n.inputs, n.outputs])).toEqual(g.node.map((n) => [n.opType, n.input, n.output]));
    const again = rewriteWhole(ours);
    expect(again.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(again), Buffer.from(bytes))).toBe(0);
  });

  for (const name of ['sam-reference', 'sam2-reference'] as const) {
    describe.skipIf(!requireFixture(name))(`${name} decoder`, () => {
      it('parses, and rewrites byte for byte', () => {
        const bytes = new Uint8Array(readFileSync(join(fixtureDir(name)!, 'onnx', 'prompt_encoder_mask_decoder.onnx')));
        const m = parseModel(bytes);
        expect(m.graph.nodes.length).toBeGreaterThan(1000);
        expect(m.graph.inputs.map((v) => v.name)).toContain('input_points');
        const again = rewriteWhole(m);
        expect(Buffer.compare(Buffer.from(again), Buffer.from(bytes))).toBe(0);
      });
    });
  }

  it('reads negative int attributes (axis = -1) and small tensors', () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', 'float', [2, 3]);
    g.op('Softmax', [x], { axis: -1 }, 'y');
    g.output('y', 'float', [2, 3]);
    const m = parseModel(g.serialize());
    expect(m.graph.nodes[0]!.attributes[0]).toMatchObject({ name: 'axis', i: -1 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('decoder split on the analytic models', () => {
  const files = analyticModelFiles();
  const cases: Array<[SamFormat, Uint8Array, boolean]> = [
    ['sam-hf', files['sam-hf']['prompt_encoder_mask_decoder.onnx']!, false],
    ['sam2-hf', files['sam2-hf']['prompt_encoder_mask_decoder.onnx']!, true],
    ['sam1', files.sam1['decoder.onnx']!, false],
    ['sam2', files.sam2['decoder.onnx']!, true],
  ];

  it.each(cases)('%s: the two halves return what the full decoder returns', async (format, bytes, force) => {
    const split = await engineSplit(bytes, format, force);
    if (typeof split === 'string') throw new Error(split);
    expect(split.boundary.length).toBeGreaterThan(0);
    for (const r of await compareHalves(bytes, split, format, 7)) expect(r.diff, r.name).toBeLessThanOrEqual(TOL);
  });

  it('graphs with only cheap image-side work are not split', () => {
    expect(splitPromptIndependent(buildSam2HfDecoder(), ['image_embeddings.0', 'image_embeddings.1', 'image_embeddings.2'])).toBeUndefined();
    expect(splitPromptIndependent(buildSam2Decoder(), ['image_embed', 'high_res_feats_0', 'high_res_feats_1'])).toBeUndefined();
  });

  it('sam1: the prompt half leaves out the full-size `masks` nobody reads', async () => {
    const split = await engineSplit(buildSam1Decoder(), 'sam1');
    if (typeof split === 'string') throw new Error(split);
    const prompt = parseModel(split.promptGraph);
    expect(prompt.graph.outputs.map((v) => v.name).sort()).toEqual(['iou_predictions', 'low_res_masks']);
    expect(prompt.graph.nodes.some((n) => n.opType === 'Resize')).toBe(false);
  });

  it('pruneToOutputs drops the nodes of unread outputs and keeps the rest exact', async () => {
    const bytes = buildSam1Decoder();
    const pruned = pruneToOutputs(bytes, ['iou_predictions', 'low_res_masks'])!;
    expect(parseModel(pruned).graph.nodes.some((n) => n.opType === 'Resize')).toBe(false);
    const all = pruneToOutputs(bytes, ['iou_predictions', 'low_res_masks', 'masks']);
    if (all) expect(parseModel(all).graph.outputs.length).toBe(3); // only dead nodes removed
    const full = await ort.InferenceSession.create(bytes);
    const small = await ort.InferenceSession.create(pruned);
    const t = frameTransform('longest', { width: 640, height: 480 });
    const emb = randomInputs(full, ['image_embeddings'], 3);
    const { feeds, fetch } = DRIVERS.sam1.decodeFeeds(ort, full, emb, { points: [{ x: 100, y: 100, label: 1 }] }, t);
    const a = await full.run(feeds, fetch);
    const b = await small.run(feeds);
    for (const k of fetch) expect(maxAbsDiff(await floats(a[k]!), await floats(b[k]!))).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
describe('graphs the split must leave alone or handle as units', () => {
  it('no image-only work: undefined', () => {
    // The image input feeds the prompt side directly (and a shape): nothing to precompute.
    const g = new GraphBuilder('direct');
    const img = g.input('img', 'float', [1, 4]);
    const p = g.input('p', 'float', [1, 4]);
    g.op('Add', [g.mul(img, p), g.op('Cast', [g.op('Size', [img])], { to: 1 })], {}, 'out');
    g.output('out', 'float', [1, 4]);
    const bytes = g.serialize();
    expect(splitPromptIndependent(bytes, ['img'])).toBeUndefined();
    expect(trySplit(bytes, ['img'])).toMatch(/no image-only value/);
    expect(trySplit(bytes, ['nope'])).toMatch(/none of the image inputs/);
    expect(trySplit(new Uint8Array([1, 2, 3]), ['img'])).toMatch(/not a readable ONNX model/);
  });

  /** img [1,4] → MatMul (image side) → an If whose branches read it (prompt side). */
  function ifModel(condFromImage: boolean): Uint8Array {
    const f32 = (name: string, dims: number[], values: number[]): P.ITensorProto => ({
      name, dims, dataType: 1, rawData: new Uint8Array(Float32Array.from(values).buffer),
    });
    const vi = (name: string, elemType: number, dims: number[]): P.IValueInfoProto => ({
      name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
    });
    const branch = (name: string, op: string): P.IGraphProto => ({
      name,
      node: [{ opType: op, input: ['proj', condFromImage ? 'p' : 'img'], output: [`${name}_out`] }],
      output: [vi(`${name}_out`, 1, [1, 4])],
    });
    const model: P.IModelProto = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'if',
        initializer: [f32('W', [4, 4], Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 2 : 0.25 * (i % 3)))), f32('zero', [], [0])],
        input: [vi('img', 1, [1, 4]), vi('p', 1, [1, 4])],
        output: [vi('out', 1, [1, 4])],
        node: [
          { opType: 'MatMul', input: ['img', 'W'], output: ['proj'] },
          { opType: 'ReduceSum', input: [condFromImage ? 'img' : 'p'], output: ['s'], attribute: [{ name: 'keepdims', type: 2, i: 0 }] },
          { opType: 'Greater', input: ['s', 'zero'], output: ['cond'] },
          {
            opType: 'If',
            input: ['cond'],
            output: ['out'],
            attribute: [
              { name: 'then_branch', type: 5, g: branch('then', 'Add') },
              { name: 'else_branch', type: 5, g: branch('else', 'Sub') },
            ],
          },
        ],
      },
    };
    return serializeModel(model);
  }

  it.each([
    ['a prompt-side If reading an image-side value inside its branches', false],
    ['an image-side condition with a prompt-reading branch', true],
  ])('%s: split is exact', async (_, condFromImage) => {
    const bytes = ifModel(condFromImage);
    const split = trySplit(bytes, ['img']);
    if (typeof split === 'string') throw new Error(split);
    const parsed = parseModel(split.promptGraph);
    const ifNode = parsed.graph.nodes.find((n) => n.opType === 'If')!;
    expect(ifNode.subgraphInputs.sort()).toEqual(condFromImage ? ['p', 'proj'] : ['img', 'proj']);
    expect(split.boundary).toContain('proj');
    const full = await ort.InferenceSession.create(bytes);
    const image = await ort.InferenceSession.create(split.imageGraph);
    const prompt = await ort.InferenceSession.create(split.promptGraph);
    for (const sign of [1, -1]) {
      const img = new ort.Tensor('float32', Float32Array.from([1, -2, 3, 0.5].map((v) => v * sign)), [1, 4]);
      const p = new ort.Tensor('float32', Float32Array.from([0.5, 1, -1, 2].map((v) => v * -sign)), [1, 4]);
      const want = await full.run({ img, p });
      const b = await image.run(Object.fromEntries(image.inputNames.map((n) => [n, n === 'img' ? img : p])));
      const got = await prompt.run(Object.fromEntries(prompt.inputNames.map((n) => [n, n === 'img' ? img : n === 'p' ? p : b[n]!])));
      expect(Array.from(got.out!.data as Float32Array)).toEqual(Array.from(want.out!.data as Float32Array));
    }
  });
});

// ---------------------------------------------------------------------------------------------
for (const [name, format] of [
  ['sam-reference', 'sam-hf'],
  ['sam2-reference', 'sam2-hf'],
] as const) {
  describe.skipIf(!requireFixture(name))(`${name}: decoder split on the real graph`, () => {
    let bytes: Uint8Array;
    let split: DecoderSplit;
    beforeAll(async () => {
      bytes = new Uint8Array(readFileSync(join(fixtureDir(name)!, 'onnx', 'prompt_encoder_mask_decoder.onnx')));
      const s = await engineSplit(bytes, format);
      if (typeof s === 'string') throw new Error(s);
      split = s;
    }, 300_000);

    it('moves the first cross-attention projections to the image half', () => {
      expect(split.stats.imageOps.MatMul ?? 0).toBeGreaterThanOrEqual(3);
      expect(split.stats.imageOps.Transpose ?? 0).toBeGreaterThanOrEqual(4);
      expect(split.imageInputs).toEqual([]); // the prompt half no longer reads the embeddings
      for (const b of split.boundary) expect(split.boundaryInfo[b]!.dims?.every((d) => typeof d === 'number')).toBe(true);
      // SAM 2's high-resolution features reach the prompt half only tiled by the point batch
      // (1) and reshaped: fed as views of the embeddings, not computed and cached again.
      expect(Object.values(split.aliases).map((a) => a.input).sort()).toEqual(format === 'sam2-hf' ? ['image_embeddings.0', 'image_embeddings.1'] : []);
    });

    it('splits again from the bytes alone with the prompt dims symbolic (its speed: units.decoder_split_ms in the bench)', () => {
      const again = trySplit(bytes, split.imageGraphInputs, {
        fixedDims: { input_points: [1, 1, null, 2], input_labels: [1, 1, null] },
      });
      expect(typeof again).not.toBe('string');
    });

    it('the two halves return what the full decoder returns, for every prompt kind', async () => {
      for (const r of await compareHalves(bytes, split, format, 11)) expect(r.diff, r.name).toBeLessThanOrEqual(TOL);
    }, 300_000);

    it('the prompt half refuses feeds that break the sizes it assumes', async () => {
      const prompt = await ort.InferenceSession.create(split.promptGraph);
      const image = await ort.InferenceSession.create(split.imageGraph);
      const full = await ort.InferenceSession.create(bytes);
      const b = await image.run(randomInputs(full, split.imageGraphInputs, 5));
      const feeds: Record<string, OrtTensor> = {
        input_points: new ort.Tensor('float32', new Float32Array(8), [1, 2, 2, 2]), // point batch 2
        input_labels: new ort.Tensor('int64', new BigInt64Array(4).fill(1n), [1, 2, 2]),
      };
      for (const n of split.boundary) feeds[n] = b[n]!;
      await expect(prompt.run(feeds)).rejects.toThrow();
      await Promise.all([prompt.release(), image.release(), full.release()]);
    }, 300_000);
  });
}

// ---------------------------------------------------------------------------------------------
describe('the engine with precompute on and off', () => {
  const files = analyticModelFiles();
  const image = render(640, 480, [100, 100, 100], [
    { kind: 'disc', cx: 200, cy: 150, r: 90, color: [119, 119, 119] },
    { kind: 'rect', x0: 300, y0: 220, x1: 560, y1: 420, color: [81, 81, 81] },
  ]);

  async function compareModels(on: SegmentModel, off: SegmentModel, embOn: ImageEmbedding, embOff: ImageEmbedding) {
    for (const [name, p] of promptsFor(on.supports.maskInput)) {
      const a = await off.decode(embOff, p);
      const b = await on.decode(embOn, p);
      expect(b.scores.length, name).toBe(a.scores.length);
      b.scores.forEach((s, k) => expect(Math.abs(s - a.scores[k]!), `${name} score ${k}`).toBeLessThanOrEqual(TOL));
      b.lowRes.forEach((m, k) => expect(maxAbsDiff(m, a.lowRes[k]!), `${name} candidate ${k}`).toBeLessThanOrEqual(TOL));
      expect(b.selected).toBe(a.selected);
      // The rewritten prompt half regroups products: equal up to float rounding, not bit for bit.
      if (a.objectScore === undefined) expect(b.objectScore).toBeUndefined();
      else expect(Math.abs(b.objectScore! - a.objectScore), `${name} object score`).toBeLessThanOrEqual(TOL);
      expect(b.fallbacks).toEqual(a.fallbacks);
    }
  }

  it.each(['sam-hf', 'sam1', 'sam2-hf', 'sam2'] as const)('%s analytic: same answers, boundary cached in the embedding', async (format) => {
    const on = (await loadSamModel(ort, files[format], { id: format })) as SegmentModel & { optimisations: string[] };
    const off = (await loadSamModel(ort, files[format], { id: format, precompute: false })) as SegmentModel & { optimisations: string[] };
    expect(off.optimisations.filter((o) => o.startsWith('precompute'))).toEqual(['precompute: off']);
    const split = format === 'sam-hf' || format === 'sam1';
    expect(on.optimisations[0]).toMatch(split ? /^precompute: \d+ image-only nodes/ : /^precompute: no split/);
    const embOn = await on.encode(image);
    const embOff = await off.encode(image);
    if (split) {
      expect(Object.keys(embOn.tensors).length).toBeGreaterThan(Object.keys(embOff.tensors).length);
      expect(embOn.bytes).toBeGreaterThan(embOff.bytes);
    }
    await compareModels(on, off, embOn, embOff);
    // An embedding without the boundary tensors (made elsewhere) still decodes: they are computed on demand.
    await compareModels(on, off, embOff, embOff);
    await Promise.all([on.dispose(), off.dispose()]);
  });

  it('a split that does not reproduce the full decoder is caught at load (verifySplit)', async () => {
    const bytes = buildSam1Decoder();
    const split = await engineSplit(bytes, 'sam1');
    if (typeof split === 'string') throw new Error(split);
    const full = await ort.InferenceSession.create(bytes);
    const image = await ort.InferenceSession.create(split.imageGraph);
    const prompt = await ort.InferenceSession.create(split.promptGraph);
    expect(await verifySplit(ort, DRIVERS.sam1, full, image, prompt, split, ['image_embeddings'])).toBe(0);
    // An image half whose answer is off (here: doubled) must not pass.
    const wrong = {
      inputNames: image.inputNames,
      outputNames: image.outputNames,
      async run(feeds: Record<string, OrtTensor>, fetch?: string[]) {
        const out = await image.run(feeds, fetch ?? image.outputNames);
        return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, new ort.Tensor('float32', (v.data as Float32Array).map((x) => x * 2), v.dims)]));
      },
    } as unknown as OrtSession;
    expect(await verifySplit(ort, DRIVERS.sam1, full, wrong, prompt, split, ['image_embeddings'])).toBeGreaterThan(1e-3);
    await Promise.all([full.release(), image.release(), prompt.release()]);
  });

  it('decoders given as paths are not split (recorded)', async () => {
    const dirs = await generateAnalyticModels(mkdtempSync(join(tmpdir(), 'cutout-precompute-')));
    const paths = Object.fromEntries(readdirSync(dirs['sam-hf']).map((f) => [f, join(dirs['sam-hf'], f)]));
    const model = (await loadSamModel(ort, paths, { id: 'by-path' })) as SegmentModel & { optimisations: string[] };
    expect(model.optimisations[0]).toMatch(/not tried/);
    await model.dispose();
  });

  for (const [name, format, encoder] of [
    ['sam-reference', 'sam-hf', 'vision_encoder_quantized.onnx'],
    ['sam2-reference', 'sam2-hf', 'vision_encoder_quantized.onnx'],
  ] as const) {
    describe.skipIf(!requireFixture(name))(name, () => {
      it('same answers from hand-made embeddings (boundary computed on demand)', async () => {
        const dir = join(fixtureDir(name)!, 'onnx');
        const modelFiles = {
          'vision_encoder.onnx': new Uint8Array(readFileSync(join(dir, encoder))),
          'prompt_encoder_mask_decoder.onnx': new Uint8Array(readFileSync(join(dir, 'prompt_encoder_mask_decoder.onnx'))),
        };
        const on = (await loadSamModel(ort, modelFiles, { id: name })) as SegmentModel & { optimisations: string[] };
        const off = await loadSamModel(ort, modelFiles, { id: name, precompute: false });
        expect(on.optimisations[0]).toMatch(/^precompute: \d+ image-only nodes/);
        const full = await ort.InferenceSession.create(modelFiles['prompt_encoder_mask_decoder.onnx']);
        const names = DRIVERS[format].encoder.outputs.filter((n) => full.inputNames.includes(n));
        const tensors = randomInputs(full, [...names], 21);
        await full.release();
        const t = frameTransform(DRIVERS[format].resize, { width: 640, height: 480 });
        const emb: ImageEmbedding = { modelId: name, format, transform: t, tensors, bytes: 0, encodeMs: 0 };
        await compareModels(on, off, emb, emb);
        await Promise.all([on.dispose(), off.dispose()]);
      }, 600_000);
    });
  }
});
