/**
 * The fake's document: a file (FakeFile) of pages (FakeDoc), each a tree of shapes with
 * Penpot's tree rules, geometry and layout. Operations here are "what the workspace does" (no
 * permission or argument checks: the plugin API layer in proxies.ts / penpot.ts does those, in
 * Penpot's order). Sources are named per operation (penpot/penpot at 66bb6a1).
 *
 * Pages (common/types/file.cljc, page.cljc): every page has its own `:objects` with its own
 * root frame, whose id is uuid/zero on EVERY page; shape ids are unique in the file. Media
 * belong to the file. The workspace has one active page (`:current-page-id`) and one
 * selection (`:workspace-local :selected`), which belongs to the active page: opening another
 * page clears it (workspace/pages.cljs finalize-page / initialize-page*).
 *
 * Child order: `children` is Penpot's internal `:shapes` vector — index 0 is the BOTTOM of the
 * stack (rendered first), the last entry is on top — except that a board with a layout renders
 * index 0 on top (ctl/sort-layout-children-z-index) and lays its flex children out in reverse
 * `:shapes` order (flex_layout/layout_data.cljc). The plugin API exposes this vector as is
 * (with `penpot.flags.naturalChildOrdering` false, the default); see proxies.ts for how
 * appendChild / insertChild map onto it.
 */
import { type Geom, type Mat, type Pt, type Rect, aabb, ap, geomFromBox, inv, linearOf, mul, pointsOf, selrectOf, transformGeom, translation } from './geometry.js';
import { MediaStore } from './media.js';
import { segBounds } from '../../figma/fake/paths.js';
import { type PathSeg, toSegs, transformPath } from './svgpath.js';

export type ShapeType = 'board' | 'group' | 'rectangle' | 'ellipse' | 'path' | 'text';

export const ROOT_ID = '00000000-0000-0000-0000-000000000000';

export interface ImageRef {
  id: string;
  width: number;
  height: number;
  mtype: string;
  name?: string;
  keepAspectRatio?: boolean;
}

export interface GradientState {
  type: 'linear' | 'radial';
  startX: number;
  startY: number;
  endX: number;
  endY: number;
  width: number;
  stops: Array<{ color: string; opacity?: number; offset: number }>;
}

export interface FillState {
  fillColor?: string;
  fillOpacity?: number;
  fillColorGradient?: GradientState;
  fillColorRefFile?: string;
  fillColorRefId?: string;
  fillImage?: ImageRef;
}

export type StrokeState = Record<string, unknown>;
export type ShadowState = Record<string, unknown>;
export interface BlurState {
  id?: string;
  value: number;
  hidden: boolean;
}

export interface FlexState {
  dir: 'row' | 'row-reverse' | 'column' | 'column-reverse';
  wrap: 'wrap' | 'nowrap';
  alignItems: 'start' | 'end' | 'center' | 'stretch';
  alignContent: string;
  justifyItems: string;
  justifyContent: string;
  rowGap: number;
  columnGap: number;
  /** top, right, bottom, left (Penpot's p1..p4). */
  padding: [number, number, number, number];
}

export type ComponentRole = 'main' | 'copy' | null;

export interface ShapeState {
  id: string;
  type: ShapeType;
  name: string;
  parentId: string | null;
  /** Penpot's :shapes (index 0 = bottom of the stack). */
  children: string[];
  /** Own geometry. Groups keep only their rotation here; their box is derived from children. */
  g: Geom;
  content?: PathSeg[];
  text?: string;
  fills: FillState[];
  strokes: StrokeState[];
  shadows: ShadowState[];
  blur: BlurState | null;
  opacity: number;
  blendMode: string;
  hidden: boolean;
  blocked: boolean;
  proportionLock: boolean;
  proportion: number;
  constraintsH: string | null;
  constraintsV: string | null;
  fixedScroll: boolean;
  radius: [number, number, number, number];
  clipContent: boolean;
  showInViewMode: boolean;
  flex: FlexState | null;
  layoutAbsolute: boolean;
  layoutZIndex: number;
  masked: boolean;
  pluginData: Record<string, string>;
  sharedPluginData: Record<string, Record<string, string>>;
  component: ComponentRole;
  componentRoot: boolean;
  exports: Array<{ type: string; scale: number; suffix: string }>;
}

