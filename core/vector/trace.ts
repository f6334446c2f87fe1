/**
 * Mask → vector paths, the pipeline entry. Named stages over plain data:
 *
 *   contours (contours.ts)  boundaries with nesting and orientation, sub-pixel for soft maps
 *   polygon  (simplify.ts)  straight edges crossing every sample's gate, caps kept square
 *   curves   (fit.ts)       corners kept, the rest smoothed into few cubics within tolerance
 *   output   (path.ts)      absolute M L C Z path data, optionally in a target frame
 *
 * One defaults object holds every knob; progress is reported in sub-ranges of [0, 1].
 */
import { ErrorCode, fail } from '../errors.js';
import type { FloatMap, GrayImage } from '../image/types.js';
import { contourAt, pixelEdgePolygon, traceContours } from './contours.js';
import { fitOutline } from './fit.js';
import { countSegments, pathData } from './path.js';
import { fitPolygon } from './simplify.js';
import type { ClosedCurve, Contour, FrameTransform, VectorPath } from './types.js';

/** Binary contours of at most this many cracks are drawn as their pixel outline. */
const TINY_CONTOUR = 8;

/** The pixel-edge outline of a contour as a closed curve of lines. */
function pixelOutline(c: Contour): ClosedCurve {
  const v = pixelEdgePolygon(c);
  const n = v.length >> 1;
  const coords = new Float64Array(n * 2);
  for (let i = 1; i < n; i++) {
    coords[(i - 1) * 2] = v[i * 2]!;
    coords[(i - 1) * 2 + 1] = v[i * 2 + 1]!;
  }
  coords[(n - 1) * 2] = v[0]!;
  coords[(n - 1) * 2 + 1] = v[1]!;
  return { x0: v[0]!, y0: v[1]!, kinds: new Uint8Array(n), coords };
}

export interface TraceOptions {
  /**
   * How far (px) the outline may pass from the mask edge where the mask is thick, measured along
   * the line between the two pixel centres on either side of the edge. Below 0.5 every pixel keeps
   * its side; the default 1 lets smooth curves through the pixel staircase (only pixels whose
   * centre lies within a fraction of a pixel of the true edge can change side) with few segments.
   */
  tolerance: number;
  /**
   * Allowance (px) for thin features — strokes and gaps at most 3 px across — growing linearly to
   * `tolerance` at 24 px. Below 0.5 thin structures stay pixel-exact. It is also the tolerance of
   * the polygon stage, the exact fallback wherever curves cannot follow.
   */
  thinTolerance: number;
  /**
   * Inside test. GrayImage: value ≥ threshold (0..255); FloatMap: value > threshold (logits).
   * 'auto': 128 for GrayImage, 0 for FloatMap.
   */
  threshold: number | 'auto';
  /** Parts and holes enclosing less than this many px² are dropped (0: keep everything). */
  minArea: number;
  /** 'compound': one even-odd path with every part and hole; 'per-part': one path per part (with its holes). */
  mode: 'compound' | 'per-part';
  /**
   * Corners: polygon vertices turning by at least this many degrees stay sharp; gentler ones are
   * smoothed into curves. 0 gives polygons only; 180 smooths everything the tolerance allows.
   */
  cornerAngle: number;
  /** Maps image pixels into a target frame (scale + offset or a 2×3 affine); null: image pixels. */
  transform: FrameTransform | null;
  /** Progress in [0, 1], called with 0 first and 1 last. */
  onProgress: ((fraction: number) => void) | null;
}

export const DEFAULT_TRACE_OPTIONS: Readonly<TraceOptions> = Object.freeze({
  tolerance: 1,
  thinTolerance: 0.45,
  threshold: 'auto',
  minArea: 0,
  mode: 'compound',
  cornerAngle: 60,
  transform: null,
  onProgress: null,
});

export interface TraceResult {
  paths: VectorPath[];
  /** Outer boundaries kept (islands inside holes count as parts). */
  parts: number;
  /** Hole boundaries kept. */
  holes: number;
  /** Lines + cubics over all paths. */
  segments: number;
  /** Size of the traced mask, px. */
  width: number;
  height: number;
}

/** One traced boundary, in image pixels. */
export interface TracedOutline {
  curve: ClosedCurve;
  hole: boolean;
  /** Index into the same outline list of the enclosing outline, or -1. */
  parent: number;
  depth: number;
  /** Area enclosed by the pixel-edge boundary, px² (positive). */
  area: number;
}

