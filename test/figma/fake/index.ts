/** A faithful fake of Figma's plugin API (main thread) for tests and the browser harness. */
export { createFakeFigma, FakeClientStorage, UiEnd } from './figma.js';
export type { FakeFigma, FakeFigmaOptions, Notification } from './figma.js';
export { FakeDoc } from './doc.js';
export type { FaultOp, FakeOptions } from './doc.js';
export { FDocument, FEllipse, FFrame, FGroup, FNode, FPage, FRectangle, FScene, FText, FVector } from './nodes.js';
export type { FakeType, NodeState } from './nodes.js';
export { parseStrict as parseVectorPath } from './paths.js';
export * from './build.js';
