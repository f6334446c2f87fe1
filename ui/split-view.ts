/**
 * The "Split into layers" panel: once the selected image is analysed, the automatic mask
 * generator runs in the inference worker on that embedding; objects appear in distinct colours
 * as they are found (progress and Cancel in the shared strip: this is the slowest command).
 * Click selects an object, Shift-click adds to the selection, Alt-click drops at once; Drop
 * (Delete) and Merge (M) act on the selection, Undo (⌘/Ctrl+Z) reverts; Apply (Enter) inserts
 * one group of layers above the source, smaller objects on top, plus the background.
 *
 * The app (main.ts) owns the image, its analysis and the output switch; it tells this panel
 * what it has through `update` and hands it keys while the split mode is on.
 */
import { ErrorCode, isCutoutError } from '../core/errors.js';
import type { RgbaImage } from '../core/image/types.js';
import type { SourceInfo, SplitPayload } from '../plugin/protocol.js';
import type { Bridge } from './bridge.js';
import type { Engine } from './engine.js';
import type { FindObjectsEvent, FoundObjects } from './inference.js';
import { type Fit, fitContain, viewToImage } from './layout.js';
import type { SettingsStore } from './settings.js';
import { hitObject, objectColour, objectName } from './split-layers.js';
import { SplitObjects } from './split-state.js';
import { type Banner, byId, type ProgressView } from './widgets.js';

export interface SplitDeps {
  engine: Engine;
  bridge: Bridge;
  settings: SettingsStore;
  progress: ProgressView;
  banner: Banner;
  /** Something the app shows changed (mode switch availability). */
  changed(): void;
}

export interface SplitInput {
  source: SourceInfo | undefined;
  image: RgbaImage | undefined;
  /** The image's embedding exists (the generator can start). */
  encoded: boolean;
}

/** Grid points per side: the reference's default (1024 points, fewer decoded: covered ones are skipped). */
export const SPLIT_POINTS_PER_SIDE = 32;

/** The grid: the page query's `split-grid` (4–64, for tests and slow machines), else the default. */
function gridFromQuery(): number {
  const n = Number(new URLSearchParams(typeof location === 'undefined' ? '' : location.search).get('split-grid'));
  return Number.isInteger(n) && n >= 4 && n <= 64 ? n : SPLIT_POINTS_PER_SIDE;
}

type Phase = 'idle' | 'finding' | 'found' | 'cancelled' | 'failed' | 'applying' | 'applied';

export class SplitView {
  private readonly app = byId('app');
  private readonly canvas = byId<HTMLCanvasElement>('split-canvas');
  private readonly statusLine = byId('split-status');
  private readonly countLine = byId('split-count');
  private readonly mergeButton = byId<HTMLButtonElement>('split-merge');
  private readonly dropButton = byId<HTMLButtonElement>('split-drop');
  private readonly undoButton = byId<HTMLButtonElement>('split-undo');
  private readonly againButton = byId<HTMLButtonElement>('split-again');
  private readonly applyButton = byId<HTMLButtonElement>('split-apply');
  private readonly objects = new SplitObjects();
  private on = false;
  private input: SplitInput = { source: undefined, image: undefined, encoded: false };
  /** The image the objects belong to. */
  private foundFor: RgbaImage | undefined;
  private phase: Phase = 'idle';
  private progressText = '';
  private run = 0;
  private fit: Fit | undefined;
  private hovered = -1;
  private imageBitmap: HTMLCanvasElement | undefined;

  constructor(private readonly deps: SplitDeps) {
    this.canvas.addEventListener('click', (e) => this.onClick(e));
    this.canvas.addEventListener('pointermove', (e) => this.onHover(e));
    this.canvas.addEventListener('pointerleave', () => this.setHover(-1));
    this.mergeButton.addEventListener('click', () => this.merge());
    this.dropButton.addEventListener('click', () => this.drop());
    this.undoButton.addEventListener('click', () => this.undo());
    this.againButton.addEventListener('click', () => this.find());
    this.applyButton.addEventListener('click', () => void this.apply());
    new ResizeObserver(() => this.draw()).observe(this.canvas.parentElement ?? this.canvas);
  }

