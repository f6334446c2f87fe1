/**
 * The plugin UI (iframe) entry: wires the protocol bridge, the engine, the canvas and the
 * controls. Flow: `ready` → host `init` (settings, command, extra models) → model download
 * starts at once → host `selection` → `request-image` → decode → encode → prompts → Enter /
 * Apply → `apply` (source image pixels) → host `applied`.
 */
import { ErrorCode, isCutoutError } from '../core/errors.js';
import { errorFromInfo } from './errors.js';
import { decodeImage } from '../core/image/decode.js';
import type { RgbaImage } from '../core/image/types.js';
import type { DecodeResult } from '../core/models/types.js';
import { lowResOf } from '../core/segment.js';
import { PROTOCOL_VERSION, type ApplyPayload, type CommandId, type HostMessage, type ModelSourceSpec, type OutputKind, type SourceInfo } from '../plugin/protocol.js';
import type { BackendReport } from './backend.js';
import { startBackend } from './backend.js';
import { BatchController } from './batch.js';
import { Bridge, HOST_LABELS, hostFromQuery, pageQuery, windowPort } from './bridge.js';
import { ImageCanvas } from './canvas.js';
import { Engine, type EngineEvent } from './engine.js';
import { formatBytes, formatDuration, keyNames } from './format.js';
import type { Point } from './layout.js';
import { CandidateStrip, withDefault } from './candidates.js';
import { ModelPicker } from './model-picker.js';
import { modelChoices, pickModel, specsFromQuery, type ModelChoice, type ModelKind } from './models.js';
import { wireResizeCorner } from './resize-corner.js';
import { modeOf, modeShortcut, ModeSwitch, viewFor, type View } from './modes.js';
import { isDecodable, isEmptyPrompt, PromptHistory, toPrompt, withBox, withPoint, type HistoryEntry, type PromptState } from './prompts.js';
import { currentThreadEnv, obtainWasm, threadCount } from './runtime.js';
import { SUPERSEDED } from './schedule.js';
import { SettingsStore } from './settings.js';
import { openModelStore, type StoreInfo } from './store.js';
import { isTheme, setHostClass, setTheme, watchTheme } from './theme.js';
import { hoverAnswers, promptWait } from './pending.js';
import { Waits } from './waits.js';
import { Banner, byId, fillSelect, ProgressView, Segmented } from './widgets.js';
import { skippedLine } from './copy.js';
import { AppliedResult, type ResultKey } from './applied.js';
import { isEnterForApply } from './keys.js';
import { ResultPreview } from './preview.js';
import { SplitView } from './split-view.js';
import { previewMaskSize } from './layout.js';

/** Timeline of the session (ms since navigation start), for the e2e harness and debugging. */
export interface Timeline {
  script?: number;
  init?: number;
  /** Runtime bytes in hand (inline: page parsed and base64 decoded). */
  wasm?: number;
  runtime?: number;
  /** The model's files all in hand (download done); sessions open from here to modelReady. */
  modelFiles?: number;
  modelReady?: number;
  imageShown?: number;
  /** The first analysis started, and how long it took (ms). */
  encodeStart?: number;
  encoded?: number;
  encodeMs?: number;
  ready?: number;
  /** The first mask of a click (not a hover) drawn. */
  firstMask?: number;
}

const OUTPUT_NAMES: Record<OutputKind, string> = { cutout: 'Cutout', 'vector-mask': 'Vector mask', outline: 'Outline' };
const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

class App {
  /** The editor, from the page URL (`?host=penpot`; Figma adds no query): picks the message envelope. */
  readonly host = hostFromQuery(pageQuery());
  readonly bridge = new Bridge(windowPort(), this.host);
  readonly settings = new SettingsStore((s) => this.bridge.send({ type: 'save-settings', settings: s }));
  readonly progress = new ProgressView();
  readonly banner = new Banner();
  readonly timeline: Timeline = { script: performance.now() };
  readonly history = new PromptHistory<DecodeResult>();
  readonly waits: Waits;
  readonly engine: Engine;
  readonly canvas: ImageCanvas;
  readonly batch: BatchController;
  readonly storeInfo: Promise<StoreInfo>;
  runtime: BackendReport | undefined;
  /** The inference runtime did not start: model errors are its error, which Retry cannot fix. */
  private runtimeFailed = false;