/** The whole file as it was (undo entries restore it). */
export interface FileSnapshot {
  pages: Array<{ id: string; name: string; shapes: Map<string, ShapeState> }>;
  selection: string[];
}
export type DocSnapshot = FileSnapshot;

function baseShape(id: string, type: ShapeType, name: string): ShapeState {
  return {
    id,
    type,
    name,
    parentId: ROOT_ID,
    children: [],
    g: geomFromBox(0, 0, 100, 100),
    fills: [],
    strokes: [],
    shadows: [],
    blur: null,
    opacity: 1,
    blendMode: 'normal',
    hidden: false,
    blocked: false,
    proportionLock: false,
    proportion: 1,
    constraintsH: null,
    constraintsV: null,
    fixedScroll: false,
    radius: [0, 0, 0, 0],
    clipContent: false,
    showInViewMode: true,
    flex: null,
    layoutAbsolute: false,
    layoutZIndex: 0,
    masked: false,
    pluginData: {},
    sharedPluginData: {},
    component: null,
    componentRoot: false,
    exports: [],
  };
}

const DEFAULT_NAMES: Record<ShapeType, string> = {
  board: 'Board',
  group: 'Group',
  rectangle: 'Rectangle',
  ellipse: 'Ellipse',
  path: 'Path',
  text: 'Text',
};

/**
 * The file: its pages (in file order), the active page, the workspace selection, media, ids
 * (Penpot's file data, `:current-page-id` and `:workspace-local :selected`).
 */
export class FakeFile {
  readonly id: string;
  name = 'Cutout test file';
  revn = 0;
  readonly media: MediaStore;
  /** Things Penpot silently ignores or would do differently, noted for tests. */
  readonly warnings: string[] = [];
  readonly pages: FakeDoc[] = [];
  /** The active page (`:current-page-id`). */
  currentPageId: string;
  /** The workspace selection: ids, on the active page (Penpot keeps whatever ids it is given). */
  selection: string[] = [];
  /** Called whenever the selection changes (the fake fires selectionchange from it). */
  onSelectionChange: () => void = () => {};
  /** Called whenever the active page changes (the fake fires pagechange from it). */
  onPageChange: () => void = () => {};
  private seq = 1;

  constructor(maxUploadBytes: number) {
    this.id = this.newId();
    const first = new FakeDoc(this, this.newId(), 'Page 1');
    this.media = new MediaStore(() => this.newId(), maxUploadBytes);
    this.pages.push(first);
    this.currentPageId = first.pageId;
  }

  /** Deterministic UUID-shaped ids (Penpot ids are UUID strings), unique in the file. */
  newId(): string {
    const n = (this.seq++).toString(16).padStart(12, '0');
    return `0fa4e000-0000-4000-8000-${n}`;
  }

  hasPage(id: string): boolean {
    return this.pages.some((p) => p.pageId === id);
  }

  page(id: string): FakeDoc {
    const p = this.pages.find((x) => x.pageId === id);
    if (!p) throw new Error(`fake: page ${id} does not exist in this file`);
    return p;
  }

  /** The active page. */
  get current(): FakeDoc {
    return this.page(this.currentPageId);
  }

  /** The page holding shape `id` (not the root, which every page has), or null. */
  pageOf(id: string): FakeDoc | null {
    if (id === ROOT_ID) return null;
    return this.pages.find((p) => p.shapes.has(id)) ?? null;
  }

  /** pcb/add-empty-page named by cfh/generate-unique-name "Page" (immediate suffix): "Page 1", "Page 2", … */
  addPage(name?: string): FakeDoc {
    let n = name;
    if (n === undefined) {
      const used = new Set(this.pages.map((p) => p.pageName));
      for (let i = 1; n === undefined; i++) if (!used.has(`Page ${i}`)) n = `Page ${i}`;
    }
    const p = new FakeDoc(this, this.newId(), n);
    this.pages.push(p);
    return p;
  }

  /**
   * Makes `id` the active page, as Penpot's navigation does (finalize-page, then
   * initialize-page*): the selection is cleared; selectionchange and pagechange fire.
   */
  switchPage(id: string): void {
    this.page(id);
    if (id === this.currentPageId) return;
    this.selection = [];
    this.onSelectionChange();
    this.currentPageId = id;
    this.onPageChange();
  }

