/**
 * The plugin's keyboard: Alt+n picks a mode anywhere; in the cutout view ⌘/Ctrl+Z undo,
 * ⇧⌘Z / Ctrl+Y redo, Esc clear, Enter apply, 1–4 pick a mask, P toggle the preview; in the
 * batch view Enter runs it; E the preview's larger view. Keys typed into a text field or a select stay theirs.
 */
import { IS_MAC, isEnterForApply } from './keys.js';
import { modeShortcut, type View } from './modes.js';

/** What the keys act on (the controller). */
export interface ShortcutTarget {
  readonly view: View;
  readonly modeCount: number;
  pickMode(index: number): void;
  apply(): void;
  undo(): void;
  redo(): void;
  clear(): void;
  /** The n-th candidate mask (0-based). */
  pickCandidate(index: number): void;
  togglePreview(): void;
  /** The split-into-layers panel takes the cutout view's keys while it is on; true when it did. */
  splitKey?(e: KeyboardEvent): boolean;
  /** The preview's larger view (only while a preview shows). */
  toggleExpand(): void;
}

export function handleShortcut(e: KeyboardEvent, t: ShortcutTarget): void {
  const el = e.target as HTMLElement | null;
  const typing = !!el && (el.tagName === 'SELECT' || (el.tagName === 'INPUT' && (el as HTMLInputElement).type !== 'range' && (el as HTMLInputElement).type !== 'checkbox'));
  const mode = typing ? undefined : modeShortcut(e, t.modeCount);
  if (mode !== undefined) {
    e.preventDefault();
    t.pickMode(mode);
    return;
  }
  if (t.view === 'cutout' && t.splitKey?.(e)) return;
  if (typing || t.view !== 'cutout') {
    if (e.key === 'Enter' && t.view === 'batch' && !typing) {
      e.preventDefault();
      t.apply();
    }
    return;
  }
  const mod = IS_MAC ? e.metaKey : e.ctrlKey;
  if (mod && e.key.toLowerCase() === 'z') {
    e.preventDefault();
    if (e.shiftKey) t.redo();
    else t.undo();
  } else if (mod && e.key.toLowerCase() === 'y') {
    e.preventDefault();
    t.redo();
  } else if (e.key === 'Escape') {
    e.preventDefault();
    t.clear();
  } else if (e.key === 'Enter') {
    if (!isEnterForApply(el)) return;
    // Also keeps a focused option or mask button from being clicked again.
    e.preventDefault();
    t.apply();
  } else if (!mod && !e.altKey && /^[1-4]$/.test(e.key)) {
    t.pickCandidate(Number(e.key) - 1);
  } else if (!mod && !e.altKey && e.key.toLowerCase() === 'p') {
    t.togglePreview();
  } else if (!mod && !e.altKey && e.key.toLowerCase() === 'e') {
    t.toggleExpand();
  }
}
