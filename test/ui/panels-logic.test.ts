/** The pure parts of the panels: mask candidates (order, names, default), window sizes, model tiers, copy. */
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../models/registry.js';
import { MAX_UI_SIZE, MIN_UI_SIZE } from '../../plugin/protocol.js';
import { clampUiSize } from '../../plugin/host/settings.js';
import { imageCount } from '../../ui/batch.js';
import { bySize, candidateStats, defaultCandidate, sizeNames, STABLE } from '../../ui/candidates.js';
import { skippedLine } from '../../ui/copy.js';
import { modelChoices, QUALITY_MODELS, qualityOf, shortName } from '../../ui/models.js';
import { dragSize } from '../../ui/resize-corner.js';

/** 16×16 logits: `inside` cells at `core`, a ring of `edge` around them, −8 elsewhere. */
function mask(n: number, core: number, edge = 0, ring = 0): Float32Array {
  const l = new Float32Array(256).fill(-8);
  for (let i = 0; i < n; i++) l[i] = core;
  for (let i = n; i < n + ring; i++) l[i] = edge;
  return l;
}

describe('mask candidates', () => {
  it('stats: area is the cells above 0; stability the share that stays when the threshold moves by ±1', () => {
    expect(candidateStats(mask(40, 5))).toEqual({ area: 40, stability: 1 });
    // 40 solid cells and 40 hovering at +0.5: inside at 0, gone at +1, there at −1
    const soft = candidateStats(mask(40, 5, 0.5, 40));
    expect(soft.area).toBe(80);
    expect(soft.stability).toBeCloseTo(0.5);
    expect(candidateStats(mask(0, 5))).toEqual({ area: 0, stability: 0 });
  });

  it('the format\'s choice stays when it is stable', () => {
    const p = { lowRes: [mask(90, 5), mask(50, 5), mask(10, 5)], scores: [0.7, 0.9, 0.6], selected: 1 };
    expect(defaultCandidate(p)).toBe(1);
  });

  it('an unstable first choice gives way to the best-scoring stable mask (as SAM 2 does)', () => {
    const shaky = mask(20, 5, 0.5, 60); // stability 0.25
    expect(candidateStats(shaky).stability).toBeLessThan(STABLE);
    const p = { lowRes: [mask(90, 5), shaky, mask(10, 5)], scores: [0.7, 0.95, 0.8], selected: 1 };
    expect(defaultCandidate(p)).toBe(2);
    // none stable: the format's choice
    const q = { lowRes: [shaky, shaky, shaky], scores: [0.7, 0.95, 0.8], selected: 1 };
    expect(defaultCandidate(q)).toBe(1);
    // an empty mask is never a fallback
    const r = { lowRes: [mask(0, 5), shaky], scores: [0.99, 0.5], selected: 1 };
    expect(defaultCandidate(r)).toBe(1);
  });

  it('ordered largest first and named by size', () => {
    const stats = [mask(10, 5), mask(90, 5), mask(50, 5)].map((l) => candidateStats(l));
    expect(bySize(stats)).toEqual([1, 2, 0]);
    expect(sizeNames(3)).toEqual(['Whole', 'Part', 'Detail']);
    expect(sizeNames(2)).toEqual(['Whole', 'Part']);
    expect(sizeNames(4)).toEqual(['Whole', 'Large part', 'Part', 'Detail']);
  });
});

describe('window size', () => {
  it('a drag adds the pointer\'s travel to the size it started from, within the limits', () => {
    const start = { x: 350, y: 590, width: 360, height: 600 };
    expect(dragSize(start, { x: 410.4, y: 630 })).toEqual({ width: 420, height: 640 });
    expect(dragSize(start, { x: 0, y: 0 })).toEqual({ width: MIN_UI_SIZE.width, height: MIN_UI_SIZE.height });
    expect(dragSize(start, { x: 5000, y: 5000 })).toEqual({ width: MAX_UI_SIZE.width, height: MAX_UI_SIZE.height });
  });

  it('the host clamps what it is asked for and what it stored', () => {
    expect(clampUiSize(10, 5000, { width: 360, height: 600 })).toEqual({ width: MIN_UI_SIZE.width, height: MAX_UI_SIZE.height });
    expect(clampUiSize('wide', NaN, { width: 360, height: 600 })).toEqual({ width: 360, height: 600 });
  });
});

describe('model choice', () => {
  it('Fast and Best name registry models of their kind', () => {
    for (const kind of ['sam', 'salient'] as const) {
      const ids = modelChoices(kind).map((c) => c.id);
      expect(ids).toContain(QUALITY_MODELS[kind].fast);
      expect(ids).toContain(QUALITY_MODELS[kind].best);
      expect(qualityOf(kind, QUALITY_MODELS[kind].best)).toBe('best');
      expect(qualityOf(kind, 'url:somewhere')).toBeUndefined();
    }
  });

  it('names lose the size the registry adds (the size is shown next to them)', () => {
    const byId = Object.fromEntries(modelChoices('sam').concat(modelChoices('salient')).map((c) => [c.id, c]));
    expect(shortName(byId['slimsam-77-q8']!)).toBe('SlimSAM-77 (8-bit)');
    expect(shortName(byId['u2netp']!)).toBe('U²-Net portable (background removal)');
    expect(shortName(byId['mobilesam']!)).toBe('MobileSAM');
    expect(MODELS.length).toBeGreaterThan(0);
  });
});

describe('copy', () => {
  it('skipped layers are named under one word; counts read as words', () => {
    expect(skippedLine([])).toBe('');
    expect(skippedLine(['“Ghost” is hidden: show it to cut out from it.'])).toBe('Skipped: “Ghost” is hidden: show it to cut out from it.');
    expect([0, 1, 12].map(imageCount)).toEqual(['no images', '1 image', '12 images']);
  });
});
