/**
 * The plugin-facing runtime state shared by the `penpot` object and the shape proxies:
 * permissions, flags, Penpot's two error channels, undo history and "hardening".
 *
 * Penpot has two kinds of errors for plugins (penpot/penpot 66bb6a1):
 *  - the plugins runtime (plugins-runtime/src/lib/api/index.ts) checks manifest permissions on
 *    the `penpot` object itself and always throws `Error("Permission X is not granted")`;
 *  - the workspace side (frontend/src/app/plugins/*.cljs) reports bad values and missing
 *    permissions on shapes, history and local storage with `u/not-valid`: it THROWS
 *    `Error("[PENPOT PLUGIN] Value not valid: <value>. Code: :<code>")` only when the flag
 *    `throwValidationErrors` is on — its default is true for manifests with `"version": 2` and
 *    false for v1 / no version — and otherwise logs that text with console.error and does
 *    nothing. The fake records every such report in `validationErrors` either way.
 *
 * Undo (workspace/undo.cljs): every committed change is one undo entry; undoBlockBegin opens a
 * transaction (several can be pending), and the entry is added when the last pending one is
 * finished; a transaction still open after 20 s is force-committed with a console warning;
 * the stack keeps 50 entries. The fake stores a snapshot of the whole file per entry.
 *
 * Undo and pages: the undo stack is the workspace's, not a page's — opening another page
 * neither resets it nor commits or drops an open transaction (it is only reset when a file is
 * opened: workspace.cljs workspace-initialized). Every change carries its page id, so one
 * transaction can hold changes to several pages, and undo applies an entry's undo-changes to
 * the pages they belong to WITHOUT opening them (the active page stays, unless it no longer
 * exists); the selection becomes the entry's selected-before, whichever page is active
 * (undo.cljs undo, restore-selection, assure-valid-current-page). The fake's undoLast does the
 * same: it restores every page from the entry's file snapshot.
 */
import type { FakeFile, FileSnapshot } from './doc.js';

export type Permission =
  | 'content:read'
  | 'content:write'
  | 'library:read'
  | 'library:write'
  | 'user:read'
  | 'comment:read'
  | 'comment:write'
  | 'allow:downloads'
  | 'allow:localstorage'
  | 'clipboard:read'
  | 'clipboard:write';

/** The permissions a manifest may ask for (plugins-runtime models/manifest.schema.ts). */
export const MANIFEST_PERMISSIONS: readonly Permission[] = [
  'content:read',
  'content:write',
  'library:read',
  'library:write',
  'user:read',
  'comment:read',
  'comment:write',
  'allow:downloads',
  'allow:localstorage',
];

export const ALL_PERMISSIONS: readonly Permission[] = [...MANIFEST_PERMISSIONS, 'clipboard:read', 'clipboard:write'];

export interface UndoEntry {
  /** The plugin operations recorded in this entry, in order (e.g. "createRectangle", "fills"). */
  ops: string[];
  /** Whether it came from an undoBlockBegin/undoBlockFinish transaction. */
  block: boolean;
  /** The document before the entry (restored by undoLast). */
  before: FileSnapshot;
}

const MAX_UNDO = 50;

export class NotEmulatedError extends Error {}

export function notEmulated(what: string): never {
  throw new NotEmulatedError(`fake: ${what} is not emulated`);
}

/** A bounded, cycle-safe rendering of a value for error messages (like Penpot's value->repr). */
export function repr(v: unknown, depth = 0, seen: unknown[] = []): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 100 ? `${v.slice(0, 100)}…` : v);
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'function') return '#function';
  if (typeof v === 'symbol' || typeof v === 'bigint') return String(v);
  if (seen.includes(v)) return '#recursive';
  if (depth >= 2) return '…';
  const next = [...seen, v];
  if (Array.isArray(v)) return `[${v.slice(0, 5).map((x) => repr(x, depth + 1, next)).join(' ')}${v.length > 5 ? ' …' : ''}]`;
  const keys = Object.keys(v as object);
  return `{${keys
    .slice(0, 5)
    .map((k) => `${k} ${repr((v as Record<string, unknown>)[k], depth + 1, next)}`)
    .join(', ')}${keys.length > 5 ? ', …' : ''}}`;
}

/** SES-style harden light: freezes what the plugin receives from the `penpot` object. */
export function harden<T>(v: T): T {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v;
  if (ArrayBuffer.isView(v) || v instanceof Promise || Object.isFrozen(v)) return v;
  Object.freeze(v);
  if (Array.isArray(v)) for (const x of v) harden(x);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v as object)) harden(x);
  return v;
}

