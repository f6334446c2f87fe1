/**
 * The edit state kept on a result layer (Figma plugin data, Penpot plugin data): written as
 * JSON under one key, read back through the protocol's full-shape guard, so a layer whose data
 * was damaged, or written by another version, is refused with a sentence instead of restored
 * half-way.
 */
import { type EditState, isEditState, MAX_EDIT_POINTS } from '../protocol.js';

/** The plugin-data key on results. */
export const DATA_EDIT = 'edit';

/**
 * The most bytes (UTF-8) the stored JSON may take: Figma refuses a plugin-data entry (plugin
 * id, key and value) over 100 kB; 1000 points with a box take about 40 kB.
 */
export const MAX_EDIT_BYTES = 90_000;

/** UTF-8 length without TextEncoder (Figma's main thread has none). */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The JSON to store, or undefined when the state is not one to keep (too many points, too large). */
export function encodeEditState(state: EditState | undefined): string | undefined {
  if (!state || !isEditState(state) || state.points.length > MAX_EDIT_POINTS) return undefined;
  const text = JSON.stringify(state);
  return utf8Length(text) <= MAX_EDIT_BYTES ? text : undefined;
}

/** What a result's stored data says, or why it cannot be used. */
export function decodeEditState(text: string): { state: EditState } | { problem: string } {
  if (!text) return { problem: 'This layer was made before Cutout remembered its settings: select the original image and cut it out again.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isEditState(value)) return { problem: "This layer's Cutout data is damaged or from another version: select the original image and cut it out again." };
  return { state: value };
}
