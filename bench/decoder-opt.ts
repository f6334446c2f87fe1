/**
 * `npx tsx bench/decoder-opt.ts [--runs N] [--no-options] [--json]`: the decoder precompute
 * (core/models/precompute.ts) measured side by side in ONE process, the configurations
 * alternating run by run so they share the machine's noise (other work may be running:
 * compare the ratios, not the absolute times).
 *
 * Figures (medians after warm-up, milliseconds):
 *  - decoder: plain `session.run` with prebuilt feeds on the sam-reference decoder (and the
 *    sam2-reference one) — onnxruntime-web 1 thread on the full graph and on the prompt half,
 *    onnxruntime-node 1 thread on the full graph (the reference) and on the prompt half;
 *  - image half: what `encode` now adds once per image;
 *  - click: the engine's click-to-full-size-mask path (decode + upsample + threshold) with
 *    precompute off and on, and the raw decoder run inside it;
 *  - feed copy: onnxruntime-web copies every input into its heap at each run; a graph that
 *    takes the same inputs and does nothing measures that copy;
 *  - pruning: onnxruntime runs every node whatever is fetched (sam1's full-size `masks`);
 *  - session options on the prompt half;
 *  - the per-operator profile of the prompt half (a child process: the wasm runtime prints
 *    its profile on stdout).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ortWeb from 'onnxruntime-web';
import { decodePng } from '../core/image/png.js';
import { loadSamModel } from '../core/models/sam-model.js';
import { trySplit, type DecoderSplit } from '../core/models/precompute.js';
import { rewriteDecoder } from '../core/models/decoder-rewrite.js';
import { probeDriver, promptHalfFeeds } from '../core/models/split-decoder.js';
import { DRIVERS } from '../core/models/detect.js';
import { frameTransform } from '../core/prompts/frames.js';
import { candidateMask } from '../core/segment.js';
import { buildSam1Decoder } from '../models/analytic/index.js';
import { GraphBuilder } from '../models/analytic/graph.js';
import type { ImageEmbedding, Ort, OrtSession, OrtTensor, SegmentModel, SessionOptions } from '../core/models/types.js';
import { median } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = resolve(process.env.CUTOUT_FIXTURES ?? join(here, '..', '..', 'shared', 'fixtures'));
const dir = join(fixtures, 'sam-reference');
const argv = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const RUNS = arg('--runs', 21);
const WARMUP = 3;
const log = (s: string) => process.stderr.write(s + '\n');

ortWeb.env.wasm.numThreads = 1;
ortWeb.env.logLevel = 'error';
const web = ortWeb as unknown as Ort;

type Job = () => Promise<unknown>;

/** Runs the jobs in turn (a, b, c, a, b, c, ...) and returns each one's samples. */
async function alternate(jobs: Record<string, Job>, runs = RUNS, warmup = WARMUP): Promise<Record<string, number[]>> {
  const names = Object.keys(jobs);
  for (let i = 0; i < warmup; i++) for (const n of names) await jobs[n]!();
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (const n of names) {
      const t = performance.now();
      await jobs[n]!();
      samples[n]!.push(performance.now() - t);
    }
  }
  return samples;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function table(title: string, rows: Array<[string, number | string]>): void {
  log(`\n${title}`);
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) log(`  ${k.padEnd(w)}  ${v}`);
}

/** Per-operator profile of the prompt half, from a child process (see `profileChild`). */
function profilePromptHalf(): { ops: Array<[string, number, number]>; nodes: Array<[string, number]>; runMs: number } | undefined {
  // The profile goes to a file: the wasm runtime writes it to stdout synchronously, which a
  // pipe may refuse (EAGAIN) when it is large.
  const file = join(mkdtempSync(join(tmpdir(), 'cutout-profile-')), 'profile.json');
  const fd = openSync(file, 'w');
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--profile-child'], {
    stdio: ['ignore', fd, 'inherit'],
  });
  closeSync(fd);
  const text = readFileSync(file, 'utf8');
  rmSync(dirname(file), { recursive: true, force: true });
  const start = text.indexOf('[\n{');
  const end = text.lastIndexOf(']');
  if (r.status !== 0 || start < 0) {
    log(`profile child failed (exit ${r.status})`);
    return undefined;
  }
  const events = JSON.parse(text.slice(start, end + 1)) as Array<{ cat: string; name: string; dur: number; args: { op_name?: string } }>;
  const runs = events.filter((e) => e.name === 'model_run').slice(WARMUP);
  const runCount = runs.length;
  // Kernel events after the warm-up runs: the profile lists runs in order.
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const perRun = kernels.length / (runCount + WARMUP);
  const steady = kernels.slice(Math.round(perRun * WARMUP));
  const byOp = new Map<string, number>();
  const byNode = new Map<string, number>();
  for (const e of steady) {
    const op = e.args.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur / 1000 / runCount);
    const node = `${e.name.replace(/_kernel_time$/, '')} (${op})`;
    byNode.set(node, (byNode.get(node) ?? 0) + e.dur / 1000 / runCount);
  }
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  return {
    ops: [...byOp.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v, v / total]),
    nodes: [...byNode.entries()].sort((a, b) => b[1] - a[1]),
    runMs: median(runs.map((e) => e.dur / 1000)),
  };
}

