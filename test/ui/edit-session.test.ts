/** ui/edit-session.ts: a remembered prompt over the image as it is now, and what an apply keeps. */
import { describe, expect, it } from 'vitest';
import type { EditState } from '../../plugin/protocol.js';
import { MAX_EDIT_POINTS } from '../../plugin/protocol.js';
import { bytesFingerprint, editStateOf, restoreEdit } from '../../ui/edit-session.js';

const state: EditState = {
  version: 1,
  sourceId: '1:2',
  image: { width: 200, height: 100, hash: 'aaaaaaaa' },
  points: [
    { x: 50, y: 40, label: 1 },
    { x: 190, y: 90, label: 0 },
  ],
  box: { x0: 10, y0: 10, x1: 120, y1: 80 },
  candidate: 1,
  output: 'outline',
  feather: 0,
  smoothing: 2,
  modelId: 'm',
};

describe('restoreEdit', () => {
  it('the same image: the prompt as it was, not changed', () => {
    const r = restoreEdit(state, { width: 200, height: 100, hash: 'aaaaaaaa' });
    expect(r).toEqual({ prompt: { points: state.points, box: state.box }, candidate: 1, changed: false });
  });

  it('other pixels of the same size: the same prompt, said changed', () => {
    expect(restoreEdit(state, { width: 200, height: 100, hash: 'bbbbbbbb' }).changed).toBe(true);
  });

  it('a resized image: points and box scaled with it', () => {
    const r = restoreEdit(state, { width: 100, height: 50, hash: 'cccccccc' });
    expect(r.changed).toBe(true);
    expect(r.prompt.points).toEqual([
      { x: 25, y: 20, label: 1 },
      { x: 95, y: 45, label: 0 },
    ]);
    expect(r.prompt.box).toEqual({ x0: 5, y0: 5, x1: 60, y1: 40 });
  });
});

describe('editStateOf and the fingerprint', () => {
  it('keeps the prompt, the chosen mask and the settings', () => {
    const e = editStateOf({ sourceId: '1:2', image: state.image, prompt: { points: state.points, box: state.box! }, candidate: 1, output: 'outline', feather: 0, smoothing: 2, modelId: 'm' });
    expect(e).toEqual(state);
  });

  it('keeps nothing past the point limit', () => {
    const points = Array.from({ length: MAX_EDIT_POINTS + 1 }, () => ({ x: 1, y: 1, label: 1 as const }));
    expect(editStateOf({ sourceId: '1', image: state.image, prompt: { points }, candidate: 0, output: 'cutout', feather: 0, smoothing: 1, modelId: 'm' })).toBeUndefined();
  });

  it('the fingerprint tells bytes apart and is stable', () => {
    const a = new Uint8Array([1, 2, 3, 4]);
    expect(bytesFingerprint(a)).toBe(bytesFingerprint(new Uint8Array([1, 2, 3, 4])));
    expect(bytesFingerprint(a)).not.toBe(bytesFingerprint(new Uint8Array([1, 2, 3, 5])));
    expect(bytesFingerprint(new Uint8Array(0))).toBe('811c9dc5');
  });
});
