/**
 * The plugin's bundles for tests, through the functions build.mjs itself calls
 * (scripts/build-lib.mjs), each in a child process: a test builds only the bundle it needs,
 * with its options, and never rewrites dist/cli.js & co. while other test files may run them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';

type Json = Record<string, string | boolean | undefined>;

/** Runs `name(options)` from scripts/build-lib.mjs in a fresh Node; returns what it printed. */
function runBuildLib(name: 'buildUiPage' | 'buildFigmaMain' | 'buildPenpotDir', options: Json): string {
  const script = `const m = await import('./scripts/build-lib.mjs'); const r = await m.${name}(${JSON.stringify(options)}); if (r) console.log(r);`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

/** dist/ui.html, or a variant: { wasm: 'cdn', out: path }, { webgpu: true }, { testHook: true } (dist/test/ui.html). */
export function buildUi(o: { out?: string; wasm?: 'inline' | 'cdn'; webgpu?: boolean; testHook?: boolean } = {}): string {
  return runBuildLib('buildUiPage', o);
}

/** dist/code.js and manifest.json. */
export function buildFigma(o: { wasm?: 'inline' | 'cdn' } = {}): string {
  return runBuildLib('buildFigmaMain', o);
}

/** dist/penpot/ or another folder: { out, host, uiHtml } ('' or no host = the default). */
export function buildPenpot(o: { out?: string; host?: string; uiHtml?: string } = {}): string {
  return runBuildLib('buildPenpotDir', o);
}

/** Modification time of `file`, 0 when it is missing. */
export function age(file: string): number {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

/**
 * Whether `out` is newer than every file it was built from, as the build recorded them
 * (dist/.inputs/: esbuild's list of what it bundled, plus the page template, the runtime
 * and the build scripts). Missing output or list, or a missing input: not current.
 */
export function isBuildCurrent(out: string): boolean {
  const built = age(out);
  const list = `dist/.inputs/${out.replace(/[\\/:]/g, '_')}.json`; // scripts/build-lib.mjs inputsListFor
  if (!built || !existsSync(list)) return false;
  const inputs = JSON.parse(readFileSync(list, 'utf8')) as string[];
  return inputs.every((f) => existsSync(f) && statSync(f).mtimeMs <= built);
}

/** Rebuilds dist/ui.html (only that) when missing or older than anything it is built from. */
export function ensureUiBuilt(): void {
  if (!isBuildCurrent('dist/ui.html')) buildUi();
}

/** The test page: dist/ui.html's build with `window.__cutout` (the controller) exposed. */
export const TEST_UI_HTML = 'dist/test/ui.html';

/** Rebuilds the test page (only that) when missing or older than anything it is built from. */
export function ensureTestUiBuilt(): void {
  if (!isBuildCurrent(TEST_UI_HTML)) buildUi({ testHook: true });
}

/** Rebuilds dist/code.js and manifest.json when missing or older than anything they are built from. */
export function ensureFigmaBuilt(): void {
  if (!isBuildCurrent('dist/code.js') || age('manifest.json') < age('dist/code.js')) buildFigma();
}

/** Rebuilds dist/penpot/ when its plugin is stale or its copy of the page is older than dist/ui.html. */
export function ensurePenpotBuilt(): void {
  ensureUiBuilt();
  if (!isBuildCurrent('dist/penpot/plugin.js') || age('dist/penpot/ui.html') < age('dist/ui.html')) buildPenpot();
}

/** The Penpot folder made from the test page, for the Penpot e2e suite. */
export const TEST_PENPOT_DIR = 'dist/test/penpot';

/** Rebuilds dist/test/penpot/ when its plugin is stale or its copy of the test page is older than that page. */
export function ensureTestPenpotBuilt(): void {
  ensureTestUiBuilt();
  if (!isBuildCurrent(`${TEST_PENPOT_DIR}/plugin.js`) || age(`${TEST_PENPOT_DIR}/ui.html`) < age(TEST_UI_HTML)) buildPenpot({ out: TEST_PENPOT_DIR, uiHtml: TEST_UI_HTML });
}