  private view: View = 'loading';
  private command: CommandId = 'cutout';
  private extraModels: ModelSourceSpec[] = [];
  /** Models named by the page URL: preselected over the saved settings. */
  private queryModels: ModelSourceSpec[] = [];
  private sources: SourceInfo[] = [];
  private problems: string[] = [];
  private source: SourceInfo | undefined;
  private image: RgbaImage | undefined;
  private imageRequest = 0;
  private hoverPoint: Point | undefined;
  private hoverPrediction: DecodeResult | undefined;
  /** The newest hover decode asked for (in flight or done), for a click at the same point to take. */
  private lastHover: { x: number; y: number; result: Promise<DecodeResult | undefined> } | undefined;
  /** What the wait strip last said (see the Waits set-up). */
  private shownWait = '';
  private applying = false;
  /** The last insertion, for "Added … Select" and to keep Apply off until something changes. */
  private readonly applied = new AppliedResult();
  private decodeMs = 0;
  private modelFailed = false;
  private initialised = false;
  private editSourceId: string | undefined;

  private readonly picker: ModelPicker;
  private readonly candidates: CandidateStrip;
  private readonly sourceSelect = byId<HTMLSelectElement>('source-select');
  private readonly applyButton = byId<HTMLButtonElement>('apply');
  private readonly statusAction = byId<HTMLButtonElement>('status-action');
  private statusActionFn: (() => void) | undefined;
  private readonly previewButton = byId<HTMLButtonElement>('preview');
  /** Show the result (preview.ts) instead of the mask. */
  private previewOn = false;
  private readonly preview: ResultPreview;
  /** Predictions numbered for preview keys (a re-decode is another mask). */
  private readonly predictionIds = new WeakMap<object, number>();
  private predictionCount = 0;
  private readonly output: Segmented<OutputKind>;
  private readonly modes: ModeSwitch;
  private readonly split: SplitView;

  constructor() {
    const search = pageQuery();
    setHostClass(this.host);
    this.banner.editor = HOST_LABELS[this.host];
    this.queryModels = specsFromQuery(search);
    this.extraModels.push(...this.queryModels);

    this.storeInfo = openModelStore();
    const backend = obtainWasm().then(async (wasm) => {
      this.timeline.wasm = performance.now();
      const started = await startBackend(wasm, threadCount(currentThreadEnv()), {
        preferWorker: new URLSearchParams(search).get('worker') !== '0',
      });
      this.runtime = started.report;
      this.timeline.runtime = performance.now();
      this.updateBadge();
      return started;
    });
    backend.catch((err: unknown) => {
      this.runtimeFailed = true;
      this.banner.error(err, undefined, { task: 'runtime' });
    });
    this.waits = new Waits({
      show: (owner, state, refresh) => {
        if (refresh && this.progress.active && this.progress.active !== owner) return;
        // The clock ticks often; the strip changes only when what it says does (whole percents).
        const key = `${owner}|${state.label}|${state.detail}|${Math.floor(state.fraction * 100)}`;
        if (refresh && this.progress.active === owner && key === this.shownWait) return;
        this.shownWait = key;
        this.progress.show(owner, state);
      },
      hide: (owner) => this.progress.hide(owner),
      timings: () => this.settings.get().timings,
      saveTimings: (timings) => this.settings.set({ timings }),
      now: () => performance.now(),
      every: (ms, fn) => {
        const t = setInterval(fn, ms);
        return () => clearInterval(t);
      },
    });
    this.engine = new Engine({
      backend,
      store: this.storeInfo.then((s) => s.store),
      onEvent: (e) => this.onEngineEvent(e),
    });

    this.canvas = new ImageCanvas(byId<HTMLCanvasElement>('stage-canvas'), {
      onPoint: (p, label) => this.addPoint(p, label),
      onBox: (box) => this.edit(withBox(this.history.current.prompt, box)),
      onHover: (p) => this.hover(p),
    });
    this.preview = new ResultPreview({
      run: (prediction, candidate, options) => this.engine.apply(prediction, candidate, options),
      show: (r) => this.canvas.setPreview(r),
    });
    this.output = new Segmented<OutputKind>(byId('output'), (v) => {
      this.settings.set({ output: v });
      this.showResult();
      this.renderOptions();
    });
    this.batch = new BatchController({
      bridge: this.bridge,
      engine: this.engine,
      settings: this.settings,
      progress: this.progress,
      banner: this.banner,
      applyButton: this.applyButton,
      secondaryButton: byId<HTMLButtonElement>('secondary'),
      status: (t) => this.status(t),
      rendered: () => {
        this.modes.disabled = !this.canSwitchMode;
      },
    });
    this.picker = new ModelPicker((c) => {
      this.settings.set(this.modelKind === 'sam' ? { modelId: c.id } : { salientModelId: c.id });
      this.loadChosenModel();
    });
    this.split = new SplitView({
      engine: this.engine,
      bridge: this.bridge,
      settings: this.settings,
      progress: this.progress,
      banner: this.banner,
      changed: () => {
        if (this.modes) this.modes.disabled = !this.canSwitchMode;
      },
    });
    this.candidates = new CandidateStrip(byId('candidates'), (k) => this.selectCandidate(k));
    wireResizeCorner(byId('resize-corner'), (size, remember) => this.bridge.send({ type: 'resize', width: size.width, height: size.height, ...(remember ? { remember } : {}) }));
    this.modes = new ModeSwitch(byId('modes'), (id) => this.pickMode(id), (n) => `${keyNames(isMac).alt}${n}`);
    this.wireControls();
    watchTheme(() => this.canvas.themeChanged(), search);
    window.addEventListener('resize', () => this.renderHint());
    this.storeInfo.then((info) => this.picker.setStore(info.persistent, info.note));

    this.bridge.on('init', (m) => this.onInit(m));
    this.bridge.on('selection', (m) => this.onSelection(m.sources, m.problems));
    this.bridge.on('error', (m) => this.banner.error(errorFromInfo(m.error)));
    this.bridge.on('theme', (m) => {
      if (isTheme(m.theme)) setTheme(m.theme);
    });
    this.bridge.on('notice', (m) => this.banner.notice(String(m.message ?? ''), m.error === true));
    this.bridge.send({ type: 'ready', version: PROTOCOL_VERSION });
    this.render();
  }

