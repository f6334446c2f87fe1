/**
 * The editor-independent main-thread controller: opens the UI and answers its messages
 * (plugin/protocol.ts) through an EditorHost.
 *
 * Flow: show → UI sends `ready` → `init` then `selection` (and `selection` again on every
 * selection change). `request-image` → `image`; `apply` → insert (in place of `replaceId`'s result when
 * given), one undo step, `applied`;
 * `split-apply` → the layers of a split in one group (plugin/host/split.ts), one undo step, `applied`;
 * `batch-list` → `batch-items`; each `batch-apply` is inserted at once (the first opens the
 * batch's undo step) and not answered (the batch's requestId belongs to `batch-items` and `batch-done`; a
 * failed insertion is counted and reported in the summary, not sent as `error`, which would
 * fail the UI's pending `batch-end`); `batch-end` → the undo step closes, a summary
 * notification, `batch-done`. `select` selects results the UI was told about (nothing is
 * answered). Other failures answer `error` with the request's id. Messages
 * are handled one at a time, in order.
 */
import { CutoutError, ErrorCode, type ErrorInfo, toErrorInfo } from '../../core/errors.js';
import { type ApplyPayload, type BatchScope, type EditTarget, type HostMessage, PROTOCOL_VERSION, type SourceInfo, type UiMessage, isUiMessage } from '../protocol.js';
import { batchSummary, listLayers, scanLayers } from './batch.js';
import { decodeEditState } from './edit-data.js';
import type { EditorHost, PreparedBase } from './contract.js';
import { insertSplit } from './split.js';
import { clampUiSize, loadExtraModels, loadSettings, loadUiSize, saveSettings, UI_SIZE_KEY } from './settings.js';

export const UI_SIZE = { width: 360, height: 600 };
export const MAX_SOURCES = 20;

export interface PluginController {
  /** Resolves when every message received so far has been handled. */
  idle(): Promise<void>;
  dispose(): void;
}

interface BatchState<N> {
  requestId: number;
  total: number;
  skipped: number;
  inserted: N[];
  /** What each source got, for the summary's thumbnails to select. */
  results: Array<{ sourceId: string; nodes: N[] }>;
  hostFailures: Array<{ id: string; name: string; message: string }>;
}

function errorInfo(err: unknown, what?: string): ErrorInfo {
  const info = toErrorInfo(err);
  if (!(err instanceof CutoutError) && what) return { code: info.code, message: `${what}: ${info.message}` };
  return info;
}

