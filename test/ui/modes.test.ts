import { describe, expect, it } from 'vitest';
import { COMMANDS, menuCommands } from '../../plugin/commands.js';
import { modeOf, modeShortcut, viewFor } from '../../ui/modes.js';

const key = (code: string, mods: Partial<{ altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }> = {}) => ({
  code,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...mods,
});

describe('mode switch', () => {
  it('offers the menu commands, in order', () => {
    expect(menuCommands().map((c) => c.label)).toEqual(['Cut out', 'Remove background', 'Split']);
  });

  it('shows what opening with the command shows', () => {
    expect(viewFor('remove-bg', true)).toBe('batch');
    expect(viewFor('remove-bg', false)).toBe('batch');
    expect(viewFor('cutout', true)).toBe('cutout');
    expect(viewFor('cutout', false)).toBe('empty');
    expect(viewFor('edit', true)).toBe('cutout');
    // Split shows the selected image like Cut out (the split panel takes its place).
    expect(viewFor('split', true)).toBe('cutout');
    expect(viewFor('split', false)).toBe('empty');
  });

  it('puts every command under a tab (Edit cutout under Cut out)', () => {
    expect(COMMANDS.map((c) => [c.id, modeOf(c.id)])).toEqual([
      ['cutout', 'cutout'],
      ['remove-bg', 'remove-bg'],
      ['split', 'split'],
      ['edit', 'cutout'],
    ]);
  });

  it('Alt/Option + digit picks a mode, by physical key; nothing else does', () => {
    expect(modeShortcut(key('Digit1', { altKey: true }), 2)).toBe(0);
    expect(modeShortcut(key('Digit2', { altKey: true }), 2)).toBe(1);
    expect(modeShortcut(key('Numpad2', { altKey: true }), 2)).toBe(1);
    expect(modeShortcut(key('Digit3', { altKey: true }), 2)).toBeUndefined();
    expect(modeShortcut(key('Digit1'), 2)).toBeUndefined(); // plain digits pick masks
    expect(modeShortcut(key('Digit1', { altKey: true, ctrlKey: true }), 2)).toBeUndefined();
    expect(modeShortcut(key('Digit1', { altKey: true, metaKey: true }), 2)).toBeUndefined();
    expect(modeShortcut(key('Digit1', { altKey: true, shiftKey: true }), 2)).toBeUndefined();
    expect(modeShortcut(key('KeyA', { altKey: true }), 2)).toBeUndefined();
    expect(modeShortcut(key('Digit0', { altKey: true }), 2)).toBeUndefined();
  });
});
