/**
 * Small DOM widgets over the markup in index.html: the progress strip, the message banner and
 * segmented controls. No application state here.
 */
import { toErrorInfo } from '../core/errors.js';
import { errorCopy, type ErrorContext } from './error-copy.js';
import { formatDuration } from './format.js';

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

export interface BannerAction {
  label: string;
  run: () => void;
}

/**
 * The message banner. Errors read as one designer-facing line (error-copy.ts) with a Retry
 * button where retrying makes sense; the technical detail is folded under "Details" and can be
 * copied. The first line and the buttons never scroll: only the details do.
 */
export class Banner {
  private readonly root = byId('banner');
  private readonly title = byId('banner-title');
  private readonly detail = byId('banner-detail');
  private readonly actions = byId('banner-actions');
  private readonly action = byId<HTMLButtonElement>('banner-action');
  private readonly more = byId<HTMLButtonElement>('banner-more');
  private readonly details = byId('banner-details');
  private readonly detailsText = byId('banner-details-text');
  private readonly copy = byId<HTMLButtonElement>('banner-copy');
  private actionFn: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The editor's name for "Figma didn't answer". */
  editor: string | undefined;

  constructor() {
    byId('banner-close').addEventListener('click', () => this.hide());
    this.action.addEventListener('click', () => {
      const fn = this.actionFn;
      this.hide();
      fn?.();
    });
    this.more.addEventListener('click', () => this.toggleDetails(this.details.hidden));
    this.copy.addEventListener('click', () => void this.copyDetails());
  }

  /**
   * Shows an error in a designer's words for what the UI was doing (`context`); `action` adds
   * a button such as "Retry". A cancellation is not an error: nothing is shown.
   */
  error(err: unknown, action?: BannerAction, context: ErrorContext = { task: 'host' }): void {
    const info = toErrorInfo(err);
    if (info.code === 'CANCELLED') return;
    const copy = errorCopy(info, { ...context, ...(this.editor && !context.editor ? { editor: this.editor } : {}) });
    this.show(copy.headline, '', 'error', action, copy.details);
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

  show(title: string, detail = '', kind: 'error' | 'info' = 'error', action?: BannerAction, technical = ''): void {
    this.clearTimer();
    this.root.classList.remove('notice');
    this.actionFn = action?.run;
    this.action.hidden = !action;
    this.action.textContent = action?.label ?? '';
    this.more.hidden = !technical;
    this.detailsText.textContent = technical;
    this.toggleDetails(false);
    this.actions.hidden = !action && !technical;
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

  private toggleDetails(open: boolean): void {
    this.details.hidden = !open;
    this.more.setAttribute('aria-expanded', String(open));
    this.more.textContent = open ? 'Hide details' : 'Details';
    this.copy.textContent = 'Copy details';
  }

  /**
   * The plugin iframe has a null origin, where the async clipboard API is usually refused;
   * a selection and execCommand('copy') still work inside the user's click.
   */
  private async copyDetails(): Promise<void> {
    const text = this.detailsText.textContent ?? '';
    let done = false;
    const range = document.createRange();
    range.selectNodeContents(this.detailsText);
    const sel = window.getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
    try {
      done = document.execCommand('copy');
    } catch {
      done = false;
    }
    if (!done) {
      try {
        await navigator.clipboard.writeText(text);
        done = true;
      } catch {
        done = false;
      }
    }
    this.copy.textContent = done ? 'Copied' : 'Selected: press Ctrl+C or ⌘C';
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
