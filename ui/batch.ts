/**
 * The "Remove background" flow (issue 5), driven from the UI over core/jobs' runBatch:
 *
 *   setup    scope (selection / this page / all pages, each with the number of images it
 *            takes: host `batch-count`), sharper edges, feather, fill holes, largest part,
 *            hide originals; the background model in the settings panel
 *   running  `batch-list` → host `batch-items` (sources + skipped); per item `request-image`
 *            → host `image` → removeBg (worker or UI thread) → `batch-apply` (streamed: the
 *            host inserts each result at once); progress n of N, current item, time left,
 *            a thumbnail of each result as it lands; Cancel stops before the next item
 *   done     `batch-end` (failures) → host `batch-done` (the layers made per source); summary
 *            with the results' thumbnails (a click selects that result in the file), failed
 *            and skipped items listed by name with the reason
 */
import { ErrorCode, isCutoutError } from '../core/errors.js';
import type { RgbaImage } from '../core/image/types.js';
import { runBatch, type BatchSummary, type ItemSource } from '../core/jobs/batch.js';
import type { BatchScope, ModelSourceSpec, SourceInfo } from '../plugin/protocol.js';
import { HOST_LABELS, type Bridge } from './bridge.js';
import type { Engine } from './engine.js';
import { errorCopy } from './error-copy.js';
import { formatTimeLeft } from './format.js';
import { modelChoices, pickModel, type ModelChoice } from './models.js';
import type { SettingsStore } from './settings.js';
import { byId, type Banner, type ProgressView } from './widgets.js';

const SCOPES: readonly BatchScope[] = ['selection', 'page', 'file'];

/** "3 images", "1 image", "no images". */
export function imageCount(n: number): string {
  return n === 0 ? 'no images' : `${n} image${n === 1 ? '' : 's'}`;
}

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
  /** `detail`: the technical message, shown on hover. */
  failures: Array<{ id: string; name: string; message: string; detail?: string }>;
  cancelled: boolean;
  none?: boolean;
  /** Thumbnails (object URLs of the result PNGs) by source id, in the order they landed. */
  thumbs: Map<string, { name: string; url: string }>;
  /** The layers the host made per source (batch-done). */
  nodes: Map<string, string[]>;
}

export class BatchController {
  private phase: Phase = 'setup';
  private sources: SourceInfo[] = [];
  private abort: AbortController | undefined;
  private report: Report | undefined;
  /** The user chose a scope: selection changes no longer move it. */
  private scopeTouched = false;
  /** Images per scope (host `batch-counts`), while the setup shows. */
  private counts: Partial<Record<BatchScope, number>> = {};
  private countSeq = 0;

  constructor(private readonly d: BatchDeps) {
    const s = () => d.settings;
    const feather = byId<HTMLInputElement>('batch-feather');
    feather.addEventListener('input', () => {
      s().set({ feather: Number(feather.value) });
      this.renderValues();
    });
    const sharper = byId<HTMLInputElement>('sharper-edges');
    sharper.addEventListener('change', () => {
      s().set({ strategy: sharper.checked ? 'salient+sam' : 'salient' });
      this.ensureSam();
    });
    byId<HTMLInputElement>('fill-holes').addEventListener('change', (e) => s().set({ fillHoles: (e.target as HTMLInputElement).checked }));
    byId<HTMLInputElement>('largest-only').addEventListener('change', (e) => s().set({ largestOnly: (e.target as HTMLInputElement).checked }));
    byId<HTMLInputElement>('batch-hide').addEventListener('change', (e) => s().set({ hideSource: (e.target as HTMLInputElement).checked }));
    d.secondaryButton.addEventListener('click', () => this.secondary());
    for (const r of document.querySelectorAll<HTMLInputElement>('input[name="scope"]')) {
      r.addEventListener('change', () => {
        this.scopeTouched = true;
        if (this.scope === 'file' && this.counts.file === undefined) this.refreshCounts();
        this.render();
      });
    }
  }

