/**
 * A faithful fake of Penpot's plugin API (the `penpot` global) for tests and the browser
 * harness. Behaviour is taken from Penpot's source (penpot/penpot 66bb6a1, which released
 * @penpot/plugin-types 1.5.0); see the header of each module for what is enforced and why.
 */
export { createFakePenpot, PenpotUiEnd, PLUGIN_SANDBOX_GLOBALS } from './penpot.js';
export type { FakePenpot, FakePenpotOptions, PageRef, SceneDump, UiOpenCall } from './penpot.js';
export { FakeDoc, FakeFile, ROOT_ID, insertAt } from './doc.js';
export type { FileSnapshot, FillState, FlexState, ImageRef, ShapeState, ShapeType } from './doc.js';
export { Host, NotEmulatedError, ALL_PERMISSIONS } from './host.js';
export type { ExportLogEntry, Permission, UndoEntry } from './host.js';
export { MediaError, DEFAULT_MAX_UPLOAD_BYTES, IMAGE_TYPES } from './media.js';
export { BoardProxy, EllipseProxy, FillProxy, FlexProxy, GroupProxy, LayoutChildProxy, PageProxy, PathProxy, RectangleProxy, ShapeProxy, TextProxy } from './proxies.js';
export type { ImageDataLike } from './proxies.js';
export { exportBounds, exportPng, renderRgba } from './render.js';
export { parsePathData, serializePath, PathSyntaxError } from './svgpath.js';
export type { PathSeg } from './svgpath.js';
export * from './geometry.js';
export * from './build.js';
export { createCompartment, SES_INTRINSICS } from './sandbox.js';
export type { Compartment } from './sandbox.js';
