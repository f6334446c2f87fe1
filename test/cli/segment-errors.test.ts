/**
 * `cutout segment` on bad input: non-zero exit, ONE clear line on stderr, no output files.
 * And the awkward-but-valid inputs (1×1, 10000×8000) work.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zlibSync } from 'fflate';
import { generateAnalyticModels } from '../../models/analytic/index.js';
import { encodePng, decodePng } from '../../core/image/png.js';
import { runCli } from '../helpers/cli.js';
import { chunk, concat, ihdr, SIGNATURE } from '../image/png-builder.js';
import { render } from '../helpers/synthetic.js';

let root: string;
let models: Record<string, string>;
let image: string;

/** A grey PNG of the given size whose pixels are all 0 (tiny when compressed). */
function bigGreyPng(width: number, height: number): Uint8Array {
  const raw = width && height ? new Uint8Array((width + 1) * height) : new Uint8Array(0);
  return concat([SIGNATURE, ihdr(width, height, 8, 0), chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cutout-errors-'));
  models = await generateAnalyticModels(join(root, 'models'));
  image = join(root, 'shapes.png');
  writeFileSync(image, encodePng(render(120, 80, [100, 100, 100], [{ kind: 'disc', cx: 40, cy: 40, r: 25, color: [119, 119, 119] }])));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function expectFailure(args: string[], message: RegExp): Promise<void> {
  const out = join(root, 'out-' + Math.random().toString(36).slice(2));
  const r = await runCli(['segment', ...args, '--out-dir', out]);
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^cutout: /);
  expect(lines[0]).toMatch(message);
  expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
}

describe('cutout segment: bad input', () => {
  it('missing image', () => expectFailure([join(root, 'nope.png'), '--model', models['sam-hf']!, '--point', '1,1'], /image not found: .*nope\.png/));
  it('corrupt image', async () => {
    const f = join(root, 'corrupt.png');
    writeFileSync(f, new Uint8Array(500).map((_, i) => (i * 7919) & 255));
    await expectFailure([f, '--model', models['sam-hf']!, '--point', '1,1'], /PNG or JPEG/);
  });
  it('truncated PNG', async () => {
    const f = join(root, 'truncated.png');
    writeFileSync(f, readFileSync(image).subarray(0, 60));
    await expectFailure([f, '--model', models['sam-hf']!, '--point', '1,1'], /PNG/);
  });
  it('0×0 image', async () => {
    const f = join(root, 'zero.png');
    writeFileSync(f, bigGreyPng(0, 0));
    await expectFailure([f, '--model', models['sam-hf']!, '--point', '0,0'], /0×0/);
  });
  it('point outside the image', () => expectFailure([image, '--model', models['sam-hf']!, '--point', '500,10'], /outside the 120×80 image/));
  it('NaN coordinates', () => expectFailure([image, '--model', models['sam-hf']!, '--point', 'NaN,10'], /not a finite number/));
  it('bad label', () => expectFailure([image, '--model', models['sam-hf']!, '--point', '10,10,2'], /LABEL must be 1 .* or 0/));
  it('no prompt', () => expectFailure([image, '--model', models['sam-hf']!], /--point/));
  it('empty box', () => expectFailure([image, '--model', models['sam-hf']!, '--box', '10,10,10,40'], /box .* is empty/));
  it('unknown option', () => expectFailure([image, '--model', models['sam-hf']!, '--pint', '1,1'], /unknown option --pint/));
  it('unknown model directory or id', () => expectFailure([image, '--model', join(root, 'no-such-model'), '--point', '1,1'], /neither a folder nor a known model id/));
  it('a folder without a SAM model', async () => {
    const d = join(root, 'empty-model');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'readme.txt'), 'hi');
    await expectFailure([image, '--model', d, '--point', '1,1'], /no SAM model found: expected vision_encoder\.onnx/);
  });
  it('an ONNX file of the wrong format', async () => {
    const d = join(root, 'wrong-format');
    mkdirSync(d, { recursive: true });
    copyFileSync(join(models['sam-hf']!, 'vision_encoder.onnx'), join(d, 'encoder.onnx'));
    copyFileSync(join(models.salient!, 'model.onnx'), join(d, 'decoder.onnx'));
    await expectFailure([image, '--model', d, '--point', '1,1'], /decoder\.onnx is not a SAM decoder .*inputs are \[input\]/);
  });
  it('mismatched encoder and decoder', async () => {
    const d = join(root, 'mismatch');
    mkdirSync(d, { recursive: true });
    copyFileSync(join(models['sam2-hf']!, 'vision_encoder.onnx'), join(d, 'vision_encoder.onnx'));
    copyFileSync(join(models['sam-hf']!, 'prompt_encoder_mask_decoder.onnx'), join(d, 'prompt_encoder_mask_decoder.onnx'));
    await expectFailure([image, '--model', d, '--point', '1,1'], /vision_encoder\.onnx does not look like a sam-hf model: expected .*image_positional_embeddings.* found/);
  });
  it('a background-removal model where a SAM model is needed', () =>
    expectFailure([image, '--model', models.salient!, '--point', '1,1'], /expected a SAM model .* but found a salient model/));
  it('a truncated ONNX file', async () => {
    const d = join(root, 'truncated-model');
    mkdirSync(d, { recursive: true });
    copyFileSync(join(models['sam-hf']!, 'vision_encoder.onnx'), join(d, 'vision_encoder.onnx'));
    const dec = readFileSync(join(models['sam-hf']!, 'prompt_encoder_mask_decoder.onnx'));
    writeFileSync(join(d, 'prompt_encoder_mask_decoder.onnx'), dec.subarray(0, Math.floor(dec.length / 2)));
    await expectFailure([image, '--model', d, '--point', '1,1'], /could not load prompt_encoder_mask_decoder\.onnx .*truncated/);
  });
});

describe('cutout segment: awkward but valid input', () => {
  it('1×1 image', async () => {
    const f = join(root, 'one.png');
    writeFileSync(f, encodePng(render(1, 1, [200, 10, 10], [])));
    const out = join(root, 'one-out');
    const r = await runCli(['segment', f, '--model', models.sam1!, '--point', '0.5,0.5', '--out-dir', out]);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout);
    expect([json.width, json.height]).toEqual([1, 1]);
    const m = decodePng(new Uint8Array(readFileSync(join(out, 'mask.png'))));
    expect([m.width, m.height, m.data[0]]).toEqual([1, 1, 255]);
  });

  it('10000×8000 image (80 MP) without running out of memory', async () => {
    const f = join(root, 'huge.png');
    writeFileSync(f, bigGreyPng(10000, 8000));
    const out = join(root, 'huge-out');
    const r = await runCli(['segment', f, '--model', models['sam2']!, '--point', '5000,4000', '--out-dir', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect([json.width, json.height]).toEqual([10000, 8000]);
    // A flat image: the clicked colour is everywhere.
    expect(json.areas[json.selected]).toBe(80_000_000);
  }, 300_000);
});
