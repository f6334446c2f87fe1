/**
 * `npm run bench [-- --quick] [-- --json]`: every figure a median after warm-up, all
 * measured in this one run so that ratios compare like with like. Each runtime
 * configuration runs in its own child process (wasm thread counts are fixed per process).
 */
import { loadImageCodecs } from '../node/codecs.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchSam, type SamBenchOptions } from './sam.js';
import { round } from './stats.js';
import { benchVectorize, printTable as printVectorizeTable } from './vectorize.js';
import { benchRemoveBg } from './removebg.js';
import { benchHostile, hostileChild, printHostile } from './hostile.js';
import { benchBrowser } from './browser.js';
import { benchEncoderMemory, encoderChild } from './encoder-memory.js';
import { benchEverything, everythingChild } from './everything.js';
import { benchUnits } from './units.js';
import { benchDecoderSplit } from './decoder-split.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = resolve(process.env.CUTOUT_FIXTURES ?? join(here, '..', '..', 'shared', 'fixtures'));

async function child(argv: string[]): Promise<void> {
  const opts = JSON.parse(argv[1]!) as SamBenchOptions;
  const r = await benchSam(opts);
  process.stdout.write(JSON.stringify(r) + '\n');
}

function runChild(opts: SamBenchOptions): Record<string, number> {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify(opts)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`bench child ${opts.runtime}${opts.threads} failed (exit ${r.status})`);
  const last = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as Record<string, number>;
}

