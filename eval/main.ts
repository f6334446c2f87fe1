/**
 * `npm run eval -- --model DIR|ID --data DIR [--max-clicks N] [--limit N] [--json]`:
 * interactive segmentation evaluation with the RITM protocol (core/eval) on a folder of
 * images/ + masks/ (eval/dataset.ts). Prints a table then one JSON line; with --json only the
 * JSON. `--write-synthetic DIR` writes the synthetic set (eval/synthetic.ts) and exits.
 */
import { loadImageCodecs } from '../node/codecs.js';
import { parseArgs, flag, parseNumber, type ParsedArgs } from '../node/args.js';
import { resolveModel } from '../node/model-source.js';
import { webRuntime } from '../node/runtime.js';
import { fail, ErrorCode, toErrorInfo } from '../core/errors.js';
import { evaluateImage, summarise, type ImageResult } from '../core/eval/evaluate.js';
import { loadSamModel } from '../core/models/sam-model.js';
import { Segmenter } from '../core/segment.js';
import { loadItem, openDataset } from './dataset.js';
import { syntheticDataset, writeSyntheticDataset } from './synthetic.js';

const USAGE = `usage: npm run eval -- --model DIR|ID --data DIR [--max-clicks N] [--limit N] [--json] [--all-clicks] [--no-box] [--no-refine]
       npm run eval -- --write-synthetic DIR

Interactive segmentation evaluation (RITM protocol): each next click goes to the interior
point of the larger error region (false negatives or false positives) farthest from its
boundary, positive when false negatives dominate; the full click history is sent each time,
with the previous mask when the model has a mask input. Reports NoC@85 and NoC@90 (within
--max-clicks, default 20), mIoU after 1..5 clicks, and the mIoU of one box prompt (the
ground truth's bounding box).

--data DIR holds images/ (PNG/JPEG) and masks/ (PNG, > 127 = object), paired by base name
(images/a.jpg ↔ masks/a.png). --limit N evaluates the first N pairs in name order.
--all-clicks simulates every click up to --max-clicks (RITM --iou-analysis); by default an
image stops once IoU ≥ 0.9 after at least 5 clicks.
--write-synthetic DIR writes the synthetic set (flat shapes with known answers, plus a
two-tone L that needs two clicks) in that layout.`;

const round = (v: number | null | undefined, digits = 4): number | null => (v === null || v === undefined ? null : Number(v.toFixed(digits)));

function positiveInt(args: ParsedArgs, name: string): number | undefined {
  const text = flag(args, name);
  if (text === undefined) return undefined;
  const n = parseNumber(text, `--${name}`);
  if (!Number.isInteger(n) || n < 1) fail(ErrorCode.InvalidOption, `--${name} must be a positive integer, got "${text}"`);
  return n;
}

function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined ? '-' : v.toFixed(digits);
}

