// Builds every product artefact with esbuild:
//   dist/cli.js    the Node command line (onnxruntime-web stays external: same runtime the plugin ships)
// Later: dist/code.js (Figma main thread), dist/ui.html (single-file iframe).
import { build } from 'esbuild';
import { mkdirSync, chmodSync } from 'node:fs';

mkdirSync('dist', { recursive: true });

const common = { bundle: true, sourcemap: false, logLevel: 'warning', target: 'es2022' };

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
  external: ['onnxruntime-web', 'onnxruntime-node', 'potrace', '@resvg/resvg-js'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