  private extraModels: ModelSourceSpec[] = [];
  /** The SAM model for 'salient+sam' (a URL-named one, else the settings'). */
  private samId: string | undefined;

  loadSettings(): void {
    const s = this.d.settings.get();
    byId<HTMLInputElement>('batch-feather').value = String(s.feather);
    byId<HTMLInputElement>('sharper-edges').checked = s.strategy === 'salient+sam';
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
    this.dropReport();
  }

  private dropReport(): void {
    for (const t of this.report?.thumbs.values() ?? []) URL.revokeObjectURL(t.url);
    this.report = undefined;
  }

  /**
   * Asks the host how many images the scopes take (the answer fills the scope labels): the
   * selection and this page always, all pages only once chosen (the host loads every page to
   * count them).
   */
  private refreshCounts(): void {
    const seq = ++this.countSeq;
    const requestId = this.d.bridge.requestId();
    const scopes: BatchScope[] = this.scope === 'file' ? ['selection', 'page', 'file'] : ['selection', 'page'];
    this.counts = this.scope === 'file' ? {} : { file: this.counts.file };
    this.d.bridge.request({ type: 'batch-count', requestId, scopes }, 'batch-counts', 60_000).then(
      (m) => {
        if (seq !== this.countSeq) return;
        this.counts = { ...this.counts, ...m.counts };
        this.render();
      },
      () => undefined, // the labels just stay without numbers
    );
  }

  show(sources: SourceInfo[]): void {
    this.selectionChanged(sources);
  }

