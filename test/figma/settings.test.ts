/** Settings in clientStorage (round trip, validation, quota) and the generated manifest. */
import { describe, expect, it } from 'vitest';
import { allowedHosts } from '../../models/registry.js';
import { figmaManifest } from '../../plugin/figma/manifest.js';
import { SETTINGS_KEY, validateSettings } from '../../plugin/host/settings.js';
import { DEFAULT_SETTINGS, type HostMessage, PROTOCOL_VERSION, type Settings } from '../../plugin/protocol.js';
import { session } from './helpers.js';

type Init = Extract<HostMessage, { type: 'init' }>;

async function init(s: ReturnType<typeof session>): Promise<Init> {
  const from = s.fake.ui.received.length;
  s.fake.ui.send({ type: 'ready', version: PROTOCOL_VERSION });
  return s.fake.ui.waitFor<Init>((m) => m.type === 'init', { from });
}

describe('settings', () => {
  it('round-trip through clientStorage: saved by the UI, read back at the next start', async () => {
    const s = session(() => {});
    const mine: Settings = { ...DEFAULT_SETTINGS, output: 'vector-mask', feather: 2.5, hideSource: true, strategy: 'salient+sam', threshold: 0.4, salientModelId: 'isnet' };
    s.fake.ui.send({ type: 'save-settings', settings: mine });
    await s.fake.flush();
    await s.plugin.idle();
    expect(await s.fake.storage.getAsync(SETTINGS_KEY)).toEqual(mine);
    s.plugin.dispose();
    const { startPlugin } = await import('../../plugin/figma/plugin.js');
    const again = startPlugin();
    expect((await init(s)).settings).toEqual(mine);
    again.dispose();
  });

  it('what is read back is validated field by field', async () => {
    const s = session((f) => {
      void f.storage.setAsync(SETTINGS_KEY, { output: 'hologram', feather: -3, smoothing: 4, hideSource: 'yes', threshold: 2, extra: 1, modelId: 'sam-x' });
    });
    expect((await init(s)).settings).toEqual({ ...DEFAULT_SETTINGS, smoothing: 4, threshold: 1, modelId: 'sam-x' });
    expect(validateSettings('junk')).toEqual({ settings: DEFAULT_SETTINGS, problems: ['settings are not an object'] });
    expect(validateSettings({ feather: NaN }).problems).toEqual(['feather: null is not valid']);
  });

  it('a full clientStorage (5 MB quota) is reported, not swallowed', async () => {
    const s = session(() => {});
    await s.fake.storage.setAsync('cache', new Uint8Array(5 * 1024 * 1024 - 100));
    s.fake.ui.send({ type: 'save-settings', settings: DEFAULT_SETTINGS });
    const err = await s.fake.ui.waitFor<Extract<HostMessage, { type: 'error' }>>((m) => m.type === 'error');
    expect(err.error.message).toMatch(/Could not save the settings: .*quota/);
    expect(err.requestId).toBeUndefined();
  });
});

describe('manifest', () => {
  it('follows the rules in FIGMA.md: dynamic-page, only model hosts, dev hosts, menu, relaunch', () => {
    const m = figmaManifest(allowedHosts());
    expect(m).toMatchObject({
      name: 'Cutout',
      id: 'cutout-local',
      api: '1.0.0',
      main: 'dist/code.js',
      ui: 'dist/ui.html',
      editorType: ['figma'],
      documentAccess: 'dynamic-page',
      menu: [
        { name: 'Cut out object…', command: 'cutout' },
        { name: 'Remove background', command: 'remove-bg' },
        { name: 'Split into layers…', command: 'split' },
      ],
      relaunchButtons: [{ command: 'edit', name: 'Edit cutout' }],
    });
    expect(m.networkAccess.devAllowedDomains).toEqual(['http://localhost:*', 'http://127.0.0.1:*']);
    expect(m.networkAccess.allowedDomains).toEqual(allowedHosts().map((h) => `https://${h}`).sort());
    expect(m.networkAccess.allowedDomains).toContain('https://*.hf.co');
    expect(m.networkAccess.reasoning).toMatch(/never leave/);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it('lists the wasm CDN only when the build fetches the runtime from one', () => {
    expect(figmaManifest(['huggingface.co']).networkAccess.allowedDomains).toEqual(['https://huggingface.co']);
    const cdn = figmaManifest(['huggingface.co'], { wasmUrl: 'https://cdn.jsdelivr.net/npm/onnxruntime-web@1.30.0/dist/ort-wasm-simd-threaded.wasm' });
    expect(cdn.networkAccess.allowedDomains).toEqual(['https://cdn.jsdelivr.net', 'https://huggingface.co']);
    expect(figmaManifest([]).networkAccess.allowedDomains).toEqual(['none']);
    expect(() => figmaManifest(['bad host/x y'])).toThrow(/Not a host/);
  });
});
