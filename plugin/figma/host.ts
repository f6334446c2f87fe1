/**
 * Figma as an EditorHost (plugin/host/contract.ts): the figma global at the edge, everything
 * else in the shared controller.
 */
import type { EditorHost, HostStore } from '../host/contract.js';
import { commandOf } from '../commands.js';
import { figmaTree, scopeRoots } from './batch.js';
import { DATA_EDIT, DATA_SOURCE, groupSplit, insertResult, replaceResult, selectResults } from './insert.js';
import { type PreparedSource, figmaSources } from './sources.js';

const store: HostStore = {
  get: (key) => figma.clientStorage.getAsync(key),
  set: (key, value) => figma.clientStorage.setAsync(key, value),
};

function sceneNode(node: BaseNode | null): SceneNode | null {
  return node && !node.removed && node.type !== 'PAGE' && node.type !== 'DOCUMENT' ? (node as SceneNode) : null;
}

export function figmaHost(): EditorHost<SceneNode, PreparedSource> {
  return {
    name: 'figma',
    command: commandOf(figma.command),
    tree: figmaTree,
    store,
    ui: {
      show: (size) => figma.showUI(__html__, { ...size, themeColors: true, title: 'Cutout' }),
      post: (msg) => figma.ui.postMessage(msg),
      onMessage: (handler) => {
        figma.ui.onmessage = handler;
      },
      resize: (w, h) => figma.ui.resize(w, h),
      close: () => figma.closePlugin(),
    },
    selection: () => figma.currentPage.selection,
    onSelectionChange: (handler) => {
      figma.on('selectionchange', handler);
      return () => figma.off('selectionchange', handler);
    },
    nodeById: async (id) => sceneNode(await figma.getNodeByIdAsync(id)),
    sourceOfResult: async (node) => {
      const id = node.getPluginData(DATA_SOURCE);
      return id ? sceneNode(await figma.getNodeByIdAsync(id)) : null;
    },
    sourceProblem: figmaSources.sourceProblem,
    describe: figmaSources.describe,
    read: figmaSources.read,
    insert: insertResult,
    isRemoved: (node) => node.removed,
    groupResults: groupSplit,
    removeResult: (node) => {
      if (!node.removed) node.remove();
    },
    editData: (node) => node.getPluginData(DATA_EDIT),
    replace: replaceResult,
    select: selectResults,
    batchRoots: scopeRoots,
    // Figma groups everything since the last commitUndo into one step.
    beginChange: () => {},
    endChange: (kept) => {
      if (kept) figma.commitUndo();
    },
    notify: (text, options = {}) => {
      figma.notify(text, { ...(options.timeout ? { timeout: options.timeout } : {}), error: options.error === true });
    },
  };
}
