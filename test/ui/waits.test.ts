/**
 * Honest waits: the progress estimator (ui/estimate.ts), the timings learned from earlier runs
 * and kept in the settings (plugin/timings.ts, both settings sanitisers), the loading and
 * analysis bars built from them (ui/waits.ts), and the pending hover (ui/pending.ts).
 */
import { describe, expect, it } from 'vitest';
import { validateSettings } from '../../plugin/host/settings.js';
import { learnDownload, learnTiming, MAX_TIMED_MODELS, sanitizeTimings, type LearnedTimings } from '../../plugin/timings.js';
import { StagedProgress, timeFraction } from '../../ui/estimate.js';
import { hoverAnswers, PendingHover, promptWait } from '../../ui/pending.js';
import { sanitizeSettings } from '../../ui/settings.js';
import { FIRST_GUESS, type WaitOwner, Waits, type WaitState } from '../../ui/waits.js';

describe('StagedProgress', () => {
  it('is determinate from the start, advances with the clock against the estimate and never reaches 1 before the end', () => {
    const p = new StagedProgress([{ key: 'encode', estimateMs: 10_000 }]);
    p.start('encode', 0);
    expect(p.fraction(0)).toBe(0);
    expect(p.fraction(5000)).toBeCloseTo(0.5, 5);
    expect(p.remainingMs(5000)).toBe(5000);
    const late = p.fraction(30_000);
    expect(late).toBeGreaterThan(0.9);
    expect(late).toBeLessThan(1);
    expect(p.remainingMs(30_000)).toBeUndefined(); // overran: no negative countdown
    p.finish('encode', 31_000);
    expect(p.fraction(31_000)).toBe(1);
  });

  it('never goes back, even when a measured stage reports less than the clock had shown', () => {
    const p = new StagedProgress([
      { key: 'download', estimateMs: 1000 },
      { key: 'open', estimateMs: 1000 },
    ]);
    p.measure('download', 0.8, 0);
    const a = p.fraction(0);
    expect(a).toBeCloseTo(0.4, 5);
    p.reestimate('download', 5000); // the download turns out to weigh more: its share grows
    const b = p.fraction(10);
    expect(b).toBeGreaterThanOrEqual(a);
    p.measure('download', 0.5, 20); // measures never decrease either
    expect(p.fraction(20)).toBeGreaterThanOrEqual(b);
    p.start('open', 100); // starting the next stage finishes the earlier ones
    expect(p.fraction(100)).toBeGreaterThanOrEqual(5000 / 6000 - 1e-9);
    let last = 0;
    for (let t = 100; t < 20_000; t += 250) {
      const f = p.fraction(t);
      expect(f).toBeGreaterThanOrEqual(last);
      expect(f).toBeLessThan(1);
      last = f;
    }
  });

  it('estimates a measured stage from its own rate once it has one', () => {
    const p = new StagedProgress([{ key: 'download', estimateMs: 100_000 }]);
    p.measure('download', 0.25, 0);
    p.measure('download', 0.5, 2000); // started at 0: half in 2 s → 2 s left, whatever the estimate said
    expect(p.remainingMs(2000)).toBeCloseTo(2000, 5);
  });

  it('timeFraction is monotone and below 1', () => {
    let last = -1;
    for (let t = 0; t <= 100_000; t += 100) {
      const f = timeFraction(t, 5000);
      expect(f).toBeGreaterThanOrEqual(last);
      expect(f).toBeLessThan(1);
      last = f;
    }
  });
});