export function startController<N, P extends PreparedBase>(host: EditorHost<N, P>): PluginController {
  const { tree } = host;
  const prepared = new Map<string, P>();
  let chain: Promise<void> = Promise.resolve();
  let ready = false;
  let batch: BatchState<N> | null = null;
  let changeOpen = false;
  let selectionSeq = 0;

  let stopped = false;

  const post = (msg: HostMessage) => host.ui.post(msg);
  /**
   * After the editor closed the window on its own, the job in flight finishes (its result and
   * its undo step are whole), an open batch step is closed with what it holds, and nothing
   * queued behind it runs: nobody is there to see it.
   */
  const stopIfClosed = () => {
    if (stopped || !host.ui.closed?.()) return;
    stopped = true;
    const kept = batch ? batch.inserted.length > 0 : true;
    batch = null;
    end(kept);
  };
  const enqueue = (job: () => Promise<void>) => {
    chain = chain
      .then(() => (stopped ? undefined : job()))
      .catch((err) => post({ type: 'error', error: errorInfo(err, 'Cutout') }))
      .then(stopIfClosed)
      // Only closing the undo step can fail here, with no window left to tell.
      .catch(() => {});
  };
  const begin = () => {
    if (changeOpen) return;
    changeOpen = true;
    host.beginChange();
  };
  const end = (kept = true) => {
    if (!changeOpen) return;
    changeOpen = false;
    host.endChange(kept);
  };

  async function live(id: string): Promise<N> {
    const node = await host.nodeById(id);
    if (!node || host.isRemoved(node)) {
      throw new CutoutError(ErrorCode.State, 'That layer no longer exists (deleted or undone). Select an image layer again.');
    }
    return node;
  }

  /** A selected result stands for its source (so "Edit cutout" reopens the original image). */
  async function resolveSource(node: N): Promise<N> {
    if (!tree.isResult(node)) return node;
    return (await host.sourceOfResult(node)) ?? node;
  }

  async function sendSelection(): Promise<void> {
    const seq = ++selectionSeq;
    const sources: SourceInfo[] = [];
    const problems: string[] = [];
    const seen = new Set<string>();
    const selection = host.selection();
    // Nothing selected is not a problem to list: the UI's empty state says what to do.
    for (const picked of selection) {
      const node = await resolveSource(picked);
      const id = tree.id(node);
      if (seen.has(id)) continue;
      seen.add(id);
      if (sources.length >= MAX_SOURCES) {
        problems.push(`Only the first ${MAX_SOURCES} selected layers are offered.`);
        break;
      }
      const problem = host.sourceProblem(node, node !== picked);
      if (problem) {
        problems.push(problem);
        continue;
      }
      try {
        sources.push(await host.describe(node));
      } catch (err) {
        problems.push(`“${tree.name(node)}”: ${toErrorInfo(err).message}`);
      }
    }
    const one = selection.length === 1 ? selection[0]! : undefined;
    const edit = host.editsSelectedResults && one !== undefined && tree.isResult(one) ? (await editOf(one)).edit : undefined;
    if (seq === selectionSeq) post({ type: 'selection', sources, problems, ...(edit ? { edit } : {}) });
  }

  /**
   * "Edit cutout": the source to open and, on a result that remembers how it was made, that
   * state; a source deleted since is said, not guessed around.
   */
  async function editInit(): Promise<{ editSourceId?: string; edit?: EditTarget; editProblem?: string }> {
    if (host.command !== 'edit') return {};
    const picked = host.selection()[0];
    if (picked === undefined) return {};
    if (!tree.isResult(picked)) return { editSourceId: tree.id(picked) };
    return editOf(picked);
  }

  /** What a selected result remembers, over its source when that still exists. */
  async function editOf(picked: N): Promise<{ editSourceId?: string; edit?: EditTarget; editProblem?: string }> {
    const source = await host.sourceOfResult(picked);
    const sourceId = source ? { editSourceId: tree.id(source) } : {};
    const decoded = decodeEditState(host.editData(picked));
    if ('problem' in decoded) return { ...sourceId, editProblem: decoded.problem };
    const state = source ? { ...decoded.state, sourceId: tree.id(source) } : decoded.state;
    return { ...sourceId, edit: { resultId: tree.id(picked), resultName: tree.name(picked), state, ...(source ? {} : { sourceMissing: true }) } };
  }

  async function prepare(node: N): Promise<P> {
    const known = prepared.get(tree.id(node));
    if (known) return known;
    const { prepared: p } = await host.read(node);
    prepared.set(tree.id(node), p);
    return p;
  }

  async function insert(payload: ApplyPayload): Promise<N[]> {
    const source = await live(payload.sourceId);
    return host.insert(source, await prepare(source), payload);
  }

  /**
   * An apply that replaces an earlier result: the new result is made first, then takes the old
   * one's place. A result deleted since is not an error: the new one is simply added.
   */
  async function insertReplacing(payload: ApplyPayload): Promise<N[]> {
    const oldId = payload.replaceId;
    const found = oldId ? await host.nodeById(oldId) : null;
    const old = found && !host.isRemoved(found) ? found : null;
    if (old && !tree.isResult(old)) {
      throw new CutoutError(ErrorCode.State, `“${tree.name(old)}” is not a Cutout result, so it was not replaced. Nothing was changed.`);
    }
    const { replaceId: _, ...fresh } = payload;
    const nodes = await insert(fresh);
    if (old && nodes.length === 1) host.replace(old, nodes[0]!);
    return nodes;
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
        const [settings, models, edit] = await Promise.all([loadSettings(host.store), loadExtraModels(host.store), editInit()]);
        const theme = host.theme?.();
        post({
          type: 'init',
          version: PROTOCOL_VERSION,
          command: host.command,
          settings,
          host: host.name,
          ...(theme ? { theme } : {}),
          ...edit,
          ...(models.length ? { models } : {}),
        });
        await sendSelection();
        return;
      }
      case 'request-image': {
        try {
          const node = await live(msg.sourceId);
          const { prepared: p, bytes } = await host.read(node);
          prepared.set(tree.id(node), p);
          post({ type: 'image', requestId: msg.requestId, source: p.info, bytes });
        } catch (err) {
          post({ type: 'error', requestId: msg.requestId, error: errorInfo(err, 'Could not read the layer') });
        }
        return;
      }
      case 'apply': {
        // Inside a running batch the result joins the batch's undo step.
        const own = !changeOpen;
        begin();
        try {
          const nodes = await insertReplacing(msg.payload);
          if (own) end();
          host.select(nodes);
          post({ type: 'applied', requestId: msg.requestId, nodeIds: nodes.map((n) => tree.id(n)) });
        } catch (err) {
          if (own) end(false);
          post({ type: 'error', requestId: msg.requestId, error: errorInfo(err, 'Could not insert the result; nothing was changed') });
        }
        return;
      }
      case 'split-apply': {
        const own = !changeOpen;
        begin();
        try {
          const source = await live(msg.payload.sourceId);
          const nodes = await insertSplit(host, source, await prepare(source), msg.payload);
          if (own) end();
          host.select(nodes);
          post({ type: 'applied', requestId: msg.requestId, nodeIds: nodes.map((n) => tree.id(n)) });
        } catch (err) {
          if (own) end(false);
          post({ type: 'error', requestId: msg.requestId, error: errorInfo(err, 'Could not split the layer; nothing was changed') });
        }
        return;
      }
      case 'batch-list': {
        try {
          const roots = await host.batchRoots(msg.scope);
          const { sources, skipped } = await listLayers(tree, roots, msg.scope, (n) => host.describe(n));
          batch = { requestId: msg.requestId, total: sources.length, skipped: skipped.length, inserted: [], results: [], hostFailures: [] };
          post({ type: 'batch-items', requestId: msg.requestId, sources, skipped });
        } catch (err) {
          post({ type: 'error', requestId: msg.requestId, error: errorInfo(err, 'Could not list the images') });
        }
        return;
      }
      case 'batch-count': {
        try {
          const all: BatchScope[] = ['selection', 'page', 'file'];
          const asked = Array.isArray(msg.scopes) ? all.filter((x) => msg.scopes!.includes(x)) : all;
          const counts: Partial<Record<BatchScope, number>> = {};
          for (const scope of asked) {
            counts[scope] = scanLayers(tree, await host.batchRoots(scope), false).nodes.length;
          }
          post({ type: 'batch-counts', requestId: msg.requestId, counts });
        } catch (err) {
          post({ type: 'error', requestId: msg.requestId, error: errorInfo(err, 'Could not count the images') });
        }
        return;
      }
      case 'select': {
        const ids = Array.isArray(msg.nodeIds) ? msg.nodeIds.filter((x): x is string => typeof x === 'string').slice(0, 1000) : [];
        const nodes: N[] = [];
        for (const id of ids) {
          const node = await host.nodeById(id);
          if (node && !host.isRemoved(node)) nodes.push(node);
        }
        if (nodes.length) host.select(nodes);
        else if (ids.length) host.notify('That layer is no longer in the file (deleted or undone).', { timeout: 4000 });
        return;
      }
      case 'batch-apply': {
        const b = (batch ??= { requestId: msg.requestId, total: 0, skipped: 0, inserted: [], results: [], hostFailures: [] });
        begin();
        try {
          const nodes = await insert(msg.payload);
          b.inserted.push(...nodes);
          b.results.push({ sourceId: msg.payload.sourceId, nodes });
        } catch (err) {
          const node = await host.nodeById(msg.payload.sourceId).catch(() => null);
          b.hostFailures.push({ id: msg.payload.sourceId, name: node ? tree.name(node) : msg.payload.sourceId, message: toErrorInfo(err).message });
        }
        return;
      }
      case 'batch-end': {
        const b = batch ?? { requestId: msg.requestId, total: 0, skipped: 0, inserted: [], results: [], hostFailures: [] };
        batch = null;
        end(b.inserted.length > 0);
        const kept = b.inserted.filter((n) => !host.isRemoved(n));
        host.select(kept);
        const failed = msg.failures.length + b.hostFailures.length;
        const total = Math.max(b.total, kept.length + failed);
        const text = batchSummary({ total, inserted: kept.length, failed, skipped: b.skipped, cancelled: msg.cancelled });
        const firstFailure = b.hostFailures[0] ?? msg.failures[0];
        host.notify(firstFailure && !msg.cancelled ? `${text} First problem: “${firstFailure.name}”: ${firstFailure.message}` : text, {
          timeout: 8000,
          error: failed > 0 && kept.length === 0,
        });
        const results = b.results
          .map((r) => ({ sourceId: r.sourceId, nodeIds: r.nodes.filter((n) => !host.isRemoved(n)).map((n) => tree.id(n)) }))
          .filter((r) => r.nodeIds.length > 0);
        post({ type: 'batch-done', requestId: msg.requestId, inserted: kept.length, failed, results });
        return;
      }
      case 'save-settings': {
        try {
          await saveSettings(host.store, msg.settings);
        } catch (err) {
          post({ type: 'error', error: errorInfo(err, 'Could not save the settings') });
        }
        return;
      }
      case 'notify':
        host.notify(String(msg.message).slice(0, 500), { error: msg.error === true });
        return;
      case 'resize': {
        const size = clampUiSize(msg.width, msg.height, UI_SIZE);
        host.ui.resize(size.width, size.height);
        if (msg.remember === true) {
          try {
            await host.store.set(UI_SIZE_KEY, size);
          } catch {
            // not remembering a window size is not worth an error
          }
        }
        return;
      }
      case 'close':
        end();
        host.ui.close();
        return;
      default:
        return;
    }
  }

  const stopSelection = host.onSelectionChange(() => {
    if (ready) enqueue(sendSelection);
  });
  const stopTheme = host.onThemeChange?.((theme) => {
    if (ready) post({ type: 'theme', theme });
  });

  // The window opens at the size the user left it (one storage read: no visible jump).
  chain = loadUiSize(host.store, UI_SIZE).then((size) => host.ui.show(size));
  host.ui.onMessage((msg: unknown) => {
    if (isUiMessage(msg)) enqueue(() => handle(msg));
  });

  return {
    idle: async () => {
      // Drain until no job was added while waiting.
      for (;;) {
        const current = chain;
        await current;
        if (current === chain) return;
      }
    },
    dispose: () => {
      stopSelection();
      stopTheme?.();
    },
  };
}
