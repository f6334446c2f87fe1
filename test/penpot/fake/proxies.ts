/**
 * Shape, fill, layout, page and file proxies: the objects a plugin gets from the fake, with
 * Penpot's checks in Penpot's order (frontend/src/app/plugins/shape.cljs, flex.cljs,
 * page.cljs, file.cljs, parser.cljs; penpot/penpot 66bb6a1).
 *
 * Like Penpot, every access builds a new proxy object around the shape id (so proxies are not
 * `===` to each other; compare ids). A proxy of a removed shape reports id "" (as Penpot does)
 * and throws a "fake:" error on any other use (Penpot would return null / garbage instead).
 *
 * Children order (flags.naturalChildOrdering false, Penpot's default):
 *  - `children` is the internal :shapes vector: index 0 is the BOTTOM of the stack;
 *  - `appendChild(s)` inserts at internal index 0, i.e. puts `s` at the BOTTOM of a plain board
 *    or group (and at the end of a flex board's visual flow) — Penpot bug #8520 / penpot-mcp
 *    #32; to put a shape on top use `insertChild(0, s)` …
 *  - … because `insertChild(i, s)` inserts at internal index `children.length − i`;
 *  - `parentIndex` is the internal index; setParentIndex(i) moves to internal index i.
 * With naturalChildOrdering true: appendChild → top (end), insertChild(i) → internal i, and
 * flex boards list children in visual order (reversed :shapes).
 *
 * Pages (Penpot ≥ 2.17, #10271; utils.cljs page-active?): every proxy is bound to a page (its
 * `$page`, like Penpot's). Reads work on any page: getters, children, plugin data, fills and
 * their ImageData.data() (media are the file's), and export() — the exporter renders the
 * persisted file at the proxy's page (shape.cljs :export). Changes are refused with not-valid
 * "Cannot modify a page that is not currently active" unless the proxy's page (and, for
 * appendChild / insertChild / flex.appendChild, the child's page too) is the active one — at
 * the point of each setter's `cond` where Penpot checks it (mostly after the permission
 * check; fills check it before). The few operations Penpot leaves unguarded (fixedWhenScrolling,
 * blur = null, bringToFront / sendToBack / bringForward / sendBackward, flex.remove) update the
 * ACTIVE page's objects by id, so for another page's shape they do nothing (the fake notes a
 * warning). Shape creation (penpot.createRectangle & co.) always lands on the active page.
 */
import type { FakeDoc, FillState, FlexState, GradientState, ImageRef, ShapeState, ShapeType } from './doc.js';
import { ROOT_ID } from './doc.js';
import { rotationAbout, scalingAbout } from './geometry.js';
import { type Host, harden, notEmulated } from './host.js';
import type { StoredMedia } from './media.js';
import { exportPng } from './render.js';
import { formatCommands, parseCommands, parsePathData, serializePath } from './svgpath.js';

export const isSafeNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER;
const isSafeInt = (v: unknown): v is number => Number.isSafeInteger(v);
const HEX_RE = /^#(?:[0-9a-fA-F]{3}){1,2}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Penpot's internal type keywords (as they appear in not-valid messages). */
const INTERNAL: Record<ShapeType, string> = { board: ':frame', group: ':group', rectangle: ':rect', ellipse: ':circle', path: ':path', text: ':text' };

const BLEND_MODES = new Set([
  'normal',
  'darken',
  'multiply',
  'color-burn',
  'lighten',
  'screen',
  'color-dodge',
  'overlay',
  'soft-light',
  'hard-light',
  'difference',
  'exclusion',
  'hue',
  'saturation',
  'color',
  'luminosity',
]);
const H_CONSTRAINTS = new Set(['left', 'right', 'leftright', 'center', 'scale']);
const V_CONSTRAINTS = new Set(['top', 'bottom', 'topbottom', 'center', 'scale']);

// ---------------------------------------------------------------- ImageData

/** create-image-data: what uploadMediaData resolves to and fill.fillImage reads back. */
export function imageData(ref: ImageRef, media: StoredMedia | undefined): ImageDataLike {
  const out: ImageDataLike = {
    name: ref.name,
    width: ref.width,
    height: ref.height,
    mtype: ref.mtype,
    id: ref.id,
    keepAspectRatio: ref.keepAspectRatio,
    data: async () => {
      await new Promise((r) => setTimeout(r, 0));
      if (!media) throw new Error(`fake: media ${ref.id} was not uploaded to this fake`);
      return media.bytes.slice();
    },
  };
  return Object.freeze(out);
}

export interface ImageDataLike {
  readonly name?: string;
  readonly width: number;
  readonly height: number;
  readonly mtype?: string;
  readonly id: string;
  readonly keepAspectRatio?: boolean;
  data(): Promise<Uint8Array>;
}

// ---------------------------------------------------------------- parsing (parser.cljs)

function get(o: unknown, k: string): unknown {
  return o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
}

function withoutNils<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === null) delete o[k];
  return o;
}

function parseImageData(v: unknown): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  return withoutNils({
    id: get(v, 'id'),
    name: get(v, 'name'),
    width: get(v, 'width'),
    height: get(v, 'height'),
    mtype: get(v, 'mtype'),
    keepAspectRatio: get(v, 'keepAspectRatio'),
  });
}

function parseGradient(v: unknown): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  const stops = get(v, 'stops');
  return withoutNils({
    type: get(v, 'type'),
    startX: get(v, 'startX'),
    startY: get(v, 'startY'),
    endX: get(v, 'endX'),
    endY: get(v, 'endY'),
    width: get(v, 'width'),
    stops: Array.isArray(stops)
      ? stops.map((s) => withoutNils({ color: typeof get(s, 'color') === 'string' ? (get(s, 'color') as string).toLowerCase() : get(s, 'color'), opacity: get(s, 'opacity'), offset: get(s, 'offset') }))
      : stops,
  });
}

function parseFill(f: unknown): Record<string, unknown> | null {
  if (f === undefined || f === null) return null;
  const color = get(f, 'fillColor');
  return withoutNils({
    fillColor: typeof color === 'string' ? color.toLowerCase() : color,
    fillOpacity: get(f, 'fillOpacity'),
    fillColorGradient: parseGradient(get(f, 'fillColorGradient')),
    fillColorRefFile: get(f, 'fillColorRefFile'),
    fillColorRefId: get(f, 'fillColorRefId'),
    fillImage: parseImageData(get(f, 'fillImage')),
  });
}

const unit = (v: unknown) => typeof v === 'number' && !Number.isNaN(v) && v >= 0 && v <= 1;

function validImage(i: Record<string, unknown>): boolean {
  const keys = Object.keys(i);
  return (
    keys.every((k) => ['id', 'name', 'width', 'height', 'mtype', 'keepAspectRatio'].includes(k)) &&
    typeof i.id === 'string' &&
    UUID_RE.test(i.id) &&
    Number.isInteger(i.width) &&
    (i.width as number) >= 0 &&
    Number.isInteger(i.height) &&
    (i.height as number) >= 0 &&
    typeof i.mtype === 'string' &&
    i.mtype.trim() !== '' &&
    (i.name === undefined || typeof i.name === 'string') &&
    (i.keepAspectRatio === undefined || typeof i.keepAspectRatio === 'boolean')
  );
}

