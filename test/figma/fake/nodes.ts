/**
 * The fake's node model. Every node's state is one plain-data record (`NodeState`), so the
 * whole document can be snapshotted per undo step and restored in place. Node objects are
 * thin views that validate like Figma does and keep Figma's geometry rules:
 *
 * - `relativeTransform` is relative to the CONTAINER parent (page, frame, component,
 *   instance); groups do not count. Transforms always have unit axes (size is width/height).
 * - A group's transform and size are derived from its children (its stored transform only
 *   keeps the group's rotation); moving a group moves its children; an emptied group is
 *   deleted.
 * - Auto-layout frames (layoutMode HORIZONTAL/VERTICAL) place their visible AUTO children one
 *   after another (padding, itemSpacing), ignoring the children's own translation; ABSOLUTE
 *   children keep theirs. Setting layoutPositioning outside an auto-layout frame throws.
 * - Nothing can be inserted into, removed from or grouped inside an instance.
 * - Fills, strokes, effects are frozen arrays: change them by assigning new arrays.
 * - vectorPaths validates Figma's strict grammar.
 * - With documentAccess "dynamic-page", a page's children throw until the page is loaded.
 */
import { I, type Mat, ap, boxBounds, copyMat, inv, isMat, linear, mul, withTranslation } from './affine.js';
import { parseStrict, segBounds } from './paths.js';
import type { FakeDoc } from './doc.js';

/** The fake's figma.pluginId (it counts towards a plugin-data entry's size). */
export const FAKE_PLUGIN_ID = 'cutout-local';
/** Figma's limit on one plugin-data entry (plugin id, key and value), bytes. */
export const PLUGIN_DATA_ENTRY_LIMIT = 100_000;
/** Figma's limit on a relaunch button's description, characters. */
export const RELAUNCH_DESCRIPTION_LIMIT = 1000;

export type FakeType = 'DOCUMENT' | 'PAGE' | 'FRAME' | 'GROUP' | 'RECTANGLE' | 'ELLIPSE' | 'VECTOR' | 'COMPONENT' | 'INSTANCE' | 'TEXT';

export interface FakeVectorPath {
  windingRule: 'NONZERO' | 'EVENODD' | 'NONE';
  data: string;
}

export interface NodeState {
  id: string;
  type: FakeType;
  name: string;
  parent: string | null;
  children: string[];
  removed: boolean;
  visible: boolean;
  locked: boolean;
  opacity: number;
  blendMode: string;
  isMask: boolean;
  maskType: string;
  fills: readonly Paint[];
  strokes: readonly Paint[];
  effects: readonly Effect[];
  strokeWeight: number;
  strokeAlign: 'INSIDE' | 'OUTSIDE' | 'CENTER';
  cornerRadius: number;
  clipsContent: boolean;
  /** Relative to the container; for groups only the linear part (rotation) is meaningful. */
  transform: Mat;
  width: number;
  height: number;
  layoutMode: 'NONE' | 'HORIZONTAL' | 'VERTICAL';
  itemSpacing: number;
  paddingLeft: number;
  paddingRight: number;
  paddingTop: number;
  paddingBottom: number;
  layoutPositioning: 'AUTO' | 'ABSOLUTE';
  constraints: { horizontal: string; vertical: string };
  pluginData: Record<string, string>;
  relaunchData: Record<string, string>;
  vectorPaths: FakeVectorPath[];
  characters: string;
  mainComponent: string | null;
  selection: string[];
  loaded: boolean;
  /** VECTOR: where the geometry's bounds start in local space. */
  pathOrigin?: [number, number];
}

