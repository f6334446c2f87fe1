/**
 * The Figma main thread: shows the UI and answers its messages (plugin/protocol.ts).
 *
 * Flow: showUI → UI sends `ready` → host sends `init` then `selection` (and `selection` again
 * on every selectionchange). `request-image` → `image`; `apply` → insert, one undo step,
 * `applied`; `batch-list` → `batch-items`; each `batch-apply` is inserted at once and not
 * answered (the batch's requestId belongs to `batch-items` and `batch-done`; a failed
 * insertion is counted and reported in the summary, not sent as `error`, which would fail
 * the UI's pending `batch-end`); `batch-end` → one undo step for the whole batch, a summary
 * notification, `batch-done`. Other failures answer `error` with the request's id. Messages
 * are handled one at a time, in order.
 */
import { CutoutError, ErrorCode, type ErrorInfo, toErrorInfo } from '../../core/errors.js';
import {
  type ApplyPayload,
  type CommandId,
  type HostMessage,
  PROTOCOL_VERSION,
  type SourceInfo,
  type UiMessage,
  isUiMessage,
} from '../protocol.js';
import { batchSummary, listBatch } from './batch.js';
import { DATA_SOURCE, insertResult, selectResults } from './insert.js';
import { loadExtraModels, loadSettings, saveSettings } from './settings.js';
import { type PreparedSource, describeSource, readSource, sourceProblem } from './sources.js';

export const UI_SIZE = { width: 360, height: 600 };
const MAX_SOURCES = 20;

export interface PluginController {
  /** Resolves when every message received so far has been handled. */
  idle(): Promise<void>;
  dispose(): void;
}

interface BatchState {
  requestId: number;
  total: number;
  skipped: number;
  inserted: SceneNode[];
  hostFailures: Array<{ id: string; name: string; message: string }>;
}

function commandOf(c: string | undefined): CommandId {
  return c === 'remove-bg' || c === 'edit' ? c : 'cutout';
}

function post(msg: HostMessage): void {
  figma.ui.postMessage(msg);
}

function errorInfo(err: unknown, what?: string): ErrorInfo {
  const info = toErrorInfo(err);
  if (!(err instanceof CutoutError) && what) return { code: info.code, message: `${what}: ${info.message}` };
  return info;
}

async function sceneNode(id: string): Promise<SceneNode> {
  const node = await figma.getNodeByIdAsync(id);
  if (!node || node.removed || node.type === 'PAGE' || node.type === 'DOCUMENT') {
    throw new CutoutError(ErrorCode.State, 'That layer no longer exists (deleted or undone). Select an image layer again.');
  }
  return node as SceneNode;
}

/** A selected result stands for its source (so "Edit cutout" reopens the original image). */
async function resolveSource(node: SceneNode): Promise<SceneNode> {
  const sourceId = node.getPluginData(DATA_SOURCE);
  if (!sourceId) return node;
  const source = await figma.getNodeByIdAsync(sourceId);
  return source && !source.removed && source.type !== 'PAGE' && source.type !== 'DOCUMENT' ? (source as SceneNode) : node;
}