function table(results: ImageResult[]): string {
  const header = ['image', 'size', 'NoC@85', 'NoC@90', 'IoU@1', 'IoU@2', 'IoU@5', 'box IoU', 'clicks', 'stop'];
  const rows = results.map((r) => {
    const at = (k: number) => (r.ious.length ? r.ious[Math.min(k, r.ious.length) - 1]! : null);
    return [r.name, `${r.width}×${r.height}`, String(r.noc[0]), String(r.noc[1]), fmt(at(1)), fmt(at(2)), fmt(at(5)), fmt(r.boxIoU), String(r.clicks.length), r.stop];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  await loadImageCodecs();
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const args = parseArgs(argv, {
    values: ['model', 'data', 'max-clicks', 'limit', 'write-synthetic'],
    booleans: ['json', 'all-clicks', 'no-box', 'no-refine'],
  });
  if (args.positional.length) fail(ErrorCode.InvalidOption, `unexpected argument ${args.positional[0]} (see --help)`);
  const synthetic = flag(args, 'write-synthetic');
  if (synthetic !== undefined) {
    const samples = syntheticDataset({ twoTone: true });
    await writeSyntheticDataset(synthetic, samples);
    process.stdout.write(`wrote ${samples.length} images to ${synthetic}/images and masks to ${synthetic}/masks\n`);
    return 0;
  }

  const modelSpec = flag(args, 'model');
  const dataDir = flag(args, 'data');
  if (!modelSpec) fail(ErrorCode.InvalidOption, `--model DIR|ID is required (see --help)`);
  if (!dataDir) fail(ErrorCode.InvalidOption, `--data DIR is required (see --help)`);
  const maxClicks = positiveInt(args, 'max-clicks') ?? 20;
  const limit = positiveInt(args, 'limit');
  const json = flag(args, 'json') === 'true';
  const allClicks = flag(args, 'all-clicks') === 'true';
  const useBox = flag(args, 'no-box') !== 'true';
  const refine = flag(args, 'no-refine') !== 'true';

  // The layout is checked before the (possibly slow) model load.
  const items = openDataset(dataDir, { limit });
  const resolved = await resolveModel(modelSpec, { quiet: json });
  const model = await loadSamModel(webRuntime(), resolved.files, { id: resolved.id });
  const log = (s: string) => process.stderr.write(s + '\n');
  const results: ImageResult[] = [];
  const start = Date.now();
  try {
    const segmenter = new Segmenter(model);
    for (const [i, item] of items.entries()) {
      const { image, gt } = loadItem(item);
      const r = await evaluateImage(segmenter, image, gt, {
        name: item.name,
        maxClicks,
        useBox,
        refine,
        minClicks: Math.min(5, maxClicks),
        stopIoU: allClicks ? 2 : 0.9,
      });
      results.push(r);
      if (!json) log(`eval ${i + 1}/${items.length} ${item.name}: NoC@90 ${r.noc[1]}, IoU@1 ${fmt(r.ious[0])}`);
    }
  } finally {
    await model.dispose();
  }

  const s = summarise(results);
  const out = {
    model: resolved.id,
    format: model.format,
    mask_input: model.supports.maskInput,
    refine: refine && model.supports.maskInput,
    data: dataDir,
    max_clicks: maxClicks,
    images: s.images,
    noc85: round(s.noc85, 3),
    noc90: round(s.noc90, 3),
    miou_at: s.miou_at.map((v) => round(v)),
    box_miou: round(s.box_miou),
    failures: s.failures,
    failed: s.failed,
    clicks_mean: round(s.clicks_mean, 2),
    seconds: round((Date.now() - start) / 1000, 1),
    per_image: results.map((r) => ({
      name: r.name,
      width: r.width,
      height: r.height,
      noc85: r.noc[0],
      noc90: r.noc[1],
      ious: r.ious.map((v) => round(v)),
      box_iou: round(r.boxIoU),
      clicks: r.clicks.map((c) => [c.x, c.y, c.label]),
      stop: r.stop,
    })),
  };
  if (!json) {
    const w = (s: string) => process.stdout.write(s + '\n');
    w(`cutout eval: ${resolved.id} (${model.format}; mask input ${model.supports.maskInput ? 'yes' : 'no'}${out.refine ? ', refining' : ''}) on ${dataDir}, ${s.images} images, max ${maxClicks} clicks`);
    w('');
    w(table(results));
    w('');
    w(`  NoC@85           ${fmt(s.noc85, 2)}`);
    w(`  NoC@90           ${fmt(s.noc90, 2)}`);
    s.miou_at.forEach((v, k) => w(`  mIoU@${k + 1}          ${fmt(v, 4)}`));
    w(`  box mIoU         ${fmt(s.box_miou, 4)}`);
    w(`  failures (IoU 0.9 not reached in ${maxClicks} clicks): ${s.failures}${s.failed.length ? ` (${s.failed.join(', ')})` : ''}`);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const info = toErrorInfo(err);
    process.stderr.write(`eval: ${info.message}\n`);
    if (process.env.CUTOUT_DEBUG && err instanceof Error) process.stderr.write(String(err.stack) + '\n');
    process.exitCode = 1;
  },
);