export function defaultState(id: string, type: FakeType, name: string): NodeState {
  return {
    id,
    type,
    name,
    parent: null,
    children: [],
    removed: false,
    visible: true,
    locked: false,
    opacity: 1,
    blendMode: type === 'GROUP' || type === 'FRAME' || type === 'COMPONENT' || type === 'INSTANCE' ? 'PASS_THROUGH' : 'NORMAL',
    isMask: false,
    maskType: 'ALPHA',
    fills: Object.freeze([]),
    strokes: Object.freeze([]),
    effects: Object.freeze([]),
    strokeWeight: 1,
    strokeAlign: type === 'VECTOR' ? 'CENTER' : 'INSIDE',
    cornerRadius: 0,
    clipsContent: false,
    transform: copyMat(I),
    width: 100,
    height: 100,
    layoutMode: 'NONE',
    itemSpacing: 0,
    paddingLeft: 0,
    paddingRight: 0,
    paddingTop: 0,
    paddingBottom: 0,
    layoutPositioning: 'AUTO',
    constraints: { horizontal: 'MIN', vertical: 'MIN' },
    pluginData: {},
    relaunchData: {},
    vectorPaths: [],
    characters: '',
    mainComponent: null,
    selection: [],
    loaded: true,
  };
}

const FRAME_LIKE: ReadonlySet<FakeType> = new Set(['FRAME', 'COMPONENT', 'INSTANCE']);
export const isFrameLike = (t: FakeType): boolean => FRAME_LIKE.has(t);
const HAS_CHILDREN: ReadonlySet<FakeType> = new Set(['DOCUMENT', 'PAGE', 'FRAME', 'GROUP', 'COMPONENT', 'INSTANCE']);
export const hasChildren = (t: FakeType): boolean => HAS_CHILDREN.has(t);

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v as object)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

const BLEND_MODES = new Set([
  'PASS_THROUGH', 'NORMAL', 'DARKEN', 'MULTIPLY', 'LINEAR_BURN', 'COLOR_BURN', 'LIGHTEN', 'SCREEN', 'LINEAR_DODGE',
  'COLOR_DODGE', 'OVERLAY', 'SOFT_LIGHT', 'HARD_LIGHT', 'DIFFERENCE', 'EXCLUSION', 'HUE', 'SATURATION', 'COLOR', 'LUMINOSITY',
]);

function num(v: unknown, what: string, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new Error(`in set_${what}: Expected a number${min > -Infinity ? ` >= ${min}` : ''}${max < Infinity ? ` <= ${max}` : ''}, got ${String(v)}`);
  }
  return v;
}

// -------------------------------------------------------------------------------------------

export class FNode {
  constructor(
    readonly doc: FakeDoc,
    public s: NodeState,
  ) {}

  protected live(): NodeState {
    if (this.s.removed) throw new Error(`The node with id "${this.s.id}" does not exist`);
    return this.s;
  }

  get id(): string {
    return this.s.id;
  }
  get type(): FakeType {
    return this.s.type;
  }
  get removed(): boolean {
    return this.s.removed;
  }
  get name(): string {
    return this.live().name;
  }
  set name(v: string) {
    if (typeof v !== 'string') throw new Error('in set_name: Expected string');
    this.doc.mutate();
    this.live().name = v;
  }
  get parent(): FNode | null {
    const p = this.live().parent;
    return p === null ? null : this.doc.node(p);
  }

  remove(): void {
    this.live();
    this.doc.removeNode(this);
  }

  setPluginData(key: string, value: string): void {
    this.live();
    if (typeof key !== 'string' || key.length === 0) throw new Error('in setPluginData: key must be a non-empty string');
    if (typeof value !== 'string') throw new Error('in setPluginData: value must be a string');
    // Figma: "The total size of your entry (pluginId, key, value) cannot exceed 100 kB."
    const entry = new TextEncoder().encode(FAKE_PLUGIN_ID + key + value).length;
    if (entry > PLUGIN_DATA_ENTRY_LIMIT) throw new Error(`in setPluginData: the entry is ${entry} bytes; plugin data entries cannot exceed 100 kB`);
    this.doc.mutate();
    if (value === '') delete this.s.pluginData[key];
    else this.s.pluginData[key] = value;
  }
  getPluginData(key: string): string {
    return this.live().pluginData[key] ?? '';
  }
  getPluginDataKeys(): string[] {
    return Object.keys(this.live().pluginData);
  }
  setRelaunchData(data: { [command: string]: string }): void {
    this.live();
    if (typeof data !== 'object' || data === null) throw new Error('in setRelaunchData: Expected an object');
    for (const [k, v] of Object.entries(data)) {
      if (typeof v !== 'string') throw new Error(`in setRelaunchData: description for "${k}" must be a string`);
      // Figma: "This method will throw if description exceeds 1000 characters."
      if (v.length > RELAUNCH_DESCRIPTION_LIMIT) throw new Error(`in setRelaunchData: description for "${k}" exceeds ${RELAUNCH_DESCRIPTION_LIMIT} characters`);
      if (!this.doc.options.relaunchCommands.includes(k)) {
        throw new Error(`in setRelaunchData: "${k}" is not a relaunch command declared in the manifest's relaunchButtons`);
      }
    }
    this.doc.mutate();
    this.s.relaunchData = { ...data };
  }
  getRelaunchData(): { [command: string]: string } {
    return { ...this.live().relaunchData };
  }
  toString(): string {
    return `[Node ${this.s.type} ${this.s.id}]`;
  }
}

