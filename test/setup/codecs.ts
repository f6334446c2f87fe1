// Every test process gets the wasm decoders, as every entry point does at start-up.
import { loadImageCodecs } from '../../cli/codecs.js';

await loadImageCodecs();
