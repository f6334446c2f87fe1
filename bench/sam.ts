/**
 * SAM timings in ONE runtime configuration (a child process each, because a wasm runtime's
 * thread count is fixed at its first session): onnxruntime-web ("wasm", the product's path)
 * or onnxruntime-node ("native", a plain session on the unmodified graph: the reference).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePng } from '../core/image/png.js';
import { loadSamModel } from '../core/models/sam-model.js';
import { candidateMask } from '../core/segment.js';
import type { Ort, OrtTensor } from '../core/models/types.js';
import { timeMedian } from './stats.js';

export interface SamBenchOptions {
  runtime: 'wasm' | 'native';
  threads: number;
  fixtures: string;
  quick: boolean;
  /** Which encoders to time (fp32 is slow in wasm). */
  encoders: Array<'fp32' | 'int8'>;
}

export async function benchSam(o: SamBenchOptions): Promise<Record<string, number>> {
  const ort: Ort = o.runtime === 'wasm' ? await import('onnxruntime-web') : ((await import('onnxruntime-node')) as unknown as Ort);
  if (o.runtime === 'wasm') {
    ort.env.wasm.numThreads = o.threads;
    ort.env.logLevel = 'error';
  }
  const sessionOptions = o.runtime === 'native' ? { intraOpNumThreads: o.threads, interOpNumThreads: 1 } : {};
  const dir = join(o.fixtures, 'sam-reference');
  const onnx = (f: string) => new Uint8Array(readFileSync(join(dir, 'onnx', f)));
  const image = decodePng(new Uint8Array(readFileSync(join(dir, 'images', 'chelsea.png'))));
  const out: Record<string, number> = {};
  const key = o.runtime === 'wasm' ? `wasm${o.threads}` : `native${o.threads}`;
  const runs = o.quick ? 5 : 20;
  const encRuns = o.quick ? 1 : 3;

  const decoderBytes = onnx('prompt_encoder_mask_decoder.onnx');
  for (const variant of o.encoders) {
    const file = variant === 'int8' ? 'vision_encoder_quantized.onnx' : 'vision_encoder.onnx';
    const t0 = performance.now();
    const model = await loadSamModel(ort, { 'vision_encoder.onnx': onnx(file), 'prompt_encoder_mask_decoder.onnx': decoderBytes }, { id: variant, sessionOptions });
    if (variant === o.encoders[0]) out['session.create_ms'] = performance.now() - t0;
    let emb = await model.encode(image); // warm-up, and the embedding for the decoder
    const enc = await timeMedian(async () => {
      emb = await model.encode(image);
    }, encRuns, 0);
    out[`${variant === 'int8' ? 'encoder_int8' : 'encoder'}.${key}_ms`] = enc.median;

    if (variant === o.encoders[0]) {
      const prompt = { points: [{ x: 225.5, y: 150, label: 1 as const }] };
      if (o.runtime === 'native') {
        // The reference: a plain session.run on the unmodified graph with prebuilt feeds.
        const sess = await ort.InferenceSession.create(decoderBytes, sessionOptions);
        const feeds: Record<string, OrtTensor> = {
          image_embeddings: emb.tensors.image_embeddings!,
          image_positional_embeddings: emb.tensors.image_positional_embeddings!,
          input_points: new ort.Tensor('float32', new Float32Array([512, 340.5]), [1, 1, 1, 2]),
          input_labels: new ort.Tensor('int64', new BigInt64Array([1n]), [1, 1, 1]),
        };
        out[`decoder.${key}_ms`] = (await timeMedian(() => sess.run(feeds), runs, 2)).median;
        await sess.release();
      } else {
        // The product's path: prompt → feeds → decoder → candidates (DecodeResult).
        out[`decoder.${key}_ms`] = (await timeMedian(() => model.decode(emb, prompt), runs, 2)).median;
        if (o.threads === 1) {
          // Click to full-size mask: decode + upsample + threshold, and the raw decoder run inside it.
          const inner: number[] = [];
          const total = await timeMedian(async () => {
            const p = await model.decode(emb, prompt);
            inner.push(p.decodeMs);
            candidateMask(p);
          }, runs, 2);
          out['click.total_ms'] = total.median;
          inner.splice(0, 2);
          out['click.decoder_ms'] = inner.sort((a, b) => a - b)[inner.length >> 1]!;
        }
      }
    }
    await model.dispose();
  }
  return out;
}
