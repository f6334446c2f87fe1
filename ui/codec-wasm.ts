/**
 * The image decoders' wasm (MozJPEG, libwebp), inlined into the plugin by the bundler: the
 * null-origin iframe cannot fetch it. Imported by the UI entry only; the worker is handed
 * these bytes when it starts.
 */
import jpeg from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
import webp from '@jsquash/webp/codec/dec/webp_dec.wasm';
import type { CodecWasm } from '../core/image/wasm-codecs.js';

export const CODEC_WASM: CodecWasm = { jpeg, webp };