function validGradient(g: Record<string, unknown>): boolean {
  return (
    (g.type === 'linear' || g.type === 'radial') &&
    ['startX', 'startY', 'endX', 'endY', 'width'].every((k) => isSafeNumber(g[k])) &&
    Array.isArray(g.stops) &&
    g.stops.length <= 16 &&
    g.stops.every((s: Record<string, unknown>) => typeof s.color === 'string' && HEX_RE.test(s.color) && unit(s.offset) && (s.opacity === undefined || unit(s.opacity)))
  );
}

/** schema:fill — a closed map with exactly one of color / gradient / image. */
function validFill(f: Record<string, unknown> | null): boolean {
  if (f === null) return false;
  const kinds = ['fillColor', 'fillColorGradient', 'fillImage'].filter((k) => f[k] !== undefined).length;
  if (kinds !== 1) return false;
  if (f.fillOpacity !== undefined && !unit(f.fillOpacity)) return false;
  if (f.fillColor !== undefined && !(typeof f.fillColor === 'string' && HEX_RE.test(f.fillColor))) return false;
  if (f.fillColorRefFile !== undefined && !(typeof f.fillColorRefFile === 'string' && UUID_RE.test(f.fillColorRefFile))) return false;
  if (f.fillColorRefId !== undefined && !(typeof f.fillColorRefId === 'string' && UUID_RE.test(f.fillColorRefId))) return false;
  if (f.fillImage !== undefined && !validImage(f.fillImage as Record<string, unknown>)) return false;
  if (f.fillColorGradient !== undefined && !validGradient(f.fillColorGradient as Record<string, unknown>)) return false;
  return true;
}

const STROKE_STYLES = new Set(['solid', 'dotted', 'dashed', 'mixed', 'none', 'svg']);
const STROKE_ALIGN = new Set(['center', 'inner', 'outer']);
const STROKE_CAPS = new Set(['round', 'square', 'line-arrow', 'triangle-arrow', 'square-marker', 'circle-marker', 'diamond-marker']);

function parseStroke(s: unknown): Record<string, unknown> | null {
  if (s === undefined || s === null) return null;
  const color = get(s, 'strokeColor');
  return withoutNils({
    strokeColor: typeof color === 'string' ? color.toLowerCase() : color,
    strokeColorRefFile: get(s, 'strokeColorRefFile'),
    strokeColorRefId: get(s, 'strokeColorRefId'),
    strokeOpacity: get(s, 'strokeOpacity'),
    strokeStyle: get(s, 'strokeStyle'),
    strokeWidth: get(s, 'strokeWidth'),
    strokeAlignment: get(s, 'strokeAlignment'),
    strokeCapStart: get(s, 'strokeCapStart'),
    strokeCapEnd: get(s, 'strokeCapEnd'),
    strokeColorGradient: parseGradient(get(s, 'strokeColorGradient')),
    strokeImage: parseImageData(get(s, 'strokeImage')),
  });
}

function validStroke(s: Record<string, unknown> | null): boolean {
  if (s === null) return false;
  if (s.strokeColor !== undefined && !(typeof s.strokeColor === 'string' && HEX_RE.test(s.strokeColor))) return false;
  if (s.strokeOpacity !== undefined && !unit(s.strokeOpacity)) return false;
  if (s.strokeWidth !== undefined && !(isSafeNumber(s.strokeWidth) && s.strokeWidth >= 0)) return false;
  if (s.strokeStyle !== undefined && !STROKE_STYLES.has(s.strokeStyle as string)) return false;
  if (s.strokeAlignment !== undefined && !STROKE_ALIGN.has(s.strokeAlignment as string)) return false;
  if (s.strokeCapStart !== undefined && !STROKE_CAPS.has(s.strokeCapStart as string)) return false;
  if (s.strokeCapEnd !== undefined && !STROKE_CAPS.has(s.strokeCapEnd as string)) return false;
  if (s.strokeColorGradient !== undefined && !validGradient(s.strokeColorGradient as Record<string, unknown>)) return false;
  if (s.strokeImage !== undefined && !validImage(s.strokeImage as Record<string, unknown>)) return false;
  return true;
}

function parseShadow(s: unknown): Record<string, unknown> | null {
  if (s === undefined || s === null) return null;
  const color = get(s, 'color');
  const c = color === undefined || color === null ? undefined : withoutNils({ color: typeof get(color, 'color') === 'string' ? (get(color, 'color') as string).toLowerCase() : get(color, 'color'), opacity: get(color, 'opacity') });
  // shadow-defaults patched with the given values
  const defaults: Record<string, unknown> = { id: null, style: 'drop-shadow', color: { color: '#000000', opacity: 0.2 }, offsetX: 4, offsetY: 4, blur: 4, spread: 0, hidden: false };
  return Object.assign(defaults, withoutNils({
      id: get(s, 'id'),
      style: get(s, 'style'),
      offsetX: get(s, 'offsetX'),
      offsetY: get(s, 'offsetY'),
      blur: get(s, 'blur'),
      spread: get(s, 'spread'),
      hidden: get(s, 'hidden'),
      color: c,
    }),
  );
}

function validShadow(s: Record<string, unknown> | null): boolean {
  if (s === null) return false;
  const c = s.color as Record<string, unknown>;
  return (
    (s.style === 'drop-shadow' || s.style === 'inner-shadow') &&
    isSafeNumber(s.offsetX) &&
    isSafeNumber(s.offsetY) &&
    isSafeNumber(s.blur) &&
    (s.blur as number) >= 0 &&
    isSafeNumber(s.spread) &&
    typeof s.hidden === 'boolean' &&
    c !== null &&
    typeof c === 'object' &&
    typeof c.color === 'string' &&
    HEX_RE.test(c.color) &&
    (c.opacity === undefined || unit(c.opacity))
  );
}

// ---------------------------------------------------------------- proxies

/** A proxy of shape `id` bound to page `page` (Penpot: shape-proxy plugin-id file-id page-id id). */
export function shapeProxy(h: Host, page: string, id: string): ShapeProxy {
  const s = h.file.page(page).get(id);
  switch (s.type) {
    case 'board':
      return new BoardProxy(h, page, id);
    case 'group':
      return new GroupProxy(h, page, id);
    case 'path':
      return new PathProxy(h, page, id);
    case 'text':
      return new TextProxy(h, page, id);
    case 'ellipse':
      return new EllipseProxy(h, page, id);
    default:
      return new RectangleProxy(h, page, id);
  }
}

/**
 * What Penpot hands out for an id that is not on `page` (e.g. a selected id of another page):
 * a proxy whose shape lookup finds nothing — `id` reads "", and every other use is a "fake:"
 * error here (Penpot would return nil / garbage).
 */
export function emptyProxy(h: Host, page: string, id: string): ShapeProxy {
  return new ShapeProxy(h, page, id);
}

/** The proxy's shape (on the proxy's page), or null if `v` is not a live shape proxy of this fake. */
export function unwrap(h: Host, v: unknown): ShapeState | null {
  if (!(v instanceof ShapeProxy) || v.$host !== h || !h.file.hasPage(v.$page)) return null;
  const doc = h.file.page(v.$page);
  return doc.has(v.$id) ? doc.get(v.$id) : null;
}

/** The page a shape proxy is bound to. */
export function pageOfProxy(v: unknown): string | null {
  return v instanceof ShapeProxy ? v.$page : null;
}

export class ShapeProxy {
  readonly $host!: Host;
  readonly $page!: string;
  readonly $id!: string;

  constructor(h: Host, page: string, id: string) {
    Object.defineProperty(this, '$host', { value: h, enumerable: false });
    Object.defineProperty(this, '$page', { value: page, enumerable: false });
    Object.defineProperty(this, '$id', { value: id, enumerable: false });
  }

