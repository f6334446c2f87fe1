/**
 * Writes the analytic test models, one subfolder per format.
 *
 *   node --import tsx models/generate.ts [OUT_DIR]
 *
 * OUT_DIR defaults to `.cache/analytic-models/` at the repository root (a relative OUT_DIR is
 * taken from the current directory). Files that already hold the same bytes are left alone.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANALYTIC_FORMATS, generateAnalyticModels } from './analytic/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUT_DIR = path.join(repoRoot, '.cache', 'analytic-models');

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('-h') || argv.includes('--help')) {
    console.log('usage: node --import tsx models/generate.ts [OUT_DIR]   (default .cache/analytic-models/)');
    return;
  }
  const outDir = argv[0] ? path.resolve(argv[0]) : DEFAULT_OUT_DIR;
  const started = performance.now();
  const dirs = await generateAnalyticModels(outDir);
  for (const format of ANALYTIC_FORMATS) {
    const names = (await readdir(dirs[format])).filter((n) => !n.endsWith('.tmp')).sort();
    const sizes = await Promise.all(names.map(async (n) => `${n} ${(await stat(path.join(dirs[format], n))).size} B`));
    console.log(`${format.padEnd(8)} ${dirs[format]}  (${sizes.join(', ')})`);
  }
  console.log(`done in ${(performance.now() - started).toFixed(0)} ms`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
