/**
 * The user closes the plugin while a result is being inserted. Penpot's runtime then clears the
 * plugin's timers and deletes every global of its compartment (`penpot`, Math, Object, …), while
 * the upload the insertion waits for still resolves. The SHIPPED plugin.js (build.mjs's Penpot
 * section) runs here the way Penpot loads it (fake.evaluatePlugin, test/penpot/fake/sandbox.ts):
 * what was in flight finishes whole, its undo step closes, nothing throws.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image/decode.js';
import { cropRgba } from '../../core/image/ops.js';
import { encodePng } from '../../core/image/png.js';
import { type ApplyPayload, type HostMessage, PROTOCOL_VERSION } from '../../plugin/protocol.js';
import { buildPenpot } from '../helpers/build.js';
import { type FakePenpot, PLUGIN_SANDBOX_GLOBALS, coordinatePng, createFakePenpot, imageShape } from './fake/index.js';

let code = '';
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'cutout-penpot-close-'));
  try {
    const ui = join(dir, 'ui-source.html');
    writeFileSync(ui, '<!doctype html><title>ui</title>');
    buildPenpot({ out: dir, uiHtml: ui });
    code = readFileSync(join(dir, 'plugin.js'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const rejections: unknown[] = [];
const onRejection = (e: unknown) => rejections.push(e);
afterEach(() => {
  process.off('unhandledRejection', onRejection);
  rejections.length = 0;
});

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The shipped plugin loaded into a fake Penpot over one photo; the UI has read the photo. */
async function started(): Promise<{ fake: FakePenpot; id: string; payload: ApplyPayload; before: string }> {
  process.on('unhandledRejection', onRejection);
  const fake = createFakePenpot({ quiet: true, uploadDelayMs: 40 });
  const src = imageShape(fake, { bytes: coordinatePng(64, 32), x: 10, y: 20, width: 128, height: 64, rotation: 20, name: 'Photo' });
  fake.select([src.id]);
  await fake.flush();
  fake.resetHistory();
  fake.evaluatePlugin(code);
  fake.ui.send({ type: 'ready', version: PROTOCOL_VERSION });
  await fake.ui.waitFor((m) => m.type === 'selection');
  const image = await fake.ui.request<Extract<HostMessage, { type: 'image' }>>({ type: 'request-image', requestId: 1, sourceId: src.id });
  const rect = { x: 8, y: 4, width: 40, height: 20 };
  const png = encodePng(cropRgba(decodeImage(image.bytes), rect), { level: 1 });
  return { fake, id: src.id, payload: { sourceId: src.id, output: 'cutout', png, rect, hideSource: false }, before: JSON.stringify(fake.dump()) };
}

/** Closes the window as soon as the plugin waits for its upload, then lets everything settle. */
async function closeDuringUpload(fake: FakePenpot): Promise<void> {
  await until('the upload to start', () => fake.pendingUploads > 0);
  const blocks = fake.host.openBlocks;
  fake.closeWindow();
  expect(blocks).toBe(1); // the insertion's undo step was open when the window closed
  await until('the upload to settle', () => fake.pendingUploads === 0);
  await fake.flush(10);
}

describe('closing the plugin while a result is inserted', () => {
  it('the plugin code binds every global Penpot deletes on close', () => {
    const bound = /^\(function \(([^)]*)\) \{/.exec(code)?.[1]?.split(', ');
    expect(bound?.sort()).toEqual([...PLUGIN_SANDBOX_GLOBALS].sort());
  });

  it('apply: the result is inserted whole, its undo step closes, nothing throws', async () => {
    const { fake, id, payload, before } = await started();
    fake.ui.send({ type: 'apply', requestId: 2, payload });
    await closeDuringUpload(fake);
    expect(rejections).toEqual([]);
    expect(fake.consoleMessages).toEqual([]);
    expect(fake.host.openBlocks).toBe(0);
    const results = [...fake.doc.shapes.values()].filter((s) => s.pluginData.source === id);
    expect(results).toHaveLength(1);
    expect(results[0].fills).toHaveLength(1);
    expect(fake.undoEntries).toHaveLength(1);
    fake.undoLast();
    expect(JSON.stringify(fake.dump())).toBe(before);
  });

  it('batch: the result in flight is kept and the batch undo step closes without batch-end', async () => {
    const { fake, id, payload, before } = await started();
    fake.ui.send({ type: 'batch-list', requestId: 3, scope: 'page' });
    await fake.ui.waitFor((m) => m.type === 'batch-items');
    fake.ui.send({ type: 'batch-apply', requestId: 3, payload });
    await closeDuringUpload(fake);
    expect(rejections).toEqual([]);
    expect(fake.consoleMessages).toEqual([]);
    expect(fake.host.openBlocks).toBe(0);
    expect([...fake.doc.shapes.values()].filter((s) => s.pluginData.source === id)).toHaveLength(1);
    expect(fake.undoEntries).toHaveLength(1);
    fake.undoLast();
    expect(JSON.stringify(fake.dump())).toBe(before);
  });
});