  protected get h(): Host {
    return this.$host;
  }

  /** The page this proxy is bound to. */
  protected get doc(): FakeDoc {
    return this.$host.file.page(this.$page);
  }

  /** The page guard (u/page-active? on this proxy's page). */
  protected active(code: string): boolean {
    return this.h.canModifyPage(code, this.$page);
  }

  /** The live shape state (throws if the shape is gone). */
  protected get s(): ShapeState {
    return this.doc.get(this.$id);
  }

  /** Value check, then content:write, then the page guard, then the change (Penpot's usual setter order). */
  protected write(code: string, value: unknown, valid: boolean, op: (s: ShapeState) => void): void {
    if (!valid) { this.h.notValid(code, value); return; }
    if (!this.h.canWrite(code)) return;
    if (!this.active(code)) return;
    const s = this.s;
    this.h.mutate(code, () => op(s));
  }

  toString(): string {
    return `[ShapeProxy ${this.s.type} ${this.$id}]`;
  }

  // identity
  /** Penpot: `(str (:id nil))` → "" once the shape is gone (every other getter of the fake throws then). */
  get id(): string {
    return this.doc.has(this.$id) ? this.$id : '';
  }
  get type(): ShapeType {
    return this.s.type;
  }
  get name(): string {
    return this.s.name;
  }
  set name(value: string) {
    const clean = typeof value === 'string' ? value.trim().split('/').map((p) => p.trim()).filter((p) => p !== '').join(' / ') : undefined;
    const valid = clean !== undefined && !clean.endsWith('/') && clean.trim() !== '';
    if (!this.h.canWrite('name')) return;
    if (!this.active('name')) return;
    if (!valid) { this.h.notValid('name', clean ?? value); return; }
    this.h.mutate('name', () => (this.s.name = clean!));
  }

  // flags
  get blocked(): boolean {
    return this.s.blocked;
  }
  set blocked(v: boolean) {
    this.write('blocked', v, typeof v === 'boolean', (s) => (s.blocked = v));
  }
  get hidden(): boolean {
    return this.s.hidden;
  }
  set hidden(v: boolean) {
    this.write('hidden', v, typeof v === 'boolean', (s) => (s.hidden = v));
  }
  get visible(): boolean {
    return !this.s.hidden;
  }
  set visible(v: boolean) {
    this.write('visible', v, typeof v === 'boolean', (s) => (s.hidden = !v));
  }
  get proportionLock(): boolean {
    return this.s.proportionLock;
  }
  set proportionLock(v: boolean) {
    // Penpot's plugin setter only flips the flag; :proportion keeps its old value.
    this.write('proportionLock', v, typeof v === 'boolean', (s) => (s.proportionLock = v));
  }
  get constraintsHorizontal(): string | null {
    return this.s.constraintsH;
  }
  set constraintsHorizontal(v: string) {
    this.write('constraintsHorizontal', v, H_CONSTRAINTS.has(v), (s) => (s.constraintsH = v));
  }
  get constraintsVertical(): string | null {
    return this.s.constraintsV;
  }
  set constraintsVertical(v: string) {
    this.write('constraintsVertical', v, V_CONSTRAINTS.has(v), (s) => (s.constraintsV = v));
  }
  get fixedWhenScrolling(): boolean {
    return this.s.fixedScroll;
  }
  /** No page guard in Penpot: on another page's shape it changes nothing. */
  set fixedWhenScrolling(v: boolean) {
    if (typeof v !== 'boolean') { this.h.notValid('fixedWhenScrolling', v); return; }
    if (!this.h.canWrite('fixedWhenScrolling')) return;
    if (!this.h.unguardedOnActivePage('fixedWhenScrolling', this.$page, this.$id)) return;
    this.h.mutate('fixedWhenScrolling', () => (this.s.fixedScroll = v));
  }
  get borderRadius(): number {
    return this.s.radius[0];
  }
  set borderRadius(v: number) {
    this.write('borderRadius', v, isSafeNumber(v) && v >= 0, (s) => (s.radius = [v, v, v, v]));
  }
  get borderRadiusTopLeft(): number {
    return this.s.radius[0];
  }
  set borderRadiusTopLeft(v: number) {
    this.write('borderRadiusTopLeft', v, isSafeNumber(v), (s) => (s.radius[0] = v));
  }
  get borderRadiusTopRight(): number {
    return this.s.radius[1];
  }
  set borderRadiusTopRight(v: number) {
    this.write('borderRadiusTopRight', v, isSafeNumber(v), (s) => (s.radius[1] = v));
  }
  get borderRadiusBottomRight(): number {
    return this.s.radius[2];
  }
  set borderRadiusBottomRight(v: number) {
    this.write('borderRadiusBottomRight', v, isSafeNumber(v), (s) => (s.radius[2] = v));
  }
  get borderRadiusBottomLeft(): number {
    return this.s.radius[3];
  }
  set borderRadiusBottomLeft(v: number) {
    this.write('borderRadiusBottomLeft', v, isSafeNumber(v), (s) => (s.radius[3] = v));
  }
  get opacity(): number {
    return this.s.opacity;
  }
  set opacity(v: number) {
    this.write('opacity', v, isSafeNumber(v) && v >= 0 && v <= 1, (s) => (s.opacity = v));
  }
  get blendMode(): string {
    return this.s.blendMode;
  }
  set blendMode(v: string) {
    this.write('blendMode', v, BLEND_MODES.has(v), (s) => (s.blendMode = v));
  }

  // effects
  get shadows(): Record<string, unknown>[] {
    return this.s.shadows.map((x) => ({ ...x, color: { ...(x.color as object) } }));
  }
  set shadows(v: unknown[]) {
    const parsed = Array.isArray(v) ? v.map(parseShadow) : null;
    if (!parsed || !parsed.every(validShadow)) { this.h.notValid('shadows', parsed ?? v); return; }
    if (!this.h.canWrite('shadows')) return;
    if (!this.active('shadows')) return;
    let n = 0;
    this.h.mutate('shadows', () => (this.s.shadows = parsed.map((x) => ({ ...x!, id: x!.id ?? `${this.$id}-shadow-${n++}` }))));
  }
  get blur(): { id?: string; value: number; hidden: boolean } | undefined {
    const b = this.s.blur;
    return b ? { ...b } : undefined;
  }
  set blur(v: { value?: number; hidden?: boolean } | undefined) {
    if (v === undefined || v === null) {
      // Penpot removes the blur without checking permissions (or the page) here.
      if (!this.h.unguardedOnActivePage('blur', this.$page, this.$id)) return;
      this.h.mutate('blur', () => (this.s.blur = null));
      return;
    }
    const b: Record<string, unknown> = Object.assign({ value: 4, hidden: false }, withoutNils({ id: get(v, 'id'), value: get(v, 'value'), hidden: get(v, 'hidden') }));
    const valid = isSafeNumber(b.value) && (b.value as number) >= 0 && typeof b.hidden === 'boolean';
    this.write('blur', b, valid, (s) => (s.blur = { id: b.id as string | undefined, value: b.value as number, hidden: b.hidden as boolean }));
  }
  get exports(): Array<{ type: string; scale: number; suffix: string }> {
    return this.s.exports.map((e) => ({ ...e }));
  }
  set exports(v: unknown[]) {
    const parsed = Array.isArray(v) ? v.map((e) => ({ type: get(e, 'type'), scale: get(e, 'scale') ?? 1, suffix: get(e, 'suffix') ?? '' })) : null;
    const ok = parsed?.every((e) => typeof e.type === 'string' && ['png', 'jpeg', 'webp', 'svg', 'pdf'].includes(e.type) && isSafeNumber(e.scale) && typeof e.suffix === 'string');
    this.write('exports', parsed ?? v, !!ok, (s) => (s.exports = parsed as ShapeState['exports']));
  }

