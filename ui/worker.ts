/**
 * The inference worker: InferenceCore behind postMessage (see backend.ts for the protocol).
 * Bundled on its own by build.mjs and embedded in ui.html as a string.
 */
import { toErrorInfo } from '../core/errors.js';
import { decodeImage } from '../core/image/decode.js';
import type { RgbaImage } from '../core/image/types.js';
import { initImageCodecs, type CodecWasm } from '../core/image/wasm-codecs.js';
import type { DecodeResult } from '../core/models/types.js';
import type { Prompt } from '../core/prompts/types.js';
import type { ApplyOptions } from './apply.js';
import type { WorkerRequest, WorkerResponse } from './backend.js';
import type { SplitOptions } from './split-layers.js';
import { InferenceCore, type FindObjectsRequest, type LoadModelRequest, type LoadSalientRequest, type RemoveBgRequest } from './inference.js';
import { configureOrt, probeOrt } from './runtime.js';

interface WorkerScope {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(msg: WorkerResponse, transfer?: Transferable[]): void;
}
const scope = globalThis as unknown as WorkerScope;
const core = new InferenceCore();

function transferables(result: unknown): Transferable[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: unknown) => {
    if (ArrayBuffer.isView(a) && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  if (result && typeof result === 'object') {
    const r = result as { lowRes?: unknown[]; png?: unknown };
    r.lowRes?.forEach(add);
    add(r.png);
  }
  return [...out];
}

async function handle(req: WorkerRequest): Promise<unknown> {
  const a = req.args;
  switch (req.method) {
    case 'init':
      configureOrt(a[0] as Uint8Array, a[1] as number);
      await probeOrt();
      await initImageCodecs(a[2] as CodecWasm);
      return true;
    case 'loadModel':
      return core.loadModel(a[0] as LoadModelRequest);
    case 'setImage':
      return core.setImage(a[0] as RgbaImage);
    case 'predict':
      return core.predict(a[0] as Prompt);
    case 'apply':
      return core.apply(a[0] as DecodeResult, a[1] as number, a[2] as ApplyOptions, (f, stage) =>
        scope.postMessage({ id: req.id, progress: [f, stage] }),
      );
    case 'loadSalient':
      return core.loadSalient(a[0] as LoadSalientRequest);
    case 'removeBg':
      return core.removeBg(a[0] as RgbaImage, a[1] as RemoveBgRequest);
    case 'findObjects':
      return core.findObjects(a[0] as FindObjectsRequest, (event) => scope.postMessage({ id: req.id, event }));
    case 'cancelFind':
      return core.cancelFind();
    case 'splitLayers':
      return core.splitLayers(a[0] as number[][], a[1] as SplitOptions);
    case 'decodeImage':
      return decodeImage(a[0] as Uint8Array);
    case 'dispose':
      await core.dispose();
      return true;
  }
}

scope.onmessage = (e) => {
  const req = e.data;
  handle(req).then(
    (result) => {
      // lowRes maps, PNG bytes and decoded pixels are fresh per call: move them instead of copying.
      try {
        const moved = req.method === 'decodeImage' ? [(result as RgbaImage).data.buffer as ArrayBuffer] : transferables(result);
        scope.postMessage({ id: req.id, ok: true, result }, moved);
      } catch {
        scope.postMessage({ id: req.id, ok: true, result });
      }
    },
    (err: unknown) => scope.postMessage({ id: req.id, ok: false, error: toErrorInfo(err) }),
  );
};
