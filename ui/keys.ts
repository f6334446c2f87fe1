/**
 * Which focused element keeps Enter for itself. In the cutout view Enter applies the current
 * mask wherever focus was left by a click (an output option, a mask number, Undo…): a designer
 * who clicked one of those and presses Enter means "apply", not "click that again". Only
 * controls that act on something else keep it: the banner's Retry / Details / Copy, the
 * footer's Select or Cancel, the progress strip's Cancel — marked `data-own-enter` in
 * index.html.
 */
export function isEnterForApply(target: Element | null): boolean {
  if (!target || typeof target.closest !== 'function') return true;
  return !target.closest('[data-own-enter]');
}

/** Mac keyboards say ⌘ and ⌥ where others say Ctrl and Alt. */
export const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