// -------------------------------------------------------------------------------------------
// Containers: shared child operations

function childList(node: FNode): FNode[] {
  const s = node.s;
  if (s.removed) throw new Error(`The node with id "${s.id}" does not exist`);
  if (s.type === 'PAGE' && !s.loaded) {
    throw new Error(`Cannot access children on a page that has not been explored. Call \`await page.loadAsync()\` first (page "${s.name}").`);
  }
  return s.children.map((id) => node.doc.node(id));
}

function findAllIn(node: FNode, cb?: (n: FNode) => boolean): FNode[] {
  const out: FNode[] = [];
  const walk = (n: FNode) => {
    for (const c of childList(n)) {
      if (!cb || cb(c)) out.push(c);
      if (hasChildren(c.type)) walk(c);
    }
  };
  walk(node);
  return out;
}

// -------------------------------------------------------------------------------------------

export class FScene extends FNode {
  get visible(): boolean {
    return this.live().visible;
  }
  set visible(v: boolean) {
    if (typeof v !== 'boolean') throw new Error('in set_visible: Expected boolean');
    this.doc.mutate();
    this.live().visible = v;
    this.doc.touch(this);
  }
  get locked(): boolean {
    return this.live().locked;
  }
  set locked(v: boolean) {
    this.doc.mutate();
    this.live().locked = !!v;
  }
  get opacity(): number {
    return this.live().opacity;
  }
  set opacity(v: number) {
    num(v, 'opacity', 0, 1);
    this.doc.mutate();
    this.live().opacity = v;
  }
  get blendMode(): string {
    return this.live().blendMode;
  }
  set blendMode(v: string) {
    if (!BLEND_MODES.has(v)) throw new Error(`in set_blendMode: Invalid blend mode "${v}"`);
    this.doc.mutate();
    this.live().blendMode = v;
  }
  get isMask(): boolean {
    return this.live().isMask;
  }
  set isMask(v: boolean) {
    if (typeof v !== 'boolean') throw new Error('in set_isMask: Expected boolean');
    this.doc.mutate();
    this.live().isMask = v;
  }
  get maskType(): string {
    return this.live().maskType;
  }
  get effects(): readonly Effect[] {
    return this.live().effects;
  }
  set effects(v: readonly Effect[]) {
    if (!Array.isArray(v)) throw new Error('in set_effects: Expected an array');
    this.doc.mutate();
    this.live().effects = deepFreeze(structuredClone(v as Effect[]).map((e) => ({ ...e, visible: e.visible ?? true })));
  }
  get constraints(): { horizontal: string; vertical: string } {
    return { ...this.live().constraints };
  }