  // geometry (see geometry.ts)
  get x(): number {
    return this.doc.bounds(this.s).x;
  }
  set x(v: number) {
    this.write('x', v, isSafeNumber(v), (s) => this.doc.moveBy(s, v - this.doc.bounds(s).x, 0));
  }
  get y(): number {
    return this.doc.bounds(this.s).y;
  }
  set y(v: number) {
    this.write('y', v, isSafeNumber(v), (s) => this.doc.moveBy(s, 0, v - this.doc.bounds(s).y));
  }
  get parent(): ShapeProxy | null {
    const s = this.s;
    return s.parentId === null ? null : shapeProxy(this.h, this.$page, s.parentId);
  }
  get parentIndex(): number {
    const s = this.s;
    return s.parentId === null ? 0 : this.doc.get(s.parentId).children.indexOf(s.id);
  }
  /** x − the parent's selrect x (Penpot's `(:x parent)`). */
  get parentX(): number {
    const s = this.s;
    return this.doc.bounds(s).x - this.parentSelrect(s).x;
  }
  set parentX(v: number) {
    this.write('parentX', v, isSafeNumber(v), (s) => this.doc.moveBy(s, this.parentSelrect(s).x + v - this.doc.bounds(s).x, 0));
  }
  get parentY(): number {
    const s = this.s;
    return this.doc.bounds(s).y - this.parentSelrect(s).y;
  }
  set parentY(v: number) {
    this.write('parentY', v, isSafeNumber(v), (s) => this.doc.moveBy(s, 0, this.parentSelrect(s).y + v - this.doc.bounds(s).y));
  }
  /** Penpot's getter subtracts the PARENT's x (not the board's); its setter uses the board's. */
  get boardX(): number {
    return this.parentX;
  }
  set boardX(v: number) {
    this.write('frameX', v, isSafeNumber(v), (s) => this.doc.moveBy(s, this.doc.selrect(this.doc.frameOf(s)).x + v - this.doc.bounds(s).x, 0));
  }
  get boardY(): number {
    return this.parentY;
  }
  set boardY(v: number) {
    this.write('frameY', v, isSafeNumber(v), (s) => this.doc.moveBy(s, 0, this.doc.selrect(this.doc.frameOf(s)).y + v - this.doc.bounds(s).y));
  }
  private parentSelrect(s: ShapeState) {
    return s.parentId === null ? { x: 0, y: 0 } : this.doc.selrect(this.doc.get(s.parentId));
  }
  get width(): number {
    return this.doc.geom(this.s).w;
  }
  get height(): number {
    return this.doc.geom(this.s).h;
  }
  get bounds(): { x: number; y: number; width: number; height: number } {
    return { ...this.doc.bounds(this.s) };
  }
  get center(): { x: number; y: number } {
    const g = this.doc.geom(this.s);
    return { x: g.cx, y: g.cy };
  }
  get rotation(): number {
    const s = this.s;
    return s.type === 'group' ? s.g.rotation : this.doc.geom(s).rotation;
  }
  /** increase-rotation without delta: rotates about the centre to the absolute angle. */
  set rotation(v: number) {
    this.write('rotation', v, isSafeNumber(v), (s) => this.rotateBy(s, v - this.rotation, null));
  }
  get flipX(): boolean {
    return this.doc.geom(this.s).flipX;
  }
  /** Penpot's setter flips whatever the value (flip-horizontal-selected); it only checks it is a boolean. */
  set flipX(v: boolean) {
    this.write('flipX', v, typeof v === 'boolean', (s) => this.flip(s, -1, 1));
  }
  get flipY(): boolean {
    return this.doc.geom(this.s).flipY;
  }
  set flipY(v: boolean) {
    this.write('flipY', v, typeof v === 'boolean', (s) => this.flip(s, 1, -1));
  }
  private flip(s: ShapeState, sx: number, sy: number) {
    const b = this.doc.bounds(s);
    this.doc.transform(s, scalingAbout(sx, sy, b.x + b.width / 2, b.y + b.height / 2));
  }
  private rotateBy(s: ShapeState, delta: number, center: { x: number; y: number } | null) {
    // set-delta-rotation-modifiers drops blocked shapes (the non-wasm renderer path).
    if (s.blocked) {
      this.doc.warnings.push(`rotation of blocked shape ${s.id} ignored (as Penpot does)`);
      return;
    }
    const g = this.doc.geom(s);
    const c = center ?? { x: g.cx, y: g.cy };
    this.doc.transform(s, rotationAbout(delta, c.x, c.y), delta);
  }

  // fills & strokes
  get fills(): FillProxy[] | 'mixed' {
    return makeFills(this.h, this.$page, this.$id);
  }
  set fills(value: unknown) {
    commitFills(this.h, this.$page, this.$id, value);
  }
  get strokes(): Record<string, unknown>[] {
    return this.s.strokes.map((x) => ({ ...x }));
  }
  set strokes(value: unknown[]) {
    const parsed = Array.isArray(value) ? value.map(parseStroke) : null;
    if (!parsed || !parsed.every(validStroke)) { this.h.notValid('strokes', parsed ?? value); return; }
    if (!this.h.canWrite('strokes')) return;
    if (!this.active('strokes')) return;
    this.h.mutate('strokes', () => (this.s.strokes = parsed as Record<string, unknown>[]));
  }

  // layout child
  get layoutChild(): LayoutChildProxy | null {
    const s = this.s;
    const p = s.parentId === null ? null : this.doc.get(s.parentId);
    return p && p.flex ? new LayoutChildProxy(this.h, this.$page, s.id) : null;
  }
  get layoutCell(): null {
    return null;
  }

  // methods
  resize(width: number, height: number): void {
    if (!isSafeNumber(width) || width <= 0) { this.h.notValid('resize', width); return; }
    if (!isSafeNumber(height) || height <= 0) { this.h.notValid('resize', height); return; }
    if (!this.h.canWrite('resize')) return;
    if (!this.active('resize')) return;
    const s = this.s;
    this.h.mutate('resize', () => this.doc.resize(s, width, height));
  }

  rotate(angle: number, center?: { x: number; y: number } | null): void {
    const c = center ? { x: get(center, 'x') as number, y: get(center, 'y') as number } : null;
    if (!isSafeNumber(angle)) { this.h.notValid('rotate-angle', angle); return; }
    if (c && (!isSafeNumber(c.x) || !isSafeNumber(c.y))) { this.h.notValid('rotate-center', c); return; }
    if (!this.h.canWrite('rotate')) return;
    if (!this.active('rotate')) return;
    const s = this.s;
    this.h.mutate('rotate', () => this.rotateBy(s, angle, c));
  }

  clone(): ShapeProxy | undefined {
    if (!this.h.canWrite('clone')) return undefined;
    if (!this.active('clone')) return undefined;
    const s = this.s;
    const c = this.h.mutate('clone', () => this.doc.clone(s.id));
    return shapeProxy(this.h, this.$page, c.id);
  }

  remove(): void {
    if (!this.h.canWrite('remove')) return;
    if (!this.active('remove')) return;
    const id = this.$id;
    this.h.mutate('remove', () => this.doc.remove([id]));
  }

