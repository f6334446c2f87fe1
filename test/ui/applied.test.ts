/** After an apply, the same result cannot be applied again until something that changes it does. */
import { describe, expect, it } from 'vitest';
import { AppliedResult, type ResultKey } from '../../ui/applied.js';

describe('AppliedResult', () => {
  const entry = {};
  const prediction = {};
  const key: ResultKey = { sourceId: '1:2', entry, prediction, candidate: 0, output: 'cutout', feather: 0, smoothing: 1 };

  it('matches the applied state, not a changed one', () => {
    const a = new AppliedResult();
    expect(a.matching(key)).toBeUndefined();
    a.record(key, 'Cutout of Photo', ['9:1']);
    expect(a.matching({ ...key })).toEqual({ name: 'Cutout of Photo', nodeIds: ['9:1'] });
    for (const changed of [
      { sourceId: '1:3' },
      { entry: {} }, // a new prompt
      { prediction: {} }, // the same prompt decoded again (another model)
      { candidate: 1 },
      { output: 'vector-mask' as const },
      { feather: 2 },
    ]) {
      expect(a.matching({ ...key, ...changed }), JSON.stringify(Object.keys(changed))).toBeUndefined();
    }
    expect(a.matching(undefined)).toBeUndefined();
  });

  it('only the setting the output uses counts', () => {
    const a = new AppliedResult();
    a.record(key, 'Cutout of Photo', ['9:1']);
    expect(a.matching({ ...key, smoothing: 3 })).toBeDefined();
    const vector: ResultKey = { ...key, output: 'outline' };
    a.record(vector, 'Outline of Photo', ['9:2']);
    expect(a.matching({ ...vector, feather: 5 })).toBeDefined();
    expect(a.matching({ ...vector, smoothing: 2 })).toBeUndefined();
    a.forget();
    expect(a.matching(vector)).toBeUndefined();
  });
});