  setSelection(ids: string[]): void {
    this.selection = [...new Set(ids)];
    this.onSelectionChange();
  }

  dropFromSelection(ids: string[]): void {
    const before = this.selection.length;
    this.selection = this.selection.filter((id) => !ids.includes(id));
    if (this.selection.length !== before) this.onSelectionChange();
  }

  /** Re-lays out the flex boards of every page. */
  relayout(): void {
    for (const p of this.pages) p.relayout();
  }

  // ---- snapshots (undo)

  snapshot(): FileSnapshot {
    return structuredClone({ pages: this.pages.map((p) => ({ id: p.pageId, name: p.pageName, shapes: p.shapes })), selection: this.selection });
  }

  /**
   * Puts every page back as it was (pages created since are dropped). The active page stays
   * unless it is gone (then the first page opens: undo.cljs assure-valid-current-page); the
   * selection becomes the snapshot's (undo.cljs restore-selection sets `:selected` to the
   * entry's selected-before, whichever page is active).
   */
  restore(snap: FileSnapshot): void {
    const copy = structuredClone(snap);
    const pages = copy.pages.map((sp) => {
      const p = this.pages.find((x) => x.pageId === sp.id) ?? new FakeDoc(this, sp.id, sp.name);
      p.shapes = sp.shapes;
      p.pageName = sp.name;
      return p;
    });
    this.pages.splice(0, this.pages.length, ...pages);
    const selChanged = JSON.stringify(copy.selection) !== JSON.stringify(this.selection);
    this.selection = copy.selection;
    if (selChanged) this.onSelectionChange();
    if (!this.hasPage(this.currentPageId)) {
      this.currentPageId = this.pages[0].pageId;
      this.onPageChange();
    }
  }
}

/** One page: its shapes (`:objects`) and the tree rules. File-level state is the file's. */
export class FakeDoc {
  shapes = new Map<string, ShapeState>();
  pageName: string;

  constructor(
    readonly file: FakeFile,
    readonly pageId: string,
    name: string,
  ) {
    this.pageName = name;
    const root = baseShape(ROOT_ID, 'board', 'Root Frame');
    root.parentId = null;
    root.g = geomFromBox(0, 0, 0.01, 0.01);
    this.shapes.set(ROOT_ID, root);
  }

  get fileId(): string {
    return this.file.id;
  }
  get fileName(): string {
    return this.file.name;
  }
  set fileName(v: string) {
    this.file.name = v;
  }
  get revn(): number {
    return this.file.revn;
  }
  set revn(v: number) {
    this.file.revn = v;
  }
  get media(): MediaStore {
    return this.file.media;
  }
  get warnings(): string[] {
    return this.file.warnings;
  }
  /** The workspace selection (file-wide: it belongs to the ACTIVE page, whichever page this is). */
  get selection(): string[] {
    return this.file.selection;
  }
  set selection(v: string[]) {
    this.file.selection = v;
  }
  /** Is this the active page? */
  get active(): boolean {
    return this.file.currentPageId === this.pageId;
  }

  newId(): string {
    return this.file.newId();
  }

  // ---- registry & tree

  get root(): ShapeState {
    return this.shapes.get(ROOT_ID)!;
  }

  has(id: string): boolean {
    return this.shapes.has(id);
  }

  get(id: string): ShapeState {
    const s = this.shapes.get(id);
    if (!s) {
      const other = this.file.pageOf(id);
      if (other) throw new Error(`fake: shape ${id} is on page "${other.pageName}", not on page "${this.pageName}" (a proxy of it bound to this page reads nothing in Penpot)`);
      throw new Error(`fake: shape ${id} does not exist (removed, or from another document)`);
    }
    return s;
  }

  parent(s: ShapeState): ShapeState | null {
    return s.parentId === null ? null : this.get(s.parentId);
  }

  kids(s: ShapeState): ShapeState[] {
    return s.children.map((id) => this.get(id));
  }

  /** Is `a` an ancestor of (or equal to) `b`? */
  isAncestorOrSelf(a: ShapeState, b: ShapeState): boolean {
    for (let p: ShapeState | null = b; p; p = this.parent(p)) if (p === a) return true;
    return false;
  }