describe('learned timings (kept in the settings)', () => {
  it('blends each new measurement halfway into the estimate', () => {
    let t = learnTiming(undefined, 'm', 'firstEncodeMs', 14_000);
    expect(t.models.m!.firstEncodeMs).toBe(14_000);
    t = learnTiming(t, 'm', 'firstEncodeMs', 6000);
    expect(t.models.m!.firstEncodeMs).toBe(10_000);
    t = learnTiming(t, 'm', 'openMs', 3700);
    expect(t.models.m).toMatchObject({ firstEncodeMs: 10_000, openMs: 3700 });
  });

  it('keeps only the most recently used models and drops nonsense', () => {
    let t: LearnedTimings | undefined;
    for (let i = 0; i < MAX_TIMED_MODELS + 3; i++) t = learnTiming(t, `m${i}`, 'encodeMs', 1000 + i);
    expect(Object.keys(t!.models)).toHaveLength(MAX_TIMED_MODELS);
    expect(t!.models.m0).toBeUndefined();
    expect(t!.models[`m${MAX_TIMED_MODELS + 2}`]!.encodeMs).toBe(1000 + MAX_TIMED_MODELS + 2);
    expect(learnTiming(undefined, 'm', 'encodeMs', Number.NaN)).toEqual({ models: {} });
    expect(sanitizeTimings({ downloadBps: -1, models: { a: { encodeMs: 'x' }, b: { openMs: 5, used: 1, junk: 1 } } })).toEqual({ models: { b: { openMs: 5, used: 1 } } });
    expect(sanitizeTimings('nope')).toBeUndefined();
    expect(learnDownload(undefined, 10_000_000, 2000).downloadBps).toBe(5e6);
    expect(learnDownload(undefined, 1000, 2000).downloadBps).toBeUndefined(); // too small to say
  });

  it('survives a round trip through both settings sanitisers (the UI and the host)', () => {
    const timings = learnTiming(learnDownload(undefined, 10e6, 2000), 'slimsam-77-q8', 'firstEncodeMs', 12_000);
    expect(sanitizeSettings({ timings }).timings).toEqual(timings);
    const host = validateSettings({ modelId: 'slimsam-77-q8', timings: JSON.parse(JSON.stringify(timings)) });
    expect(host.settings.timings).toEqual(timings);
    expect(host.problems).toEqual([]);
    expect(validateSettings({ timings: { models: { x: { encodeMs: -4 } } } }).settings.timings).toBeUndefined();
  });
});

/** A Waits on a fake clock, recording what it shows; timings persist in `saved`. */
function harness(saved?: LearnedTimings) {
  let now = 0;
  const shown: Array<{ owner: WaitOwner; state: WaitState }> = [];
  const hidden: WaitOwner[] = [];
  const ticks = new Set<() => void>();
  const store = { timings: saved };
  const waits = new Waits({
    show: (owner, state) => shown.push({ owner, state }),
    hide: (owner) => hidden.push(owner),
    timings: () => store.timings,
    saveTimings: (t) => (store.timings = t),
    now: () => now,
    every: (_ms, fn) => {
      ticks.add(fn);
      return () => ticks.delete(fn);
    },
  });
  const advance = (ms: number) => {
    for (let t = 0; t < ms; t += 200) {
      now += Math.min(200, ms - t);
      ticks.forEach((f) => f());
    }
  };
  return { waits, shown, hidden, store, advance, ticks, at: () => now };
}

const MODEL = { id: 'slimsam', name: 'SlimSAM' };

