/**
 * ResultPreview: debounced while a slider moves, one computation at a time, only the newest
 * answer shown, a repeated request not computed twice, a failed one clears the preview. The
 * pipeline it runs is the real apply pipeline (ui/apply.ts buildResult) on a real prediction
 * of the analytic sam-hf model, so the preview is the result Apply would insert.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSamModel } from '../../core/models/sam-model.js';
import type { DecodeResult } from '../../core/models/types.js';
import { Segmenter } from '../../core/segment.js';
import { analyticModelFiles } from '../../models/analytic/index.js';
import { ort } from '../helpers/ort.js';
import { buildResult, type ApplyOptions } from '../../ui/apply.js';
import { ResultPreview, type PreviewResult } from '../../ui/preview.js';
import { render, type Shape } from '../helpers/synthetic.js';

const W = 64;
const H = 48;
const SHAPES: Shape[] = [{ kind: 'disc', cx: 32, cy: 24, r: 14, color: [200, 30, 30] }];
const image = render(W, H, [240, 240, 240], SHAPES);

function manualTimers() {
  const queue: Array<{ fn: () => void; cancelled: boolean }> = [];
  return {
    delay: (fn: () => void) => {
      const t = { fn, cancelled: false };
      queue.push(t);
      return { cancel: () => (t.cancelled = true) };
    },
    fire: () => {
      for (const t of queue.splice(0)) if (!t.cancelled) t.fn();
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('ResultPreview', () => {
  let p: DecodeResult;
  beforeAll(async () => {
    const seg = new Segmenter(await loadSamModel(ort, analyticModelFiles()['sam-hf'], { id: 'analytic' }));
    await seg.setImage(image);
    p = await seg.predict({ points: [{ x: 32, y: 24, label: 1 }] });
  });
  const opts = (o: Partial<ApplyOptions>): ApplyOptions => ({ output: 'cutout', feather: 0, smoothing: 1, ...o });

  it('debounces a moving slider: only the last position is computed and shown', async () => {
    const timers = manualTimers();
    const runs: ApplyOptions[] = [];
    const shown: Array<PreviewResult | undefined> = [];
    const preview = new ResultPreview({
      run: async (pr, c, o) => {
        runs.push(o);
        return buildResult(image, pr, c, o);
      },
      show: (r) => shown.push(r),
      delay: timers.delay,
    });
    for (const feather of [1, 2, 3, 4]) preview.request({ key: `f${feather}`, prediction: p, candidate: 0, options: opts({ feather }) });
    timers.fire();
    await settle();
    await settle();
    expect(runs.map((o) => o.feather)).toEqual([4]);
    expect(shown).toHaveLength(1);
    const r = shown[0]!;
    expect(r.key).toBe('f4');
    if (r.output !== 'cutout') throw new Error('expected a cutout');
    // Feathered: the PNG reaches beyond the disc's 28 px.
    expect(r.rect.width).toBeGreaterThan(28);

    // The same request again computes nothing.
    preview.request({ key: 'f4', prediction: p, candidate: 0, options: opts({ feather: 4 }) });
    timers.fire();
    await settle();
    expect(runs).toHaveLength(1);
  });

  it('an answer that arrives after a newer request is dropped; the newest is shown', async () => {
    const timers = manualTimers();
    const shown: Array<string | undefined> = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const preview = new ResultPreview({
      run: async (pr, c, o) => {
        if (first) {
          first = false;
          await gate;
        }
        return buildResult(image, pr, c, o);
      },
      show: (r) => shown.push(r?.key),
      delay: timers.delay,
    });
    preview.request({ key: 'cut', prediction: p, candidate: 0, options: opts({}) });
    timers.fire();
    await settle();
    preview.request({ key: 'vector', prediction: p, candidate: 0, options: opts({ output: 'vector-mask' }) });
    timers.fire();
    release();
    for (let i = 0; i < 5; i++) await settle();
    expect(shown).toEqual(['vector']);
  });

  it('a failed pipeline and clear() show the mask again', async () => {
    const timers = manualTimers();
    const shown: Array<string | undefined> = [];
    const preview = new ResultPreview({ run: async () => Promise.reject(new Error('empty')), show: (r) => shown.push(r?.key ?? 'none'), delay: timers.delay });
    preview.request({ key: 'x', prediction: p, candidate: 0, options: opts({}) });
    timers.fire();
    await settle();
    await settle();
    preview.clear();
    expect(shown).toEqual(['none', 'none']);
  });
});