  selectionChanged(sources: SourceInfo[]): void {
    this.sources = sources;
    if (this.phase === 'setup') this.refreshCounts();
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
      this.dropReport();
      this.refreshCounts();
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
    this.dropReport();
    const report: Report = { inserted: 0, skipped: [], failures: [], cancelled: false, thumbs: new Map(), nodes: new Map() };
    this.report = report;
    byId('batch-thumbs').textContent = '';
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
      // One placeholder per image: the panel shows the whole batch at once, results fill it in.
      const grid = byId('batch-thumbs');
      for (const src of items.sources) {
        const li = document.createElement('li');
        li.className = 'pending';
        li.dataset.source = src.id;
        li.title = src.name;
        grid.appendChild(li);
      }
      await d.engine.salientReady();
      if (s.strategy === 'salient+sam') await d.engine.modelReady();
      const sources: Array<ItemSource<RgbaImage>> = items.sources.map((src) => ({
        id: src.id,
        name: src.name,
        load: async () => {
          const rid = d.bridge.requestId();
          const reply = await d.bridge.request({ type: 'request-image', requestId: rid, sourceId: src.id }, 'image', 120_000);
          return d.engine.decodeImage(reply.bytes);
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
            const slot = [...byId('batch-thumbs').children].find((li) => (li as HTMLElement).dataset.source === r.id);
            if (!r.ok) {
              slot?.classList.replace('pending', 'failed');
              const words = errorCopy(r.error, { task: 'remove-bg', editor: HOST_LABELS[d.bridge.host] });
              report.failures.push({ id: r.id, name: r.name, message: words.headline, detail: words.details });
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
            const url = URL.createObjectURL(new Blob([r.value.png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
            report.thumbs.set(r.id, { name: r.name, url });
            slot?.replaceWith(thumbItem(r.name, url));
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
          const done = await d.bridge.request({ type: 'batch-end', requestId, cancelled: report.cancelled, failures: report.failures.map(({ id, name, message }) => ({ id, name, message })) }, 'batch-done', 60_000);
          for (const r of Array.isArray(done.results) ? done.results : []) report.nodes.set(r.sourceId, r.nodeIds);
        } catch (err) {
          d.banner.error(err);
        }
      }
      this.phase = 'done';
      this.abort = undefined;
      this.render();
    }
  }

  private renderScopeCounts(): void {
    for (const scope of SCOPES) {
      const n = this.counts[scope];
      byId(`scope-count-${scope}`).textContent =
        n !== undefined ? `· ${imageCount(n)}` : scope === 'selection' && !this.sources.length ? '· nothing selected' : scope === 'file' && this.scope === 'file' ? '· counting…' : '';
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
    byId('batch-feather-value').textContent = `${s.feather} px`;
  }

  private renderReport(): void {
    const r = this.report;
    const summary = byId('batch-summary');
    const list = byId('batch-failures');
    const results = byId('batch-results');
    list.textContent = '';
    results.textContent = '';
    byId('batch-hint').textContent = '';
    if (!r) return;
    for (const [id, t] of r.thumbs) {
      const nodeIds = r.nodes.get(id);
      const li = thumbItem(t.name, t.url, nodeIds?.length ? () => this.d.bridge.send({ type: 'select', nodeIds }) : undefined);
      results.appendChild(li);
    }
    if (r.thumbs.size && r.nodes.size) byId('batch-hint').textContent = 'Click a result to select it in the file.';
    if (r.none) summary.textContent = 'No images found here.';
    else {
      const parts = [`${r.inserted} background${r.inserted === 1 ? '' : 's'} removed`];
      if (r.failures.length) parts.push(`${r.failures.length} failed`);
      if (r.skipped.length) parts.push(`${r.skipped.length} skipped`);
      summary.textContent = parts.join(' · ') + (r.cancelled ? ' (cancelled)' : '');
    }
    const add = (name: string, why: string, detail?: string) => {
      const li = document.createElement('li');
      if (detail) li.title = detail;
      const strong = document.createElement('strong');
      strong.textContent = name;
      const span = document.createElement('span');
      span.textContent = why;
      li.append(strong, span);
      list.appendChild(li);
    };
    for (const f of r.failures) add(f.name, f.message, f.detail);
    for (const k of r.skipped) add(k.name, `Skipped because it ${k.reason}`);
  }

  render(): void {
    const d = this.d;
    byId('batch-setup').hidden = this.phase !== 'setup';
    byId('batch-run').hidden = this.phase !== 'running';
    byId('batch-report').hidden = this.phase !== 'done';
    const count = this.sources.length;
    this.renderScopeCounts();
    const sel = document.querySelector<HTMLInputElement>('input[name="scope"][value="selection"]');
    if (sel) sel.disabled = !count && !this.counts.selection;
    const planned = this.counts[this.scope];
    if (this.phase === 'done') this.renderReport();
    const model = d.engine.salientModel;
    // No model and none on its way: the load failed (the banner says why and offers Retry).
    const modelFailed = !model && d.engine.wantedSalientId === undefined;
    d.applyButton.disabled = this.phase === 'running' || (this.phase === 'setup' && modelFailed);
    d.applyButton.textContent =
      this.phase === 'done' ? 'Close' : this.phase === 'running' ? 'Working…' : planned ? `Remove ${planned === 1 ? 'background' : `${planned} backgrounds`}` : 'Remove backgrounds';
    if (this.phase === 'setup' && planned === 0) d.applyButton.disabled = true;
    d.secondaryButton.hidden = this.phase === 'setup';
    d.secondaryButton.textContent = this.phase === 'running' ? 'Cancel' : 'Run again';
    if (this.phase === 'setup') d.status(model ? 'Originals stay untouched.' : modelFailed ? "The background model isn't available." : 'Preparing the model…');
    else if (this.phase === 'running') d.status('Originals stay untouched; each result is added as it finishes.');
    else d.status('');
    d.rendered?.();
  }
}

/** A result thumbnail; with `select`, a button that selects the result in the file. */
function thumbItem(name: string, url: string, select?: () => void): HTMLLIElement {
  const li = document.createElement('li');
  const el = document.createElement(select ? 'button' : 'span');
  el.className = 'batch-thumb';
  el.title = select ? `Cutout of ${name}: click to select it in the file` : `Cutout of ${name}`;
  if (el instanceof HTMLButtonElement) {
    el.type = 'button';
    el.addEventListener('click', select!);
  }
  const img = document.createElement('img');
  img.src = url;
  img.alt = `Cutout of ${name}`;
  el.appendChild(img);
  li.appendChild(el);
  return li;
}
