/**
 * Models whose weights live in a separate `<graph>_data` file (the transformers.js SAM 2
 * exports in the registry): the loader hands them to the runtime as external data.
 */
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { ort } from '../helpers/ort.js';
import { analyticModelFiles } from '../../models/analytic/index.js';
import { loadSamModel } from '../../core/models/sam-model.js';
import { candidateMask, Segmenter } from '../../core/segment.js';
import { render } from '../helpers/synthetic.js';

const { onnx } = onnxProto;

/** Moves every initializer's raw bytes into one external file named `${name}_data`. */
function externalise(bytes: Uint8Array, name: string): { graph: Uint8Array; data: Uint8Array } {
  const model = onnx.ModelProto.decode(bytes);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  let moved = 0;
  for (const t of model.graph!.initializer!) {
    // As onnx.external_data_helper does, shape-like (int64) tensors stay inline: shape
    // inference reads them. Float weights move out, from raw_data or float_data.
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT) continue;
    let raw = t.rawData as Uint8Array | undefined;
    if ((!raw || !raw.length) && t.floatData?.length) {
      raw = new Uint8Array(Float32Array.from(t.floatData).buffer);
      t.floatData = [];
    }
    if (!raw || !raw.length) continue;
    t.externalData = [
      onnx.StringStringEntryProto.create({ key: 'location', value: `${name}_data` }),
      onnx.StringStringEntryProto.create({ key: 'offset', value: String(offset) }),
      onnx.StringStringEntryProto.create({ key: 'length', value: String(raw.length) }),
    ];
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.rawData = new Uint8Array(0);
    chunks.push(raw);
    offset += raw.length;
    moved++;
  }
  expect(moved).toBeGreaterThan(0);
  const data = new Uint8Array(offset);
  let o = 0;
  for (const c of chunks) {
    data.set(c, o);
    o += c.length;
  }
  return { graph: onnx.ModelProto.encode(model).finish(), data };
}

describe('external weights (<graph>_data)', () => {
  it('loads a model whose encoder and decoder weights are external, and segments with it', async () => {
    const files = analyticModelFiles()['sam-hf'];
    const enc = externalise(files['vision_encoder.onnx']!, 'vision_encoder.onnx');
    const dec = externalise(files['prompt_encoder_mask_decoder.onnx']!, 'prompt_encoder_mask_decoder.onnx');
    // Without the data files the runtime refuses the graphs, with a message naming the file.
    await expect(
      loadSamModel(ort, { 'vision_encoder.onnx': enc.graph, 'prompt_encoder_mask_decoder.onnx': dec.graph }, { precompute: false }),
    ).rejects.toThrow(/could not load/);
    const model = await loadSamModel(ort, {
      'vision_encoder.onnx': enc.graph,
      'vision_encoder.onnx_data': enc.data,
      'prompt_encoder_mask_decoder.onnx': dec.graph,
      'prompt_encoder_mask_decoder.onnx_data': dec.data,
    });
    const seg = new Segmenter(model);
    const img = render(200, 120, [100, 100, 100], [{ kind: 'rect', x0: 40, y0: 30, x1: 120, y1: 90, color: [119, 119, 119] }]);
    await seg.setImage(img);
    const m = candidateMask(await seg.predict({ points: [{ x: 80, y: 60, label: 1 }] }));
    let inside = 0;
    for (let y = 0; y < 120; y++) for (let x = 0; x < 200; x++) if (m.data[y * 200 + x] && x >= 40 && x < 120 && y >= 30 && y < 90) inside++;
    expect(inside).toBeGreaterThan(0.97 * 80 * 60);
    await model.dispose();
  });
});
