/**
 * Penpot as an EditorHost (plugin/host/contract.ts): the penpot global at the edge, everything
 * else in the shared controller. Penpot specifics:
 * - the UI is the same dist/ui.html, opened by URL relative to the manifest's host, told it runs
 *   in Penpot and the theme by its query (?host=penpot&theme=…); messages travel without
 *   Figma's {pluginMessage} envelope;
 * - settings live in penpot.localStorage (permission allow:localstorage), strings only;
 * - Penpot has no notifications for plugins: notices go to the UI, which shows them;
 * - undo: history.undoBlockBegin/undoBlockFinish around each change;
 * - only the active page can be changed: a batch over the file opens each page in turn.
 */
import type { Shape } from '@penpot/plugin-types';
import { commandOf } from '../commands.js';
import type { EditorHost, HostStore } from '../host/contract.js';
import type { Theme } from '../protocol.js';
import { PENPOT_UI_PAGE } from './manifest.js';
import { ensurePage, penpotTree, scopeRoots } from './batch.js';
import { DATA_EDIT, DATA_SOURCE, groupSplit, insertResult, replaceResult, selectResults } from './insert.js';
import { type PreparedSource, penpotSources } from './sources.js';

const KEY_PREFIX = 'cutout.';

const store: HostStore = {
  get: async (key) => {
    const raw = penpot.localStorage.getItem(KEY_PREFIX + key);
    if (raw === null || raw === undefined || raw === '') return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return undefined;
    }
  },
  set: async (key, value) => penpot.localStorage.setItem(KEY_PREFIX + key, JSON.stringify(value)),
};

/** The shape with `id` on the active page, else on any page of the file (null: it is gone). */
function findShape(id: string): Shape | null {
  try {
    const here = penpot.currentPage?.getShapeById(id);
    if (here) return here;
    for (const page of penpot.currentFile?.pages ?? []) {
      const s = page.getShapeById(id);
      if (s) return s;
    }
  } catch {
    // a page that cannot be read holds nothing we can use
  }
  return null;
}

export function penpotHost(command?: string): EditorHost<Shape, PreparedSource> {
  let undoBlock: symbol | null = null;
  try {
    // Without it Penpot only logs a rejected change and drops it: we want the error, to undo
    // what was already created and tell the user.
    penpot.flags.throwValidationErrors = true;
  } catch {
    // older Penpot without the flag
  }
  return {
    name: 'penpot',
    command: commandOf(command),
    // Penpot has no relaunch buttons: selecting a result is how it is edited.
    editsSelectedResults: true,
    tree: penpotTree,
    store,
    ui: {
      show: (size) => penpot.ui.open('Cutout', `${PENPOT_UI_PAGE}?host=penpot&theme=${penpot.theme === 'dark' ? 'dark' : 'light'}`, size),
      post: (msg) => penpot.ui.sendMessage(msg),
      onMessage: (handler) => penpot.ui.onMessage(handler),
      resize: (w, h) => penpot.ui.resize(w, h),
      close: () => penpot.closePlugin(),
      // Penpot's runtime drops the modal when the user closes it; the plugin is not told.
      closed: () => typeof penpot === 'undefined' || penpot.ui.size === null,
    },
    selection: () => penpot.selection,
    onSelectionChange: (handler) => {
      const id = penpot.on('selectionchange', () => handler());
      return () => penpot.off(id);
    },
    nodeById: async (id) => findShape(id),
    sourceOfResult: async (shape) => {
      const id = shape.getPluginData(DATA_SOURCE);
      return id ? findShape(id) : null;
    },
    sourceProblem: penpotSources.sourceProblem,
    describe: penpotSources.describe,
    read: async (shape) => {
      await ensurePage(shape);
      return penpotSources.read(shape);
    },
    insert: async (shape, prepared, payload) => {
      await ensurePage(shape);
      return insertResult(shape, prepared, payload);
    },
    isRemoved: (shape) => findShape(shape.id) === null,
    groupResults: async (shapes, name, source) => {
      await ensurePage(source);
      return groupSplit(shapes, name, source);
    },
    removeResult: (shape) => {
      if (findShape(shape.id) !== null) shape.remove();
    },
    editData: (shape) => shape.getPluginData(DATA_EDIT),
    replace: replaceResult,
    select: selectResults,
    batchRoots: scopeRoots,
    beginChange: () => {
      if (undoBlock === null) undoBlock = penpot.history.undoBlockBegin() as symbol;
    },
    endChange: () => {
      // The block is closed whether or not anything was kept: Penpot requires the pairing.
      if (undoBlock !== null) penpot.history.undoBlockFinish(undoBlock);
      undoBlock = null;
    },
    notify: (text, options = {}) => penpot.ui.sendMessage({ type: 'notice', message: text, ...(options.error ? { error: true } : {}) }),
    theme: (): Theme => (penpot.theme === 'dark' ? 'dark' : 'light'),
    onThemeChange: (handler) => {
      const id = penpot.on('themechange', (t) => handler(t === 'dark' ? 'dark' : 'light'));
      return () => penpot.off(id);
    },
  };
}
