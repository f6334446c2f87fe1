import { basename, dirname, extname, join } from 'node:path';
import { maskFromRgba } from '../core/cutout/cutout.js';
import { ErrorCode, fail } from '../core/errors.js';
import { decodeImage } from '../core/image/decode.js';
import { maskOverlap, rasterizePaths } from '../core/vector/rasterize.js';
import { toSvg } from '../core/vector/svg.js';
import { DEFAULT_TRACE_OPTIONS, traceMask } from '../core/vector/trace.js';
import type { TraceOptions } from '../core/vector/trace.js';
import { boolFlag, flag, parseArgs, parseNumber } from '../node/args.js';
import type { Command } from './commands.js';
import { nodeFs } from './fs-ops.js';
import { printJson, readUserFile, writeOutputs } from './io.js';
import { checkOutputs } from './output-plan.js';

const USAGE = `usage: cutout vectorize MASK.png [--tolerance PX] [--out FILE.svg] [--mode compound|per-part]
                        [--min-area PX2] [--corner-angle DEG] [--overwrite]

Traces a mask into vector paths and writes an SVG (absolute M, L, C, Z only, fill-rule evenodd).
MASK: greyscale or RGBA PNG (or JPEG); inside = value ≥ 128, using the alpha channel when the
image has transparency, else its luminance.
  --tolerance PX     how far curves may stray from the pixel edge where the mask is thick
                     (default ${DEFAULT_TRACE_OPTIONS.tolerance}; thin strokes always stay pixel-exact)
  --out FILE.svg     output (default: MASK with .svg)
  --mode             compound (default: one path, parts and holes) or per-part (one path per part)
  --min-area PX2     drop parts and holes smaller than this (default 0: keep all)
  --corner-angle DEG vertices turning at least this much stay sharp (default ${DEFAULT_TRACE_OPTIONS.cornerAngle})
  --overwrite        replace FILE.svg even if it is not an earlier output of cutout (never the mask)
Prints {"paths","segments","iou","ms","parts","holes"}: iou is the overlap of the rasterised
paths with the mask, ms the tracing time.`;

export const vectorize: Command = {
  summary: 'trace a mask PNG into an SVG of clean vector paths',
  usage: USAGE,
  async run(argv, fs = nodeFs) {
    const args = parseArgs(argv, { values: ['tolerance', 'out', 'mode', 'min-area', 'corner-angle'], booleans: ['overwrite'] });
    if (args.positional.length !== 1) fail(ErrorCode.InvalidOption, `give exactly one MASK.png (got ${args.positional.length})\n${USAGE}`);
    const maskPath = args.positional[0]!;
    const options: Partial<TraceOptions> = {};
    const tol = flag(args, 'tolerance');
    if (tol !== undefined) options.tolerance = parseNumber(tol, '--tolerance');
    const mode = flag(args, 'mode');
    if (mode !== undefined) {
      if (mode !== 'compound' && mode !== 'per-part') fail(ErrorCode.InvalidOption, `--mode must be compound or per-part, got "${mode}"`);
      options.mode = mode;
    }
    const minArea = flag(args, 'min-area');
    if (minArea !== undefined) options.minArea = parseNumber(minArea, '--min-area');
    const corner = flag(args, 'corner-angle');
    if (corner !== undefined) options.cornerAngle = parseNumber(corner, '--corner-angle');
    const out = flag(args, 'out') ?? join(dirname(maskPath), basename(maskPath, extname(maskPath)) + '.svg');
    checkOutputs({ inputs: [maskPath], outputs: [{ path: out }], overwrite: boolFlag(args, 'overwrite'), option: '--out', fs });

    const mask = maskFromRgba(decodeImage(readUserFile(maskPath, 'mask')));
    const t0 = performance.now();
    const result = traceMask(mask, options);
    const svg = toSvg(result.paths, result.width, result.height);
    const ms = performance.now() - t0;
    const iou = maskOverlap(rasterizePaths(result.paths, result.width, result.height), mask);
    writeOutputs([{ path: out, bytes: svg }], fs);
    printJson({
      paths: result.paths.length,
      segments: result.segments,
      iou: Math.round(iou * 1e4) / 1e4,
      ms: Math.round(ms * 100) / 100,
      parts: result.parts,
      holes: result.holes,
    });
    return 0;
  },
};