  setParentIndex(index: number): void {
    const s = this.s;
    if (!isSafeInt(index)) { this.h.notValid('setParentIndex', index); return; }
    if (!this.h.canWrite('setParentIndex')) return;
    if (!this.active('setParentIndex')) return;
    if (this.doc.hasCopyParent(s)) { this.h.notValid('setParentIndex', 'Cannot change the structure of a component copy'); return; }
    this.h.mutate('setParentIndex', () => {
      const cur = this.doc.get(s.parentId!).children.indexOf(s.id);
      this.doc.moveInParent(s.id, index > cur ? index + 1 : index);
    });
  }

  /** vertical-order-selected (no permission check in Penpot, no page guard: it orders the active page's objects). */
  private zMove(loc: 'top' | 'bottom' | 'up' | 'down', op: string): void {
    const s = this.s;
    if (!this.h.unguardedOnActivePage(op, this.$page, this.$id)) return;
    const p = this.doc.get(s.parentId!);
    if (this.h.flags.naturalChildOrdering && p.flex) loc = ({ top: 'bottom', bottom: 'top', up: 'down', down: 'up' } as const)[loc];
    this.h.mutate(op, () => {
      const cur = p.children.indexOf(s.id);
      const n = p.children.length;
      const idx = loc === 'top' ? n : loc === 'down' ? Math.max(0, cur - 1) : loc === 'up' ? Math.min(n, cur + 2) : 0;
      this.doc.moveInParent(s.id, idx);
    });
  }
  bringToFront(): void {
    this.zMove('top', 'bringToFront');
  }
  sendToBack(): void {
    this.zMove('bottom', 'sendToBack');
  }
  bringForward(): void {
    this.zMove('up', 'bringForward');
  }
  sendBackward(): void {
    this.zMove('down', 'sendBackward');
  }

  // plugin data (namespace: this plugin)
  getPluginData(key: string): string | null {
    if (typeof key !== 'string') return this.h.notValid('getPluginData', key) ?? null;
    return this.s.pluginData[key] ?? null;
  }
  setPluginData(key: string, value: string): void {
    if (typeof key !== 'string') { this.h.notValid('setPluginData-key', key); return; }
    if (value !== undefined && value !== null && typeof value !== 'string') { this.h.notValid('setPluginData-value', value); return; }
    if (!this.h.canWrite('setPluginData')) return;
    if (!this.active('setPluginData')) return;
    const s = this.s;
    this.h.mutate('setPluginData', () => {
      if (value === undefined || value === null) delete s.pluginData[key];
      else s.pluginData[key] = value;
    });
  }
  getPluginDataKeys(): string[] {
    return Object.keys(this.s.pluginData);
  }
  getSharedPluginData(namespace: string, key: string): string | null {
    if (typeof namespace !== 'string') return this.h.notValid('getSharedPluginData-namespace', namespace) ?? null;
    if (typeof key !== 'string') return this.h.notValid('getSharedPluginData-key', key) ?? null;
    return this.s.sharedPluginData[namespace]?.[key] ?? null;
  }
  setSharedPluginData(namespace: string, key: string, value: string): void {
    if (typeof namespace !== 'string') { this.h.notValid('setSharedPluginData-namespace', namespace); return; }
    if (typeof key !== 'string') { this.h.notValid('setSharedPluginData-key', key); return; }
    if (value !== undefined && value !== null && typeof value !== 'string') { this.h.notValid('setSharedPluginData-value', value); return; }
    if (!this.h.canWrite('setSharedPluginData')) return;
    if (!this.active('setSharedPluginData')) return;
    const s = this.s;
    this.h.mutate('setSharedPluginData', () => {
      const ns = (s.sharedPluginData[namespace] ??= {});
      if (value === undefined || value === null) delete ns[key];
      else ns[key] = value;
    });
  }
  getSharedPluginDataKeys(namespace: string): string[] {
    if (typeof namespace !== 'string') return this.h.notValid('getSharedPluginDataKeys', namespace) ?? [];
    return Object.keys(this.s.sharedPluginData[namespace] ?? {});
  }

  // components (minimal: the fake's builders mark copies and mains)
  isComponentInstance(): boolean {
    const s = this.s;
    return s.component !== null || this.doc.ancestors(s).some((a) => a.component !== null);
  }
  isComponentMainInstance(): boolean {
    const s = this.s;
    return s.component === 'main' || this.doc.ancestors(s).some((a) => a.component === 'main');
  }
  isComponentCopyInstance(): boolean {
    return this.s.component === 'copy';
  }
  isComponentRoot(): boolean {
    return this.s.componentRoot;
  }
  isComponentHead(): boolean {
    return this.s.componentRoot;
  }
  isVariantHead(): boolean {
    return false;
  }

  // container methods live on every proxy in Penpot and check the type
  get isContainer(): boolean {
    return false;
  }

  appendChild(child: unknown): void {
    const s = this.s;
    const c = unwrap(this.h, child);
    const reversed = !!s.flex;
    const index = !this.h.flags.naturalChildOrdering || reversed ? 0 : s.children.length;
    if (s.type !== 'board' && s.type !== 'group') { this.h.notValid('appendChild', INTERNAL[s.type]); return; }
    if (!c) { this.h.notValid('appendChild-child', child); return; }
    if (!this.h.canWrite('appendChild')) return;
    if (!this.h.canModifyPage('appendChild', this.$page, pageOfProxy(child)!)) return;
    if (this.doc.inCopy(s) || this.doc.hasCopyParent(c)) { this.h.notValid('appendChild', 'Cannot change the structure of a component copy'); return; }
    this.h.mutate('appendChild', () => this.doc.relocate([c.id], s.id, index));
  }

  insertChild(index: number, child: unknown): void {
    const s = this.s;
    const c = unwrap(this.h, child);
    const reversed = !!s.flex;
    if (s.type !== 'board' && s.type !== 'group') { this.h.notValid('insertChild', INTERNAL[s.type]); return; }
    if (!c) { this.h.notValid('insertChild-child', child); return; }
    if (!this.h.canWrite('insertChild')) return;
    if (!this.h.canModifyPage('insertChild', this.$page, pageOfProxy(child)!)) return;
    if (this.doc.inCopy(s) || this.doc.hasCopyParent(c)) { this.h.notValid('insertChild', 'Cannot change the structure of a component copy'); return; }
    if (typeof index !== 'number' || !Number.isFinite(index)) throw new Error(`fake: insertChild index must be a finite number, got ${String(index)} (Penpot does not check it)`);
    const internal = !this.h.flags.naturalChildOrdering || reversed ? s.children.length - index : index;
    this.h.mutate('insertChild', () => this.doc.relocate([c.id], s.id, internal));
  }

  makeMask(): void {
    const s = this.s;
    if (s.type !== 'group') { this.h.notValid('makeMask', INTERNAL[s.type]); return; }
    if (!this.h.canWrite('makeMask')) return;
    if (!this.active('makeMask')) return;
    this.h.mutate('makeMask', () => {
      s.masked = true;
      for (const k of this.doc.kids(s)) (k.constraintsH = 'scale'), (k.constraintsV = 'scale');
    });
  }

  removeMask(): void {
    const s = this.s;
    if (!(s.type === 'group' && s.masked)) { this.h.notValid('removeMask', INTERNAL[s.type]); return; }
    if (!this.h.canWrite('removeMask')) return;
    if (!this.active('removeMask')) return;
    this.h.mutate('removeMask', () => (s.masked = false));
  }

