/**
 * The "Remove background" flow (issue 5), driven from the UI over core/jobs' runBatch:
 *
 *   setup    scope (selection / this page / all pages), edges strategy, threshold, feather,
 *            fill holes, largest part, hide originals; the salient model in the header picker
 *   running  `batch-list` → host `batch-items` (sources + skipped); per item `request-image`
 *            → host `image` → removeBg (worker or UI thread) → `batch-apply` (streamed: the
 *            host inserts each result at once); progress n of N, current item, time left;
 *            Cancel stops before the next item
 *   done     `batch-end` (failures) → host `batch-done`; summary, failed and skipped items
 *            listed by name with the reason
 */
import { ErrorCode, isCutoutError } from '../core/errors.js';
import { decodeImage } from '../core/image/decode.js';
import type { RgbaImage } from '../core/image/types.js';
import { runBatch, type BatchSummary, type ItemSource } from '../core/jobs/batch.js';
import type { BatchScope, ModelSourceSpec, SourceInfo } from '../plugin/protocol.js';
import type { Bridge } from './bridge.js';
import type { Engine } from './engine.js';
import { cleanMessage, formatTimeLeft } from './format.js';
import { modelChoices, pickModel, type ModelChoice } from './models.js';
import type { SettingsStore } from './settings.js';
import { byId, type Banner, type ProgressView } from './widgets.js';

type Phase = 'setup' | 'running' | 'done';

export interface BatchDeps {
  bridge: Bridge;
  engine: Engine;
  settings: SettingsStore;
  progress: ProgressView;
  banner: Banner;
  applyButton: HTMLButtonElement;
  secondaryButton: HTMLButtonElement;
  status(text: string): void;
  /** Called on every render (the phase may have changed: the mode switch is off while running). */
  rendered?(): void;
}

interface Report {
  summary?: BatchSummary;
  inserted: number;
  skipped: Array<{ id: string; name: string; reason: string }>;
  failures: Array<{ id: string; name: string; message: string }>;
  cancelled: boolean;
  none?: boolean;
}

export class BatchController {
  private phase: Phase = 'setup';
  private sources: SourceInfo[] = [];
  private abort: AbortController | undefined;
  private report: Report | undefined;
  /** The user chose a scope: selection changes no longer move it. */
  private scopeTouched = false;

  constructor(private readonly d: BatchDeps) {
    const s = () => d.settings;
    const threshold = byId<HTMLInputElement>('threshold');
    threshold.addEventListener('input', () => {
      s().set({ threshold: Number(threshold.value) });
      this.renderValues();
    });
    const feather = byId<HTMLInputElement>('batch-feather');
    feather.addEventListener('input', () => {
      s().set({ feather: Number(feather.value) });
      this.renderValues();
    });
    const strategy = byId<HTMLSelectElement>('strategy');
    strategy.addEventListener('change', () => {
      s().set({ strategy: strategy.value === 'salient+sam' ? 'salient+sam' : 'salient' });
      this.ensureSam();
    });
    byId<HTMLInputElement>('fill-holes').addEventListener('change', (e) => s().set({ fillHoles: (e.target as HTMLInputElement).checked }));
    byId<HTMLInputElement>('largest-only').addEventListener('change', (e) => s().set({ largestOnly: (e.target as HTMLInputElement).checked }));
    byId<HTMLInputElement>('batch-hide').addEventListener('change', (e) => s().set({ hideSource: (e.target as HTMLInputElement).checked }));
    d.secondaryButton.addEventListener('click', () => this.secondary());
    for (const r of document.querySelectorAll<HTMLInputElement>('input[name="scope"]')) {
      r.addEventListener('change', () => {
        this.scopeTouched = true;
        this.render();
      });
    }
  }

  private extraModels: ModelSourceSpec[] = [];
  /** The SAM model for 'salient+sam' (a URL-named one, else the settings'). */
  private samId: string | undefined;

