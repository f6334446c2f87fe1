/**
 * What the plugin tests against a fake editor share, whatever the editor (test/figma/helpers.ts,
 * test/penpot/helpers.ts): a session — the fake installed as the global, the document built,
 * the plugin started, all undone after each test — the UI's requests to the plugin, crops of
 * the source image and point comparisons.
 */
import { afterEach, expect } from 'vitest';
import { decodeImage } from '../../core/image/decode.js';
import { cropRgba } from '../../core/image/ops.js';
import { encodePng } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import type { PluginController } from '../../plugin/host/controller.js';
import type { ApplyPayload, HostMessage, SourceInfo } from '../../plugin/protocol.js';

export type Pt = [number, number];

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** The UI's end of a fake's bridge: sends a request and resolves with the plugin's answer to it. */
interface UiEnd {
  request<T>(m: { requestId: number; type: string; [k: string]: unknown }): Promise<T>;
}

export interface PluginSession<F> {
  fake: F;
  plugin: PluginController;
  nextId(): number;
}

/**
 * Installs `fake` as the global (uninstalled after the test), builds the document with `build`,
 * lets `settle` forget the set-up (undo history, pending events), then starts the plugin
 * (disposed after the test).
 */
export function pluginSession<F extends { install(): () => void }>(fake: F, build: (fake: F) => void, settle: () => void, start: () => PluginController): PluginSession<F> {
  cleanups.push(fake.install());
  build(fake);
  settle();
  const plugin = start();
  cleanups.push(() => plugin.dispose());
  let id = 100;
  return { fake, plugin, nextId: () => id++ };
}

export async function requestImage(s: PluginSession<{ ui: UiEnd }>, sourceId: string): Promise<{ source: SourceInfo; image: RgbaImage; bytes: Uint8Array }> {
  const reply = await s.fake.ui.request<HostMessage>({ type: 'request-image', requestId: s.nextId(), sourceId });
  if (reply.type !== 'image') throw new Error(`expected image, got ${JSON.stringify(reply)}`);
  return { source: reply.source, image: decodeImage(reply.bytes), bytes: reply.bytes };
}

export async function apply(s: PluginSession<{ ui: UiEnd }>, payload: ApplyPayload): Promise<HostMessage> {
  const reply = await s.fake.ui.request<HostMessage>({ type: 'apply', requestId: s.nextId(), payload });
  await s.plugin.idle();
  return reply;
}

export const crop = cropRgba;

export function cropPng(img: RgbaImage, r: { x: number; y: number; width: number; height: number }): Uint8Array {
  return encodePng(crop(img, r), { level: 1 });
}

export function expectPoints(actual: Pt[], expected: Pt[], tol = 0.01): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const dx = Math.abs(actual[i][0] - expected[i][0]);
    const dy = Math.abs(actual[i][1] - expected[i][1]);
    if (dx > tol || dy > tol) {
      throw new Error(`point ${i}: got (${actual[i].join(', ')}), expected (${expected[i].join(', ')}) (tolerance ${tol})`);
    }
  }
}