  isMask(): boolean {
    const s = this.s;
    return s.type === 'group' && s.masked;
  }

  toD(): string | undefined {
    const s = this.s;
    if (s.type !== 'path') return this.h.notValid('toD', INTERNAL[s.type]);
    return serializePath(s.content ?? []);
  }

  addFlexLayout(): FlexProxy | undefined {
    const s = this.s;
    if (s.type !== 'board') return this.h.notValid('addFlexLayout', INTERNAL[s.type]);
    if (!this.h.canWrite('addFlexLayout')) return undefined;
    if (!this.active('addFlexLayout')) return undefined;
    this.h.mutate('addFlexLayout', () => {
      s.flex = { dir: 'row', wrap: 'nowrap', alignItems: 'start', alignContent: 'stretch', justifyItems: 'start', justifyContent: 'start', rowGap: 0, columnGap: 0, padding: [0, 0, 0, 0] };
      for (const k of this.doc.kids(s)) (k.constraintsH = null), (k.constraintsV = null);
    });
    return new FlexProxy(this.h, this.$page, s.id);
  }

  /**
   * export: Penpot validates {type, scale, suffix}; the fake renders PNG only (exportPng).
   * Penpot's plugin export ignores skipChildren. No page guard: the exporter renders the
   * persisted file at the proxy's page, so shapes of any page export.
   */
  export(config: { type: string; scale?: number; suffix?: string; skipChildren?: boolean }): Promise<Uint8Array> | undefined {
    const value = { type: get(config, 'type'), scale: get(config, 'scale') ?? 1, suffix: get(config, 'suffix') ?? '' };
    if (!(typeof value.type === 'string' && ['png', 'jpeg', 'webp', 'svg', 'pdf'].includes(value.type) && isSafeNumber(value.scale) && typeof value.suffix === 'string')) {
      return this.h.notValid('export', value);
    }
    const s = this.s;
    const snapshotId = s.id;
    return new Promise((resolve, reject) => {
      setTimeout(() => {
        try {
          if (value.type !== 'png') throw new Error(`fake: export type "${value.type}" is not emulated (only png)`);
          if (!((value.scale as number) > 0)) throw new Error(`fake: export scale ${value.scale} would make an empty image`);
          if (!this.doc.has(snapshotId)) throw new Error(`fake: shape ${snapshotId} was removed before the export ran`);
          const r = exportPng(this.doc, this.doc.get(snapshotId), value.scale as number, this.h.maxExportPixels);
          this.h.exportLog.push({ shapeId: snapshotId, pageId: this.$page, scale: value.scale as number, width: r.rgba.width, height: r.rgba.height, box: r.box, notDrawn: r.notDrawn });
          resolve(r.png);
        } catch (e) {
          reject(e);
        }
      }, 0);
    });
  }
}

/** Members of the Penpot Shape interfaces the fake does not emulate: using them throws. */
const NOT_EMULATED_SHAPE = [
  'tokens',
  'applyToken',
  'interactions',
  'addInteraction',
  'removeInteraction',
  'componentRefShape',
  'componentRoot',
  'componentHead',
  'component',
  'detach',
  'swapComponent',
  'resetOverrides',
  'switchVariant',
  'combineAsVariants',
  'backgroundBlur',
  'addGridLayout',
  'addRulerGuide',
  'removeRulerGuide',
  'getRange',
  'applyTypography',
];
for (const name of NOT_EMULATED_SHAPE) {
  Object.defineProperty(ShapeProxy.prototype, name, {
    get() {
      return notEmulated(`Shape.${name}`);
    },
    set() {
      notEmulated(`Shape.${name}`);
    },
    configurable: true,
  });
}

/** children getter/setter (boards, groups). */
function childrenOf(p: ShapeProxy): ShapeProxy[] {
  const h = p.$host;
  const s = h.file.page(p.$page).get(p.$id);
  const ids = h.flags.naturalChildOrdering && s.flex ? [...s.children].reverse() : s.children;
  return ids.map((id) => shapeProxy(h, p.$page, id));
}

function setChildren(p: ShapeProxy, children: unknown): void {
  const h = p.$host;
  const doc = h.file.page(p.$page);
  const s = doc.get(p.$id);
  const arr = Array.isArray(children) ? children : [];
  const shapes = arr.map((c) => unwrap(h, c));
  const valid = Array.isArray(children) && shapes.every((x) => x !== null);
  const ids = valid ? (h.flags.naturalChildOrdering ? [...shapes].reverse() : shapes).map((x) => x!.id) : [];
  if (!h.canWrite('children')) return;
  if (!h.canModifyPage('children', p.$page)) return;
  if (!valid) { h.notValid('children', 'Every children needs to be shape proxies'); return; }
  if (doc.inCopy(s)) { h.notValid('children', 'Cannot change the structure of a component copy'); return; }
  if (new Set(ids).size !== s.children.length || !ids.every((id) => s.children.includes(id))) { h.notValid('children', 'Not all children are present in the input'); return; }
  h.mutate('children', () => (s.children = ids));
}

export class BoardProxy extends ShapeProxy {
  override get isContainer(): boolean {
    return true;
  }
  get children(): ShapeProxy[] {
    return childrenOf(this);
  }
  set children(v: ShapeProxy[]) {
    setChildren(this, v);
  }
  get clipContent(): boolean {
    return this.s.clipContent;
  }
  set clipContent(v: boolean) {
    this.write('clipContent', v, typeof v === 'boolean', (s) => (s.clipContent = v));
  }
  get showInViewMode(): boolean {
    return this.s.showInViewMode;
  }
  set showInViewMode(v: boolean) {
    this.write('showInViewMode', v, typeof v === 'boolean', (s) => (s.showInViewMode = v));
  }
  get flex(): FlexProxy | null {
    return this.s.flex ? new FlexProxy(this.h, this.$page, this.$id) : null;
  }
  get grid(): null {
    return null;
  }
  get guides(): never {
    return notEmulated('Board.guides');
  }
  get rulerGuides(): never {
    return notEmulated('Board.rulerGuides');
  }
  get horizontalSizing(): string {
    return 'fix';
  }
  set horizontalSizing(v: string) {
    if (v !== 'fix') notEmulated(`Board.horizontalSizing = "${v}"`);
  }
  get verticalSizing(): string {
    return 'fix';
  }
  set verticalSizing(v: string) {
    if (v !== 'fix') notEmulated(`Board.verticalSizing = "${v}"`);
  }
  isVariantContainer(): boolean {
    return false;
  }
}

export class GroupProxy extends ShapeProxy {
  override get isContainer(): boolean {
    return true;
  }
  get children(): ShapeProxy[] {
    return childrenOf(this);
  }
  set children(v: ShapeProxy[]) {
    setChildren(this, v);
  }
}

export class RectangleProxy extends ShapeProxy {}
export class EllipseProxy extends ShapeProxy {}

export class TextProxy extends ShapeProxy {
  get characters(): string {
    return this.s.text ?? '';
  }
  set characters(v: string) {
    this.write('characters', v, typeof v === 'string' && v !== '', (s) => (s.text = v));
  }
}

