// Side-by-side: the forks vs the published libraries, same inputs, one process, alternating.
import { readFileSync } from 'node:fs';
import jpegjs from 'jpeg-js';
import { zlibSync } from 'fflate';
import { deflateSync } from 'node:zlib';
import factory from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js';
import { decodeJpegPixels } from './core/image/jpeg-decoder.ts';
import { zlibCompress } from './core/image/deflate.ts';
import { ScratchBuffers } from './core/image/scratch.ts';
const mode = process.argv[2] ?? 'all';
const N = Number(process.argv[3] ?? 5);
const bytes = new Uint8Array(readFileSync('/tmp/cx/big.jpg'));
const mod: any = await factory({ noInitialRun: true, instantiateWasm: (imp: any, cb: any) => { const i = new WebAssembly.Instance(new WebAssembly.Module(readFileSync('node_modules/@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')), imp); cb(i); return i.exports; } });
const scratch = new ScratchBuffers();
const dec: Record<string, () => Uint8Array> = {
  fork: () => decodeJpegPixels(bytes, { scratch }).data,
  jpegjs: () => jpegjs.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 4096 }).data as Uint8Array,
  jsquash: () => new Uint8Array(mod.decode(bytes, false).data.buffer),
};
const raw = dec.jsquash();
const enc: Record<string, () => number> = {
  deflatefork: () => zlibCompress(raw, 6, { scratch }).length,
  fflate: () => zlibSync(raw, { level: 6 }).length,
  nodezlib: () => deflateSync(raw, { level: 6 }).length,
};
const all = { ...dec, ...enc } as Record<string, () => unknown>;
const names = mode === 'all' ? Object.keys(all) : mode.split(',');
const t: Record<string, number[]> = {};
for (let r = 0; r < N; r++) for (const n of names) { const s = performance.now(); all[n](); (t[n] ??= []).push(performance.now() - s); }
const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
for (const n of names) console.log(n, 'median_ms', med(t[n]).toFixed(1));
console.log('maxrss_mb', (process.resourceUsage().maxRSS / 1024).toFixed(0), 'wasm_mb', (mod.HEAPU8?.length ?? 0) / 2 ** 20);
