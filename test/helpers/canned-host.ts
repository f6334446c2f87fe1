/**
 * The canned host the browser tests open the real dist/ui.html under (startUiHarness's
 * `hostScript`): it answers the UI's messages as the shared plugin controller would, from
 * `window.__hostConfig` (CannedHostConfig), and records what the UI sent.
 *
 * Recorded on the host page: __applied (apply payloads), __selected (select requests),
 * __batchApplied, __batchEnd (the batch-end message), __batchListed. Held answers are let go
 * with __release() (holdImage) and __releaseBatch() (holdBatch).
 */

/** What the canned host answers with; images are base64. */
export interface CannedHostConfig {
  /** The init message sent on `ready`. */
  init: unknown;
  /** The selection sent on `ready`. */
  sources: unknown[];
  problems?: string[];
  /** Bytes per source id; `image` answers for any source without its own. */
  images?: Record<string, string>;
  image?: string;
  /** What batch-list answers (default: nothing to do). */
  batch?: { sources: unknown[]; skipped: unknown[] };
  /** batch-count answers (left unanswered without it). */
  counts?: Record<string, number>;
  /** Keep this batch image back until __release(). */
  holdImage?: string;
  /** Keep batch-items back until __releaseBatch(). */
  holdBatch?: boolean;
  /** The next apply fails as Figma's createImage does on an unsupported image. */
  failApply?: boolean;
}

export const CANNED_HOST_SCRIPT = `
(() => {
  const cfg = () => window.__hostConfig;
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  window.__applied = [];
  window.__selected = [];
  window.__batchApplied = [];
  let held = null;
  window.__release = () => { if (held) { const h = held; held = null; h(); } };
  __host.onmessage = (msg) => {
    const c = cfg();
    const batch = c.batch || { sources: [], skipped: [] };
    switch (msg.type) {
      case 'ready':
        __host.postMessage(c.init);
        __host.postMessage({ type: 'selection', sources: c.sources, problems: c.problems || [] });
        break;
      case 'request-image': {
        const src = [...c.sources, ...batch.sources].find((s) => s.id === msg.sourceId);
        const bytes = src && ((c.images && c.images[src.id]) || c.image);
        if (!bytes) {
          __host.postMessage({ type: 'error', requestId: msg.requestId, error: { code: 'INVALID_IMAGE', message: 'no such layer' } });
          break;
        }
        const answer = () => __host.postMessage({ type: 'image', requestId: msg.requestId, source: src, bytes: b64(bytes) });
        if (c.holdImage === src.id && window.__batchListed) held = answer;
        else answer();
        break;
      }
      case 'apply':
        if (c.failApply) {
          c.failApply = false;
          __host.postMessage({ type: 'error', requestId: msg.requestId, error: { code: 'INTERNAL', message: 'Could not insert the result; nothing was changed: in createImage: Image type is unsupported' } });
          break;
        }
        window.__applied.push(msg.payload);
        __host.postMessage({ type: 'applied', requestId: msg.requestId, nodeIds: ['9:' + window.__applied.length] });
        break;
      case 'select':
        window.__selected.push(msg.nodeIds);
        break;
      case 'batch-count':
        if (c.counts) __host.postMessage({ type: 'batch-counts', requestId: msg.requestId, counts: Object.fromEntries((msg.scopes || ['selection', 'page', 'file']).map((k) => [k, c.counts[k]])) });
        break;
      case 'batch-list': {
        window.__batchListed = true;
        const answer = () => __host.postMessage({ type: 'batch-items', requestId: msg.requestId, sources: batch.sources, skipped: batch.skipped });
        if (c.holdBatch) window.__releaseBatch = answer;
        else answer();
        break;
      }
      case 'batch-apply':
        window.__batchApplied.push(msg.payload);
        break;
      case 'batch-end':
        window.__batchEnd = msg;
        __host.postMessage({
          type: 'batch-done', requestId: msg.requestId, inserted: window.__batchApplied.length, failed: msg.failures.length,
          results: window.__batchApplied.map((p, i) => ({ sourceId: p.sourceId, nodeIds: ['50:' + i] })),
        });
        break;
      case 'resize': {
        const f = document.getElementById('frame');
        f.width = String(msg.width);
        f.height = String(msg.height);
        break;
      }
    }
  };
})();
`;
