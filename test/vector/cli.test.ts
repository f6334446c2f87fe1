import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cutout } from '../../cli/cutout.js';
import { vectorize } from '../../cli/vectorize.js';
import { isCutoutError } from '../../core/errors.js';
import { decodePng, encodePng } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import { maskOverlap } from '../../core/vector/rasterize.js';
import { corpus } from '../../corpus/masks.js';
import { renderWithResvg } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cutout-vector-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command module, returning its exit code and the JSON it printed. */
async function run(cmd: { run(argv: string[]): Promise<number> }, argv: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const code = await cmd.run(argv);
    return { code, json: JSON.parse(lines.join('')) as Record<string, unknown> };
  } finally {
    spy.mockRestore();
  }
}

async function expectError(cmd: { run(argv: string[]): Promise<number> }, argv: string[], code: string, pattern: RegExp): Promise<void> {
  try {
    await cmd.run(argv);
    expect.unreachable();
  } catch (err) {
    expect(isCutoutError(err, code as never), String(err)).toBe(true);
    expect((err as Error).message).toMatch(pattern);
  }
}

const letterB = corpus().find((c) => c.name === 'letter-B')!.mask;
const maskPath = join(dir, 'B.png');
writeFileSync(maskPath, encodePng(letterB));

describe('cutout vectorize', () => {
  it('writes an SVG of absolute M L C Z even-odd paths and prints paths, segments, iou, ms', async () => {
    const out = join(dir, 'B.svg');
    const { code, json } = await run(vectorize, [maskPath, '--out', out]);
    expect(code).toBe(0);
    expect(Object.keys(json).slice(0, 4)).toEqual(['paths', 'segments', 'iou', 'ms']);
    expect(json.paths).toBe(1);
    expect(json.iou as number).toBeGreaterThanOrEqual(0.98);
    expect(json.segments as number).toBeGreaterThan(4);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">');
    const ds = [...svg.matchAll(/<path d="([^"]*)"[^>]*fill-rule="evenodd"/g)].map((m) => m[1]!);
    expect(ds).toHaveLength(1);
    expect(ds[0]!.replace(/[-0-9. ]/g, '')).toMatch(/^M[LC]+Z(M[LC]+Z)*$/);
    const rendered = renderWithResvg([{ windingRule: 'EVENODD', data: ds[0]! }], 64, 64);
    expect(maskOverlap(rendered, letterB)).toBeGreaterThanOrEqual(0.98);
  });

  it('reads RGBA masks by alpha, defaults the output next to the mask, honours --tolerance', async () => {
    const rgba: RgbaImage = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 4) };
    for (let i = 0; i < 64 * 64; i++) rgba.data[i * 4 + 3] = letterB.data[i]!;
    const p = join(dir, 'alpha-mask.png');
    writeFileSync(p, encodePng(rgba));
    const tight = await run(vectorize, [p, '--tolerance', '0.45']);
    expect(existsSync(join(dir, 'alpha-mask.svg'))).toBe(true);
    const loose = await run(vectorize, [p, '--tolerance', '3', '--out', join(dir, 'loose.svg')]);
    expect(tight.json.iou).toBe(1);
    expect(loose.json.segments as number).toBeLessThanOrEqual(tight.json.segments as number);
    const parts = await run(vectorize, [p, '--mode', 'per-part', '--out', join(dir, 'pp.svg')]);
    expect(parts.json.paths).toBe(1);
  });

  it('fails with one clear error for bad input and writes nothing', async () => {
    const before = readdirSync(dir).length;
    await expectError(vectorize, [join(dir, 'missing.png')], 'INVALID_IMAGE', /not found/);
    await expectError(vectorize, [maskPath, '--tolerance', 'abc'], 'INVALID_OPTION', /--tolerance/);
    await expectError(vectorize, [maskPath, '--tolerance', '-1'], 'INVALID_OPTION', /tolerance/);
    await expectError(vectorize, [maskPath, '--mode', 'both'], 'INVALID_OPTION', /--mode/);
    await expectError(vectorize, [], 'INVALID_OPTION', /exactly one MASK/);
    writeFileSync(join(dir, 'junk.png'), 'not a png');
    await expectError(vectorize, [join(dir, 'junk.png')], 'INVALID_IMAGE', /./);
    expect(readdirSync(dir).length).toBe(before + 1);
  });
});

describe('cutout cutout', () => {
  const w = 64;
  const img: RgbaImage = { width: w, height: w, data: new Uint8Array(w * w * 4) };
  for (let i = 0; i < w * w; i++) img.data.set([letterB.data[i] ? 220 : 10, 40, letterB.data[i] ? 40 : 220, 255], i * 4);
  const imgPath = join(dir, 'photo.png');
  writeFileSync(imgPath, encodePng(img));

  it('writes the RGBA cutout and prints its size and offset', async () => {
    const out = join(dir, 'cut.png');
    const { code, json } = await run(cutout, [imgPath, maskPath, '--out', out, '--crop', '--feather', '1.5', '--decontaminate']);
    expect(code).toBe(0);
    const png = decodePng(readFileSync(out));
    expect(json).toMatchObject({ width: png.width, height: png.height });
    // The letter starts at (10, 6); the feathered edge reaches a few pixels further out.
    const { x, y } = json.offset as { x: number; y: number };
    expect(x).toBeGreaterThanOrEqual(5);
    expect(x).toBeLessThan(10);
    expect(y).toBeGreaterThanOrEqual(1);
    expect(y).toBeLessThan(6);
    expect(png.width).toBeLessThan(64);
    // Opaque inside, transparent in the crop's corner, no blue fringe on semi-transparent pixels.
    let fringeBlue = 0;
    let fringe = 0;
    for (let i = 0; i < png.width * png.height; i++) {
      const a = png.data[i * 4 + 3]!;
      if (a > 0 && a < 255) {
        fringe++;
        fringeBlue += png.data[i * 4 + 2]!;
      }
    }
    expect(fringe).toBeGreaterThan(0);
    expect(fringeBlue / fringe).toBeLessThan(80);
  });

  it('grows the mask with --expand and keeps the full frame without --crop', async () => {
    const out = join(dir, 'cut-expand.png');
    const { json } = await run(cutout, [imgPath, maskPath, '--out', out, '--expand', '2']);
    expect(json).toMatchObject({ width: 64, height: 64, offset: { x: 0, y: 0 } });
    const png = decodePng(readFileSync(out));
    let opaque = 0;
    for (let i = 0; i < 64 * 64; i++) if (png.data[i * 4 + 3]! >= 128) opaque++;
    let inside = 0;
    for (const v of letterB.data) if (v) inside++;
    expect(opaque).toBeGreaterThan(inside);
  });

  it('refuses a mask of another size, a missing --out, unknown flags', async () => {
    const small = join(dir, 'small.png');
    writeFileSync(small, encodePng({ width: 10, height: 10, data: new Uint8Array(100) }));
    await expectError(cutout, [imgPath, small, '--out', join(dir, 'x.png')], 'INVALID_MASK', /10×10.*64×64/);
    await expectError(cutout, [imgPath, maskPath], 'INVALID_OPTION', /--out/);
    await expectError(cutout, [imgPath, maskPath, '--out', join(dir, 'x.png'), '--blur', '2'], 'INVALID_OPTION', /unknown option --blur/);
    await expectError(cutout, [imgPath, maskPath, '--out', join(dir, 'x.png'), '--feather', '-2'], 'INVALID_OPTION', /feather/);
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
  });
});
