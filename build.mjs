// Builds every product artefact with esbuild:
//   dist/cli.js    the Node command line (onnxruntime-web stays external: same runtime the plugin ships)
//   dist/code.js   the Figma main thread (IIFE, es2017: Figma's sandbox, no DOM)
//   manifest.json  generated from plugin/figma/manifest.ts and the model registry's hosts
//   dist/ui.html   the plugin iframe, one file (scripts/build-lib.mjs buildUiPage)
//   dist/bench.js, dist/eval.js  the benchmark and evaluation drivers
import { build } from 'esbuild';
import { mkdirSync, chmodSync } from 'node:fs';
import { buildFigmaMain, buildPenpotDir, buildUiPage, common } from './scripts/build-lib.mjs';

mkdirSync('dist', { recursive: true });

await build({
  ...common,
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/cli.js',
  platform: 'node',
  format: 'esm',
  external: ['onnxruntime-web', 'onnxruntime-node'],
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync('dist/cli.js', 0o755);

// The benchmark driver (npm run bench): Node, all runtimes external.
await build({
  ...common,
  entryPoints: ['bench/main.ts'],
  outfile: 'dist/bench.js',
  platform: 'node',
  format: 'esm',
  external: ['onnxruntime-web', 'onnxruntime-node', 'potrace', '@resvg/resvg-js', 'playwright-core'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
// The raw runtime page of the browser bench (bench/browser-raw.ts): onnxruntime-web bundled
// for the browser as the UI bundles it (it is handed the wasm bytes, so import.meta is unused).
await build({
  ...common,
  entryPoints: ['bench/browser-raw.ts'],
  outfile: 'dist/bench-raw.js',
  platform: 'browser',
  format: 'iife',
  logOverride: { 'empty-import-meta': 'silent' },
});

// ---- eval (npm run eval): interactive segmentation evaluation, RITM protocol ---------------
// eval/main.ts → dist/eval.js: Node, ESM, the onnxruntime packages external (as for the CLI).
await build({
  ...common,
  entryPoints: ['eval/main.ts'],
  outfile: 'dist/eval.js',
  platform: 'node',
  format: 'esm',
  external: ['onnxruntime-web', 'onnxruntime-node'],
});
// ---- end eval --------------------------------------------------------------------------------

// dist/ui.html, dist/code.js + manifest.json, dist/penpot/: see scripts/build-lib.mjs.
//   CUTOUT_WASM=cdn     the UI fetches its runtime from the CDN (manifest allows it)
//   CUTOUT_WEBGPU=1     the UI ships the WebGPU runtime
//   CUTOUT_PENPOT_HOST  where dist/penpot will be served (default http://localhost:4400)
const wasm = process.env.CUTOUT_WASM === 'cdn' ? 'cdn' : 'inline';
const webgpu = process.env.CUTOUT_WEBGPU === '1';
console.log(await buildUiPage({ wasm, webgpu }));
// The same page with window.__cutout, for the browser tests, the e2e suites and the bench.
console.log(await buildUiPage({ wasm, webgpu, testHook: true }));
await buildFigmaMain({ wasm });
console.log(await buildPenpotDir({ host: process.env.CUTOUT_PENPOT_HOST }));
