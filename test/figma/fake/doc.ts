/**
 * The fake's document: node registry, tree operations with Figma's rules, geometry through
 * containers and groups, auto-layout, undo snapshots, fault injection.
 */
import { encodePng } from '../../../core/image/png.js';
import { I, type Mat, ap, boxBounds, copyMat, inv, linear, mul, withTranslation } from './affine.js';
import { ImageStore } from './images.js';
import {
  FDocument,
  FEllipse,
  FFrame,
  FGroup,
  FNode,
  FPage,
  FRectangle,
  FScene,
  FText,
  FVector,
  type FakeType,
  type NodeState,
  defaultState,
  hasChildren,
  isFrameLike,
} from './nodes.js';
import { renderToRgba } from './render.js';

export interface FakeOptions {
  /** "dynamic-page" (default, as our manifest declares) or "full". */
  documentAccess: 'dynamic-page' | 'full';
  /** Commands setRelaunchData accepts (the manifest's relaunchButtons). */
  relaunchCommands: string[];
  /** clientStorage quota in bytes (Figma: 5 MB). */
  storageQuota: number;
  /** Refuse exports above this many pixels (keeps tests fast; Figma has its own limits). */
  maxExportPixels: number;
}

export type FaultOp =
  | 'createImage'
  | 'createRectangle'
  | 'createVector'
  | 'group'
  | 'insertChild'
  | 'fills'
  | 'vectorPaths'
  | 'resize'
  | 'exportAsync'
  | 'clone';

export interface Rect4 {
  x: number;
  y: number;
  width: number;
  height: number;
}

type Snapshot = Map<string, NodeState>;

export class FakeDoc {
  readonly nodes = new Map<string, FNode>();
  readonly images = new ImageStore();
  readonly root: FDocument;
  currentPage: FPage;
  allPagesLoaded: boolean;
  private seq = 1;
  private pageSeq = 1;
  private readonly faults = new Map<FaultOp, string>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Undo history: snapshots of committed states (index 0 = the baseline). */
  readonly history: Snapshot[] = [];
  commitCount = 0;
  mutations = 0;

  constructor(readonly options: FakeOptions) {
    this.root = new FDocument(this, defaultState('0:0', 'DOCUMENT', 'Document'));
    this.nodes.set('0:0', this.root);
    this.allPagesLoaded = options.documentAccess === 'full';
    this.currentPage = this.addPage('Page 1');
    this.currentPage.s.loaded = true;
  }

  // ---- registry

