/** The message flow of plugin/figma against the fake: showUI, ready → init → selection, commands. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type HostMessage, PROTOCOL_VERSION } from '../../plugin/protocol.js';
import { MODELS_KEY, UI_SIZE_KEY } from '../../plugin/host/settings.js';
import { MAX_UI_SIZE, MIN_UI_SIZE } from '../../plugin/protocol.js';
import { type FScene, coordinatePng, frame, imageLayer } from './fake/index.js';
import { apply, cropPng, requestImage, session } from './helpers.js';

type Of<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

async function ready(s: ReturnType<typeof session>) {
  const from = s.fake.ui.received.length;
  s.fake.ui.send({ type: 'ready', version: PROTOCOL_VERSION });
  const init = await s.fake.ui.waitFor<Of<'init'>>((m) => m.type === 'init', { from });
  const selection = await s.fake.ui.waitFor<Of<'selection'>>((m) => m.type === 'selection', { from });
  return { init, selection };
}

describe('startup', () => {
  it('shows the UI with theme colours, then answers ready with init and the selection', async () => {
    let src!: FScene;
    const s = session((f) => {
      src = imageLayer(f, { bytes: coordinatePng(64, 32), width: 128, height: 64 });
      f.figma.currentPage.selection = [src as unknown as SceneNode];
    });
    await s.plugin.idle();
    expect(s.fake.showUICalls).toHaveLength(1);
    expect(s.fake.showUICalls[0].options).toMatchObject({ themeColors: true, width: 360, height: 600 });
    await s.fake.flush();
    expect(s.fake.ui.received).toEqual([]); // nothing before the UI says it is ready
    const { init, selection } = await ready(s);
    expect(init).toEqual({ type: 'init', version: PROTOCOL_VERSION, command: 'cutout', settings: DEFAULT_SETTINGS, host: 'figma' });
    expect(selection.problems).toEqual([]);
    expect(selection.sources).toEqual([
      { id: src.id, name: 'Photo', width: 64, height: 32, origin: 'fill', visible: { x: 0, y: 0, width: 64, height: 32 } },
    ]);
    expect(s.fake.ui.received.map((m) => (m as HostMessage).type)).toEqual(['init', 'selection']);
  });

  it('reads figma.command; extra models come from clientStorage', async () => {
    const s = session(
      (f) => {
        void f.storage.setAsync(MODELS_KEY, [
          { id: 'local-sam', baseUrl: 'http://127.0.0.1:9/sam/', files: ['a.onnx', 'b.onnx'] },
          { id: 'broken' },
        ]);
      },
      { command: 'remove-bg' },
    );
    const { init, selection } = await ready(s);
    expect(init.command).toBe('remove-bg');
    expect(init.models).toEqual([{ id: 'local-sam', baseUrl: 'http://127.0.0.1:9/sam/', files: ['a.onnx', 'b.onnx'] }]);
    expect(selection.sources).toEqual([]);
    // Nothing selected is no problem to list: the UI's empty state says what to do, once.
    expect(selection.problems).toEqual([]);
  });

  it('a protocol mismatch is reported', async () => {
    const s = session(() => {});
    s.fake.ui.send({ type: 'ready', version: 999 });
    const err = await s.fake.ui.waitFor<Of<'error'>>((m) => m.type === 'error');
    expect(err.error.message).toMatch(/999/);
  });
});

describe('selection', () => {
  it('follows selectionchange; hidden layers are problems; frames are offered as exports', async () => {
    let a!: FScene;
    let hidden!: FScene;
    let card!: FScene;
    const s = session((f) => {
      a = imageLayer(f, { bytes: coordinatePng(10, 10), width: 10, height: 10 });
      hidden = imageLayer(f, { bytes: coordinatePng(10, 10), width: 10, height: 10, name: 'Ghost' });
      hidden.visible = false;
      card = frame(f, { width: 300, height: 200 }) as unknown as FScene;
    });
    await ready(s);
    const from = s.fake.ui.received.length;
    s.fake.figma.currentPage.selection = [a, hidden, card] as unknown as SceneNode[];
    const sel = await s.fake.ui.waitFor<Of<'selection'>>((m) => m.type === 'selection', { from });
    expect(sel.sources.map((x) => [x.id, x.origin, x.width, x.height])).toEqual([
      [a.id, 'fill', 10, 10],
      [card.id, 'export', 600, 400],
    ]);
    expect(sel.problems).toEqual(['“Ghost” is hidden: show it to cut out from it.']);
  });

  it('"Edit cutout" (relaunch): a selected result stands for its source, named in init', async () => {
    let src!: FScene;
    let result!: FScene;
    const first = session((f) => (src = imageLayer(f, { bytes: coordinatePng(40, 40), width: 40, height: 40 })));
    const { image } = await requestImage(first, src.id);
    const reply = await apply(first, { sourceId: src.id, output: 'cutout', png: cropPng(image, { x: 0, y: 0, width: 20, height: 20 }), rect: { x: 0, y: 0, width: 20, height: 20 }, hideSource: true });
    result = first.fake.doc.node((reply as { nodeIds: string[] }).nodeIds[0]) as FScene;
    first.plugin.dispose();
    // the plugin runs again from the relaunch button, same document
    const { startPlugin } = await import('../../plugin/figma/plugin.js');
    (first.fake.figma as { command: string }).command = 'edit';
    first.fake.figma.currentPage.selection = [result as unknown as SceneNode];
    const plugin = startPlugin();
    const { init, selection } = await ready(first);
    expect(init.command).toBe('edit');
    expect(init.editSourceId).toBe(src.id);
    expect(selection.sources.map((x) => x.id)).toEqual([src.id]);
    plugin.dispose();
  });
});

describe('small messages', () => {
  it('notify, resize (clamped), close; foreign messages are ignored', async () => {
    const s = session(() => {});
    s.fake.ui.send({ type: 'notify', message: 'Hello', error: true });
    s.fake.ui.send({ type: 'resize', width: 10, height: 5000 });
    s.fake.ui.send({ hello: 'from devtools' });
    s.fake.ui.send({ type: 'close' });
    await s.fake.flush();
    await s.plugin.idle();
    expect(s.fake.notifications).toEqual([{ message: 'Hello', options: { error: true } }]);
    expect(s.fake.uiResizes).toEqual([{ width: MIN_UI_SIZE.width, height: MAX_UI_SIZE.height }]);
    expect(s.fake.closed).toEqual({ message: undefined });
  });

  it('the window size: resize is clamped to the limits; a remembered size opens the next session', async () => {
    const s = session(() => {});
    await s.plugin.idle();
    s.fake.ui.send({ type: 'resize', width: 500.4, height: 300 });
    s.fake.ui.send({ type: 'resize', width: 520, height: 700, remember: true });
    await s.fake.flush();
    await s.plugin.idle();
    expect(s.fake.uiResizes).toEqual([
      { width: 500, height: MIN_UI_SIZE.height },
      { width: 520, height: 700 },
    ]);
    expect(await s.fake.storage.getAsync(UI_SIZE_KEY)).toEqual({ width: 520, height: 700 });
    s.plugin.dispose();
    const { startPlugin } = await import('../../plugin/figma/plugin.js');
    const again = startPlugin();
    await again.idle();
    expect(s.fake.showUICalls.at(-1)!.options).toMatchObject({ width: 520, height: 700 });
    again.dispose();
  });

  it('a stored size outside the limits is clamped; a malformed one is ignored', async () => {
    const big = session((f) => void f.storage.setAsync(UI_SIZE_KEY, { width: 99999, height: 10 }));
    await big.plugin.idle();
    expect(big.fake.showUICalls[0].options).toMatchObject({ width: MAX_UI_SIZE.width, height: MIN_UI_SIZE.height });
    big.plugin.dispose();
    const bad = session((f) => void f.storage.setAsync(UI_SIZE_KEY, 'wide'));
    await bad.plugin.idle();
    expect(bad.fake.showUICalls[0].options).toMatchObject({ width: 360, height: 600 });
  });

  it('select (the footer\'s "Added … Select"): the result is selected again; once it is undone, a notification says so', async () => {
    let src!: FScene;
    const s = session((f) => (src = imageLayer(f, { bytes: coordinatePng(40, 30), width: 40, height: 30, name: 'Photo' })));
    const { image } = await requestImage(s, src.id);
    const r = { x: 0, y: 0, width: 40, height: 30 };
    const reply = await apply(s, { sourceId: src.id, output: 'cutout', png: cropPng(image, r), rect: r, hideSource: false });
    if (reply.type !== 'applied') throw new Error(JSON.stringify(reply));
    const id = reply.nodeIds[0]!;
    s.fake.figma.currentPage.selection = [src as unknown as SceneNode]; // the designer clicked elsewhere
    s.fake.ui.send({ type: 'select', nodeIds: [id] });
    await s.fake.flush();
    await s.plugin.idle();
    expect(s.fake.page.selection.map((n) => n.id)).toEqual([id]);
    expect(s.fake.notifications).toEqual([]);

    s.fake.undo();
    s.fake.figma.currentPage.selection = [src as unknown as SceneNode];
    s.fake.ui.send({ type: 'select', nodeIds: [id] });
    await s.fake.flush();
    await s.plugin.idle();
    expect(s.fake.page.selection.map((n) => n.id)).toEqual([src.id]);
    expect(s.fake.notifications.map((n) => n.message)).toEqual(['That layer is no longer in the file (deleted or undone).']);
  });

  it('request-image for a layer that no longer exists answers an error for that request', async () => {
    const s = session(() => {});
    const reply = await s.fake.ui.request({ type: 'request-image', requestId: 7, sourceId: '9:999' });
    expect(reply).toMatchObject({ type: 'error', requestId: 7, error: { code: 'STATE' } });
  });
});