export function resolveTraceOptions(options?: Partial<TraceOptions>): TraceOptions {
  const o: TraceOptions = { ...DEFAULT_TRACE_OPTIONS };
  if (options) {
    for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  }
  if (typeof o.tolerance !== 'number' || !(o.tolerance > 0) || o.tolerance > 1000) {
    fail(ErrorCode.InvalidOption, `tolerance must be a number of pixels above 0 and at most 1000 (e.g. ${DEFAULT_TRACE_OPTIONS.tolerance}), got ${String(o.tolerance)}`);
  }
  if (typeof o.thinTolerance !== 'number' || !(o.thinTolerance > 0) || o.thinTolerance > 1000) {
    fail(ErrorCode.InvalidOption, `thinTolerance must be a number of pixels above 0 and at most 1000 (e.g. ${DEFAULT_TRACE_OPTIONS.thinTolerance}), got ${String(o.thinTolerance)}`);
  }
  if (o.threshold !== 'auto' && (typeof o.threshold !== 'number' || !Number.isFinite(o.threshold))) {
    fail(ErrorCode.InvalidOption, `threshold must be 'auto' or a finite number, got ${String(o.threshold)}`);
  }
  if (typeof o.minArea !== 'number' || !(o.minArea >= 0) || !Number.isFinite(o.minArea)) {
    fail(ErrorCode.InvalidOption, `minArea must be a number of px² ≥ 0 (0 keeps everything), got ${String(o.minArea)}`);
  }
  if (o.mode !== 'compound' && o.mode !== 'per-part') {
    fail(ErrorCode.InvalidOption, `mode must be 'compound' or 'per-part', got ${String(o.mode)}`);
  }
  if (typeof o.cornerAngle !== 'number' || !(o.cornerAngle >= 0 && o.cornerAngle <= 180)) {
    fail(ErrorCode.InvalidOption, `cornerAngle must be between 0 and 180 degrees, got ${String(o.cornerAngle)}`);
  }
  if (o.onProgress !== null && typeof o.onProgress !== 'function') fail(ErrorCode.InvalidOption, 'onProgress must be a function or null');
  return o;
}

/** Reports progress of a sub-range [a, b] of the whole, throttled to ~1% steps. */
function progressRange(cb: ((f: number) => void) | null, a: number, b: number): (f: number) => void {
  if (!cb) return () => {};
  let last = -1;
  return (f: number) => {
    const v = a + (b - a) * Math.min(1, Math.max(0, f));
    if (v - last >= 0.01 || f >= 1) {
      last = v;
      cb(v);
    }
  };
}

/** Traces every boundary into closed curves (image pixels), keeping nesting information. */
export function traceOutlines(mask: GrayImage | FloatMap, options?: Partial<TraceOptions>): TracedOutline[] {
  const o = resolveTraceOptions(options);
  return traceStages(mask, o);
}

function traceStages(mask: GrayImage | FloatMap, o: TraceOptions): TracedOutline[] {
  const cb = o.onProgress;
  cb?.(0);
  const set = traceContours(mask, o.threshold === 'auto' ? undefined : o.threshold);
  progressRange(cb, 0, 0.3)(1);
  const fitProgress = progressRange(cb, 0.3, 0.95);

  const n = set.count;
  const minArea = o.minArea;
  // Drop small parts and holes (and, with them, everything they enclose).
  const keep = new Int32Array(n).fill(-1);
  let total = 0;
  for (let k = 0; k < n; k++) {
    if (Math.abs(set.area[k]!) < minArea) continue;
    let p = set.parent[k]!;
    let ok = true;
    while (p >= 0) {
      if (Math.abs(set.area[p]!) < minArea) ok = false;
      p = set.parent[p]!;
    }
    if (ok) total += set.offsets[k + 1]! - set.offsets[k]!;
    if (ok) keep[k] = 0;
  }
  const outlines: TracedOutline[] = [];
  const cornerAngle = (o.cornerAngle * Math.PI) / 180;
  let done = 0;
  for (let k = 0; k < n; k++) {
    if (keep[k]! < 0) continue;
    const c = contourAt(set, k);
    const exact = Math.min(o.tolerance, o.thinTolerance);
    let curve: ClosedCurve;
    if (!c.subpixel && c.dirs.length <= TINY_CONTOUR) {
      // A few pixels (a speck, a pinhole): their own outline, corner to corner, is the answer.
      curve = pixelOutline(c);
    } else {
      const poly = fitPolygon(c, exact);
      curve = fitOutline(c, poly, { tolerance: o.tolerance, exactTolerance: exact, cornerAngle });
    }
    keep[k] = outlines.length;
    outlines.push({ curve, hole: c.hole, parent: c.parent, depth: c.depth, area: Math.abs(c.area) });
    done += c.dirs.length;
    fitProgress(done / total);
  }
  for (const ol of outlines) ol.parent = ol.parent >= 0 ? keep[ol.parent]! : -1;
  fitProgress(1);
  return outlines;
}

/** Traces a mask (binary GrayImage or soft FloatMap) into vector paths. */
export function traceMask(mask: GrayImage | FloatMap, options?: Partial<TraceOptions>): TraceResult {
  const o = resolveTraceOptions(options);
  const outlines = traceStages(mask, o);
  const paths: VectorPath[] = [];
  let parts = 0;
  let holes = 0;
  for (const ol of outlines) {
    if (ol.hole) holes++;
    else parts++;
  }
  const segments = countSegments(outlines.map((ol) => ol.curve));
  if (o.mode === 'compound') {
    if (outlines.length) paths.push({ windingRule: 'EVENODD', data: pathData(outlines.map((ol) => ol.curve), o.transform) });
  } else {
    const children = new Map<number, ClosedCurve[]>();
    outlines.forEach((ol) => {
      if (ol.hole && ol.parent >= 0) {
        const list = children.get(ol.parent) ?? [];
        list.push(ol.curve);
        children.set(ol.parent, list);
      }
    });
    outlines.forEach((ol, i) => {
      if (ol.hole) return;
      paths.push({ windingRule: 'EVENODD', data: pathData([ol.curve, ...(children.get(i) ?? [])], o.transform) });
    });
  }
  o.onProgress?.(1);
  return { paths, parts, holes, segments, width: mask.width, height: mask.height };
}
