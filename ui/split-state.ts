/**
 * The objects of a split as the user edits them before applying (pure, no DOM): the found
 * masks, each its own object at first; the user selects objects (click, shift-click adds),
 * drops them or merges them into one; Undo reverts the last drop or merge. Objects are kept
 * top-first (smaller above larger), which is also the order clicks hit them in.
 */
import type { GrayImage } from '../core/image/types.js';
import { backgroundMaskId, type PreviewMask, type Rect, stackOrder, unionMasks } from './split-layers.js';

export interface SplitObject {
  /** Stable key for the panel (the first mask's id). */
  key: number;
  /** The generator's masks this object is made of. */
  ids: number[];
  /** Pixels inside at the source's size (an upper bound for merged overlapping masks). */
  area: number;
  rect: Rect;
  /** The union of its masks at the preview size. */
  mask: GrayImage;
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

export class SplitObjects {
  private list: SplitObject[] = [];
  /** Every mask of the run (streamed or final), the backdrop included. */
  private all: PreviewMask[] = [];
  /** The mask taken for the backdrop (split-layers.ts backgroundMaskId): the Background layer, not an object. */
  backgroundId: number | undefined;
  private readonly undoStack: SplitObject[][] = [];
  readonly selected = new Set<number>();

  /** Top-first. */
  get objects(): readonly SplitObject[] {
    return this.list;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  /** Replaces everything with these masks (a new run, or its authoritative final list). */
  reset(masks: readonly PreviewMask[]): void {
    this.all = [...masks];
    this.backgroundId = backgroundMaskId(this.all);
    this.list = stackOrder(
      this.all.filter((m) => m.id !== this.backgroundId).map((m) => ({ key: m.id, ids: [m.id], area: m.area, rect: m.rect, mask: m.mask })),
    );
    this.undoStack.length = 0;
    this.selected.clear();
  }

  /** A streamed mask: shown at once, in its place in the stack (edits are not possible while streaming). */
  add(mask: PreviewMask): void {
    if (this.all.some((m) => m.id === mask.id)) return;
    this.reset([...this.all, mask]);
  }

  /** Click: only this object selected; shift-click: toggled in the selection. key undefined: clears. */
  select(key: number | undefined, extend = false): void {
    if (!extend) this.selected.clear();
    if (key === undefined) return;
    if (extend && this.selected.has(key)) this.selected.delete(key);
    else this.selected.add(key);
  }

  /** Drops the selected objects (or `keys`); returns how many went. */
  drop(keys: Iterable<number> = this.selected): number {
    const gone = new Set(keys);
    const next = this.list.filter((o) => !gone.has(o.key));
    const n = this.list.length - next.length;
    if (!n) return 0;
    this.undoStack.push(this.list);
    this.list = next;
    this.selected.clear();
    return n;
  }

  /** Merges the selected objects (at least two) into one, which stays selected; returns its key. */
  merge(keys: Iterable<number> = this.selected): number | undefined {
    const want = new Set(keys);
    const parts = this.list.filter((o) => want.has(o.key));
    if (parts.length < 2) return undefined;
    const merged: SplitObject = {
      key: parts[0]!.key,
      ids: parts.flatMap((p) => p.ids),
      area: parts.reduce((s, p) => s + p.area, 0),
      rect: parts.map((p) => p.rect).reduce(union),
      mask: unionMasks(parts.map((p) => p.mask)),
    };
    this.undoStack.push(this.list);
    this.list = stackOrder([...this.list.filter((o) => !want.has(o.key)), merged]);
    this.selected.clear();
    this.selected.add(merged.key);
    return merged.key;
  }

  undo(): boolean {
    const prev = this.undoStack.pop();
    if (!prev) return false;
    this.list = prev;
    this.selected.clear();
    return true;
  }

  /** What Apply sends: the masks of each object (order does not matter: the layers are re-stacked). */
  groups(): number[][] {
    return this.list.map((o) => [...o.ids]);
  }
}
