// The plugin's bundles as functions: build.mjs calls them with its environment, tests call
// them with options (a variant page, another output folder) without running the whole build.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

export const common = { bundle: true, sourcemap: false, logLevel: 'warning', target: 'es2022' };

/** Evaluates TypeScript declarations at build time (manifests are declared once, in TS): bundled in memory, imported. */
export async function importTs(contents) {
  const r = await build({ stdin: { contents, resolveDir: '.', loader: 'ts' }, bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'warning' });
  return import('data:text/javascript;base64,' + Buffer.from(r.outputFiles[0].contents).toString('base64'));
}

/** The source files esbuild read for a build (its metafile), relative to the project. */
function metaInputs(result) {
  return Object.keys(result.metafile?.inputs ?? {}).filter((f) => !f.includes(':'));
}

/** This module and build.mjs build every bundle, so they are inputs of each. */
const BUILD_SCRIPTS = ['build.mjs', relative(process.cwd(), new URL(import.meta.url).pathname)];

/** Where the list of what `out` was built from is kept (the tests' freshness check reads it). */
export function inputsListFor(out) {
  return `dist/.inputs/${out.replace(/[\\/:]/g, '_')}.json`;
}

/** Records what a default output was built from (variants built elsewhere by tests are not checked for freshness). */
function writeInputs(out, files) {
  if (!out.startsWith('dist/')) return;
  mkdirSync('dist/.inputs', { recursive: true });
  writeFileSync(inputsListFor(out), JSON.stringify([...new Set([...files, ...BUILD_SCRIPTS])].sort(), null, 1) + '\n');
}

/**
 * dist/ui.html (owned by ui/).
 * Figma wants ONE file: the UI bundle (ui/main.ts, IIFE), its CSS and the inference worker
 * (ui/worker.ts, IIFE, embedded as a string and started from a data: URL) are inlined into
 * ui/index.html.
 *
 * onnxruntime-web: the UI imports `onnxruntime-web/wasm` (CPU/wasm only; its JS glue is
 * bundled in, so ort never dynamic-imports or fetches a script). The runtime's
 * ort-wasm-simd-threaded.wasm is handed to ort as bytes (env.wasm.wasmBinary): no fetch,
 * no blob: URL — both unreliable in Figma's null-origin iframe.
 *   wasm: 'inline' (default):     the .wasm is inlined as base64 in a
 *                         <script type="application/octet-stream" id="ort-wasm"> at the end of
 *                         ui.html. Works offline, nothing to allow in the manifest.
 *                         ui.html ≈ 19.5 MB, of which 19.0 MB is the base64 .wasm (14.2 MB
 *                         binary); ≈ 0.5 MB without it (the build prints the exact sizes).
 *   wasm: 'cdn':          nothing inlined (ui.html ≈ 0.5 MB); the UI downloads
 *                         https://cdn.jsdelivr.net/npm/onnxruntime-web@<version>/dist/<wasm>
 *                         (version pinned from node_modules) and checks its size and sha256
 *                         (computed here from the file in node_modules) before use. Needs
 *                         cdn.jsdelivr.net in the manifest's allowedDomains.
 *   out:                  writes the page there instead of dist/ui.html (tests build variants).
 *   testHook:             a test page (window.__cutout for the browser tests and the bench),
 *                         written to dist/test/ui.html unless `out` says otherwise.
 *   webgpu: true:         imports `onnxruntime-web/webgpu` instead and ships its
 *                         ort-wasm-simd-threaded.asyncify.wasm (26.8 MB; 35.7 MB as base64);
 *                         encoders then try WebGPU, verified against wasm once (ui/inference.ts).
 * Threads: 1. ort's pthread workers would need its JS glue at a URL (the glue is bundled, and
 * unverified CDN code or a blob: URL is what we avoid) and SharedArrayBuffer (cross-origin
 * isolation, which Figma's iframe lacks). ui/runtime.ts threadCount() says when that changes.
 * Returns the line to print; records every file the page was built from (inputsListFor), so
 * that a test can tell a stale page from a current one.
 */
