/**
 * The encoder's first run, steady run and peak memory, each configuration in a FRESH process
 * (a wasm heap grows to its peak on the first run and never shrinks, and the first run in a
 * fresh instance pays for growing it): the sam-reference encoders (fp32 and int8) loaded the
 * product's way, with lean attention (core/models/lean-encoder.ts) and without it.
 *
 * Figures per encoder (prefix `encoder.` for fp32, `encoder_int8.` for int8; the unmodified
 * graph under `<prefix>original.`):
 *   first_ms   the first `encode` after loading (milliseconds, wall clock)
 *   steady_ms  median of the following encodes
 *   peak_mb    the process's peak RESIDENT SET (VmHWM, MiB) over load + all encodes
 *   wasm_mb    the onnxruntime-web wasm heap at the end (MiB; it only grows)
 *   load_ms    loadSamModel (lean attention: plan, check, rewrite, open)
 *   first_cpu_ms, steady_cpu_ms  the same runs in CPU time of this process (user + system):
 *              comparable across processes even when other work shares the machine
 *   first_sys_ms, steady_sys_ms, first_faults, steady_faults  kernel time and minor page
 *              faults of those runs: what growing and first touching the wasm heap costs
 *              (small: about 0.2 s; the first-run penalty was code tier-up, see
 *              core/models/warm-up.ts)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodePng } from '../core/image/png.js';
import { loadSamModel } from '../core/models/sam-model.js';
import type { Ort } from '../core/models/types.js';

export interface EncoderChildOptions {
  fixtures: string;
  encoder: 'fp32' | 'int8';
  lean: boolean;
  /** Warm-up at load (default on; off to measure what it saves). */
  warmUp?: boolean;
  /** Encodes after the first one. */
  steadyRuns: number;
}

export type EncoderFigures = Record<
  'first_ms' | 'steady_ms' | 'peak_mb' | 'wasm_mb' | 'load_ms' | 'first_cpu_ms' | 'steady_cpu_ms' | 'first_sys_ms' | 'steady_sys_ms' | 'first_faults' | 'steady_faults',
  number
>;

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
/** Kernel time (ms) and minor page faults so far: what growing and first touching the heap costs. */
const kernel = () => {
  const r = process.resourceUsage();
  return { sys: r.systemCPUTime / 1000, faults: r.minorPageFault };
};

/** Peak resident set of this process (MiB): VmHWM on Linux, else the runtime's maxRSS. */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Runs in the child: one configuration, measured from a fresh runtime. */
export async function encoderChild(o: EncoderChildOptions): Promise<EncoderFigures> {
  // onnxruntime-web creates its heap with `new WebAssembly.Memory` when the first session
  // opens: keep a reference to read its size (nothing else changes).
  const memories: WebAssembly.Memory[] = [];
  const W = WebAssembly as unknown as { Memory: new (d: WebAssembly.MemoryDescriptor) => WebAssembly.Memory };
  const Original = W.Memory;
  const Patched = function (d: WebAssembly.MemoryDescriptor) {
    const m = new Original(d);
    memories.push(m);
    return m;
  } as unknown as typeof Original;
  Patched.prototype = Original.prototype;
  W.Memory = Patched;

  const ort = (await import('onnxruntime-web')) as unknown as Ort;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const dir = join(o.fixtures, 'sam-reference');
  const onnx = (f: string) => new Uint8Array(readFileSync(join(dir, 'onnx', f)));
  const image = decodePng(new Uint8Array(readFileSync(join(dir, 'images', 'chelsea.png'))));
  const files = {
    'vision_encoder.onnx': onnx(o.encoder === 'int8' ? 'vision_encoder_quantized.onnx' : 'vision_encoder.onnx'),
    'prompt_encoder_mask_decoder.onnx': onnx('prompt_encoder_mask_decoder.onnx'),
  };
  const t0 = performance.now();
  const model = await loadSamModel(ort, files, { id: o.encoder, leanAttention: o.lean, warmUp: o.warmUp ?? true });
  const load = performance.now() - t0;
  for (const line of (model as { optimisations?: string[] }).optimisations ?? []) process.stderr.write(`  ${line}\n`);
  // Phase markers for V8 traces (`--trace-wasm-compilation-times`): synchronous, on stdout.
  if (process.env.CUTOUT_BENCH_MARK) writeSync(1, 'MARK first-encode\n');
  const t1 = performance.now();
  const c1 = cpuMs();
  const k1 = kernel();
  await model.encode(image);
  const first = performance.now() - t1;
  const firstCpu = cpuMs() - c1;
  const k2 = kernel();
  if (process.env.CUTOUT_BENCH_MARK) writeSync(1, 'MARK steady\n');
  const steady: number[] = [];
  const steadyCpu: number[] = [];
  const steadySys: number[] = [];
  const steadyFaults: number[] = [];
  for (let i = 0; i < o.steadyRuns; i++) {
    const t = performance.now();
    const c = cpuMs();
    const k = kernel();
    await model.encode(image);
    steady.push(performance.now() - t);
    steadyCpu.push(cpuMs() - c);
    const k3 = kernel();
    steadySys.push(k3.sys - k.sys);
    steadyFaults.push(k3.faults - k.faults);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
  const wasm = Math.max(0, ...memories.map((m) => m.buffer.byteLength)) / 2 ** 20;
  await model.dispose();
  return {
    first_ms: first,
    steady_ms: median(steady),
    peak_mb: peakRssMb(),
    wasm_mb: wasm,
    load_ms: load,
    first_cpu_ms: firstCpu,
    steady_cpu_ms: median(steadyCpu),
    first_sys_ms: k2.sys - k1.sys,
    steady_sys_ms: median(steadySys),
    first_faults: k2.faults - k1.faults,
    steady_faults: median(steadyFaults),
  };
}

/**
 * Runs each configuration in its own child process (`script --encoder-child JSON`) and
 * returns the figures under their keys.
 */
export function benchEncoderMemory(o: { fixtures: string; quick: boolean; script: string; log: (s: string) => void }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const encoder of ['fp32', 'int8'] as const) {
    for (const lean of [true, false]) {
      const prefix = `${encoder === 'fp32' ? 'encoder' : 'encoder_int8'}.${lean ? '' : 'original.'}`;
      o.log(`bench: ${encoder} encoder, ${lean ? 'lean attention' : 'original graph'}, fresh process ...`);
      const opts: EncoderChildOptions = { fixtures: o.fixtures, encoder, lean, steadyRuns: o.quick ? 1 : 3 };
      const r = spawnSync(process.execPath, [o.script, '--encoder-child', JSON.stringify(opts)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 24,
      });
      if (r.status !== 0) throw new Error(`encoder bench child (${encoder}, ${lean ? 'lean' : 'original'}) failed (exit ${r.status})`);
      const figures = JSON.parse(r.stdout.trim().split('\n').pop()!) as EncoderFigures;
      for (const [k, v] of Object.entries(figures)) out[`${prefix}${k}`] = v;
    }
  }
  return out;
}
