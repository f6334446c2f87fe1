/**
 * The controller of the plugin UI: holds the session's state (view, command, selection, image,
 * model) and wires the protocol bridge, the engine and the views. Flow: `ready` → host `init`
 * (settings, command, extra models) → model download starts at once → host `selection` →
 * `request-image` → decode → encode → prompts → Enter / Apply → `apply` (source image pixels)
 * → host `applied`.
 */
import { errorFromInfo } from './errors.js';
import type { RgbaImage } from '../core/image/types.js';
import { MAX_UI_SIZE, PROTOCOL_VERSION, type CommandId, type EditState, type EditTarget, type HostMessage, type ModelSourceSpec, type SourceInfo } from '../plugin/protocol.js';
import { bytesFingerprint, editStateOf, restoreEdit } from './edit-session.js';
import type { BackendReport } from './backend.js';
import { startBackend } from './backend.js';
import { CODEC_WASM } from './codec-wasm.js';
import { BatchController } from './batch.js';
import { Bridge, HOST_LABELS, hostFromQuery, pageQuery, windowPort } from './bridge.js';
import { ImageCanvas } from './canvas.js';
import { Engine } from './engine.js';
import { formatDuration, keyNames } from './format.js';
import { CandidateStrip } from './candidates.js';
import { ModelPicker } from './model-picker.js';
import { modelChoices, pickModel, specsFromQuery, type ModelChoice, type ModelKind } from './models.js';
import { wireResizeCorner } from './resize-corner.js';
import { modeOf, ModeSwitch, viewFor, type View } from './modes.js';
import { isDecodable, isEmptyPrompt } from './prompts.js';
import { currentThreadEnv, obtainWasm, threadCount } from './runtime.js';
import { SettingsStore } from './settings.js';
import { openModelStore, type StoreInfo } from './store.js';
import { isTheme, setHostClass, setTheme, watchTheme } from './theme.js';
import { Waits } from './waits.js';
import { Banner, byId, ProgressView } from './widgets.js';
import { AppliedResult, type ResultKey } from './applied.js';
import { IS_MAC } from './keys.js';
import { SplitView } from './split-view.js';
import { ResultPreview } from './preview.js';
import type { Timeline } from './timeline.js';
import { PromptSession } from './prompt-session.js';
import { StageView } from './stage-view.js';
import { SourcesView } from './sources-view.js';
import { OptionsView } from './options-view.js';
import { FooterView, type StatusAction } from './footer-view.js';
import { handleEngineEvent } from './engine-events.js';
import { handleShortcut } from './shortcuts.js';
import { runtimeBadge } from './runtime-badge.js';
import { applyCutout } from './apply-cutout.js';

/** The window the preview's larger view asks for (within the host's limits). */
const EXPANDED_SIZE = { width: 720, height: 860 };

export class App {
  /** The editor, from the page URL (`?host=penpot`; Figma adds no query): picks the message envelope. */
  readonly host = hostFromQuery(pageQuery());
  readonly bridge = new Bridge(windowPort(), this.host);
  readonly settings = new SettingsStore((s) => this.bridge.send({ type: 'save-settings', settings: s }));
  readonly progress = new ProgressView();
  readonly banner = new Banner();
  readonly timeline: Timeline = { script: performance.now() };
  readonly prompts: PromptSession;
  readonly waits: Waits;
  readonly engine: Engine;
  readonly canvas: ImageCanvas;
  readonly batch: BatchController;
  readonly storeInfo: Promise<StoreInfo>;
  runtime: BackendReport | undefined;
  /** The inference runtime did not start: model errors are its error, which Retry cannot fix. */
  runtimeFailed = false;
  modelFailed = false;

