import { describe, expect, it } from 'vitest';
import { isCutoutError } from '../../core/errors.js';
import { Bridge, ENVELOPES, hostFromQuery, pageQuery, type Port } from '../../ui/bridge.js';
import { choiceDetail, choiceLabel, fromSpec, modelChoices, pickModel, specFromQuery, specsFromQuery } from '../../ui/models.js';
import type { HostMessage, UiMessage } from '../../plugin/protocol.js';

function fakePort() {
  const sent: unknown[] = [];
  let handler: ((d: unknown) => void) | undefined;
  const port: Port = {
    post: (d) => sent.push(d),
    listen: (h) => {
      handler = h;
      return () => (handler = undefined);
    },
  };
  return { port, sent, deliver: (msg: HostMessage | unknown) => handler?.({ pluginMessage: msg }), raw: (d: unknown) => handler?.(d) };
}

describe('Bridge', () => {
  it('wraps outgoing messages as {pluginMessage} and dispatches incoming ones by type', () => {
    const f = fakePort();
    const b = new Bridge(f.port);
    const seen: string[] = [];
    b.on('selection', (m) => seen.push(`${m.sources.length}`));
    b.send({ type: 'ready', version: 1 } satisfies UiMessage);
    expect(f.sent).toEqual([{ pluginMessage: { type: 'ready', version: 1 } }]);
    f.deliver({ type: 'selection', sources: [], problems: [] });
    f.raw({ somethingElse: true });
    f.raw(null);
    f.deliver({ notAMessage: 1 });
    expect(seen).toEqual(['0']);
  });

  it('matches replies by requestId and turns host errors into coded errors', async () => {
    const f = fakePort();
    const b = new Bridge(f.port);
    const id1 = b.requestId();
    const id2 = b.requestId();
    const p1 = b.request({ type: 'request-image', requestId: id1, sourceId: 'a' }, 'image');
    const p2 = b.request({ type: 'apply', requestId: id2, payload: { sourceId: 'a', output: 'cutout', hideSource: false } }, 'applied');
    const other: string[] = [];
    b.on('image', () => other.push('unmatched image'));
    f.deliver({ type: 'image', requestId: 999, source: { id: 'x', name: 'x', width: 1, height: 1, origin: 'fill' }, bytes: new Uint8Array(1) });
    f.deliver({ type: 'error', requestId: id2, error: { code: 'INVALID_IMAGE', message: 'bad bytes' } });
    f.deliver({ type: 'image', requestId: id1, source: { id: 'a', name: 'A', width: 2, height: 3, origin: 'fill' }, bytes: new Uint8Array(4) });
    const img = await p1;
    expect(img.source.name).toBe('A');
    await expect(p2).rejects.toSatisfy((e: unknown) => isCutoutError(e, 'INVALID_IMAGE'));
    expect(other).toEqual(['unmatched image']);
  });

  it('times out when the host never answers, naming the host', async () => {
    const b = new Bridge(fakePort().port);
    await expect(b.request({ type: 'batch-list', requestId: b.requestId(), scope: 'page' }, 'batch-items', 20)).rejects.toThrow(/^Figma did not answer/);
    const p = new Bridge(fakePort().port, 'penpot');
    await expect(p.request({ type: 'batch-list', requestId: p.requestId(), scope: 'page' }, 'batch-items', 20)).rejects.toThrow(/^Penpot did not answer \(batch-list\)/);
  });

  it('Penpot: raw messages both ways, foreign ones ignored', async () => {
    const f = fakePort();
    const b = new Bridge(f.port, 'penpot');
    const seen: string[] = [];
    b.on('selection', (m) => seen.push(`selection ${m.sources.length}`));
    b.on('theme', (m) => seen.push(`theme ${m.theme}`));
    b.on('notice', (m) => seen.push(`notice ${m.message} ${m.error === true}`));
    b.send({ type: 'ready', version: 1 });
    expect(f.sent).toEqual([{ type: 'ready', version: 1 }]);
    f.raw({ type: 'selection', sources: [], problems: [] });
    f.raw({ type: 'theme', theme: 'dark' });
    f.raw({ type: 'notice', message: 'Done', error: false });
    // Foreign: no type, another shape, Figma's envelope, the page's own outgoing message
    // (a top-level page posts to itself), other tools' messages, prototype keys.
    f.raw(null);
    f.raw('selection');
    f.raw({ source: 'react-devtools-content-script', payload: {} });
    f.raw({ pluginMessage: { type: 'selection', sources: [1], problems: [] } });
    f.raw({ type: 'ready', version: 1 });
    f.raw({ type: 'webpackOk' });
    f.raw({ type: 'toString' });
    expect(seen).toEqual(['selection 0', 'theme dark', 'notice Done false']);

    const id = b.requestId();
    const reply = b.request({ type: 'request-image', requestId: id, sourceId: 'a' }, 'image');
    expect(f.sent.at(-1)).toEqual({ type: 'request-image', requestId: id, sourceId: 'a' });
    f.raw({ type: 'image', requestId: id, source: { id: 'a', name: 'A', width: 1, height: 1, origin: 'export' }, bytes: new Uint8Array(3) });
    expect((await reply).source.origin).toBe('export');
  });

  it('Figma: a raw protocol message (no envelope) is not Figma\'s and is ignored', () => {
    const f = fakePort();
    const b = new Bridge(f.port, 'figma');
    const seen: string[] = [];
    b.on('selection', () => seen.push('selection'));
    f.raw({ type: 'selection', sources: [], problems: [] });
    f.deliver({ type: 'no-such-host-message' });
    expect(seen).toEqual([]);
    f.deliver({ type: 'selection', sources: [], problems: [] });
    expect(seen).toEqual(['selection']);
  });

  it('reads the host from the page URL (Figma adds no query)', () => {
    expect(hostFromQuery('')).toBe('figma');
    expect(hostFromQuery('?host=penpot&theme=dark')).toBe('penpot');
    expect(hostFromQuery('?theme=dark&host=penpot')).toBe('penpot');
    expect(hostFromQuery('?host=figma')).toBe('figma');
    expect(hostFromQuery('?host=sketch')).toBe('figma');
    // Penpot's manifest version 2 puts the query into the hash.
    expect(hostFromQuery(pageQuery({ search: '', hash: '#/?host=penpot&theme=dark' }))).toBe('penpot');
    expect(new URLSearchParams(pageQuery({ search: '?theme=light', hash: '#/?host=penpot&theme=dark' })).get('theme')).toBe('light');
    expect(pageQuery({ search: '?modelBaseUrl=http://h/x', hash: '' })).toBe('?modelBaseUrl=http://h/x');
    expect(pageQuery({ search: '', hash: '#top' })).toBe('');
    expect(ENVELOPES.figma.wrap({ type: 'close' })).toEqual({ pluginMessage: { type: 'close' } });
    expect(ENVELOPES.penpot.wrap({ type: 'close' })).toEqual({ type: 'close' });
    expect(ENVELOPES.figma.unwrap(undefined)).toBeUndefined();
  });
});

