/**
 * Tracing benchmark: our tracer against potrace (npm `potrace`, GPL — used here only, as a peer
 * to measure against; never imported by product code) on the test corpus plus a 1024² SAM-like
 * mask.
 *
 * For every item: segments (lines + cubics), IoU of the output rendered by @resvg/resvg-js (alpha
 * ≥ 128) with the mask, and the median time after warm-up — ours at the default options, potrace
 * at its defaults (mask given as a Jimp image, black = inside, threshold 128). "Matched" columns
 * give ours at the cheapest setting of a fixed ladder (tolerance, thin tolerance, min area) whose
 * IoU is at least potrace's: segments at matched fidelity.
 *
 *   npx tsx bench/vectorize.ts [--quick]     prints a table
 */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import type { GrayImage } from '../core/image/types.js';
import { maskOverlap, parsePathData, toSvg, traceMask } from '../core/vector/index.js';
import type { TraceOptions } from '../core/vector/index.js';
import { corpus, samLikeMask } from '../corpus/masks.js';

export interface BenchRow {
  name: string;
  ms: number;
  potrace_ms: number;
  segments: number;
  potrace_segments: number;
  iou: number;
  potrace_iou: number;
  /** Ours at the cheapest ladder setting with iou ≥ potrace_iou. */
  matched_segments: number;
  matched_iou: number;
  matched_ms: number;
  matched_setting: string;
}

export interface BenchResult {
  /** Sum over the rows of our median times (ms). */
  ms: number;
  potrace_ms: number;
  /** Sum of segments over the rows. */
  segments: number;
  potrace_segments: number;
  /** Worst IoU over the rows. */
  iou: number;
  potrace_iou: number;
  /** Median time of ours on the 1024² SAM-like mask (ms). */
  sam_1024_ms: number;
  matched_segments: number;
  rows: BenchRow[];
}

const require = createRequire(import.meta.url);

interface PotraceModule {
  Potrace: new (options?: Record<string, unknown>) => {
    loadImage(target: unknown, cb: (err: Error | null) => void): void;
    getPathTag(): string;
  };
}
type JimpCtor = new (w: number, h: number, color: number) => { bitmap: { data: Uint8Array | Buffer } };