export class PathProxy extends ShapeProxy {
  get d(): string {
    return serializePath(this.s.content ?? []);
  }
  set d(value: string) {
    if (!this.h.canWrite('content')) return;
    if (!this.active('content')) return;
    if (typeof value !== 'string') { this.h.notValid('content', value); return; }
    if (value === '') { this.h.notValid('content', value); return; }
    const content = parsePathData(value); // throws PathSyntaxError ("fake: …") on bad data
    const s = this.s;
    // Penpot keeps :transform / :rotation as they were here; the fake resets them so the
    // stored geometry stays consistent (the new content is absolute page coordinates).
    this.h.mutate('content', () => this.doc.setContent(s, content));
  }
  get content(): string {
    return this.d;
  }
  set content(value: string) {
    this.d = value;
  }
  get commands(): ReturnType<typeof formatCommands> {
    return formatCommands(this.s.content ?? []);
  }
  set commands(value: unknown) {
    if (!this.h.canWrite('content')) return;
    if (!this.active('content')) return;
    const segs = parseCommands(value);
    if (!segs) { this.h.notValid('content', value); return; }
    const s = this.s;
    this.h.mutate('content', () => this.doc.setContent(s, segs));
  }
}

// ---------------------------------------------------------------- fills

/** format-fills with a commit function: live fill proxies whose setters commit the whole array. */
function makeFills(h: Host, page: string, id: string): FillProxy[] {
  const s = h.file.page(page).get(id);
  const arr: FillProxy[] = [];
  const commit = () => commitFills(h, page, id, arr);
  for (const f of s.fills) arr.push(new FillProxy(h, structuredClone(f), commit));
  return arr;
}

/** commit-fills!: value check, the page guard, then (not for text) content:write. */
export function commitFills(h: Host, page: string, id: string, value: unknown): void {
  const s = h.file.page(page).get(id);
  const parsed = Array.isArray(value) ? value.map(parseFill) : null;
  if (!parsed || !parsed.every(validFill)) { h.notValid('fills', parsed ?? value); return; }
  if (!h.canModifyPage('fills', page)) return;
  if (s.type !== 'text' && !h.canWrite('fills')) return;
  for (const f of parsed) {
    const img = f!.fillImage as ImageRef | undefined;
    if (img && !h.file.media.has(img.id)) {
      throw new Error(`fake: fillImage ${img.id} was not returned by uploadMediaData of this fake (Penpot would store it and render a broken image)`);
    }
  }
  if (s.type === 'group') h.file.warnings.push(`fills set on group ${id}: Penpot stores them but never draws group fills`);
  h.mutate('fills', () => (s.fills = parsed as FillState[]));
}

export class FillProxy {
  constructor(
    private readonly h: Host,
    private readonly state: FillState,
    private readonly onChange: () => void,
  ) {}
  get fillColor(): string | undefined {
    return this.state.fillColor;
  }
  set fillColor(v: string | undefined) {
    this.state.fillColor = v;
    delete this.state.fillColorGradient;
    delete this.state.fillImage;
    this.onChange();
  }
  get fillOpacity(): number | undefined {
    return this.state.fillOpacity;
  }
  set fillOpacity(v: number | undefined) {
    this.state.fillOpacity = v;
    this.onChange();
  }
  get fillColorGradient(): GradientState | undefined {
    return this.state.fillColorGradient ? structuredClone(this.state.fillColorGradient) : undefined;
  }
  set fillColorGradient(v: GradientState | undefined) {
    this.state.fillColorGradient = parseGradient(v) as GradientState | undefined;
    delete this.state.fillColor;
    delete this.state.fillImage;
    this.onChange();
  }
  get fillColorRefFile(): string | undefined {
    return this.state.fillColorRefFile;
  }
  set fillColorRefFile(v: string | undefined) {
    this.state.fillColorRefFile = v;
    this.onChange();
  }
  get fillColorRefId(): string | undefined {
    return this.state.fillColorRefId;
  }
  set fillColorRefId(v: string | undefined) {
    this.state.fillColorRefId = v;
    this.onChange();
  }
  get fillImage(): ImageDataLike | undefined {
    const i = this.state.fillImage;
    return i ? imageData(i, this.h.file.media.get(i.id)) : undefined;
  }
  set fillImage(v: ImageDataLike | undefined) {
    this.state.fillImage = parseImageData(v) as ImageRef | undefined;
    delete this.state.fillColor;
    delete this.state.fillColorGradient;
    this.onChange();
  }
  toJSON(): FillState {
    return structuredClone(this.state);
  }
}

// ---------------------------------------------------------------- layout

const DIRS = new Set(['row', 'row-reverse', 'column', 'column-reverse']);
const ALIGN_ITEMS = new Set(['start', 'end', 'center', 'stretch']);
const JUSTIFY = new Set(['start', 'center', 'end', 'space-between', 'space-around', 'space-evenly', 'stretch']);

export class FlexProxy {
  constructor(
    private readonly h: Host,
    private readonly page: string,
    private readonly id: string,
  ) {}
  private get doc(): FakeDoc {
    return this.h.file.page(this.page);
  }
  private get f(): FlexState {
    const s = this.doc.get(this.id);
    if (!s.flex) throw new Error(`fake: board ${this.id} has no flex layout any more`);
    return s.flex;
  }
  /** flex.cljs setters: value, content:write, page guard. */
  private set(code: string, value: unknown, valid: boolean, op: (f: FlexState) => void): void {
    if (!valid) { this.h.notValid(code, value); return; }
    if (!this.h.canWrite(code)) return;
    if (!this.h.canModifyPage(code, this.page)) return;
    this.h.mutate(code, () => op(this.f));
  }
  get dir(): string {
    return this.f.dir;
  }
  set dir(v: string) {
    this.set('dir', v, DIRS.has(v), (f) => (f.dir = v as FlexState['dir']));
  }
  get wrap(): string {
    return this.f.wrap;
  }
  set wrap(v: string) {
    if (v === 'wrap') notEmulated('FlexLayout.wrap = "wrap"');
    this.set('wrap', v, v === 'nowrap', (f) => (f.wrap = 'nowrap'));
  }
  get alignItems(): string {
    return this.f.alignItems;
  }
  set alignItems(v: string) {
    this.set('alignItems', v, ALIGN_ITEMS.has(v), (f) => (f.alignItems = v as FlexState['alignItems']));
  }
  get justifyContent(): string {
    return this.f.justifyContent;
  }
  set justifyContent(v: string) {
    this.set('justifyContent', v, JUSTIFY.has(v), (f) => (f.justifyContent = v));
  }
  get alignContent(): string {
    return this.f.alignContent;
  }
  get justifyItems(): string {
    return this.f.justifyItems;
  }
  get rowGap(): number {
    return this.f.rowGap;
  }
  set rowGap(v: number) {
    this.set('rowGap', v, isSafeNumber(v), (f) => (f.rowGap = v));
  }
  get columnGap(): number {
    return this.f.columnGap;
  }
  set columnGap(v: number) {
    this.set('columnGap', v, isSafeNumber(v), (f) => (f.columnGap = v));
  }
  get verticalPadding(): number {
    return this.f.padding[0];
  }
  set verticalPadding(v: number) {
    this.set('verticalPadding', v, isSafeNumber(v), (f) => ((f.padding[0] = v), (f.padding[2] = v)));
  }
  get horizontalPadding(): number {
    return this.f.padding[1];
  }
  set horizontalPadding(v: number) {
    this.set('horizontalPadding', v, isSafeNumber(v), (f) => ((f.padding[1] = v), (f.padding[3] = v)));
  }
  get topPadding(): number {
    return this.f.padding[0];
  }
  set topPadding(v: number) {
    this.set('topPadding', v, isSafeNumber(v), (f) => (f.padding[0] = v));
  }
  get rightPadding(): number {
    return this.f.padding[1];
  }
  set rightPadding(v: number) {
    this.set('rightPadding', v, isSafeNumber(v), (f) => (f.padding[1] = v));
  }
  get bottomPadding(): number {
    return this.f.padding[2];
  }
  set bottomPadding(v: number) {
    this.set('bottomPadding', v, isSafeNumber(v), (f) => (f.padding[2] = v));
  }
  get leftPadding(): number {
    return this.f.padding[3];
  }
  set leftPadding(v: number) {
    this.set('leftPadding', v, isSafeNumber(v), (f) => (f.padding[3] = v));
  }
  get horizontalSizing(): string {
    return 'fix';
  }
  get verticalSizing(): string {
    return 'fix';
  }
  /** flex.appendChild: no content:write check in Penpot; page guard on both pages; internal index count (or 0 with natural ordering). */
  appendChild(child: unknown): void {
    const doc = this.doc;
    const s = doc.get(this.id);
    const c = unwrap(this.h, child);
    if (!c) { this.h.notValid('appendChild', child); return; }
    if (!this.h.canModifyPage('appendChild', this.page, pageOfProxy(child)!)) return;
    if (doc.inCopy(s) || doc.hasCopyParent(c)) { this.h.notValid('appendChild', 'Cannot change the structure of a component copy'); return; }
    const reverse = s.flex!.dir.endsWith('reverse');
    const index = this.h.flags.naturalChildOrdering && !reverse ? 0 : s.children.length;
    this.h.mutate('flex.appendChild', () => doc.relocate([c.id], s.id, index));
  }
  /** remove-layout: no page guard in Penpot (it updates the active page's objects). */
  remove(): void {
    if (!this.h.canWrite('remove')) return;
    if (!this.h.unguardedOnActivePage('flex.remove', this.page, this.id)) return;
    this.h.mutate('flex.remove', () => (this.doc.get(this.id).flex = null));
  }
}

