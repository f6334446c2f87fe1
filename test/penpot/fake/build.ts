/**
 * Scene builders for tests and the browser harness: what the user has in the document before
 * the plugin runs. They work on the fake's document directly (no permission checks, no undo
 * entries, no events) and return the shape proxies the plugin would see.
 *
 * Boxes are given as the UNROTATED box (x, y = its top-left corner, width, height) plus a
 * rotation in degrees about its centre and flips, i.e. local → page =
 * T(x + w/2, y + h/2) · R(rotation) · S(flipX ? −1 : 1, flipY ? −1 : 1) · T(−w/2, −h/2).
 * (The plugin API's shape.x / shape.y are then the axis-aligned bounds' corner, see geometry.ts.)
 *
 * Pages: shapes go on `page` (a page from addPage / fake.pages / penpot.currentFile.pages, or
 * its id), else on their `parent`'s page, else on the fake's first page (fake.doc) — whichever
 * page is active. addPage adds a page (not opened).
 */
import type { Board, Group, Page, Path, Shape, Text } from '@penpot/plugin-types';
import type { FakeDoc, ShapeState, ShapeType } from './doc.js';
import { geomFromBox, mod360 } from './geometry.js';
import type { FakePenpot, PageRef } from './penpot.js';
import { type ImageDataLike, PageProxy, imageData, pageOfProxy, shapeProxy, unwrap } from './proxies.js';
import { sniffMime } from './media.js';
import { parsePathData } from './svgpath.js';

export { coordinatePixel, coordinatePng, decodeCoordinate, rgba, solidPng } from '../../figma/fake/build.js';

export interface BoxSpec {
  x?: number;
  y?: number;
  width: number;
  height: number;
  /** Degrees, clockwise on screen, about the box centre. */
  rotation?: number;
  flipX?: boolean;
  flipY?: boolean;
  name?: string;
  /** A board or group to put the shape in (on top of its children). Default: the page root. */
  parent?: Shape;
  /** The page (default: the parent's page, else the first page). */
  page?: PageRef | Page;
  opacity?: number;
  hidden?: boolean;
  /** Locked (Penpot's `blocked`). */
  blocked?: boolean;
  /**
   * Override what Penpot's API will REPORT as rotation / flipX / flipY, keeping the real
   * orientation: e.g. a shape the user turned by 180° in one go is drawn as R(180) but reports
   * { rotation: 180, flipX: true, flipY: true } (see geometry.ts).
   */
  reports?: { rotation?: number; flipX?: boolean; flipY?: boolean };
}

function place<T = Shape>(fake: FakePenpot, doc: FakeDoc, s: ShapeState, spec: BoxSpec): T {
  s.g = geomFromBox(spec.x ?? 0, spec.y ?? 0, spec.width, spec.height, spec.rotation ?? 0, spec.flipX ?? false, spec.flipY ?? false);
  if (spec.reports) {
    if (spec.reports.rotation !== undefined) s.g.rotation = mod360(spec.reports.rotation);
    if (spec.reports.flipX !== undefined) s.g.flipX = spec.reports.flipX;
    if (spec.reports.flipY !== undefined) s.g.flipY = spec.reports.flipY;
  }
  if (spec.name !== undefined) s.name = spec.name;
  if (spec.opacity !== undefined) s.opacity = spec.opacity;
  if (spec.hidden !== undefined) s.hidden = spec.hidden;
  if (spec.blocked !== undefined) s.blocked = spec.blocked;
  if (spec.parent) {
    const p = unwrap(fake.host, spec.parent);
    if (!p) throw new Error('fake build: parent is not a shape of this fake');
    doc.relocate([s.id], p.id, null);
  }
  doc.relayout();
  return shapeProxy(fake.host, doc.pageId, s.id) as unknown as T;
}

/** The page a builder works on: `page`, else the parent's page, else the first page. */
function docOf(fake: FakePenpot, spec: { page?: PageRef | Page; parent?: Shape } = {}): FakeDoc {
  const parentPage = spec.parent ? pageOfProxy(spec.parent) : null;
  if (spec.parent && (!parentPage || !unwrap(fake.host, spec.parent))) throw new Error('fake build: parent is not a shape of this fake');
  const doc = spec.page !== undefined ? fake.page(spec.page as PageRef) : parentPage ? fake.page(parentPage) : fake.doc;
  if (parentPage && parentPage !== doc.pageId) throw new Error('fake build: the parent is on another page');
  return doc;
}

/** A new page at the end of the file (the user's "Add page"; not opened). Default name "Page N". */
export function addPage(fake: FakePenpot, name?: string): Page {
  return new PageProxy(fake.host, fake.addPage(name).pageId) as unknown as Page;
}

/** Media the user already has in the file (an upload without the plugin's permission check). */
export function addImage(fake: FakePenpot, bytes: Uint8Array, mimeType?: string, name = 'image'): ImageDataLike {
  const mt = mimeType ?? sniffMime(bytes) ?? 'application/octet-stream';
  const m = fake.file.media.upload(name, bytes, mt);
  return imageData({ id: m.id, name: m.name, width: m.width, height: m.height, mtype: m.mtype }, m);
}

