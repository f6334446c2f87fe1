/**
 * Is the decoder split worth its code? One click's decode (`model.decode`: feeds, the
 * decoder run(s), reading the candidates) with the original decoder, with the split alone
 * and with the split plus the prompt-half rewrite, all three in ONE process, alternating run
 * by run (so they share the machine's noise), medians. Reported by `npm run bench` as
 * decoder_split.*; alone: `npx tsx bench/decoder-split.ts [--runs N]`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { decodePng } from '../core/image/png.js';
import { loadSamModel } from '../core/models/sam-model.js';
import type { ImageEmbedding, Ort, SegmentModel } from '../core/models/types.js';
import { median } from './stats.js';

const CONFIGS = {
  original: { precompute: false, rewrite: false },
  split: { precompute: true, rewrite: false },
  split_rewrite: { precompute: true, rewrite: true },
} as const;

export async function benchDecoderSplit(o: { fixtures: string; runs: number; log?: (s: string) => void }): Promise<Record<string, number>> {
  ort.env.wasm.numThreads = 1;
  const out: Record<string, number> = {};
  for (const fixture of ['sam-reference', 'sam2-reference']) {
    const dir = join(o.fixtures, fixture);
    const onnx = (f: string) => new Uint8Array(readFileSync(join(dir, 'onnx', f)));
    const encoder = fixture === 'sam-reference' ? 'vision_encoder.onnx' : 'vision_encoder_quantized.onnx';
    const files = { [encoder]: onnx(encoder), 'prompt_encoder_mask_decoder.onnx': onnx('prompt_encoder_mask_decoder.onnx') };
    const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')).cases as Array<{ image: string; prompts: Array<{ points: number[][]; labels: number[] }> }>;
    const image = decodePng(new Uint8Array(readFileSync(join(dir, cases[0]!.image))));
    const points = cases[0]!.prompts[0]!.points.map(([x, y], i) => ({ x: x!, y: y!, label: cases[0]!.prompts[0]!.labels[i]! as 0 | 1 }));
    const models: Record<string, { model: SegmentModel; emb: ImageEmbedding }> = {};
    for (const [name, c] of Object.entries(CONFIGS)) {
      const model = await loadSamModel(ort as unknown as Ort, files, { id: `${fixture}-${name}`, ...c, ...(encoder.includes('quantized') ? { variant: 'quantized' as const } : {}) });
      o.log?.(`${fixture} ${name}: ${model.optimisations?.join('; ') || 'no optimisations'}`);
      models[name] = { model, emb: await model.encode(image) };
    }
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(CONFIGS).map((k) => [k, []]));
    for (let r = -2; r < o.runs; r++) {
      for (const [name, { model, emb }] of Object.entries(models)) {
        const t = performance.now();
        await model.decode(emb, { points });
        if (r >= 0) samples[name]!.push(performance.now() - t);
      }
    }
    const key = fixture === 'sam-reference' ? 'sam' : 'sam2';
    for (const name of Object.keys(CONFIGS)) out[`decoder_split.${key}.${name}_ms`] = median(samples[name]!);
    out[`ratio.decoder_split.${key}.split_over_original`] = out[`decoder_split.${key}.split_ms`]! / out[`decoder_split.${key}.original_ms`]!;
    out[`ratio.decoder_split.${key}.split_rewrite_over_original`] = out[`decoder_split.${key}.split_rewrite_ms`]! / out[`decoder_split.${key}.original_ms`]!;
    for (const { model } of Object.values(models)) await model.dispose();
  }
  return out;
}

// Run directly (not when bundled into dist/bench.js, where import.meta.url is the bundle's).
if (/decoder-split\.ts$/.test(process.argv[1] ?? '')) {
  const i = process.argv.indexOf('--runs');
  const fixtures = process.env.CUTOUT_FIXTURES ?? join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'shared', 'fixtures');
  const r = await benchDecoderSplit({ fixtures, runs: i >= 0 ? Number(process.argv[i + 1]) : 15, log: (s) => process.stderr.write(s + '\n') });
  process.stdout.write(JSON.stringify(r, null, 1) + '\n');
}
