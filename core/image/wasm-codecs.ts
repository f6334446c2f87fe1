/**
 * The published wasm decoders: Squoosh's MozJPEG build (@jsquash/jpeg, the libjpeg-turbo
 * family the Python reference decodes with, so JPEG pixels match it) and libwebp
 * (@jsquash/webp).
 *
 * Their wasm is handed in as bytes or a compiled module by each entry point (the CLI reads it
 * from node_modules, the plugin's worker has it inlined by the bundler), because neither a
 * Node process nor a null-origin plugin iframe can fetch it from a URL. Once `initImageCodecs`
 * has resolved, decoding is synchronous, like the PNG decoder.
 */
import mozjpegFactory from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js';
import webpFactory from '@jsquash/webp/codec/dec/webp_dec.js';

export type WasmSource = BufferSource | WebAssembly.Module;

export interface CodecWasm {
  jpeg: WasmSource;
  webp: WasmSource;
}

/** Pixels as the decoders return them: RGBA, 8 bits, row-major. */
export interface DecodedPixels {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A decode's pixels (null when the decoder gave up) and the warnings it printed. */
export interface DecodeResult {
  pixels: DecodedPixels | null;
  warnings: string[];
}

interface Decoders {
  jpeg: (bytes: Uint8Array) => DecodeResult;
  webp: (bytes: Uint8Array) => DecodeResult;
}

let decoders: Decoders | undefined;
let pending: Promise<void> | undefined;

async function instantiate<T>(
  factory: (options: Record<string, unknown>) => Promise<T>,
  wasm: WasmSource,
  warnings: string[],
): Promise<T> {
  const module = wasm instanceof WebAssembly.Module ? wasm : await WebAssembly.compile(wasm);
  return factory({
    noInitialRun: true,
    // Without it the glue builds the .wasm's URL from import.meta.url, which a bundled
    // script does not have; with instantiateWasm below the name is never fetched.
    locateFile: (name: string) => name,
    // Given a compiled module the glue never looks for the .wasm file by URL.
    instantiateWasm: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) => {
      const instance = new WebAssembly.Instance(module, imports);
      done(instance);
      return instance.exports;
    },
    // libjpeg reports damage ("Premature end of JPEG file", "Corrupt JPEG data") as printed
    // warnings and goes on with grey blocks: they are collected for the caller to refuse.
    print: (line: string) => warnings.push(line),
    printErr: (line: string) => warnings.push(line),
  });
}

function pixels(image: { width: number; height: number; data: ArrayBufferView } | null): DecodedPixels | null {
  if (!image) return null;
  const { width, height, data } = image;
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Instantiates the decoders once (later calls share the first). */
export function initImageCodecs(wasm: CodecWasm): Promise<void> {
  pending ??= (async () => {
    const warnings: string[] = [];
    const [jpeg, webp] = await Promise.all([
      instantiate(mozjpegFactory as never, wasm.jpeg, warnings) as Promise<{ decode(b: Uint8Array, keepOrientation: boolean): never }>,
      instantiate(webpFactory as never, wasm.webp, warnings) as Promise<{ decode(b: Uint8Array): never }>,
    ]);
    const run = (decode: () => DecodedPixels | null): DecodeResult => {
      warnings.length = 0;
      let result: DecodedPixels | null = null;
      try {
        result = decode();
      } catch (e) {
        // libjpeg's error exit ends the call with an exception after printing the reason.
        if (warnings.length === 0) warnings.push(e instanceof Error ? e.message : String(e));
      }
      return { pixels: result, warnings: warnings.splice(0) };
    };
    decoders = {
      // false: the decoder leaves EXIF orientation alone; core/image/exif.ts applies it.
      jpeg: (bytes) => run(() => pixels(jpeg.decode(bytes, false))),
      webp: (bytes) => run(() => pixels(webp.decode(bytes))),
    };
  })();
  return pending;
}

/** The decoders; a programming error (reported as INTERNAL) before initImageCodecs. */
export function wasmDecoders(): Decoders {
  if (!decoders) throw new Error('The JPEG/WebP decoders were not loaded: call initImageCodecs() before decoding images.');
  return decoders;
}
