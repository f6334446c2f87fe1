/**
 * Apply in the cutout view: the result made at full size in the worker, sent to the host as
 * an `apply`, and the insertion recorded so Apply stays off until something changes.
 */
import type { RgbaImage } from '../core/image/types.js';
import type { DecodeResult } from '../core/models/types.js';
import type { ApplyPayload, EditState, SourceInfo } from '../plugin/protocol.js';
import type { AppliedResult, ResultKey } from './applied.js';
import { HOST_LABELS, type Bridge } from './bridge.js';
import { OUTPUT_NAMES } from './copy.js';
import type { Engine } from './engine.js';
import type { HistoryEntry } from './prompts.js';
import { isDecodable } from './prompts.js';
import type { SettingsStore } from './settings.js';
import type { Banner, ProgressView } from './widgets.js';

export interface ApplyContext {
  readonly bridge: Bridge;
  readonly engine: Engine;
  readonly settings: SettingsStore;
  readonly banner: Banner;
  readonly progress: ProgressView;
  readonly applied: AppliedResult;
  readonly source: SourceInfo | undefined;
  readonly image: RgbaImage | undefined;
  readonly entry: HistoryEntry<DecodeResult>;
  /** What an apply would insert now (undefined: nothing to apply). */
  readonly resultKey: ResultKey | undefined;
  applying: boolean;
  /** Kept on the result, for "Edit cutout" later. */
  readonly edit: EditState | undefined;
  /** The result this apply replaces ("Edit cutout"). */
  readonly replaceId: string | undefined;
  /** The host inserted the result as these layers. */
  inserted(nodeIds: string[]): void;
  status(text: string): void;
  render(): void;
  /** Retry after a failure. */
  retry(): void;
}

export async function applyCutout(c: ApplyContext): Promise<void> {
  const e = c.entry;
  const source = c.source;
  if (c.applying || !source || !c.image) return;
  if (!e.prediction) {
    c.status(isDecodable(e.prompt) ? 'Wait for the mask, then apply.' : 'Click the object to cut out first.');
    return;
  }
  const key = c.resultKey;
  if (c.applied.matching(key)) return; // already added: a second Enter must not duplicate it
  const s = c.settings.get();
  const candidate = e.candidate ?? e.prediction.selected;
  c.applying = true;
  c.banner.hide();
  c.render();
  const label = `Applying ${OUTPUT_NAMES[s.output].toLowerCase()}`;
  c.progress.show('apply', { label, fraction: 0 });
  try {
    const result = await c.engine.apply(e.prediction, candidate, { output: s.output, feather: s.feather, smoothing: s.smoothing }, (f, stage) =>
      c.progress.show('apply', { label: `${label} · ${stage}`, fraction: f * 0.9 }),
    );
    c.progress.show('apply', { label: `${label} · Adding to the file`, fraction: 0.95 });
    const payload: ApplyPayload = {
      sourceId: source.id,
      output: s.output,
      name: `${OUTPUT_NAMES[s.output]} of ${source.name}`,
      hideSource: s.hideSource,
      ...(result.png ? { png: result.png } : {}),
      ...(result.rect ? { rect: result.rect } : {}),
      ...(result.paths ? { paths: result.paths } : {}),
      ...(c.edit ? { edit: c.edit } : {}),
      ...(c.replaceId ? { replaceId: c.replaceId } : {}),
    };
    const requestId = c.bridge.requestId();
    const reply = await c.bridge.request({ type: 'apply', requestId, payload }, 'applied', 120_000);
    const shrunk =
      result.pngSize && result.rect && (result.pngSize.width < Math.round(result.rect.width) || result.pngSize.height < Math.round(result.rect.height));
    if (key) c.applied.record(key, payload.name ?? OUTPUT_NAMES[s.output], reply.nodeIds);
    c.inserted(reply.nodeIds);
    if (shrunk) {
      const host = c.bridge.host;
      c.banner.show(
        `The cutout was scaled to ${result.pngSize!.width} × ${result.pngSize!.height} px.`,
        host === 'figma'
          ? 'Figma images can be at most 4096 px on a side; the layer still covers the object exactly.'
          : `Cutout adds images of at most 4096 px on a side to ${HOST_LABELS[host]}; the layer still covers the object exactly.`,
        'info',
      );
    }
  } catch (err) {
    c.banner.error(err, { label: 'Retry', run: () => c.retry() }, { task: 'apply' });
  } finally {
    c.applying = false;
    c.progress.hide('apply');
    c.render();
  }
}
