/**
 * Inserting results over their source, exactly where the source's pixels are:
 *   cutout       a rectangle with an IMAGE fill of the RGBA PNG, covering `rect` (clipped to
 *                the part of the image the layer shows)
 *   vector-mask  a group [mask vector (isMask), exact copy of the source]
 *   outline      a stroked vector without fill
 * directly above the source in the same parent (above the outermost instance or boolean
 * operation when the source sits inside one: Figma allows no new layers inside an instance,
 * and a layer inside a boolean would change its shape), absolutely positioned in auto-layout
 * parents, named after the source, carrying relaunch data and the source's id. The source is
 * never modified, except hidden when asked. Any failure removes every node created so far.
 * Undo steps are the caller's business (one commitUndo per apply / per batch).
 */
import { ErrorCode, fail } from '../../core/errors.js';
import { type LayerEdits, insertOver } from '../host/insertion.js';
import { DATA_EDIT } from '../host/edit-data.js';
import { checkPaths, checkPng, checkRect } from '../host/payload.js';
import type { ApplyPayload } from '../protocol.js';
import {
  type Affine,
  type NodeGeometry,
  affine,
  intersect,
  invert,
  multiply,
  placePaths,
  placeRect,
} from '../host/placement.js';
import { type PreparedSource, figmaSources } from './sources.js';

/** pluginData keys on results. */
export const DATA_SOURCE = 'source';
export const DATA_OUTPUT = 'output';
export const RELAUNCH = { edit: 'Edit the cutout' };
export { DATA_EDIT } from '../host/edit-data.js';

const OUTLINE_COLOR: RGB = { r: 13 / 255, g: 153 / 255, b: 1 };
const OUTLINE_WEIGHT = 2;

type Parent = BaseNode & ChildrenMixin;

export interface Target {
  parent: Parent;
  index: number;
  /** Source-node local → the target parent's container space. */
  sourceToContainer: Affine;
  autoLayout: boolean;
}

const asAffine = (t: Transform): Affine => affine(t[0][0], t[0][1], t[0][2], t[1][0], t[1][1], t[1][2]);

/** The node whose space `relativeTransform`s of `parent`'s children are in (groups skipped). */
export function containerTransform(parent: BaseNode | null): Affine {
  let p = parent;
  while (p && (p.type === 'GROUP' || p.type === 'BOOLEAN_OPERATION')) p = p.parent;
  if (!p || p.type === 'PAGE' || p.type === 'DOCUMENT') return affine(1, 0, 0, 0, 1, 0);
  return asAffine((p as SceneNode).absoluteTransform);
}

/**
 * The outermost ancestor results cannot go inside: an instance (Figma allows no new layers
 * there) or a boolean operation (a new layer would become part of its shape).
 */
function outermostClosedAncestor(node: BaseNode): SceneNode | null {
  let found: SceneNode | null = null;
  for (let p = node.parent; p && p.type !== 'PAGE' && p.type !== 'DOCUMENT'; p = p.parent) {
    if (p.type === 'INSTANCE' || p.type === 'BOOLEAN_OPERATION') found = p as SceneNode;
  }
  return found;
}

export function isAutoLayout(parent: BaseNode): boolean {
  return 'layoutMode' in parent && (parent as FrameNode).layoutMode !== 'NONE';
}

/** Where results for `source` go: right above it, or above the instance / boolean that holds it. */
export function insertionTarget(source: SceneNode): Target {
  const anchor = outermostClosedAncestor(source) ?? source;
  const parent = anchor.parent as Parent | null;
  if (!parent) fail(ErrorCode.State, `“${source.name}” is no longer on a page.`);
  const index = parent.children.indexOf(anchor as SceneNode) + 1;
  const sourceToContainer =
    anchor === source
      ? asAffine(source.relativeTransform)
      : multiply(invert(containerTransform(parent)), asAffine(source.absoluteTransform));
  return { parent, index, sourceToContainer, autoLayout: isAutoLayout(parent) };
}

function pageOf(node: BaseNode): PageNode {
  let p: BaseNode | null = node;
  while (p && p.type !== 'PAGE') p = p.parent;
  if (!p) fail(ErrorCode.State, 'The layer is not on a page.');
  return p as PageNode;
}

