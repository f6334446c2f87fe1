/**
 * One settings schema (plugin/protocol.ts readSettings) for both sides of the message boundary:
 * what the UI makes of a record and what the host stores from it must be the same settings,
 * for good values, out-of-range numbers and junk alike.
 */
import { describe, expect, it } from 'vitest';
import { validateSettings } from '../../plugin/host/settings.js';
import { DEFAULT_SETTINGS, OUTPUT_KINDS, SETTING_RANGES, type Settings } from '../../plugin/protocol.js';
import { sanitizeSettings } from '../../ui/settings.js';

const CASES: [string, Record<string, unknown>, Partial<Settings>][] = [
  ['in range', { feather: 12.5, smoothing: 2.5, threshold: 0.3 }, { feather: 12.5, smoothing: 2.5, threshold: 0.3 }],
  ['below range', { feather: -3, smoothing: 0, threshold: 0 }, { feather: 0, smoothing: 0.2, threshold: 0.01 }],
  ['above range', { feather: 250, smoothing: 99, threshold: 2 }, { feather: 100, smoothing: 10, threshold: 1 }],
  ['not numbers', { feather: '5', smoothing: NaN, threshold: null }, {}],
  ['every output kind', { output: 'outline' }, { output: 'outline' }],
  ['an unknown output kind', { output: 'hologram' }, {}],
  ['strategy and flags', { strategy: 'salient+sam', hideSource: true, fillHoles: 'yes' }, { strategy: 'salient+sam', hideSource: true }],
  ['ids', { modelId: '', salientModelId: 'u2netp' }, { salientModelId: 'u2netp' }],
  ['an overlong id', { modelId: 'x'.repeat(500) }, {}],
  ['unknown fields', { extra: 1 }, {}],
];

describe('one settings schema for the UI and the hosts', () => {
  it.each(CASES)('%s: both sides read the same settings', (_name, input, expected) => {
    const host = validateSettings(input).settings;
    const ui = sanitizeSettings(input as Partial<Settings>);
    expect(host).toEqual({ ...DEFAULT_SETTINGS, ...expected });
    expect(ui).toEqual(host);
  });

  it('says what was clamped or dropped', () => {
    expect(validateSettings({ smoothing: 99, output: 'hologram' }).problems).toEqual(['smoothing: 99 is outside 0.2-10, clamped to 10', 'output: "hologram" is not valid']);
    expect(validateSettings(DEFAULT_SETTINGS).problems).toEqual([]);
  });

  it('the defaults and the UI controls lie inside the ranges', async () => {
    const { readFileSync } = await import('node:fs');
    const html = readFileSync(new URL('../../ui/index.html', import.meta.url), 'utf8');
    for (const [key, { min, max }] of Object.entries(SETTING_RANGES)) {
      const d = DEFAULT_SETTINGS[key as keyof typeof SETTING_RANGES];
      expect(d).toBeGreaterThanOrEqual(min);
      expect(d).toBeLessThanOrEqual(max);
      const slider = new RegExp(`id="${key}" type="range" min="([\\d.]+)" max="([\\d.]+)"`).exec(html);
      if (slider) {
        expect(Number(slider[1]), `${key} slider min`).toBeGreaterThanOrEqual(min);
        expect(Number(slider[2]), `${key} slider max`).toBeLessThanOrEqual(max);
      }
    }
    expect(OUTPUT_KINDS).toContain(DEFAULT_SETTINGS.output);
  });
});