async function profileChild(): Promise<void> {
  const { split, rewritten, promptFeeds } = await prepare();
  const s = await ortWeb.InferenceSession.create(argv.includes('--as-split') ? split.promptGraph : rewritten, { enableProfiling: true });
  for (let i = 0; i < WARMUP + 10; i++) await s.run(promptFeeds);
  s.endProfiling();
  await new Promise((r) => setTimeout(r, 200));
}

/** The decoder, its split as the engine makes it, and feeds for both (one click). */
async function prepare(fixture: 'sam-reference' | 'sam2-reference' = 'sam-reference') {
  const decoderBytes = new Uint8Array(readFileSync(join(fixtures, fixture, 'onnx', 'prompt_encoder_mask_decoder.onnx')));
  const full = await ortWeb.InferenceSession.create(decoderBytes);
  const format = fixture === 'sam-reference' ? 'sam-hf' : 'sam2-hf';
  const driver = DRIVERS[format];
  const probe = probeDriver(web, driver, full);
  const imageInputs = full.inputNames.filter((n) => driver.encoder.outputs.includes(n));
  const t0 = performance.now();
  const split = trySplit(decoderBytes, imageInputs, { fixedDims: probe.fixedDims, outputs: full.outputNames.filter((n) => probe.fetch.includes(n)) });
  const splitMs = performance.now() - t0;
  if (typeof split === 'string') throw new Error(`no split: ${split}`);
  const noise = (n: number, seed: number) => {
    const a = new Float32Array(n);
    let s = seed;
    for (let i = 0; i < n; i++) a[i] = ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
    return a;
  };
  const emb: Record<string, OrtTensor> = {};
  imageInputs.forEach((n, k) => {
    const meta = full.inputMetadata.find((m) => m.name === n) as unknown as { shape: Array<number | string> };
    const dims = meta.shape.map((d) => (typeof d === 'number' ? d : 1));
    emb[n] = new ortWeb.Tensor('float32', noise(dims.reduce((a, b) => a * b, 1), 7 + k), dims);
  });
  const t = frameTransform(driver.resize, { width: 512, height: 512 });
  const { feeds, fetch } = driver.decodeFeeds(web, full, emb, { points: [{ x: 256, y: 200, label: 1 }] }, t);
  const image = await ortWeb.InferenceSession.create(split.imageGraph);
  const boundary = await image.run(Object.fromEntries(image.inputNames.map((n) => [n, emb[n]!])));
  const promptFeeds = promptHalfFeeds(web, split, new Set(split.promptInputs), feeds, boundary, emb);
  const rw = rewriteDecoder(split.promptGraph);
  if (typeof rw === 'string') throw new Error(`no rewrite: ${rw}`);
  return { decoderBytes, full, split, splitMs, rewritten: rw.graph, rewriteMs: rw.ms, image, emb, feeds, fetch, promptFeeds, boundary };
}

