/**
 * `cutout segment` end to end on the sam-reference fixture: every case and prompt, the real
 * fp32 encoder and decoder in onnxruntime-web, against transformers' reference masks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireFixture } from '../fixtures.js';
import { decodePng } from '../../core/image/png.js';
import { maskIoU } from '../../core/masks/measure.js';
import type { GrayImage } from '../../core/image/types.js';
import { runCli, pool, type CliResult } from '../helpers/cli.js';

const dir = requireFixture('sam-reference');

function gray(bytes: Uint8Array): GrayImage {
  const img = decodePng(bytes);
  const data = new Uint8Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i * 4]! > 127 ? 255 : 0;
  return { width: img.width, height: img.height, data };
}

interface Case {
  image: string;
  width: number;
  height: number;
  prompts: Array<{ points: number[][]; labels: number[]; iou_scores: number[]; masks: string[] }>;
}

describe.skipIf(!dir)('cutout segment reproduces the sam-reference masks', () => {
  const cases = dir ? (JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')).cases as Case[]) : [];
  const jobs = cases.flatMap((c) => c.prompts.map((p, pi) => ({ c, p, pi })));
  const results = new Map<string, { r: CliResult; out: string }>();
  const root = mkdtempSync(join(tmpdir(), 'cutout-seg-'));

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    await pool(
      jobs.map(({ c, p, pi }) => async () => {
        const out = join(root, `${c.image.replace(/\W/g, '_')}-${pi}`);
        const args = ['segment', join(dir!, c.image), '--model', join(dir!, 'onnx'), '--out-dir', out];
        p.points.forEach(([x, y], i) => args.push('--point', `${x},${y},${p.labels[i]}`));
        results.set(`${c.image}#${pi}`, { r: await runCli(args), out });
      }),
      2,
    );
  }, 1_200_000);

  for (const { c, p, pi } of jobs) {
    it(`${c.image} prompt ${pi}`, () => {
      const { r, out } = results.get(`${c.image}#${pi}`)!;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout);
      expect(json.width).toBe(c.width);
      expect(json.height).toBe(c.height);
      expect(json.format).toBe('sam-hf');
      expect(json.scores).toHaveLength(3);
      json.scores.forEach((s: number, k: number) => expect(Math.abs(s - p.iou_scores[k]!)).toBeLessThanOrEqual(1e-4));
      expect(json.selected).toBe(p.iou_scores.indexOf(Math.max(...p.iou_scores)));
      expect(readdirSync(out).sort()).toEqual(['mask-0.png', 'mask-1.png', 'mask-2.png', 'mask.png']);
      p.masks.forEach((m, k) => {
        const ours = gray(new Uint8Array(readFileSync(join(out, `mask-${k}.png`))));
        expect(ours.width).toBe(c.width);
        expect(maskIoU(ours, gray(new Uint8Array(readFileSync(join(dir!, m)))))).toBeGreaterThanOrEqual(0.99);
        expect(json.areas[k]).toBe(ours.data.filter((v) => v).length);
      });
      expect(readFileSync(join(out, 'mask.png'))).toEqual(readFileSync(join(out, `mask-${json.selected}.png`)));
      expect(typeof json.timings.encode_ms).toBe('number');
      expect(typeof json.timings.decode_ms).toBe('number');
    });
  }

});