  get active(): boolean {
    return this.on;
  }

  /** A job runs that a mode switch would abandon. */
  get busy(): boolean {
    return this.phase === 'finding' || this.phase === 'applying';
  }

  set active(v: boolean) {
    if (v === this.on) return;
    this.on = v;
    this.app.dataset.mode = v ? 'split' : '';
    if (!v) this.cancel();
    this.maybeStart();
    this.render();
  }

  /** What the app has now (called on every app render). */
  update(input: SplitInput): void {
    const imageChanged = input.image !== this.input.image;
    this.input = input;
    if (imageChanged) {
      this.cancel();
      this.objects.reset([]);
      this.foundFor = undefined;
      this.phase = 'idle';
      this.imageBitmap = undefined;
    }
    this.maybeStart();
    if (imageChanged) this.render();
  }

  private maybeStart(): void {
    if (this.on && this.phase === 'idle' && this.input.image && this.input.encoded && this.foundFor !== this.input.image) this.find();
  }

  // ---- the generator ------------------------------------------------------------------------

  private find(): void {
    const image = this.input.image;
    if (!image || this.phase === 'finding' || this.phase === 'applying') return;
    const run = ++this.run;
    this.phase = 'finding';
    this.foundFor = image;
    this.objects.reset([]);
    this.deps.banner.hide();
    this.progressText = 'Finding objects…';
    this.showProgress(0, 'Starting');
    const onEvent = (e: FindObjectsEvent) => {
      if (run !== this.run) return;
      if (e.kind === 'mask') {
        this.objects.add(e.mask);
        this.draw();
        this.render();
      } else {
        const p = e.progress;
        const left = p.total - p.done;
        this.showProgress(p.total ? p.done / p.total : 0, `${p.accepted} found · ${left} of ${p.total} points left`);
      }
    };
    this.deps.engine.findObjects({ pointsPerSide: gridFromQuery() }, onEvent).then(
      (found: FoundObjects) => {
        if (run !== this.run) return;
        this.objects.reset(found.masks);
        this.phase = 'found';
        this.deps.progress.hide('split');
        this.draw();
        this.render();
      },
      (err: unknown) => {
        if (run !== this.run) return;
        this.deps.progress.hide('split');
        if (isCutoutError(err, ErrorCode.Cancelled)) {
          this.phase = 'cancelled';
        } else {
          this.phase = 'failed';
          this.deps.banner.error(err, { label: 'Retry', run: () => this.find() }, { task: 'find' });
        }
        this.objects.reset([]);
        this.draw();
        this.render();
      },
    );
    this.render();
  }

  private showProgress(fraction: number, detail: string): void {
    this.deps.progress.show('split', { label: 'Finding objects', detail, fraction, onCancel: () => this.cancel() });
  }

  /** Stops a running search; what was streamed is dropped (a partial split would miss objects). */
  cancel(): void {
    if (this.phase !== 'finding') return;
    this.run++;
    this.phase = 'cancelled';
    this.objects.reset([]);
    this.deps.progress.hide('split');
    void this.deps.engine.cancelFind().catch(() => undefined);
    this.draw();
    this.render();
  }

  // ---- editing ------------------------------------------------------------------------------

  private get editable(): boolean {
    return this.phase === 'found' || this.phase === 'applied';
  }

  private pointAt(e: MouseEvent): number {
    const image = this.input.image;
    const first = this.objects.objects[0];
    if (!this.fit || !image || !first) return -1;
    const r = this.canvas.getBoundingClientRect();
    const p = viewToImage(this.fit, { x: e.clientX - r.left, y: e.clientY - r.top });
    return hitObject(
      this.objects.objects.map((o) => o.mask),
      (p.x * first.mask.width) / image.width,
      (p.y * first.mask.height) / image.height,
    );
  }

