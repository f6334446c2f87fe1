/**
 * The one protocol between an editor's main thread (plugin/figma, later other hosts) and the
 * plugin UI iframe (ui/). Both sides import these types; nothing else crosses the bridge.
 *
 * Geometry convention: everything the UI sends is in the SOURCE IMAGE's pixel space — the
 * pixels of the bytes it received for that source (x right, y down, origin top-left). The
 * host alone knows how those pixels sit on its canvas (fill mode, crop, transform, nesting)
 * and maps results back through the `SourceInfo.placement` it computed.
 *
 * Messages are plain data (structured clone): Uint8Array is fine, class instances are not.
 * Errors cross as `ErrorInfo` (code + message), never as Error objects.
 */
import type { ErrorInfo } from '../core/errors.js';
import type { CommandId } from './commands.js';
import { sanitizeTimings, type LearnedTimings } from './timings.js';

export const PROTOCOL_VERSION = 1;

export type { CommandId } from './commands.js';

/** The editors Cutout runs in (plugin/<host>). */
export type HostName = 'figma' | 'penpot';

export type Theme = 'light' | 'dark';

/** The kinds of result a cutout can be inserted as, in the order the UI offers them. */
export const OUTPUT_KINDS = ['cutout', 'vector-mask', 'outline'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

/**
 * The plugin window's size limits, CSS px. At the minimum every view still shows its primary
 * button (the UI's layout lets the content scroll, never the footer); the host clamps `resize`
 * to these and the UI's resize corner stops at them.
 */
export const MIN_UI_SIZE = { width: 300, height: 400 } as const;
export const MAX_UI_SIZE = { width: 1200, height: 1400 } as const;

/** One path of a vector result, in source-image pixels; data uses only absolute M L C Z. */
export interface VectorPathData {
  windingRule: 'EVENODD' | 'NONZERO';
  data: string;
}

/** An image layer the user can cut out from. */
export interface SourceInfo {
  /** The host's node id. */
  id: string;
  name: string;
  /** Pixel size of the image the host will send for this source. */
  width: number;
  height: number;
  /** 'fill': original bytes of a plain image fill; 'export': a rendering of the layer. */
  origin: 'fill' | 'export';
  /** Human-readable note when the host had to do something (e.g. downscaled a huge export). */
  note?: string;
  /**
   * The part of the image the layer actually shows, in image pixels: a FILL image overflows
   * its layer, a CROP shows a window of it. Absent = the whole image. The host clips cutouts
   * to it when inserting; the UI may dim what lies outside.
   */
  visible?: { x: number; y: number; width: number; height: number };
}

export interface Settings {
  output: OutputKind;
  modelId: string;
  /** Feather radius in source pixels. */
  feather: number;
  /** Tracing tolerance in source pixels (vector outputs). */
  smoothing: number;
  /** Hide the source layer after applying (never deleted). */
  hideSource: boolean;
  /** Batch: keep the largest part only / fill holes. */
  largestOnly: boolean;
  fillHoles: boolean;
  /** Batch strategy. */
  strategy: BatchStrategy;
  threshold: number;
  /** Batch: the salient (background-removal) model; the UI picks the registry default when absent. */
  salientModelId?: string;
  /** How long loading and analysis took here before: the progress bars' estimates (plugin/timings.ts). */
  timings?: LearnedTimings;
}

export const DEFAULT_SETTINGS: Settings = {
  output: 'cutout',
  modelId: 'slimsam-77-q8',
  feather: 0,
  smoothing: 1,
  hideSource: false,
  largestOnly: false,
  fillHoles: false,
  strategy: 'salient',
  threshold: 0.5,
};

/** A result to insert over a source, in source-image pixels. */
export interface ApplyPayload {
  sourceId: string;
  output: OutputKind;
  /** Name for the new layer(s), e.g. "Cutout of Photo". */
  name?: string;
  /** cutout: RGBA PNG of the region `rect` of the source image (may be downscaled). */
  png?: Uint8Array;
  /** Region of the source image the PNG covers (its pixel size may be smaller: ≤ 4096). */
  rect?: { x: number; y: number; width: number; height: number };
  /** vector-mask / outline: paths in source-image pixels. */
  paths?: VectorPathData[];
  hideSource: boolean;
  /** How the result was made, kept on it so "Edit cutout" can reopen it as it was. */
  edit?: EditState;
  /**
   * A result to replace ("Edit cutout"): the new one takes its place in the layer list (same
   * parent, same position) in the same undo step; the old one goes only once the new exists.
   */
  replaceId?: string;
}

/** The most points an edit state keeps (the CLI's limit too): bounds the data on a layer. */
export const MAX_EDIT_POINTS = 1000;

/**
 * What a result remembers of how it was made, in source-image pixels: enough for "Edit
 * cutout" to restore the prompt, the chosen mask and the settings over the same image.
 */
export interface EditState {
  version: 1;
  sourceId: string;
  /** The source pixels the result was made from: size and a hash of the bytes the UI got. */
  image: { width: number; height: number; hash: string };
  points: Array<{ x: number; y: number; label: 0 | 1 }>;
  box?: { x0: number; y0: number; x1: number; y1: number };
  /** The chosen candidate mask. */
  candidate: number;
  output: OutputKind;
  feather: number;
  smoothing: number;
  modelId: string;
}

/** The result "Edit cutout" was started on, and what it remembers. */
export interface EditTarget {
  resultId: string;
  /** The result's layer name, for the UI to say what Apply replaces. */
  resultName: string;
  state: EditState;
  /** The source layer is no longer in the file: nothing can be restored over it. */
  sourceMissing?: boolean;
}

/** One layer of a split (an object, or the background): a cutout PNG or vector paths, in source-image pixels. */
export interface SplitLayer {
  /** The layer's name (the UI names objects by position and size). */
  name: string;
  /** cutout: RGBA PNG of the region `rect` of the source image (may be downscaled). */
  png?: Uint8Array;
  rect?: { x: number; y: number; width: number; height: number };
  /** vector-mask: the object's outline; the layer is a mask group with a copy of the source inside. */
  paths?: VectorPathData[];
}

/**
 * "Split into layers": one group above the source holding the objects, TOP-FIRST (the UI puts
 * smaller objects above larger ones), then the background (the source with the objects made
 * transparent; absent when the objects cover everything). The source is never changed.
 */
export interface SplitPayload {
  sourceId: string;
  output: 'cutout' | 'vector-mask';
  /** The group's name (default: "Layers – <source name>"). */
  name?: string;
  objects: SplitLayer[];
  background?: SplitLayer;
}

/**
 * A model served from a folder URL instead of the registry: test harnesses (files on
 * 127.0.0.1), self-hosted copies. Listed in the model picker after the registry's models.
 */
export interface ModelSourceSpec {
  /** Id used in `Settings.modelId` / `salientModelId`. */
  id: string;
  /** Shown in the picker (default: the id). */
  name?: string;
  /** Folder URL; file names are resolved against it (a trailing '/' is added if missing). */
  baseUrl: string;
  /** File names in the folder, e.g. ['vision_encoder.onnx', 'prompt_encoder_mask_decoder.onnx']. */
  files: string[];
  /** 'sam' (default) or 'salient' (a folder with the model and cutout.json). */
  kind?: 'sam' | 'salient';
  license?: string;
}

// ---- host (main thread) → UI ----------------------------------------------------------

export type HostMessage =
  | {
      type: 'init';
      version: number;
      command: CommandId;
      settings: Settings;
      host: HostName;
      /** The editor's theme when the host tells it (Penpot); Figma injects its theme into the page. */
      theme?: Theme;
      editSourceId?: string;
      /** "Edit cutout" on a result that remembers how it was made. */
      edit?: EditTarget;
      /** "Edit cutout" on a layer that carries no usable edit data: why, in a sentence. */
      editProblem?: string;
      /** Extra models offered in the picker (tests, self-hosting); see ModelSourceSpec. */
      models?: ModelSourceSpec[];
    }
  /**
   * `edit`: the one selected layer is a result that remembers how it was made, on a host
   * without relaunch buttons (Penpot), where selecting it is how a designer edits it.
   */
  | { type: 'selection'; sources: SourceInfo[]; problems: string[]; edit?: EditTarget }
  | { type: 'image'; requestId: number; source: SourceInfo; bytes: Uint8Array }
  | { type: 'applied'; requestId: number; nodeIds: string[] }
  | { type: 'batch-items'; requestId: number; sources: SourceInfo[]; skipped: Array<{ id: string; name: string; reason: string }> }
  /** How many images each scope would take, before a batch runs (answers `batch-count`). */
  | { type: 'batch-counts'; requestId: number; counts: Partial<Record<BatchScope, number>> }
  /** `results`: the layers inserted for each source, for the summary to select. */
  | { type: 'batch-done'; requestId: number; inserted: number; failed: number; results?: Array<{ sourceId: string; nodeIds: string[] }> }
  | { type: 'error'; requestId?: number; error: ErrorInfo }
  /** The editor's theme changed (hosts that report it). */
  | { type: 'theme'; theme: Theme }
  /** A message for the user, shown by the UI (hosts without their own notifications, e.g. Penpot). */
  | { type: 'notice'; message: string; error?: boolean };

// ---- UI → host -----------------------------------------------------------------------

export type BatchScope = 'selection' | 'page' | 'file';

export type UiMessage =
  | { type: 'ready'; version: number }
  | { type: 'request-image'; requestId: number; sourceId: string }
  | { type: 'apply'; requestId: number; payload: ApplyPayload }
  | { type: 'batch-list'; requestId: number; scope: BatchScope }
  /** Inserts a split as one group, one undo step; answered by `applied` (the group's id) or `error`. */
  | { type: 'split-apply'; requestId: number; payload: SplitPayload }
  /**
   * One batch result; the host inserts it at once (results stream as they finish). Not
   * answered: an insertion failure is counted in `batch-done.failed` and the summary.
   */
  | { type: 'batch-apply'; requestId: number; payload: ApplyPayload }
  /** Closes the batch: one undo step, summary notification. */
  | { type: 'batch-end'; requestId: number; cancelled: boolean; failures: Array<{ id: string; name: string; message: string }> }
  | { type: 'save-settings'; settings: Settings }
  | { type: 'notify'; message: string; error?: boolean }
  /** The window size; `remember` (the drag ended): the host keeps it for the next session. */
  | { type: 'resize'; width: number; height: number; remember?: boolean }
  /**
   * How many images these scopes (default: all) would take. "file" walks every page (Figma
   * loads them all first), so the UI asks for it only when that scope is chosen.
   */
  | { type: 'batch-count'; requestId: number; scopes?: BatchScope[] }
  /** Selects these layers in the editor (a result in the batch summary, the footer's "Added … Select"); not answered. */
  | { type: 'select'; nodeIds: string[] }
  | { type: 'close' };

export type MessageOf<U, T extends string> = Extract<U, { type: T }>;

// ---- shape checks at the bridge ---------------------------------------------------------------
// Penpot hands every window message of its page to the plugin and the UI can receive messages
// from other frames: a message is acted on only when it has exactly the shape of one of ours.

type Fields = Record<string, unknown>;
type ShapeCheck = (m: Fields) => boolean;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const optional = (v: unknown, check: (x: unknown) => boolean) => v === undefined || check(v);
const arrayOf = (v: unknown, check: (x: unknown) => boolean) => Array.isArray(v) && v.every(check);
const isRect = (v: unknown) => isObject(v) && isNumber(v.x) && isNumber(v.y) && isNumber(v.width) && isNumber(v.height);
const isTheme = (v: unknown) => v === 'light' || v === 'dark';
const isOutput = (v: unknown) => v === 'cutout' || v === 'vector-mask' || v === 'outline';
const isScope = (v: unknown) => v === 'selection' || v === 'page' || v === 'file';
const isPath = (v: unknown) => isObject(v) && isString(v.windingRule) && isString(v.data);
const isNamedItem = (v: unknown) => isObject(v) && isString(v.id) && isString(v.name);
const isErrorInfo = (v: unknown) => isObject(v) && isString(v.code) && isString(v.message);

const isEditPoint = (v: unknown) => isObject(v) && isNumber(v.x) && isNumber(v.y) && (v.label === 0 || v.label === 1);
const isEditBox = (v: unknown) => isObject(v) && isNumber(v.x0) && isNumber(v.y0) && isNumber(v.x1) && isNumber(v.y1);

/** Full shape of an EditState: it also guards what a layer's stored data claims to be. */
export function isEditState(v: unknown): v is EditState {
  return (
    isObject(v) &&
    v.version === 1 &&
    isString(v.sourceId) &&
    isObject(v.image) &&
    isNumber(v.image.width) &&
    isNumber(v.image.height) &&
    isString(v.image.hash) &&
    arrayOf(v.points, isEditPoint) &&
    (v.points as unknown[]).length <= MAX_EDIT_POINTS &&
    optional(v.box, isEditBox) &&
    isNumber(v.candidate) &&
    isOutput(v.output) &&
    isNumber(v.feather) &&
    isNumber(v.smoothing) &&
    isString(v.modelId)
  );
}

const isEditTarget = (v: unknown) => isObject(v) && isString(v.resultId) && isString(v.resultName) && isEditState(v.state) && optional(v.sourceMissing, isBool);

function isPayload(v: unknown): boolean {
  return (
    isObject(v) &&
    isString(v.sourceId) &&
    isOutput(v.output) &&
    isBool(v.hideSource) &&
    optional(v.name, isString) &&
    optional(v.png, (x) => x instanceof Uint8Array) &&
    optional(v.rect, isRect) &&
    optional(v.paths, (x) => arrayOf(x, isPath)) &&
    optional(v.edit, isEditState) &&
    optional(v.replaceId, isString)
  );
}

function isSplitLayer(v: unknown): boolean {
  return (
    isObject(v) &&
    isString(v.name) &&
    optional(v.png, (x) => x instanceof Uint8Array) &&
    optional(v.rect, isRect) &&
    optional(v.paths, (x) => arrayOf(x, isPath))
  );
}

function isSplitPayload(v: unknown): boolean {
  return (
    isObject(v) &&
    isString(v.sourceId) &&
    (v.output === 'cutout' || v.output === 'vector-mask') &&
    optional(v.name, isString) &&
    arrayOf(v.objects, isSplitLayer) &&
    optional(v.background, isSplitLayer)
  );
}

function isSource(v: unknown): boolean {
  return (
    isObject(v) &&
    isString(v.id) &&
    isString(v.name) &&
    isNumber(v.width) &&
    isNumber(v.height) &&
    (v.origin === 'fill' || v.origin === 'export') &&
    optional(v.note, isString) &&
    optional(v.visible, isRect)
  );
}

/** One check per message type: a type added to the union without one does not compile. */
const UI_SHAPES: { [T in UiMessage['type']]: ShapeCheck } = {
  ready: (m) => isNumber(m.version),
  'request-image': (m) => isNumber(m.requestId) && isString(m.sourceId),
  apply: (m) => isNumber(m.requestId) && isPayload(m.payload),
  'batch-list': (m) => isNumber(m.requestId) && isScope(m.scope),
  'split-apply': (m) => isNumber(m.requestId) && isSplitPayload(m.payload),
  'batch-apply': (m) => isNumber(m.requestId) && isPayload(m.payload),
  'batch-end': (m) => isNumber(m.requestId) && isBool(m.cancelled) && arrayOf(m.failures, (f) => isNamedItem(f) && isString((f as Fields).message)),
  // The host validates the settings' values itself (unknown fields dropped, bad ones defaulted).
  'save-settings': (m) => isObject(m.settings),
  notify: (m) => isString(m.message) && optional(m.error, isBool),
  resize: (m) => isNumber(m.width) && isNumber(m.height) && optional(m.remember, isBool),
  'batch-count': (m) => isNumber(m.requestId) && optional(m.scopes, (x) => arrayOf(x, isScope)),
  select: (m) => arrayOf(m.nodeIds, isString),
  close: () => true,
};

const HOST_SHAPES: { [T in HostMessage['type']]: ShapeCheck } = {
  init: (m) =>
    isNumber(m.version) &&
    isString(m.command) &&
    isObject(m.settings) &&
    (m.host === 'figma' || m.host === 'penpot') &&
    optional(m.theme, isTheme) &&
    optional(m.editSourceId, isString) &&
    optional(m.edit, isEditTarget) &&
    optional(m.editProblem, isString) &&
    optional(m.models, (x) => arrayOf(x, isObject)),
  selection: (m) => arrayOf(m.sources, isSource) && arrayOf(m.problems, isString) && optional(m.edit, isEditTarget),
  image: (m) => isNumber(m.requestId) && isSource(m.source) && m.bytes instanceof Uint8Array,
  applied: (m) => isNumber(m.requestId) && arrayOf(m.nodeIds, isString),
  'batch-items': (m) => isNumber(m.requestId) && arrayOf(m.sources, isSource) && arrayOf(m.skipped, (x) => isNamedItem(x) && isString((x as Fields).reason)),
  'batch-counts': (m) => isNumber(m.requestId) && isObject(m.counts) && Object.entries(m.counts).every(([k, n]) => isScope(k) && isNumber(n)),
  'batch-done': (m) =>
    isNumber(m.requestId) &&
    isNumber(m.inserted) &&
    isNumber(m.failed) &&
    optional(m.results, (x) => arrayOf(x, (r) => isObject(r) && isString(r.sourceId) && arrayOf(r.nodeIds, isString))),
  error: (m) => optional(m.requestId, isNumber) && isErrorInfo(m.error),
  theme: (m) => isTheme(m.theme),
  notice: (m) => isString(m.message) && optional(m.error, isBool),
};

function matches(shapes: Record<string, ShapeCheck>, v: unknown): boolean {
  const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  if (!isObject(v) || !own(v, 'type') || !isString(v.type) || !own(shapes, v.type)) return false;
  return shapes[v.type](v);
}

/** Full shape check at the bridge: anything else (other plugins', extensions', devtools' messages) is ignored. */
export function isHostMessage(v: unknown): v is HostMessage {
  return matches(HOST_SHAPES, v);
}

export function isUiMessage(v: unknown): v is UiMessage {
  return matches(UI_SHAPES, v);
}

export const BATCH_STRATEGIES = ['salient', 'salient+sam'] as const;
export type BatchStrategy = (typeof BATCH_STRATEGIES)[number];

/**
 * The range of each numeric setting, the one both sides read settings with (the UI from the
 * host's `init`, the host from storage and `save-settings`). The sliders offer a part of it;
 * the rest keeps values that were typed or stored by another version meaningful:
 * - feather 0-100 source px: beyond that a feather blurs away any object the models cut;
 * - smoothing 0.2-10 px of tracing tolerance: below 0.2 px the tracer follows pixel steps
 *   (the apply step never traces tighter), above 10 px curves leave the object's outline;
 * - threshold 0.01-1 of alpha: 0 would make every pixel foreground.
 */
export const SETTING_RANGES = {
  feather: { min: 0, max: 100 },
  smoothing: { min: 0.2, max: 10 },
  threshold: { min: 0.01, max: 1 },
} as const satisfies Partial<Record<keyof Settings, { min: number; max: number }>>;

/** Longest model id a setting may hold (ids are registry ids or folder names). */
const MAX_ID_LENGTH = 200;

/**
 * A complete Settings from anything, plus what was wrong with it. A number outside its range
 * is clamped into it (so a stored value from a wider slider stays close to what the user
 * chose); a field of the wrong type falls back to DEFAULT_SETTINGS; unknown fields are
 * dropped; learned timings are measurements, so a malformed one is dropped without a problem.
 */
export function readSettings(value: unknown): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  if (value !== undefined && !isObject(value)) problems.push('settings are not an object');
  const v: Fields = isObject(value) ? value : {};
  const s: Settings = { ...DEFAULT_SETTINGS };
  const bad = (key: string) => problems.push(`${key}: ${JSON.stringify(v[key]) ?? 'undefined'} is not valid`);
  const choice = <K extends 'output' | 'strategy'>(key: K, allowed: readonly Settings[K][]) => {
    if (!(key in v)) return;
    if (allowed.includes(v[key] as Settings[K])) s[key] = v[key] as Settings[K];
    else bad(key);
  };
  const id = (key: 'modelId' | 'salientModelId') => {
    if (!(key in v)) return;
    const x = v[key];
    if (isString(x) && x.length > 0 && x.length < MAX_ID_LENGTH) s[key] = x;
    else bad(key);
  };
  const flag = (key: 'hideSource' | 'largestOnly' | 'fillHoles') => {
    if (!(key in v)) return;
    if (isBool(v[key])) s[key] = v[key];
    else bad(key);
  };
  for (const key of Object.keys(SETTING_RANGES) as (keyof typeof SETTING_RANGES)[]) {
    if (!(key in v)) continue;
    const x = v[key];
    const { min, max } = SETTING_RANGES[key];
    if (!isNumber(x)) bad(key);
    else if (x < min || x > max) {
      s[key] = Math.min(max, Math.max(min, x));
      problems.push(`${key}: ${x} is outside ${min}-${max}, clamped to ${s[key]}`);
    } else s[key] = x;
  }
  choice('output', OUTPUT_KINDS);
  choice('strategy', BATCH_STRATEGIES);
  id('modelId');
  id('salientModelId');
  flag('hideSource');
  flag('largestOnly');
  flag('fillHoles');
  const timings = sanitizeTimings(v.timings);
  if (timings) s.timings = timings;
  return { settings: s, problems };
}