  loadSettings(): void {
    const s = this.d.settings.get();
    byId<HTMLInputElement>('threshold').value = String(s.threshold);
    byId<HTMLInputElement>('batch-feather').value = String(s.feather);
    byId<HTMLSelectElement>('strategy').value = s.strategy;
    byId<HTMLInputElement>('fill-holes').checked = s.fillHoles;
    byId<HTMLInputElement>('largest-only').checked = s.largestOnly;
    byId<HTMLInputElement>('batch-hide').checked = s.hideSource;
    this.renderValues();
  }

  /** A batch is listing or removing backgrounds (leaving the view would abandon it). */
  get running(): boolean {
    return this.phase === 'running';
  }

  /** Back to the setup after a finished batch (the mode switch reopens the flow). */
  reset(): void {
    if (this.phase !== 'done') return;
    this.phase = 'setup';
    this.report = undefined;
  }

  show(sources: SourceInfo[]): void {
    this.selectionChanged(sources);
  }

  selectionChanged(sources: SourceInfo[]): void {
    this.sources = sources;
    if (this.phase !== 'running' && !this.scopeTouched) {
      // Something selected: that is what the user means; nothing: this page.
      const value = sources.length ? 'selection' : 'page';
      document.querySelector<HTMLInputElement>(`input[name="scope"][value="${value}"]`)!.checked = true;
    }
    this.render();
  }

  /** The header picker chose a salient model: start its download now. */
  modelChosen(choice: ModelChoice, extra: ModelSourceSpec[], samId?: string): void {
    this.extraModels = extra;
    this.samId = samId;
    this.d.engine.loadSalient(choice).catch(() => undefined); // model-error event reports it
    this.ensureSam();
  }

  /** 'salient+sam' needs the SAM model too: load the one the settings name. */
  private ensureSam(): void {
    const s = this.d.settings.get();
    if (s.strategy !== 'salient+sam' || this.d.engine.model) return;
    const sam = pickModel(modelChoices('sam', this.extraModels), this.samId ?? s.modelId);
    if (sam) this.d.engine.loadModel(sam).catch(() => undefined);
  }

  private get scope(): BatchScope {
    const r = document.querySelector<HTMLInputElement>('input[name="scope"]:checked');
    return (r?.value as BatchScope | undefined) ?? 'selection';
  }

  /** Footer primary button. */
  async primary(): Promise<void> {
    if (this.phase === 'setup') await this.start();
    else if (this.phase === 'done') this.d.bridge.send({ type: 'close' });
  }

  private secondary(): void {
    if (this.phase === 'running') this.abort?.abort();
    else if (this.phase === 'done') {
      this.phase = 'setup';
      this.report = undefined;
      this.render();
    }
  }

  private async start(): Promise<void> {
    const d = this.d;
    const s = d.settings.get();
    d.banner.hide();
    this.phase = 'running';
    this.abort = new AbortController();
    const signal = this.abort.signal;
    const report: Report = { inserted: 0, skipped: [], failures: [], cancelled: false };
    this.report = report;
    this.setCounts(0, 0, 'Finding images…', '');
    this.render();
    const requestId = d.bridge.requestId();
    let listed = false;
    try {
      const items = await d.bridge.request({ type: 'batch-list', requestId, scope: this.scope }, 'batch-items', 300_000);
      listed = true;
      report.skipped = items.skipped;
      if (!items.sources.length) {
        report.none = true;
        return;
      }
      this.setCounts(0, items.sources.length, 'Preparing the model…', '');
      await d.engine.salientReady();
      if (s.strategy === 'salient+sam') await d.engine.modelReady();
      const sources: Array<ItemSource<RgbaImage>> = items.sources.map((src) => ({
        id: src.id,
        name: src.name,
        load: async () => {
          const rid = d.bridge.requestId();
          const reply = await d.bridge.request({ type: 'request-image', requestId: rid, sourceId: src.id }, 'image', 120_000);
          return decodeImage(reply.bytes);
        },
      }));
      const total = sources.length;
      report.summary = await runBatch(
        sources,
        (image) =>
          d.engine.removeBg(image, {
            strategy: s.strategy,
            threshold: s.threshold,
            feather: s.feather,
            fillHoles: s.fillHoles,
            largest: s.largestOnly,
          }),
        {
          signal,
          onProgress: (p) => {
            const current = p.event === 'start' ? `Removing background: ${p.current.name}` : '';
            this.setCounts(p.done, total, current, formatTimeLeft(p.etaMs));
          },
          onResult: (r) => {
            if (!r.ok) {
              report.failures.push({ id: r.id, name: r.name, message: cleanMessage(r.error.message) });
              return;
            }
            d.bridge.send({
              type: 'batch-apply',
              requestId,
              payload: {
                sourceId: r.id,
                output: 'cutout',
                name: `Cutout of ${r.name}`,
                png: r.value.png,
                rect: r.value.rect,
                hideSource: s.hideSource,
              },
            });
            report.inserted++;
          },
        },
      );
      report.cancelled = report.summary.cancelled;
    } catch (err) {
      if (isCutoutError(err, ErrorCode.Cancelled)) report.cancelled = true;
      else d.banner.error(err);
    } finally {
      if (listed) {
        try {
          await d.bridge.request({ type: 'batch-end', requestId, cancelled: report.cancelled, failures: report.failures }, 'batch-done', 60_000);
        } catch (err) {
          d.banner.error(err);
        }
      }
      this.phase = 'done';
      this.abort = undefined;
      this.render();
    }
  }

