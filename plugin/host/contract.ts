/**
 * The host contract: what an editor adapter (plugin/figma, plugin/penpot, …) provides so that
 * one controller (controller.ts), one UI (ui/) and one engine (core/) run in it. Everything an
 * adapter does NOT decide lives in the controller: the message flow, request/answer pairing,
 * undo grouping of a batch, source de-duplication and limits, settings validation, the batch
 * walk rules and its summary.
 *
 * `N` is the editor's layer handle (Figma's SceneNode, Penpot's Shape); `P` is whatever the
 * adapter remembers about a source it has read (at least the SourceInfo it sent), handed back
 * when a result for that source is inserted.
 */
import type { ApplyPayload, BatchScope, CommandId, HostMessage, HostName, SourceInfo, Theme } from '../protocol.js';

export interface PreparedBase {
  info: SourceInfo;
}

/** The plugin window and its message channel. */
export interface HostUi {
  /** Opens the UI (the same dist/ui.html everywhere) at `size`. */
  show(size: { width: number; height: number }): void;
  post(msg: HostMessage): void;
  onMessage(handler: (msg: unknown) => void): void;
  resize(width: number, height: number): void;
  close(): void;
  /**
   * True once the window is gone although the plugin did not close it (Penpot closes plugins
   * from its own button without telling them). Absent: the editor stops the plugin instead.
   */
  closed?(): boolean;
}

/** Small persistent storage private to the plugin (settings, extra model sources). */
export interface HostStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

/** Read access to the layer tree for the batch walk (batch.ts decides what is taken). */
export interface LayerTree<N> {
  id(node: N): string;
  name(node: N): string;
  children(node: N): readonly N[];
  /** The layer itself is visible (ancestors are the walk's business). */
  visible(node: N): boolean;
  locked(node: N): boolean;
  /** Has a visible image fill. */
  hasImage(node: N): boolean;
  /** Size in canvas units. */
  size(node: N): { width: number; height: number };
  /** A result Cutout inserted (never a source for a batch). */
  isResult(node: N): boolean;
}

export interface NotifyOptions {
  error?: boolean;
  /** How long to show it, ms (hosts may ignore). */
  timeout?: number;
}

export interface EditorHost<N, P extends PreparedBase = PreparedBase> {
  readonly name: HostName;
  /** The command the plugin was started with. */
  readonly command: CommandId;
  /**
   * The editor has no relaunch buttons (Penpot): a single selected result that remembers how
   * it was made is offered for editing through the selection message instead.
   */
  readonly editsSelectedResults?: boolean;
  readonly ui: HostUi;
  readonly store: HostStore;
  readonly tree: LayerTree<N>;

  // ---- selection and sources
  selection(): readonly N[];
  /** Calls `handler` whenever the selection changes; returns the unsubscribe. */
  onSelectionChange(handler: () => void): () => void;
  /** The layer with this id, or null when it is gone (deleted, undone). */
  nodeById(id: string): Promise<N | null>;
  /** For a Cutout result: the source layer it was made from, when it still exists. */
  sourceOfResult(node: N): Promise<N | null>;
  /** Why `node` cannot be a source at all (undefined: it can). Hidden layers only when `allowHidden`. */
  sourceProblem(node: N, allowHidden: boolean): string | undefined;
  /** What the UI will get for `node`, without reading pixels. */
  describe(node: N): Promise<SourceInfo>;
  /** The pixels of `node` (PNG or JPEG bytes) and how they sit on it. */
  read(node: N): Promise<{ prepared: P; bytes: Uint8Array }>;

  // ---- results
  /**
   * Inserts `payload` over `node` exactly where its pixels are; returns the new top-level
   * layers. Must leave the document as it was when it throws.
   */
  insert(node: N, prepared: P, payload: ApplyPayload): Promise<N[]>;
  isRemoved(node: N): boolean;
  /**
   * Puts freshly inserted results for `source` (siblings right above it, top-first) into one
   * group where they lie, named `name` and marked as made from `source`; returns the group.
   * Must leave the layers as they were (ungrouped) or remove its group when it throws.
   */
  groupResults(nodes: readonly N[], name: string, source: N): Promise<N>;
  /** Removes a layer the plugin created (no-op when it is already gone). */
  removeResult(node: N): void;
  /** The edit state's JSON kept on a result (plugin/host/edit-data.ts), '' when it has none. */
  editData(node: N): string;
  /**
   * Puts `fresh` (just inserted) where the result `old` is — same parent, same place in the
   * layer list, same position on the canvas — then removes `old`. When it throws, `fresh` is
   * removed and `old` is as it was.
   */
  replace(old: N, fresh: N): void;
  /** Selects the results (those it can: e.g. Figma selects on the current page only). */
  select(nodes: readonly N[]): void;

  // ---- batch
  /** The layers a batch walks from: the selection, the current page's top layers, every page's. */
  batchRoots(scope: BatchScope): Promise<readonly N[]>;

  // ---- undo: everything between begin and end is one undo step
  beginChange(): void;
  /** `kept` false: what was done was rolled back (nothing to undo). */
  endChange(kept: boolean): void;

  // ---- feedback and environment
  notify(text: string, options?: NotifyOptions): void;
  /** The editor's theme, for hosts that tell the UI (absent: the host themes the UI itself). */
  theme?(): Theme;
  onThemeChange?(handler: (theme: Theme) => void): () => void;
}
