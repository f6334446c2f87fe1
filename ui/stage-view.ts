/**
 * The stage: the image with the mask (or the hover's), the pending mark while a prompt waits
 * for the analysis, the candidate thumbnails, the one-line hint, and the result preview.
 */
import type { RgbaImage } from '../core/image/types.js';
import type { SourceInfo } from '../plugin/protocol.js';
import type { ImageCanvas } from './canvas.js';
import type { CandidateStrip } from './candidates.js';
import type { Engine } from './engine.js';
import { keyNames } from './format.js';
import { IS_MAC } from './keys.js';
import { previewMaskSize } from './layout.js';
import type { View } from './modes.js';
import { promptWait } from './pending.js';
import type { ResultPreview } from './preview.js';
import type { PromptSession } from './prompt-session.js';
import { isDecodable, isEmptyPrompt } from './prompts.js';
import type { SettingsStore } from './settings.js';
import type { Timeline } from './timeline.js';
import { byId } from './widgets.js';

/** What the stage shows, read from the controller. */
export interface StageState {
  readonly view: View;
  readonly image: RgbaImage | undefined;
  readonly source: SourceInfo | undefined;
  readonly canTakeInput: boolean;
  /** Show the result (preview.ts) instead of the mask. */
  readonly previewOn: boolean;
  /** The preview's larger view is on. */
  readonly expanded: boolean;
  readonly prompts: PromptSession;
  readonly engine: Engine;
  readonly settings: SettingsStore;
  readonly timeline: Timeline;
}

export class StageView {
  private readonly previewButton = byId<HTMLButtonElement>('preview');
  private readonly expandButton = byId<HTMLButtonElement>('expand');
  /** Predictions numbered for preview keys (a re-decode is another mask). */
  private readonly predictionIds = new WeakMap<object, number>();
  private predictionCount = 0;

  constructor(
    private readonly state: StageState,
    readonly canvas: ImageCanvas,
    readonly candidates: CandidateStrip,
    private readonly preview: ResultPreview,
    onPreviewButton: () => void,
    onExpandButton: () => void,
  ) {
    this.previewButton.addEventListener('click', onPreviewButton);
    this.expandButton.addEventListener('click', onExpandButton);
  }

  render(): void {
    const e = this.state.prompts.history.current;
    this.canvas.setEnabled(this.state.canTakeInput);
    this.canvas.setPrompt(e.prompt);
    this.renderMask();
    this.renderPending();
    this.renderPreview();
    this.renderCandidates();
    this.renderHint();
  }

  renderMask(): void {
    const { prompts, timeline } = this.state;
    const e = prompts.history.current;
    const hover = prompts.hoverPrediction;
    if (e.prediction && timeline.firstMask === undefined) timeline.firstMask = performance.now();
    if (e.prediction) this.canvas.setMask(e.prediction, e.candidate ?? e.prediction.selected, false);
    else if (hover && isEmptyPrompt(e.prompt)) this.canvas.setMask(hover, hover.selected, true);
    else if (!isDecodable(e.prompt)) this.canvas.setMask(undefined);
    // else: a decode is in flight; keep the previous mask until it arrives
  }

  /**
   * `data-pending` on #app: 'click' while the newest prompt waits for the analysis, 'hover'
   * while only a hover does (styles dim the prompt markers; tests read it), else absent.
   */
  renderPending(): void {
    const e = this.state.prompts.history.current;
    const engine = this.state.engine;
    const wait = promptWait({ decodable: isDecodable(e.prompt), answered: !!e.prediction, encoded: engine.isEncoded });
    const pending = wait === 'pending' ? 'click' : engine.hoverPending ? 'hover' : '';
    const app = byId('app');
    if ((app.dataset.pending ?? '') === pending) return;
    if (pending) app.dataset.pending = pending;
    else delete app.dataset.pending;
  }

  private renderCandidates(): void {
    const e = this.state.prompts.history.current;
    this.candidates.render(e.prediction, e.candidate ?? e.prediction?.selected ?? 0, this.state.image);
  }

  renderHint(): void {
    const hint = byId('stage-hint');
    const k = keyNames(IS_MAC);
    let text = '';
    if (this.state.image && this.state.canTakeInput) {
      const e = this.state.prompts.history.current;
      // A narrow window gets the short line: the hint sits over the image and must stay one line.
      const narrow = byId('stage').clientWidth < 330;
      text = isEmptyPrompt(e.prompt)
        ? narrow
          ? 'Click an object, or drag a box'
          : `Click an object · ${k.alt}click to exclude · drag for a box`
        : `⏎ apply · ${k.mod}Z undo · Esc clear${e.prediction && e.prediction.lowRes.length > 1 ? ' · 1–' + e.prediction.lowRes.length + ' masks' : ''}`;
    }
    if (hint.textContent !== text) {
      hint.textContent = '';
      if (text) {
        const span = document.createElement('span');
        span.textContent = text;
        hint.appendChild(span);
      }
    }
  }

  /** The result preview for the current mask and settings, when it is on. */
  private renderPreview(): void {
    const { image, source, previewOn, view } = this.state;
    const e = this.state.prompts.history.current;
    const on = previewOn && view === 'cutout' && !!e.prediction && !!image && !!source;
    this.previewButton.setAttribute('aria-pressed', String(previewOn));
    this.previewButton.disabled = !e.prediction;
    // A larger view is offered while there is a result to look at, and kept while it is open.
    this.expandButton.hidden = !(on || this.state.expanded);
    this.expandButton.setAttribute('aria-pressed', String(this.state.expanded));
    this.expandButton.title = this.state.expanded ? 'Back to the usual size (E)' : 'Larger preview (E)';
    this.expandButton.setAttribute('aria-label', this.state.expanded ? 'Back to the usual size' : 'Larger preview');
    if (!on || !e.prediction || !image || !source) {
      this.preview.clear();
      return;
    }
    const s = this.state.settings.get();
    const candidate = e.candidate ?? e.prediction.selected;
    // At the size the canvas shows (the overlay's), not the source's: a preview is quick.
    const size = previewMaskSize(image, this.canvas.geometry, window.devicePixelRatio || 1);
    const maxSide = Math.max(size.width, size.height);
    let id = this.predictionIds.get(e.prediction);
    if (id === undefined) this.predictionIds.set(e.prediction, (id = ++this.predictionCount));
    const key = [source.id, id, candidate, s.output, s.output === 'cutout' ? s.feather : s.smoothing, maxSide].join('|');
    this.preview.request({ key, prediction: e.prediction, candidate, options: { output: s.output, feather: s.feather, smoothing: s.smoothing, maxSide } });
  }
}