export async function buildUiPage(o = {}) {
  const ortPkg = JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8'));
  const webgpu = !!o.webgpu;
  const wasmMode = o.wasm === 'cdn' ? 'cdn' : 'inline';
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
    metafile: true,
    // ort's bundle reads import.meta.url to find its files; we give it bytes, so {} is fine.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [ortFlavour],
    // The image decoders' .wasm (ui/codec-wasm.ts) is inlined as bytes.
    loader: { '.wasm': 'binary' },
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

  const builds = [
    await build({ ...uiCommon, entryPoints: ['ui/worker.ts'], define: { ...uiCommon.define, __CUTOUT_WORKER__: '""' } }),
  ];
  const worker = text(builds[0]);
  // testHook: a test page exposing the UI's controller as window.__cutout (browser tests, the
  // bench); product pages never carry it (esbuild drops the hook when the define is false).
  const testHook = !!o.testHook;
  builds.push(await build({ ...uiCommon, entryPoints: ['ui/main.ts'], define: { ...uiCommon.define, __CUTOUT_WORKER__: JSON.stringify(worker), __CUTOUT_TEST_HOOK__: JSON.stringify(testHook) } }));
  const main = text(builds[1]);
  builds.push(await build({ entryPoints: ['ui/styles.css'], bundle: true, write: false, minify: true, metafile: true, logLevel: 'warning', target: ['chrome100', 'safari15', 'firefox100'] }));
  const css = text(builds[2]);
  const template = readFileSync('ui/index.html', 'utf8');
  const wasmTag = wasmMode === 'inline' ? `<script type="application/octet-stream" id="ort-wasm">${wasmBytes.toString('base64')}</script>` : '';
  for (const mark of ['/*@css*/', '/*@js*/', '<!--@wasm-->']) {
    if (template.split(mark).length !== 2) throw new Error(`ui/index.html must contain ${mark} exactly once`);
  }
  const html = template
    .replace('/*@css*/', () => css.replace(/<\/(style)/gi, '<\\/$1'))
    .replace('/*@js*/', () => scriptSafe(main))
    .replace('<!--@wasm-->', () => wasmTag);
  // `out`: tests build variants elsewhere without touching dist/ui.html.
  const uiOut = o.out ?? (testHook ? 'dist/test/ui.html' : 'dist/ui.html');
  mkdirSync(dirname(uiOut), { recursive: true });
  writeFileSync(uiOut, html);
  writeInputs(uiOut, [...builds.flatMap(metaInputs), 'ui/index.html', `node_modules/onnxruntime-web/dist/${wasmName}`, 'node_modules/onnxruntime-web/package.json']);
  const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
  const total = Buffer.byteLength(html);
  const withoutWasm = total - Buffer.byteLength(wasmTag);
  return (
    `${uiOut} ${mb(total)} (${wasmMode === 'inline' ? `${wasmName} inlined: ${mb(Buffer.byteLength(wasmTag))} base64 of ${mb(wasmBytes.length)}` : `${wasmName} from the CDN, sha256 ${wasmSource.sha256.slice(0, 12)}…`}; ` +
      `${mb(withoutWasm)} without it: JS ${mb(main.length)} incl. worker ${mb(worker.length)}, CSS ${(css.length / 1e3).toFixed(1)} kB${testHook ? '; test page: window.__cutout' : ''})`
  );
}

/** dist/code.js (the Figma main thread) and manifest.json; `wasm: 'cdn'` allows the CDN the UI then fetches its runtime from. */
export async function buildFigmaMain(o = {}) {
  const r = await build({
    ...common,
    entryPoints: ['plugin/figma/main.ts'],
    outfile: 'dist/code.js',
    platform: 'neutral',
    format: 'iife',
    target: 'es2017',
    minify: true,
    legalComments: 'none',
    metafile: true,
  });
  writeInputs('dist/code.js', metaInputs(r));
  // The manifest is declared once in TypeScript (commands, hosts from the registry); evaluate
  // that declaration here and write the JSON Figma reads.
  const mod = await importTs("export { figmaManifest } from './plugin/figma/manifest.ts'; export { allowedHosts } from './models/registry.ts';");
  const wasmUrl = o.wasm === 'cdn' ? 'https://cdn.jsdelivr.net' : undefined;
  writeFileSync('manifest.json', JSON.stringify(mod.figmaManifest(mod.allowedHosts(), wasmUrl ? { wasmUrl } : {}), null, 2) + '\n');
}

/**
 * dist/penpot/ (owned by ui/).
 * Everything `npm run penpot` serves (scripts/penpot-serve.mjs) and Penpot installs from
 * <host>/manifest.json:
 *   manifest.json  from plugin/penpot/manifest.ts; its `host` is `host` (default
 *                  http://localhost:4400), where dist/penpot must then be served (with CORS)
 *   plugin.js      plugin/penpot/main.ts: Penpot evaluates it in an SES compartment, so an
 *                  IIFE, es2020, and no Figma globals (`__html__`)
 *   ui.html        the same page as dist/ui.html (the adapter opens ui.html?host=penpot&theme=…)
 *   icon.png       128 × 128, drawn by scripts/penpot-icon.mjs
 *   `out` writes elsewhere (tests); `uiHtml` is the page copied (default dist/ui.html).
 * Returns the line to print.
 */
export async function buildPenpotDir(o = {}) {
  const out = o.out ?? 'dist/penpot';
  mkdirSync(out, { recursive: true });
  const kb = (n) => `${(n / 1e3).toFixed(1)} kB`;
  const mod = await importTs(
    "export { penpotManifest, DEFAULT_PENPOT_HOST } from './plugin/penpot/manifest.ts'; export { encodePng } from './core/image/png.ts'; export { penpotIcon } from './scripts/penpot-icon.mjs';",
  );
  const manifest = mod.penpotManifest(o.host || mod.DEFAULT_PENPOT_HOST);
  writeFileSync(`${out}/manifest.json`, JSON.stringify(manifest, null, 2) + '\n');
  const icon = mod.encodePng(mod.penpotIcon(128), { level: 9 });
  writeFileSync(`${out}/icon.png`, icon);
  const sizes = [`icon.png ${kb(icon.length)}`];
  const notes = [];

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
      metafile: true,
    });
    writeInputs(`${out}/plugin.js`, metaInputs(js));
    const code = js.outputFiles[0].text;
    if (/\b__html__\b/.test(code)) throw new Error('plugin/penpot/main.ts bundles code that reads Figma\'s __html__: Penpot has no such global');
    writeFileSync(`${out}/plugin.js`, code);
    sizes.unshift(`plugin.js ${kb(code.length)}`);
  } else {
    notes.push(`${out}/plugin.js SKIPPED: plugin/penpot/main.ts does not exist yet (the Penpot adapter); the rest of ${out} is built`);
  }

  const uiSource = o.uiHtml ?? 'dist/ui.html';
  copyFileSync(uiSource, `${out}/ui.html`);
  sizes.push(`ui.html ${(statSync(`${out}/ui.html`).size / 1e6).toFixed(2)} MB (copy of ${uiSource})`);
  return [...notes, `${out}/ (host ${manifest.host}): manifest.json, ${sizes.join(', ')}`].join('\n');
}
