/**
 * `cutout remove-bg` end to end through the built CLI (dist/cli.js; `npm run build` first):
 * outputs and their formats, JSON lines and summary, exit codes, partial failure, refusing to
 * overwrite inputs, salient+sam, RSS reporting, interruption leaving a consistent folder.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng, readPngHeader } from '../../core/image/png.js';
import type { GrayImage } from '../../core/image/types.js';
import { maskIoU } from '../../core/masks/measure.js';
import { CLI, runCli } from '../helpers/cli.js';
import { analyticDirs } from './models.js';
import { encode, render, type Encoding, type Scene } from './scenes.js';

const root = mkdtempSync(join(tmpdir(), 'cutout-rbg-cli-'));
let salientDir: string;
let samDir: string;
const truths = new Map<string, GrayImage>();

const SCENES: Array<{ name: string; encoding: Encoding; scene: Scene }> = [
  { name: 'photo', encoding: 'jpeg', scene: { width: 640, height: 480, background: [235, 235, 235], shapes: [{ kind: 'ellipse', cx: 320, cy: 250, rx: 180, ry: 150, colour: [205, 205, 205] }] } },
  { name: 'logo', encoding: 'png-rgba', scene: { width: 300, height: 500, background: [128, 128, 128], shapes: [{ kind: 'rect', x0: 60, y0: 100, x1: 240, y1: 420, colour: [100, 100, 100] }] } },
  { name: 'icon', encoding: 'png-rgb', scene: { width: 8, height: 8, background: [40, 60, 90], shapes: [{ kind: 'rect', x0: 2, y0: 2, x1: 7, y1: 7, colour: [70, 90, 120] }] } },
  { name: 'sticker', encoding: 'png-rgba-transparent', scene: { width: 400, height: 300, background: [255, 255, 255], shapes: [{ kind: 'ellipse', cx: 200, cy: 150, rx: 120, ry: 90, colour: [200, 200, 200] }] } },
];
const EXT: Record<Encoding, string> = { jpeg: 'jpg', 'png-rgba': 'png', 'png-rgb': 'png', 'png-rgba-transparent': 'png' };

function inputs(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return SCENES.map((s) => {
    const { image, truth } = render(s.scene, s.encoding === 'png-rgba-transparent');
    const path = join(dir, `${s.name}.${EXT[s.encoding]}`);
    writeFileSync(path, encode(image, s.encoding));
    truths.set(s.name, truth);
    return path;
  });
}

const lines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
function grey(bytes: Uint8Array): GrayImage {
  const img = decodePng(bytes);
  return { width: img.width, height: img.height, data: Uint8Array.from({ length: img.width * img.height }, (_, i) => img.data[i * 4]!) };
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
  if (!readFileSync(CLI, 'utf8').includes('remove-bg')) throw new Error(`${CLI} predates remove-bg: run npm run build`);
  const dirs = await analyticDirs();
  salientDir = dirs.salient;
  samDir = dirs.sam1;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('cutout remove-bg', () => {
  it('writes NAME.png (RGBA, input size) and NAME.mask.png (8-bit) per input, one JSON line each, then a summary', async () => {
    const ins = inputs(join(root, 'ok-in'));
    const out = join(root, 'ok-out');
    const r = await runCli(['remove-bg', ...ins, '--model', salientDir, '--out-dir', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ls = lines(r.stdout);
    expect(ls).toHaveLength(SCENES.length + 1);
    for (const [i, s] of SCENES.entries()) {
      const l = ls[i]!;
      expect(Object.keys(l).sort()).toEqual(['foreground', 'height', 'input', 'mask', 'model_ms', 'ms', 'ok', 'output', 'width']);
      expect(l).toMatchObject({ input: ins[i], ok: true, output: join(out, `${s.name}.png`), mask: join(out, `${s.name}.mask.png`), width: s.scene.width, height: s.scene.height });
      const cut = readFileSync(l.output);
      const maskBytes = readFileSync(l.mask);
      expect(readPngHeader(cut)).toMatchObject({ width: s.scene.width, height: s.scene.height, colorType: 6, bitDepth: 8 });
      expect(readPngHeader(maskBytes)).toMatchObject({ width: s.scene.width, height: s.scene.height, colorType: 0, bitDepth: 8 });
      const mask = grey(maskBytes);
      expect(new Set(mask.data)).toEqual(new Set([0, 255]));
      expect(maskIoU(mask, truths.get(s.name)!)).toBeGreaterThanOrEqual(0.97);
      let fg = 0;
      for (const v of mask.data) if (v) fg++;
      expect(l.foreground).toBeCloseTo(fg / mask.data.length, 4);
      // The cutout's alpha is at least ½ on the mask and at most ½ off it (a soft fringe may
      // stay just outside), 0 on the background far from the object.
      const rgba = decodePng(cut);
      let bad = 0;
      for (let p = 0; p < mask.data.length; p++) if (mask.data[p] ? rgba.data[p * 4 + 3]! < 127 : rgba.data[p * 4 + 3]! > 128) bad++;
      expect(bad, s.name).toBe(0);
      expect(rgba.data[3]).toBe(0);
      expect(l.ms).toBeGreaterThanOrEqual(l.model_ms);
    }
    const summary = ls.at(-1)!.summary;
    expect(summary).toMatchObject({ total: 4, ok: 4, failed: 0 });
    expect(summary.ms).toBeGreaterThan(0);
    expect(summary.images_per_min).toBeGreaterThan(0);
    expect(readdirSync(out).sort()).toEqual(SCENES.flatMap((s) => [`${s.name}.mask.png`, `${s.name}.png`]).sort());
  });

  it('a corrupt or missing image is reported, the others complete, exit code 1', async () => {
    const ins = inputs(join(root, 'bad-in'));
    const corrupt = join(root, 'bad-in', 'broken.png');
    writeFileSync(corrupt, readFileSync(ins[1]!).subarray(0, 200));
    const missing = join(root, 'bad-in', 'nowhere.jpg');
    const out = join(root, 'bad-out');
    const r = await runCli(['remove-bg', ins[0]!, corrupt, ins[1]!, missing, ins[2]!, '--model', salientDir, '--out-dir', out]);
    expect(r.code).toBe(1);
    const ls = lines(r.stdout);
    expect(ls.map((l) => l.ok)).toEqual([true, false, true, false, true, undefined]);
    expect(ls[1]).toMatchObject({ input: corrupt, ok: false });
    expect(ls[1]!.error).toMatch(/PNG/i);
    expect(ls[3]!.error).toMatch(/not found/);
    expect(ls.at(-1)!.summary).toMatchObject({ total: 5, ok: 3, failed: 2 });
    expect(readdirSync(out).sort()).toEqual(['icon.mask.png', 'icon.png', 'logo.mask.png', 'logo.png', 'photo.mask.png', 'photo.png']);
  });

  it('refuses to overwrite an input file, and two inputs with the same NAME; nothing is written', async () => {
    const ins = inputs(join(root, 'same-in'));
    const logo = ins[1]!; // same-in/logo.png: writing into same-in would replace it
    const before = readFileSync(logo);
    const r = await runCli(['remove-bg', ins[0]!, logo, '--model', salientDir, '--out-dir', join(root, 'same-in')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/refusing to overwrite the input file .*logo\.png/);
    expect(readFileSync(logo)).toEqual(before);
    expect(existsSync(join(root, 'same-in', 'photo.png'))).toBe(false);
    // Default out dir is the working directory: the same refusal.
    const cwd = await runCli(['remove-bg', 'logo.png', '--model', salientDir], { cwd: join(root, 'same-in') });
    expect(cwd.code).toBe(1);
    expect(cwd.stderr).toMatch(/refusing to overwrite/);

    mkdirSync(join(root, 'other'), { recursive: true });
    copyFileSync(ins[0]!, join(root, 'other', 'logo.jpg'));
    const dup = await runCli(['remove-bg', logo, join(root, 'other', 'logo.jpg'), '--model', salientDir, '--out-dir', join(root, 'dup-out')]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/would both write .*logo\.png/);
    expect(existsSync(join(root, 'dup-out'))).toBe(false);

    copyFileSync(ins[0]!, join(root, 'other', 'logo.mask.jpg'));
    const clash = await runCli(['remove-bg', logo, join(root, 'other', 'logo.mask.jpg'), '--model', salientDir, '--out-dir', join(root, 'dup-out')]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/would both write .*logo\.mask\.png/);
  });

  it('salient+sam with an analytic SAM model; knobs are accepted', async () => {
    const ins = inputs(join(root, 'sam-in'));
    const out = join(root, 'sam-out');
    const r = await runCli(['remove-bg', ins[0]!, ins[1]!, '--model', salientDir, '--sam', samDir, '--out-dir', out, '--threshold', '0.5', '--feather', '2', '--fill-holes', '--largest']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ls = lines(r.stdout);
    expect(ls.slice(0, 2).every((l) => l.ok)).toBe(true);
    for (const [i, name] of ['photo', 'logo'].entries()) expect(maskIoU(grey(readFileSync(ls[i]!.mask)), truths.get(name)!)).toBeGreaterThanOrEqual(0.97);
  });

  it('usage errors: clear message, exit 1, before any model is loaded', async () => {
    const ins = inputs(join(root, 'use-in'));
    const cases: Array<[string[], RegExp]> = [
      [['remove-bg', ins[0]!], /--model DIR\|ID is required/],
      [['remove-bg', '--model', salientDir], /give at least one IMAGE/],
      [['remove-bg', ins[0]!, '--model', salientDir, '--strategy', 'salient+sam'], /needs --sam/],
      [['remove-bg', ins[0]!, '--model', salientDir, '--strategy', 'magic'], /--strategy must be salient or salient\+sam/],
      [['remove-bg', ins[0]!, '--model', salientDir, '--threshold', '2'], /threshold must be in \(0, 1\]/],
      [['remove-bg', ins[0]!, '--model', salientDir, '--feather', 'x'], /--feather must be a finite number/],
      [['remove-bg', ins[0]!, '--model', samDir, '--out-dir', join(root, 'x')], /expected a salient model/],
      [['remove-bg', ins[0]!, '--model', 'mobilesam', '--out-dir', join(root, 'x')], /--model mobilesam is a sam1 model; remove-bg needs a salient model \(u2netp/],
      [['remove-bg', ins[0]!, '--model', salientDir, '--sam', 'u2netp', '--out-dir', join(root, 'x')], /--sam u2netp is a salient model/],
      [['remove-bg', ins[0]!, '--model', salientDir, '--sam', salientDir, '--out-dir', join(root, 'x')], /expected a SAM model/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stdout).toBe('');
    }
  });

  it('CUTOUT_REPORT_RSS=1 adds rss and max_rss to every line', async () => {
    const ins = inputs(join(root, 'rss-in'));
    const r = await runCli(['remove-bg', ...ins.slice(0, 2), '--model', salientDir, '--out-dir', join(root, 'rss-out')], { env: { CUTOUT_REPORT_RSS: '1' } });
    expect(r.code).toBe(0);
    for (const l of lines(r.stdout).slice(0, 2)) {
      expect(l.rss).toBeGreaterThan(10 << 20);
      expect(l.max_rss).toBeGreaterThanOrEqual(l.rss);
    }
  });

  it('interrupted (SIGINT): exit 130, and every item reported ok has both files; nothing half-written', async () => {
    const dir = join(root, 'int-in');
    const base = inputs(dir);
    const many: string[] = [];
    for (let i = 0; i < 60; i++) {
      const p = join(dir, `copy-${i}.jpg`);
      copyFileSync(base[0]!, p);
      many.push(p);
    }
    const out = join(root, 'int-out');
    const child = spawn(process.execPath, [CLI, 'remove-bg', ...many, '--model', salientDir, '--out-dir', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let sent = false;
    const code = await new Promise<number>((res) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (!sent && stdout.split('\n').filter(Boolean).length >= 3) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('close', (c) => res(c ?? -1));
    });
    expect(code).toBe(130);
    const ls = lines(stdout);
    const items = ls.filter((l) => l.ok !== undefined);
    const summary = ls.at(-1)!.summary;
    expect(summary.cancelled).toBe(true);
    expect(summary.total).toBe(items.length);
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items.length).toBeLessThan(60);
    const files = readdirSync(out).sort();
    expect(files).toEqual(items.flatMap((l) => [`${l.input.split('/').pop().replace('.jpg', '')}.mask.png`, `${l.input.split('/').pop().replace('.jpg', '')}.png`]).sort());
  });
});
