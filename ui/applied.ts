/**
 * What was applied last, so that applying the same result again is not possible by accident
 * (a second Enter used to insert a duplicate): the footer says "Added …" with Select, and
 * Apply stays off, for as long as what is on screen is what was inserted. Any change that
 * would give a different result — another layer, prompt, mask, output, or the setting that
 * output uses — makes it applicable again.
 */
import type { OutputKind } from '../plugin/protocol.js';

export interface ResultKey {
  sourceId: string;
  /** The prompt-history entry and its prediction (identity: a re-decode is a new mask). */
  entry: object;
  prediction: object;
  candidate: number;
  output: OutputKind;
  feather: number;
  smoothing: number;
}

function same(a: ResultKey, b: ResultKey): boolean {
  if (a.sourceId !== b.sourceId || a.entry !== b.entry || a.prediction !== b.prediction || a.candidate !== b.candidate || a.output !== b.output) return false;
  // Each output uses one of the two settings; moving the other one changes nothing.
  return a.output === 'cutout' ? a.feather === b.feather : a.smoothing === b.smoothing;
}

export class AppliedResult {
  private last: { key: ResultKey; name: string; nodeIds: string[] } | undefined;

  record(key: ResultKey, name: string, nodeIds: readonly string[]): void {
    this.last = { key: { ...key }, name, nodeIds: [...nodeIds] };
  }

  /** The last insertion, if `current` is what it was made from. */
  matching(current: ResultKey | undefined): { name: string; nodeIds: string[] } | undefined {
    const l = this.last;
    return l && current && same(l.key, current) ? { name: l.name, nodeIds: l.nodeIds } : undefined;
  }

  forget(): void {
    this.last = undefined;
  }
}