  // ---- host messages ------------------------------------------------------------------

  private onInit(m: Extract<HostMessage, { type: 'init' }>): void {
    this.timeline.init = performance.now();
    this.initialised = true;
    this.command = m.command;
    this.modes.value = m.command;
    this.editSourceId = m.editSourceId;
    if (isTheme(m.theme)) setTheme(m.theme);
    this.settings.load(m.settings);
    if (m.models?.length) this.extraModels = [...m.models, ...this.extraModels.filter((x) => !m.models!.some((y) => y.id === x.id))];
    const s = this.settings.get();
    this.output.value = s.output;
    byId<HTMLInputElement>('feather').value = String(s.feather);
    byId<HTMLInputElement>('smoothing').value = String(s.smoothing);
    byId<HTMLInputElement>('hide-source').checked = s.hideSource;
    this.batch.loadSettings();
    this.setView(viewFor(this.command, this.sources.length > 0));
    this.fillModelPicker();
    this.loadChosenModel();
    this.renderOptions();
    // A selection that arrived before init (or an edit relaunch) is acted on now.
    if (this.sources.length) this.onSelection(this.sources, this.problems);
  }

  private onSelection(sources: SourceInfo[], problems: string[]): void {
    this.sources = sources;
    this.problems = problems;
    if (!this.initialised) return;
    if (this.view === 'batch') {
      this.batch.selectionChanged(sources);
      return;
    }
    this.renderSources();
    if (!sources.length) {
      this.source = undefined;
      this.setImage(undefined);
      this.setView('empty');
      return;
    }
    this.setView('cutout');
    const keep = this.source && sources.find((s) => s.id === this.source!.id);
    const wanted = this.editSourceId ? sources.find((s) => s.id === this.editSourceId) : undefined;
    this.editSourceId = undefined;
    const next = wanted ?? keep ?? sources[0]!;
    if (!this.source || next.id !== this.source.id || !this.image) void this.loadSource(next);
  }

  /**
   * The mode switch picked a menu command: the same as opening the plugin with it (its view,
   * its model kind in the picker, the selection acted on), keeping what is already loaded.
   */
  private pickMode(command: CommandId): void {
    if (!this.canSwitchMode || modeOf(command) === modeOf(this.command)) {
      this.modes.value = this.command;
      return;
    }
    this.command = command;
    this.modes.value = command;
    this.editSourceId = undefined;
    this.banner.hide();
    this.batch.reset();
    this.setView(viewFor(command, this.sources.length > 0));
    const chosen = this.chosenModel;
    const wanted = this.modelKind === 'sam' ? this.engine.wantedModelId : this.engine.wantedSalientId;
    if (chosen && chosen.id !== wanted) this.loadChosenModel();
    if (this.view !== 'batch') this.onSelection(this.sources, this.problems);
    this.render();
  }

  /** Switching modes would abandon a running batch or apply; before init there is nothing to switch. */
  private get canSwitchMode(): boolean {
    return this.initialised && !this.applying && !this.batch.running && !this.split?.busy;
  }

  // ---- model ----------------------------------------------------------------------------

  private get modelKind(): ModelKind {
    return this.view === 'batch' ? 'salient' : 'sam';
  }

  private fillModelPicker(): void {
    const choices = modelChoices(this.modelKind, this.extraModels);
    const s = this.settings.get();
    const fromUrl = this.queryModels.find((m) => (m.kind ?? 'sam') === this.modelKind);
    const chosen = pickModel(choices, fromUrl?.id ?? (this.modelKind === 'sam' ? s.modelId : s.salientModelId));
    this.picker.set(this.modelKind, choices, chosen?.id);
  }

  private get chosenModel(): ModelChoice | undefined {
    return this.picker.chosen;
  }