async function main(): Promise<void> {
  if (argv[0] === '--profile-child') return profileChild();
  const out: Record<string, unknown> = {};
  const p = await prepare();
  const { split } = p;
  const boundaryMB = split.boundary.reduce((s, n) => s + (p.boundary[n]!.data as Float32Array).byteLength, 0) / 2 ** 20;
  const embMB = Object.values(p.emb).reduce((s, t) => s + (t.data as Float32Array).byteLength, 0) / 2 ** 20;
  table('split (sam-reference decoder)', [
    ['split time (ms)', r1(p.splitMs)],
    ['nodes: image half / prompt half / original', `${split.stats.imageNodes} / ${split.stats.promptNodes} / ${split.stats.nodes}`],
    ['image-half ops', Object.entries(split.stats.imageOps).map(([k, v]) => `${v} ${k}`).join(', ')],
    ['boundary tensors', split.boundary.map((b) => `${b.split('/').slice(-2).join('/')} [${split.boundaryInfo[b]!.dims?.join(',')}]`).join('; ')],
    ['cached per image: embeddings (MB)', r1(embMB)],
    ['cached per image: boundary added (MB)', r1(boundaryMB)],
  ]);
  Object.assign(out, { 'split.ms': r1(p.splitMs), 'cache.embeddings_mb': r1(embMB), 'cache.boundary_added_mb': r1(boundaryMB) });

  // 1. Raw decoder: wasm full vs wasm prompt half vs native full (and native prompt half).
  const ortNode = (await import('onnxruntime-node')) as unknown as Ort;
  const native1: SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' } as SessionOptions;
  const nFull = await ortNode.InferenceSession.create(p.decoderBytes, native1);
  const nPrompt = await ortNode.InferenceSession.create(split.promptGraph, native1);
  const toNode = (f: Record<string, OrtTensor>) =>
    Object.fromEntries(Object.entries(f).map(([k, v]) => [k, new ortNode.Tensor(v.type as 'float32', v.data as Float32Array, v.dims)]));
  const nFullFeeds = toNode({ ...p.feeds });
  const nPromptFeeds = toNode(p.promptFeeds);
  const wPrompt = await ortWeb.InferenceSession.create(split.promptGraph);
  const wRewritten = await ortWeb.InferenceSession.create(p.rewritten);
  log(`\ntiming the decoder (${RUNS} runs each, alternating) ...`);
  const dec = await alternate({
    wasm1_full: () => p.full.run(p.feeds, p.fetch),
    wasm1_split: () => wPrompt.run(p.promptFeeds, p.fetch),
    wasm1_rewritten: () => wRewritten.run(p.promptFeeds, p.fetch),
    native1_full: () => nFull.run(nFullFeeds, p.fetch),
    native1_split: () => nPrompt.run(nPromptFeeds, p.fetch),
    image_half_wasm1: () => p.image.run(p.emb), // sam-hf: the image half reads both embeddings
  });
  const m = Object.fromEntries(Object.entries(dec).map(([k, v]) => [k, median(v)])) as Record<string, number>;
  table('decoder, medians (ms)', [
    ['wasm1 full graph', r1(m.wasm1_full!)],
    ['wasm1 prompt half (split)', r1(m.wasm1_split!)],
    [`wasm1 prompt half, rewritten (rewrite ${r1(p.rewriteMs)} ms)`, r1(m.wasm1_rewritten!)],
    ['native1 full graph (reference)', r1(m.native1_full!)],
    ['native1 prompt half', r1(m.native1_split!)],
    ['image half, wasm1 (once per image)', r1(m.image_half_wasm1!)],
    ['ratio wasm1 full / native1 full', r3(m.wasm1_full! / m.native1_full!)],
    ['ratio wasm1 split / native1 full', r3(m.wasm1_split! / m.native1_full!)],
    ['ratio wasm1 split / wasm1 full', r3(m.wasm1_split! / m.wasm1_full!)],
    ['ratio wasm1 rewritten / native1 full', r3(m.wasm1_rewritten! / m.native1_full!)],
    ['ratio wasm1 rewritten / wasm1 split', r3(m.wasm1_rewritten! / m.wasm1_split!)],
  ]);
  Object.assign(out, {
    'decoder.wasm1_full_ms': r1(m.wasm1_full!),
    'decoder.wasm1_split_ms': r1(m.wasm1_split!),
    'decoder.native1_ms': r1(m.native1_full!),
    'decoder.native1_split_ms': r1(m.native1_split!),
    'decoder.image_half_wasm1_ms': r1(m.image_half_wasm1!),
    'ratio.wasm1_full_over_native1': r3(m.wasm1_full! / m.native1_full!),
    'ratio.wasm1_split_over_native1': r3(m.wasm1_split! / m.native1_full!),
    'decoder.wasm1_rewritten_ms': r1(m.wasm1_rewritten!),
    'ratio.wasm1_rewritten_over_native1': r3(m.wasm1_rewritten! / m.native1_full!),
  });

  // 1b. The same on the SAM 2 (hiera-tiny) decoder.
  const q = await prepare('sam2-reference');
  const qnFull = await ortNode.InferenceSession.create(q.decoderBytes, native1);
  const qnFeeds = toNode({ ...q.feeds });
  const qPrompt = await ortWeb.InferenceSession.create(q.split.promptGraph);
  const qRewritten = await ortWeb.InferenceSession.create(q.rewritten);
  const q2 = await alternate({
    wasm1_full: () => q.full.run(q.feeds, q.fetch),
    wasm1_split: () => qPrompt.run(q.promptFeeds, q.fetch),
    wasm1_rewritten: () => qRewritten.run(q.promptFeeds, q.fetch),
    native1_full: () => qnFull.run(qnFeeds, q.fetch),
  });
  const qm = Object.fromEntries(Object.entries(q2).map(([k, v]) => [k, median(v)])) as Record<string, number>;
  const qBoundaryMB = q.split.boundary.reduce((s, n) => s + (q.boundary[n]!.data as Float32Array).byteLength, 0) / 2 ** 20;
  table('sam2-reference decoder, medians (ms)', [
    ['wasm1 full graph', r1(qm.wasm1_full!)],
    ['wasm1 prompt half (split)', r1(qm.wasm1_split!)],
    ['wasm1 prompt half, rewritten', r1(qm.wasm1_rewritten!)],
    ['native1 full graph (reference)', r1(qm.native1_full!)],
    ['ratio wasm1 full / native1 full', r3(qm.wasm1_full! / qm.native1_full!)],
    ['ratio wasm1 split / native1 full', r3(qm.wasm1_split! / qm.native1_full!)],
    ['ratio wasm1 rewritten / native1 full', r3(qm.wasm1_rewritten! / qm.native1_full!)],
    ['boundary added per image (MB)', `${r1(qBoundaryMB)} (+${Object.keys(q.split.aliases).length} views of the embeddings, no copy)`],
  ]);
  Object.assign(out, {
    'sam2.decoder.wasm1_full_ms': r1(qm.wasm1_full!),
    'sam2.decoder.wasm1_split_ms': r1(qm.wasm1_split!),
    'sam2.decoder.wasm1_rewritten_ms': r1(qm.wasm1_rewritten!),
    'sam2.decoder.native1_ms': r1(qm.native1_full!),
    'sam2.cache.boundary_added_mb': r1(qBoundaryMB),
  });

  // 2. The click path through the engine, precompute off vs on (same embedding).
  const files = {
    'vision_encoder.onnx': new Uint8Array(readFileSync(join(dir, 'onnx', 'vision_encoder_quantized.onnx'))),
    'prompt_encoder_mask_decoder.onnx': p.decoderBytes,
  };
  const on = (await loadSamModel(web, files, { id: 'ref' })) as SegmentModel & { optimisations: string[] };
  const off = await loadSamModel(web, files, { id: 'ref', precompute: false });
  const splitOnly = await loadSamModel(web, files, { id: 'ref', rewrite: false });
  log(`engine: ${on.optimisations.join(' | ')}`);
  const image = decodePng(new Uint8Array(readFileSync(join(dir, 'images', 'astronaut.png'))));
  log('encoding the image (quantized encoder) ...');
  const tOn = performance.now();
  const emb: ImageEmbedding = await on.encode(image);
  const encodeOn = performance.now() - tOn;
  const prompt = { points: [{ x: 256, y: 200, label: 1 as const }] };
  const inner: Record<string, number[]> = { off: [], on: [], split: [] };
  const click = (model: SegmentModel, key: 'on' | 'off' | 'split') => async () => {
    const r = await model.decode(emb, prompt);
    inner[key]!.push(r.decodeMs);
    candidateMask(r);
  };
  log(`timing the click path (${RUNS} runs each, alternating) ...`);
  // The native reference alternates with the clicks, so `decoder.wasm1_ms / decoder.native1_ms` shares their load.
  const clk = await alternate({ off: click(off, 'off'), split: click(splitOnly, 'split'), on: click(on, 'on'), native: () => nFull.run(nFullFeeds, p.fetch) });
  const innerMed = (k: string) => median(inner[k]!.slice(WARMUP));
  table('click to full-size mask (engine), medians (ms)', [
    ['precompute off: total', r1(median(clk.off!))],
    ['precompute off: decoder inside', r1(innerMed('off'))],
    ['precompute on, rewrite off: total', r1(median(clk.split!))],
    ['precompute on, rewrite off: decoder inside', r1(innerMed('split'))],
    ['precompute on: total', r1(median(clk.on!))],
    ['precompute on: decoder inside (feeds + prompt half + read)', r1(innerMed('on'))],
    ['native1 full graph, alternating with the clicks', r1(median(clk.native!))],
    ['ratio decoder inside (on) / native1', r3(innerMed('on') / median(clk.native!))],
    ['ratio decoder inside (rewrite off) / native1', r3(innerMed('split') / median(clk.native!))],
    ['ratio total / decoder (on)', r3(median(clk.on!) / innerMed('on'))],
    ['ratio total on / total off', r3(median(clk.on!) / median(clk.off!))],
    ['embedding bytes per image (MB, on)', r1(emb.bytes / 2 ** 20)],
    ['encode incl. image half (ms, one run)', r1(encodeOn)],
  ]);
  Object.assign(out, {
    'click.total_off_ms': r1(median(clk.off!)),
    'click.decoder_off_ms': r1(innerMed('off')),
    'click.total_ms': r1(median(clk.on!)),
    'click.total_rewrite_off_ms': r1(median(clk.split!)),
    'decoder.wasm1_ms': r1(innerMed('on')),
    'decoder.wasm1_rewrite_off_ms': r1(innerMed('split')),
    'decoder.native1_alternating_ms': r1(median(clk.native!)),
    'ratio.decoder_wasm1_over_native1': r3(innerMed('on') / median(clk.native!)),
    'ratio.decoder_wasm1_rewrite_off_over_native1': r3(innerMed('split') / median(clk.native!)),
    'click.decoder_ms': r1(innerMed('on')),
    'ratio.click_total_over_decoder': r3(median(clk.on!) / innerMed('on')),
    'cache.embedding_mb': r1(emb.bytes / 2 ** 20),
    optimisations: on.optimisations,
  });

  // 3. What feeding costs: a graph with the same inputs that computes nothing.
  const g = new GraphBuilder('feeds');
  for (const n of split.promptInputs) {
    const t = p.promptFeeds[n]!;
    g.input(n, t.type === 'int64' ? 'int64' : 'float', t.dims);
  }
  g.op('Shape', [split.promptInputs[0]!], {}, 'shape');
  g.output('shape', 'int64', [p.promptFeeds[split.promptInputs[0]!]!.dims.length]);
  const feedOnly = await ortWeb.InferenceSession.create(g.serialize());
  const g2 = new GraphBuilder('feeds-full');
  for (const [n, t] of Object.entries(p.feeds)) g2.input(n, t.type === 'int64' ? 'int64' : 'float', t.dims);
  g2.op('Shape', ['input_points'], {}, 'shape');
  g2.output('shape', 'int64', [4]);
  const feedOnlyFull = await ortWeb.InferenceSession.create(g2.serialize());
  const fc = await alternate({ split: () => feedOnly.run(p.promptFeeds), full: () => feedOnlyFull.run(p.feeds) });
  table('feed copy per run (a graph that reads nothing), medians (ms)', [
    ['prompt-half inputs', `${r1(median(fc.split!))} (${r1(boundaryMB)} MB)`],
    ['full-graph inputs', `${r1(median(fc.full!))} (${r1(embMB)} MB)`],
  ]);
  Object.assign(out, { 'feeds.split_copy_ms': r1(median(fc.split!)), 'feeds.full_copy_ms': r1(median(fc.full!)) });

  // 4. Unfetched outputs: sam1 (analytic) with and without its full-size `masks` in the graph.
  const sam1Bytes = buildSam1Decoder();
  const s1 = await ortWeb.InferenceSession.create(sam1Bytes);
  const s1Probe = probeDriver(web, DRIVERS.sam1, s1);
  const s1Split = trySplit(sam1Bytes, ['image_embeddings'], { fixedDims: s1Probe.fixedDims, outputs: ['iou_predictions', 'low_res_masks'] }) as DecoderSplit;
  const s1Image = await ortWeb.InferenceSession.create(s1Split.imageGraph);
  const s1Prompt = await ortWeb.InferenceSession.create(s1Split.promptGraph);
  const s1Emb = { image_embeddings: p.emb.image_embeddings! };
  const s1T = frameTransform('longest', { width: 4000, height: 3000 });
  const s1Feeds = DRIVERS.sam1.decodeFeeds(web, s1, s1Emb, { points: [{ x: 900, y: 700, label: 1 }] }, s1T);
  const s1Boundary = await s1Image.run(s1Emb);
  const s1PromptFeeds = promptHalfFeeds(web, s1Split, new Set(s1Split.promptInputs), s1Feeds.feeds, s1Boundary, s1Emb);
  const pr = await alternate({
    fetch_two: () => s1.run(s1Feeds.feeds, s1Feeds.fetch),
    fetch_all: () => s1.run(s1Feeds.feeds),
    pruned: () => s1Prompt.run(s1PromptFeeds, s1Feeds.fetch),
  });
  table('sam1 (analytic decoder; orig_im_size = the 1024×768 frame), medians (ms)', [
    ['full graph, fetching iou_predictions + low_res_masks', r1(median(pr.fetch_two!))],
    ['full graph, fetching everything (masks too)', r1(median(pr.fetch_all!))],
    ['prompt half without `masks`', r1(median(pr.pruned!))],
  ]);
  Object.assign(out, { 'sam1.fetch_two_ms': r1(median(pr.fetch_two!)), 'sam1.fetch_all_ms': r1(median(pr.fetch_all!)), 'sam1.pruned_ms': r1(median(pr.pruned!)) });

  // 5. Session options on the prompt half (and freeDimensionOverrides on the full graph).
  if (!argv.includes('--no-options')) {
    const variants: Record<string, [Uint8Array, SessionOptions, Record<string, OrtTensor>]> = {
      'split, defaults (all)': [split.promptGraph, {}, p.promptFeeds],
      'split, extended': [split.promptGraph, { graphOptimizationLevel: 'extended' }, p.promptFeeds],
      'split, basic': [split.promptGraph, { graphOptimizationLevel: 'basic' }, p.promptFeeds],
      'split, enableMemPattern false': [split.promptGraph, { enableMemPattern: false }, p.promptFeeds],
      'split, enableCpuMemArena false': [split.promptGraph, { enableCpuMemArena: false }, p.promptFeeds],
      'split, executionMode parallel': [split.promptGraph, { executionMode: 'parallel' }, p.promptFeeds],
      'split, session.disable_prepacking': [split.promptGraph, { extra: { session: { disable_prepacking: '1' } } }, p.promptFeeds],
      'split, session.set_denormal_as_zero (inexact)': [split.promptGraph, { extra: { session: { set_denormal_as_zero: '1' } } }, p.promptFeeds],
      'full, defaults': [p.decoderBytes, {}, p.feeds],
      'full, freeDimensionOverrides batch/point batch = 1': [p.decoderBytes, { freeDimensionOverrides: { batch_size: 1, point_batch_size: 1 } }, p.feeds],
    };
    const sessions: Record<string, [OrtSession, Record<string, OrtTensor>]> = {};
    for (const [k, [bytes, o, f]] of Object.entries(variants)) {
      sessions[k] = [await ortWeb.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', ...o }), f];
    }
    log(`timing ${Object.keys(sessions).length} session-option variants (${Math.max(11, Math.round(RUNS / 2))} runs each, alternating) ...`);
    const opt = await alternate(
      Object.fromEntries(Object.entries(sessions).map(([k, [s, f]]) => [k, () => s.run(f, p.fetch)])),
      Math.max(11, Math.round(RUNS / 2)),
      2,
    );
    const base = median(opt['split, defaults (all)']!);
    const baseFull = median(opt['full, defaults']!);
    table(
      'session options, medians (ms) and ratio to the defaults',
      Object.entries(opt).map(([k, v]) => [k, `${r1(median(v))}  (${r3(median(v) / (k.startsWith('full') ? baseFull : base))})`]),
    );
    out.options = Object.fromEntries(Object.entries(opt).map(([k, v]) => [k, r1(median(v))]));
  }

  // 6. Where the prompt half's time goes.
  log('\nprofiling the prompt half (child process) ...');
  const prof = profilePromptHalf();
  if (prof) {
    table(
      `prompt half, per operator (ms per run; profiled run ${r1(prof.runMs)} ms)`,
      prof.ops.slice(0, 12).map(([k, v, f]) => [k, `${r1(v)}  ${(100 * f).toFixed(1)} %`]),
    );
    table('prompt half, top nodes (ms per run)', prof.nodes.slice(0, 12).map(([k, v]) => [k, r1(v)]));
    out.profile_top10 = prof.ops.slice(0, 10).map(([k, v, f]) => `${k} ${r1(v)} ms (${(100 * f).toFixed(1)} %)`);
  }
  if (argv.includes('--json')) process.stdout.write(JSON.stringify(out) + '\n');
  await Promise.all([on.dispose(), off.dispose(), splitOnly.dispose()]);
}

main().catch((err: unknown) => {
  process.stderr.write(`decoder-opt: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