  // ---- geometry
  get relativeTransform(): Transform {
    return copyMat(this.doc.relTransform(this)) as Transform;
  }
  set relativeTransform(m: Transform) {
    this.live();
    if (!isMat(m)) throw new Error('in set_relativeTransform: Expected a 2x3 matrix of finite numbers');
    const ax = Math.hypot(m[0][0], m[1][0]);
    const ay = Math.hypot(m[0][1], m[1][1]);
    if (Math.abs(ax - 1) > 1e-4 || Math.abs(ay - 1) > 1e-4) {
      throw new Error(
        `in set_relativeTransform: the transform must have unit axes (got ${ax.toFixed(5)}, ${ay.toFixed(5)}); use resize() for size`,
      );
    }
    this.doc.mutate();
    this.doc.setRelTransform(this, copyMat(m as Mat));
  }
  get absoluteTransform(): Transform {
    return copyMat(this.doc.absTransform(this)) as Transform;
  }
  get x(): number {
    return this.doc.relTransform(this)[0][2];
  }
  set x(v: number) {
    num(v, 'x');
    const t = this.doc.relTransform(this);
    this.doc.mutate();
    this.doc.setRelTransform(this, withTranslation(t, v, t[1][2]));
  }
  get y(): number {
    return this.doc.relTransform(this)[1][2];
  }
  set y(v: number) {
    num(v, 'y');
    const t = this.doc.relTransform(this);
    this.doc.mutate();
    this.doc.setRelTransform(this, withTranslation(t, t[0][2], v));
  }
  get width(): number {
    return this.doc.size(this).width;
  }
  get height(): number {
    return this.doc.size(this).height;
  }
  get rotation(): number {
    const t = this.doc.relTransform(this);
    return (Math.atan2(-t[1][0], t[0][0]) * 180) / Math.PI;
  }
  set rotation(deg: number) {
    num(deg, 'rotation');
    const t = this.doc.relTransform(this);
    const r = (deg * Math.PI) / 180;
    const c = Math.cos(r);
    const s = Math.sin(r);
    this.doc.mutate();
    this.doc.setRelTransform(this, [
      [c, s, t[0][2]],
      [-s, c, t[1][2]],
    ]);
  }
  get absoluteBoundingBox(): Rect | null {
    const b = boxBounds(this.doc.absTransform(this), this.width, this.height);
    return { x: b.x0, y: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0 };
  }
  get absoluteRenderBounds(): Rect | null {
    if (!this.visible) return null;
    return this.doc.renderBounds(this);
  }
  resize(width: number, height: number): void {
    this.live();
    if (this.doc.fault('resize')) throw new Error('in resize: injected fault');
    if (typeof width !== 'number' || !(width >= 0.01)) throw new Error('in resize: Expected "width" to have value >= 0.01');
    if (typeof height !== 'number' || !(height >= 0.01)) throw new Error('in resize: Expected "height" to have value >= 0.01');
    if (this.s.type === 'GROUP') throw new Error('fake: resizing a group (scaling its children) is not emulated');
    this.doc.mutate();
    if (this.s.type === 'VECTOR' && this.s.vectorPaths.length > 0) {
      const sx = this.s.width > 0 ? width / this.s.width : 1;
      const sy = this.s.height > 0 ? height / this.s.height : 1;
      this.s.vectorPaths = this.s.vectorPaths.map((p) => ({ windingRule: p.windingRule, data: scalePath(p.data, sx, sy) }));
    }
    this.s.width = width;
    this.s.height = height;
    this.doc.touch(this);
  }
  resizeWithoutConstraints(width: number, height: number): void {
    this.resize(width, height);
  }
  get layoutPositioning(): 'AUTO' | 'ABSOLUTE' {
    return this.live().layoutPositioning;
  }
  set layoutPositioning(v: 'AUTO' | 'ABSOLUTE') {
    this.live();
    if (v !== 'AUTO' && v !== 'ABSOLUTE') throw new Error(`in set_layoutPositioning: Invalid value "${String(v)}"`);
    const p = this.parent;
    if (v === 'ABSOLUTE' && !(p && isFrameLike(p.type) && p.s.layoutMode !== 'NONE')) {
      throw new Error('in set_layoutPositioning: Can only set layoutPositioning = ABSOLUTE if the parent node has layoutMode !== NONE');
    }
    this.doc.mutate();
    this.s.layoutPositioning = v;
    this.doc.touch(this);
  }

  clone(): FScene {
    this.live();
    if (this.doc.fault('clone')) throw new Error('in clone: injected fault');
    return this.doc.cloneNode(this);
  }

  exportAsync(settings?: ExportSettings): Promise<Uint8Array> {
    this.live();
    return this.doc.exportNode(this, settings);
  }
}

function scalePath(data: string, sx: number, sy: number): string {
  return parseStrict(data)
    .map((s) => [s.cmd, ...s.pts.map((v, i) => fmt(i % 2 === 0 ? v * sx : v * sy))].join(' '))
    .join(' ');
}

