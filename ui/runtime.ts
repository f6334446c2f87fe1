/**
 * onnxruntime-web setup for the plugin iframe (and the inference worker, which runs the same
 * code): where the .wasm comes from, how many threads, whether WebGPU is worth trying.
 *
 * - The build imports `onnxruntime-web/wasm` (CPU only: one 14 MB .wasm, no WebGPU/JSEP);
 *   `CUTOUT_WEBGPU=1` swaps in `onnxruntime-web/webgpu` (26 MB .wasm) and the encoder then
 *   tries WebGPU (see inference.ts: verified against wasm once, else wasm).
 * - The .wasm is given to ort as bytes (`env.wasm.wasmBinary`), so ort never fetches
 *   anything and uses the JS glue bundled with it: no blob: URL, no dynamic import — both
 *   of which a null-origin iframe may refuse. Inline builds read it from a base64
 *   <script type="application/octet-stream"> element; CDN builds download it from a URL
 *   pinned to the exact version and check its size and sha256.
 * - Threads only when the page is cross-origin isolated (SharedArrayBuffer) and ort's glue
 *   has a URL its pthread workers can load: the glue is bundled (no URL), and Figma's iframe
 *   is not isolated anyway, so ort runs one thread (`threadCount`).
 */
import * as ortWeb from 'onnxruntime-web/wasm';
import { ErrorCode, fail } from '../core/errors.js';
import { downloadFile, type DownloadProgress } from '../core/models/download.js';
import type { Ort } from '../core/models/types.js';
import { WASM_ELEMENT_ID, WASM_SOURCE, WEBGPU_BUILD } from './build-config.js';

/** The onnxruntime-web module this build ships. */
export const ort: Ort = ortWeb;

/** A 127-byte ONNX graph, y = x * x over float[4]: proves the runtime starts and computes. */
const PROBE_MODEL =
  'CAgSD2N1dG91dC1hbmFseXRpYxoBMTIWcnVudGltZSBwcm9iZTogeSA9IHgqeDpJChcKAXgKAXgSAXkaB25fTXVsXzEiA011bBIMY3V0b3V0X3Byb2JlWg8KAXgSCgoICAESBAoCCARiDwoBeRIKCggIARIECgIIBEIECgAQEQ==';

/** Decodes standard base64 (whitespace ignored) into bytes. */
export function base64ToBytes(text: string): Uint8Array {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  const clean = text.replace(/\s+/g, '');
  if (typeof fromBase64 === 'function') return fromBase64(clean);
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export interface ThreadEnv {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /**
   * URL of ort's JS glue for its pthread workers. The builds bundle the glue (no URL: IIFE,
   * and loading unverified glue from a CDN or a blob: URL is what we avoid), so this is
   * undefined and ort runs one thread; a build that ships the glue as a file could set it.
   */
  glueUrl?: string;
}

/** Threads for the wasm backend: more than 1 only when isolated AND the glue has a URL. */
export function threadCount(env: ThreadEnv): number {
  if (!env.crossOriginIsolated || !env.glueUrl) return 1;
  return Math.max(1, Math.min(4, Math.floor(env.hardwareConcurrency / 2) || 1));
}

export function currentThreadEnv(): ThreadEnv {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return {
    crossOriginIsolated: g.crossOriginIsolated === true,
    hardwareConcurrency: g.navigator?.hardwareConcurrency ?? 1,
  };
}

/** Waits for the document to finish parsing (the inlined wasm sits at the end of the body). */
function documentParsed(): Promise<void> {
  if (typeof document === 'undefined' || document.readyState !== 'loading') return Promise.resolve();
  return new Promise((resolve) => document.addEventListener('DOMContentLoaded', () => resolve(), { once: true }));
}

/**
 * The runtime's .wasm bytes: from the page (inline build) or downloaded and verified (CDN
 * build). Main thread only; the worker receives the bytes in a message.
 */
export async function obtainWasm(options: { onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal } = {}): Promise<Uint8Array> {
  const source = WASM_SOURCE;
  if (source.mode === 'cdn') {
    return downloadFile(
      { name: 'onnxruntime-web runtime', url: source.url, bytes: source.bytes, sha256: source.sha256 },
      { onProgress: options.onProgress, signal: options.signal },
    );
  }
  await documentParsed();
  const el = typeof document !== 'undefined' ? document.getElementById(WASM_ELEMENT_ID) : null;
  const text = el?.textContent ?? '';
  if (!text.trim()) {
    fail(ErrorCode.ModelLoad, 'This copy of the plugin is missing its inference runtime (the inlined onnxruntime .wasm). Rebuild it with `npm run build`.');
  }
  const bytes = base64ToBytes(text);
  el!.textContent = ''; // drop the 19 MB string
  return bytes;
}

let configured: { threads: number } | undefined;

/** Points onnxruntime-web at the bytes (no fetch) and sets threads. Once per realm. */
export function configureOrt(wasm: Uint8Array, threads: number): void {
  if (configured) return;
  const env = ort.env;
  env.logLevel = 'error';
  env.wasm.numThreads = threads;
  if (threads > 1 && currentThreadEnv().glueUrl) env.wasm.wasmPaths = { mjs: currentThreadEnv().glueUrl! };
  env.wasm.proxy = false;
  env.wasm.wasmBinary = wasm; // handed to WebAssembly.instantiate: ort fetches nothing
  configured = { threads };
}

/** Starts the runtime and checks it computes (x² of a tiny tensor). Throws if it cannot. */
export async function probeOrt(): Promise<void> {
  const session = await ort.InferenceSession.create(base64ToBytes(PROBE_MODEL), { executionProviders: ['wasm'] });
  try {
    const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3, -4]), [4]);
    const out = await session.run({ x });
    const y = out.y?.data as Float32Array | undefined;
    if (!y || y[0] !== 1 || y[1] !== 4 || y[2] !== 9 || y[3] !== 16) {
      fail(ErrorCode.ModelLoad, 'The inference runtime started but computed a wrong answer on its self-test.');
    }
  } finally {
    await session.release();
  }
}

/** Whether a WebGPU adapter is available to this build here (checked, not assumed). */
export async function webgpuAdapterAvailable(): Promise<boolean> {
  if (!WEBGPU_BUILD) return false;
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

/** Lets pending input events run (used between inference steps on the UI thread). */
export function yieldToInput(): Promise<void> {
  const sched = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (sched?.yield) return sched.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}
