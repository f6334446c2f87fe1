/**
 * Batch background removal through the real CLI (`node dist/cli.js remove-bg`), one process
 * per batch, with CUTOUT_REPORT_RSS=1 so every JSON line carries the process's RSS and peak
 * RSS. Two batches of 200 images (50 with `quick`):
 *
 * 1. With a cost stand-in for U²-NetP (bench/removebg-model.ts: the analytic model plus 19.9
 *    GMACs of convolutions — U²-NetP's cost at 320², the lightest salient model in the
 *    registry; no real weights can be downloaded here). What a user's batch looks like:
 *      images_per_min  items / batch time (the CLI's summary; model loading excluded)
 *      model_ms        raw model session time summed over the batch (session.run)
 *      total_ms        batch time (first item start → last item written)
 *      overhead        (total_ms − model_ms) / model_ms; target ≤ 0.15
 *      rss_ratio       peak RSS at the end / peak RSS after the first 10 items; target ≤ 1.2
 * 2. With the analytic model itself (≈ 1 ms a run, 2 KB of weights): the engine's own work
 *    dominates and the baseline is as small as it gets, the harshest case for memory.
 *      pipeline_images_per_min, overhead_ms_per_image (everything but the model: read,
 *      decode, resize, tensor, alpha resize, mask, cutout, 2 PNG encodes, atomic writes),
 *      rss_ratio_analytic
 *    This batch is 1000 images long (60 with `quick`): what a user needs from memory is no
 *    growth over a long batch, so it also gives
 *      rss_slope_mb_per_100  least-squares slope of the process's RSS over items 100–1000
 *                            (20–60 with `quick`), in MB per 100 images; target ≈ 0
 *      rss_mb_100, rss_mb_end  RSS after item 100 (quick: 20) and after the last
 *
 * Images: 10 distinct product-shot-like scenes (640×480 … 1600×1200, PNG and JPEG), cycled,
 * so the first 10 items already include the largest image and later growth would be a leak.
 *
 * Run alone: `npx tsx bench/removebg.ts [--quick] [--json]` (after `npm run build`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStandInSalient, standInMacs } from './removebg-model.js';
import { SIZES, productShot } from './removebg-scenes.js';
import { round } from './stats.js';

export interface RemoveBgBenchResult {
  images_per_min: number;
  overhead: number;
  rss_ratio: number;
  model_ms: number;
  total_ms: number;
  items: number;
  model_ms_per_image: number;
  standin_gmacs: number;
  peak_rss_mb_10: number;
  peak_rss_mb_end: number;
  pipeline_images_per_min: number;
  overhead_ms_per_image: number;
  rss_ratio_analytic: number;
  peak_rss_mb_10_analytic: number;
  peak_rss_mb_end_analytic: number;
  rss_slope_mb_per_100: number;
  rss_slope_from: number;
  rss_slope_items: number;
  rss_mb_100: number;
  rss_mb_end: number;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

function findCli(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, 'cli.js'), join(here, '..', 'dist', 'cli.js'), resolve('dist', 'cli.js')]) if (existsSync(p)) return p;
  throw new Error('dist/cli.js not found: run `npm run build` first');
}

interface Line {
  ok?: boolean;
  model_ms?: number;
  max_rss?: number;
  rss?: number;
  summary?: { total: number; ok: number; failed: number; ms: number; images_per_min: number };
}

function runCli(cli: string, args: string[]): Promise<{ code: number; lines: Line[]; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, CUTOUT_REPORT_RSS: '1', CUTOUT_THREADS: process.env.CUTOUT_THREADS ?? '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? -1, lines: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line), stderr: err }));
  });
}

async function batch(cli: string, root: string, tag: string, n: number, model: { model: Uint8Array; descriptor: string }, bases: Array<{ bytes: Uint8Array; ext: string }>) {
  const modelDir = join(root, `${tag}-model`);
  mkdirSync(modelDir);
  writeFileSync(join(modelDir, 'model.onnx'), model.model);
  writeFileSync(join(modelDir, 'cutout.json'), model.descriptor);
  const inDir = join(root, `${tag}-in`);
  mkdirSync(inDir);
  const inputs: string[] = [];
  for (let i = 0; i < n; i++) {
    const b = bases[i % bases.length]!;
    const p = join(inDir, `img-${String(i).padStart(3, '0')}.${b.ext}`);
    writeFileSync(p, b.bytes);
    inputs.push(p);
  }
  const r = await runCli(cli, ['remove-bg', ...inputs, '--model', modelDir, '--out-dir', join(root, `${tag}-out`)]);
  if (r.code !== 0) throw new Error(`remove-bg exited ${r.code}: ${r.stderr.trim()}`);
  const items = r.lines.filter((l) => l.ok !== undefined);
  const summary = r.lines.find((l) => l.summary)!.summary!;
  if (items.length !== n || summary.failed) throw new Error(`remove-bg processed ${items.length} of ${n} images, ${summary.failed} failed`);
  rmSync(join(root, `${tag}-out`), { recursive: true, force: true });
  rmSync(inDir, { recursive: true, force: true });
  return { items, summary, modelMs: items.reduce((s, l) => s + (l.model_ms ?? 0), 0) };
}

export async function benchRemoveBg(options: { quick?: boolean } = {}): Promise<RemoveBgBenchResult> {
  const cli = findCli();
  const n = options.quick ? 20 : 200;
  const root = mkdtempSync(join(tmpdir(), 'cutout-bench-rbg-'));
  const peaks = (items: Line[]) => ({ at10: items[9]!.max_rss!, end: Math.max(...items.map((l) => l.max_rss!)) });
  const mb = (b: number) => round(b / 2 ** 20, 1);
  try {
    const bases = SIZES.map(([w, h], k) => ({ bytes: productShot(w, h, k), ext: k % 2 ? 'jpg' : 'png' }));
    const b = await batch(cli, root, 'standin', n, buildStandInSalient(), bases);
    const long = options.quick ? 60 : 1000;
    const from = options.quick ? 20 : 100;
    const a = await batch(cli, root, 'analytic', long, buildStandInSalient({ layers: 0 }), bases);
    const tail = a.items.slice(from - 1);
    const perItem = slope(
      tail.map((_, i) => from + i),
      tail.map((l) => l.rss! / 2 ** 20),
    );
    const pb = peaks(b.items);
    const pa = peaks(a.items);
    return {
      images_per_min: round(b.summary.images_per_min, 1),
      overhead: round((b.summary.ms - b.modelMs) / b.modelMs, 3),
      rss_ratio: round(pb.end / pb.at10, 3),
      model_ms: round(b.modelMs, 0),
      total_ms: round(b.summary.ms, 0),
      items: b.summary.total,
      model_ms_per_image: round(b.modelMs / b.summary.total, 1),
      standin_gmacs: round(standInMacs() / 1e9, 2),
      peak_rss_mb_10: mb(pb.at10),
      peak_rss_mb_end: mb(pb.end),
      pipeline_images_per_min: round(a.summary.images_per_min, 1),
      overhead_ms_per_image: round((a.summary.ms - a.modelMs) / a.summary.total, 1),
      rss_ratio_analytic: round(pa.end / pa.at10, 3),
      peak_rss_mb_10_analytic: mb(pa.at10),
      peak_rss_mb_end_analytic: mb(pa.end),
      rss_slope_mb_per_100: round(perItem * 100, 2),
      rss_slope_from: from,
      rss_slope_items: long,
      rss_mb_100: mb(a.items[from - 1]!.rss!),
      rss_mb_end: mb(a.items[long - 1]!.rss!),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Only the long analytic batch's RSS over items `from`..`items` (`--slope-only N`). */
