/**
 * WebP files written by libwebp's own encoder (cwebp, see webp-fixtures/README.md), decoded
 * through decodeImage: lossless must give the source pixels exactly, lossy must give what
 * libwebp's dwebp gives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CutoutError, ErrorCode } from '../../core/errors.js';
import { decodeImage, detectImageFormat, readImageSize } from '../../core/image/decode.js';

const DIR = join(import.meta.dirname, 'webp-fixtures');
const file = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));

/** A PAM (P7, RGB_ALPHA, maxval 255) as RGBA. */
function readPam(bytes: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const end = text.indexOf('ENDHDR\n') + 'ENDHDR\n'.length;
  const field = (k: string) => Number(new RegExp(`${k} (\\d+)`).exec(text)![1]);
  const [width, height] = [field('WIDTH'), field('HEIGHT')];
  if (field('DEPTH') !== 4 || field('MAXVAL') !== 255) throw new Error('expected an 8-bit RGBA PAM');
  return { width, height, data: bytes.slice(end, end + width * height * 4) };
}

function expectPixels(got: { width: number; height: number; data: Uint8Array }, want: ReturnType<typeof readPam>): void {
  expect([got.width, got.height]).toEqual([want.width, want.height]);
  let differing = 0;
  for (let i = 0; i < want.data.length; i++) if (got.data[i] !== want.data[i]) differing++;
  expect(differing, 'samples that differ').toBe(0);
}

describe('WebP', () => {
  const source = readPam(file('scene-37x23.pam'));

  it('lossless with alpha (cwebp -lossless -exact): the source pixels exactly', () => {
    const bytes = file('scene-37x23-lossless.webp');
    expect(detectImageFormat(bytes)).toBe('webp');
    expect(readImageSize(bytes)).toEqual({ width: 37, height: 23 });
    expectPixels(decodeImage(bytes), source);
  });

  it('lossy (VP8) and lossy with an alpha chunk (VP8X): the pixels libwebp’s dwebp gives', () => {
    for (const name of ['scene-37x23-lossy', 'scene-37x23-lossy-alpha']) {
      const bytes = file(`${name}.webp`);
      expect(readImageSize(bytes), name).toEqual({ width: 37, height: 23 });
      expectPixels(decodeImage(bytes), readPam(file(`${name}.dwebp.pam`)));
    }
    // The alpha survives: transparent on the left, opaque on the right, as in the source.
    const alpha = decodeImage(file('scene-37x23-lossy-alpha.webp')).data;
    expect(alpha[3]).toBe(0);
    expect(alpha[(37 - 1) * 4 + 3]).toBe(255);
  });

  it('truncated, animated or damaged files are one INVALID_IMAGE line', () => {
    const lossy = file('scene-37x23-lossy.webp');
    const animated = file('scene-37x23-lossy-alpha.webp').slice();
    animated[20] |= 0x02; // VP8X animation flag
    const broken = lossy.slice();
    broken.fill(0x55, 40);
    for (const [what, bytes] of [
      ['truncated', lossy.subarray(0, 200)],
      ['animated', animated],
      ['damaged', broken],
    ] as const) {
      let error: unknown;
      try {
        decodeImage(bytes);
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(CutoutError);
      expect((error as CutoutError).code, what).toBe(ErrorCode.InvalidImage);
      expect((error as CutoutError).message, what).toMatch(/WebP/);
    }
  });
});
