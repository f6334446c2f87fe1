import { describe, expect, it } from 'vitest';
import { cleanMessage, formatBytes, formatDuration, formatTimeLeft } from '../../ui/format.js';
import { sanitizeSettings } from '../../ui/settings.js';
import { DEFAULT_SETTINGS } from '../../plugin/protocol.js';
import { base64ToBytes, threadCount } from '../../ui/runtime.js';
import { keyFileName } from '../../ui/store.js';

describe('numbers in words', () => {
  it('sizes', () => {
    expect(formatBytes(13_785_975)).toBe('13.8 MB');
    expect(formatBytes(178_648_008)).toBe('179 MB');
    expect(formatBytes(4_500)).toBe('5 kB');
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(2.5e9)).toBe('2.5 GB');
  });
  it('durations and time left', () => {
    expect(formatDuration(420)).toBe('0.4 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatTimeLeft(undefined)).toBe('');
    expect(formatTimeLeft(3000)).toBe('a few seconds left');
    expect(formatTimeLeft(41_000)).toBe('about 40 s left');
    expect(formatTimeLeft(190_000)).toBe('about 3 min left');
  });
});

describe('plain-language errors', () => {
  it('cleans stack lines, URLs in parentheses and error prefixes', () => {
    expect(cleanMessage('Error: failed to load\n    at x (file:///a.js:1:1)')).toBe('Failed to load.');
    expect(cleanMessage('x'.repeat(500)).length).toBeLessThanOrEqual(401);
    expect(cleanMessage('vision_encoder.onnx was not found')).toBe('vision_encoder.onnx was not found.');
    expect(cleanMessage('could not load it')).toBe('Could not load it.');
  });
});

describe('settings', () => {
  it('fills defaults and clamps values', () => {
    expect(sanitizeSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    const s = sanitizeSettings({ output: 'bogus' as never, feather: -3, smoothing: 99, threshold: NaN, strategy: 'salient+sam', salientModelId: 'u2netp' });
    expect(s.output).toBe('cutout');
    expect(s.feather).toBe(0);
    expect(s.smoothing).toBe(10);
    expect(s.threshold).toBe(DEFAULT_SETTINGS.threshold);
    expect(s.strategy).toBe('salient+sam');
    expect(s.salientModelId).toBe('u2netp');
  });
});

describe('runtime helpers', () => {
  it('decodes base64', () => {
    expect([...base64ToBytes('AAEC/w==\n')]).toEqual([0, 1, 2, 255]);
  });
  it('uses threads only when isolated and the glue has a URL', () => {
    const glueUrl = 'https://example.invalid/ort-wasm-simd-threaded.mjs';
    expect(threadCount({ crossOriginIsolated: false, hardwareConcurrency: 8, glueUrl })).toBe(1);
    expect(threadCount({ crossOriginIsolated: true, hardwareConcurrency: 8 })).toBe(1);
    expect(threadCount({ crossOriginIsolated: true, hardwareConcurrency: 8, glueUrl })).toBe(4);
    expect(threadCount({ crossOriginIsolated: true, hardwareConcurrency: 2, glueUrl })).toBe(1);
  });
  it('store keys become safe file names', () => {
    expect(keyFileName('sha256:ab12')).toBe('sha256_3aab12');
    expect(keyFileName('url:https://x/y.onnx')).toMatch(/^[\w.-]+$/);
  });
});