/** Puts a fresh node at `index` in the target, positioned by `geometry` (size only if `size`). */
function place(node: SceneNode & LayoutMixin, t: Target, index: number, geometry: NodeGeometry, size: boolean): void {
  t.parent.insertChild(index, node);
  if (t.autoLayout) node.layoutPositioning = 'ABSOLUTE';
  if (size) node.resize(Math.max(0.01, geometry.width), Math.max(0.01, geometry.height));
  node.relativeTransform = geometry.relativeTransform;
}

const edits: LayerEdits<SceneNode> = {
  name: (n) => n.name,
  remove: (n) => {
    if (!n.removed) n.remove();
  },
  hidden: (n) => !n.removed && !n.visible,
  setHidden: (n, hidden) => {
    if (!n.removed) n.visible = !hidden;
  },
  markResult: (result, source, output, edit) => {
    result.setPluginData(DATA_SOURCE, source.id);
    result.setPluginData(DATA_OUTPUT, output);
    if (edit) result.setPluginData(DATA_EDIT, edit);
    result.setRelaunchData(RELAUNCH);
  },
};

/**
 * Puts `fresh` where the result `old` is (same parent, same place in the list, same place on
 * the canvas), then removes `old`; on failure `fresh` goes and `old` stays.
 */
export function replaceResult(old: SceneNode, fresh: SceneNode): void {
  try {
    const parent = old.parent as Parent | null;
    if (!parent || old.removed) fail(ErrorCode.State, `“${old.name}” is no longer on a page.`);
    const at = asAffine(fresh.absoluteTransform);
    // Next to `old` whichever way Figma counts a move within one parent; `old` then leaves the gap.
    parent.insertChild(parent.children.indexOf(old), fresh);
    if (Math.abs(parent.children.indexOf(fresh) - parent.children.indexOf(old)) !== 1) {
      fail(ErrorCode.State, `Figma did not put the new result beside “${old.name}”.`);
    }
    if (isAutoLayout(parent) && 'layoutPositioning' in fresh) (fresh as SceneNode & LayoutMixin).layoutPositioning = 'ABSOLUTE';
    fresh.relativeTransform = toTransform(multiply(invert(containerTransform(parent)), at));
    old.remove();
  } catch (err) {
    if (!fresh.removed) fresh.remove();
    throw err;
  }
}

/**
 * Inserts `payload` over `source` and returns the new top-level node(s); all or nothing
 * (plugin/host/insertion.ts).
 */
export async function insertResult(source: SceneNode, prepared: PreparedSource, payload: ApplyPayload): Promise<SceneNode[]> {
  if (source.removed) fail(ErrorCode.State, 'The source layer was deleted.');
  return insertOver(edits, source, payload, (name, created) => {
    const target = insertionTarget(source);
    const imageToContainer = multiply(target.sourceToContainer, figmaSources.currentImageToLocal(source, prepared));
    if (payload.output === 'cutout') return insertCutout(source, prepared, payload, target, imageToContainer, name, created);
    const paths = checkPaths(payload.paths);
    const placed = placePaths(imageToContainer, paths.map((p) => p.data));
    const vectorPaths: VectorPaths = paths.map((p, i) => ({ windingRule: p.windingRule, data: placed.paths[i] }));
    return payload.output === 'outline'
      ? insertOutline(target, placed, vectorPaths, name, created)
      : insertVectorMask(source, target, placed, vectorPaths, name, created);
  });
}

function insertCutout(
  source: SceneNode,
  prepared: PreparedSource,
  payload: ApplyPayload,
  target: Target,
  imageToContainer: Affine,
  name: string,
  created: SceneNode[],
): SceneNode {
  checkPng(payload.png, 'Figma');
  const rect = checkRect(payload.rect, prepared.info);
  // Only what the layer shows: a FILL image overflows its layer, a CROP shows a window.
  const shown = intersect(rect, prepared.visible);
  if (!shown) fail(ErrorCode.InvalidOption, `The cutout lies outside the part of “${source.name}” that is visible.`);
  const image = figma.createImage(payload.png as Uint8Array);
  const node = figma.createRectangle();
  created.push(node);
  node.name = name;
  place(node, target, target.index, placeRect(imageToContainer, shown), true);
  // The node covers `shown`; the PNG covers `rect`: CROP maps node-normalised → PNG-normalised.
  const crop: Transform = [
    [shown.width / rect.width, 0, (shown.x - rect.x) / rect.width],
    [0, shown.height / rect.height, (shown.y - rect.y) / rect.height],
  ];
  node.fills = [{ type: 'IMAGE', imageHash: image.hash, scaleMode: 'CROP', imageTransform: crop }];
  node.strokes = [];
  return node;
}