export interface ExportLogEntry {
  shapeId: string;
  /** The page of the exported shape (any page exports, see proxies.ts). */
  pageId: string;
  scale: number;
  /** Pixel size of the PNG. */
  width: number;
  height: number;
  /** The page-space area captured. */
  box: { x: number; y: number; width: number; height: number };
  /** What Penpot would have drawn that the fake did not (strokes, text, shadows, …). */
  notDrawn: string[];
}

export interface HostOptions {
  permissions: readonly Permission[];
  manifestVersion: 1 | 2;
  quiet: boolean;
  strictHistory: boolean;
  undoTransactionTimeoutMs: number;
  maxExportPixels: number;
}

export class Host {
  readonly permissions: Set<Permission>;
  readonly flags: { naturalChildOrdering: boolean; throwValidationErrors: boolean };
  /** Every Penpot validation report (thrown or only logged), as its message. */
  readonly validationErrors: string[] = [];
  /** Everything the fake sent to console.error / console.warn on Penpot's behalf. */
  readonly consoleMessages: string[] = [];
  readonly undoEntries: UndoEntry[] = [];
  /** Every shape.export the plugin ran. */
  readonly exportLog: ExportLogEntry[] = [];
  /** Every page navigation the plugin asked for (penpot.openPage / page.openPage), in order. */
  readonly openPageCalls: Array<{ pageId: string; newWindow: boolean }> = [];
  private tx: { ops: string[]; before: FileSnapshot; timer: ReturnType<typeof setTimeout> | null } | null = null;
  private readonly pending = new Set<symbol>();
  private readonly finished = new Set<symbol>();

  constructor(
    readonly file: FakeFile,
    readonly options: HostOptions,
  ) {
    this.permissions = new Set(options.permissions);
    this.flags = { naturalChildOrdering: false, throwValidationErrors: options.manifestVersion >= 2 };
  }

  get maxExportPixels(): number {
    return this.options.maxExportPixels;
  }

  has(p: Permission): boolean {
    return this.permissions.has(p);
  }

  /** plugins-runtime checkPermission: always throws. */
  checkPermission(p: Permission): void {
    if (!this.permissions.has(p)) throw new Error(`Permission ${p} is not granted`);
  }

