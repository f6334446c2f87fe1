/**
 * The commands Cutout offers, declared once. build.mjs turns them into each host's manifest or
 * menu (Figma: `menu` and `relaunchButtons`; Penpot has no plugin menus, so the UI shows the
 * `menu` commands as its own mode switch), and the UI reads titles from here.
 */

export interface CommandSpec {
  id: 'cutout' | 'remove-bg' | 'split' | 'edit';
  /** Menu / button title. */
  title: string;
  /** Short label for the UI's mode switch. */
  label: string;
  /** Works only on selected layers (otherwise it can also take a page or the whole file). */
  needsSelection: boolean;
  /**
   * `menu`: a top-level entry (plugin menu, or the UI's mode switch where the host has none);
   * `relaunch`: offered on a result layer to reopen it (Figma's relaunch buttons).
   */
  placement: 'menu' | 'relaunch';
}

export const COMMANDS = [
  { id: 'cutout', title: 'Cut out object…', label: 'Cut out', needsSelection: true, placement: 'menu' },
  { id: 'remove-bg', title: 'Remove background', label: 'Remove background', needsSelection: false, placement: 'menu' },
  { id: 'split', title: 'Split into layers…', label: 'Split', needsSelection: true, placement: 'menu' },
  { id: 'edit', title: 'Edit cutout', label: 'Edit', needsSelection: true, placement: 'relaunch' },
] as const satisfies readonly CommandSpec[];

export type CommandId = (typeof COMMANDS)[number]['id'];

export const DEFAULT_COMMAND: CommandId = 'cutout';

export function menuCommands(): CommandSpec[] {
  return COMMANDS.filter((c) => c.placement === 'menu');
}

/** A command id from anything a host hands over (unknown → the default command). */
export function commandOf(id: unknown): CommandId {
  return COMMANDS.find((c) => c.id === id)?.id ?? DEFAULT_COMMAND;
}
