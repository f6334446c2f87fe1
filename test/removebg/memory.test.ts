/**
 * Memory over a long batch: `cutout remove-bg` (the built CLI, one process) over 200 images
 * with the analytic salient model, CUTOUT_REPORT_RSS=1. Peak RSS at the end must stay within
 * 1.2× the peak after the first 10 items. The images are the benchmark's (bench/removebg-scenes.ts):
 * 10 product-shot-like scenes from 640×480 to 1600×1200, PNG and JPEG, cycled, so the first 10
 * items already include the largest one and any later growth is the batch's own (allocator
 * fragmentation from per-image buffers, see core/image/scratch.ts), not a bigger image.
 * With the analytic model (≈ 1 ms a run) the per-image pipeline is nearly all the work and the
 * baseline is as small as it gets: the harshest case. ~25 s.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { analyticDirs } from './models.js';
import { SIZES, productShot } from '../../bench/removebg-scenes.js';

const ITEMS = 200;
const MAX_RATIO = 1.2;

const root = mkdtempSync(join(tmpdir(), 'cutout-rbg-memory-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('remove-bg memory over a 200-image batch', () => {
  it(`peak RSS at the end ≤ ${MAX_RATIO}× the peak after the first 10 items`, { timeout: 300_000 }, async () => {
    const bases = SIZES.map(([w, h], k) => ({ bytes: productShot(w, h, k), ext: k % 2 ? 'jpg' : 'png' }));
    const inputs: string[] = [];
    for (let i = 0; i < ITEMS; i++) {
      const b = bases[i % bases.length]!;
      const path = join(root, `img-${String(i).padStart(3, '0')}.${b.ext}`);
      writeFileSync(path, b.bytes);
      inputs.push(path);
    }
    const r = await runCli(['remove-bg', ...inputs, '--model', (await analyticDirs()).salient, '--out-dir', join(root, 'out')], {
      env: { CUTOUT_REPORT_RSS: '1', CUTOUT_THREADS: '1' },
    });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok?: boolean; max_rss?: number });
    const items = lines.filter((l) => l.ok !== undefined);
    expect(items).toHaveLength(ITEMS);
    expect(items.every((l) => l.ok)).toBe(true);
    const after10 = items[9]!.max_rss!;
    const end = Math.max(...items.map((l) => l.max_rss!));
    const mb = (b: number) => (b / 2 ** 20).toFixed(1);
    console.log(`remove-bg ${ITEMS} images: peak RSS ${mb(after10)} MB after 10, ${mb(end)} MB at the end, ratio ${(end / after10).toFixed(3)}`);
    expect(end / after10).toBeLessThanOrEqual(MAX_RATIO);
  });
});
