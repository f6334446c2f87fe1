/**
 * Inserting results over their source in Penpot, exactly where the source's pixels are:
 *   cutout       a rectangle with an image fill (the uploaded RGBA PNG, stretched over it)
 *                covering `rect` clipped to what the shape shows — Penpot fills cannot crop,
 *                so a cutout overflowing the visible part is cropped here first
 *   vector-mask  a mask group [mask path (bottom), exact copy of the source]
 *   outline      a stroked path without fill
 * directly above the source in its parent (above the outermost component copy or boolean that
 * holds it: Penpot adds no shapes inside a copy, and a shape inside a boolean would change its
 * shape), absolutely positioned in flex/grid boards, named after the source, carrying the
 * source's id as plugin data. Positions in Penpot's API are page coordinates whatever the
 * nesting, so paths are written in page space. The source is never modified, except hidden
 * when asked. Any failure removes every shape created so far.
 */
import type { Board, Group, Path, Shape } from '@penpot/plugin-types';
import { ErrorCode, fail } from '../../core/errors.js';
import { cropCutoutToShown } from '../../core/cutout/region.js';
import { type LayerEdits, insertOver } from '../host/insertion.js';
import { DATA_EDIT } from '../host/edit-data.js';
import { checkPaths, checkPng, checkRect } from '../host/payload.js';
import { type Affine, intersect, multiply, placeRect, transformPath } from '../host/placement.js';
import type { ApplyPayload } from '../protocol.js';
import { type ShapeFrame, frameToPage, geometryToFrame } from './geometry.js';
import { type PreparedSource, frameOf, penpotSources } from './sources.js';

/** Plugin data keys on results. */
export const DATA_SOURCE = 'source';
export const DATA_OUTPUT = 'output';
export { DATA_EDIT } from '../host/edit-data.js';

const OUTLINE_COLOR = '#0d99ff';
const OUTLINE_WIDTH = 2;
/** Penpot has no image size limit of its own; this bounds what we upload (and the UI's output). */
export const PENPOT_MAX_SIDE = 8192;

type Container = Board | Group;

export interface Target {
  parent: Container;
  /** The shape results go right above (the source, or the copy / boolean holding it). */
  anchor: Shape;
  layout: boolean;
}

function isContainer(s: Shape | null): s is Container {
  return !!s && (s.type === 'board' || s.type === 'group') && typeof (s as Container).insertChild === 'function';
}

/** The outermost ancestor results cannot go inside: a component copy or a boolean. */
function outermostClosedAncestor(shape: Shape): Shape | null {
  let found: Shape | null = null;
  for (let p = shape.parent; p && p.parent; p = p.parent) {
    if (p.type === 'boolean' || p.isComponentCopyInstance()) found = p;
  }
  return found;
}

function hasLayout(parent: Shape): boolean {
  const b = parent as Board;
  return parent.type === 'board' && (!!b.flex || !!b.grid);
}

/** Where results for `source` go: right above it, or above the copy / boolean that holds it. */
export function insertionTarget(source: Shape): Target {
  const anchor = outermostClosedAncestor(source) ?? source;
  const parent = anchor.parent;
  if (!isContainer(parent)) fail(ErrorCode.State, `“${source.name}” is no longer on a page.`);
  return { parent, anchor, layout: hasLayout(parent) };
}

/**
 * Gives a FRESH (unrotated, unflipped) shape the frame `f`. Penpot keeps rotation / flips as
 * bookkeeping next to the real transform and toggles the flips whenever one change reverses an
 * edge of the box (any single rotation over 90°), so a result rotated by 150° in one step
 * would read back as rotated 150° AND mirrored twice. Rotating in steps of at most 90° keeps
 * what Penpot reports true to the shape, for us and for whoever reads the result later.
 */
function setFrame(shape: Shape, f: ShapeFrame): void {
  // A locked proportion would turn resize(w, h) into (h · ratio, h).
  if (shape.proportionLock) shape.proportionLock = false;
  shape.resize(Math.max(0.01, f.width), Math.max(0.01, f.height));
  shape.x = f.x;
  shape.y = f.y;
  if (f.flipX && !shape.flipX) shape.flipX = true;
  if (f.flipY && !shape.flipY) shape.flipY = true;
  let left = ((f.rotation % 360) + 360) % 360;
  if (left > 180) left -= 360;
  while (Math.abs(left) > 1e-9) {
    const step = Math.max(-90, Math.min(90, left));
    shape.rotate(step);
    left -= step;
  }
}

