/**
 * Segment everything on the shared SlimSAM-77 fixture (the real graphs, random weights) in
 * onnxruntime-web, one thread, in a child process: a 16×16 grid (and 32×32 in full mode) with
 * the product's options, against the same number of single clicks decoded one by one in the
 * same process — the brute force's decoder cost. The fixture's masks mean nothing (random
 * weights: few candidates pass the filters), so what skipping covered points saves is shown on
 * the analytic model's flat-shape scene instead (decoder runs with and without it).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePng } from '../core/image/png.js';
import { loadSamModel } from '../core/models/sam-model.js';
import { imagePoints, segmentEverything } from '../core/everything/index.js';
import { analyticModelFiles } from '../models/analytic/index.js';
import type { Ort } from '../core/models/types.js';

export interface EverythingBenchOptions {
  fixtures: string;
  quick: boolean;
}

const now = () => performance.now();

/** A scene of flat shapes (the analytic model finds each one exactly). */
function shapesScene(width: number, height: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height * 4);
  const discs = [
    [0.22, 0.3, 0.14, [220, 40, 40]],
    [0.7, 0.7, 0.18, [40, 60, 220]],
  ] as const;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c: readonly number[] = [60, 60, 60];
      if (x > width * 0.5 && x < width * 0.9 && y > height * 0.1 && y < height * 0.4) c = [40, 200, 60];
      for (const [cx, cy, r, col] of discs) if ((x - cx * width) ** 2 + (y - cy * height) ** 2 < (r * width) ** 2) c = col;
      data.set([c[0]!, c[1]!, c[2]!, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

export async function everythingChild(o: EverythingBenchOptions): Promise<Record<string, number>> {
  const ort = (await import('onnxruntime-web')) as unknown as Ort;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const dir = join(o.fixtures, 'sam-reference');
  const onnx = (f: string) => new Uint8Array(readFileSync(join(dir, 'onnx', f)));
  const image = decodePng(new Uint8Array(readFileSync(join(dir, 'images', 'chelsea.png'))));
  const model = await loadSamModel(ort, { 'vision_encoder.onnx': onnx('vision_encoder_quantized.onnx'), 'prompt_encoder_mask_decoder.onnx': onnx('prompt_encoder_mask_decoder.onnx') }, { id: 'slimsam-fixture' });
  const out: Record<string, number> = {};
  try {
    const emb = await model.encode(image);
    await model.decode(emb, { points: [{ x: 10, y: 10, label: 1 }] }); // warm-up

    const grid = async (n: number) => {
      const t0 = now();
      const r = await segmentEverything(model, emb, { pointsPerSide: n });
      out[`everything.${n}x${n}.ms`] = now() - t0;
      out[`everything.${n}x${n}.decoder_runs`] = r.stats.decoderRuns;
      out[`everything.${n}x${n}.decode_ms`] = r.stats.decodeMs;
      out[`everything.${n}x${n}.masks`] = r.masks.length;
    };
    await grid(16);
    // The brute force's decoder cost: single clicks at the grid's own points, one decode each
    // (quick: every 4th point of the 16×16 grid, to stay short; the ratio uses the mean).
    const n = o.quick ? 16 : 32;
    const points = imagePoints(n, image.width, image.height).filter((_, i) => !o.quick || i % 4 === 0);
    const t0 = now();
    for (const [x, y] of points) await model.decode(emb, { points: [{ x, y, label: 1 }] });
    const singles = now() - t0;
    out['everything.single_decodes'] = points.length;
    out['everything.single_decodes_ms'] = singles;
    out['everything.single_decode_ms'] = singles / points.length;
    out['ratio.everything16_over_256_singles'] = out['everything.16x16.ms']! / (out['everything.single_decode_ms']! * 256);
    if (!o.quick) {
      await grid(32);
      out['ratio.everything32_over_1024_singles'] = out['everything.32x32.ms']! / singles;
    }
  } finally {
    await model.dispose();
  }

  // Skipping covered points, where masks mean something (analytic model, flat shapes).
  const analytic = await loadSamModel(ort, analyticModelFiles()['sam-hf'], { id: 'analytic' });
  try {
    const emb = await analytic.encode(shapesScene(640, 480));
    for (const skip of [true, false]) {
      if (o.quick && !skip) continue;
      const t0 = now();
      const r = await segmentEverything(analytic, emb, { pointsPerSide: 16, skipCovered: skip });
      const key = skip ? 'everything_analytic.16x16' : 'everything_analytic.16x16.exact';
      out[`${key}.ms`] = now() - t0;
      out[`${key}.decoder_runs`] = r.stats.decoderRuns;
      out[`${key}.masks`] = r.masks.length;
    }
  } finally {
    await analytic.dispose();
  }
  return out;
}

/** Runs the child (`script --everything-child OPTIONS`) and returns its figures. */
export function benchEverything(o: EverythingBenchOptions & { script: string; log: (s: string) => void }): Record<string, number> {
  o.log(`bench: segment everything (SlimSAM-77 fixture, wasm 1 thread; ${o.quick ? '16×16' : '16×16 and 32×32'} vs single decodes) ...`);
  const r = spawnSync(process.execPath, [o.script, '--everything-child', JSON.stringify({ fixtures: o.fixtures, quick: o.quick })], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`bench everything child failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}
