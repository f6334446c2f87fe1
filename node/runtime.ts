import * as ort from 'onnxruntime-web';
import type { Ort } from '../core/models/types.js';

/**
 * The CLI runs the same onnxruntime-web build the plugin ships (wasm backend). Threads:
 * CUTOUT_THREADS (default 1, like the Figma iframe without cross-origin isolation).
 */
export function webRuntime(): Ort {
  const threads = Number(process.env.CUTOUT_THREADS ?? '1');
  ort.env.wasm.numThreads = Number.isInteger(threads) && threads > 0 ? threads : 1;
  ort.env.logLevel = 'error';
  return ort;
}