describe('model choices', () => {
  it('lists registry SAM models with size and licence, salient ones separately', () => {
    const sam = modelChoices('sam');
    const slim = sam.find((c) => c.id === 'slimsam-77-q8')!;
    expect(slim.bytes).toBe(8_882_165 + 4_903_810);
    expect(choiceDetail(slim)).toBe('13.8 MB download · Apache-2.0');
    expect(choiceLabel(slim)).toBe(slim.name); // name already says 14 MB
    expect(sam.every((c) => c.kind === 'sam')).toBe(true);
    const salient = modelChoices('salient');
    expect(salient.map((c) => c.id)).toContain('u2netp');
    expect(salient.find((c) => c.id === 'u2netp')!.descriptor).toBeDefined();
  });

  it('adds folder-URL models from init or the query string, and prefers them when the id is unknown', () => {
    const spec = specFromQuery('?modelBaseUrl=http://127.0.0.1:9/models/sam-hf&modelFiles=vision_encoder.onnx,prompt_encoder_mask_decoder.onnx&modelId=analytic');
    expect(spec).toEqual({
      id: 'analytic',
      name: 'Model from URL',
      baseUrl: 'http://127.0.0.1:9/models/sam-hf',
      files: ['vision_encoder.onnx', 'prompt_encoder_mask_decoder.onnx'],
      kind: 'sam',
    });
    const c = fromSpec(spec!);
    expect(c.files.map((f) => f.url)).toEqual([
      'http://127.0.0.1:9/models/sam-hf/vision_encoder.onnx',
      'http://127.0.0.1:9/models/sam-hf/prompt_encoder_mask_decoder.onnx',
    ]);
    const list = modelChoices('sam', [spec!]);
    expect(list.at(-1)!.id).toBe('analytic');
    expect(pickModel(list, 'analytic')!.id).toBe('analytic');
    expect(pickModel(list, 'no-such-model')!.id).toBe('analytic');
    expect(pickModel(modelChoices('sam'), 'no-such-model')!.origin).toBe('registry');
    expect(specFromQuery('?modelBaseUrl=x')).toBeUndefined();
    const both = specsFromQuery('?modelBaseUrl=http://h/sam/&modelFiles=a.onnx,b.onnx&salientBaseUrl=http://h/sal&salientFiles=model.onnx,cutout.json');
    expect(both.map((m) => [m.id, m.kind])).toEqual([
      ['url:http://h/sam/', 'sam'],
      ['url:http://h/sal/', 'salient'],
    ]);
  });
});
