/**
 * remove-bg on a large image stays within about three times the decoded RGBA image on top of
 * what the process needs anyway (Node, onnxruntime, the model): the benchmark's removebg case
 * (bench/hostile.ts: the built CLI on a 3000×3000 photo-like PNG with the analytic salient
 * model, peak RSS of the CLI process), less the same on a 64×64 PNG. Every stage used to keep
 * its own image-sized buffer (file bytes, inflated data, float alpha, cutout copy, filtered
 * rows, zero-filled deflate output): about 6× the RGBA image.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const HOSTILE = resolve(import.meta.dirname, '../../bench/hostile.ts');

function run(name: string): { peak_mb: number; rgba_mb: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', HOSTILE, '--case', name], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const fig = JSON.parse(r.stdout.trim().split('\n').pop()!) as { peak_mb: number; rgba_mb: number; ok: boolean; note?: string };
  expect(fig.ok, fig.note).toBe(true);
  return fig;
}

describe('remove-bg memory on a large image', () => {
  it('3000×3000: peak above a 64×64 run ≤ 3× the RGBA image', { timeout: 600_000 }, () => {
    const small = run('removebg_64');
    const big = run('removebg_3000');
    const extra = big.peak_mb - small.peak_mb;
    console.log(`remove-bg 3000²: peak ${big.peak_mb.toFixed(0)} MB, 64²: ${small.peak_mb.toFixed(0)} MB; ${extra.toFixed(0)} MB more = ${(extra / big.rgba_mb).toFixed(2)}× the RGBA image`);
    expect(extra).toBeLessThanOrEqual(3 * big.rgba_mb);
  });

  // Feather used to blur in two new float planes beside the cutout's own copy: 6.0× here.
  it('3000×3000 with --feather 20: the same bound', { timeout: 600_000 }, () => {
    const small = run('removebg_64');
    const big = run('removebg_feather_3000');
    const extra = big.peak_mb - small.peak_mb;
    console.log(`remove-bg --feather 20 3000²: peak ${big.peak_mb.toFixed(0)} MB, 64²: ${small.peak_mb.toFixed(0)} MB; ${extra.toFixed(0)} MB more = ${(extra / big.rgba_mb).toFixed(2)}× the RGBA image`);
    expect(extra).toBeLessThanOrEqual(3 * big.rgba_mb);
  });
});
