/**
 * Feather + decontaminate on a large image stay within a few planes of memory: the benchmark's
 * cutout case (bench/hostile.ts: 3000×3000 photo-like image, disc mask, feather 50,
 * decontaminate) in a fresh process, peak RSS from /proc. Decontaminate used to hold a blurred
 * float plane per channel and per radius (≈ 17 planes of the image's size at its peak).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const HOSTILE = resolve(import.meta.dirname, '../../bench/hostile.ts');

describe('cutout memory', () => {
  it('3000×3000 with feather 50 and decontaminate peaks under 12 image-sized planes', { timeout: 600_000 }, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', HOSTILE, '--case', 'cutout_3000'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const fig = JSON.parse(r.stdout.trim().split('\n').pop()!) as { peak_mb: number; rgba_mb: number };
    console.log(`cutout 3000²: peak ${fig.peak_mb.toFixed(0)} MB (${(fig.peak_mb / fig.rgba_mb).toFixed(1)}× the RGBA image)`);
    // A float plane is the size of the RGBA image; Node itself is ≈ 100 MB of the peak.
    expect(fig.peak_mb).toBeLessThan(100 + 12 * fig.rgba_mb);
  });
});