  private setCounts(done: number, total: number, current: string, eta: string): void {
    byId('batch-done').textContent = String(done);
    byId('batch-total').textContent = total ? String(total) : '…';
    byId('batch-fill').style.width = total ? `${(done / total) * 100}%` : '0%';
    byId('batch-current').textContent = current;
    byId('batch-eta').textContent = eta;
  }

  private renderValues(): void {
    const s = this.d.settings.get();
    byId('threshold-value').textContent = `${Math.round(s.threshold * 100)}%`;
    byId('batch-feather-value').textContent = `${s.feather} px`;
  }

  private renderReport(): void {
    const r = this.report;
    const summary = byId('batch-summary');
    const list = byId('batch-failures');
    list.textContent = '';
    if (!r) return;
    if (r.none) summary.textContent = 'No images found here.';
    else {
      const parts = [`${r.inserted} background${r.inserted === 1 ? '' : 's'} removed`];
      if (r.failures.length) parts.push(`${r.failures.length} failed`);
      if (r.skipped.length) parts.push(`${r.skipped.length} skipped`);
      summary.textContent = parts.join(' · ') + (r.cancelled ? ' (cancelled)' : '');
    }
    const add = (name: string, why: string) => {
      const li = document.createElement('li');
      const strong = document.createElement('strong');
      strong.textContent = name;
      const span = document.createElement('span');
      span.textContent = why;
      li.append(strong, span);
      list.appendChild(li);
    };
    for (const f of r.failures) add(f.name, f.message);
    for (const k of r.skipped) add(k.name, `Skipped: ${k.reason}`);
  }

  render(): void {
    const d = this.d;
    byId('batch-setup').hidden = this.phase !== 'setup';
    byId('batch-run').hidden = this.phase !== 'running';
    byId('batch-report').hidden = this.phase !== 'done';
    const count = this.sources.length;
    byId('scope-selection-count').textContent = count ? `(${count} layer${count === 1 ? '' : 's'})` : '(nothing selected)';
    const sel = document.querySelector<HTMLInputElement>('input[name="scope"][value="selection"]');
    if (sel) sel.disabled = !count;
    if (this.phase === 'done') this.renderReport();
    d.applyButton.disabled = this.phase === 'running';
    d.applyButton.textContent = this.phase === 'done' ? 'Close' : this.phase === 'running' ? 'Working…' : 'Remove backgrounds';
    d.secondaryButton.hidden = this.phase === 'setup';
    d.secondaryButton.textContent = this.phase === 'running' ? 'Cancel' : 'Run again';
    const model = d.engine.salientModel;
    if (this.phase === 'setup') d.status(model ? 'Originals stay untouched.' : 'Preparing the model…');
    else if (this.phase === 'running') d.status('Originals stay untouched; each result is added as it finishes.');
    else d.status('');
    d.rendered?.();
  }
}
