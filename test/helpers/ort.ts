import * as ort from 'onnxruntime-web';

// The product runs onnxruntime-web; tests use the same runtime, single-threaded like the
// Figma iframe without cross-origin isolation.
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

export { ort };