  node(id: string): FNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`fake: unknown node id ${id}`);
    return n;
  }

  addPage(name: string): FPage {
    const id = `0:${this.pageSeq++}`;
    const s = defaultState(id, 'PAGE', name);
    s.loaded = this.options.documentAccess === 'full';
    s.parent = this.root.id;
    const page = new FPage(this, s);
    this.nodes.set(id, page);
    this.root.s.children.push(id);
    return page;
  }

  create(type: FakeType, name: string): FScene {
    const id = `${this.pageSeq}:${this.seq++}`;
    const s = defaultState(id, type, name);
    const node = this.wrap(s) as FScene;
    this.nodes.set(id, node);
    this.insertRaw(this.currentPage, this.currentPage.s.children.length, node);
    return node;
  }

  private wrap(s: NodeState): FNode {
    switch (s.type) {
      case 'DOCUMENT':
        return new FDocument(this, s);
      case 'PAGE':
        return new FPage(this, s);
      case 'FRAME':
      case 'COMPONENT':
      case 'INSTANCE':
        return new FFrame(this, s);
      case 'GROUP':
        return new FGroup(this, s);
      case 'RECTANGLE':
        return new FRectangle(this, s);
      case 'ELLIPSE':
        return new FEllipse(this, s);
      case 'VECTOR':
        return new FVector(this, s);
      case 'TEXT':
        return new FText(this, s);
    }
  }

  pageOf(n: FNode): FPage | null {
    let c: FNode | null = n;
    while (c && c.type !== 'PAGE') c = c.s.parent === null ? null : this.node(c.s.parent);
    return c as FPage | null;
  }

  /** True when `n` is an instance's descendant (not the instance itself). */
  insideInstance(n: FNode): boolean {
    let p = n.s.parent === null ? null : this.node(n.s.parent);
    while (p) {
      if (p.type === 'INSTANCE') return true;
      p = p.s.parent === null ? null : this.node(p.s.parent);
    }
    return false;
  }

  isAncestor(a: FNode, b: FNode): boolean {
    let p: FNode | null = b;
    while (p) {
      if (p === a) return true;
      p = p.s.parent === null ? null : this.node(p.s.parent);
    }
    return false;
  }

  // ---- faults & events

  injectFault(op: FaultOp, message = 'injected fault'): void {
    this.faults.set(op, message);
  }

  fault(op: FaultOp): boolean {
    if (!this.faults.has(op)) return false;
    this.faults.delete(op);
    return true;
  }

  on(event: string, cb: () => void): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(cb);
  }

  off(event: string, cb: () => void): void {
    this.listeners.get(event)?.delete(cb);
  }

  emitLater(event: string): void {
    setTimeout(() => {
      for (const cb of [...(this.listeners.get(event) ?? [])]) cb();
    }, 0);
  }

  mutate(): void {
    this.mutations++;
  }

  // ---- geometry

  /** The node relativeTransform is expressed against (page, frame, component, instance). */
  containerOf(parent: FNode | null): FNode | null {
    let p = parent;
    while (p && p.type === 'GROUP') p = p.s.parent === null ? null : this.node(p.s.parent);
    return p;
  }

  containerAbs(parent: FNode | null): Mat {
    const c = this.containerOf(parent);
    if (!c || c.type === 'PAGE' || c.type === 'DOCUMENT') return I;
    return this.absTransform(c);
  }

  absTransform(n: FNode): Mat {
    return mul(this.containerAbs(n.s.parent === null ? null : this.node(n.s.parent)), this.relTransform(n));
  }

  relTransform(n: FNode): Mat {
    if (n.s.removed) throw new Error(`The node with id "${n.s.id}" does not exist`);
    if (n.type === 'GROUP') return this.groupGeom(n).t;
    return n.s.transform;
  }

  size(n: FNode): { width: number; height: number } {
    if (n.s.removed) throw new Error(`The node with id "${n.s.id}" does not exist`);
    if (n.type === 'GROUP') {
      const g = this.groupGeom(n);
      return { width: g.w, height: g.h };
    }
    return { width: n.s.width, height: n.s.height };
  }

  /** Corners of a node's box in its container's space. */
  private cornersInContainer(n: FNode): [number, number][] {
    const t = this.relTransform(n);
    const { width: w, height: h } = this.size(n);
    return [ap(t, 0, 0), ap(t, w, 0), ap(t, w, h), ap(t, 0, h)];
  }

  private groupGeom(g: FNode): { t: Mat; w: number; h: number } {
    const R = linear(g.s.transform);
    const Ri = inv(R);
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const id of g.s.children) {
      const c = this.node(id);
      for (const p of this.cornersInContainer(c)) {
        const q = ap(Ri, p[0], p[1]);
        x0 = Math.min(x0, q[0]);
        y0 = Math.min(y0, q[1]);
        x1 = Math.max(x1, q[0]);
        y1 = Math.max(y1, q[1]);
      }
    }
    if (!Number.isFinite(x0)) return { t: copyMat(I), w: 0, h: 0 };
    const o = ap(R, x0, y0);
    return { t: withTranslation(R, o[0], o[1]), w: x1 - x0, h: y1 - y0 };
  }

  /** Moves a node (and a group's descendants) by `delta`, a container-space transform. */
  private applyDelta(n: FNode, delta: Mat): void {
    if (n.type === 'GROUP') {
      for (const id of n.s.children) this.applyDelta(this.node(id), delta);
      n.s.transform = mul(linear(delta), linear(n.s.transform));
    } else {
      n.s.transform = mul(delta, n.s.transform);
    }
  }

  setRelTransform(n: FNode, m: Mat): void {
    const p = n.s.parent === null ? null : this.node(n.s.parent);
    if (p && isFrameLike(p.type) && p.s.layoutMode !== 'NONE' && n.s.layoutPositioning === 'AUTO') {
      // Auto-layout children: translation is computed by the layout; rotation is kept.
      const cur = this.relTransform(n);
      m = withTranslation(m, cur[0][2], cur[1][2]);
    }
    if (n.type === 'GROUP') {
      const old = this.relTransform(n);
      this.applyDelta(n, mul(m, inv(old)));
      n.s.transform = linear(m);
    } else {
      n.s.transform = copyMat(m);
    }
    this.touch(n);
  }

  // ---- auto-layout

  private layingOut = new Set<string>();

  /** Something about `n`'s box changed: re-run the layout of the auto-layout frame it sits in. */
  touch(n: FNode): void {
    let c: FNode = n;
    for (;;) {
      const p = c.s.parent === null ? null : this.node(c.s.parent);
      if (!p) return;
      if (isFrameLike(p.type) && p.s.layoutMode !== 'NONE') {
        this.relayout(p);
        return;
      }
      if (p.type !== 'GROUP') return;
      c = p;
    }
  }

  relayout(frame: FNode): void {
    const s = frame.s;
    if (s.layoutMode === 'NONE' || this.layingOut.has(s.id)) return;
    this.layingOut.add(s.id);
    try {
      const horizontal = s.layoutMode === 'HORIZONTAL';
      let cursor = horizontal ? s.paddingLeft : s.paddingTop;
      for (const id of s.children) {
        const c = this.node(id);
        if (c.s.removed || !c.s.visible || c.s.layoutPositioning !== 'AUTO') continue;
        const { width: w, height: h } = this.size(c);
        const b = boxBounds(this.relTransform(c), w, h);
        const tx = horizontal ? cursor : s.paddingLeft;
        const ty = horizontal ? s.paddingTop : cursor;
        const dx = tx - b.x0;
        const dy = ty - b.y0;
        if (dx !== 0 || dy !== 0) this.applyDelta(c, [
          [1, 0, dx],
          [0, 1, dy],
        ]);
        cursor += (horizontal ? b.x1 - b.x0 : b.y1 - b.y0) + s.itemSpacing;
      }
    } finally {
      this.layingOut.delete(s.id);
    }
    this.touch(frame);
  }

  // ---- tree operations

  private insertRaw(parent: FNode, index: number, child: FNode): void {
    const list = parent.s.children;
    const i = Math.max(0, Math.min(list.length, Math.trunc(index)));
    list.splice(i, 0, child.id);
    child.s.parent = parent.id;
  }

  private detach(child: FNode): FNode | null {
    const pid = child.s.parent;
    if (pid === null) return null;
    const p = this.node(pid);
    const i = p.s.children.indexOf(child.id);
    if (i >= 0) p.s.children.splice(i, 1);
    child.s.parent = null;
    return p;
  }

  /** Figma deletes groups that lose their last child. */
  private pruneEmptyGroup(p: FNode | null): void {
    if (p && p.type === 'GROUP' && p.s.children.length === 0 && !p.s.removed) {
      const gp = this.detach(p);
      p.s.removed = true;
      this.pruneEmptyGroup(gp);
      if (gp) this.touch(gp);
    }
  }

  insertChild(parent: FNode, index: number, child: FNode): void {
    if (parent.s.removed) throw new Error(`The node with id "${parent.id}" does not exist`);
    if (!(child instanceof FScene) || child.s.removed) throw new Error('in insertChild: Expected a scene node that exists');
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > parent.s.children.length) {
      throw new Error(`in insertChild: Expected index to be an integer in [0, ${parent.s.children.length}], got ${String(index)}`);
    }
    if (this.fault('insertChild')) throw new Error('in insertChild: injected fault');
    if (parent.type === 'INSTANCE' || this.insideInstance(parent)) {
      throw new Error('in insertChild: Cannot move node. New parent is an instance or is inside of an instance');
    }
    if (this.insideInstance(child)) throw new Error('in insertChild: Cannot move node. Node is inside of an instance');
    if (this.isAncestor(child, parent)) throw new Error('in insertChild: Cannot move node. A node cannot be its own ancestor');
    if (parent.type === 'DOCUMENT') throw new Error('in insertChild: Only pages can be children of the document');
    this.mutate();
    const old = child.s.parent === null ? null : this.node(child.s.parent);
    let i = index;
    if (old === parent) {
      const at = parent.s.children.indexOf(child.id);
      if (at < i) i--;
    }
    this.detach(child);
    if (old !== parent) child.s.layoutPositioning = 'AUTO';
    this.insertRaw(parent, i, child);
    if (old && old !== parent) {
      this.pruneEmptyGroup(old);
      if (!old.s.removed) {
        if (isFrameLike(old.type)) this.relayout(old);
        else if (old.type === 'GROUP') this.touch(old);
      }
    }
    if (isFrameLike(parent.type)) this.relayout(parent);
    this.touch(child);
  }

  removeNode(n: FNode): void {
    if (n.type === 'DOCUMENT') throw new Error('Cannot remove the document');
    if (n.type === 'PAGE' && this.root.s.children.length <= 1) throw new Error('Cannot remove the last page');
    if (this.insideInstance(n)) throw new Error('in remove: Cannot remove a node inside of an instance');
    this.mutate();
    const p = this.detach(n);
    const mark = (x: FNode) => {
      x.s.removed = true;
      for (const id of x.s.children) mark(this.node(id));
    };
    mark(n);
    this.pruneEmptyGroup(p);
    if (p && !p.s.removed) {
      if (isFrameLike(p.type)) this.relayout(p);
      else if (p.type === 'GROUP') this.touch(p);
    }
    if (n === this.currentPage) this.currentPage = this.node(this.root.s.children[0]) as FPage;
  }

  cloneNode(n: FNode): FScene {
    this.mutate();
    const copy = (src: FNode): FNode => {
      const s = structuredClone(src.s);
      s.id = `${this.pageSeq}:${this.seq++}`;
      s.parent = null;
      s.children = [];
      const node = this.wrap(s);
      this.nodes.set(s.id, node);
      for (const id of src.s.children) {
        const c = copy(this.node(id));
        this.insertRaw(node, node.s.children.length, c);
      }
      return node;
    };
    const c = copy(n) as FScene;
    // Figma: "By default, the duplicate will be parented under figma.currentPage".
    c.s.layoutPositioning = 'AUTO';
    this.insertRaw(this.currentPage, this.currentPage.s.children.length, c);
    return c;
  }

  instantiate(component: FFrame): FFrame {
    const inst = this.cloneNode(component) as FFrame;
    inst.s.type = 'INSTANCE';
    inst.s.mainComponent = component.id;
    inst.s.name = component.s.name;
    return inst;
  }

  group(nodes: readonly FNode[], parent: FNode, index?: number): FGroup {
    if (this.fault('group')) throw new Error('in group: injected fault');
    if (!Array.isArray(nodes) || nodes.length === 0) {
      throw new Error('in group: First argument must be an array of at least one node');
    }
    if (!parent || parent.s.removed || !hasChildren(parent.type) || parent.type === 'DOCUMENT') {
      throw new Error('in group: Second argument must be a node that can have children');
    }
    if (parent.type === 'INSTANCE' || this.insideInstance(parent)) {
      throw new Error('in group: Cannot move node. New parent is an instance or is inside of an instance');
    }
    for (const n of nodes) {
      if (!(n instanceof FScene) || n.s.removed) throw new Error('in group: Expected an array of existing scene nodes');
      if (this.insideInstance(n)) throw new Error('in group: Cannot move node. Node is inside of an instance');
      if (this.isAncestor(n, parent)) throw new Error('in group: Cannot move node. A node cannot be its own ancestor');
    }
    this.mutate();
    const id = `${this.pageSeq}:${this.seq++}`;
    const g = new FGroup(this, defaultState(id, 'GROUP', 'Group'));
    this.nodes.set(id, g);
    const i = index === undefined ? parent.s.children.length : index;
    if (!Number.isInteger(i) || i < 0 || i > parent.s.children.length) {
      throw new Error(`in group: index ${String(index)} is out of range`);
    }
    this.insertRaw(parent, i, g);
    // The editor keeps the layers' stacking order (as ⌘G does).
    const ordered = [...nodes].sort((a, b) => this.documentOrder(a) - this.documentOrder(b));
    const newContainer = this.containerOf(parent);
    for (const n of ordered) {
      const abs = this.absTransform(n);
      const oldParent = n.s.parent === null ? null : this.node(n.s.parent);
      const sameContainer = this.containerOf(oldParent) === newContainer;
      this.detach(n);
      n.s.layoutPositioning = 'AUTO';
      this.insertRaw(g, g.s.children.length, n);
      if (!sameContainer) {
        const want = mul(inv(this.containerAbs(parent)), abs);
        this.applyDelta(n, mul(want, inv(this.relTransform(n))));
      }
      this.pruneEmptyGroup(oldParent);
      if (oldParent && !oldParent.s.removed && isFrameLike(oldParent.type)) this.relayout(oldParent);
    }
    if (isFrameLike(parent.type)) this.relayout(parent);
    this.touch(g);
    return g;
  }

  private documentOrder(n: FNode): number {
    // Position in a depth-first walk of the whole document (stacking order, bottom first).
    let i = 0;
    let found = -1;
    const walk = (x: FNode) => {
      if (found >= 0) return;
      if (x === n) {
        found = i;
        return;
      }
      i++;
      for (const id of x.s.children) walk(this.node(id));
    };
    walk(this.root);
    return found;
  }

  // ---- rendering

  renderBounds(n: FNode): Rect4 {
    const abs = this.absTransform(n);
    const { width: w, height: h } = this.size(n);
    let b = boxBounds(abs, w, h);
    if (n.type !== 'GROUP') {
      const strokes = (n.s.strokes as readonly { visible?: boolean }[]).filter((p) => p.visible !== false);
      if (strokes.length > 0 && n.s.strokeWeight > 0) {
        const e = n.s.strokeAlign === 'OUTSIDE' ? n.s.strokeWeight : n.s.strokeAlign === 'CENTER' ? n.s.strokeWeight / 2 : 0;
        b = { x0: b.x0 - e, y0: b.y0 - e, x1: b.x1 + e, y1: b.y1 + e };
      }
      for (const e of n.s.effects as readonly Effect[]) {
        if (e.visible !== false && e.type === 'DROP_SHADOW') {
          const r = e.radius + (e.spread ?? 0);
          b = {
            x0: Math.min(b.x0, b.x0 + e.offset.x - r),
            y0: Math.min(b.y0, b.y0 + e.offset.y - r),
            x1: Math.max(b.x1, b.x1 + e.offset.x + r),
            y1: Math.max(b.y1, b.y1 + e.offset.y + r),
          };
        }
      }
    }
    const clips = isFrameLike(n.type) && n.s.clipsContent;
    if (!clips) {
      for (const id of n.s.children) {
        const c = this.node(id);
        if (!c.s.visible) continue;
        const cb = this.renderBounds(c);
        b = { x0: Math.min(b.x0, cb.x), y0: Math.min(b.y0, cb.y), x1: Math.max(b.x1, cb.x + cb.width), y1: Math.max(b.y1, cb.y + cb.height) };
      }
    }
    return { x: b.x0, y: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0 };
  }

  async exportNode(n: FNode, settings?: ExportSettings): Promise<Uint8Array> {
    await Promise.resolve();
    if (this.fault('exportAsync')) throw new Error('in exportAsync: injected fault');
    const st = (settings ?? { format: 'PNG' }) as ExportSettingsImage;
    if (st.format !== 'PNG') throw new Error(`fake: exportAsync format ${String(st.format)} is not emulated (PNG only)`);
    let box: Rect4;
    if (st.useAbsoluteBounds) {
      const b = boxBounds(this.absTransform(n), this.size(n).width, this.size(n).height);
      box = { x: b.x0, y: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0 };
    } else {
      if (!n.s.visible) throw new Error('in exportAsync: the node is invisible and has no render bounds');
      box = this.renderBounds(n);
    }
    if (!(box.width > 0 && box.height > 0)) throw new Error('in exportAsync: the node has no area to export');
    const c = st.constraint ?? { type: 'SCALE', value: 1 };
    if (!(typeof c.value === 'number' && c.value > 0)) throw new Error('in exportAsync: constraint value must be positive');
    const scale = c.type === 'SCALE' ? c.value : c.type === 'WIDTH' ? c.value / box.width : c.value / box.height;
    const pw = Math.max(1, Math.round(box.width * scale));
    const ph = Math.max(1, Math.round(box.height * scale));
    if (pw * ph > this.options.maxExportPixels) {
      throw new Error(`fake: export of ${pw}×${ph} px exceeds the fake's limit (${this.options.maxExportPixels} px)`);
    }
    const img = renderToRgba(this, n, box, pw, ph);
    return encodePng(img, { level: 1 });
  }

  // ---- undo

  snapshot(): Snapshot {
    const snap: Snapshot = new Map();
    for (const [id, n] of this.nodes) snap.set(id, structuredClone(n.s));
    return snap;
  }

  restore(snap: Snapshot): void {
    for (const [id, n] of this.nodes) {
      const s = snap.get(id);
      if (s) n.s = structuredClone(s);
      else {
        n.s.removed = true;
        n.s.parent = null;
      }
    }
    const cp = this.currentPage;
    if (cp.s.removed) this.currentPage = this.node(this.root.s.children[0]) as FPage;
  }

  /** Serialisable view of the live document (for equality checks). */
  dump(): string {
    const out: unknown[] = [];
    const walk = (n: FNode) => {
      out.push({ ...n.s, selection: undefined });
      for (const id of n.s.children) walk(this.node(id));
    };
    walk(this.root);
    return JSON.stringify(out);
  }

  baseline(): void {
    this.history.length = 0;
    this.history.push(this.snapshot());
    this.commitCount = 0;
  }

  commitUndo(): void {
    this.commitCount++;
    this.history.push(this.snapshot());
  }

  triggerUndo(): void {
    const top = this.history[this.history.length - 1];
    if (!top) return;
    const current = this.snapshot();
    if (!sameSnapshot(current, top)) {
      this.restore(top);
      return;
    }
    if (this.history.length > 1) {
      this.history.pop();
      this.restore(this.history[this.history.length - 1]);
    }
  }
}

function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  for (const [id, s] of a) {
    const t = b.get(id);
    if (!t) {
      if (!s.removed) return false;
      continue;
    }
    if (JSON.stringify({ ...s, selection: [] }) !== JSON.stringify({ ...t, selection: [] })) return false;
  }
  return true;
}
