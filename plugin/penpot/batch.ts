/**
 * Batch walking, Penpot side: the roots of a scope and read access to the shape tree (the walk
 * rules are plugin/host/batch.ts). "file" walks every page of penpot.currentFile; Penpot
 * changes only the active page, so the host opens a shape's page before touching it
 * (pageOf / ensurePage below).
 */
import type { Page, Shape } from '@penpot/plugin-types';
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

/** Pages of the top-level shapes seen by the last "file" walk (a shape's page is its top-level ancestor's). */
const pageOfTop = new Map<string, Page>();

function topLevel(shape: Shape): Shape {
  let s = shape;
  while (s.parent && s.parent.parent) s = s.parent;
  return s;
}

export function pageOf(shape: Shape): Page | undefined {
  return pageOfTop.get(topLevel(shape).id);
}

/** Opens the page `shape` lives on when it is not the active one (Penpot edits the active page only). */
export async function ensurePage(shape: Shape): Promise<void> {
  const page = pageOf(shape);
  if (page && penpot.currentPage && page.id !== penpot.currentPage.id) await penpot.openPage(page, false);
}

export async function scopeRoots(scope: BatchScope): Promise<Shape[]> {
  if (scope === 'selection') return [...penpot.selection];
  const page = penpot.currentPage;
  if (scope === 'page') return page ? [...penpotTree.children(page.root)] : [];
  pageOfTop.clear();
  const roots: Shape[] = [];
  for (const p of penpot.currentFile?.pages ?? []) {
    for (const s of penpotTree.children(p.root)) {
      pageOfTop.set(s.id, p);
      roots.push(s);
    }
  }
  return roots;
}
