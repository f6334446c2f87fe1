/**
 * What the UI does with the engine's events: the wait strip (download, opening, analysis), the
 * timeline, and the banner when a model or an analysis fails.
 */
import { ErrorCode, isCutoutError } from '../core/errors.js';
import type { EngineEvent } from './engine.js';
import type { Timeline } from './timeline.js';
import type { Waits } from './waits.js';
import type { Banner } from './widgets.js';

/** The controller's side of the events. */
export interface EngineEventTarget {
  readonly waits: Waits;
  readonly timeline: Timeline;
  readonly banner: Banner;
  /** The inference runtime did not start: model errors are its error, which Retry cannot fix. */
  readonly runtimeFailed: boolean;
  modelFailed: boolean;
  updateBadge(): void;
  render(): void;
  /** The first analysis is done (the page says so for tests and the bench). */
  markReady(): void;
  encodeCurrent(): void;
  loadChosenModel(): void;
}

export function handleEngineEvent(t: EngineEventTarget, e: EngineEvent): void {
  switch (e.type) {
    case 'download':
      t.waits.download(e.model, e.loaded, e.total);
      break;
    case 'model-opening':
      t.timeline.modelFiles ??= performance.now();
      t.waits.opening(e.model);
      break;
    case 'salient-ready':
      t.waits.modelDone(e.model, true);
      t.updateBadge();
      t.render();
      break;
    case 'model-ready':
      t.timeline.modelReady = performance.now();
      t.waits.modelDone(e.model, true);
      t.updateBadge();
      t.render();
      break;
    case 'model-error':
      t.waits.modelDone(e.model, false);
      t.modelFailed = !isCutoutError(e.error, ErrorCode.Cancelled);
      if (t.runtimeFailed) t.banner.error(e.error, undefined, { task: 'runtime' });
      else if (!isCutoutError(e.error, ErrorCode.Cancelled)) {
        t.banner.error(e.error, { label: 'Retry', run: () => t.loadChosenModel() }, { task: 'model', model: { kind: e.model.kind, ...(e.model.bytes ? { bytes: e.model.bytes } : {}) } });
      }
      t.render();
      break;
    case 'encoding':
      t.timeline.encodeStart ??= e.startedAt;
      t.waits.encoding(e.modelId, e.first, e.startedAt);
      t.render();
      break;
    case 'encoded':
      if (t.timeline.encoded === undefined) {
        t.timeline.encoded = performance.now();
        t.timeline.encodeMs = e.ms;
      }
      t.waits.encoded(e.cached ? undefined : e.ms);
      t.markReady();
      t.render();
      break;
    case 'encode-error':
      t.waits.encoded(undefined);
      t.banner.error(e.error, { label: 'Retry', run: () => t.encodeCurrent() }, { task: 'analyze' });
      t.render();
      break;
  }
}
