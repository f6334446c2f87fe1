// Every test process gets the wasm decoders, as every entry point does at start-up.
import { loadImageCodecs } from '../../node/codecs.js';

await loadImageCodecs();
