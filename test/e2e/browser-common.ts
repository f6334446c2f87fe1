/**
 * Browser side of the end-to-end harnesses, whatever the host (host-entry.ts: Figma,
 * penpot-host-entry.ts: Penpot; bundled into their IIFEs): the plugin UI's iframe, the bridge
 * log, rendering a part of the fake's page with only some nodes visible, and painting the page
 * and the selection next to the UI for screenshots.
 */
import type { RgbaImage } from '../../core/image/types.js';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
type Pt = readonly [number, number];

export function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** A bridge-log entry for message `m` travelling `dir` (its type, and requestId when it has one). */
export function bridgeEntry<D extends string>(dir: D, m: unknown): { t: number; dir: D; type: string; requestId?: number } {
  const msg = m as { type?: string; requestId?: number } | null | undefined;
  return { t: performance.now(), dir, type: String(msg?.type), ...(msg?.requestId !== undefined ? { requestId: msg.requestId } : {}) };
}

/**
 * The plugin UI's iframe as both editors make it: #plugin-ui, `sandbox="allow-scripts"` (an
 * opaque origin), sized, appended to #ui-slot.
 */
export function uiIframe(o: { title: string; width: number; height: number; src: string }): HTMLIFrameElement {
  const iframe = document.createElement('iframe');
  iframe.id = 'plugin-ui';
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.title = o.title;
  iframe.width = String(o.width);
  iframe.height = String(o.height);
  iframe.src = o.src;
  document.getElementById('ui-slot')!.appendChild(iframe);
  return iframe;
}

/** Calls `receive` with the data of every message posted by the window of `iframe()` (none: ignored). */
export function fromIframe(iframe: () => HTMLIFrameElement | undefined, receive: (data: unknown) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    const f = iframe();
    if (!f || e.source !== f.contentWindow) return;
    receive(e.data);
  });
}

/**
 * Runs `run` (a rendering) with every node of `states` hidden by `hide` (which returns how to
 * undo it) except those in `keep`, and the fills of those in `ancestors` off; restores them after.
 */
export function isolate<T, S extends { fills: unknown }>(states: Iterable<readonly [string, S]>, keep: ReadonlySet<string>, ancestors: ReadonlySet<string>, hide: (s: S) => () => void, run: () => T): T {
  const saved: Array<() => void> = [];
  for (const [id, s] of states) {
    if (keep.has(id)) continue;
    if (ancestors.has(id)) {
      const fills = s.fills;
      (s as { fills: unknown }).fills = [];
      saved.push(() => ((s as { fills: unknown }).fills = fills));
    } else saved.push(hide(s));
  }
  try {
    return run();
  } finally {
    for (const r of saved.reverse()) r();
  }
}

/** The box around `boxes` (nulls skipped), padded by `pad`; 100 × 100 at the origin when there are none. */
export function unionBox(boxes: Iterable<Box | null>, pad: number): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of boxes) {
    if (!b) continue;
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  if (!Number.isFinite(x0)) return { x: 0, y: 0, width: 100, height: 100 };
  return { x: x0 - pad, y: y0 - pad, width: x1 - x0 + 2 * pad, height: y1 - y0 + 2 * pad };
}

/** `render(width, height)` of `box` at `scale`, as the harness's `__e2e.render` answers it (raw RGBA, base64). */
export function renderAnswer(box: Box, scale: number, render: (width: number, height: number) => RgbaImage): { width: number; height: number; rgba: string } {
  const w = Math.round(box.width * scale);
  const h = Math.round(box.height * scale);
  return { width: w, height: h, rgba: base64(render(w, h).data) };
}

/**
 * Draws `render(width, height)` of page `box` to fit `canvas`, over a checkerboard that shows
 * transparency (cutouts) as an editor does, and outlines the polygons (page coordinates) of
 * `outlines` in `colour`. Returns the scale.
 */
export function drawRendering(canvas: HTMLCanvasElement, box: Box, render: (width: number, height: number) => RgbaImage, outlines: ReadonlyArray<readonly Pt[]>, colour: string): number {
  const scale = Math.min(canvas.width / box.width, canvas.height / box.height);
  const w = Math.max(1, Math.round(box.width * scale));
  const h = Math.max(1, Math.round(box.height * scale));
  const img = render(w, h);
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const checker = document.createElement('canvas');
  checker.width = checker.height = 16;
  const cc = checker.getContext('2d')!;
  cc.fillStyle = '#f4f4f4';
  cc.fillRect(0, 0, 16, 16);
  cc.fillStyle = '#d8d8d8';
  cc.fillRect(0, 0, 8, 8);
  cc.fillRect(8, 8, 8, 8);
  const tmp = document.createElement('canvas');
  tmp.width = w;
  tmp.height = h;
  tmp.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), w, h), 0, 0);
  ctx.fillStyle = ctx.createPattern(checker, 'repeat')!;
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(tmp, 0, 0);
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  for (const polygon of outlines) {
    const pts = polygon.map(([x, y]) => [(x - box.x) * scale, (y - box.y) * scale] as const);
    ctx.beginPath();
    pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
    ctx.stroke();
  }
  return scale;
}

/**
 * Paints the fake's rendering of the page (`pageBox`, the selection outlined in `colour`) into
 * the harness page's #doc canvas with `docLabel(scale)` under it, and the selected nodes alone
 * (their box padded by 8) into #sel: what the screenshots show next to the plugin's UI.
 */
export function paintPanels(o: {
  pageBox: Box;
  selected: ReadonlyArray<{ id: string; name: string; box: Box | null; outline: readonly Pt[] }>;
  /** The page over `box` at width × height, only `keep` (and their subtrees) visible when given. */
  render(box: Box, width: number, height: number, keep?: string[]): RgbaImage;
  colour: string;
  docLabel(scale: number): string;
  /** What the editor calls a node: 'layer', 'shape'. */
  noun: string;
}): void {
  const selected = o.selected;
  const scale = drawRendering(document.getElementById('doc') as HTMLCanvasElement, o.pageBox, (w, h) => o.render(o.pageBox, w, h), selected.map((n) => n.outline), o.colour);
  const label = document.getElementById('doc-label');
  if (label) label.textContent = o.docLabel(scale);
  const sel = document.getElementById('sel') as HTMLCanvasElement;
  const selLabel = document.getElementById('sel-label');
  if (!selected.length) {
    sel.getContext('2d')!.clearRect(0, 0, sel.width, sel.height);
    if (selLabel) selLabel.textContent = '';
    return;
  }
  const box = unionBox(selected.map((n) => n.box), 8);
  const keep = selected.map((n) => n.id);
  const k = drawRendering(sel, box, (w, h) => o.render(box, w, h, keep), [], o.colour);
  if (selLabel) selLabel.textContent = `The selected ${o.noun}${selected.length > 1 ? 's' : ''} alone (${selected.map((n) => n.name).join(', ')}) at ${Math.round(k * 100)}%`;
}