function fmt(v: number): string {
  const s = (Math.round(v * 1e6) / 1e6).toFixed(6).replace(/\.?0+$/, '');
  return s === '-0' || s === '' ? '0' : s;
}

// -------------------------------------------------------------------------------------------

export function validatePaints(doc: FakeDoc, v: unknown, what: string): readonly Paint[] {
  if (!Array.isArray(v)) throw new Error(`in set_${what}: Expected an array of paints`);
  const out = (structuredClone(v) as Record<string, unknown>[]).map((p, i) => {
    if (!p || typeof p !== 'object') throw new Error(`in set_${what}: paint ${i} is not an object`);
    const t = p.type;
    if (t === 'SOLID') {
      const c = p.color as Record<string, unknown> | undefined;
      if (!c || ['r', 'g', 'b'].some((k) => typeof c[k] !== 'number' || (c[k] as number) < 0 || (c[k] as number) > 1)) {
        throw new Error(`in set_${what}: paint ${i}: Expected color {r, g, b} in 0..1`);
      }
      if ('a' in c) throw new Error(`in set_${what}: paint ${i}: Unrecognized key(s) in object: 'a' (use paint.opacity)`);
    } else if (t === 'IMAGE') {
      if (!['FILL', 'FIT', 'CROP', 'TILE'].includes(p.scaleMode as string)) {
        throw new Error(`in set_${what}: paint ${i}: Invalid scaleMode "${String(p.scaleMode)}"`);
      }
      if (p.imageHash !== null && p.imageHash !== undefined) {
        if (typeof p.imageHash !== 'string' || !doc.images.has(p.imageHash)) {
          throw new Error(`in set_${what}: paint ${i}: Image with hash ${String(p.imageHash)} does not exist`);
        }
      }
      if (p.imageTransform !== undefined && !isMat(p.imageTransform)) {
        throw new Error(`in set_${what}: paint ${i}: imageTransform must be a 2x3 matrix`);
      }
      if (p.scaleMode === 'CROP' && p.imageTransform === undefined) p.imageTransform = copyMat(I);
      if (p.scaleMode !== 'CROP' && p.imageTransform !== undefined) delete p.imageTransform;
      if (p.scaleMode === 'TILE' && p.scalingFactor === undefined) p.scalingFactor = 0.5;
      if (p.rotation === undefined) p.rotation = 0;
      if ((p.rotation as number) % 90 !== 0) throw new Error(`in set_${what}: paint ${i}: rotation must be a multiple of 90`);
      if (p.imageHash === undefined) p.imageHash = null;
    } else if (typeof t !== 'string' || !/^(GRADIENT_(LINEAR|RADIAL|ANGULAR|DIAMOND)|VIDEO|PATTERN)$/.test(t)) {
      throw new Error(`in set_${what}: paint ${i}: Invalid paint type "${String(t)}"`);
    }
    if (p.opacity !== undefined) num(p.opacity, `${what}.opacity`, 0, 1);
    return { visible: true, opacity: 1, blendMode: 'NORMAL', ...p };
  });
  return deepFreeze(out) as unknown as readonly Paint[];
}

export class FPainted extends FScene {
  get fills(): readonly Paint[] {
    return this.live().fills;
  }
  set fills(v: readonly Paint[]) {
    this.live();
    if (this.doc.fault('fills')) throw new Error('in set_fills: injected fault');
    const paints = validatePaints(this.doc, v, 'fills');
    this.doc.mutate();
    this.s.fills = paints;
  }
  get strokes(): readonly Paint[] {
    return this.live().strokes;
  }
  set strokes(v: readonly Paint[]) {
    this.live();
    const paints = validatePaints(this.doc, v, 'strokes');
    this.doc.mutate();
    this.s.strokes = paints;
  }
  get strokeWeight(): number {
    return this.live().strokeWeight;
  }
  set strokeWeight(v: number) {
    num(v, 'strokeWeight', 0);
    this.doc.mutate();
    this.live().strokeWeight = v;
  }
  get strokeAlign(): 'INSIDE' | 'OUTSIDE' | 'CENTER' {
    return this.live().strokeAlign;
  }
  set strokeAlign(v: 'INSIDE' | 'OUTSIDE' | 'CENTER') {
    if (!['INSIDE', 'OUTSIDE', 'CENTER'].includes(v)) throw new Error(`in set_strokeAlign: Invalid value "${v}"`);
    this.doc.mutate();
    this.live().strokeAlign = v;
  }
}

