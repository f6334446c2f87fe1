/**
 * The transaction around inserting one result, for every host: the output kind is checked and
 * the result named before anything is created; every layer the host creates is recorded; the
 * result is marked with its source; the source is hidden only when asked and only after
 * everything else worked; any failure removes what was created (newest first) and restores the
 * source's visibility before the error goes on.
 */
import { ErrorCode, fail } from '../../core/errors.js';
import type { ApplyPayload, OutputKind } from '../protocol.js';
import { encodeEditState } from './edit-data.js';

const LABEL: Record<OutputKind, string> = { cutout: 'Cutout', 'vector-mask': 'Vector mask', outline: 'Outline' };

export interface LayerEdits<N> {
  name(node: N): string;
  /** Removes a created layer (it may already be gone with its group). */
  remove(node: N): void;
  hidden(node: N): boolean;
  setHidden(node: N, hidden: boolean): void;
  /**
   * Marks `result` as made from `source` (plugin data, relaunch buttons…); `edit`: the edit
   * state's JSON to keep on it (edit-data.ts), absent when there is none to keep.
   */
  markResult(result: N, source: N, output: OutputKind, edit: string | undefined): void;
}

/**
 * Runs `build(name, created)` — which must push every layer it creates onto `created` as soon
 * as it exists — and returns the result layer, all or nothing.
 */
export async function insertOver<N>(
  edits: LayerEdits<N>,
  source: N,
  payload: ApplyPayload,
  build: (name: string, created: N[]) => N | Promise<N>,
): Promise<N[]> {
  const label = LABEL[payload.output];
  if (!label) fail(ErrorCode.InvalidOption, `Unknown output kind “${String(payload.output)}”.`);
  const name = payload.name?.trim() || `${label} – ${edits.name(source)}`;
  const created: N[] = [];
  const wasHidden = edits.hidden(source);
  try {
    const result = await build(name, created);
    edits.markResult(result, source, payload.output, encodeEditState(payload.edit));
    if (payload.hideSource && !edits.hidden(source)) edits.setHidden(source, true);
    return [result];
  } catch (err) {
    for (const n of created.reverse()) {
      try {
        edits.remove(n);
      } catch {
        // already gone with its group
      }
    }
    try {
      if (edits.hidden(source) !== wasHidden) edits.setHidden(source, wasHidden);
    } catch {
      // nothing more we can do
    }
    throw err;
  }
}
