/**
 * Loads the wasm image decoders for Node (CLI, eval, bench, tests) from the installed
 * packages: no network, and the same files the plugin bundle inlines.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initImageCodecs } from '../core/image/wasm-codecs.js';

const require = createRequire(import.meta.url);

export function loadImageCodecs(): Promise<void> {
  const read = (id: string) => readFileSync(require.resolve(id));
  return initImageCodecs({
    jpeg: read('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'),
    webp: read('@jsquash/webp/codec/dec/webp_dec.wasm'),
  });
}
