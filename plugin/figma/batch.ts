/**
 * Batch walking, Figma side: the roots of a scope and read access to the layer tree. The walk
 * rules themselves are the host-independent plugin/host/batch.ts. Figma specifics:
 * - "file" loads every page first (documentAccess: dynamic-page: figma.loadAllPagesAsync(),
 *   then page.loadAsync() before reading a page's children).
 * - Images inside instances are included: their pixels can be read and hidden by override, and
 *   the result goes above the outermost instance (Figma allows no new layers inside one).
 */
import type { LayerTree } from '../host/contract.js';
import type { BatchScope } from '../protocol.js';
import { DATA_SOURCE } from './insert.js';
import { imagePaints } from './sources.js';

export const figmaTree: LayerTree<SceneNode> = {
  id: (n) => n.id,
  name: (n) => n.name,
  children: (n) => ('children' in n ? n.children : []),
  visible: (n) => n.visible,
  locked: (n) => 'locked' in n && n.locked,
  hasImage: (n) => imagePaints(n).length > 0,
  size: (n) => ({ width: n.width, height: n.height }),
  isResult: (n) => n.getPluginData(DATA_SOURCE) !== '',
};

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
