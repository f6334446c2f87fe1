/** The settings panel's line about where inference runs, and its tooltip. */
import type { BackendReport } from './backend.js';

export interface RuntimeFacts {
  report: BackendReport;
  device: 'GPU' | 'CPU';
  threads: number;
  /** The model's own note (e.g. why it runs on the CPU). */
  modelNote?: string;
}

export function runtimeBadge(f: RuntimeFacts): { line: string; detail: string } {
  const { report: r, device, threads } = f;
  const detail =
    `Everything runs on this computer; images never leave it. ` +
    `${device === 'GPU' ? 'WebGPU' : `WebAssembly, ${threads} thread${threads > 1 ? 's' : ''}`}, ` +
    `${r.kind === 'worker' ? 'in a background worker' : 'on the plugin thread'}` +
    (r.workerNote ? ` (no worker: ${r.workerNote})` : '') +
    '.' +
    (f.modelNote ? ` ${f.modelNote}` : '');
  return { line: `Runs on this computer (${device}): your images never leave it.`, detail };
}
