/**
 * The UI downloads through core's downloadModel: a server that stops sending must end in a
 * model-error the banner can show (with its Try again), not in a progress bar that waits
 * forever, and trying again must work once the server answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, isCutoutError } from '../../core/errors.js';
import { MemoryModelStore } from '../../core/models/download.js';
import type { Backend } from '../../ui/backend.js';
import { Engine, type EngineEvent } from '../../ui/engine.js';
import type { LoadedModel } from '../../ui/inference.js';
import type { ModelChoice } from '../../ui/models.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

const bytes = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff);
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ '/m/enc.onnx': { body: bytes, stallAt: 50_000 } });
});
afterAll(async () => {
  await server.close();
});

describe('UI engine downloads', () => {
  it('a stalled download is a model-error saying so; loading again succeeds once the server sends', async () => {
    const events: EngineEvent[] = [];
    const loaded: string[] = [];
    const backend = {
      kind: 'main',
      async loadModel(req: { id: string; files: Record<string, Uint8Array> }): Promise<LoadedModel> {
        loaded.push(`${req.id}:${req.files['enc.onnx']?.length}`);
        return { id: req.id, format: 'sam-hf', supports: { box: true, maskInput: true }, device: 'wasm' };
      },
    } as unknown as Backend;
    const engine = new Engine({
      backend: Promise.resolve({ backend, report: { kind: 'main', startMs: 0 } }),
      store: Promise.resolve(new MemoryModelStore()),
      onEvent: (e) => events.push(e),
      stallMs: 1000,
    });
    const choice: ModelChoice = {
      id: 'stuck',
      name: 'Stuck',
      kind: 'sam',
      license: 'test',
      origin: 'url',
      files: [{ name: 'enc.onnx', url: `${server.url}/m/enc.onnx`, bytes: bytes.length }],
    };

    await expect(engine.loadModel(choice)).rejects.toThrow(/stalled: nothing arrived for 1 s after 50000 of 200000 bytes/);
    const failed = events.find((e) => e.type === 'model-error');
    expect(failed && failed.type === 'model-error' && isCutoutError(failed.error, ErrorCode.Download)).toBe(true);
    expect(loaded).toEqual([]);

    // What the banner's Try again does: load the same choice again.
    server.setRoute('/m/enc.onnx', bytes);
    await engine.loadModel(choice);
    expect(loaded).toEqual([`stuck:${bytes.length}`]);
    expect(events.at(-1)?.type).toBe('model-ready');
  });
});
