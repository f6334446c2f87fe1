/**
 * Batch background removal, host side: find every image layer in a scope, then insert results
 * as the UI streams them, one undo step for the whole batch.
 *
 * Walk rules (decided here):
 * - scope "selection": the selected layers and everything inside them; "page": the current
 *   page; "file": every page (dynamic-page: figma.loadAllPagesAsync(), then page.loadAsync()
 *   before reading a page's children).
 * - A candidate is a layer with a visible IMAGE fill. Frames, groups, components, sections and
 *   instances are walked into. Images inside instances are included: their pixels can be read
 *   and hidden by override, and the result goes above the outermost instance (Figma does not
 *   allow new layers inside an instance).
 * - Skipped with a reason: hidden (itself or an ancestor), locked (itself or an ancestor),
 *   smaller than 16 px on a side, our own results (and what they contain), and — for a
 *   selection — selected layers with no image inside.
 */
import type { BatchScope, SourceInfo } from '../protocol.js';
import { DATA_SOURCE } from './insert.js';
import { describeSource, imagePaints } from './sources.js';

export const MIN_BATCH_SIDE = 16;

export interface Skipped {
  id: string;
  name: string;
  reason: string;
}

export interface BatchScan {
  nodes: SceneNode[];
  skipped: Skipped[];
}

function hasChildren(node: BaseNode): node is BaseNode & ChildrenMixin {
  return 'children' in node;
}

/** Nodes with an image fill under `roots`, in layer order (bottom first), plus what was skipped. */
export function scanNodes(roots: readonly SceneNode[], reportEmptyRoots: boolean): BatchScan {
  const nodes: SceneNode[] = [];
  const skipped: Skipped[] = [];
  const seen = new Set<string>();
  const visit = (node: SceneNode, hiddenAbove: boolean, lockedAbove: boolean): number => {
    if (seen.has(node.id)) return 0;
    seen.add(node.id);
    if (node.getPluginData(DATA_SOURCE) !== '') {
      skipped.push({ id: node.id, name: node.name, reason: 'is a Cutout result' });
      return 1;
    }
    const hidden = hiddenAbove || !node.visible;
    const locked = lockedAbove || ('locked' in node && node.locked);
    let found = 0;
    if (imagePaints(node).length > 0) {
      found++;
      if (hidden) skipped.push({ id: node.id, name: node.name, reason: hiddenAbove ? 'is inside a hidden layer' : 'is hidden' });
      else if (locked) skipped.push({ id: node.id, name: node.name, reason: lockedAbove ? 'is inside a locked layer' : 'is locked' });
      else if (node.width < MIN_BATCH_SIDE || node.height < MIN_BATCH_SIDE) {
        skipped.push({
          id: node.id,
          name: node.name,
          reason: `is smaller than ${MIN_BATCH_SIDE} px (${formatSize(node.width)}×${formatSize(node.height)})`,
        });
      } else nodes.push(node);
    }
    if (hasChildren(node)) for (const c of node.children) found += visit(c, hidden, locked);
    return found;
  };
  for (const root of roots) {
    const found = visit(root, false, false);
    if (found === 0 && reportEmptyRoots) skipped.push({ id: root.id, name: root.name, reason: 'has no image in it' });
  }
  return { nodes, skipped };
}

function formatSize(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** Roots for a scope; "file" loads every page first (documentAccess: dynamic-page). */
export async function scopeRoots(scope: BatchScope): Promise<SceneNode[]> {
  if (scope === 'selection') return [...figma.currentPage.selection];
  if (scope === 'page') return [...figma.currentPage.children];
  await figma.loadAllPagesAsync();
  const roots: SceneNode[] = [];
  for (const page of figma.root.children) {
    await page.loadAsync();
    roots.push(...page.children);
  }
  return roots;
}

/** Every image layer in `scope` as sources for the UI, plus what was skipped and why. */
export async function listBatch(scope: BatchScope): Promise<{ sources: SourceInfo[]; skipped: Skipped[]; nodes: SceneNode[] }> {
  const scan = scanNodes(await scopeRoots(scope), scope === 'selection');
  const sources: SourceInfo[] = [];
  const nodes: SceneNode[] = [];
  for (const node of scan.nodes) {
    try {
      sources.push(await describeSource(node));
      nodes.push(node);
    } catch (err) {
      scan.skipped.push({ id: node.id, name: node.name, reason: `cannot be read (${(err as Error).message})` });
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