describe('Waits: the loading and analysis bars', () => {
  it('loading is one determinate, monotone bar over download and session creation, with the total fixed and time left', () => {
    const h = harness();
    const total = 25_200_000;
    for (let loaded = 0; loaded < total; loaded += 2_000_000) {
      h.waits.download(MODEL, loaded, total);
      h.advance(400);
    }
    h.waits.download(MODEL, total, total);
    h.waits.opening(MODEL);
    h.advance(3000);
    h.waits.modelDone(MODEL, true);
    const model = h.shown.filter((s) => s.owner === 'model').map((s) => s.state);
    expect(model.length).toBeGreaterThan(10);
    const fractions = model.map((s) => s.fraction);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    expect(Math.max(...fractions)).toBeLessThan(1);
    const downloads = model.filter((s) => s.label === 'Downloading SlimSAM');
    expect(downloads.length).toBeGreaterThan(5);
    for (const d of downloads) expect(d.detail).toMatch(/^[\d.]+ (B|kB|MB) of 25\.2 MB · (about \d+ s left|a few seconds left|about \d+ min left)$/);
    expect(model.some((s) => s.label === 'Preparing SlimSAM')).toBe(true);
    expect(h.hidden).toContain('model');
    expect(h.ticks.size).toBe(0); // the clock stops with the wait
    // Learned for next time: the speed and how long opening took.
    expect(h.store.timings!.downloadBps).toBeGreaterThan(0);
    expect(h.store.timings!.models.slimsam!.openMs).toBe(3000);
  });

  it('analysis estimates come from earlier runs: the first encode of a runtime and later ones apart', () => {
    const h = harness();
    expect(h.waits.encodeEstimate('slimsam', true)).toBe(FIRST_GUESS.encodeMs);
    h.waits.encoding('slimsam', true, h.at());
    h.advance(14_000);
    h.waits.encoded(14_000);
    h.waits.encoding('slimsam', false, h.at());
    h.advance(6000);
    h.waits.encoded(6000);
    expect(h.store.timings!.models.slimsam).toMatchObject({ firstEncodeMs: 14_000, encodeMs: 6000 });

    // The next session (the settings came back from the host): the bar is timed on 14 s.
    const next = harness(JSON.parse(JSON.stringify(h.store.timings)));
    next.waits.encoding('slimsam', true, next.at());
    next.advance(7000);
    const half = next.shown.filter((s) => s.owner === 'encode').pop()!.state;
    expect(half.label).toBe('Analyzing image');
    expect(half.fraction).toBeCloseTo(0.5, 1);
    expect(half.detail).toBe('about 5 s left');
    next.advance(20_000); // much slower than before: says so, bar still below 1
    const over = next.shown.filter((s) => s.owner === 'encode').pop()!.state;
    expect(over.detail).toBe('a little longer than usual');
    expect(over.fraction).toBeLessThan(1);
    next.waits.encoded(undefined); // a failed or cached analysis teaches nothing
    expect(next.store.timings!.models.slimsam!.firstEncodeMs).toBe(14_000);
  });

  it('a model from the store skips the download part', () => {
    const h = harness({ models: { slimsam: { openMs: 2000, used: 1 } } });
    h.waits.download(MODEL, 25_200_000, 25_200_000);
    h.waits.opening(MODEL);
    h.advance(1000);
    const s = h.shown.filter((x) => x.owner === 'model').pop()!.state;
    expect(s.label).toBe('Preparing SlimSAM');
    expect(s.fraction).toBeGreaterThan(0.45); // the download share is done; half of 2 s of opening
    expect(h.store.timings!.downloadBps).toBeUndefined(); // nothing came from the network
  });
});

describe('pending prompts', () => {
  it('a held hover runs on release; a newer hover or a drop supersedes it', async () => {
    const p = new PendingHover<string>();
    const a = p.hold('a');
    const b = p.hold('b');
    expect(await a).toBe(false);
    expect(p.waiting).toBe(true);
    expect(p.value).toBe('b');
    expect(p.release()).toBe('b');
    expect(await b).toBe(true);
    expect(p.waiting).toBe(false);
    const c = p.hold('c');
    p.drop();
    expect(await c).toBe(false);
    expect(p.release()).toBeUndefined();
  });

  it('a prompt is pending until the embedding exists, then decoding until answered', () => {
    expect(promptWait({ decodable: true, answered: false, encoded: false })).toBe('pending');
    expect(promptWait({ decodable: true, answered: false, encoded: true })).toBe('decoding');
    expect(promptWait({ decodable: true, answered: true, encoded: true })).toBe('none');
    expect(promptWait({ decodable: false, answered: false, encoded: false })).toBe('none');
  });

  it('a first click where the pointer rests takes the hover preview there; anything else decodes', () => {
    const at = { x: 12.5, y: 40 };
    expect(hoverAnswers({ points: [{ ...at, label: 1 }] }, at, false)).toBe(true);
    expect(hoverAnswers({ points: [{ ...at, label: 0 }] }, at, false)).toBe(false); // exclusion
    expect(hoverAnswers({ points: [{ x: 12.5, y: 41, label: 1 }] }, at, false)).toBe(false); // moved
    expect(hoverAnswers({ points: [{ ...at, label: 1 }] }, at, true)).toBe(false); // refines a mask
    expect(hoverAnswers({ points: [{ ...at, label: 1 }], box: { x0: 0, y0: 0, x1: 5, y1: 5 } }, at, false)).toBe(false);
    expect(hoverAnswers({ points: [{ ...at, label: 1 }, { x: 1, y: 1, label: 1 }] }, at, false)).toBe(false);
    expect(hoverAnswers({ points: [{ ...at, label: 1 }] }, undefined, false)).toBe(false);
  });
});