function insertOutline(
  target: Target,
  placed: NodeGeometry,
  paths: VectorPaths,
  name: string,
  created: SceneNode[],
): SceneNode {
  const v = figma.createVector();
  created.push(v);
  v.name = name;
  v.vectorPaths = paths;
  place(v, target, target.index, placed, false);
  v.fills = [];
  v.strokes = [{ type: 'SOLID', color: OUTLINE_COLOR }];
  v.strokeWeight = OUTLINE_WEIGHT;
  v.strokeAlign = 'CENTER';
  return v;
}

function insertVectorMask(
  source: SceneNode,
  target: Target,
  placed: NodeGeometry,
  paths: VectorPaths,
  name: string,
  created: SceneNode[],
): SceneNode {
  // Built on the target's page in the target container's coordinates (same numbers), then
  // moved into the target: insertChild keeps relative transforms.
  const page = pageOf(target.parent);
  const copy = source.clone();
  created.push(copy);
  page.appendChild(copy);
  copy.visible = true;
  copy.relativeTransform = toTransform(target.sourceToContainer);
  const mask = figma.createVector();
  created.push(mask);
  page.appendChild(mask);
  mask.name = 'Mask';
  mask.vectorPaths = paths;
  mask.relativeTransform = placed.relativeTransform;
  mask.fills = [{ type: 'SOLID', color: { r: 0, g: 0, b: 0 } }];
  mask.strokes = [];
  const group = figma.group([mask, copy], page);
  created.push(group);
  if (group.children[0] !== mask) group.insertChild(0, mask);
  mask.isMask = true;
  group.name = name;
  const at = group.relativeTransform;
  target.parent.insertChild(target.index, group);
  if (target.autoLayout) group.layoutPositioning = 'ABSOLUTE';
  group.relativeTransform = at;
  return group;
}

function toTransform(m: Affine): Transform {
  return [
    [m[0][0], m[0][1], m[0][2]],
    [m[1][0], m[1][1], m[1][2]],
  ];
}

/** Result layers on the current page get selected (Figma selects per page). */
export function selectResults(nodes: readonly SceneNode[]): void {
  const onPage = nodes.filter((n) => !n.removed && pageOf(n) === figma.currentPage);
  if (onPage.length) figma.currentPage.selection = onPage;
}

/**
 * Groups a split's layers (fresh siblings right above the source), named and marked as made
 * from `source`. The group is made on the page and then put right above the source, like a
 * vector mask's: grouping in place inside an auto-layout frame would let the group join the
 * flow while its layers move in one by one. On failure the group (and its layers) is removed.
 */
export async function groupSplit(nodes: readonly SceneNode[], name: string, source: SceneNode): Promise<SceneNode> {
  const before = insertionTarget(source);
  if (nodes.length === 0 || nodes.some((n) => n.removed || n.parent !== before.parent)) {
    fail(ErrorCode.State, 'The split layers are not where they were inserted; nothing was inserted.');
  }
  const group = figma.group([...nodes], pageOf(before.parent));
  try {
    group.name = name;
    const abs = asAffine(group.absoluteTransform);
    const target = insertionTarget(source);
    target.parent.insertChild(target.index, group);
    if (target.autoLayout) group.layoutPositioning = 'ABSOLUTE';
    group.relativeTransform = toTransform(multiply(invert(containerTransform(target.parent)), abs));
    group.setPluginData(DATA_SOURCE, source.id);
    group.setPluginData(DATA_OUTPUT, 'split');
    return group;
  } catch (err) {
    if (!group.removed) group.remove();
    throw err;
  }
}