  console(level: 'error' | 'warn', ...args: unknown[]): void {
    this.consoleMessages.push(args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : repr(a))).join(' '));
    if (!this.options.quiet) console[level](...args);
  }

  /** u/not-valid: throws or logs, by the throwValidationErrors flag. Returns undefined. */
  notValid(code: string, value?: unknown): undefined {
    const msg =
      value === undefined || value === null
        ? `[PENPOT PLUGIN] Value not valid. Code: :${code}`
        : `[PENPOT PLUGIN] Value not valid: ${typeof value === 'string' ? value : repr(value)}. Code: :${code}`;
    this.validationErrors.push(msg);
    if (this.flags.throwValidationErrors) throw new Error(msg);
    this.console('error', msg);
    return undefined;
  }

  /** The shape-level permission check (r/check-permission → not-valid). False when refused. */
  canWrite(code: string): boolean {
    if (this.permissions.has('content:write')) return true;
    this.notValid(code, "Plugin doesn't have 'content:write' permission");
    return false;
  }

  /** u/page-active?: is `pageId` the active page? */
  pageActive(pageId: string): boolean {
    return this.file.currentPageId === pageId;
  }

  /**
   * The page guard of Penpot ≥ 2.17 (utils.cljs page-active?, #10271): a change to a shape or
   * layout of a page that is not the active one is refused with not-valid "Cannot modify a page
   * that is not currently active". False when refused.
   */
  canModifyPage(code: string, ...pageIds: string[]): boolean {
    if (pageIds.every((id) => this.pageActive(id))) return true;
    this.notValid(code, 'Cannot modify a page that is not currently active');
    return false;
  }

  /**
   * Operations Penpot runs without the page guard (they update the ACTIVE page's objects by
   * id): for a shape of another page they find nothing and change nothing. False then (noted
   * in the file's warnings).
   */
  unguardedOnActivePage(op: string, pageId: string, shapeId: string): boolean {
    if (this.pageActive(pageId)) return true;
    this.file.warnings.push(`${op} on shape ${shapeId} of a page that is not active did nothing (Penpot updates the active page's objects only)`);
    return false;
  }

  /**
   * Navigation (api.cljs / page.cljs :openPage, penpot/penpot 66bb6a1 = Penpot 2.17):
   *  - `newWindow === true` (only a boolean true: the runtime passes `newWindow ?? false`)
   *    opens the page in a NEW browser window — this workspace, and so the plugin's active
   *    page, stays where it is — and resolves at once;
   *  - the active page: resolves at once, nothing happens;
   *  - otherwise Penpot navigates (go-to-workspace) and resolves when the page is initialized:
   *    the fake switches on a later task (selection cleared, selectionchange and pagechange
   *    fire), then resolves. Until then the old page is still the active one.
   *  - an id that is no page of the file: Penpot lands on the first page and its promise never
   *    settles; the fake opens the first page and rejects with a "fake:" error instead.
   * Older Penpot differs (not emulated): before 2.17 openPage returned nothing (no promise to
   * wait for) and changes to another page's shapes were not refused; before 2.14 `newWindow`
   * defaulted to true.
   */
  openPage(pageId: string, newWindow: unknown): Promise<void> {
    const nw = newWindow === true;
    this.openPageCalls.push({ pageId, newWindow: nw });
    if (nw || this.pageActive(pageId)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      setTimeout(() => {
        if (!this.file.hasPage(pageId)) {
          this.file.switchPage(this.file.pages[0].pageId);
          reject(new Error(`fake: openPage(${pageId}): no such page in this file (Penpot opens the first page and never settles the promise)`));
          return;
        }
        this.file.switchPage(pageId);
        resolve();
      }, 0);
    });
  }

  /**
   * Runs a document change: one undo entry (or part of the open transaction), then flex
   * relayout. A "fake:" error inside leaves the document as it was.
   */
  mutate<T>(op: string, fn: () => T): T {
    const before = this.file.snapshot();
    let result: T;
    try {
      result = fn();
      this.file.relayout();
    } catch (e) {
      this.file.restore(before);
      throw e;
    }
    this.file.revn++;
    if (this.tx) this.tx.ops.push(op);
    else this.pushEntry({ ops: [op], block: false, before });
    return result;
  }

  private pushEntry(e: UndoEntry): void {
    this.undoEntries.push(e);
    if (this.undoEntries.length > MAX_UNDO) this.undoEntries.shift();
  }

  // ---- history (penpot.history)

  undoBlockBegin(): symbol | undefined {
    if (!this.has('content:write')) return this.notValid('resize', "Plugin doesn't have 'content:write' permission");
    const id = Symbol();
    if (!this.tx) {
      const timeout = this.options.undoTransactionTimeoutMs;
      this.tx = {
        ops: [],
        before: this.file.snapshot(),
        timer:
          timeout > 0
            ? setTimeout(() => {
                for (const p of [...this.pending]) {
                  this.console('warn', `FORCE COMMIT TRANSACTION AFTER ${timeout}MS`);
                  this.finish(p);
                }
              }, timeout)
            : null,
      };
    }
    this.pending.add(id);
    return id;
  }

  undoBlockFinish(id: unknown): void {
    if (!this.has('content:write')) {
      this.notValid('resize', "Plugin doesn't have 'content:write' permission");
      return;
    }
    if (!id) {
      this.notValid('undoBlockFinish', id);
      return;
    }
    if (typeof id !== 'symbol' || !this.pending.has(id)) {
      const what = typeof id === 'symbol' && this.finished.has(id) ? 'already finished' : 'unknown';
      const msg = `fake: undoBlockFinish with an ${what} block id (real Penpot silently ignores this; the fake reports it because it is a plugin bug)`;
      this.validationErrors.push(msg);
      if (this.options.strictHistory) throw new Error(msg);
      this.console('warn', msg);
      return;
    }
    this.finish(id);
  }

  private finish(id: symbol): void {
    this.pending.delete(id);
    this.finished.add(id);
    if (this.pending.size === 0 && this.tx) {
      if (this.tx.timer) clearTimeout(this.tx.timer);
      if (this.tx.ops.length > 0) this.pushEntry({ ops: this.tx.ops, block: true, before: this.tx.before });
      this.tx = null;
    }
  }

  get openBlocks(): number {
    return this.pending.size;
  }

  /** Ctrl+Z: reverts the document to before the last entry and drops it. */
  undoLast(): UndoEntry {
    if (this.tx) throw new Error('fake: undoLast while an undo block is still open');
    const e = this.undoEntries.pop();
    if (!e) throw new Error('fake: nothing to undo');
    this.file.restore(e.before);
    this.file.revn++;
    return e;
  }

  resetHistory(): void {
    this.undoEntries.length = 0;
  }
}
