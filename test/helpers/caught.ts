import { expect } from 'vitest';
import { CutoutError } from '../../core/errors.js';

/** The CutoutError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function caught(p: Promise<unknown>): Promise<CutoutError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CutoutError);
    return err as CutoutError;
  }
  throw new Error('expected the promise to reject');
}
