/**
 * `cutout everything`: masks largest first with masks.json, the safe-writing rules of the
 * other commands (never an input, never a user's file without --overwrite, all or nothing),
 * and one-line refusals. Real onnxruntime on the analytic models.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAnalyticModels } from '../../models/analytic/index.js';
import { decodePng, encodePng } from '../../core/image/png.js';
import { isCutoutError } from '../../core/errors.js';
import { everything } from '../../cli/everything.js';
import { isOwnOutput, markJson } from '../../cli/own-output.js';
import { writeOutputs } from '../../cli/io.js';
import { runCli } from '../helpers/cli.js';
import { faultyFs } from '../helpers/faulty-fs.js';
import { render, truth, type Shape } from '../helpers/synthetic.js';
import { maskIoU } from '../../core/masks/measure.js';

let root: string;
let models: Record<string, string>;
let image: string;
const W = 320;
const H = 240;
const shapes: Shape[] = [
  { kind: 'disc', cx: 80, cy: 80, r: 56, color: [220, 40, 40] },
  { kind: 'rect', x0: 170, y0: 100, x1: 300, y1: 220, color: [40, 200, 60] },
];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cutout-everything-'));
  models = await generateAnalyticModels(join(root, 'models'));
  image = join(root, 'scene.png');
  writeFileSync(image, encodePng(render(W, H, [60, 60, 60], shapes)));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fresh = () => join(root, 'out-' + Math.random().toString(36).slice(2));
const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

async function expectRefusal(args: string[], message: RegExp, out = fresh()): Promise<void> {
  const before = listing(out);
  const r = await runCli(['everything', ...args, '--out-dir', out]);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^cutout: /);
  expect(lines[0]).toMatch(message);
  expect(listing(out)).toEqual(before);
}

describe('cutout everything', () => {
  it('writes one mask per object, largest first, and masks.json with the reference fields; a second run replaces its own files', async () => {
    const out = fresh();
    const r = await runCli(['everything', image, '--model', models['sam-hf']!, '--points-per-side', '8', '--out-dir', out]);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(printed).toMatchObject({ width: W, height: H, format: 'sam-hf', count: 3 });
    expect(printed.decoder_runs).toBeGreaterThan(0);
    expect(listing(out)).toEqual(['mask-0.png', 'mask-1.png', 'mask-2.png', 'masks.json']);
    const json = JSON.parse(readFileSync(join(out, 'masks.json'), 'utf8'));
    expect(json.options).toMatchObject({ points_per_side: 8, pred_iou_thresh: 0.88, stability_score_thresh: 0.95, box_nms_thresh: 0.7, min_mask_region_area: 0, skip_covered: true });
    expect(json.masks.map((m: { file: string }) => m.file)).toEqual(['mask-0.png', 'mask-1.png', 'mask-2.png']);
    const pngs = json.masks.map((m: { file: string }) => decodePng(readFileSync(join(out, m.file))));
    json.masks.forEach((m: { area: number; bbox: number[]; predicted_iou: number; stability_score: number; point_coords: number[][] }, k: number) => {
      const png = pngs[k]!;
      let area = 0;
      let x0 = W, y0 = H, x1 = -1, y1 = -1;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          if (!png.data[(y * W + x) * 4]) continue;
          area++;
          x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
        }
      }
      expect(m.area).toBe(area);
      expect(m.bbox).toEqual([x0, y0, x1 - x0, y1 - y0]);
      expect(m.predicted_iou).toBeGreaterThan(0.88);
      expect(m.stability_score).toBeGreaterThanOrEqual(0.95);
      expect(m.point_coords).toHaveLength(1);
      if (k > 0) expect(m.area).toBeLessThanOrEqual(json.masks[k - 1].area);
    });
    // Largest first: background, then the rectangle, then the disc.
    const gray = (k: number) => ({ width: W, height: H, data: Uint8Array.from({ length: W * H }, (_, i) => pngs[k]!.data[i * 4]!) });
    expect(maskIoU(gray(1), truth(W, H, shapes, 1))).toBeGreaterThanOrEqual(0.95);
    expect(maskIoU(gray(2), truth(W, H, shapes, 0))).toBeGreaterThanOrEqual(0.95);

    const again = await runCli(['everything', image, '--model', models['sam-hf']!, '--points-per-side', '8', '--exact', '--out-dir', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'masks.json'), 'utf8')).options.skip_covered).toBe(false);
  }, 300_000);

  it('a run that finds fewer objects removes the extra mask-N.png an earlier run wrote, and only those', async () => {
    const out = fresh();
    mkdirSync(out);
    // As an earlier run with more objects left them: written (and marked) by cutout.
    writeOutputs([{ path: join(out, 'mask-5.png'), bytes: encodePng(render(W, H, [0, 0, 0], [])) }]);
    // The user's own file in the same place, allowed by --overwrite: replaced only if a mask lands there, never removed.
    writeFileSync(join(out, 'mask-6.png'), 'mine');
    const r = await runCli(['everything', image, '--model', models['sam-hf']!, '--points-per-side', '8', '--out-dir', out, '--overwrite']);
    expect(r.code, r.stderr).toBe(0);
    expect(listing(out)).toEqual(['mask-0.png', 'mask-1.png', 'mask-2.png', 'mask-6.png', 'masks.json']);
    expect(readFileSync(join(out, 'mask-6.png'), 'utf8')).toBe('mine');
  }, 300_000);

  it('never replaces a masks.json or mask-N.png it did not write (without --overwrite), nor the input (even with it)', async () => {
    const out = fresh();
    mkdirSync(out);
    writeFileSync(join(out, 'masks.json'), '{"mine": true}\n');
    await expectRefusal([image, '--model', models['sam-hf']!, '--points-per-side', '4'], /masks\.json already exists and was not written by cutout/, out);
    expect(readFileSync(join(out, 'masks.json'), 'utf8')).toBe('{"mine": true}\n');
    const out2 = fresh();
    mkdirSync(out2);
    writeFileSync(join(out2, 'mask-40.png'), 'not ours');
    await expectRefusal([image, '--model', models['sam-hf']!, '--points-per-side', '4'], /mask-40\.png already exists/, out2);
    const out3 = fresh();
    mkdirSync(out3);
    const input = join(out3, 'mask-0.png');
    writeFileSync(input, readFileSync(image));
    await expectRefusal([input, '--model', models['sam-hf']!, '--points-per-side', '4', '--overwrite'], /refusing to overwrite the input file/, out3);
    expect(readFileSync(input)).toEqual(readFileSync(image));
  }, 300_000);

  it('all or nothing: a rename failing half way leaves the previous run\'s files as they were', async () => {
    const out = fresh();
    const args = [image, '--model', models['sam-hf']!, '--points-per-side', '6', '--out-dir', out];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await everything.run(args)).toBe(0);
      const before = Object.fromEntries(listing(out).map((f) => [f, readFileSync(join(out, f)).toString('base64')]));
      const err = await everything.run([...args, '--min-area', '50', '--exact'], faultyFs([{ op: 'renameSync', nth: 2, code: 'EIO' }])).catch((e: unknown) => e);
      expect(isCutoutError(err, 'OUTPUT'), String(err)).toBe(true);
      expect(Object.fromEntries(listing(out).map((f) => [f, readFileSync(join(out, f)).toString('base64')]))).toEqual(before);
    } finally {
      spy.mockRestore();
    }
  }, 300_000);

  it('refuses bad options in one line, before loading anything', async () => {
    const m = models['sam-hf']!;
    await expectRefusal([image, '--model', m, '--points-per-side', '0'], /--points-per-side must be from 1 to 128, got 0/);
    await expectRefusal([image, '--model', m, '--points-per-side', '2.5'], /--points-per-side must be a whole number, got 2\.5/);
    await expectRefusal([image, '--model', m, '--pred-iou-thresh', '1.5'], /--pred-iou-thresh must be from 0 to 1, got 1\.5/);
    await expectRefusal([image, '--model', m, '--stability-thresh', 'high'], /--stability-thresh must be a finite number/);
    await expectRefusal([image, '--model', m, '--min-area', '-3'], /--min-area must be at least 0, got -3|--min-area must be from 0/);
    await expectRefusal([image, '--model', m, '--points', '4'], /unknown option --points/);
    await expectRefusal([image], /--model DIR\|ID is required/);
    await expectRefusal([join(root, 'missing.png'), '--model', m], /image not found: .*missing\.png/);
    await expectRefusal([image, '--model', models.salient!], /expected a SAM model .* but found a salient model/);
  }, 300_000);
});

describe('masks.json is recognised as our own output only while unchanged', () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  it('marked JSON is ours and still parses; an edit, a copied mark or plain JSON is not', () => {
    const marked = markJson(JSON.stringify({ masks: [{ area: 3 }], width: 2 }));
    expect(JSON.parse(marked)).toMatchObject({ masks: [{ area: 3 }], width: 2 });
    expect(isOwnOutput(enc(marked))).toBe(true);
    expect(isOwnOutput(enc(markJson('{}')))).toBe(true);
    expect(isOwnOutput(enc(marked.replace('"area":3', '"area":4')))).toBe(false);
    const mark = marked.slice(marked.lastIndexOf(',"written_by"'));
    expect(isOwnOutput(enc(JSON.stringify({ mine: true }).slice(0, -1) + mark))).toBe(false);
    expect(isOwnOutput(enc('{"masks":[]}\n'))).toBe(false);
  });
});
