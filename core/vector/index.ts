export type { ClosedCurve, Contour, ContourSet, FrameTransform, VectorPath } from './types.js';
export { DIR_E, DIR_N, DIR_S, DIR_W } from './types.js';
export { checkMask, ContourScratch, contourAt, contourList, contourSetBytes, isFloatMap, pixelEdgePolygon, polylineArea, traceContours } from './contours.js';
export { fitPolygon } from './simplify.js';
export type { Polygon } from './simplify.js';
export { fitOutline } from './fit.js';
export type { FitOptions } from './fit.js';
export {
  countSegments,
  formatNumber,
  isValidPathData,
  parsePathData,
  pathData,
  PATH_DATA_PATTERN,
  toAffine,
  transformCurve,
} from './path.js';
export type { Affine } from './path.js';
export { toSvg } from './svg.js';
export type { SvgOptions } from './svg.js';
export { fillCurves, maskOverlap, rasterizePaths } from './rasterize.js';
export type { FillRule } from './rasterize.js';
export { DEFAULT_TRACE_OPTIONS, resolveTraceOptions, traceMask, traceOutlines } from './trace.js';
export type { TracedOutline, TraceOptions, TraceResult } from './trace.js';
