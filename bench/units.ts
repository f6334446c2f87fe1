/**
 * Speed of single steps that unit tests used to time (a test must not fail because the
 * machine is busy; the figures belong here): PIL-exact resize of a camera-sized image, one
 * click on an analytic SAM model through the Segmenter, and splitting a real decoder graph.
 * Tracing is timed by bench/vectorize.ts (`vectorize.sam1024_ms`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { resizeBilinearPil } from '../core/image/resize.js';
import type { RgbaImage } from '../core/image/types.js';
import { trySplit } from '../core/models/precompute.js';
import { probeNoise } from '../core/models/probe-noise.js';
import { loadSamModel } from '../core/models/sam-model.js';
import type { Ort } from '../core/models/types.js';
import { Segmenter } from '../core/segment.js';
import { analyticModelFiles } from '../models/analytic/index.js';
import { timeMedian } from './stats.js';

function noiseImage(width: number, height: number, seed: number): RgbaImage {
  const f = probeNoise(width * height * 4, seed);
  const data = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) data[i] = i % 4 === 3 ? 255 : Math.floor((f[i]! + 1) * 128);
  return { width, height, data };
}

/** Two flat rectangles on grey: what the analytic models segment by colour. */
function sceneImage(size: number): RgbaImage {
  const data = new Uint8Array(size * size * 4).fill(128);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 4;
      if (x > size * 0.2 && x < size * 0.45 && y > size * 0.3 && y < size * 0.6) data.set([220, 30, 30], o);
      else if (x > size * 0.55 && x < size * 0.8 && y > size * 0.2 && y < size * 0.5) data.set([30, 30, 220], o);
      data[o + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

export async function benchUnits(o: { fixtures: string; quick: boolean }): Promise<Record<string, number>> {
  const runs = o.quick ? 3 : 7;
  ort.env.wasm.numThreads = 1;
  const out: Record<string, number> = {};

  const photo = noiseImage(4000, 3000, 11);
  out['units.resize_4000x3000_to_1024_ms'] = (await timeMedian(() => resizeBilinearPil(photo, 1024, 768), runs)).median;

  const model = await loadSamModel(ort as unknown as Ort, analyticModelFiles()['sam-hf'], { id: 'bench-analytic' });
  const seg = new Segmenter(model);
  await seg.setImage(sceneImage(1024));
  out['units.analytic_click_ms'] = (await timeMedian(() => seg.predict({ points: [{ x: 330, y: 460, label: 1 }] }), runs * 2)).median;
  await model.dispose();

  const decoder = new Uint8Array(readFileSync(join(o.fixtures, 'sam-reference', 'onnx', 'prompt_encoder_mask_decoder.onnx')));
  const split = () => {
    const r = trySplit(decoder, ['image_embeddings', 'image_positional_embeddings'], { fixedDims: { input_points: [1, 1, null, 2], input_labels: [1, 1, null] } });
    if (typeof r === 'string') throw new Error(`the fixture decoder did not split: ${r}`);
  };
  out['units.decoder_split_ms'] = (await timeMedian(split, runs)).median;
  return out;
}
