/**
 * Sections of build.mjs run on their own, for tests: each section lies between a
 * `// ==== <name>` and a `// ==== end <name>` marker. Tests run only the section they need, so
 * they never rewrite dist/cli.js & co. while other test files may be running them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Runs the part of build.mjs from the line starting with `start` to the one starting with `end`
 * (with `prelude`: build.mjs lines the section needs, found by `prelude` regexps, put first),
 * with extra environment variables; returns what it printed.
 */
export function runBuildSection(o: { start: string; end: string; name: string; prelude?: RegExp[]; env?: Record<string, string> }): string {
  const source = readFileSync('build.mjs', 'utf8');
  const start = source.indexOf(o.start);
  const end = source.indexOf(o.end);
  const prelude = (o.prelude ?? []).map((re) => source.match(re)?.[0]);
  if (start < 0 || end < 0 || prelude.some((p) => p === undefined)) {
    throw new Error(`build.mjs lacks ${[...(o.prelude ?? []).map((re) => `\`${re.source}\``), `the "${o.start}" … "${o.end}" section`].join(' or ')}`);
  }
  const dir = 'node_modules/.cache/cutout-test';
  mkdirSync(dir, { recursive: true });
  const script = `${dir}/build-${o.name}-${process.pid}-${Date.now()}.mjs`;
  writeFileSync(script, `import { build } from 'esbuild';\n${prelude.map((p) => `${p}\n`).join('')}${source.slice(start, end)}\n`);
  try {
    return execFileSync(process.execPath, [script], { env: { ...process.env, ...o.env }, encoding: 'utf8' });
  } finally {
    rmSync(script, { force: true });
  }
}

/** The UI section (dist/ui.html) with extra environment variables, e.g. { CUTOUT_WASM: 'cdn', CUTOUT_UI_OUT: path }. */
export function buildUi(env: Record<string, string> = {}): string {
  return runBuildSection({ start: '// ==== UI:', end: '// ==== end UI', name: 'ui', env });
}

/** build.mjs's `importTs` (manifests are TypeScript declarations evaluated at build time). */
const IMPORT_TS = /^async function importTs[\s\S]*?^}$/m;

/** The "Figma main thread and manifest" section (dist/code.js, manifest.json); it needs build.mjs's `const common` and `importTs`. */
export function buildFigma(): string {
  return runBuildSection({ start: '// ==== Figma main thread', end: '// ==== end Figma', name: 'figma', prelude: [/^const common = .*;$/m, IMPORT_TS] });
}

/** The Penpot section (dist/penpot/: manifest, plugin.js, ui.html copy, icon), e.g. with { CUTOUT_PENPOT_OUT: dir, CUTOUT_PENPOT_HOST: origin }. */
export function buildPenpot(env: Record<string, string> = {}): string {
  return runBuildSection({ start: '// ==== Penpot:', end: '// ==== end Penpot', name: 'penpot', env, prelude: [IMPORT_TS] });
}

/** Modification time of `file`, 0 when it is missing. */
export function age(file: string): number {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

/** The newest modification time of the sources (.ts .mjs .html .css .json) below `paths`. */
export function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else if (/\.(ts|mjs|html|css|json)$/.test(p)) newest = Math.max(newest, st.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

/** What every bundle is built from (besides its own folder). */
export const SHARED_SOURCES = ['core', 'plugin/protocol.ts', 'plugin/timings.ts', 'models/registry.ts', 'build.mjs'];

/** Rebuilds dist/ui.html (only that) when missing or older than its sources. */
export function ensureUiBuilt(): void {
  if (age('dist/ui.html') < Math.max(newestMtime(SHARED_SOURCES), newestMtime(['ui']))) buildUi({ CUTOUT_UI_OUT: 'dist/ui.html' });
}

/** The test page: dist/ui.html's build with `window.__cutout` (the controller) exposed. */
export const TEST_UI_HTML = 'dist/test/ui.html';

/** Rebuilds the test page (only that) when missing or older than its sources. */
export function ensureTestUiBuilt(): void {
  if (age(TEST_UI_HTML) < Math.max(newestMtime(SHARED_SOURCES), newestMtime(['ui']))) buildUi({ CUTOUT_TEST_HOOK: '1', CUTOUT_UI_OUT: TEST_UI_HTML });
}
