/**
 * "Edit cutout": what a result remembers (plugin/protocol.ts EditState) turned back into a
 * prompt over its source image, and the state the next apply stores. Pure: no DOM.
 */
import type { EditState, OutputKind } from '../plugin/protocol.js';
import { MAX_EDIT_POINTS } from '../plugin/protocol.js';
import type { PromptState } from './prompts.js';

/** FNV-1a over the bytes, as 8 hex digits: tells whether the source's pixels changed since. */
export function bytesFingerprint(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export interface RestoredEdit {
  prompt: PromptState;
  candidate: number;
  /** The image is not the one the result was made from (other pixels, or another size). */
  changed: boolean;
}

/**
 * The remembered prompt over the image as it is now: points and box scaled when the image was
 * resized since, anything then outside it dropped.
 */
export function restoreEdit(state: EditState, image: { width: number; height: number; hash: string }): RestoredEdit {
  const sx = image.width / state.image.width;
  const sy = image.height / state.image.height;
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x <= image.width && y <= image.height;
  const points = state.points.map((p) => ({ x: p.x * sx, y: p.y * sy, label: p.label })).filter((p) => inside(p.x, p.y));
  const b = state.box;
  const box = b ? { x0: b.x0 * sx, y0: b.y0 * sy, x1: b.x1 * sx, y1: b.y1 * sy } : undefined;
  return {
    prompt: { points, ...(box && inside(box.x0, box.y0) && inside(box.x1, box.y1) ? { box } : {}) },
    candidate: state.candidate,
    changed: image.hash !== state.image.hash || sx !== 1 || sy !== 1,
  };
}

/** The edit state an apply stores on its result (undefined: too many points to keep). */
export function editStateOf(o: {
  sourceId: string;
  image: { width: number; height: number; hash: string };
  prompt: PromptState;
  candidate: number;
  output: OutputKind;
  feather: number;
  smoothing: number;
  modelId: string;
}): EditState | undefined {
  if (o.prompt.points.length > MAX_EDIT_POINTS) return undefined;
  const b = o.prompt.box;
  return {
    version: 1,
    sourceId: o.sourceId,
    image: { ...o.image },
    points: o.prompt.points.map((p) => ({ x: p.x, y: p.y, label: p.label === 0 ? 0 : 1 })),
    ...(b ? { box: { x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 } } : {}),
    candidate: o.candidate,
    output: o.output,
    feather: o.feather,
    smoothing: o.smoothing,
    modelId: o.modelId,
  };
}