  private loadChosenModel(): void {
    const choice = this.chosenModel;
    if (!choice) return;
    this.modelFailed = false;
    if (this.modelKind === 'salient') {
      this.batch.modelChosen(choice, this.extraModels, this.queryModels.find((m) => (m.kind ?? 'sam') === 'sam')?.id);
      this.render();
      return;
    }
    this.history.forgetPredictions();
    this.hoverPrediction = undefined;
    this.lastHover = undefined;
    this.engine.loadModel(choice).then(
      () => {
        if (this.image) this.encodeCurrent();
      },
      () => undefined, // reported through the model-error event
    );
    this.render();
  }

  private updateBadge(): void {
    const r = this.runtime;
    if (!r) return;
    const device = this.engine.model?.info.device === 'webgpu' ? 'GPU' : 'CPU';
    const threads = threadCount(currentThreadEnv());
    const detail =
      `Everything runs on this computer; images never leave it. ` +
      `${device === 'GPU' ? 'WebGPU' : `WebAssembly, ${threads} thread${threads > 1 ? 's' : ''}`}, ` +
      `${r.kind === 'worker' ? 'in a background worker' : 'on the plugin thread'}` +
      (r.workerNote ? ` (no worker: ${r.workerNote})` : '') +
      '.' +
      (this.engine.model?.info.note ? ` ${this.engine.model.info.note}` : '');
    this.picker.setRuntime(`Runs on this computer (${device}): your images never leave it.`, detail);
  }