  ancestors(s: ShapeState): ShapeState[] {
    const out: ShapeState[] = [];
    for (let p = this.parent(s); p; p = this.parent(p)) out.push(p);
    return out;
  }

  /** Nearest board above `s` (Penpot's :frame-id); the root for top-level shapes. */
  frameOf(s: ShapeState): ShapeState {
    for (let p = this.parent(s); p; p = this.parent(p)) if (p.type === 'board') return p;
    return this.root;
  }

  descendants(s: ShapeState): ShapeState[] {
    const out: ShapeState[] = [];
    const walk = (x: ShapeState) => {
      for (const c of this.kids(x)) {
        out.push(c);
        walk(c);
      }
    };
    walk(s);
    return out;
  }

  /** All shapes in Penpot's global z order (bottom first), root excluded. */
  zOrder(): ShapeState[] {
    const out: ShapeState[] = [];
    const walk = (x: ShapeState) => {
      for (const c of this.kids(x)) {
        out.push(c);
        walk(c);
      }
    };
    walk(this.root);
    return out;
  }

  /** In a component copy (the copy root or anything inside it): Penpot's ctk/in-component-copy?. */
  inCopy(s: ShapeState): boolean {
    return s.component === 'copy';
  }

  /** Has an ancestor that is part of a copy: Penpot's ctn/has-any-copy-parent?. */
  hasCopyParent(s: ShapeState): boolean {
    return this.ancestors(s).some((a) => a.component === 'copy');
  }

  // ---- geometry

  geom(s: ShapeState): Geom {
    if (s.type !== 'group') return { ...s.g };
    const kids = this.kids(s);
    if (kids.length === 0) return { ...s.g };
    // update-mask-selrect: the mask's box, points and flips; the group keeps its rotation value.
    if (s.masked) return { ...this.geom(kids[0]), rotation: s.g.rotation };
    // update-group-selrect: the children's points in the group's own transform frame.
    const lin = linearOf(s.g);
    const back = inv(lin);
    const base = kids.flatMap((k) => this.points(k)).map(([x, y]) => ap(back, x, y));
    const r = aabb(base);
    const [cx, cy] = ap(lin, r.x + r.width / 2, r.y + r.height / 2);
    return { cx, cy, w: r.width, h: r.height, m: s.g.m, rotation: s.g.rotation, flipX: false, flipY: false };
  }

  points(s: ShapeState): Pt[] {
    return pointsOf(this.geom(s));
  }

  /** Axis-aligned bounds of the points (the plugin API's `bounds`, and x/y). */
  bounds(s: ShapeState): Rect {
    return aabb(this.points(s));
  }

  selrect(s: ShapeState): Rect {
    return selrectOf(this.geom(s));
  }

  // ---- creation

  create(type: ShapeType, init?: (s: ShapeState) => void): ShapeState {
    const s = baseShape(this.newId(), type, DEFAULT_NAMES[type]);
    // cts/setup-shape defaults (common/types/shape.cljc)
    if (type === 'rectangle' || type === 'ellipse') s.fills = [{ fillColor: '#b1b2b5', fillOpacity: 1 }];
    if (type === 'board') {
      s.fills = [{ fillColor: '#ffffff', fillOpacity: 1 }];
      s.clipContent = true;
    }
    if (type === 'path') {
      s.content = [
        { cmd: 'M', pts: [0, 0] },
        { cmd: 'L', pts: [100, 100] },
      ];
      s.strokes = [{ strokeStyle: 'solid', strokeAlignment: 'inner', strokeWidth: 1, strokeColor: '#000000', strokeOpacity: 1 }];
    }
    this.shapes.set(s.id, s);
    this.root.children.push(s.id);
    init?.(s);
    return s;
  }

  // ---- structure

