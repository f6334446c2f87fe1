/**
 * JPEG pixels against libjpeg-turbo (the decoder behind the Python reference's PIL): every
 * fixture in jpeg-fixtures/ was also decoded by libjpeg-turbo 2.1.5's `djpeg -pnm` into
 * jpeg-fixtures/djpeg/ (see the README there), and decodeJpeg must give those pixels.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CutoutError, ErrorCode } from '../../core/errors.js';
import { decodeJpeg } from '../../core/image/jpeg.js';

const DIR = join(import.meta.dirname, 'jpeg-fixtures');

/** A binary PPM (P6) or PGM (P5) as RGBA. */
function readPnm(bytes: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const fields: string[] = [];
  let i = 0;
  while (fields.length < 4) {
    while (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09) i++;
    let field = '';
    while (!(bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) field += String.fromCharCode(bytes[i++]!);
    fields.push(field);
  }
  i++;
  const [magic, w, h, max] = fields;
  if ((magic !== 'P6' && magic !== 'P5') || max !== '255') throw new Error(`unexpected PNM header ${fields.join(' ')}`);
  const width = Number(w);
  const height = Number(h);
  const channels = magic === 'P6' ? 3 : 1;
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) data[p * 4 + c] = bytes[i + p * channels + (channels === 3 ? c : 0)]!;
    data[p * 4 + 3] = 255;
  }
  return { width, height, data };
}

const all = readdirSync(DIR).filter((f) => f.endsWith('.jpg'));
const fixtures = all
  .filter((f) => !f.includes('arithmetic'))
  .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(DIR, f))), want: readPnm(new Uint8Array(readFileSync(join(DIR, 'djpeg', f.replace(/\.jpg$/, '.pnm')))))}));

describe('decodeJpeg gives libjpeg-turbo’s pixels', () => {
  it('covers every sampling, progressive, restarts, grey, optimised tables and arithmetic coding', () => {
    const names = fixtures.map((f) => f.name).join(' ');
    for (const part of ['-411', '-420', '-422', '-440', '-444', 'progressive', 'restart', 'grey', 'optimized']) expect(names).toContain(part);
  });

  it('arithmetic coding (which this MozJPEG build leaves out) is refused in one line', () => {
    for (const name of all.filter((f) => f.includes('arithmetic'))) {
      let error: unknown;
      try {
        decodeJpeg(new Uint8Array(readFileSync(join(DIR, name))));
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(CutoutError);
      expect((error as CutoutError).code).toBe(ErrorCode.InvalidImage);
      expect((error as CutoutError).message).toMatch(/^The JPEG file could not be decoded \(.*arithmetic.*\).*re-save it/i);
    }
  });

  for (const f of fixtures) {
    // 4:4:0 (vertical-only subsampling) is upsampled with a different filter in libjpeg-turbo
    // 2.1's djpeg than in MozJPEG: within 2 levels there, identical everywhere else.
    const tolerance = f.name.includes('-440') ? 2 : 0;
    it(`${f.name}${tolerance ? ' (within 2 levels)' : ' exactly'}`, () => {
      const got = decodeJpeg(f.bytes);
      expect([got.width, got.height]).toEqual([f.want.width, f.want.height]);
      let worst = 0;
      let differing = 0;
      for (let i = 0; i < got.data.length; i++) {
        const d = Math.abs(got.data[i]! - f.want.data[i]!);
        if (d > 0) differing++;
        worst = Math.max(worst, d);
      }
      expect(worst, `${differing} samples differ`).toBeLessThanOrEqual(tolerance);
    });
  }
});
