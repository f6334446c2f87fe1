/** plugin/penpot against the faithful Penpot fake: startup, message flow, settings, theme. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type HostMessage, MIN_UI_SIZE, PROTOCOL_VERSION } from '../../plugin/protocol.js';
import { MODELS_KEY, SETTINGS_KEY } from '../../plugin/host/settings.js';
import { penpotManifest } from '../../plugin/penpot/manifest.js';
import { coordinatePng, imageShape, textShape } from './fake/index.js';
import { type Of, apply, cropPng, ready, requestImage, session } from './helpers.js';

describe('startup', () => {
  it('opens the shared UI page in Penpot mode with the theme, then answers ready with init and the selection', async () => {
    let src!: { id: string };
    const s = session((f) => {
      src = imageShape(f, { bytes: coordinatePng(64, 32), x: 10, y: 20, width: 128, height: 64, name: 'Photo' });
      f.select([src.id]);
    });
    await s.plugin.idle();
    expect(s.fake.uiOpenCalls).toHaveLength(1);
    const open = s.fake.uiOpenCalls[0];
    expect(open.name).toBe('Cutout');
    expect(open.url).toBe('ui.html?host=penpot&theme=dark');
    expect(open.src.startsWith('http://localhost:4400/ui.html?host=penpot')).toBe(true);
    expect(open.options).toMatchObject({ width: 360, height: 600 });
    await s.fake.flush();
    expect(s.fake.ui.received).toEqual([]); // nothing before the UI says it is ready
    const { init, selection } = await ready(s);
    expect(init).toEqual({ type: 'init', version: PROTOCOL_VERSION, command: 'cutout', settings: DEFAULT_SETTINGS, host: 'penpot', theme: 'dark' });
    expect(selection.problems).toEqual([]);
    expect(selection.sources).toEqual([{ id: src.id, name: 'Photo', width: 64, height: 32, origin: 'fill', visible: { x: 0, y: 0, width: 64, height: 32 } }]);
  });

  it('without a selection nothing is listed (the empty state says what to do); text layers are described as renderings', async () => {
    const s = session(() => {});
    const { selection } = await ready(s);
    expect(selection.sources).toEqual([]);
    expect(selection.problems).toEqual([]);
    const t = textShape(s.fake, 'Hello', { name: 'Title' });
    const from = s.fake.ui.received.length;
    s.fake.select([t.id]);
    const next = await s.fake.ui.waitFor<Of<'selection'>>((m) => m.type === 'selection', { from });
    expect(next.sources).toHaveLength(1);
    expect(next.sources[0]).toMatchObject({ id: t.id, origin: 'export' });
  });

  it('follows the theme', async () => {
    const s = session(() => {}, { theme: 'light' });
    const { init } = await ready(s);
    expect(init.theme).toBe('light');
    const from = s.fake.ui.received.length;
    s.fake.setTheme('dark');
    const msg = await s.fake.ui.waitFor<Of<'theme'>>((m) => m.type === 'theme', { from });
    expect(msg.theme).toBe('dark');
  });

  it('a protocol mismatch is reported', async () => {
    const s = session(() => {});
    s.fake.ui.send({ type: 'ready', version: 999 });
    const err = await s.fake.ui.waitFor<Of<'error'>>((m) => m.type === 'error');
    expect(err.error.message).toMatch(/999/);
  });
});

describe('the window size', () => {
  it('resize is clamped to the limits; a remembered size opens the next session', async () => {
    const storage = new Map<string, string>();
    const a = session(() => {}, { localStorage: storage });
    await ready(a);
    a.fake.ui.send({ type: 'resize', width: 100, height: 700, remember: true });
    await a.fake.flush();
    await a.plugin.idle();
    expect(a.fake.modal).toMatchObject({ width: MIN_UI_SIZE.width, height: 700 });
    a.plugin.dispose();
    const b = session(() => {}, { localStorage: storage });
    await b.plugin.idle();
    expect(b.fake.uiOpenCalls[0]!.options).toMatchObject({ width: MIN_UI_SIZE.width, height: 700 });
  });
});

describe('select', () => {
  it('the footer\'s "Added … Select" selects the result again; once it is undone, a notice says so', async () => {
    let src!: { id: string };
    const s = session((f) => {
      src = imageShape(f, { bytes: coordinatePng(40, 30), x: 10, y: 20, width: 40, height: 30, name: 'Photo' });
    });
    await ready(s);
    const { image } = await requestImage(s, src.id);
    const r = { x: 0, y: 0, width: 40, height: 30 };
    const reply = await apply(s, { sourceId: src.id, output: 'cutout', png: cropPng(image, r), rect: r, hideSource: false });
    if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
    const id = reply.nodeIds[0]!;
    s.fake.select([src.id]); // the designer clicked elsewhere
    await s.fake.flush();
    await s.plugin.idle();
    s.fake.ui.send({ type: 'select', nodeIds: [id] });
    await s.fake.flush();
    await s.plugin.idle();
    expect(s.fake.penpot.selection.map((x) => x.id)).toEqual([id]);

    s.fake.undoLast();
    s.fake.select([src.id]);
    await s.fake.flush();
    await s.plugin.idle();
    const from = s.fake.ui.received.length;
    s.fake.ui.send({ type: 'select', nodeIds: [id] });
    const notice = await s.fake.ui.waitFor<Of<'notice'>>((m) => m.type === 'notice', { from });
    expect(notice.message).toBe('That layer is no longer in the file (deleted or undone).');
    expect(s.fake.penpot.selection.map((x) => x.id)).toEqual([src.id]);
  });
});

describe('settings in penpot.localStorage', () => {
  it('saved settings come back validated in the next session; extra models are read', async () => {
    const storage = new Map<string, string>();
    const a = session(() => {}, { localStorage: storage });
    await ready(a);
    const settings = { ...DEFAULT_SETTINGS, output: 'outline', feather: 3, bogus: 1 };
    a.fake.ui.send({ type: 'save-settings', settings });
    await a.fake.flush();
    await a.plugin.idle();
    a.plugin.dispose();
    const b = session(
      () => {
        (globalThis as { penpot?: { localStorage: Storage } }).penpot!.localStorage.setItem(
          `cutout.${MODELS_KEY}`,
          JSON.stringify([{ id: 'local-sam', baseUrl: 'http://127.0.0.1:9/sam/', files: ['a.onnx', 'b.onnx'] }, { id: 'broken' }]),
        );
      },
      { localStorage: storage },
    );
    const { init } = await ready(b);
    expect(init.settings).toEqual({ ...DEFAULT_SETTINGS, output: 'outline', feather: 3 });
    expect(init.models).toEqual([{ id: 'local-sam', baseUrl: 'http://127.0.0.1:9/sam/', files: ['a.onnx', 'b.onnx'] }]);
    expect([...storage.keys()].some((k) => k.endsWith(`cutout.${SETTINGS_KEY}`))).toBe(true);
  });

  it('without the allow:localstorage permission the plugin still starts, on default settings', async () => {
    const s = session(() => {}, { permissions: ['content:read', 'content:write'] });
    const { init } = await ready(s);
    expect(init.settings).toEqual(DEFAULT_SETTINGS);
    s.fake.ui.send({ type: 'save-settings', settings: DEFAULT_SETTINGS });
    const err = await s.fake.ui.waitFor<HostMessage>((m) => m.type === 'error');
    expect((err as Of<'error'>).error.message).toMatch(/settings/i);
  });
});

describe('window messages that are not ours', () => {
  it('Penpot hands the plugin every window message: look-alikes change nothing and get no answer; real ones still work', async () => {
    let src!: { id: string };
    const s = session((f) => {
      src = imageShape(f, { bytes: coordinatePng(64, 32), x: 10, y: 20, width: 128, height: 64, name: 'Photo' });
      f.select([src.id]);
    });
    await ready(s);
    s.fake.penpot.ui.resize(500, 640);
    const before = JSON.stringify(s.fake.dump());
    const from = s.fake.ui.received.length;
    for (const m of [
      { type: 'resize' },
      { type: 'resize', width: '300', height: 200 },
      { type: 'batch-end', requestId: 1 },
      { type: 'apply', requestId: 2, payload: { sourceId: src.id } },
      { type: 'apply', requestId: 3, payload: null },
      { type: 'request-image', sourceId: src.id },
      { type: 'notify', message: { text: 'hi' } },
      { type: 'save-settings' },
    ]) {
      s.fake.ui.send(m);
    }
    await s.fake.flush();
    await s.plugin.idle();
    expect(s.fake.ui.received.slice(from)).toEqual([]);
    expect(s.fake.modal).toMatchObject({ width: 500, height: 640 });
    expect(JSON.stringify(s.fake.dump())).toBe(before);
    expect(s.fake.undoEntries).toHaveLength(0);
    s.fake.ui.send({ type: 'resize', width: 420, height: 520 });
    await s.fake.flush();
    await s.plugin.idle();
    expect(s.fake.modal).toMatchObject({ width: 420, height: 520 });
  });
});

describe('where Penpot loads the plugin from', () => {
  it('Penpot resolves the UI against the origin the manifest was installed from, not the manifest host', async () => {
    const s = session(() => {}, { manifestUrl: 'https://cutout.example.org/manifest.json', host: 'http://localhost:4400' });
    expect(penpotManifest().host).toBe('http://localhost:4400');
    // The window opens once the remembered size is read from storage.
    await s.fake.flush();
    await s.plugin.idle();
    expect(s.fake.uiOpenCalls[0].src.startsWith('https://cutout.example.org/ui.html?host=penpot')).toBe(true);
  });

  it('a host with a path is refused with what to do: Penpot would look for the files at the root', () => {
    expect(penpotManifest('https://example.com/').host).toBe('https://example.com');
    expect(() => penpotManifest('https://example.com/tools/cutout')).toThrow(/root of https:\/\/example\.com, not under "\/tools\/cutout"\. Set CUTOUT_PENPOT_HOST to an origin only/);
  });
});
