/**
 * The mode switch: the host's menu commands (plugin/commands.ts `menuCommands()`: "Cut out",
 * "Remove background") as tabs at the top of the UI. Penpot has no plugin menus, so this is the
 * only way there to reach the second command; in Figma it saves reopening the plugin. Picking
 * a mode behaves like opening the plugin with that command.
 *
 * Keyboard: the tabs are one tab stop (arrows, Home, End move and pick); Alt/Option+1…n picks
 * the n-th mode from anywhere (plain 1–4 pick a mask in the cutout view).
 */
import { menuCommands, type CommandId, type CommandSpec } from '../plugin/commands.js';

export type View = 'loading' | 'empty' | 'cutout' | 'batch';

/** The view a command shows: what opening the plugin with it shows. */
export function viewFor(command: CommandId, hasSources: boolean): View {
  return command === 'remove-bg' ? 'batch' : hasSources ? 'cutout' : 'empty';
}

/**
 * The mode a command belongs to: a menu command is its own; a relaunch command (Edit cutout)
 * belongs to the first menu command that works on a selection (Cut out).
 */
export function modeOf(command: CommandId, modes: readonly CommandSpec[] = menuCommands()): CommandId {
  return (modes.find((m) => m.id === command) ?? modes.find((m) => m.needsSelection) ?? modes[0]!).id;
}

export interface KeyLike {
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/**
 * Alt/Option + digit n (1-based, ≤ count) → index n-1. Matched on the physical key: Option+digit
 * types other characters on a Mac keyboard.
 */
export function modeShortcut(e: KeyLike, count: number): number | undefined {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return undefined;
  const m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
  const n = m ? Number(m[1]) : 0;
  return n >= 1 && n <= count ? n - 1 : undefined;
}

/** The tabs (role=tablist in index.html's #modes). */
export class ModeSwitch {
  readonly modes: CommandSpec[];
  private readonly tabs: HTMLButtonElement[];
  private current: CommandId;

  constructor(
    root: HTMLElement,
    private readonly onPick: (id: CommandId) => void,
    shortcut: (n: number) => string,
    modes: CommandSpec[] = menuCommands(),
  ) {
    this.modes = modes;
    this.current = modes[0]!.id;
    root.textContent = '';
    this.tabs = modes.map((m, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'mode-tab';
      b.id = `mode-${m.id}`;
      b.dataset.command = m.id;
      b.setAttribute('role', 'tab');
      b.textContent = m.label;
      b.title = `${m.title.replace(/…$/, '')} (${shortcut(i + 1)})`;
      b.addEventListener('click', () => this.pick(m.id));
      root.appendChild(b);
      return b;
    });
    root.addEventListener('keydown', (e) => {
      const i = this.tabs.indexOf(e.target as HTMLButtonElement);
      if (i < 0) return;
      const n = this.tabs.length;
      const next = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i + n - 1) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
      if (next < 0) return;
      e.preventDefault();
      e.stopPropagation();
      this.tabs[next]!.focus();
      this.pick(this.modes[next]!.id);
    });
    this.value = this.current;
  }

  /** The selected mode. */
  set value(id: CommandId) {
    this.current = modeOf(id, this.modes);
    for (const b of this.tabs) {
      const on = b.dataset.command === this.current;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
  }

  get value(): CommandId {
    return this.current;
  }

  /** Disabled while something runs that a switch would abandon (a batch, an apply). */
  set disabled(v: boolean) {
    for (const b of this.tabs) b.disabled = v;
  }

  /** Picks the n-th mode (0-based), as the keyboard shortcut does. */
  pickIndex(i: number): void {
    const m = this.modes[i];
    if (m) this.pick(m.id);
  }

  private pick(id: CommandId): void {
    if (this.tabs[0]?.disabled) return;
    this.onPick(id);
  }
}
