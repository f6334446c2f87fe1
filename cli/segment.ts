import { join, resolve } from 'node:path';
import { decodeImage } from '../core/image/decode.js';
import { encodePng } from '../core/image/png.js';
import { nodeZlib } from '../node/codecs.js';
import { maskArea } from '../core/masks/measure.js';
import { loadAnyModel } from '../core/models/load.js';
import type { PointLabel, Prompt } from '../core/prompts/types.js';
import { validatePrompt } from '../core/prompts/validate.js';
import { candidateMask, Segmenter } from '../core/segment.js';
import { fail, ErrorCode } from '../core/errors.js';
import { boolFlag, flag, parseArgs, parseNumberList } from '../node/args.js';
import type { Command } from './commands.js';
import { nodeFs } from './fs-ops.js';
import { printJson, readUserFile, writeOutputs } from './io.js';
import { checkOutputs } from './output-plan.js';
import { loadResolved, resolveModel } from '../node/model-source.js';
import { webRuntime } from '../node/runtime.js';

const USAGE = `usage: cutout segment IMAGE --model DIR|ID [--point X,Y[,LABEL]]... [--box X0,Y0,X1,Y1] [--out-dir DIR]
                      [--overwrite]

Segments the object at the prompt. Coordinates are original image pixels (x right, y down);
LABEL 1 (default) = foreground, 0 = background. Writes mask-0.png, mask-1.png, ... (one per
candidate, 255 inside) and mask.png (the selected one) into --out-dir (default .), and prints
{"width","height","format","scores","selected","areas","timings":{"encode_ms","decode_ms"}}.
Files there that are not earlier outputs of cutout are only replaced with --overwrite; IMAGE never.`;

/** Parses --point and --box values into a prompt (original pixels). */
export function promptFromArgs(points: string[], box: string | undefined): Prompt {
  const prompt: Prompt = {
    points: points.map((text) => {
      const [x, y, label = 1] = parseNumberList(text, `--point ${text}`, [2, 3]);
      if (label !== 0 && label !== 1) fail(ErrorCode.InvalidPrompt, `--point ${text}: LABEL must be 1 (foreground) or 0 (background)`);
      return { x: x!, y: y!, label: label as PointLabel };
    }),
  };
  if (box !== undefined) {
    const [x0, y0, x1, y1] = parseNumberList(box, `--box ${box}`, [4]);
    prompt.box = { x0: x0!, y0: y0!, x1: x1!, y1: y1! };
  }
  if (!prompt.points.length && !prompt.box) fail(ErrorCode.InvalidPrompt, 'give at least one --point X,Y or a --box X0,Y0,X1,Y1');
  return prompt;
}

export const segment: Command = {
  summary: 'segment an object in an image from points and/or a box',
  usage: USAGE,
  async run(argv, fs = nodeFs) {
    const args = parseArgs(argv, { values: ['model', 'point', 'box', 'out-dir'], booleans: ['overwrite'] });
    if (args.positional.length !== 1) fail(ErrorCode.InvalidOption, `give exactly one IMAGE (got ${args.positional.length})\n${USAGE}`);
    const modelSpec = flag(args, 'model');
    if (!modelSpec) fail(ErrorCode.InvalidOption, '--model DIR|ID is required');
    const outDir = resolve(flag(args, 'out-dir') ?? '.');
    const prompt = promptFromArgs(args.flags.get('point') ?? [], flag(args, 'box'));

    // Everything the user typed is checked before the slow model load, the outputs first.
    const imagePath = args.positional[0]!;
    // How many candidates the model returns is known only once it is loaded: plan for the most
    // any supported model gives, so a file that would be replaced is refused now, not later.
    const planned = [...Array.from({ length: MAX_CANDIDATES }, (_, k) => join(outDir, `mask-${k}.png`)), join(outDir, 'mask.png')];
    checkOutputs({ inputs: [imagePath], outputs: planned.map((path) => ({ path })), overwrite: boolFlag(args, 'overwrite'), option: '--out-dir', fs });
    const image = decodeImage(readUserFile(imagePath, 'image'));
    validatePrompt(prompt, image);

    const resolved = await resolveModel(modelSpec, { kind: 'sam' });
    // One prompt per run: precomputing the decoder's image half would cost more than it saves.
    const loaded = await loadResolved(resolved, () => loadAnyModel(webRuntime(), resolved.files, { id: resolved.id, kind: 'sam', precompute: false }));
    if (loaded.kind !== 'sam') return fail(ErrorCode.ModelFormat, 'segment needs a SAM model');
    const model = loaded.model;
    try {
      const seg = new Segmenter(model);
      const { encodeMs } = await seg.setImage(image);
      const p = await seg.predict(prompt);
      const masks = p.lowRes.map((_, k) => candidateMask(p, k));
      if (masks.length > MAX_CANDIDATES) fail(ErrorCode.ModelFormat, `the model returned ${masks.length} masks; segment writes at most ${MAX_CANDIDATES}`);
      const files = masks.map((m, k) => ({ path: join(outDir, `mask-${k}.png`), bytes: encodePng(m, { zlib: nodeZlib }) }));
      files.push({ path: join(outDir, 'mask.png'), bytes: files[p.selected]!.bytes });
      writeOutputs(files, fs);
      printJson({
        width: image.width,
        height: image.height,
        format: model.format,
        scores: p.scores,
        selected: p.selected,
        areas: masks.map(maskArea),
        ...(p.objectScore !== undefined ? { object_score: p.objectScore } : {}),
        ...(p.fallbacks.length ? { fallbacks: p.fallbacks } : {}),
        timings: { encode_ms: round(encodeMs), decode_ms: round(p.decodeMs) },
      });
      return 0;
    } finally {
      await model.dispose();
    }
  },
};

const round = (ms: number) => Math.round(ms * 10) / 10;

/** SAM 1 and 2 decoders give 3 multimask candidates, some exports a 4th (the single-mask one). */
const MAX_CANDIDATES = 4;