export class FRectangle extends FPainted {
  get cornerRadius(): number {
    return this.live().cornerRadius;
  }
  set cornerRadius(v: number) {
    num(v, 'cornerRadius', 0);
    this.doc.mutate();
    this.live().cornerRadius = v;
  }
}

export class FEllipse extends FPainted {}

export class FText extends FPainted {
  get characters(): string {
    return this.live().characters;
  }
  set characters(v: string) {
    this.doc.mutate();
    this.live().characters = String(v);
  }
}

export class FVector extends FPainted {
  get vectorPaths(): readonly FakeVectorPath[] {
    return deepFreeze(structuredClone(this.live().vectorPaths));
  }
  set vectorPaths(v: readonly FakeVectorPath[]) {
    this.live();
    if (this.doc.fault('vectorPaths')) throw new Error('in set_vectorPaths: injected fault');
    if (!Array.isArray(v)) throw new Error('in set_vectorPaths: Expected an array');
    const paths = v.map((p, i) => {
      if (!p || typeof p !== 'object') throw new Error(`in set_vectorPaths: path ${i} is not an object`);
      if (!['NONZERO', 'EVENODD', 'NONE'].includes(p.windingRule)) throw new Error(`in set_vectorPaths: path ${i}: invalid windingRule`);
      parseStrict(p.data);
      return { windingRule: p.windingRule, data: p.data };
    });
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const p of paths) {
      const b = segBounds(parseStrict(p.data));
      if (!b) continue;
      x0 = Math.min(x0, b.x0);
      y0 = Math.min(y0, b.y0);
      x1 = Math.max(x1, b.x1);
      y1 = Math.max(y1, b.y1);
    }
    this.doc.mutate();
    this.s.vectorPaths = paths;
    // The node's size is the geometry's extent; the path keeps its own coordinates, so a path
    // whose bounds do not start at (0, 0) is drawn offset from the node's box (geometryOrigin).
    this.s.width = Number.isFinite(x0) ? x1 - x0 : 0;
    this.s.height = Number.isFinite(y0) ? y1 - y0 : 0;
    this.s.pathOrigin = Number.isFinite(x0) ? [x0, y0] : [0, 0];
    this.doc.touch(this);
  }
  /** Where the geometry's bounds start in local space (0, 0 when the paths are normalised). */
  get geometryOrigin(): [number, number] {
    return this.live().pathOrigin ?? [0, 0];
  }
}

// ---- containers

export class FGroup extends FScene {
  get children(): readonly FScene[] {
    return Object.freeze(childList(this) as FScene[]);
  }
  appendChild(child: FScene): void {
    this.doc.insertChild(this, this.s.children.length, child);
  }
  insertChild(index: number, child: FScene): void {
    this.doc.insertChild(this, index, child);
  }
  findAll(cb?: (n: FNode) => boolean): FNode[] {
    return findAllIn(this, cb);
  }
  get clipsContent(): boolean {
    return false;
  }
}