export interface ImageShapeSpec extends BoxSpec {
  /** PNG/JPEG bytes (uploaded), or an ImageData from addImage / uploadMediaData. */
  bytes?: Uint8Array;
  image?: ImageDataLike;
  /** Cover (true) or stretch (false, default) — the fill's keepAspectRatio. */
  keepAspectRatio?: boolean;
  type?: 'rectangle' | 'ellipse' | 'board';
  /**
   * Penpot sets shapes created with only image fills up with proportionLock true and
   * proportion = width / height (gpr/setup-proportions); default true, like a dropped image.
   */
  proportionLock?: boolean;
}

/** A shape filled with an image, as the user would have it. */
export function imageShape(fake: FakePenpot, spec: ImageShapeSpec): Shape {
  const img = spec.image ?? (spec.bytes ? addImage(fake, spec.bytes) : undefined);
  if (!img) throw new Error('fake build: imageShape needs bytes or image');
  const doc = docOf(fake, spec);
  const s = doc.create(spec.type ?? 'rectangle');
  s.name = 'Image';
  const ref = { id: img.id, width: img.width, height: img.height, mtype: img.mtype ?? 'image/png', name: img.name };
  s.fills = [{ fillOpacity: 1, fillImage: spec.keepAspectRatio === undefined ? ref : { ...ref, keepAspectRatio: spec.keepAspectRatio } }];
  s.proportionLock = spec.proportionLock ?? true;
  s.proportion = spec.width / spec.height;
  if (spec.type === 'board') s.clipContent = true;
  return place(fake, doc, s, spec);
}

/** A solid-colour rectangle (or ellipse). */
export function colorShape(fake: FakePenpot, spec: BoxSpec & { color?: string; type?: 'rectangle' | 'ellipse' }): Shape {
  const doc = docOf(fake, spec);
  const s = doc.create(spec.type ?? 'rectangle');
  s.fills = [{ fillColor: (spec.color ?? '#ff0000').toLowerCase(), fillOpacity: 1 }];
  return place(fake, doc, s, spec);
}

export interface BoardSpec extends BoxSpec {
  clipContent?: boolean;
  /** Fill colour, or null for no fill (default white, like Penpot). */
  color?: string | null;
  /** Give the board a flex layout (row, no gaps, no padding). */
  flex?: boolean;
}

export function board(fake: FakePenpot, spec: BoardSpec): Board {
  const doc = docOf(fake, spec);
  const s = doc.create('board');
  if (spec.clipContent !== undefined) s.clipContent = spec.clipContent;
  if (spec.color === null) s.fills = [];
  else if (spec.color) s.fills = [{ fillColor: spec.color.toLowerCase(), fillOpacity: 1 }];
  if (spec.flex) {
    s.flex = { dir: 'row', wrap: 'nowrap', alignItems: 'start', alignContent: 'stretch', justifyItems: 'start', justifyContent: 'start', rowGap: 0, columnGap: 0, padding: [0, 0, 0, 0] };
  }
  return place<Board>(fake, doc, s, spec);
}

/** Groups existing shapes (Penpot's group rules: see FakeDoc.group); optionally as a mask group. */
export function group(fake: FakePenpot, children: readonly Shape[], opts: { name?: string; mask?: boolean } = {}): Group {
  const pages = new Set(children.map((c) => pageOfProxy(c)));
  if (pages.size !== 1) throw new Error('fake build: group children must be shapes of one page');
  const doc = fake.page([...pages][0]!);
  const ids = children.map((c) => {
    const s = unwrap(fake.host, c);
    if (!s) throw new Error('fake build: group child is not a shape of this fake');
    return s.id;
  });
  const g = doc.group(ids, opts.name ?? (opts.mask ? 'Mask' : 'Group'));
  if (!g) throw new Error('fake build: nothing to group');
  if (opts.mask) g.masked = true;
  doc.relayout();
  return shapeProxy(fake.host, doc.pageId, g.id) as unknown as Group;
}

/** A path from SVG path data (absolute page coordinates). */
export function pathShape(fake: FakePenpot, d: string, spec: { name?: string; parent?: Shape; color?: string; page?: PageRef | Page } = {}): Path {
  const doc = docOf(fake, spec);
  const s = doc.create('path');
  doc.setContent(s, parsePathData(d));
  if (spec.color) s.fills = [{ fillColor: spec.color.toLowerCase(), fillOpacity: 1 }];
  s.strokes = [];
  if (spec.name) s.name = spec.name;
  if (spec.parent) doc.relocate([s.id], unwrap(fake.host, spec.parent)!.id, null);
  doc.relayout();
  return shapeProxy(fake.host, doc.pageId, s.id) as unknown as Path;
}

/** A text shape (not an image; the fake never renders text). */
export function textShape(fake: FakePenpot, text: string, spec: { x?: number; y?: number; parent?: Shape; name?: string; page?: PageRef | Page } = {}): Text {
  const doc = docOf(fake, spec);
  const s = doc.create('text');
  s.text = text;
  s.name = spec.name ?? text;
  s.fills = [{ fillColor: '#000000', fillOpacity: 1 }];
  return place<Text>(fake, doc, s, { x: spec.x, y: spec.y, width: 8 * text.length, height: 16, parent: spec.parent, name: s.name });
}

/** Marks a shape and its subtree as a component copy (main: a main component instance). */
export function markComponent(fake: FakePenpot, shape: Shape, role: 'copy' | 'main'): void {
  const s = unwrap(fake.host, shape);
  if (!s) throw new Error('fake build: not a shape of this fake');
  const doc = fake.page(pageOfProxy(shape)!);
  s.componentRoot = true;
  for (const x of [s, ...doc.descendants(s)]) x.component = role;
}

export type { ShapeType };
