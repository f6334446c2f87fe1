/**
 * `npm run eval` (dist/eval.js; build first with `node build.mjs`, as `npm test` does) on a
 * generated synthetic folder: the known answers come out, and bad layouts fail clearly
 * before any model is loaded.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../core/image/png.js';
import { maskArea } from '../../core/masks/measure.js';
import { renderSynthetic, syntheticDataset, TWO_TONE_L, writeSyntheticDataset } from '../../eval/synthetic.js';
import { generateAnalyticModels } from '../../models/analytic/index.js';

const EVAL = path.resolve(import.meta.dirname, '../../dist/eval.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runEval(args: string[]): Promise<Run> {
  if (!existsSync(EVAL)) throw new Error(`${EVAL} is missing: run node build.mjs (npm run build) first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EVAL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

interface EvalJson {
  model: string;
  format: string;
  refine: boolean;
  images: number;
  noc85: number;
  noc90: number;
  miou_at: number[];
  box_miou: number;
  failures: number;
  per_image: Array<{ name: string; noc90: number; ious: number[]; clicks: number[][] }>;
}

describe('npm run eval', () => {
  let root: string;
  let data: string;
  let models: Record<string, string>;
  // The synthetic set written by the CLI: 8 one-click shapes and the two-tone L.
  const samples = syntheticDataset({ twoTone: true });
  const twoTone = renderSynthetic(TWO_TONE_L);
  const armShare = maskArea(renderSynthetic({ ...TWO_TONE_L, parts: [TWO_TONE_L.parts[0]!] }).mask) / maskArea(twoTone.mask);
  const n = samples.length;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cutout-eval-cli-'));
    models = await generateAnalyticModels(path.join(root, 'models'));
    data = path.join(root, 'synthetic');
    const wrote = await runEval(['--write-synthetic', data]);
    expect(wrote.code, wrote.stderr).toBe(0);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  for (const format of ['sam-hf', 'sam1']) {
    it(`${format}: --json gives the known answers on the synthetic folder`, async () => {
      const r = await runEval(['--model', models[format]!, '--data', data, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as EvalJson;
      expect(out).toMatchObject({ format, images: n, failures: 0, refine: format === 'sam1' });
      // NoC: 1 for each shape, 2 for the two-tone L.
      expect(out.noc90).toBeCloseTo((n - 1 + 2) / n, 3);
      expect(out.noc85).toBeCloseTo((n - 1 + 2) / n, 3);
      expect(Object.fromEntries(out.per_image.map((p) => [p.name, p.noc90]))).toEqual(Object.fromEntries(samples.map((s) => [s.name, s.noc90])));
      // IoU@1: exact shapes, the arm's share for the L; from click 2 on everything is exact.
      expect(out.miou_at[0]).toBeCloseTo((n - 1 + armShare) / n, 3);
      expect(out.miou_at.slice(1)).toEqual([1, 1, 1, 1]);
      expect(out.box_miou).toBeCloseTo((n - 1 + armShare) / n, 3);
      expect(out.per_image.find((p) => p.name === 'l-two-tone')!.clicks.map((c) => c[2])).toEqual([1, 1]);
    });
  }

  it('prints a table, then the JSON line; --limit keeps the first N in name order', async () => {
    const r = await runEval(['--model', models['sam-hf']!, '--data', data, '--limit', '3', '--max-clicks', '10']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^cutout eval: sam-hf \(sam-hf; mask input no\) on .*, 3 images, max 10 clicks$/);
    expect(r.stdout).toMatch(/image\s+size\s+NoC@85\s+NoC@90\s+IoU@1/);
    expect(r.stdout).toMatch(/^disc\s+256×256\s+1\s+1\s+1\.000/m);
    expect(r.stdout).toMatch(/NoC@90\s+1\.00/);
    const out = JSON.parse(lines.at(-1)!) as EvalJson & { max_clicks: number };
    expect(out.images).toBe(3);
    expect(out.max_clicks).toBe(10);
    expect(out.per_image.map((p) => p.name)).toEqual([...samples.map((s) => s.name)].sort().slice(0, 3));
  });

  it('pairs a JPEG image with the PNG mask of the same base name', async () => {
    const dir = path.join(root, 'jpeg');
    await mkdir(path.join(dir, 'images'), { recursive: true });
    await mkdir(path.join(dir, 'masks'), { recursive: true });
    const s = samples[0]!;
    await writeFile(path.join(dir, 'images', 'a.jpg'), jpeg.encode({ data: Buffer.from(s.image.data), width: s.image.width, height: s.image.height }, 100).data);
    await writeFile(path.join(dir, 'masks', 'a.png'), encodePng(s.mask));
    const r = await runEval(['--model', models['sam-hf']!, '--data', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as EvalJson;
    expect(out.images).toBe(1);
    expect(out.noc90).toBe(1);
  });

  describe('bad layouts fail clearly (exit 1, one message)', () => {
    let bad: string;
    beforeAll(async () => {
      bad = path.join(root, 'bad');
      await mkdir(path.join(bad, 'images'), { recursive: true });
      await copyFile(path.join(data, 'images', 'disc.png'), path.join(bad, 'images', 'disc.png'));
    });
    const fails = async (args: string[], message: RegExp) => {
      const r = await runEval(args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    };

    it('missing --data folder, missing masks/ folder, missing options', async () => {
      const model = models['sam-hf']!;
      await fails(['--model', model, '--data', path.join(root, 'nowhere')], /--data .*nowhere does not exist/);
      await fails(['--model', model, '--data', bad], /bad[/\\]masks is missing: the data folder must hold images\/ .* and masks\//);
      await fails(['--data', data], /--model DIR\|ID is required/);
      await fails(['--model', model], /--data DIR is required/);
      await fails(['--model', model, '--data', data, '--max-clicks', '0'], /--max-clicks must be a positive integer/);
    });

    it('unmatched files are listed on both sides', async () => {
      await mkdir(path.join(bad, 'masks'), { recursive: true });
      await copyFile(path.join(data, 'masks', 'disc.png'), path.join(bad, 'masks', 'disc.png'));
      await copyFile(path.join(data, 'images', 'ring.png'), path.join(bad, 'images', 'ring.png'));
      await copyFile(path.join(data, 'masks', 'rect.png'), path.join(bad, 'masks', 'rect.png'));
      await fails(['--model', models['sam-hf']!, '--data', bad], /unmatched files .*images without a mask in masks\/: ring\.png; masks without an image in images\/: rect\.png/);
      await unlink(path.join(bad, 'images', 'ring.png'));
      await unlink(path.join(bad, 'masks', 'rect.png'));
    });

    it('a mask of another size than its image names both files and sizes', async () => {
      await writeFile(path.join(bad, 'masks', 'disc.png'), encodePng({ width: 100, height: 50, data: new Uint8Array(5000).fill(255) }));
      await fails(['--model', models['sam-hf']!, '--data', bad], /images\/disc\.png is 256×256 but masks\/disc\.png is 100×50/);
    });

    it('an empty mask and a file of another kind are named', async () => {
      await writeFile(path.join(bad, 'masks', 'disc.png'), encodePng({ width: 256, height: 256, data: new Uint8Array(256 * 256) }));
      await fails(['--model', models['sam-hf']!, '--data', bad], /masks with no object pixel \(> 127\): masks\/disc\.png/);
      await writeFile(path.join(bad, 'images', 'notes.txt'), 'hello');
      await fails(['--model', models['sam-hf']!, '--data', bad], /holds files that are not PNG or JPEG images .*: notes\.txt/);
    });
  });
});