  private onEngineEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'download':
        this.waits.download(e.model, e.loaded, e.total);
        break;
      case 'model-opening':
        this.timeline.modelFiles ??= performance.now();
        this.waits.opening(e.model);
        break;
      case 'salient-ready':
        this.waits.modelDone(e.model, true);
        this.updateBadge();
        this.render();
        break;
      case 'model-ready':
        this.timeline.modelReady = performance.now();
        this.waits.modelDone(e.model, true);
        this.updateBadge();
        this.render();
        break;
      case 'model-error':
        this.waits.modelDone(e.model, false);
        this.modelFailed = !isCutoutError(e.error, ErrorCode.Cancelled);
        if (this.runtimeFailed) this.banner.error(e.error, undefined, { task: 'runtime' });
        else if (!isCutoutError(e.error, ErrorCode.Cancelled)) {
          this.banner.error(e.error, { label: 'Retry', run: () => this.loadChosenModel() }, { task: 'model', model: { kind: e.model.kind, ...(e.model.bytes ? { bytes: e.model.bytes } : {}) } });
        }
        this.render();
        break;
      case 'encoding':
        this.timeline.encodeStart ??= e.startedAt;
        this.waits.encoding(e.modelId, e.first, e.startedAt);
        this.render();
        break;
      case 'encoded':
        if (this.timeline.encoded === undefined) {
          this.timeline.encoded = performance.now();
          this.timeline.encodeMs = e.ms;
        }
        this.waits.encoded(e.cached ? undefined : e.ms);
        this.markReady();
        this.render();
        break;
      case 'encode-error':
        this.waits.encoded(undefined);
        this.banner.error(e.error, { label: 'Retry', run: () => this.encodeCurrent() }, { task: 'analyze' });
        this.render();
        break;
    }
  }

  // ---- image ------------------------------------------------------------------------------

  private async loadSource(source: SourceInfo): Promise<void> {
    this.source = source;
    const requestId = this.bridge.requestId();
    this.imageRequest = requestId;
    this.setImage(undefined);
    this.renderSources();
    this.progress.show('image', { label: `Reading ${source.name}`, elapsedSince: performance.now() });
    try {
      const reply = await this.bridge.request({ type: 'request-image', requestId, sourceId: source.id }, 'image', 120_000);
      if (this.imageRequest !== requestId) return;
      const image = decodeImage(reply.bytes);
      if (this.imageRequest !== requestId) return;
      this.source = reply.source;
      this.setImage(image);
      this.timeline.imageShown = performance.now();
      if (reply.source.note) this.banner.show(reply.source.note, '', 'info');
      this.encodeCurrent();
    } catch (err) {
      if (this.imageRequest === requestId) this.banner.error(err, { label: 'Retry', run: () => void this.loadSource(source) }, { task: 'read' });
    } finally {
      this.progress.hide('image');
      this.render();
    }
  }

  private setImage(image: RgbaImage | undefined): void {
    this.image = image;
    this.lastHover = undefined;
    this.history.reset();
    this.hoverPrediction = undefined;
    this.engine.setImage(image);
    this.canvas.setImage(image);
    this.render();
  }

  private encodeCurrent(): void {
    if (!this.image || !this.engine.model) return;
    this.engine.encode().then(
      () => this.redecodeCurrent(),
      () => undefined, // the encode-error event shows it
    );
  }

  private markReady(): void {
    if (this.timeline.ready === undefined) {
      this.timeline.ready = performance.now();
      document.documentElement.dataset.cutoutReady = 'true';
    }
  }

  // ---- prompts ----------------------------------------------------------------------------

  private get canPrompt(): boolean {
    return !!this.image && this.engine.isEncoded && !this.applying;
  }

  /**
   * Clicks and hovers are taken as soon as the image shows: made while it is analysed (or
   * the model loads) they wait and are answered once the embedding exists.
   */
  private get canTakeInput(): boolean {
    return !!this.image && !this.applying && !this.modelFailed;
  }

  private addPoint(p: Point, label: 0 | 1): void {
    const cur = this.history.current.prompt;
    if (label === 0 && !isDecodable(cur)) {
      this.status('Click on the object first; Alt-click then removes areas from it.');
      return;
    }
    this.edit(withPoint(cur, { x: p.x, y: p.y, label }));
  }

  /** Records a prompt edit and decodes it. */
  private edit(prompt: PromptState): void {
    if (!this.image) return;
    this.banner.hide();
    const prior = this.history.current;
    const entry = this.history.push(prompt);
    this.previewOn = false; // refining: the mask, not the result, is what to look at
    this.hoverPrediction = undefined;
    this.render();
    void this.decodeEntry(entry, prior);
  }

  private async decodeEntry(entry: HistoryEntry<DecodeResult>, prior?: HistoryEntry<DecodeResult>): Promise<void> {
    if (!isDecodable(entry.prompt)) {
      this.render();
      return;
    }
    const supportsMask = this.engine.model?.info.supports.maskInput ?? false;
    const previous =
      supportsMask && prior?.prediction && !isEmptyPrompt(prior.prompt) && prior.prompt.box === entry.prompt.box
        ? lowResOf(prior.prediction, prior.candidate ?? prior.prediction.selected)
        : undefined;
    const started = performance.now();
    const hover = this.lastHover;
    try {
      const reused = hover && hoverAnswers(entry.prompt, hover, !!previous) ? await hover.result : undefined;
      const prediction = withDefault(reused ?? (await this.engine.decode(toPrompt(entry.prompt, previous))));
      entry.prediction = prediction;
      if (entry === this.history.current) {
        this.decodeMs = performance.now() - started;
            this.render();
      }
    } catch (err) {
      if (entry === this.history.current) this.banner.error(err, undefined, { task: 'find' });
      this.render();
    }
  }

  /** After a model change: decode the current prompt again with the new model. */
  private redecodeCurrent(): void {
    const e = this.history.current;
    if (!e.prediction && isDecodable(e.prompt)) void this.decodeEntry(e);
  }

  private hover(p: Point | undefined): void {
    this.hoverPoint = p;
    const showHover = isEmptyPrompt(this.history.current.prompt);
    if (!p || !showHover || !this.canTakeInput) {
      this.engine.cancelHover();
      if (this.hoverPrediction) {
        this.hoverPrediction = undefined;
        this.renderMask();
      }
      return;
    }
    const held = !this.engine.isEncoded;
    const request = this.engine.hover({ points: [{ x: p.x, y: p.y, label: 1 }] });
    this.lastHover = {
      x: p.x,
      y: p.y,
      result: request.then(
        (r) => (r === SUPERSEDED ? undefined : r),
        () => undefined,
      ),
    };
    void request.then(
      (r) => {
        if (held) this.renderPending();
        if (r === SUPERSEDED || this.hoverPoint !== p || !isEmptyPrompt(this.history.current.prompt)) return;
        this.hoverPrediction = withDefault(r);
        this.renderMask();
      },
      () => undefined, // a failed preview is not worth a banner; the click will say
    );
    if (held) this.renderPending();
  }

  private selectCandidate(k: number): void {
    const e = this.history.current;
    if (!e.prediction || k < 0 || k >= e.prediction.lowRes.length) return;
    e.candidate = k;
    this.render();
  }

  private undo(): void {
    if (this.history.undo()) this.afterHistoryMove();
  }

  private redo(): void {
    if (this.history.redo()) this.afterHistoryMove();
  }

  private afterHistoryMove(): void {
    this.hoverPrediction = undefined;
    const e = this.history.current;
    if (!e.prediction && isDecodable(e.prompt)) void this.decodeEntry(e);
    this.render();
  }

  private clear(): void {
    if (isEmptyPrompt(this.history.current.prompt)) return;
    this.history.push({ points: [] });
    this.hoverPrediction = undefined;
    this.render();
  }

  // ---- apply ------------------------------------------------------------------------------

  private async apply(): Promise<void> {
    if (this.view === 'batch') return this.batch.primary();
    const e = this.history.current;
    const source = this.source;
    if (this.applying || !source || !this.image) return;
    if (!e.prediction) {
      this.status(isDecodable(e.prompt) ? 'Wait for the mask, then apply.' : 'Click the object to cut out first.');
      return;
    }
    const key = this.resultKey();
    if (this.applied.matching(key)) return; // already added: a second Enter must not duplicate it
    const s = this.settings.get();
    const candidate = e.candidate ?? e.prediction.selected;
    this.applying = true;
    this.banner.hide();
    this.render();
    const label = `Applying ${OUTPUT_NAMES[s.output].toLowerCase()}`;
    this.progress.show('apply', { label, fraction: 0 });
    try {
      const result = await this.engine.apply(e.prediction, candidate, { output: s.output, feather: s.feather, smoothing: s.smoothing }, (f, stage) =>
        this.progress.show('apply', { label: `${label} · ${stage}`, fraction: f * 0.9 }),
      );
      this.progress.show('apply', { label: `${label} · Adding to the file`, fraction: 0.95 });
      const payload: ApplyPayload = {
        sourceId: source.id,
        output: s.output,
        name: `${OUTPUT_NAMES[s.output]} of ${source.name}`,
        hideSource: s.hideSource,
        ...(result.png ? { png: result.png } : {}),
        ...(result.rect ? { rect: result.rect } : {}),
        ...(result.paths ? { paths: result.paths } : {}),
      };
      const requestId = this.bridge.requestId();
      const reply = await this.bridge.request({ type: 'apply', requestId, payload }, 'applied', 120_000);
      const shrunk =
        result.pngSize && result.rect && (result.pngSize.width < Math.round(result.rect.width) || result.pngSize.height < Math.round(result.rect.height));
      if (key) this.applied.record(key, payload.name ?? OUTPUT_NAMES[s.output], reply.nodeIds);
      if (shrunk) {
        this.banner.show(
          `The cutout was scaled to ${result.pngSize!.width} × ${result.pngSize!.height} px.`,
          this.host === 'figma'
            ? 'Figma images can be at most 4096 px on a side; the layer still covers the object exactly.'
            : `Cutout adds images of at most 4096 px on a side to ${HOST_LABELS[this.host]}; the layer still covers the object exactly.`,
          'info',
        );
      }
    } catch (err) {
      this.banner.error(err, { label: 'Retry', run: () => void this.apply() }, { task: 'apply' });
    } finally {
      this.applying = false;
      this.progress.hide('apply');
      this.render();
    }
  }

  // ---- controls ---------------------------------------------------------------------------

  private wireControls(): void {
    this.sourceSelect.addEventListener('change', () => {
      const s = this.sources.find((x) => x.id === this.sourceSelect.value);
      if (s) void this.loadSource(s);
    });
    const feather = byId<HTMLInputElement>('feather');
    feather.addEventListener('input', () => {
      this.settings.set({ feather: Number(feather.value) });
      this.showResult();
      this.renderOptions();
    });
    const smoothing = byId<HTMLInputElement>('smoothing');
    smoothing.addEventListener('input', () => {
      this.settings.set({ smoothing: Number(smoothing.value) });
      this.showResult();
      this.renderOptions();
    });
    const hide = byId<HTMLInputElement>('hide-source');
    hide.addEventListener('change', () => this.settings.set({ hideSource: hide.checked }));
    byId('undo').addEventListener('click', () => this.undo());
    byId('redo').addEventListener('click', () => this.redo());
    byId('clear').addEventListener('click', () => this.clear());
    this.previewButton.addEventListener('click', () => {
      this.previewOn = !this.previewOn;
      this.render();
    });
    this.applyButton.addEventListener('click', () => void this.apply());
    this.statusAction.addEventListener('click', () => this.statusActionFn?.());
    document.addEventListener('keydown', (e) => this.onKey(e));
  }

  private onKey(e: KeyboardEvent): void {
    const t = e.target as HTMLElement | null;
    const typing = !!t && (t.tagName === 'SELECT' || (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'range' && (t as HTMLInputElement).type !== 'checkbox'));
    const mode = typing ? undefined : modeShortcut(e, this.modes.modes.length);
    if (mode !== undefined) {
      e.preventDefault();
      this.modes.pickIndex(mode);
      return;
    }
    if (this.split.active && this.view === 'cutout') {
      this.split.onKey(e, isMac);
      return;
    }
    if (typing || this.view !== 'cutout') {
      if (e.key === 'Enter' && this.view === 'batch' && !typing) {
        e.preventDefault();
        void this.apply();
      }
      return;
    }
    const mod = isMac ? e.metaKey : e.ctrlKey;
    if (mod && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      if (e.shiftKey) this.redo();
      else this.undo();
    } else if (mod && e.key.toLowerCase() === 'y') {
      e.preventDefault();
      this.redo();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.clear();
    } else if (e.key === 'Enter') {
      if (!isEnterForApply(t)) return;
      // Also keeps a focused option or mask button from being clicked again.
      e.preventDefault();
      void this.apply();
    } else if (!mod && !e.altKey && /^[1-4]$/.test(e.key)) {
      const k = this.candidates.at(Number(e.key) - 1);
      if (k !== undefined) this.selectCandidate(k);
    } else if (!mod && !e.altKey && e.key.toLowerCase() === 'p') {
      this.previewOn = !this.previewOn;
      this.render();
    }
  }

  // ---- rendering --------------------------------------------------------------------------

  private setView(v: View): void {
    const was = this.view;
    this.view = v;
    byId('app').dataset.view = v;
    this.split.active = modeOf(this.command) === 'split';
    if ((was === 'batch') !== (v === 'batch') && this.initialised) {
      this.fillModelPicker();
      if (v === 'batch') this.batch.show(this.sources);
    }
    this.render();
  }

  private status(text: string): void {
    byId('status').textContent = text;
  }

  private renderSources(): void {
    const picker = byId('source-picker');
    const name = byId('source-name');
    const size = byId('source-size');
    const multi = this.sources.length > 1;
    picker.hidden = !multi;
    name.hidden = multi;
    if (multi) {
      fillSelect(
        this.sourceSelect,
        this.sources.map((s) => ({ value: s.id, label: s.name })),
        this.source?.id,
      );
    }
    name.textContent = this.source?.name ?? '';
    size.textContent = this.source ? `${this.source.width} × ${this.source.height}` : '';
    const skipped = byId('source-skipped');
    const line = this.sources.length ? skippedLine(this.problems) : '';
    skipped.hidden = !line;
    skipped.textContent = line;
    const problems = byId('empty-problems');
    problems.textContent = '';
    for (const p of this.problems.slice(0, 4)) {
      const li = document.createElement('li');
      li.textContent = p;
      problems.appendChild(li);
    }
  }

  private renderOptions(): void {
    const s = this.settings.get();
    const vector = s.output !== 'cutout';
    byId('feather-field').hidden = vector;
    byId('smoothing-field').hidden = !vector;
    byId('feather-value').textContent = `${s.feather} px`;
    byId('smoothing-value').textContent = `${s.smoothing} px`;
    this.render();
  }

  private renderMask(): void {
    const e = this.history.current;
    if (e.prediction && this.timeline.firstMask === undefined) this.timeline.firstMask = performance.now();
    if (e.prediction) this.canvas.setMask(e.prediction, e.candidate ?? e.prediction.selected, false);
    else if (this.hoverPrediction && isEmptyPrompt(e.prompt)) this.canvas.setMask(this.hoverPrediction, this.hoverPrediction.selected, true);
    else if (!isDecodable(e.prompt)) this.canvas.setMask(undefined);
    // else: a decode is in flight; keep the previous mask until it arrives
  }

  /**
   * `data-pending` on #app: 'click' while the newest prompt waits for the analysis, 'hover'
   * while only a hover does (styles dim the prompt markers; tests read it), else absent.
   */
  private renderPending(): void {
    const e = this.history.current;
    const wait = promptWait({ decodable: isDecodable(e.prompt), answered: !!e.prediction, encoded: this.engine.isEncoded });
    const pending = wait === 'pending' ? 'click' : this.engine.hoverPending ? 'hover' : '';
    const app = byId('app');
    if ((app.dataset.pending ?? '') === pending) return;
    if (pending) app.dataset.pending = pending;
    else delete app.dataset.pending;
  }

  private renderCandidates(): void {
    const e = this.history.current;
    this.candidates.render(e.prediction, e.candidate ?? e.prediction?.selected ?? 0, this.image);
  }

  private renderHint(): void {
    const hint = byId('stage-hint');
    const k = keyNames(isMac);
    let text = '';
    if (this.image && this.canTakeInput) {
      const e = this.history.current;
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

  render(): void {
    const app = byId('app');
    const e = this.history.current;
    app.dataset.busy = String(this.applying || this.engine.scheduler.busy);
    this.split?.update({ source: this.source, image: this.image, encoded: !!this.image && this.engine.isEncoded });
    this.modes.disabled = !this.canSwitchMode;
    this.canvas.setEnabled(this.canTakeInput);
    this.canvas.setPrompt(e.prompt);
    this.renderMask();
    this.renderPending();
    this.renderPreview();
    this.renderCandidates();
    this.renderHint();
    byId<HTMLButtonElement>('undo').disabled = !this.history.canUndo;
    byId<HTMLButtonElement>('redo').disabled = !this.history.canRedo;
    byId<HTMLButtonElement>('clear').disabled = isEmptyPrompt(e.prompt);
    if (this.view === 'batch') {
      this.batch.render();
      this.renderStatusAction(undefined);
      return;
    }
    const added = this.view === 'cutout' ? this.applied.matching(this.resultKey()) : undefined;
    this.applyButton.disabled = this.view !== 'cutout' || !e.prediction || this.applying || !!added;
    this.applyButton.textContent = `Apply ${OUTPUT_NAMES[this.settings.get().output].toLowerCase()}`;
    this.applyButton.title = 'Insert the result above the layer (⏎). The original is not changed.';
    byId('secondary').hidden = true;
    if (this.view === 'cutout' && !this.applying) this.status(this.cutoutStatus());
    else if (this.view === 'empty') this.status('');
    this.renderStatusAction(added);
  }

  /** The footer's link: Select after an insertion, Retry while the model is unavailable. */
  private renderStatusAction(added: { nodeIds: string[] } | undefined): void {
    let label = '';
    let run: (() => void) | undefined;
    if (this.view === 'cutout' && !this.applying && added?.nodeIds.length) {
      label = 'Select';
      const ids = added.nodeIds;
      run = () => this.bridge.send({ type: 'select', nodeIds: ids });
    } else if (this.modelFailed && !this.runtimeFailed && (this.view === 'batch' ? !this.batch.running && !this.engine.salientModel && this.engine.wantedSalientId === undefined : this.view === 'cutout' && !this.engine.model)) {
      label = 'Retry';
      run = () => this.loadChosenModel();
    }
    this.statusActionFn = run;
    this.statusAction.hidden = !run;
    this.statusAction.textContent = label;
    this.statusAction.title = label === 'Select' ? `Select the new layer in ${HOST_LABELS[this.host]}` : '';
  }

  /** Changing what the result would be (output, feather, smoothing) shows the result. */
  private showResult(): void {
    if (this.history.current.prediction) this.previewOn = true;
  }

  /** The result preview for the current mask and settings, when it is on. */
  private renderPreview(): void {
    const e = this.history.current;
    const on = this.previewOn && this.view === 'cutout' && !!e.prediction && !!this.image && !!this.source;
    this.previewButton.setAttribute('aria-pressed', String(this.previewOn));
    this.previewButton.disabled = !e.prediction;
    if (!on || !e.prediction || !this.image || !this.source) {
      this.preview.clear();
      return;
    }
    const s = this.settings.get();
    const candidate = e.candidate ?? e.prediction.selected;
    // At the size the canvas shows (the overlay's), not the source's: a preview is quick.
    const size = previewMaskSize(this.image, this.canvas.geometry, window.devicePixelRatio || 1);
    const maxSide = Math.max(size.width, size.height);
    let id = this.predictionIds.get(e.prediction);
    if (id === undefined) this.predictionIds.set(e.prediction, (id = ++this.predictionCount));
    const key = [this.source.id, id, candidate, s.output, s.output === 'cutout' ? s.feather : s.smoothing, maxSide].join('|');
    this.preview.request({ key, prediction: e.prediction, candidate, options: { output: s.output, feather: s.feather, smoothing: s.smoothing, maxSide } });
  }

  /** What an apply would insert now (undefined: nothing to apply). */
  private resultKey(): ResultKey | undefined {
    const e = this.history.current;
    if (!this.source || !e.prediction) return undefined;
    const s = this.settings.get();
    return {
      sourceId: this.source.id,
      entry: e,
      prediction: e.prediction,
      candidate: e.candidate ?? e.prediction.selected,
      output: s.output,
      feather: s.feather,
      smoothing: s.smoothing,
    };
  }

  /** The footer's line: what happens next, in words. */
  private cutoutStatus(): string {
    const e = this.history.current;
    const added = this.applied.matching(this.resultKey());
    if (added) return `Added “${added.name}”.`;
    if (!this.engine.model) return this.modelFailed ? "The model isn't available." : 'Preparing the model…';
    if (!this.image) return this.source ? `Reading ${this.source.name}…` : '';
    if (!this.engine.isEncoded) {
      // The progress strip says it is analyzing: the footer only says what a click does meanwhile.
      return isDecodable(e.prompt) ? 'Your click is answered as soon as the image is analyzed.' : 'You can click the object already.';
    }
    if (!isDecodable(e.prompt)) return 'Click the object you want to keep.';
    if (!e.prediction) return 'Finding the object…';
    const name = this.candidates.nameOf(e.candidate ?? e.prediction.selected);
    const what = name && name !== 'Mask' ? `${name} selected` : 'Object selected';
    return `${what}${this.decodeMs >= 50 ? ` · ${formatDuration(this.decodeMs)}` : ''}`;
  }
}

declare global {
  interface Window {
    __cutout?: { app: App; timeline: Timeline };
  }
}

const app = new App();
window.__cutout = { app, timeline: app.timeline };
