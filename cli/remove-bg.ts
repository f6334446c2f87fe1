import { existsSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { fail, ErrorCode } from '../core/errors.js';
import { decodeImage } from '../core/image/decode.js';
import { encodePng } from '../core/image/png.js';
import { nodeZlib } from '../node/codecs.js';
import { ScratchBuffers } from '../core/image/scratch.js';
import type { RgbaImage } from '../core/image/types.js';
import { runBatch, type ItemSource } from '../core/jobs/batch.js';
import { loadAnyModel } from '../core/models/load.js';
import { SALIENT_DESCRIPTOR_FILE, type SalientModel } from '../core/models/salient.js';
import type { SegmentModel } from '../core/models/types.js';
import { removeBackground, resolveRemoveBgOptions, REMOVE_BG_STRATEGIES, type RemoveBgStrategy } from '../core/removebg.js';
import { getModel, MODELS } from '../models/registry.js';
import { boolFlag, flag, parseArgs, parseNumber } from '../node/args.js';
import type { Command } from './commands.js';
import { nodeFs, type FsOps } from './fs-ops.js';
import { printJson, readUserFile, writeOutputs } from './io.js';
import { checkOutputs } from './output-plan.js';
import { loadResolved, resolveModel, type ResolvedModel } from '../node/model-source.js';
import { webRuntime } from '../node/runtime.js';

const USAGE = `usage: cutout remove-bg IMAGE... --model DIR|ID [--out-dir DIR] [--strategy salient|salient+sam]
                        [--sam DIR|ID] [--threshold T] [--feather PX] [--fill-holes] [--largest]
                        [--overwrite]

Removes the background of every IMAGE (PNG or JPEG) with a salient model (a folder holding
model.onnx and cutout.json, or a registry id such as u2netp). For each input it writes, into
--out-dir (default .), NAME.png (RGBA, the input's size, background transparent) and
NAME.mask.png (8-bit, 255 = foreground), NAME being the input's file name without its extension.
It never overwrites an input file, and refuses two inputs that would write the same NAME. A file
already there that is not an earlier output of cutout is only replaced with --overwrite.

  --strategy salient       the salient model alone (default)
  --strategy salient+sam   the salient mask's box prompts SAM (--sam DIR|ID); SAM's edge is kept
                           where the two agree, the salient model decides where they do not
  --threshold T            alpha ≥ T is foreground (default 0.5)
  --feather PX             soften the cutout's edge over PX pixels (default 0)
  --fill-holes             fill holes in the mask
  --largest                keep only the largest part (default: all parts)
  --overwrite              replace existing files in --out-dir (never an input)

Prints one JSON line per image as it finishes:
  {"input","ok":true,"output","mask","width","height","foreground","ms","model_ms"}  or  {"input","ok":false,"error"}
then {"summary":{"total","ok","failed","ms","images_per_min","load_ms"}}. A bad image is reported and
the others continue; the exit code is 1 if any image failed, 130 if interrupted, else 0.
CUTOUT_REPORT_RSS=1 adds "rss", "max_rss" (peak so far), "heap_used" and "array_buffers" (bytes) to each line.`;

interface Planned {
  input: string;
  name: string;
  output: string;
  mask: string;
}

/** Output paths per input, checked (output-plan.ts) before any model is loaded. */
export function planOutputs(inputs: string[], outDir: string, overwrite: boolean, fs: FsOps = nodeFs): Planned[] {
  const plans = inputs.map((input) => {
    const name = basename(input, extname(input));
    if (!name) fail(ErrorCode.InvalidOption, `cannot name the output of "${input}": its file name is empty`);
    return { input, name, output: join(outDir, `${name}.png`), mask: join(outDir, `${name}.mask.png`) };
  });
  checkOutputs({
    inputs,
    outputs: plans.flatMap((p) => [
      { path: p.output, from: p.input },
      { path: p.mask, from: p.input },
    ]),
    overwrite,
    option: '--out-dir',
    fs,
  });
  return plans;
}

async function loadSalient(spec: string): Promise<SalientModel> {
  // A registry id of the wrong kind is refused before anything is downloaded.
  const entry = MODELS.find((m) => m.id === spec && !existsSync(spec));
  if (entry && entry.format !== 'salient') {
    fail(ErrorCode.ModelFormat, `--model ${spec} is a ${entry.format} model; remove-bg needs a salient model (${MODELS.filter((m) => m.format === 'salient').map((m) => m.id).join(', ')})`);
  }
  const resolved = await resolveModel(spec, { kind: 'salient' });
  const descriptor = entry && !(SALIENT_DESCRIPTOR_FILE in resolved.files) ? getModel(entry.id).descriptor : undefined;
  const m = await loadResolved(resolved, () => loadAnyModel(webRuntime(), resolved.files, { id: resolved.id, kind: 'salient', descriptor }));
  return m.model as SalientModel;
}

async function loadSam(resolved: ResolvedModel): Promise<SegmentModel> {
  const m = await loadResolved(resolved, () => loadAnyModel(webRuntime(), resolved.files, { id: resolved.id, kind: 'sam' }));
  return m.model as SegmentModel;
}

const round = (v: number, k = 1) => Math.round(v * 10 ** k) / 10 ** k;

/** CUTOUT_REPORT_RSS=1: resident set now and at its peak, and the JS heap and buffers (bytes). */
function memoryReport(): Record<string, number> {
  const m = process.memoryUsage();
  return { rss: m.rss, max_rss: process.resourceUsage().maxRSS * 1024, heap_used: m.heapUsed, array_buffers: m.arrayBuffers };
}

export const removeBg: Command = {
  summary: 'remove the background of images (batch), writing cutouts and masks',
  usage: USAGE,
  async run(argv, fs = nodeFs) {
    const args = parseArgs(argv, {
      values: ['model', 'out-dir', 'strategy', 'sam', 'threshold', 'feather'],
      booleans: ['fill-holes', 'largest', 'overwrite'],
    });
    const inputs = args.positional;
    if (!inputs.length) fail(ErrorCode.InvalidOption, `give at least one IMAGE\n${USAGE}`);
    const modelSpec = flag(args, 'model');
    if (!modelSpec) fail(ErrorCode.InvalidOption, '--model DIR|ID is required (a salient model folder or registry id)');
    const samSpec = flag(args, 'sam');
    const strategyText = flag(args, 'strategy') ?? (samSpec ? 'salient+sam' : 'salient');
    if (!REMOVE_BG_STRATEGIES.includes(strategyText as RemoveBgStrategy)) {
      fail(ErrorCode.InvalidOption, `--strategy must be ${REMOVE_BG_STRATEGIES.join(' or ')}, got "${strategyText}"`);
    }
    const strategy = strategyText as RemoveBgStrategy;
    if (strategy === 'salient+sam' && !samSpec) fail(ErrorCode.InvalidOption, '--strategy salient+sam needs --sam DIR|ID (a SAM model)');
    if (strategy === 'salient' && samSpec) fail(ErrorCode.InvalidOption, '--sam is only used with --strategy salient+sam');
    const threshold = flag(args, 'threshold');
    const feather = flag(args, 'feather');
    const options = resolveRemoveBgOptions({
      strategy,
      threshold: threshold === undefined ? undefined : parseNumber(threshold, '--threshold'),
      feather: feather === undefined ? undefined : parseNumber(feather, '--feather'),
      fillHoles: boolFlag(args, 'fill-holes'),
      largest: boolFlag(args, 'largest'),
    });
    const outDir = resolve(flag(args, 'out-dir') ?? '.');
    const plans = planOutputs(inputs, outDir, boolFlag(args, 'overwrite'), fs);
    const reportRss = process.env.CUTOUT_REPORT_RSS === '1';

    // Everything the user typed is checked before the slow model loads.
    const loadStart = performance.now();
    const samEntry = samSpec && !existsSync(samSpec) ? MODELS.find((m) => m.id === samSpec) : undefined;
    if (samEntry?.format === 'salient') fail(ErrorCode.ModelFormat, `--sam ${samSpec} is a salient model; --sam needs a SAM model`);
    const salient = await loadSalient(modelSpec!);
    let sam: SegmentModel | undefined;
    try {
      if (samSpec) sam = await loadSam(await resolveModel(samSpec, { kind: 'sam' }));
    } catch (err) {
      await salient.dispose();
      throw err;
    }
    const loadMs = performance.now() - loadStart;

    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    // One image at a time (runBatch's default concurrency): its file bytes, pixels and every
    // working buffer up to the encoded PNGs reuse these, grown to the largest image seen, so a
    // long batch stops allocating large blocks once it has met its largest image (see
    // core/image/scratch.ts; the RSS test in test/removebg/memory.test.ts).
    const scratch = new ScratchBuffers();
    const sources: Array<ItemSource<RgbaImage>> = plans.map((p) => ({
      id: p.input,
      name: p.input,
      load: async () => {
        const image = decodeImage(readUserFile(p.input, 'image', scratch), { scratch });
        scratch.dropHuge('file');
        return image;
      },
    }));
    const byInput = new Map(plans.map((p) => [p.input, p]));
    try {
      const summary = await runBatch(
        sources,
        async (image, _item, signal) => {
          // The decoded pixels are this image's alone: the cutout is written over them.
          const r = await removeBackground(image, { salient, sam }, { ...options, inPlace: true }, signal, scratch);
          return {
            // Both PNGs stay in the scratch until onResult has written them.
            cutout: encodePng(r.cutout, { scratch, outputSlot: 'remove-bg.cutout.png', zlib: nodeZlib }),
            mask: encodePng(r.mask, { scratch, outputSlot: 'remove-bg.mask.png', zlib: nodeZlib }),
            width: image.width,
            height: image.height,
            foreground: r.foreground,
            modelMs: r.modelMs,
          };
        },
        {
          signal: controller.signal,
          onResult: (r) => {
            const p = byInput.get(r.id)!;
            const rss = reportRss ? memoryReport() : {};
            if (!r.ok) {
              printJson({ input: p.input, ok: false, error: r.error.message, code: r.error.code, ...rss });
              return;
            }
            const t0 = performance.now();
            writeOutputs(
              [
                { path: p.output, bytes: r.value.cutout },
                { path: p.mask, bytes: r.value.mask },
              ],
              fs,
            );
            printJson({
              input: p.input,
              ok: true,
              output: p.output,
              mask: p.mask,
              width: r.value.width,
              height: r.value.height,
              foreground: round(r.value.foreground, 5),
              ms: round(r.ms + performance.now() - t0),
              model_ms: round(r.value.modelMs),
              ...rss,
            });
          },
        },
      );
      const minutes = summary.elapsedMs / 60_000;
      printJson({
        summary: {
          total: summary.total,
          ok: summary.ok,
          failed: summary.failed,
          ms: round(summary.elapsedMs),
          images_per_min: round(minutes > 0 ? summary.total / minutes : 0),
          load_ms: round(loadMs),
          ...(summary.cancelled ? { cancelled: true, not_done: inputs.length - summary.total } : {}),
        },
      });
      if (summary.cancelled) return 130;
      return summary.failed ? 1 : 0;
    } finally {
      process.off('SIGINT', onSigint);
      await salient.dispose();
      await sam?.dispose();
    }
  },
};
