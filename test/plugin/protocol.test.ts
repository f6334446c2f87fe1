/**
 * The bridge's shape checks (plugin/protocol.ts): every message either side sends passes; the
 * same message with one field missing or of the wrong kind is not ours and is ignored.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type HostMessage, type UiMessage, isHostMessage, isUiMessage } from '../../plugin/protocol.js';

const payload = { sourceId: '1:2', output: 'cutout', png: new Uint8Array([137, 80]), rect: { x: 0, y: 0, width: 4, height: 4 }, hideSource: false };
const vector = { sourceId: '1:2', output: 'outline', paths: [{ windingRule: 'NONZERO', data: 'M 0 0 L 1 1 Z' }], hideSource: true, name: 'Outline' };
const editState = {
  version: 1,
  sourceId: '1:2',
  image: { width: 64, height: 32, hash: 'abcd0123' },
  points: [{ x: 3, y: 4, label: 1 }],
  box: { x0: 1, y0: 1, x1: 9, y1: 9 },
  candidate: 1,
  output: 'cutout',
  feather: 2,
  smoothing: 1,
  modelId: 'slimsam-77-q8',
};
const editing = { ...payload, edit: editState, replaceId: '7:8' };
const source = { id: '1:2', name: 'Photo', width: 64, height: 32, origin: 'fill', visible: { x: 0, y: 0, width: 64, height: 32 } };

const UI: UiMessage[] = [
  { type: 'ready', version: 1 },
  { type: 'request-image', requestId: 1, sourceId: '1:2' },
  { type: 'apply', requestId: 2, payload: payload as never },
  { type: 'apply', requestId: 3, payload: vector as never },
  { type: 'apply', requestId: 3, payload: editing as never },
  { type: 'batch-list', requestId: 4, scope: 'file' },
  {
    type: 'split-apply',
    requestId: 5,
    payload: {
      sourceId: '1:2',
      output: 'cutout',
      name: 'Layers',
      objects: [{ name: 'Top left 4×4 at 0, 0', png: new Uint8Array([137, 80]), rect: { x: 0, y: 0, width: 4, height: 4 } }],
      background: { name: 'Background', paths: [{ windingRule: 'EVENODD', data: 'M 0 0 L 1 1 Z' }] },
    },
  },
  { type: 'batch-apply', requestId: 4, payload: payload as never },
  { type: 'batch-end', requestId: 4, cancelled: false, failures: [{ id: '1:2', name: 'Photo', message: 'no' }] },
  { type: 'save-settings', settings: DEFAULT_SETTINGS },
  { type: 'notify', message: 'hi', error: true },
  { type: 'resize', width: 400, height: 500 },
  { type: 'close' },
];

const HOST: HostMessage[] = [
  { type: 'init', version: 1, command: 'cutout', settings: DEFAULT_SETTINGS, host: 'penpot', theme: 'dark', editSourceId: '1:2', models: [] },
  { type: 'init', version: 1, command: 'edit', settings: DEFAULT_SETTINGS, host: 'figma', edit: { resultId: '7:8', resultName: 'Cutout of Photo', state: editState as never, sourceMissing: false }, editProblem: 'x' },
  { type: 'selection', sources: [source as never], problems: ['x'] },
  { type: 'image', requestId: 1, source: source as never, bytes: new Uint8Array(3) },
  { type: 'applied', requestId: 2, nodeIds: ['3:4'] },
  { type: 'batch-items', requestId: 4, sources: [source as never], skipped: [{ id: '5', name: 'Hidden', reason: 'is hidden' }] },
  { type: 'batch-done', requestId: 4, inserted: 1, failed: 0 },
  { type: 'error', requestId: 2, error: { code: 'STATE', message: 'gone' } as never },
  { type: 'error', error: { code: 'INTERNAL', message: 'x' } },
  { type: 'theme', theme: 'light' },
  { type: 'notice', message: 'Done', error: false },
];

/** Each message with one field taken away or replaced by something of the wrong kind. */
function broken(msg: Record<string, unknown>): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  for (const [k, v] of Object.entries(msg)) {
    if (k === 'type') continue;
    const without = { ...msg };
    delete without[k];
    // Optional fields may be absent: only a wrong kind is a broken message for them.
    out.push([`${k} absent`, without]);
    out.push([`${k} wrong kind`, { ...msg, [k]: typeof v === 'string' ? 42 : 'x' }]);
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) {
      for (const inner of Object.keys(v)) out.push([`${k}.${inner} wrong kind`, { ...msg, [k]: { ...(v as object), [inner]: null } }]);
    }
  }
  return out;
}

/** Fields a message may leave out (type.field). */
const OPTIONAL = new Set(['notify.error', 'init.theme', 'init.editSourceId', 'init.edit', 'init.editProblem', 'init.models', 'error.requestId', 'notice.error']);

describe('message shapes', () => {
  it('every message the UI sends is recognised, and only by the host side', () => {
    for (const m of UI) {
      expect(isUiMessage(structuredClone(m)), JSON.stringify(m)).toBe(true);
      expect(isHostMessage(m), m.type).toBe(false);
    }
  });

  it('every message a host sends is recognised, and only by the UI side', () => {
    for (const m of HOST) {
      expect(isHostMessage(structuredClone(m)), m.type).toBe(true);
      if (m.type !== 'error') expect(isUiMessage(m), m.type).toBe(false);
    }
  });

  it('a message of a known type with a field missing or of the wrong kind is not recognised', () => {
    const misses: string[] = [];
    for (const [msgs, check] of [
      [UI, isUiMessage],
      [HOST, isHostMessage],
    ] as const) {
      for (const m of msgs) {
        for (const [what, b] of broken(m as unknown as Record<string, unknown>)) {
          const optionalAbsent = what.endsWith(' absent') && OPTIONAL.has(`${m.type}.${what.split(' ')[0]}`);
          // Settings are validated value by value by the host (settings.ts), not at the bridge.
          if (what.startsWith('settings.')) continue;
          if (optionalAbsent) {
            if (!check(b)) misses.push(`${m.type}: ${what} was refused`);
          } else if (check(b)) misses.push(`${m.type}: ${what} was accepted`);
        }
      }
    }
    expect(misses).toEqual([]);
  });

  it('look-alikes are ignored: no type, unknown types, arrays, inherited types', () => {
    for (const v of [null, 'close', 42, [], [{ type: 'close' }], { type: 'toString' }, { type: '__proto__' }, { type: 'hasOwnProperty' }, Object.create({ type: 'close' }), { type: 'selection-change' }]) {
      expect(isUiMessage(v), JSON.stringify(v)).toBe(false);
      expect(isHostMessage(v), JSON.stringify(v)).toBe(false);
    }
  });
});
