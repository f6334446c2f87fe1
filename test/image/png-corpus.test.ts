/**
 * PNG decoding against files written by another encoder: netpbm's pnmtopng/pamtopng (libpng),
 * one file per colour type, bit depth, palette/tRNS, colour key and interlacing
 * (png-corpus/README.md). The expected pixels come from each file's PAM source, converted to
 * 8-bit RGBA by the PNG specification's rules, not from our own writer or reader.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng, readPngHeader } from '../../core/image/png.js';

const DIR = join(import.meta.dirname, 'png-corpus');

interface Pam {
  width: number;
  height: number;
  depth: number;
  maxval: number;
  samples: number[];
}

function readPam(name: string): Pam {
  const bytes = readFileSync(join(DIR, name));
  const end = bytes.indexOf('ENDHDR\n') + 'ENDHDR\n'.length;
  const head = bytes.subarray(0, end).toString('latin1');
  const field = (k: string) => Number(new RegExp(`${k} (\\d+)`).exec(head)![1]);
  const [width, height, depth, maxval] = [field('WIDTH'), field('HEIGHT'), field('DEPTH'), field('MAXVAL')];
  const wide = maxval > 255;
  const samples: number[] = [];
  for (let i = 0; i < width * height * depth; i++) samples.push(wide ? bytes.readUInt16BE(end + 2 * i) : bytes[end + i]!);
  return { width, height, depth, maxval, samples };
}

/**
 * 8-bit RGBA from a PAM: sub-byte grey scaled to 0..255 (PNG spec 13.12: v·255/(2^d−1)),
 * 16-bit samples to their high byte (libpng's strip-16, what Pillow shows), grey replicated,
 * alpha 255 where there is none; `key` (in source sample units) gets alpha 0.
 */
function expected(pam: Pam, key?: number[]): Uint8Array {
  const { width, height, depth, maxval, samples } = pam;
  const to8 = (v: number) => (maxval === 65535 ? v >> 8 : Math.round((v * 255) / maxval));
  const out = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = samples.slice(p * depth, p * depth + depth);
    const colour = depth >= 3 ? s.slice(0, 3) : [s[0]!, s[0]!, s[0]!];
    const alpha = depth === 2 ? s[1]! : depth === 4 ? s[3]! : maxval;
    colour.forEach((v, c) => (out[p * 4 + c] = to8(v)));
    const keyed = key !== undefined && key.every((k, c) => s[c] === k);
    out[p * 4 + 3] = keyed ? 0 : to8(alpha);
  }
  return out;
}

const firstPixel = (pam: Pam) => pam.samples.slice(0, pam.depth);

// file, source, IHDR (bit depth, colour type, interlaced), colour key
const cases: Array<[string, string, [number, number, boolean], 'first-pixel' | 'palette-blue' | undefined]> = [
  ['grey1.png', 'grey1.pam', [1, 0, false], undefined],
  ['grey2.png', 'grey2.pam', [2, 0, false], undefined],
  ['grey4.png', 'grey4.pam', [4, 0, false], undefined],
  ['grey8.png', 'grey8.pam', [8, 0, false], undefined],
  ['grey16.png', 'grey16.pam', [16, 0, false], undefined],
  ['grey8-key.png', 'grey8.pam', [8, 0, false], 'first-pixel'],
  ['grey8a.png', 'grey8a.pam', [8, 4, false], undefined],
  ['rgb8.png', 'rgb8.pam', [8, 2, false], undefined],
  ['rgb8-level0.png', 'rgb8.pam', [8, 2, false], undefined],
  ['rgb8-key.png', 'rgb8.pam', [8, 2, false], 'first-pixel'],
  ['rgb16.png', 'rgb16.pam', [16, 2, false], undefined],
  ['palette.png', 'palette.pam', [4, 3, false], undefined],
  ['palette-trns.png', 'palette.pam', [4, 3, false], 'palette-blue'],
  ['rgba8.png', 'rgba8.pam', [8, 6, false], undefined],
  ['rgba16.png', 'rgba16.pam', [16, 6, false], undefined],
  ['grey2-interlaced.png', 'grey2.pam', [2, 0, true], undefined],
  ['palette-interlaced.png', 'palette.pam', [4, 3, true], undefined],
  ['rgb16-interlaced.png', 'rgb16.pam', [16, 2, true], undefined],
  ['rgba8-interlaced.png', 'rgba8.pam', [8, 6, true], undefined],
];

describe('PNGs written by libpng (netpbm) decode to their sources’ pixels', () => {
  for (const [file, source, [bitDepth, colorType, interlaced], keyKind] of cases) {
    it(`${file}: ${bitDepth}-bit colour type ${colorType}${interlaced ? ', Adam7' : ''}${keyKind ? ', transparent colour' : ''}`, () => {
      const bytes = new Uint8Array(readFileSync(join(DIR, file)));
      // The corpus holds the variant it claims.
      expect(readPngHeader(bytes)).toMatchObject({ bitDepth, colorType, interlaced });
      const pam = readPam(source);
      // PBM-style sources: pamtopnm keeps maxval 1 as grey 0/1, pnmtopng writes it as 1-bit grey.
      const key = keyKind === 'first-pixel' ? firstPixel(pam) : keyKind === 'palette-blue' ? [0, 128, 255] : undefined;
      const want = expected(pam, key);
      if (key) expect(want.some((_, i) => i % 4 === 3 && want[i] === 0), 'the key occurs').toBe(true);
      const got = decodePng(bytes);
      expect([got.width, got.height]).toEqual([pam.width, pam.height]);
      let differing = 0;
      for (let i = 0; i < want.length; i++) if (got.data[i] !== want[i]) differing++;
      expect(differing, 'samples that differ').toBe(0);
    });
  }
});