export class FFrame extends FPainted {
  get children(): readonly FScene[] {
    return Object.freeze(childList(this) as FScene[]);
  }
  appendChild(child: FScene): void {
    this.doc.insertChild(this, this.s.children.length, child);
  }
  insertChild(index: number, child: FScene): void {
    this.doc.insertChild(this, index, child);
  }
  findAll(cb?: (n: FNode) => boolean): FNode[] {
    return findAllIn(this, cb);
  }
  get clipsContent(): boolean {
    return this.live().clipsContent;
  }
  set clipsContent(v: boolean) {
    this.doc.mutate();
    this.live().clipsContent = !!v;
  }
  get cornerRadius(): number {
    return this.live().cornerRadius;
  }
  set cornerRadius(v: number) {
    num(v, 'cornerRadius', 0);
    this.doc.mutate();
    this.live().cornerRadius = v;
  }
  get layoutMode(): 'NONE' | 'HORIZONTAL' | 'VERTICAL' {
    return this.live().layoutMode;
  }
  set layoutMode(v: 'NONE' | 'HORIZONTAL' | 'VERTICAL') {
    if (!['NONE', 'HORIZONTAL', 'VERTICAL'].includes(v)) throw new Error(`in set_layoutMode: Invalid value "${v}"`);
    this.doc.mutate();
    this.live().layoutMode = v;
    if (v === 'NONE') for (const c of childList(this)) c.s.layoutPositioning = 'AUTO';
    this.doc.relayout(this);
  }
  get itemSpacing(): number {
    return this.live().itemSpacing;
  }
  set itemSpacing(v: number) {
    num(v, 'itemSpacing');
    this.doc.mutate();
    this.live().itemSpacing = v;
    this.doc.relayout(this);
  }
  get paddingLeft(): number {
    return this.live().paddingLeft;
  }
  set paddingLeft(v: number) {
    this.setPad('paddingLeft', v);
  }
  get paddingRight(): number {
    return this.live().paddingRight;
  }
  set paddingRight(v: number) {
    this.setPad('paddingRight', v);
  }
  get paddingTop(): number {
    return this.live().paddingTop;
  }
  set paddingTop(v: number) {
    this.setPad('paddingTop', v);
  }
  get paddingBottom(): number {
    return this.live().paddingBottom;
  }
  set paddingBottom(v: number) {
    this.setPad('paddingBottom', v);
  }
  private setPad(k: 'paddingLeft' | 'paddingRight' | 'paddingTop' | 'paddingBottom', v: number): void {
    num(v, k, 0);
    this.doc.mutate();
    this.live()[k] = v;
    this.doc.relayout(this);
  }
  get mainComponent(): FNode | null {
    const id = this.live().mainComponent;
    return id === null ? null : this.doc.node(id);
  }
  /** COMPONENT only: a new instance (children copied) on the current page. */
  createInstance(): FFrame {
    if (this.s.type !== 'COMPONENT') throw new Error('createInstance is only available on components');
    return this.doc.instantiate(this);
  }
}

export class FPage extends FNode {
  get children(): readonly FScene[] {
    return Object.freeze(childList(this) as FScene[]);
  }
  appendChild(child: FScene): void {
    this.doc.insertChild(this, this.s.children.length, child);
  }
  insertChild(index: number, child: FScene): void {
    this.doc.insertChild(this, index, child);
  }
  findAll(cb?: (n: FNode) => boolean): FNode[] {
    return findAllIn(this, cb);
  }
  get selection(): readonly FScene[] {
    const s = this.live();
    return Object.freeze(
      s.selection.map((id) => this.doc.node(id)).filter((n) => !n.removed && this.doc.pageOf(n) === this) as FScene[],
    );
  }
  set selection(nodes: readonly FScene[]) {
    this.live();
    if (!Array.isArray(nodes)) throw new Error('in set_selection: Expected an array of nodes');
    for (const n of nodes) {
      if (!(n instanceof FScene) || n.removed) throw new Error('in set_selection: Expected an array of existing scene nodes');
      if (this.doc.pageOf(n) !== this) throw new Error(`in set_selection: node ${n.id} is not on page "${this.s.name}"`);
    }
    this.s.selection = nodes.map((n) => n.id);
    if (this.doc.currentPage === this) this.doc.emitLater('selectionchange');
  }
  async loadAsync(): Promise<void> {
    this.live();
    await Promise.resolve();
    this.s.loaded = true;
  }
  get isLoaded(): boolean {
    return this.s.loaded;
  }
}

export class FDocument extends FNode {
  get children(): readonly FPage[] {
    return Object.freeze(this.s.children.map((id) => this.doc.node(id)) as FPage[]);
  }
  findAll(cb?: (n: FNode) => boolean): FNode[] {
    if (!this.doc.allPagesLoaded) {
      throw new Error('Cannot call findAll on the document with documentAccess: dynamic-page. Call figma.loadAllPagesAsync() first.');
    }
    return findAllIn(this, cb);
  }
}

/** Helpers the document model uses; exported for doc.ts. */
export const geometry = { ap, boxBounds, inv, linear, mul, withTranslation, copyMat };