/** The plugin against the raw runtime in the same browser and run. */
function browserRatios(b: Record<string, number>): Record<string, number> {
  return {
    'ratio.browser_encode_first_over_raw': b['browser.encode_first_ms']! / b['browser.raw_encode_ms']!,
    'ratio.browser_click_over_raw_decode': b['browser.click_ms']! / b['browser.raw_decode_ms']!,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  await loadImageCodecs();
  if (argv[0] === '--child') return child(argv);
  if (await hostileChild(argv)) return;
  if (argv[0] === '--encoder-child') {
    process.stdout.write(JSON.stringify(await encoderChild(JSON.parse(argv[1]!))) + '\n');
    return;
  }
  if (argv[0] === '--everything-child') {
    process.stdout.write(JSON.stringify(await everythingChild(JSON.parse(argv[1]!))) + '\n');
    return;
  }
  const quick = argv.includes('--quick');
  const json = argv.includes('--json');
  if (!existsSync(join(fixtures, 'sam-reference'))) {
    throw new Error(`fixtures not found at ${fixtures} (set CUTOUT_FIXTURES)`);
  }
  const results: Record<string, number> = {};
  const log = (s: string) => process.stderr.write(s + '\n');
  // `--browser [--ui path/to/ui.html]`: only the browser figures (e.g. to compare two builds).
  if (argv.includes('--browser')) {
    const ui = argv.indexOf('--ui');
    const b = await benchBrowser({ fixtures, quick, log, ...(ui >= 0 ? { uiHtml: argv[ui + 1] } : {}) });
    Object.assign(b, browserRatios(b));
    process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(b).map(([k, v]) => [k, round(v, k.startsWith('ratio') ? 3 : 1)]))) + '\n');
    return;
  }
  // `--everything`: only the segment-everything figures.
  if (argv.includes('--everything')) {
    const e = benchEverything({ fixtures, quick, script: fileURLToPath(import.meta.url), log });
    process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(e).map(([k, v]) => [k, round(v, k.startsWith('ratio') ? 3 : 1)]))) + '\n');
    return;
  }
  const configs: SamBenchOptions[] = [
    { runtime: 'native', threads: 1, fixtures, quick, encoders: ['fp32', 'int8'] },
    { runtime: 'wasm', threads: 1, fixtures, quick, encoders: ['fp32', 'int8'] },
    { runtime: 'native', threads: 2, fixtures, quick, encoders: quick ? ['int8'] : ['fp32'] },
    { runtime: 'wasm', threads: 2, fixtures, quick, encoders: quick ? ['int8'] : ['fp32'] },
  ];
  for (const c of configs) {
    log(`bench: sam ${c.runtime} ${c.threads} thread(s) ...`);
    const r = runChild(c);
    // quick mode times the 2-thread encoders on int8 only: report them under their own key
    for (const [k, v] of Object.entries(r)) if (!(k === 'session.create_ms' && c.runtime === 'native')) results[k] = v;
  }

  // Fresh process per encoder configuration: first run, steady run, peak memory.
  Object.assign(results, benchEncoderMemory({ fixtures, quick, script: fileURLToPath(import.meta.url), log }));
  Object.assign(results, benchEverything({ fixtures, quick, script: fileURLToPath(import.meta.url), log }));

  log('bench: single steps (resize, analytic click, decoder split) ...');
  Object.assign(results, await benchUnits({ fixtures, quick }));

  log('bench: decoder split on and off, alternating ...');
  Object.assign(results, await benchDecoderSplit({ fixtures, runs: quick ? 5 : 15 }));

  log('bench: vectorize (ours vs potrace) ...');
  const v = await benchVectorize({ quick, log });
  Object.assign(results, {
    'vectorize.ms': v.ms,
    'vectorize.potrace_ms': v.potrace_ms,
    'vectorize.segments': v.segments,
    'vectorize.potrace_segments': v.potrace_segments,
    'vectorize.matched_segments': v.matched_segments,
    'vectorize.iou': v.iou,
    'vectorize.potrace_iou': v.potrace_iou,
    'vectorize.sam1024_ms': v.sam_1024_ms,
  });
  log('bench: remove-bg batch through the CLI ...');
  const rb = await benchRemoveBg({ quick });
  Object.assign(results, {
    'removebg.images_per_min': rb.images_per_min,
    'removebg.overhead': rb.overhead,
    'removebg.rss_ratio': rb.rss_ratio,
    'removebg.items': rb.items,
    'removebg.rss_slope_mb_per_100': rb.rss_slope_mb_per_100,
    'removebg.rss_slope_items': rb.rss_slope_items,
    'removebg.rss_mb_100': rb.rss_mb_100,
    'removebg.rss_mb_end': rb.rss_mb_end,
  });

  log('bench: hostile and huge inputs (each in a fresh process) ...');
  const hostile = benchHostile({ quick, log });
  for (const h of hostile) {
    results[`hostile.${h.case}.ms`] = h.ms;
    results[`hostile.${h.case}.peak_mb`] = h.peak_mb;
  }
  log('bench: the plugin in Chromium (dist/ui.html) and the raw runtime beside it ...');
  const browser = await benchBrowser({ fixtures, quick, log });
  Object.assign(results, browser);

  const ratios: Record<string, number> = {
    ...browserRatios(browser),
    'ratio.decoder_wasm1_over_native1': results['decoder.wasm1_ms']! / results['decoder.native1_ms']!,
    'ratio.encoder_wasm1_over_native1': results['encoder.wasm1_ms']! / results['encoder.native1_ms']!,
    'ratio.click_total_over_decoder': results['click.total_ms']! / results['click.decoder_ms']!,
    'ratio.encoder_first_over_steady': results['encoder.first_ms']! / results['encoder.steady_ms']!,
    'ratio.encoder_steady_over_original': results['encoder.steady_ms']! / results['encoder.original.steady_ms']!,
  };
  Object.assign(results, ratios);
  const rounded = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, round(v, k.startsWith('ratio') || k.endsWith('iou') || k.endsWith('overhead') ? 3 : 1)]));
  if (json) process.stdout.write(JSON.stringify(rounded) + '\n');
  else {
    const w = Math.max(...Object.keys(rounded).map((k) => k.length));
    process.stdout.write(`cutout bench (${quick ? 'quick' : 'full'}; medians)\n\nvectorize corpus, ours vs potrace:\n`);
    printVectorizeTable(v, (l) => process.stdout.write(l + '\n'));
    process.stdout.write('\nhostile and huge inputs (time, peak RSS of a fresh process):\n');
    printHostile(hostile, (l) => process.stdout.write(l + '\n'));
    process.stdout.write('\n');
    for (const [k, v] of Object.entries(rounded)) process.stdout.write(`  ${k.padEnd(w)}  ${v}\n`);
    process.stdout.write(JSON.stringify(rounded) + '\n');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
