/**
 * Batch background removal, the editor-independent half: which layers a batch takes, and the
 * summary at the end. The host lists the roots (batchRoots) and reads the tree (LayerTree).
 *
 * Walk rules:
 * - scope "selection": the selected layers and everything inside them; "page": the current
 *   page; "file": every page.
 * - A candidate is a layer with a visible image fill. Containers (frames, boards, groups,
 *   components, instances) are walked into.
 * - Skipped with a reason: hidden (itself or an ancestor), locked (itself or an ancestor),
 *   smaller than MIN_BATCH_SIDE on a side, our own results (and what they contain), and — for
 *   a selection — selected layers with no image inside.
 */
import type { BatchScope, SourceInfo } from '../protocol.js';
import type { LayerTree } from './contract.js';

export const MIN_BATCH_SIDE = 16;

export interface Skipped {
  id: string;
  name: string;
  reason: string;
}

export interface BatchScan<N> {
  nodes: N[];
  skipped: Skipped[];
}

function formatSize(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** Layers with an image fill under `roots`, in layer order (bottom first), plus what was skipped. */
export function scanLayers<N>(tree: LayerTree<N>, roots: readonly N[], reportEmptyRoots: boolean): BatchScan<N> {
  const nodes: N[] = [];
  const skipped: Skipped[] = [];
  const seen = new Set<string>();
  const skip = (node: N, reason: string) => skipped.push({ id: tree.id(node), name: tree.name(node), reason });
  const visit = (node: N, hiddenAbove: boolean, lockedAbove: boolean): number => {
    const id = tree.id(node);
    if (seen.has(id)) return 0;
    seen.add(id);
    if (tree.isResult(node)) {
      skip(node, 'is a Cutout result');
      return 1;
    }
    const hidden = hiddenAbove || !tree.visible(node);
    const locked = lockedAbove || tree.locked(node);
    let found = 0;
    if (tree.hasImage(node)) {
      found++;
      const { width, height } = tree.size(node);
      if (hidden) skip(node, hiddenAbove ? 'is inside a hidden layer' : 'is hidden');
      else if (locked) skip(node, lockedAbove ? 'is inside a locked layer' : 'is locked');
      else if (width < MIN_BATCH_SIDE || height < MIN_BATCH_SIDE) {
        skip(node, `is smaller than ${MIN_BATCH_SIDE} px (${formatSize(width)}×${formatSize(height)})`);
      } else nodes.push(node);
    }
    for (const c of tree.children(node)) found += visit(c, hidden, locked);
    return found;
  };
  for (const root of roots) {
    const found = visit(root, false, false);
    if (found === 0 && reportEmptyRoots) skip(root, 'has no image in it');
  }
  return { nodes, skipped };
}

/** Every image layer under `roots` as sources for the UI, plus what was skipped and why. */
export async function listLayers<N>(
  tree: LayerTree<N>,
  roots: readonly N[],
  scope: BatchScope,
  describe: (node: N) => Promise<SourceInfo>,
): Promise<{ sources: SourceInfo[]; skipped: Skipped[]; nodes: N[] }> {
  const scan = scanLayers(tree, roots, scope === 'selection');
  const sources: SourceInfo[] = [];
  const nodes: N[] = [];
  for (const node of scan.nodes) {
    try {
      sources.push(await describe(node));
      nodes.push(node);
    } catch (err) {
      scan.skipped.push({ id: tree.id(node), name: tree.name(node), reason: `cannot be read (${(err as Error).message})` });
    }
  }
  return { sources, skipped: scan.skipped, nodes };
}

/** The notification at the end of a batch. */
export function batchSummary(r: { total: number; inserted: number; failed: number; skipped: number; cancelled: boolean }): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (r.cancelled) {
    return (
      `Cancelled: ${r.inserted} of ${r.total} backgrounds removed — ` +
      `${r.inserted === 1 ? 'that result stays' : 'those results stay'} in the file (undo removes ${r.inserted === 1 ? 'it' : 'them'}).`
    );
  }
  const parts = [`Removed the background from ${plural(r.inserted, 'image')}`];
  if (r.failed) parts.push(`${r.failed} failed`);
  if (r.skipped) parts.push(`${r.skipped} skipped`);
  return parts.join(', ') + '.';
}
