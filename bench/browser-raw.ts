/**
 * The raw runtime in the browser (bundled by build.mjs into dist/bench-raw.js, run by
 * bench/browser.ts in the same Chromium as the plugin): onnxruntime-web with the wasm the
 * plugin ships, one thread, the same SAM files and image, no UI and no worker protocol.
 * `__benchRaw(o)` times the first encode of this fresh runtime, the steady encode and the
 * decoder behind a click, and answers plain JSON.
 */
import * as ort from 'onnxruntime-web/wasm';
import { decodePng } from '../core/image/png.js';
import { loadSamModel } from '../core/models/sam-model.js';
import type { Ort } from '../core/models/types.js';

interface RawOptions {
  wasmUrl: string;
  encoderUrl: string;
  decoderUrl: string;
  imageUrl: string;
  encodeRuns: number;
  decodeRuns: number;
  point: { x: number; y: number };
}

const bytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function benchRaw(o: RawOptions): Promise<Record<string, number>> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  ort.env.wasm.wasmBinary = await bytes(o.wasmUrl);
  const image = decodePng(await bytes(o.imageUrl));
  const t0 = performance.now();
  const model = await loadSamModel(ort as unknown as Ort, { 'vision_encoder.onnx': await bytes(o.encoderUrl), 'prompt_encoder_mask_decoder.onnx': await bytes(o.decoderUrl) }, { id: 'raw' });
  const openMs = performance.now() - t0;
  let t = performance.now();
  let emb = await model.encode(image);
  const firstMs = performance.now() - t;
  const steady: number[] = [];
  for (let i = 0; i < o.encodeRuns; i++) {
    t = performance.now();
    emb = await model.encode(image);
    steady.push(performance.now() - t);
  }
  const decodes: number[] = [];
  for (let i = 0; i < o.decodeRuns + 2; i++) {
    t = performance.now();
    await model.decode(emb, { points: [{ x: o.point.x + i, y: o.point.y, label: 1 }] });
    if (i >= 2) decodes.push(performance.now() - t);
  }
  await model.dispose();
  return { open_ms: openMs, encode_first_ms: firstMs, encode_ms: median(steady), decode_ms: median(decodes) };
}

(globalThis as unknown as { __benchRaw: typeof benchRaw }).__benchRaw = benchRaw;