  view: View = 'loading';
  private command: CommandId = 'cutout';
  private extraModels: ModelSourceSpec[] = [];
  /** Models named by the page URL: preselected over the saved settings. */
  private queryModels: ModelSourceSpec[] = [];
  private sources: SourceInfo[] = [];
  private problems: string[] = [];
  source: SourceInfo | undefined;
  image: RgbaImage | undefined;
  private imageRequest = 0;
  /** What the wait strip last said (see the Waits set-up). */
  private shownWait = '';
  private applying = false;
  /** The last insertion, for "Added … Select" and to keep Apply off until something changes. */
  private readonly applied = new AppliedResult();
  private initialised = false;
  private editSourceId: string | undefined;
  /** "Edit cutout": the result being edited and what it remembers; `restored` once put back. */
  private editing: (EditTarget & { restored?: boolean }) | undefined;
  /** The current image's size and fingerprint (kept on results, compared on "Edit cutout"). */
  private imageId: { width: number; height: number; hash: string } | undefined;
  /** Show the result (preview.ts) instead of the mask. */
  previewOn = false;
  /** The preview's larger view; `restore`: the window size to go back to. */
  expanded = false;
  private expandedFrom: { width: number; height: number } | undefined;

  private readonly picker: ModelPicker;
  private readonly stage: StageView;
  private readonly sourcesView: SourcesView;
  private readonly options: OptionsView;
  private readonly footer: FooterView;
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
      const started = await startBackend(wasm, threadCount(currentThreadEnv()), CODEC_WASM, {
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
      onEvent: (e) => handleEngineEvent(this, e),
    });
    this.prompts = new PromptSession(this);