  /**
   * Penpot's relocate-shapes → generate-relocate → :mov-objects: inserts `ids` (in z order) at
   * `index` of parent's :shapes with d/insert-at-index semantics (split the old vector at
   * `index`, drop the moved ids from both halves, put them in between). Absolute positions do
   * not change. Groups left empty are deleted; a masked group that loses its mask is unmasked.
   * Moves into the shape itself or one of its descendants are silently dropped, as in Penpot.
   */
  relocate(ids: string[], parentId: string, index: number | null): void {
    const parent = this.get(parentId);
    const order = this.zOrder();
    const shapes = ids
      .map((id) => this.get(id))
      .filter((s) => {
        if (this.isAncestorOrSelf(s, parent)) {
          this.warnings.push(`relocate: moving ${s.id} into itself or its descendant ${parentId} was ignored (as Penpot does)`);
          return false;
        }
        return true;
      })
      .sort((a, b) => order.indexOf(a) - order.indexOf(b));
    if (shapes.length === 0) return;
    const moved = new Set(shapes.map((s) => s.id));
    const oldParents = new Set(shapes.map((s) => s.parentId!));
    // groups-to-unmask: a masked group losing its mask (first child) to another parent
    for (const s of shapes) {
      const p = this.parent(s)!;
      if (p.masked && p.children[0] === s.id && p.id !== parentId) p.masked = false;
    }
    for (const pid of oldParents) {
      if (pid === parentId) continue;
      const p = this.get(pid);
      p.children = p.children.filter((c) => !moved.has(c));
    }
    parent.children = insertAt(parent.children, index, [...moved]);
    for (const s of shapes) s.parentId = parentId;
    for (const pid of oldParents) if (pid !== parentId) this.deleteIfEmptyGroup(pid, parentId);
  }

  private deleteIfEmptyGroup(id: string, keep: string): void {
    const g = this.shapes.get(id);
    if (!g || g.type !== 'group' || g.id === keep || g.children.length > 0) return;
    const p = this.parent(g)!;
    p.children = p.children.filter((c) => c !== id);
    this.shapes.delete(id);
    this.dropFromSelection([id]);
    this.deleteIfEmptyGroup(p.id, keep);
  }

  /** delete-shapes: the shapes and their subtrees; empty groups above go too. */
  remove(ids: string[]): void {
    const gone: string[] = [];
    const parents = new Set<string>();
    for (const id of ids) {
      const s = this.shapes.get(id);
      if (!s || s.id === ROOT_ID) continue;
      const p = this.parent(s)!;
      if (p.masked && p.children[0] === s.id) p.masked = false;
      p.children = p.children.filter((c) => c !== id);
      parents.add(p.id);
      for (const d of [s, ...this.descendants(s)]) {
        this.shapes.delete(d.id);
        gone.push(d.id);
      }
    }
    this.dropFromSelection(gone);
    for (const pid of parents) this.deleteIfEmptyGroup(pid, ROOT_ID);
  }

  private dropFromSelection(ids: string[]): void {
    this.file.dropFromSelection(ids);
  }

  setSelection(ids: string[]): void {
    this.file.setSelection(ids);
  }

  /** change-parent of one shape inside its own parent to `index` (insert-at-index). */
  moveInParent(id: string, index: number): void {
    const s = this.get(id);
    const p = this.parent(s)!;
    p.children = insertAt(p.children, index, [id]);
  }

  /**
   * prepare-create-group (workspace/groups.cljs): shapes ordered top-first; the group goes into
   * the parent of the top-most one, at (index of the bottom-most in its parent) + 1; children
   * keep their z order; their constraints become scale; emptied groups are deleted.
   */
  group(ids: string[], name = 'Group'): ShapeState | null {
    const order = this.zOrder();
    const set = new Set(ids);
    const shapes = ids
      .map((id) => this.get(id))
      .filter((s) => !this.ancestors(s).some((a) => set.has(a.id)))
      .filter((s, i, a) => a.indexOf(s) === i)
      .sort((a, b) => order.indexOf(b) - order.indexOf(a));
    if (shapes.length === 0) return null;
    const top = shapes[0];
    const bottom = shapes[shapes.length - 1];
    const parent = this.parent(top)!;
    const groupIdx = this.parent(bottom)!.children.indexOf(bottom.id) + 1;
    const g = baseShape(this.newId(), 'group', name);
    g.parentId = parent.id;
    this.shapes.set(g.id, g);
    parent.children = insertAt(parent.children, groupIdx, [g.id]);
    for (const s of shapes) {
      s.constraintsH = 'scale';
      s.constraintsV = 'scale';
      s.layoutAbsolute = false;
      s.layoutZIndex = 0;
    }
    this.relocate(
      [...shapes].reverse().map((s) => s.id),
      g.id,
      null,
    );
    return g;
  }

