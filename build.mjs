// Builds every product artefact with esbuild:
//   dist/cli.js    the Node command line (onnxruntime-web stays external: same runtime the plugin ships)
//   dist/code.js   the Figma main thread (IIFE, es2017: Figma's sandbox, no DOM)
//   manifest.json  generated from plugin/figma/manifest.ts and the model registry's hosts
//   dist/ui.html   the plugin iframe, one file (see the UI section below)
//   dist/bench.js, dist/eval.js  the benchmark and evaluation drivers
import { build } from 'esbuild';
import { mkdirSync, chmodSync } from 'node:fs';

mkdirSync('dist', { recursive: true });

const common = { bundle: true, sourcemap: false, logLevel: 'warning', target: 'es2022' };

/** Evaluates TypeScript declarations at build time (manifests are declared once, in TS): bundled in memory, imported. */
async function importTs(contents) {
  const r = await build({ stdin: { contents, resolveDir: '.', loader: 'ts' }, bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'warning' });
  return import('data:text/javascript;base64,' + Buffer.from(r.outputFiles[0].contents).toString('base64'));
}

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

// ==== UI: dist/ui.html (owned by ui/) =========================================================
// Figma wants ONE file: the UI bundle (ui/main.ts, IIFE), its CSS and the inference worker
// (ui/worker.ts, IIFE, embedded as a string and started from a data: URL) are inlined into
// ui/index.html.
//
// onnxruntime-web: the UI imports `onnxruntime-web/wasm` (CPU/wasm only; its JS glue is
// bundled in, so ort never dynamic-imports or fetches a script). The runtime's
// ort-wasm-simd-threaded.wasm is handed to ort as bytes (env.wasm.wasmBinary): no fetch,
// no blob: URL — both unreliable in Figma's null-origin iframe.
//   default (inline):     the .wasm is inlined as base64 in a
//                         <script type="application/octet-stream" id="ort-wasm"> at the end of
//                         ui.html. Works offline, nothing to allow in the manifest.
//                         ui.html ≈ 19.5 MB, of which 19.0 MB is the base64 .wasm (14.2 MB
//                         binary); ≈ 0.5 MB without it (the build prints the exact sizes).
//   CUTOUT_WASM=cdn:      nothing inlined (ui.html ≈ 0.5 MB); the UI downloads
//                         https://cdn.jsdelivr.net/npm/onnxruntime-web@<version>/dist/<wasm>
//                         (version pinned from node_modules) and checks its size and sha256
//                         (computed here from the file in node_modules) before use. Needs
//                         cdn.jsdelivr.net in the manifest's allowedDomains.
//   CUTOUT_UI_OUT=path:   writes the page there instead of dist/ui.html (tests build variants).
//   CUTOUT_TEST_HOOK=1:   a test page: exposes the UI's controller as window.__cutout for the
//                         browser tests and the bench, written to dist/test/ui.html unless
//                         CUTOUT_UI_OUT says otherwise. Product pages never carry the hook.
//   CUTOUT_WEBGPU=1:      imports `onnxruntime-web/webgpu` instead and ships its
//                         ort-wasm-simd-threaded.asyncify.wasm (26.8 MB; 35.7 MB as base64);
//                         encoders then try WebGPU, verified against wasm once (ui/inference.ts).
// Threads: 1. ort's pthread workers would need its JS glue at a URL (the glue is bundled, and
// unverified CDN code or a blob: URL is what we avoid) and SharedArrayBuffer (cross-origin
// isolation, which Figma's iframe lacks). ui/runtime.ts threadCount() says when that changes.
{
  const { readFileSync, writeFileSync, mkdirSync: mkdirUi } = await import('node:fs');
  const { dirname } = await import('node:path');
  const { createHash } = await import('node:crypto');
  const ortPkg = JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8'));
  const webgpu = process.env.CUTOUT_WEBGPU === '1';
  const testHook = process.env.CUTOUT_TEST_HOOK === '1';
  const wasmMode = process.env.CUTOUT_WASM === 'cdn' ? 'cdn' : 'inline';
  const wasmName = webgpu ? 'ort-wasm-simd-threaded.asyncify.wasm' : 'ort-wasm-simd-threaded.wasm';
  const wasmBytes = readFileSync(`node_modules/onnxruntime-web/dist/${wasmName}`);
  const wasmSource =
    wasmMode === 'cdn'
      ? {
          mode: 'cdn',
          url: `https://cdn.jsdelivr.net/npm/onnxruntime-web@${ortPkg.version}/dist/${wasmName}`,
          bytes: wasmBytes.length,
          sha256: createHash('sha256').update(wasmBytes).digest('hex'),
        }
      : { mode: 'inline' };
  // CUTOUT_WEBGPU=1: every `onnxruntime-web/wasm` import becomes `onnxruntime-web/webgpu`.
  const ortFlavour = {
    name: 'cutout-ort-flavour',
    setup(b) {
      if (!webgpu) return;
      b.onResolve({ filter: /^onnxruntime-web\/wasm$/ }, (args) =>
        b.resolve('onnxruntime-web/webgpu', { kind: args.kind, resolveDir: args.resolveDir }),
      );
    },
  };
  const uiCommon = {
    bundle: true,
    write: false,
    minify: true,
    legalComments: 'none',
    target: 'es2022',
    platform: 'browser',
    format: 'iife',
    logLevel: 'warning',
    // ort's bundle reads import.meta.url to find its files; we give it bytes, so {} is fine.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [ortFlavour],
    define: {
      __CUTOUT_WASM__: JSON.stringify(wasmSource),
      __CUTOUT_WEBGPU__: JSON.stringify(webgpu),
      __CUTOUT_ORT_VERSION__: JSON.stringify(ortPkg.version),
    },
  };
  const text = (r) => new TextDecoder().decode(r.outputFiles[0].contents);
  // Inline <script> content must not contain "</script" or "<!--" (HTML would end or
  // re-enter the script element there); both escapes are no-ops for JavaScript.
  const scriptSafe = (js) => js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

  const worker = text(await build({ ...uiCommon, entryPoints: ['ui/worker.ts'], define: { ...uiCommon.define, __CUTOUT_WORKER__: '""' } }));
  const css = text(await build({ entryPoints: ['ui/styles.css'], bundle: true, write: false, minify: true, logLevel: 'warning', target: ['chrome100', 'safari15', 'firefox100'] }));
  const template = readFileSync('ui/index.html', 'utf8');
  const wasmTag = wasmMode === 'inline' ? `<script type="application/octet-stream" id="ort-wasm">${wasmBytes.toString('base64')}</script>` : '';
  for (const mark of ['/*@css*/', '/*@js*/', '<!--@wasm-->']) {
    if (template.split(mark).length !== 2) throw new Error(`ui/index.html must contain ${mark} exactly once`);
  }
  // CUTOUT_UI_OUT: write elsewhere (tests build variants without touching dist/ui.html). A plain
  // build writes the product page and the test page beside it (the browser tests and the bench
  // read the controller through the hook).
  const pages =
    process.env.CUTOUT_UI_OUT || testHook
      ? [{ out: process.env.CUTOUT_UI_OUT || 'dist/test/ui.html', hook: testHook }]
      : [
          { out: 'dist/ui.html', hook: false },
          { out: 'dist/test/ui.html', hook: true },
        ];
  for (const page of pages) {
    const define = { ...uiCommon.define, __CUTOUT_WORKER__: JSON.stringify(worker), __CUTOUT_TEST_HOOK__: JSON.stringify(page.hook) };
    const main = text(await build({ ...uiCommon, entryPoints: ['ui/main.ts'], define }));
    const html = template
      .replace('/*@css*/', () => css.replace(/<\/(style)/gi, '<\\/$1'))
      .replace('/*@js*/', () => scriptSafe(main))
      .replace('<!--@wasm-->', () => wasmTag);
    const uiOut = page.out;
    mkdirUi(dirname(uiOut), { recursive: true });
    writeFileSync(uiOut, html);
    const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
    const total = Buffer.byteLength(html);
    const withoutWasm = total - Buffer.byteLength(wasmTag);
    console.log(
      `${uiOut} ${mb(total)} (${wasmMode === 'inline' ? `${wasmName} inlined: ${mb(Buffer.byteLength(wasmTag))} base64 of ${mb(wasmBytes.length)}` : `${wasmName} from the CDN, sha256 ${wasmSource.sha256.slice(0, 12)}…`}; ` +
        `${mb(withoutWasm)} without it: JS ${mb(main.length)} incl. worker ${mb(worker.length)}, CSS ${(css.length / 1e3).toFixed(1)} kB${page.hook ? '; test page: window.__cutout' : ''})`,
    );
  }
}
// ==== end UI ===================================================================================