    this.canvas = new ImageCanvas(byId<HTMLCanvasElement>('stage-canvas'), {
      onPoint: (p, label) => this.prompts.addPoint(p, label),
      onBox: (box) => this.prompts.addBox(box),
      onHover: (p) => this.prompts.hover(p),
    });
    const preview = new ResultPreview({
      run: (prediction, candidate, options) => this.engine.apply(prediction, candidate, options),
      show: (r) => this.canvas.setPreview(r),
    });
    const candidates = new CandidateStrip(byId('candidates'), (k) => this.prompts.selectCandidate(k));
    this.stage = new StageView(this, this.canvas, candidates, preview, () => this.togglePreview(), () => this.toggleExpand());
    this.options = new OptionsView(this.settings, () => {
      this.showResult();
      this.renderOptions();
    });
    this.footer = new FooterView(() => void this.apply());
    this.batch = new BatchController({
      bridge: this.bridge,
      engine: this.engine,
      settings: this.settings,
      progress: this.progress,
      banner: this.banner,
      applyButton: this.footer.applyButton,
      secondaryButton: this.footer.secondaryButton,
      status: (t) => this.status(t),
      rendered: () => {
        this.modes.disabled = !this.canSwitchMode;
      },
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
    this.picker = new ModelPicker((c) => {
      this.settings.set(this.modelKind === 'sam' ? { modelId: c.id } : { salientModelId: c.id });
      this.loadChosenModel();
    });
    this.sourcesView = new SourcesView((id) => {
      const s = this.sources.find((x) => x.id === id);
      if (s) void this.loadSource(s);
    });
    wireResizeCorner(byId('resize-corner'), (size, remember) => this.bridge.send({ type: 'resize', width: size.width, height: size.height, ...(remember ? { remember } : {}) }));
    this.modes = new ModeSwitch(byId('modes'), (id) => this.pickMode(id), (n) => `${keyNames(IS_MAC).alt}${n}`);
    byId('undo').addEventListener('click', () => this.prompts.undo());
    byId('redo').addEventListener('click', () => this.prompts.redo());
    byId('clear').addEventListener('click', () => this.prompts.clear());
    document.addEventListener('keydown', (e) => handleShortcut(e, this.shortcutTarget()));
    watchTheme(() => this.canvas.themeChanged(), search);
    // A preview is made at the size the canvas shows: a new window size asks for one at that size.
    window.addEventListener('resize', () => (this.previewOn ? this.render() : this.stage.renderHint()));
    this.storeInfo.then((info) => this.picker.setStore(info.persistent, info.note));

    this.bridge.on('init', (m) => this.onInit(m));
    this.bridge.on('selection', (m) => this.onSelection(m.sources, m.problems, m.edit));
    this.bridge.on('error', (m) => this.banner.error(errorFromInfo(m.error)));
    this.bridge.on('theme', (m) => {
      if (isTheme(m.theme)) setTheme(m.theme);
    });
    this.bridge.on('notice', (m) => this.banner.notice(String(m.message ?? ''), m.error === true));
    this.bridge.send({ type: 'ready', version: PROTOCOL_VERSION });
    this.render();
  }

  /** The prompt history (tests and the bench read its current prediction). */
  get history() {
    return this.prompts.history;
  }

  /** The mask under the pointer (the bench reads it). */
  get hoverPrediction() {
    return this.prompts.hoverPrediction;
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
    this.startEdit(m.edit, m.editProblem);
    if (m.models?.length) this.extraModels = [...m.models, ...this.extraModels.filter((x) => !m.models!.some((y) => y.id === x.id))];
    this.options.load();
    this.batch.loadSettings();
    this.setView(viewFor(this.command, this.sources.length > 0));
    this.fillModelPicker();
    this.loadChosenModel();
    this.renderOptions();
    // A selection that arrived before init (or an edit relaunch) is acted on now.
    if (this.sources.length) this.onSelection(this.sources, this.problems);
  }

  private onSelection(sources: SourceInfo[], problems: string[], edit?: EditTarget): void {
    this.sources = sources;
    this.problems = problems;
    if (!this.initialised) return;
    if (this.view === 'batch') {
      this.batch.selectionChanged(sources);
      return;
    }
    // A result selected on a host without relaunch buttons: edit it, unless it is what the mask on
    // screen just made (an apply selects its result) or is being edited already.
    const justMade = this.applied.matching(this.resultKey())?.nodeIds.includes(edit?.resultId ?? '');
    if (edit && !edit.sourceMissing && !justMade && edit.resultId !== this.editing?.resultId) {
      this.startEdit(edit, undefined);
      this.editSourceId = edit.state.sourceId;
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
    else this.restoreEditOver(this.source);
  }

  /**
   * "Edit cutout": the settings the result was made with now; its prompt once its source's
   * image is read (restoreEditOver). A source deleted since, or a layer without usable data,
   * is said in the banner; the result itself is never touched until an apply replaces it.
   */
  private startEdit(edit: EditTarget | undefined, problem: string | undefined): void {
    this.editing = undefined;
    if (problem) {
      this.banner.show(problem, 'The layer is unchanged.', 'info');
      return;
    }
    if (!edit) return;
    if (edit.sourceMissing) {
      this.banner.show(
        `The image “${edit.resultName}” was made from is no longer in the file.`,
        'Its points cannot be restored, and the layer is unchanged. Select an image to cut it out again.',
        'info',
      );
      return;
    }
    this.editing = { ...edit };
    const s = edit.state;
    this.settings.set({ output: s.output, feather: s.feather, smoothing: s.smoothing, modelId: s.modelId });
  }

  /** Puts the edited result's prompt back when its source's image has just been read. */
  private restoreEditOver(source: SourceInfo): void {
    const ed = this.editing;
    if (!ed || ed.restored || ed.state.sourceId !== source.id || !this.imageId) return;
    ed.restored = true;
    const r = restoreEdit(ed.state, this.imageId);
    if (r.changed) {
      this.banner.show(
        `“${source.name}” changed since “${ed.resultName}” was made.`,
        'Its points are restored over the image as it is now: check the mask before applying. The layer is unchanged until you apply.',
        'info',
      );
    }
    this.prompts.restore(r.prompt, r.candidate);
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
    this.editing = undefined;
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

  loadChosenModel(): void {
    const choice = this.chosenModel;
    if (!choice) return;
    this.modelFailed = false;
    if (this.modelKind === 'salient') {
      this.batch.modelChosen(choice, this.extraModels, this.queryModels.find((m) => (m.kind ?? 'sam') === 'sam')?.id);
      this.render();
      return;
    }
    this.prompts.forgetPredictions();
    this.engine.loadModel(choice).then(
      () => {
        if (this.image) this.encodeCurrent();
      },
      () => undefined, // reported through the model-error event
    );
    this.render();
  }

  updateBadge(): void {
    const r = this.runtime;
    if (!r) return;
    const badge = runtimeBadge({
      report: r,
      device: this.engine.model?.info.device === 'webgpu' ? 'GPU' : 'CPU',
      threads: threadCount(currentThreadEnv()),
      ...(this.engine.model?.info.note ? { modelNote: this.engine.model.info.note } : {}),
    });
    this.picker.setRuntime(badge.line, badge.detail);
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
      // Before decoding: the bytes are transferred to the worker, which leaves this copy empty.
      const hash = bytesFingerprint(reply.bytes);
      const image = await this.engine.decodeImage(reply.bytes);
      if (this.imageRequest !== requestId) return;
      this.source = reply.source;
      this.setImage(image);
      this.imageId = { width: image.width, height: image.height, hash };
      this.timeline.imageShown = performance.now();
      if (reply.source.note) this.banner.show(reply.source.note, '', 'info');
      this.restoreEditOver(reply.source);
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
    this.imageId = undefined;
    this.prompts.reset();
    this.engine.setImage(image);
    this.canvas.setImage(image);
    this.render();
  }

  encodeCurrent(): void {
    if (!this.image || !this.engine.model) return;
    this.engine.encode().then(
      () => this.prompts.redecodeCurrent(),
      () => undefined, // the encode-error event shows it
    );
  }

  markReady(): void {
    if (this.timeline.ready === undefined) {
      this.timeline.ready = performance.now();
      document.documentElement.dataset.cutoutReady = 'true';
    }
  }

  // ---- prompts ----------------------------------------------------------------------------

  /**
   * Clicks and hovers are taken as soon as the image shows: made while it is analysed (or
   * the model loads) they wait and are answered once the embedding exists.
   */
  get canTakeInput(): boolean {
    return !!this.image && !this.applying && !this.modelFailed;
  }

  /** A prompt edit: refining, the mask (not the result) is what to look at. */
  edited(): void {
    this.previewOn = false;
    this.setExpanded(false);
  }

  private togglePreview(): void {
    this.previewOn = !this.previewOn;
    if (!this.previewOn) this.setExpanded(false);
    this.render();
  }

  /** The preview's larger view: the options step aside and the host is asked for a larger window. */
  private toggleExpand(): void {
    if (!this.expanded && (!this.previewOn || !this.history.current.prediction)) return;
    this.setExpanded(!this.expanded);
    this.render();
  }

  private setExpanded(on: boolean): void {
    if (on === this.expanded) return;
    this.expanded = on;
    const app = byId('app');
    if (on) {
      app.dataset.expanded = 'true';
      const from = { width: window.innerWidth, height: window.innerHeight };
      this.expandedFrom = from;
      const size = { width: Math.min(MAX_UI_SIZE.width, Math.max(from.width, EXPANDED_SIZE.width)), height: Math.min(MAX_UI_SIZE.height, Math.max(from.height, EXPANDED_SIZE.height)) };
      if (size.width !== from.width || size.height !== from.height) this.bridge.send({ type: 'resize', ...size });
    } else {
      delete app.dataset.expanded;
      const back = this.expandedFrom;
      this.expandedFrom = undefined;
      if (back) this.bridge.send({ type: 'resize', width: back.width, height: back.height });
    }
  }

  /** Changing what the result would be (output, feather, smoothing) shows the result. */
  private showResult(): void {
    if (this.history.current.prediction) this.previewOn = true;
  }

  private shortcutTarget() {
    return {
      view: this.view,
      modeCount: this.modes.modes.length,
      pickMode: (i: number) => this.modes.pickIndex(i),
      apply: () => void this.apply(),
      undo: () => this.prompts.undo(),
      redo: () => this.prompts.redo(),
      clear: () => this.prompts.clear(),
      pickCandidate: (i: number) => {
        const k = this.stage.candidates.at(i);
        if (k !== undefined) this.prompts.selectCandidate(k);
      },
      togglePreview: () => this.togglePreview(),
      splitKey: (e: KeyboardEvent) => {
        if (!this.split.active) return false;
        this.split.onKey(e, IS_MAC);
        return true;
      },
      toggleExpand: () => this.toggleExpand(),
    };
  }

  // ---- apply ------------------------------------------------------------------------------

  private async apply(): Promise<void> {
    if (this.view === 'batch') return this.batch.primary();
    const app = this;
    const replaceId = this.replacing()?.resultId;
    await applyCutout({
      bridge: this.bridge,
      engine: this.engine,
      settings: this.settings,
      banner: this.banner,
      progress: this.progress,
      applied: this.applied,
      source: this.source,
      image: this.image,
      entry: this.history.current,
      resultKey: this.resultKey(),
      get applying() {
        return app.applying;
      },
      set applying(v: boolean) {
        app.applying = v;
      },
      edit: this.editState(),
      replaceId,
      inserted: (ids) => {
        // Further applies of this edit replace what this one made.
        if (replaceId && this.editing && ids.length === 1) this.editing.resultId = ids[0]!;
      },
      status: (t) => this.status(t),
      render: () => this.render(),
      retry: () => void this.apply(),
    });
  }

  /** The result an apply now replaces: the edited one, while its source is the one shown. */
  private replacing(): EditTarget | undefined {
    const ed = this.editing;
    return ed && this.source && ed.state.sourceId === this.source.id ? ed : undefined;
  }

  /** What the result of an apply now remembers of how it was made. */
  private editState(): EditState | undefined {
    const e = this.history.current;
    if (!this.source || !this.imageId || !e.prediction) return undefined;
    const s = this.settings.get();
    return editStateOf({
      sourceId: this.source.id,
      image: this.imageId,
      prompt: e.prompt,
      candidate: e.candidate ?? e.prediction.selected,
      output: s.output,
      feather: s.feather,
      smoothing: s.smoothing,
      modelId: this.picker.chosen?.id ?? s.modelId,
    });
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

  status(text: string): void {
    this.footer.status(text);
  }

  private renderSources(): void {
    this.sourcesView.render(this.sources, this.source, this.problems);
  }

  private renderOptions(): void {
    this.options.render();
    this.render();
  }

  renderMask(): void {
    this.stage.renderMask();
  }

  renderPending(): void {
    this.stage.renderPending();
  }

  render(): void {
    const app = byId('app');
    const e = this.history.current;
    app.dataset.busy = String(this.applying || this.engine.scheduler.busy);
    this.split?.update({ source: this.source, image: this.image, encoded: !!this.image && this.engine.isEncoded });
    this.modes.disabled = !this.canSwitchMode;
    this.stage.render();
    byId<HTMLButtonElement>('undo').disabled = !this.history.canUndo;
    byId<HTMLButtonElement>('redo').disabled = !this.history.canRedo;
    byId<HTMLButtonElement>('clear').disabled = isEmptyPrompt(e.prompt);
    if (this.view === 'batch') {
      this.batch.render();
      this.footer.renderAction(this.statusAction(undefined));
      return;
    }
    const added = this.view === 'cutout' ? this.applied.matching(this.resultKey()) : undefined;
    this.footer.renderApply(this.settings.get().output, this.view === 'cutout' && !!e.prediction && !this.applying && !added, this.replacing()?.resultName);
    if (this.view === 'cutout' && !this.applying) this.status(this.cutoutStatus());
    else if (this.view === 'empty') this.status('');
    this.footer.renderAction(this.statusAction(added));
  }

  /** The footer's link: Select after an insertion, Retry while the model is unavailable. */
  private statusAction(added: { nodeIds: string[] } | undefined): StatusAction | undefined {
    if (this.view === 'cutout' && !this.applying && added?.nodeIds.length) {
      const ids = added.nodeIds;
      return { label: 'Select', run: () => this.bridge.send({ type: 'select', nodeIds: ids }), title: `Select the new layer in ${HOST_LABELS[this.host]}` };
    }
    if (this.modelFailed && !this.runtimeFailed && (this.view === 'batch' ? !this.batch.running && !this.engine.salientModel && this.engine.wantedSalientId === undefined : this.view === 'cutout' && !this.engine.model)) {
      return { label: 'Retry', run: () => this.loadChosenModel() };
    }
    return undefined;
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
    const name = this.stage.candidates.nameOf(e.candidate ?? e.prediction.selected);
    const what = name && name !== 'Mask' ? `${name} selected` : 'Object selected';
    const ms = this.prompts.decodeMs;
    const editing = this.replacing();
    if (editing) return `${what} · Apply replaces “${editing.resultName}”.`;
    return `${what}${ms >= 50 ? ` · ${formatDuration(ms)}` : ''}`;
  }
}