export class LayoutChildProxy {
  constructor(
    private readonly h: Host,
    private readonly page: string,
    private readonly id: string,
  ) {}
  private get s(): ShapeState {
    return this.h.file.page(this.page).get(this.id);
  }
  get absolute(): boolean {
    return this.s.layoutAbsolute;
  }
  set absolute(v: boolean) {
    if (typeof v !== 'boolean') { this.h.notValid('absolute', v); return; }
    if (!this.h.canWrite('absolute')) return;
    if (!this.h.canModifyPage('absolute', this.page)) return;
    this.h.mutate('layoutChild.absolute', () => (this.s.layoutAbsolute = v));
  }
  get zIndex(): number {
    return this.s.layoutZIndex;
  }
  set zIndex(v: number) {
    if (!isSafeInt(v)) { this.h.notValid('zIndex', v); return; }
    if (!this.h.canWrite('zIndex')) return;
    if (!this.h.canModifyPage('zIndex', this.page)) return;
    this.h.mutate('layoutChild.zIndex', () => (this.s.layoutZIndex = v));
  }
  get horizontalSizing(): string {
    return 'fix';
  }
  get verticalSizing(): string {
    return 'fix';
  }
  get alignSelf(): string {
    return 'auto';
  }
}
for (const name of ['horizontalMargin', 'verticalMargin', 'topMargin', 'rightMargin', 'bottomMargin', 'leftMargin', 'maxWidth', 'maxHeight', 'minWidth', 'minHeight']) {
  Object.defineProperty(LayoutChildProxy.prototype, name, {
    get() {
      return name.endsWith('Margin') ? 0 : null;
    },
    set() {
      notEmulated(`LayoutChildProperties.${name}`);
    },
    configurable: true,
  });
}

// ---------------------------------------------------------------- page & file

/**
 * page.cljs: a proxy of one page (any page of the file, active or not). Reads (root,
 * getShapeById, findShapes) work on any page and hand out proxies bound to it; renaming needs
 * no active page; openPage(newWindow) navigates (see Host.openPage).
 */
export class PageProxy {
  readonly $host!: Host;
  readonly $id!: string;
  constructor(h: Host, id: string) {
    Object.defineProperty(this, '$host', { value: h, enumerable: false });
    Object.defineProperty(this, '$id', { value: id, enumerable: false });
  }
  private get h(): Host {
    return this.$host;
  }
  private get doc(): FakeDoc {
    return this.h.file.page(this.$id);
  }
  get id(): string {
    return this.$id;
  }
  get name(): string {
    return this.doc.pageName;
  }
  set name(v: string) {
    if (typeof v !== 'string' || v.trim() === '') { this.h.notValid('name', v); return; }
    if (!this.h.canWrite('name')) return;
    const doc = this.doc;
    this.h.mutate('page.name', () => (doc.pageName = v));
  }
  /** Page.root has no permission check of its own (penpot.root / currentPage do). */
  get root(): ShapeProxy {
    return shapeProxy(this.h, this.$id, ROOT_ID);
  }
  getShapeById(id: string): ShapeProxy | null {
    if (typeof id !== 'string') return this.h.notValid('getShapeById', id) ?? null;
    return this.doc.has(id) ? shapeProxy(this.h, this.$id, id) : null;
  }
  findShapes(criteria?: { name?: string; nameLike?: string; type?: string }): ShapeProxy[] {
    const name = criteria?.name?.toLowerCase();
    const like = criteria?.nameLike?.toLowerCase();
    const type = criteria?.type;
    return [...this.doc.shapes.values()]
      .filter((s) => (!name || s.name.toLowerCase() === name) && (!like || s.name.toLowerCase().includes(like)) && (!type || s.type === type))
      .map((s) => shapeProxy(this.h, this.$id, s.id));
  }
  /**
   * page.cljs :openPage: content:read through r/check-permission (not-valid, not a throw);
   * then as penpot.openPage. No default here: only `true` opens a new window.
   */
  openPage(newWindow?: boolean): Promise<void> | undefined {
    if (!this.h.has('content:read')) return this.h.notValid('openPage', "Plugin doesn't have 'content:read' permission");
    return this.h.openPage(this.$id, newWindow);
  }
}
for (const name of ['rulerGuides', 'flows', 'remove', 'createFlow', 'removeFlow', 'addRulerGuide', 'removeRulerGuide', 'addCommentThread', 'removeCommentThread', 'findCommentThreads', 'getPluginData', 'setPluginData', 'getPluginDataKeys', 'getSharedPluginData', 'setSharedPluginData', 'getSharedPluginDataKeys', 'background']) {
  Object.defineProperty(PageProxy.prototype, name, {
    get() {
      return notEmulated(`Page.${name}`);
    },
    configurable: true,
  });
}

export class FileProxy {
  constructor(private readonly h: Host) {}
  get id(): string {
    return this.h.file.id;
  }
  get name(): string {
    return this.h.file.name;
  }
  get revn(): number {
    return this.h.file.revn;
  }
  /** file.cljs :pages: a proxy per page of the file, in file order. */
  get pages(): PageProxy[] {
    return harden(this.h.file.pages.map((p) => new PageProxy(this.h, p.pageId)));
  }
}
for (const name of ['export', 'findVersions', 'saveVersion', 'validate', 'getPluginData', 'setPluginData', 'getPluginDataKeys', 'getSharedPluginData', 'setSharedPluginData', 'getSharedPluginDataKeys']) {
  Object.defineProperty(FileProxy.prototype, name, {
    get() {
      return notEmulated(`File.${name}`);
    },
    configurable: true,
  });
}

