/**
 * Constants the build (build.mjs, UI section) injects with esbuild `define`. Outside a build
 * (vitest, tsc) they are undefined and the defaults below apply.
 */

/** Where onnxruntime-web's .wasm comes from. */
export type WasmSource =
  | { mode: 'inline' }
  | { mode: 'cdn'; url: string; bytes: number; sha256: string };

declare const __CUTOUT_WASM__: WasmSource | undefined;
declare const __CUTOUT_WORKER__: string | undefined;
declare const __CUTOUT_WEBGPU__: boolean | undefined;
declare const __CUTOUT_ORT_VERSION__: string | undefined;

export const WASM_SOURCE: WasmSource = typeof __CUTOUT_WASM__ !== 'undefined' ? __CUTOUT_WASM__ : { mode: 'inline' };

/** The inference worker's bundled source ('' when the build has none). */
export const WORKER_SOURCE: string = typeof __CUTOUT_WORKER__ !== 'undefined' ? __CUTOUT_WORKER__ : '';

/** True when the build imports onnxruntime-web's WebGPU bundle (CUTOUT_WEBGPU=1). */
export const WEBGPU_BUILD: boolean = typeof __CUTOUT_WEBGPU__ !== 'undefined' ? __CUTOUT_WEBGPU__ : false;

export const ORT_VERSION: string = typeof __CUTOUT_ORT_VERSION__ !== 'undefined' ? __CUTOUT_ORT_VERSION__ : 'unknown';

/** id of the <script type="application/octet-stream"> element holding the inlined wasm (base64). */
export const WASM_ELEMENT_ID = 'ort-wasm';
