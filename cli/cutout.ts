import { makeCutout, maskFromRgba } from '../core/cutout/cutout.js';
import type { CutoutOptions } from '../core/cutout/cutout.js';
import { ErrorCode, fail } from '../core/errors.js';
import { decodeImage } from '../core/image/decode.js';
import { encodePng } from '../core/image/png.js';
import { nodeZlib } from '../node/codecs.js';
import { boolFlag, flag, parseArgs, parseNumber } from '../node/args.js';
import type { Command } from './commands.js';
import { nodeFs } from './fs-ops.js';
import { printJson, readUserFile, writeOutputs } from './io.js';
import { checkOutputs } from './output-plan.js';

const USAGE = `usage: cutout cutout IMAGE MASK.png --out OUT.png [--feather PX] [--expand PX] [--crop]
                     [--decontaminate] [--threshold N] [--overwrite]

Cuts the masked object out of IMAGE (PNG or JPEG) into an RGBA PNG. MASK: greyscale or RGBA PNG
of the same size; its alpha channel when it has transparency, else its luminance, is the alpha,
multiplied by IMAGE's own alpha (what was transparent stays so).
  --feather PX      soften the edge over about ±PX pixels (default 0)
  --expand PX       grow the mask by PX pixels first (negative shrinks; default 0)
  --crop            crop to the visible pixels; offset says where the crop sits in IMAGE
  --decontaminate   give semi-transparent edge pixels the nearby foreground colour (no halos)
  --threshold N     hard edge: mask values ≥ N (1 to 255) opaque, others transparent
                    (default: soft mask values)
  --overwrite       replace OUT.png even if it is not an earlier output of cutout (never an input)
Prints {"width","height","offset":{"x","y"},"ms"}.`;

export const cutout: Command = {
  summary: 'cut an object out of an image with a mask (RGBA PNG, feather, crop)',
  usage: USAGE,
  async run(argv, fs = nodeFs) {
    const args = parseArgs(argv, { values: ['out', 'feather', 'expand', 'threshold'], booleans: ['crop', 'decontaminate', 'overwrite'] });
    if (args.positional.length !== 2) fail(ErrorCode.InvalidOption, `give IMAGE and MASK.png (got ${args.positional.length} files)\n${USAGE}`);
    const out = flag(args, 'out');
    if (!out) fail(ErrorCode.InvalidOption, '--out OUT.png is required');
    const options: Partial<CutoutOptions> = { crop: boolFlag(args, 'crop'), decontaminate: boolFlag(args, 'decontaminate') };
    const feather = flag(args, 'feather');
    if (feather !== undefined) options.feather = parseNumber(feather, '--feather');
    const expand = flag(args, 'expand');
    if (expand !== undefined) options.expand = parseNumber(expand, '--expand');
    const threshold = flag(args, 'threshold');
    if (threshold !== undefined) options.threshold = parseNumber(threshold, '--threshold', { min: 1, max: 255 });

    const [imagePath, maskPath] = args.positional as [string, string];
    checkOutputs({ inputs: [imagePath, maskPath], outputs: [{ path: out! }], overwrite: boolFlag(args, 'overwrite'), option: '--out', fs });
    const image = decodeImage(readUserFile(imagePath, 'image'));
    const mask = maskFromRgba(decodeImage(readUserFile(maskPath, 'mask')));
    const t0 = performance.now();
    const result = makeCutout(image, mask, options);
    const ms = performance.now() - t0;
    writeOutputs([{ path: out!, bytes: encodePng(result.image, { zlib: nodeZlib }) }], fs);
    printJson({
      width: result.image.width,
      height: result.image.height,
      offset: result.offset,
      ms: Math.round(ms * 100) / 100,
    });
    return 0;
  },
};
