/**
 * "Split into layers" for every host: each object (top-first), then the background, is
 * inserted over the source by the host's own insertion (so each lands exactly on the source's
 * pixels, checked and marked like any result), then the host groups them where they lie. All
 * or nothing: any failure removes every layer made so far, newest first, and the source is
 * never touched (never hidden either: a split adds layers, it replaces nothing).
 */
import { ErrorCode, fail } from '../../core/errors.js';
import type { ApplyPayload, SplitLayer, SplitPayload } from '../protocol.js';
import type { EditorHost, PreparedBase } from './contract.js';

/** Figma and Penpot handle groups of this many layers without trouble; more is surely a mistake. */
export const MAX_SPLIT_LAYERS = 500;

function layerPayload(payload: SplitPayload, layer: SplitLayer): ApplyPayload {
  return {
    sourceId: payload.sourceId,
    output: payload.output,
    name: layer.name,
    ...(layer.png ? { png: layer.png } : {}),
    ...(layer.rect ? { rect: layer.rect } : {}),
    ...(layer.paths ? { paths: layer.paths } : {}),
    hideSource: false,
  };
}

/** Checks what can be checked before anything is created. */
export function checkSplit(payload: SplitPayload): SplitLayer[] {
  if (payload.output !== 'cutout' && payload.output !== 'vector-mask') {
    fail(ErrorCode.InvalidOption, `A split makes cutouts or vector masks, not “${String(payload.output)}”.`);
  }
  if (!Array.isArray(payload.objects) || payload.objects.length === 0) {
    fail(ErrorCode.InvalidMask, 'No objects to split into layers (all were dropped?); nothing was inserted.');
  }
  const layers = payload.background ? [...payload.objects, payload.background] : [...payload.objects];
  if (layers.length > MAX_SPLIT_LAYERS) {
    fail(ErrorCode.InvalidOption, `A split of ${layers.length} layers is more than the ${MAX_SPLIT_LAYERS} Cutout inserts at once; merge or drop objects first.`);
  }
  return layers;
}

/** Inserts the split over `source`; returns the group (the one new top-level layer). */
export async function insertSplit<N, P extends PreparedBase>(host: EditorHost<N, P>, source: N, prepared: P, payload: SplitPayload): Promise<N[]> {
  const layers = checkSplit(payload);
  const name = payload.name?.trim() || `Layers – ${host.tree.name(source)}`;
  const created: N[] = [];
  try {
    // Each insertion goes right above the source, so inserting top-first stacks them in order.
    for (const layer of layers) created.push(...(await host.insert(source, prepared, layerPayload(payload, layer))));
    return [await host.groupResults(created, name, source)];
  } catch (err) {
    for (const n of created.reverse()) {
      try {
        host.removeResult(n);
      } catch {
        // already gone with its group
      }
    }
    throw err;
  }
}