/** Settings tried, in order, for the matched-fidelity columns. */
const LADDER: Array<{ label: string; options: Partial<TraceOptions> }> = [
  { label: 'default', options: {} },
  { label: 'tol 1.5', options: { tolerance: 1.5 } },
  { label: 'tol 2', options: { tolerance: 2 } },
  { label: 'tol 1.5 thin 0.49', options: { tolerance: 1.5, thinTolerance: 0.49 } },
  { label: 'tol 2 thin 0.75 area 3', options: { tolerance: 2, thinTolerance: 0.75, minArea: 3 } },
  { label: 'tol 3 thin 1 area 3', options: { tolerance: 3, thinTolerance: 1, minArea: 3 } },
  { label: 'tol 3 thin 1.5 area 6', options: { tolerance: 3, thinTolerance: 1.5, minArea: 6 } },
  { label: 'tol 2 thin 1 area 3', options: { tolerance: 2, thinTolerance: 1, minArea: 3 } },
  { label: 'tol 3 thin 3 area 6', options: { tolerance: 3, thinTolerance: 3, minArea: 6 } },
  { label: 'tol 4 thin 4 area 10', options: { tolerance: 4, thinTolerance: 4, minArea: 10 } },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeMedian(fn: () => void, warmup: number, runs: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** Renders path data with resvg and returns its IoU with the mask (alpha ≥ 128 = inside). */
function resvgIoU(paths: Array<{ data: string; windingRule: 'EVENODD' | 'NONZERO' }>, mask: GrayImage): number {
  const { width: w, height: h } = mask;
  const img = new Resvg(toSvg(paths, w, h), { fitTo: { mode: 'original' }, font: { loadSystemFonts: false } }).render();
  const data = new Uint8Array(w * h);
  const px = img.pixels; // a getter that copies: read it once
  for (let i = 0; i < w * h; i++) data[i] = px[i * 4 + 3]! >= 128 ? 255 : 0;
  return maskOverlap({ width: w, height: h, data }, mask);
}

function countSegments(d: string): number {
  return parsePathData(d).reduce((a, c) => a + c.kinds.length, 0);
}

export async function benchVectorize(opts: { quick: boolean; log?: (line: string) => void }): Promise<BenchResult> {
  const potrace = require('potrace') as PotraceModule;
  const Jimp = require('jimp') as JimpCtor;
  const warmup = opts.quick ? 1 : 3;
  const runs = opts.quick ? 3 : 11;
  const items = corpus().filter((c) => c.mask.width * c.mask.height > 1);
  items.push({ name: 'sam-like-1024', mask: samLikeMask(1024) });

  // Both tracers as Jimp-fed potrace and our own, prepared once per item.
  const jimps = items.map(({ mask }) => {
    const { width: w, height: h } = mask;
    const jimg = new Jimp(w, h, 0xffffffff);
    for (let i = 0; i < w * h; i++) {
      if (mask.data[i]! >= 128) {
        jimg.bitmap.data[i * 4] = 0;
        jimg.bitmap.data[i * 4 + 1] = 0;
        jimg.bitmap.data[i * 4 + 2] = 0;
      }
    }
    return jimg;
  });
  const potraceData = (k: number): string => {
    const p = new potrace.Potrace({ threshold: 128 });
    p.loadImage(jimps[k], (err) => {
      if (err) throw err;
    });
    return /\sd="([^"]*)"/.exec(p.getPathTag())?.[1] ?? '';
  };
  // Global warm-up: both tracers over the whole corpus, so the first items are not timed cold.
  for (let pass = 0; pass < (opts.quick ? 1 : 3); pass++) {
    items.forEach(({ mask }, k) => {
      traceMask(mask);
      potraceData(k);
    });
  }

  const rows: BenchRow[] = [];
  let samMs = 0;
  for (const [k, { name, mask }] of items.entries()) {
    // Ours.
    const ours = traceMask(mask);
    const ms = timeMedian(() => traceMask(mask), warmup, runs);
    const iou = resvgIoU(ours.paths, mask);
    if (name === 'sam-like-1024') samMs = ms;

    // Potrace: a Jimp image with the inside black on white, its defaults, threshold 128.
    let d = '';
    const runPotrace = (): void => {
      d = potraceData(k);
    };
    const potraceMs = timeMedian(runPotrace, warmup, runs);
    const potraceIou = resvgIoU([{ windingRule: 'EVENODD', data: d }], mask);
    const potraceSegments = countSegments(d);

    // Matched fidelity: the cheapest ladder setting reaching potrace's IoU (default if none).
    let match = { label: 'default', segments: ours.segments, iou, options: {} as Partial<TraceOptions> };
    for (const step of LADDER.slice(1)) {
      const r = traceMask(mask, step.options);
      if (r.segments >= match.segments) continue;
      const stepIou = resvgIoU(r.paths, mask);
      if (stepIou >= potraceIou) match = { label: step.label, segments: r.segments, iou: stepIou, options: step.options };
    }
    const matchedMs = match.label === 'default' ? ms : timeMedian(() => traceMask(mask, match.options), warmup, runs);

    opts.log?.(`${name}: ${ours.segments} segs ${ms.toFixed(2)} ms, potrace ${potraceSegments} segs ${potraceMs.toFixed(2)} ms`);
    rows.push({
      name,
      ms,
      potrace_ms: potraceMs,
      segments: ours.segments,
      potrace_segments: potraceSegments,
      iou,
      potrace_iou: potraceIou,
      matched_segments: match.segments,
      matched_iou: match.iou,
      matched_ms: matchedMs,
      matched_setting: match.label,
    });
  }
  const sum = (f: (r: BenchRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  return {
    ms: sum((r) => r.ms),
    potrace_ms: sum((r) => r.potrace_ms),
    segments: sum((r) => r.segments),
    potrace_segments: sum((r) => r.potrace_segments),
    iou: Math.min(...rows.map((r) => r.iou)),
    potrace_iou: Math.min(...rows.map((r) => r.potrace_iou)),
    sam_1024_ms: samMs,
    matched_segments: sum((r) => r.matched_segments),
    rows,
  };
}

export function printTable(r: BenchResult, write: (line: string) => void = (l) => console.log(l)): void {
  const head = ['item', 'iou', 'potrace', 'segs', 'potrace', 'ms', 'potrace', 'matched segs', 'iou', 'setting'];
  const lines = [head];
  const f = (x: number, d: number) => x.toFixed(d);
  for (const row of r.rows) {
    lines.push([
      row.name,
      f(row.iou, 4),
      f(row.potrace_iou, 4),
      String(row.segments),
      String(row.potrace_segments),
      f(row.ms, 2),
      f(row.potrace_ms, 2),
      String(row.matched_segments),
      f(row.matched_iou, 4),
      row.matched_setting,
    ]);
  }
  lines.push([
    'TOTAL (iou: worst)',
    f(r.iou, 4),
    f(r.potrace_iou, 4),
    String(r.segments),
    String(r.potrace_segments),
    f(r.ms, 1),
    f(r.potrace_ms, 1),
    String(r.matched_segments),
    '',
    '',
  ]);
  const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  for (const l of lines) write(l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  write(`\n1024² SAM-like mask: ${r.sam_1024_ms.toFixed(2)} ms median (target ≤ 20 ms)`);
}

// Runnable alone (tsx); inert when bundled into dist/bench.js.
if (process.argv[1] && /vectorize\.[cm]?[jt]s$/.test(process.argv[1])) {
  benchVectorize({ quick: process.argv.includes('--quick'), log: (l) => process.stderr.write(l + '\n') }).then(printTable, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
