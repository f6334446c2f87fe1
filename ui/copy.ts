/**
 * Sentences the UI composes from what the host reports (the host's own sentences stay whole).
 */
import type { OutputKind } from '../plugin/protocol.js';

/**
 * The cutout view's note when some selected layers are not offered (hidden, locked, no image):
 * the host's reasons, each naming its layer, under one word that says they were skipped.
 */
export function skippedLine(problems: readonly string[]): string {
  if (!problems.length) return '';
  return `Skipped: ${problems.join(' ')}`;
}

/** What each output is called on buttons and in layer names. */
export const OUTPUT_NAMES: Record<OutputKind, string> = { cutout: 'Cutout', 'vector-mask': 'Vector mask', outline: 'Outline' };