export function startPlugin(): PluginController {
  const command = commandOf(figma.command);
  const prepared = new Map<string, PreparedSource>();
  let chain: Promise<void> = Promise.resolve();
  let ready = false;
  let batch: BatchState | null = null;
  let selectionSeq = 0;

  const enqueue = (job: () => Promise<void>) => {
    chain = chain.then(job).catch((err) => post({ type: 'error', error: errorInfo(err, 'Cutout') }));
  };

  async function sendSelection(): Promise<void> {
    const seq = ++selectionSeq;
    const sources: SourceInfo[] = [];
    const problems: string[] = [];
    const seen = new Set<string>();
    const selection = figma.currentPage.selection;
    if (selection.length === 0) problems.push('Select a layer with an image to cut out from.');
    for (const picked of selection) {
      const node = await resolveSource(picked);
      if (seen.has(node.id)) continue;
      seen.add(node.id);
      if (sources.length >= MAX_SOURCES) {
        problems.push(`Only the first ${MAX_SOURCES} selected layers are offered.`);
        break;
      }
      const problem = sourceProblem(node, node !== picked);
      if (problem) {
        problems.push(problem);
        continue;
      }
      try {
        sources.push(await describeSource(node));
      } catch (err) {
        problems.push(`“${node.name}”: ${toErrorInfo(err).message}`);
      }
    }
    if (seq === selectionSeq) post({ type: 'selection', sources, problems });
  }

  async function editSourceId(): Promise<string | undefined> {
    if (command !== 'edit') return undefined;
    const picked = figma.currentPage.selection[0];
    if (!picked) return undefined;
    return (await resolveSource(picked)).id;
  }

  async function prepare(node: SceneNode): Promise<PreparedSource> {
    const known = prepared.get(node.id);
    if (known) return known;
    const { prepared: p } = await readSource(node);
    prepared.set(node.id, p);
    return p;
  }

  async function insert(payload: ApplyPayload): Promise<SceneNode[]> {
    const source = await sceneNode(payload.sourceId);
    return insertResult(source, await prepare(source), payload);
  }

  async function handle(msg: UiMessage): Promise<void> {
    switch (msg.type) {
      case 'ready': {
        if (msg.version !== PROTOCOL_VERSION) {
          post({
            type: 'error',
            error: { code: ErrorCode.State, message: `The plugin's parts do not match (UI protocol ${msg.version}, host ${PROTOCOL_VERSION}). Reinstall Cutout.` },
          });
        }
        ready = true;
        const [settings, models, editId] = await Promise.all([loadSettings(), loadExtraModels(), editSourceId()]);
        post({
          type: 'init',
          version: PROTOCOL_VERSION,
          command,
          settings,
          host: 'figma',
          ...(editId ? { editSourceId: editId } : {}),
          ...(models.length ? { models } : {}),
        });
        await sendSelection();
        return;
      }
      case 'request-image': {
        try {
          const node = await sceneNode(msg.sourceId);
          const { prepared: p, bytes } = await readSource(node);
          prepared.set(node.id, p);
          post({ type: 'image', requestId: msg.requestId, source: p.info, bytes });
        } catch (err) {
          post({ type: 'error', requestId: msg.requestId, error: errorInfo(err, 'Could not read the layer') });
        }
        return;
      }
      case 'apply': {
        try {
          const nodes = await insert(msg.payload);
          figma.commitUndo();
          selectResults(nodes);
          post({ type: 'applied', requestId: msg.requestId, nodeIds: nodes.map((n) => n.id) });
        } catch (err) {
          post({ type: 'error', requestId: msg.requestId, error: errorInfo(err, 'Could not insert the result; nothing was changed') });
        }
        return;
      }
      case 'batch-list': {
        try {
          const { sources, skipped } = await listBatch(msg.scope);
          batch = { requestId: msg.requestId, total: sources.length, skipped: skipped.length, inserted: [], hostFailures: [] };
          post({ type: 'batch-items', requestId: msg.requestId, sources, skipped });
        } catch (err) {
          post({ type: 'error', requestId: msg.requestId, error: errorInfo(err, 'Could not list the images') });
        }
        return;
      }
      case 'batch-apply': {
        const b = (batch ??= { requestId: msg.requestId, total: 0, skipped: 0, inserted: [], hostFailures: [] });
        try {
          b.inserted.push(...(await insert(msg.payload)));
        } catch (err) {
          const node = await figma.getNodeByIdAsync(msg.payload.sourceId);
          b.hostFailures.push({ id: msg.payload.sourceId, name: node?.name ?? msg.payload.sourceId, message: toErrorInfo(err).message });
        }
        return;
      }
      case 'batch-end': {
        const b = batch ?? { requestId: msg.requestId, total: 0, skipped: 0, inserted: [], hostFailures: [] };
        batch = null;
        figma.commitUndo();
        const live = b.inserted.filter((n) => !n.removed);
        selectResults(live);
        const failed = msg.failures.length + b.hostFailures.length;
        const total = Math.max(b.total, live.length + failed);
        const text = batchSummary({ total, inserted: live.length, failed, skipped: b.skipped, cancelled: msg.cancelled });
        const firstFailure = b.hostFailures[0] ?? msg.failures[0];
        figma.notify(firstFailure && !msg.cancelled ? `${text} First problem: “${firstFailure.name}”: ${firstFailure.message}` : text, {
          timeout: 8000,
          error: failed > 0 && live.length === 0,
        });
        post({ type: 'batch-done', requestId: msg.requestId, inserted: live.length, failed });
        return;
      }
      case 'save-settings': {
        try {
          await saveSettings(msg.settings);
        } catch (err) {
          post({ type: 'error', error: errorInfo(err, 'Could not save the settings') });
        }
        return;
      }
      case 'notify':
        figma.notify(String(msg.message).slice(0, 500), { error: msg.error === true });
        return;
      case 'resize': {
        const w = Math.round(Math.min(1200, Math.max(240, Number(msg.width) || UI_SIZE.width)));
        const h = Math.round(Math.min(1400, Math.max(200, Number(msg.height) || UI_SIZE.height)));
        figma.ui.resize(w, h);
        return;
      }
      case 'close':
        figma.closePlugin();
        return;
      default:
        return;
    }
  }

  const onSelection = () => {
    if (ready) enqueue(sendSelection);
  };

  figma.showUI(__html__, { ...UI_SIZE, themeColors: true, title: 'Cutout' });
  figma.ui.onmessage = (msg: unknown) => {
    if (isUiMessage(msg)) enqueue(() => handle(msg));
  };
  figma.on('selectionchange', onSelection);

  return {
    idle: async () => {
      // Drain until no job was added while waiting.
      for (;;) {
        const current = chain;
        await current;
        if (current === chain) return;
      }
    },
    dispose: () => figma.off('selectionchange', onSelection),
  };
}
