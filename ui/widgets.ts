/**
 * Small DOM widgets over the markup in index.html: the progress strip, the error banner and
 * segmented controls. No application state here.
 */
import { toErrorInfo } from '../core/errors.js';
import { formatDuration, friendlyError } from './format.js';

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`ui markup lacks #${id}`);
  return el as T;
}

export interface ProgressState {
  label: string;
  /** Right-aligned detail (bytes, elapsed). */
  detail?: string;
  /** 0..1, or undefined for an indeterminate bar. */
  fraction?: number;
  /** Shows elapsed time as the detail while the task runs (indeterminate tasks). */
  elapsedSince?: number;
  onCancel?: () => void;
}

/** The strip under the header: one task at a time, the newest wins. */
export class ProgressView {
  private readonly root = byId('progress');
  private readonly label = byId('progress-label');
  private readonly detail = byId('progress-detail');
  private readonly fill = byId('progress-fill');
  private readonly cancel = byId<HTMLButtonElement>('progress-cancel');
  private timer: ReturnType<typeof setInterval> | undefined;
  private owner: string | undefined;
  private cancelFn: (() => void) | undefined;

  constructor() {
    this.cancel.addEventListener('click', () => this.cancelFn?.());
  }

  /** Shows `state` for task `owner` (e.g. 'download', 'encode', 'apply'). */
  show(owner: string, state: ProgressState): void {
    this.owner = owner;
    this.root.hidden = false;
    this.label.textContent = state.label;
    const bar = this.fill.parentElement!;
    bar.classList.toggle('indeterminate', state.fraction === undefined);
    this.fill.style.width = state.fraction === undefined ? '' : `${Math.round(Math.min(1, Math.max(0, state.fraction)) * 1000) / 10}%`;
    bar.setAttribute('aria-valuenow', state.fraction === undefined ? '' : String(Math.round(state.fraction * 100)));
    this.cancelFn = state.onCancel;
    this.cancel.hidden = !state.onCancel;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (state.elapsedSince !== undefined) {
      const since = state.elapsedSince;
      const tick = () => (this.detail.textContent = formatDuration(performance.now() - since));
      tick();
      this.timer = setInterval(tick, 100);
    } else {
      this.detail.textContent = state.detail ?? '';
    }
  }

  /** Hides the strip if `owner` still owns it. */
  hide(owner: string): void {
    if (this.owner !== owner) return;
    this.owner = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.root.hidden = true;
  }

  get active(): string | undefined {
    return this.owner;
  }
}

/** The error banner: a plain-language title and the engine's sentence; never a stack. */
export class Banner {
  private readonly root = byId('banner');
  private readonly title = byId('banner-title');
  private readonly detail = byId('banner-detail');
  private readonly action = byId<HTMLButtonElement>('banner-action');
  private actionFn: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    byId('banner-close').addEventListener('click', () => this.hide());
    this.action.addEventListener('click', () => {
      const fn = this.actionFn;
      this.hide();
      fn?.();
    });
  }

  /** Shows an error in plain words; `action` adds a link such as "Try again". */
  error(err: unknown, action?: { label: string; run: () => void }): void {
    const f = friendlyError(toErrorInfo(err));
    this.show(f.title, f.detail, 'error', action);
  }

  /**
   * A message from the host (editors without their own notifications, e.g. Penpot). Errors stay
   * until dismissed; other notices go away by themselves after a time that grows with their
   * length (not while the pointer is over the banner).
   */
  notice(message: string, error = false): void {
    this.show('', message, error ? 'error' : 'info');
    this.root.classList.add('notice');
    if (error) return;
    const ms = Math.min(15_000, Math.max(5000, message.length * 60));
    const expire = () => {
      if (this.root.matches(':hover')) this.timer = setTimeout(expire, 1000);
      else this.hide();
    };
    this.timer = setTimeout(expire, ms);
  }

  show(title: string, detail = '', kind: 'error' | 'info' = 'error', action?: { label: string; run: () => void }): void {
    this.clearTimer();
    this.root.classList.remove('notice');
    this.actionFn = action?.run;
    this.action.hidden = !action;
    this.action.textContent = action?.label ?? '';
    this.root.hidden = false;
    this.root.classList.toggle('info', kind === 'info');
    this.root.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    this.title.textContent = title;
    this.detail.textContent = detail;
  }

  hide(): void {
    this.clearTimer();
    this.root.hidden = true;
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A radiogroup of buttons with data-value (the output choice). */
export class Segmented<T extends string> {
  private readonly buttons: HTMLButtonElement[];
  constructor(root: HTMLElement, onChange: (value: T) => void) {
    this.buttons = [...root.querySelectorAll<HTMLButtonElement>('button[data-value]')];
    for (const b of this.buttons) {
      b.addEventListener('click', () => {
        this.value = b.dataset.value as T;
        onChange(this.value);
      });
    }
    root.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      const i = this.buttons.findIndex((b) => b.getAttribute('aria-checked') === 'true');
      const next = this.buttons[(i + (e.key === 'ArrowRight' ? 1 : this.buttons.length - 1)) % this.buttons.length]!;
      next.click();
      next.focus();
      e.preventDefault();
      e.stopPropagation();
    });
  }

  set value(v: T) {
    for (const b of this.buttons) {
      const on = b.dataset.value === v;
      b.setAttribute('aria-checked', String(on));
      b.tabIndex = on ? 0 : -1;
    }
  }

  get value(): T {
    return (this.buttons.find((b) => b.getAttribute('aria-checked') === 'true')?.dataset.value ?? this.buttons[0]!.dataset.value) as T;
  }
}

/** Fills a <select> with options, keeping the chosen value. */
export function fillSelect(select: HTMLSelectElement, options: Array<{ value: string; label: string; title?: string }>, value: string | undefined): void {
  select.textContent = '';
  for (const o of options) {
    const opt = document.createElement('option');
    opt.value = o.value;
    opt.textContent = o.label;
    if (o.title) opt.title = o.title;
    select.appendChild(opt);
  }
  if (value !== undefined) select.value = value;
}