/**
 * Moves a fresh shape into the target right above the anchor (absolute in a flex/grid board
 * so the layout leaves it). Penpot's insertChild/appendChild indices depend on its
 * naturalChildOrdering flag (and appendChild puts shapes at the bottom by default), while
 * `parentIndex` / `setParentIndex` always count from the bottom of the stack: so the shape is
 * put into the parent first, then moved by parentIndex, and the result is checked.
 */
function put(shape: Shape, t: Target): void {
  // A layout moves a shape that joins it into its flow: remember where it was, put it back once absolute.
  const { x, y } = shape;
  t.parent.appendChild(shape);
  if (t.layout && shape.layoutChild) {
    shape.layoutChild.absolute = true;
    if (shape.x !== x || shape.y !== y) {
      shape.x = x;
      shape.y = y;
    }
  }
  restack(shape, t);
}

/** Layout boards (but reversed flex) paint the LOWER :shapes index on top (ctl/sort-layout-children-z-index). */
function lowerOnTop(t: Target): boolean {
  const b = t.parent as Board;
  return t.layout && !(b.flex && /reverse$/.test(b.flex.dir));
}

/** Moves `shape` (a child of t.parent) so that it is painted right above the anchor. */
function restack(shape: Shape, t: Target): void {
  const a = t.anchor.parentIndex;
  const down = lowerOnTop(t);
  if (t.layout && shape.layoutChild && t.anchor.layoutChild) shape.layoutChild.zIndex = t.anchor.layoutChild.zIndex;
  const i = shape.parentIndex;
  shape.setParentIndex(down ? (i < a ? a - 1 : a) : i < a ? a : a + 1);
  if (shape.parentIndex !== t.anchor.parentIndex + (down ? -1 : 1)) {
    fail(ErrorCode.State, `Penpot did not put the result above “${t.anchor.name}”; nothing was inserted.`);
  }
}

const edits: LayerEdits<Shape> = {
  name: (s) => s.name,
  remove: (s) => s.remove(),
  hidden: (s) => !!s.hidden,
  setHidden: (s, hidden) => {
    s.hidden = hidden;
  },
  markResult: (result, source, output, edit) => {
    result.setPluginData(DATA_SOURCE, source.id);
    result.setPluginData(DATA_OUTPUT, output);
    if (edit) result.setPluginData(DATA_EDIT, edit);
  },
};

/**
 * Puts `fresh` where the result `old` is (same parent, right above it, same page position),
 * then removes `old`; on failure `fresh` goes and `old` stays.
 */
export function replaceResult(old: Shape, fresh: Shape): void {
  try {
    const parent = old.parent;
    if (!isContainer(parent)) fail(ErrorCode.State, `“${old.name}” is no longer on a page.`);
    put(fresh, { parent, anchor: old, layout: hasLayout(parent) });
    old.remove();
  } catch (err) {
    try {
      fresh.remove();
    } catch {
      // already gone
    }
    throw err;
  }
}

/** Inserts `payload` over `source`; returns the new top-level shape; all or nothing (plugin/host/insertion.ts). */
export async function insertResult(source: Shape, prepared: PreparedSource, payload: ApplyPayload): Promise<Shape[]> {
  return insertOver(edits, source, payload, (name, created) => {
    const target = insertionTarget(source);
    const imageToPage = multiply(frameToPage(frameOf(source)), penpotSources.currentImageToLocal(source, prepared));
    if (payload.output === 'cutout') return insertCutout(source, prepared, payload, target, imageToPage, name, created);
    // One path: parts and holes as subpaths (consistently oriented, so either fill rule works).
    const d = checkPaths(payload.paths)
      .map((p) => transformPath(p.data, imageToPage))
      .join(' ');
    return payload.output === 'outline' ? insertOutline(target, d, name, created) : insertVectorMask(source, target, d, name, created);
  });
}