  /** remove-group-changes / remove-frame-changes: children go to the parent right above it. */
  ungroup(id: string): void {
    const s = this.get(id);
    const p = this.parent(s)!;
    const idx = p.children.indexOf(id) + 1;
    const kids = [...s.children];
    if (s.flex) {
      for (const k of this.kids(s)) {
        k.layoutAbsolute = false;
        k.layoutZIndex = 0;
      }
    }
    p.children = insertAt(p.children, idx, kids);
    s.children = [];
    for (const k of kids) this.get(k).parentId = p.id;
    p.children = p.children.filter((c) => c !== id);
    this.shapes.delete(id);
    this.dropFromSelection([id]);
  }

  /** duplicate-shapes: a deep copy with new ids, right above the original. */
  clone(id: string): ShapeState {
    const src = this.get(id);
    const copy = (s: ShapeState, parentId: string): ShapeState => {
      const c: ShapeState = structuredClone(s);
      c.id = this.newId();
      c.parentId = parentId;
      this.shapes.set(c.id, c);
      c.children = s.children.map((k) => copy(this.get(k), c.id).id);
      return c;
    };
    const c = copy(src, src.parentId!);
    const p = this.parent(src)!;
    p.children = insertAt(p.children, p.children.indexOf(src.id) + 1, [c.id]);
    return c;
  }

  // ---- transforms

  /**
   * Applies the page-space matrix `m` to `s` and its whole subtree (moves, rotations, flips,
   * uniform scales): Penpot's modifiers propagate to children. `rotDelta` is the rotation
   * bookkeeping of a rotation modifier. All new geometries are computed before any is stored.
   */
  transform(s: ShapeState, m: Mat, rotDelta = 0, subtree = true): void {
    const plan: Array<() => void> = [];
    const visit = (x: ShapeState) => {
      if (x.type === 'group') {
        const ng = transformGeom(this.geom(x), m, rotDelta);
        // update-group-selrect afterwards resets a group's flips
        plan.push(() => (x.g = { ...ng, flipX: false, flipY: false }));
      } else {
        const ng = transformGeom(x.g, m, rotDelta);
        plan.push(() => {
          x.g = ng;
          if (x.content) x.content = transformPath(x.content, (px, py) => ap(m, px, py));
        });
      }
      if (subtree || x.type === 'group') for (const k of this.kids(x)) visit(k);
    };
    visit(s);
    for (const f of plan) f();
  }

  moveBy(s: ShapeState, dx: number, dy: number): void {
    if (dx === 0 && dy === 0) return;
    this.transform(s, translation(dx, dy));
  }

  /**
   * update-dimensions (width, then height, as the plugin's resize emits them), each a resize
   * modifier about the shape's first point along its own axes. Proportion lock: each step
   * derives the other side from :proportion (1 for plugin-created shapes; w/h for shapes set up
   * with image fills). Groups scale their children; boards apply constraints (the fake
   * emulates left/top — children stay — and scale).
   */
  resize(s: ShapeState, width: number, height: number): void {
    const step = (attr: 'w' | 'h', value: number) => {
      value = Math.abs(value) < 0.01 ? 0.01 : value;
      const g = this.geom(s);
      const sw = Math.max(g.w, 0.01);
      const sh = Math.max(g.h, 0.01);
      const w = attr === 'w' ? value : s.proportionLock ? value * s.proportion : sw;
      const h = attr === 'h' ? value : s.proportionLock ? value / s.proportion : sh;
      const [ox, oy] = pointsOf(g)[0];
      const lin = linearOf(g);
      const m = mul(translation(ox, oy), mul(lin, mul([[w / sw, 0, 0], [0, h / sh, 0]], mul(inv(lin), translation(-ox, -oy)))));
      if (s.type === 'group') {
        this.transform(s, m, 0, true);
        return;
      }
      const kids = s.type === 'board' ? this.kids(s) : [];
      for (const k of kids) {
        const ch = k.constraintsH ?? 'left';
        const cv = k.constraintsV ?? 'top';
        const ok = (ch === 'left' || ch === 'scale') && (cv === 'top' || cv === 'scale') && (ch === 'scale') === (cv === 'scale');
        if (!ok) throw new Error(`fake: resizing a board whose child has constraints ${ch}/${cv} is not emulated`);
      }
      this.transform(s, m, 0, false);
      for (const k of kids) if (k.constraintsH === 'scale') this.transform(k, m, 0, true);
    };
    step('w', width);
    step('h', height);
  }