  private onClick(e: MouseEvent): void {
    if (!this.editable) return;
    const i = this.pointAt(e);
    const key = i >= 0 ? this.objects.objects[i]!.key : undefined;
    if (e.altKey && key !== undefined) {
      this.objects.drop([key]);
      this.edited();
      return;
    }
    this.objects.select(key, e.shiftKey);
    this.draw();
    this.render();
  }

  private onHover(e: PointerEvent): void {
    if (this.editable) this.setHover(this.pointAt(e));
  }

  private setHover(i: number): void {
    if (i === this.hovered) return;
    this.hovered = i;
    this.draw();
    this.render();
  }

  private edited(): void {
    if (this.phase === 'applied') this.phase = 'found';
    this.hovered = -1;
    this.draw();
    this.render();
  }

  merge(): void {
    if (this.editable && this.objects.merge() !== undefined) this.edited();
  }

  drop(): void {
    if (this.editable && this.objects.drop() > 0) this.edited();
  }

  undo(): void {
    if (this.editable && this.objects.undo()) this.edited();
  }

  /** Keys while the split mode is on; true when taken. */
  onKey(e: KeyboardEvent, isMac: boolean): boolean {
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'SELECT' || t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return false;
    const mod = isMac ? e.metaKey : e.ctrlKey;
    const key = e.key.toLowerCase();
    if (mod && key === 'z' && !e.shiftKey) this.undo();
    else if (!mod && !e.altKey && key === 'm') this.merge();
    else if (e.key === 'Delete' || e.key === 'Backspace') this.drop();
    else if (e.key === 'Escape') {
      if (this.phase === 'finding') this.cancel();
      else {
        this.objects.select(undefined);
        this.draw();
        this.render();
      }
    } else if (e.key === 'Enter') {
      if (t?.closest('[data-own-enter]') || (t?.tagName === 'BUTTON' && t !== this.applyButton)) return false;
      void this.apply();
    } else return false;
    e.preventDefault();
    return true;
  }

  // ---- apply --------------------------------------------------------------------------------

  private get canApply(): boolean {
    return this.phase === 'found' && this.objects.objects.length > 0 && !!this.input.source;
  }

  async apply(): Promise<void> {
    const source = this.input.source;
    if (!this.canApply || !source) return;
    this.phase = 'applying';
    this.render();
    const s = this.deps.settings.get();
    const output: SplitPayload['output'] = s.output === 'vector-mask' ? 'vector-mask' : 'cutout';
    this.deps.progress.show('split-apply', { label: `Making ${this.objects.objects.length} layers`, elapsedSince: performance.now() });
    try {
      const layers = await this.deps.engine.splitLayers(this.objects.groups(), { output, smoothing: s.smoothing });
      const requestId = this.deps.bridge.requestId();
      const payload: SplitPayload = { sourceId: source.id, output, name: `Layers – ${source.name}`, ...layers };
      await this.deps.bridge.request({ type: 'split-apply', requestId, payload }, 'applied', 120_000);
      this.phase = 'applied';
      this.statusLine.textContent = `Added ${layers.objects.length} object${layers.objects.length === 1 ? '' : 's'}${layers.background ? ' and the background' : ''} as “${payload.name}”.`;
    } catch (err) {
      this.phase = 'found';
      this.deps.banner.error(err, { label: 'Retry', run: () => void this.apply() }, { task: 'apply' });
    } finally {
      this.deps.progress.hide('split-apply');
      this.render();
    }
  }

  // ---- drawing ------------------------------------------------------------------------------

