import { join, resolve } from 'node:path';
import { decodeImage } from '../core/image/decode.js';
import { encodePng } from '../core/image/png.js';
import { loadAnyModel } from '../core/models/load.js';
import { EVERYTHING_DEFAULTS, segmentEverything } from '../core/everything/index.js';
import { fail, ErrorCode } from '../core/errors.js';
import { boolFlag, flag, parseArgs, parseNumber } from '../node/args.js';
import type { Command } from './commands.js';
import { lstatOrUndefined, nodeFs, type FsOps } from './fs-ops.js';
import { isOwnOutput } from './own-output.js';
import { printJson, readUserFile, writeOutputs } from './io.js';
import { checkOutputs } from './output-plan.js';
import { loadResolved, resolveModel } from '../node/model-source.js';
import { webRuntime } from '../node/runtime.js';

const USAGE = `usage: cutout everything IMAGE --model DIR|ID [--points-per-side N] [--pred-iou-thresh T]
                         [--stability-thresh S] [--min-area PX] [--exact] [--out-dir DIR] [--overwrite]

Finds every object in the image (Segment Anything's automatic mask generator): a grid of
N × N clicks (default 32), each candidate mask kept when its predicted IoU is above T (0.88)
and its stability score at least S (0.95), duplicates removed (box IoU above 0.7), holes and
islands under PX pixels removed (default 0: none). Points already inside a found object are
not decoded again; --exact decodes every point, as the reference does (slower).
Writes mask-0.png, mask-1.png, ... (255 inside, largest object first) and masks.json (per
mask: file, area, bbox [x, y, w, h] in image pixels, predicted_iou, stability_score,
point_coords, crop_box) into --out-dir (default .), and prints
{"width","height","format","count","timings":{"encode_ms","everything_ms"},"decoder_runs"}.
This is the slowest command: it runs the decoder once per grid point (hundreds of times).
Files there that are not earlier outputs of cutout are only replaced with --overwrite; IMAGE never.`;

export const everything: Command = {
  summary: 'find every object in an image (one mask per object)',
  usage: USAGE,
  async run(argv, fs = nodeFs) {
    const args = parseArgs(argv, {
      values: ['model', 'points-per-side', 'pred-iou-thresh', 'stability-thresh', 'min-area', 'out-dir'],
      booleans: ['overwrite', 'exact'],
    });
    if (args.positional.length !== 1) fail(ErrorCode.InvalidOption, `give exactly one IMAGE (got ${args.positional.length})\n${USAGE}`);
    const modelSpec = flag(args, 'model');
    if (!modelSpec) fail(ErrorCode.InvalidOption, '--model DIR|ID is required');
    const outDir = resolve(flag(args, 'out-dir') ?? '.');
    const number = (name: string, min: number, max: number, whole = false): number | undefined => {
      const text = flag(args, name);
      if (text === undefined) return undefined;
      const n = parseNumber(text, `--${name}`, { min, max });
      if (whole && !Number.isInteger(n)) fail(ErrorCode.InvalidOption, `--${name} must be a whole number, got ${text}`);
      return n;
    };
    const pointsPerSide = number('points-per-side', 1, 128, true) ?? 32;
    const options = {
      pointsPerSide,
      predIouThresh: number('pred-iou-thresh', 0, 1),
      stabilityScoreThresh: number('stability-thresh', 0, 1),
      minMaskRegionArea: number('min-area', 0, Number.MAX_SAFE_INTEGER, true),
      skipCovered: !boolFlag(args, 'exact'),
    };

    // Everything the user typed is checked before the slow model load, the outputs first. How
    // many masks come back is known only at the end: plan for the most there can be (three
    // candidates per grid point), so a file that would be replaced is refused now.
    const imagePath = args.positional[0]!;
    const most = 3 * pointsPerSide * pointsPerSide;
    const planned = [join(outDir, 'masks.json'), ...Array.from({ length: most }, (_, k) => maskPath(outDir, k))];
    checkOutputs({ inputs: [imagePath], outputs: planned.map((path) => ({ path })), overwrite: boolFlag(args, 'overwrite'), option: '--out-dir', fs });
    const image = decodeImage(readUserFile(imagePath, 'image'));

    const resolved = await resolveModel(modelSpec, { kind: 'sam' });
    // Hundreds of decodes per image: the decoder's image half is worth computing once.
    const loaded = await loadResolved(resolved, () => loadAnyModel(webRuntime(), resolved.files, { id: resolved.id, kind: 'sam', precompute: true }));
    if (loaded.kind !== 'sam') return fail(ErrorCode.ModelFormat, 'everything needs a SAM model (one that segments at a click), not a background-removal model');
    const model = loaded.model;
    try {
      const embedding = await model.encode(image);
      const r = await segmentEverything(model, embedding, options);
      if (r.masks.length > most) fail(ErrorCode.ModelFormat, `the model returned ${r.masks.length} masks; at most ${most} were planned`);
      const files: Array<{ path: string; bytes: Uint8Array | string }> = r.masks.map((m, k) => ({ path: maskPath(outDir, k), bytes: encodePng(m.segmentation) }));
      const records = r.masks.map((m, k) => ({
        file: `mask-${k}.png`,
        area: m.area,
        bbox: m.bbox,
        predicted_iou: m.predicted_iou,
        stability_score: m.stability_score,
        point_coords: m.point_coords,
        crop_box: m.crop_box,
      }));
      const used = {
        points_per_side: pointsPerSide,
        pred_iou_thresh: options.predIouThresh ?? EVERYTHING_DEFAULTS.predIouThresh,
        stability_score_thresh: options.stabilityScoreThresh ?? EVERYTHING_DEFAULTS.stabilityScoreThresh,
        stability_score_offset: EVERYTHING_DEFAULTS.stabilityScoreOffset,
        box_nms_thresh: EVERYTHING_DEFAULTS.boxNmsThresh,
        min_mask_region_area: options.minMaskRegionArea ?? EVERYTHING_DEFAULTS.minMaskRegionArea,
        skip_covered: options.skipCovered,
      };
      const json = { width: image.width, height: image.height, format: model.format, model: resolved.id, options: used, masks: records, stats: r.stats };
      writeOutputs([...files, { path: join(outDir, 'masks.json'), bytes: JSON.stringify(json) }], fs);
      removeStaleMasks(outDir, r.masks.length, most, fs);
      printJson({
        width: image.width,
        height: image.height,
        format: model.format,
        count: r.masks.length,
        timings: { encode_ms: round(embedding.encodeMs), everything_ms: round(r.stats.totalMs) },
        decoder_runs: r.stats.decoderRuns,
      });
      return 0;
    } finally {
      await model.dispose();
    }
  },
};

const maskPath = (dir: string, k: number) => join(dir, `mask-${k}.png`);

/**
 * An earlier run that found more objects left mask-N.png files past this run's count: without
 * this they would sit beside a masks.json that no longer lists them, as if they belonged to it.
 * Only files we wrote and nobody changed since go; anything else is the user's and stays.
 */
function removeStaleMasks(dir: string, count: number, most: number, fsOps: FsOps): void {
  for (let k = count; k < most; k++) {
    const path = maskPath(dir, k);
    if (!lstatOrUndefined(fsOps, path)?.isFile()) continue;
    if (isOwnOutput(fsOps.readFileSync(path))) fsOps.unlinkSync(path);
  }
}
const round = (ms: number) => Math.round(ms * 10) / 10;