async function insertCutout(
  source: Shape,
  prepared: PreparedSource,
  payload: ApplyPayload,
  target: Target,
  imageToPage: Affine,
  name: string,
  created: Shape[],
): Promise<Shape> {
  checkPng(payload.png, 'Penpot', PENPOT_MAX_SIDE);
  const rect = checkRect(payload.rect, prepared.info);
  // Only what the shape shows: a cover-fitted image overflows its shape.
  const shown = intersect(rect, prepared.visible);
  if (!shown) fail(ErrorCode.InvalidOption, `The cutout lies outside the part of “${source.name}” that is visible.`);
  const { png, cover } = cropCutoutToShown(payload.png as Uint8Array, rect, shown);
  const media = await penpot.uploadMediaData(name, png, 'image/png');
  const node = penpot.createRectangle();
  created.push(node);
  node.name = name;
  put(node, target);
  setFrame(node, geometryToFrame(placeRect(imageToPage, cover)));
  node.fills = [{ fillOpacity: 1, fillImage: media }];
  node.strokes = [];
  return node;
}

function newPath(d: string, name: string, created: Shape[]): Path {
  const path = penpot.createPath();
  created.push(path);
  path.name = name;
  path.d = d;
  return path;
}

function insertOutline(target: Target, d: string, name: string, created: Shape[]): Shape {
  const path = newPath(d, name, created);
  path.fills = [];
  path.strokes = [{ strokeColor: OUTLINE_COLOR, strokeOpacity: 1, strokeWidth: OUTLINE_WIDTH, strokeAlignment: 'center', strokeStyle: 'solid' }];
  put(path, target);
  return path;
}

function insertVectorMask(source: Shape, target: Target, d: string, name: string, created: Shape[]): Shape {
  const copy = source.clone();
  created.push(copy);
  put(copy, target);
  if (copy.hidden) copy.hidden = false;
  const mask = newPath(d, 'Mask', created);
  mask.fills = [{ fillColor: '#000000', fillOpacity: 1 }];
  mask.strokes = [];
  put(mask, target);
  const group = penpot.group([mask, copy]);
  if (!group) fail(ErrorCode.State, 'Penpot could not group the mask with the copy of the layer.');
  created.push(group);
  // The bottom-most child is the mask.
  if (group.children[0]?.id !== mask.id) mask.sendToBack();
  group.makeMask();
  group.name = name;
  if (target.layout && group.layoutChild) {
    group.layoutChild.absolute = true;
    // The new group joined the flow first: move it back so that the copy lies on the source.
    const dx = source.x - copy.x;
    const dy = source.y - copy.y;
    if (dx || dy) {
      group.x += dx;
      group.y += dy;
    }
    restack(group, target);
  }
  return group;
}

/**
 * Selects the results on the active page. Penpot's selection belongs to the active page: ids of
 * another page's shapes would stay selected, and penpot.selection would hand them back as
 * proxies of the active page that find nothing (after a batch over the file, the results of
 * every page but the last one).
 */
export function selectResults(shapes: readonly Shape[]): void {
  const page = penpot.currentPage;
  const here = page ? shapes.filter((s) => !!s.id && page.getShapeById(s.id) !== null) : [...shapes];
  if (here.length) penpot.selection = here;
}

/**
 * Groups a split's layers (fresh shapes right above the source) where they lie, named and
 * marked as made from `source`. Penpot puts a group at its top-most shape's place; in a
 * flex/grid board the group joins the flow, so it is made absolute and moved back onto the
 * source. On failure the group (and its layers) is removed.
 */
export function groupSplit(shapes: readonly Shape[], name: string, source: Shape): Shape {
  const target = insertionTarget(source);
  const first = shapes[0];
  if (!first) fail(ErrorCode.State, 'No split layers to group; nothing was inserted.');
  const { x, y } = first;
  const group = penpot.group([...shapes]);
  if (!group) fail(ErrorCode.State, 'Penpot could not group the split layers; nothing was inserted.');
  try {
    group.name = name;
    if (target.layout && group.layoutChild) {
      group.layoutChild.absolute = true;
      const dx = x - first.x;
      const dy = y - first.y;
      if (dx || dy) {
        group.x += dx;
        group.y += dy;
      }
      restack(group, target);
    }
    group.setPluginData(DATA_SOURCE, source.id);
    group.setPluginData(DATA_OUTPUT, 'split');
    return group;
  } catch (err) {
    group.remove();
    throw err;
  }
}
