/**
 * Batch walking, Penpot side: the roots of a scope and read access to the shape tree (the walk
 * rules are plugin/host/batch.ts). "file" walks every page of penpot.currentFile; Penpot
 * changes only the active page, so the host opens a shape's page before touching it
 * (pageOf / ensurePage below).
 */
import type { Page, Shape } from '@penpot/plugin-types';
import { ErrorCode, fail } from '../../core/errors.js';
import type { LayerTree } from '../host/contract.js';
import type { BatchScope } from '../protocol.js';
import { DATA_SOURCE } from './insert.js';
import { imageFills } from './sources.js';

export const penpotTree: LayerTree<Shape> = {
  id: (s) => s.id,
  name: (s) => s.name,
  children: (s) => ('children' in s && Array.isArray(s.children) ? s.children : []),
  visible: (s) => !s.hidden,
  locked: (s) => !!s.blocked,
  hasImage: (s) => imageFills(s).length > 0,
  size: (s) => ({ width: s.width, height: s.height }),
  // getPluginData answers null (not '') for a key never set.
  isResult: (s) => !!s.getPluginData(DATA_SOURCE),
};

/**
 * The page holding `shape`, looked up when needed (the active page first): whatever was walked
 * before, the user may have opened another page since, or removed one.
 */
export function pageOf(shape: Shape): Page | undefined {
  if (!shape.id) return undefined;
  const current = penpot.currentPage;
  if (current && current.getShapeById(shape.id) !== null) return current;
  return (penpot.currentFile?.pages ?? []).find((p) => p.getShapeById(shape.id) !== null);
}

const PAGE_WAIT_MS = 10_000;

/**
 * Opens the page `shape` lives on when it is not the active one (Penpot edits the active page
 * only) and waits until it is active: Penpot 2.17 resolves openPage once the page is
 * initialized, earlier versions return nothing and switch later.
 */
export async function ensurePage(shape: Shape): Promise<void> {
  const page = pageOf(shape);
  if (!page || !penpot.currentPage || page.id === penpot.currentPage.id) return;
  await penpot.openPage(page, false);
  for (let waited = 0; penpot.currentPage?.id !== page.id; waited += 20) {
    if (waited >= PAGE_WAIT_MS) fail(ErrorCode.State, `Penpot did not open the page “${page.name}”.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function scopeRoots(scope: BatchScope): Promise<Shape[]> {
  if (scope === 'selection') return [...penpot.selection];
  const page = penpot.currentPage;
  if (scope === 'page') return page ? [...penpotTree.children(page.root)] : [];
  return (penpot.currentFile?.pages ?? []).flatMap((p) => [...penpotTree.children(p.root)]);
}