export async function benchRssSlope(items: number, from: number): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'cutout-bench-slope-'));
  try {
    const bases = SIZES.map(([w, h], k) => ({ bytes: productShot(w, h, k), ext: k % 2 ? 'jpg' : 'png' }));
    const a = await batch(findCli(), root, 'analytic', items, buildStandInSalient({ layers: 0 }), bases);
    const tail = a.items.slice(from - 1);
    const perItem = slope(
      tail.map((_, i) => from + i),
      tail.map((l) => l.rss! / 2 ** 20),
    );
    const at = (i: number) => round(a.items[i - 1]!.rss! / 2 ** 20, 1);
    return {
      rss_slope_mb_per_100: round(perItem * 100, 2),
      rss_slope_from: from,
      rss_slope_items: items,
      rss_mb_first: at(1),
      rss_mb_from: at(from),
      rss_mb_mid: at(Math.round((from + items) / 2)),
      rss_mb_end: at(items),
      peak_rss_mb_end: round(Math.max(...a.items.map((l) => l.max_rss!)) / 2 ** 20, 1),
      images_per_min: round(a.summary.images_per_min, 1),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// Runnable alone (tsx); inert when bundled into dist/bench.js.
if (process.argv[1] && /removebg\.[cm]?[jt]s$/.test(process.argv[1])) {
  const argv = process.argv.slice(2);
  const only = argv.indexOf('--slope-only');
  const run = only >= 0 ? benchRssSlope(Number(argv[only + 1] ?? 1000), Number(argv[only + 1] ?? 1000) >= 200 ? 100 : 20) : benchRemoveBg({ quick: argv.includes('--quick') });
  run.then(
    (r) => {
      if (!argv.includes('--json')) {
        process.stdout.write(`cutout bench remove-bg (${argv.includes('--quick') ? 'quick' : 'full'})\n`);
        for (const [k, v] of Object.entries(r)) process.stdout.write(`  ${k.padEnd(22)} ${v}\n`);
      }
      process.stdout.write(JSON.stringify(r) + '\n');
    },
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