  private render(): void {
    const n = this.objects.objects.length;
    const sel = this.objects.selected.size;
    this.countLine.textContent =
      this.phase === 'finding' ? `${n} found so far` : this.phase === 'idle' ? '' : `${n} object${n === 1 ? '' : 's'}${sel ? ` · ${sel} selected` : ''}`;
    const hovered = this.hovered >= 0 ? this.objects.objects[this.hovered] : undefined;
    if (this.phase !== 'applied') {
      this.statusLine.textContent =
        this.phase === 'finding'
          ? 'Finding every object: the slowest command, it runs the model hundreds of times.'
          : this.phase === 'cancelled'
            ? 'Cancelled. Find again starts over.'
            : this.phase === 'failed'
              ? 'Finding objects failed.'
              : this.phase === 'idle'
                ? this.input.image
                  ? 'Analysing the image…'
                  : ''
                : hovered && this.input.image
                  ? objectName(hovered.rect, this.input.image)
                  : n
                    ? 'Click an object to select it, Shift-click to add. Alt-click drops it.'
                    : 'No objects were found in this image.';
    }
    const editable = this.editable;
    this.mergeButton.disabled = !editable || sel < 2;
    this.dropButton.disabled = !editable || sel < 1;
    this.undoButton.disabled = !editable || !this.objects.canUndo;
    this.againButton.disabled = !this.input.image || !this.input.encoded || this.busy;
    this.againButton.hidden = this.phase === 'finding';
    this.applyButton.disabled = !this.canApply;
    this.applyButton.textContent = n ? `Split into ${n + 1} layers` : 'Split into layers';
    this.app.dataset.split = this.phase;
    this.deps.changed();
  }

  private source(): HTMLCanvasElement | undefined {
    const image = this.input.image;
    if (!image) return undefined;
    if (!this.imageBitmap) {
      const c = document.createElement('canvas');
      c.width = image.width;
      c.height = image.height;
      c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
      this.imageBitmap = c;
    }
    return this.imageBitmap;
  }

  private draw(): void {
    if (!this.on) return;
    const el = this.canvas;
    const box = el.parentElement!.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(box.width * dpr));
    const h = Math.max(1, Math.round(box.height * dpr));
    if (el.width !== w || el.height !== h) {
      el.width = w;
      el.height = h;
    }
    const ctx = el.getContext('2d')!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const img = this.source();
    const image = this.input.image;
    if (!img || !image) return;
    this.fit = fitContain(image, { width: box.width, height: box.height });
    const f = this.fit;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(img, f.x, f.y, image.width * f.scale, image.height * f.scale);
    const objs = this.objects.objects;
    const first = objs[0];
    if (!first) return;
    const { width: pw, height: ph } = first.mask;
    const data = new Uint8ClampedArray(pw * ph * 4);
    const anySelected = this.objects.selected.size > 0;
    // Larger objects first, so smaller ones (above them in the result) paint over them.
    for (let k = objs.length - 1; k >= 0; k--) {
      const o = objs[k]!;
      const [r, g, b] = objectColour(o.key);
      const picked = this.objects.selected.has(o.key);
      const alpha = picked || k === this.hovered ? 200 : anySelected ? 70 : 130;
      const m = o.mask.data;
      for (let i = 0; i < m.length; i++) {
        if (!m[i]) continue;
        const x = i % pw;
        const y = (i / pw) | 0;
        const edge = x === 0 || y === 0 || x === pw - 1 || y === ph - 1 || !m[i - 1] || !m[i + 1] || !m[i - pw] || !m[i + pw];
        const j = i * 4;
        if (edge && picked) {
          data[j] = data[j + 1] = data[j + 2] = 255;
          data[j + 3] = 255;
        } else {
          data[j] = r;
          data[j + 1] = g;
          data[j + 2] = b;
          data[j + 3] = edge ? 230 : alpha;
        }
      }
    }
    const overlay = document.createElement('canvas');
    overlay.width = pw;
    overlay.height = ph;
    overlay.getContext('2d')!.putImageData(new ImageData(data, pw, ph), 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(overlay, f.x, f.y, image.width * f.scale, image.height * f.scale);
  }
}