// ==== Figma main thread and manifest ===========================================================
await build({
  ...common,
  entryPoints: ['plugin/figma/main.ts'],
  outfile: 'dist/code.js',
  platform: 'neutral',
  format: 'iife',
  target: 'es2017',
  minify: true,
  legalComments: 'none',
});
{
  // The manifest is declared once in TypeScript (commands, hosts from the registry); evaluate
  // that declaration here and write the JSON Figma reads.
  const { writeFileSync } = await import('node:fs');
  const mod = await importTs("export { figmaManifest } from './plugin/figma/manifest.ts'; export { allowedHosts } from './models/registry.ts';");
  const wasmUrl = process.env.CUTOUT_WASM === 'cdn' ? 'https://cdn.jsdelivr.net' : undefined;
  writeFileSync('manifest.json', JSON.stringify(mod.figmaManifest(mod.allowedHosts(), wasmUrl ? { wasmUrl } : {}), null, 2) + '\n');
}
// ==== end Figma ================================================================================

// ==== Penpot: dist/penpot/ (owned by ui/) ======================================================
// Everything `npm run penpot` serves (scripts/penpot-serve.mjs) and Penpot installs from
// <host>/manifest.json:
//   manifest.json  from plugin/penpot/manifest.ts; its `host` is CUTOUT_PENPOT_HOST (default
//                  http://localhost:4400), where dist/penpot must then be served (with CORS)
//   plugin.js      plugin/penpot/main.ts: Penpot evaluates it in an SES compartment, so an
//                  IIFE, es2020, and no Figma globals (`__html__`)
//   ui.html        the same page as dist/ui.html (the adapter opens ui.html?host=penpot&theme=…)
//   icon.png       128 × 128, drawn by scripts/penpot-icon.mjs
//   CUTOUT_PENPOT_OUT=dir writes elsewhere (tests).
{
  const { existsSync, mkdirSync: mkdirPenpot, copyFileSync, writeFileSync, statSync } = await import('node:fs');
  // CUTOUT_TEST_HOOK=1: the same folder made from the test page, for the Penpot e2e suite.
  const penpotTest = process.env.CUTOUT_TEST_HOOK === '1';
  const out = process.env.CUTOUT_PENPOT_OUT || (penpotTest ? 'dist/test/penpot' : 'dist/penpot');
  mkdirPenpot(out, { recursive: true });
  const kb = (n) => `${(n / 1e3).toFixed(1)} kB`;
  const mod = await importTs(
    "export { penpotManifest, DEFAULT_PENPOT_HOST } from './plugin/penpot/manifest.ts'; export { encodePng } from './core/image/png.ts'; export { penpotIcon } from './scripts/penpot-icon.mjs';",
  );
  const manifest = mod.penpotManifest(process.env.CUTOUT_PENPOT_HOST || mod.DEFAULT_PENPOT_HOST);
  writeFileSync(`${out}/manifest.json`, JSON.stringify(manifest, null, 2) + '\n');
  const icon = mod.encodePng(mod.penpotIcon(128), { level: 9 });
  writeFileSync(`${out}/icon.png`, icon);
  const sizes = [`icon.png ${kb(icon.length)}`];

  if (existsSync('plugin/penpot/main.ts')) {
    // Closing a plugin, Penpot deletes every global it endowed the plugin's compartment with
    // (plugins-runtime create-sandbox.ts cleanGlobalThis: `penpot`, the timers, Object, Math,
    // Promise, JSON, …) while a promise of the plugin — an upload, an export — may still
    // resume. The code binds them once, at load: what is in flight then finishes (or rolls
    // back) and closes its undo step instead of dying on `undefined` halfway.
    const SANDBOX_GLOBALS = [
      'penpot', 'fetch', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'isFinite', 'isNaN', 'parseFloat', 'parseInt',
      'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'Object', 'Boolean', 'Symbol', 'Number', 'BigInt', 'Math',
      'Date', 'String', 'RegExp', 'Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
      'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'Float32Array', 'Float64Array', 'Map', 'Set', 'WeakMap', 'WeakSet',
      'ArrayBuffer', 'DataView', 'Atomics', 'JSON', 'Promise', 'Proxy', 'Intl', 'console', 'devicePixelRatio', 'atob', 'btoa',
      'structuredClone',
    ];
    const js = await build({
      entryPoints: ['plugin/penpot/main.ts'],
      outfile: `${out}/plugin.js`,
      banner: { js: `(function (${SANDBOX_GLOBALS.join(', ')}) {` },
      footer: { js: `})(${SANDBOX_GLOBALS.map((name) => `globalThis.${name}`).join(', ')});` },
      bundle: true,
      write: false,
      platform: 'neutral',
      format: 'iife',
      target: 'es2020',
      minify: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
    const code = js.outputFiles[0].text;
    if (/\b__html__\b/.test(code)) throw new Error('plugin/penpot/main.ts bundles code that reads Figma\'s __html__: Penpot has no such global');
    writeFileSync(`${out}/plugin.js`, code);
    sizes.unshift(`plugin.js ${kb(code.length)}`);
  } else {
    console.log(`${out}/plugin.js SKIPPED: plugin/penpot/main.ts does not exist yet (the Penpot adapter); the rest of ${out} is built`);
  }

  const uiSource = process.env.CUTOUT_UI_OUT || (penpotTest ? 'dist/test/ui.html' : 'dist/ui.html');
  copyFileSync(uiSource, `${out}/ui.html`);
  sizes.push(`ui.html ${(statSync(`${out}/ui.html`).size / 1e6).toFixed(2)} MB (copy of ${uiSource})`);
  console.log(`${out}/ (host ${manifest.host}): manifest.json, ${sizes.join(', ')}`);
}
// ==== end Penpot ===============================================================================