  /** Sets the path content (absolute coordinates); the box becomes its bounds, unrotated. */
  setContent(s: ShapeState, content: PathSeg[]): void {
    const b = segBounds(toSegs(content)) ?? { x0: 0, y0: 0, x1: 0, y1: 0 };
    s.content = content;
    s.g = geomFromBox(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
  }

  // ---- layout

  /** Re-lays out every flex board (deepest first), as Penpot's layout modifiers do after changes. */
  relayout(): void {
    const visit = (s: ShapeState) => {
      for (const k of this.kids(s)) visit(k);
      if (s.type === 'board' && s.flex) this.layoutFlex(s);
    };
    visit(this.root);
  }

  /**
   * A subset of Penpot's flex layout (common/geom/shapes/flex_layout): one line (nowrap),
   * fixed-size children placed by their bounds, gaps, paddings, justify-content
   * start/center/end/space-between, align-items start/center/end (stretch is treated as start:
   * it only changes "fill"-sized children). Visual order = reverse :shapes for row/column,
   * :shapes order from the far edge for the -reverse directions. Absolute and hidden children
   * are left where they are.
   */
  private layoutFlex(b: ShapeState): void {
    const f = b.flex!;
    const [ma, mb, mc, md] = b.g.m;
    if (Math.abs(ma - 1) > 1e-9 || Math.abs(mb) > 1e-9 || Math.abs(mc) > 1e-9 || Math.abs(md - 1) > 1e-9) {
      throw new Error('fake: flex layout inside a rotated or flipped board is not emulated');
    }
    const items = this.kids(b).filter((k) => !k.layoutAbsolute && !k.hidden);
    if (items.length === 0) return;
    const row = f.dir === 'row' || f.dir === 'row-reverse';
    const reverse = f.dir.endsWith('reverse');
    const flow = reverse ? items : [...items].reverse();
    const box = selrectOf(b.g);
    const [pt, pr, pb, pl] = f.padding;
    const innerX = box.x + pl;
    const innerY = box.y + pt;
    const innerW = box.width - pl - pr;
    const innerH = box.height - pt - pb;
    const mainLen = row ? innerW : innerH;
    const crossLen = row ? innerH : innerW;
    const sizes = flow.map((k) => this.bounds(k));
    const mainOf = (r: Rect) => (row ? r.width : r.height);
    const crossOf = (r: Rect) => (row ? r.height : r.width);
    let gap = row ? f.columnGap : f.rowGap;
    const total = sizes.reduce((a, r) => a + mainOf(r), 0) + gap * (flow.length - 1);
    const free = mainLen - total;
    let start = 0;
    switch (f.justifyContent) {
      case 'start':
        break;
      case 'center':
        start = free / 2;
        break;
      case 'end':
        start = free;
        break;
      case 'space-between':
        if (flow.length > 1 && free > 0) gap += free / (flow.length - 1);
        break;
      default:
        throw new Error(`fake: flex justifyContent "${f.justifyContent}" is not emulated`);
    }
    let pos = start;
    flow.forEach((k, i) => {
      const r = sizes[i];
      const main = mainOf(r);
      let along = pos;
      if (reverse) along = mainLen - pos - main;
      pos += main + gap;
      const spare = crossLen - crossOf(r);
      const across = f.alignItems === 'center' ? spare / 2 : f.alignItems === 'end' ? spare : 0;
      const tx = row ? innerX + along : innerX + across;
      const ty = row ? innerY + across : innerY + along;
      this.moveBy(k, tx - r.x, ty - r.y);
    });
  }
}

/** Penpot's d/insert-at-index (index null: append at the end). */
export function insertAt(list: readonly string[], index: number | null, items: readonly string[]): string[] {
  const set = new Set(items);
  if (index === null) return [...list.filter((x) => !set.has(x)), ...items];
  const i = Math.max(0, Math.min(list.length, Math.trunc(index)));
  const before = list.slice(0, i).filter((x) => !set.has(x));
  const after = list.slice(i).filter((x) => !set.has(x));
  return [...before, ...items, ...after];
}

export type { Geom, Rect, Pt };
