/**
 * The window's resize corner. A plugin iframe cannot resize itself: dragging the corner asks
 * the host (`resize`), which resizes the window the iframe lives in. While the drag runs the
 * pointer is captured, so it keeps reporting when it leaves the (not yet grown) iframe. Editors
 * keep the window's top-left corner where it is, so the pointer's offset from the window's
 * origin (clientX/Y) is the new size, less where in the corner the drag started.
 * The last size of a drag goes with `remember`, so the next session opens at it.
 */
import { MAX_UI_SIZE, MIN_UI_SIZE } from '../plugin/protocol.js';

export interface WindowSize {
  width: number;
  height: number;
}

/** The size for a drag that started at `start` (pointer and window) and is now at `now`: whole px, within the limits. */
export function dragSize(start: { x: number; y: number; width: number; height: number }, now: { x: number; y: number }): WindowSize {
  const clamp = (v: number, lo: number, hi: number) => Math.round(Math.min(hi, Math.max(lo, v)));
  return {
    width: clamp(start.width + now.x - start.x, MIN_UI_SIZE.width, MAX_UI_SIZE.width),
    height: clamp(start.height + now.y - start.y, MIN_UI_SIZE.height, MAX_UI_SIZE.height),
  };
}

/** Sizes sent at most this often while dragging (the host resizes the window for each). */
const INTERVAL_MS = 16;

/** Wires `corner`; `send` gets each new size (throttled) and the final one with `remember`. */
export function wireResizeCorner(corner: HTMLElement, send: (size: WindowSize, remember: boolean) => void): void {
  let start: { x: number; y: number; width: number; height: number } | undefined;
  let pending: WindowSize | undefined;
  let last: WindowSize | undefined;
  let lastAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (!pending) return;
    if (!last || pending.width !== last.width || pending.height !== last.height) send(pending, false);
    last = pending;
    lastAt = performance.now();
    pending = undefined;
  };
  const move = (e: PointerEvent) => {
    if (!start) return;
    pending = dragSize(start, { x: e.clientX, y: e.clientY });
    const wait = INTERVAL_MS - (performance.now() - lastAt);
    if (wait <= 0) flush();
    else timer ??= setTimeout(flush, wait);
  };
  const end = (e: PointerEvent) => {
    if (!start) return;
    const size = dragSize(start, { x: e.clientX, y: e.clientY });
    start = undefined;
    pending = undefined;
    if (timer) clearTimeout(timer);
    timer = undefined;
    corner.classList.remove('is-dragging');
    window.removeEventListener('pointermove', move);
    window.removeEventListener('pointerup', end);
    window.removeEventListener('pointercancel', end);
    send(size, true);
  };
  corner.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    start = { x: e.clientX, y: e.clientY, width: window.innerWidth, height: window.innerHeight };
    last = { width: start.width, height: start.height };
    corner.classList.add('is-dragging');
    // The window's listeners see the drag wherever it goes over the page; the capture keeps it
    // coming when the pointer runs ahead of the window (where the browser allows it).
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', end);
    window.addEventListener('pointercancel', end);
    try {
      corner.setPointerCapture(e.pointerId);
    } catch {
      // no capture: the window's listeners still follow the drag inside the window
    }
  });
}
