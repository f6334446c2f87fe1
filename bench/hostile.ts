/**
 * Hostile and huge inputs: time and peak resident memory of each case, every case in a fresh
 * child process (peak RSS is per process: VmHWM from /proc/self/status, else maxRSS).
 *
 *   jpeg_bomb / png_bomb    a few hundred bytes whose header claims 14000×14000 (must fail fast)
 *   cutout_<n>              n×n photo-like image, disc mask, feather 50 + decontaminate
 *   vectorize_checker_<n>   n×n one-pixel checkerboard mask traced to paths
 *   removebg_<n>            n×n PNG through the remove-bg CLI with the analytic salient model
 *   removebg_feather_<n>    the same with --feather 20
 *
 *   npx tsx bench/hostile.ts [--quick]      prints the figures
 *   npx tsx bench/hostile.ts --case NAME    one case in this process (what the children run)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zlibSync } from 'fflate';
import jpeg from 'jpeg-js';
import { loadImageCodecs } from '../node/codecs.js';
import { makeCutout } from '../core/cutout/index.js';
import { decodeJpeg } from '../core/image/jpeg.js';
import { decodePng, encodePng } from '../core/image/png.js';
import type { GrayImage, RgbaImage } from '../core/image/types.js';
import { traceMask } from '../core/vector/index.js';

export interface HostileFigure {
  case: string;
  ms: number;
  peak_mb: number;
  /** Size of the largest input raster as decoded RGBA (MB), for the peak's ratio to it. */
  rgba_mb: number;
  ok: boolean;
  note?: string;
}

function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS / 1024;
}

function crcTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
const CRC = crcTable();
function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  let c = 0xffffffff;
  for (let i = 4; i < 8 + data.length; i++) c = CRC[(c ^ out[i]!) & 0xff]! ^ (c >>> 8);
  v.setUint32(8 + data.length, (c ^ 0xffffffff) >>> 0);
  return out;
}

function pngBomb(size: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, size);
  v.setUint32(4, size);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const sig = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const parts = [sig, pngChunk('IHDR', ihdr), pngChunk('IDAT', zlibSync(new Uint8Array(1000), { level: 9 })), pngChunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function jpegBomb(size: number): Uint8Array {
  const small = new Uint8Array(jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256).fill(128) }, 50).data);
  for (let i = 2; i + 9 < small.length; i++) {
    if (small[i] === 0xff && small[i + 1] === 0xc0) {
      small[i + 5] = size >> 8;
      small[i + 6] = size & 255;
      small[i + 7] = size >> 8;
      small[i + 8] = size & 255;
      break;
    }
  }
  // Without its EOI marker the scan runs off the end of the data, which reads as zero bits: the
  // decoder would fill every block of the claimed frame.
  return small.subarray(0, small.length - 2);
}

/** A smooth, photo-like image (gradients and a ripple) of n×n. */
function photo(n: number): RgbaImage {
  const data = new Uint8Array(n * n * 4);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = (y * n + x) * 4;
      data[i] = (x * 255) / n;
      data[i + 1] = (y * 255) / n;
      data[i + 2] = 128 + 100 * Math.sin((x + y) / 37);
      data[i + 3] = 255;
    }
  }
  return { width: n, height: n, data };
}

function disc(n: number): GrayImage {
  const data = new Uint8Array(n * n);
  const c = n / 2;
  const r2 = (n * 0.35) ** 2;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) data[y * n + x] = (x - c) ** 2 + (y - c) ** 2 <= r2 ? 255 : 0;
  return { width: n, height: n, data };
}

function checker(n: number): GrayImage {
  const data = new Uint8Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) data[y * n + x] = (x + y) % 2 ? 255 : 0;
  return { width: n, height: n, data };
}

/** Runs one case in this process and returns its figure. */
async function runCase(name: string): Promise<HostileFigure> {
  await loadImageCodecs();
  const [kind, sizeText] = [name.replace(/_\d+$/, ''), /_(\d+)$/.exec(name)?.[1]];
  const n = Number(sizeText ?? 14000);
  const t0 = performance.now();
  let ok = true;
  let note: string | undefined;
  let rgbaMb = (n * n * 4) / 2 ** 20;
  if (kind === 'jpeg_bomb' || kind === 'png_bomb') {
    const bytes = kind === 'jpeg_bomb' ? jpegBomb(n) : pngBomb(n);
    note = `${bytes.length} bytes`;
    try {
      if (kind === 'jpeg_bomb') decodeJpeg(bytes);
      else decodePng(bytes);
    } catch (err) {
      ok = false;
      note += `: ${(err as Error).message.slice(0, 90)}`;
    }
  } else if (kind === 'cutout') {
    const image = photo(n);
    const mask = disc(n);
    const started = performance.now();
    makeCutout(image, mask, { feather: 50, decontaminate: true });
    return { case: name, ms: performance.now() - started, peak_mb: peakRssMb(), rgba_mb: rgbaMb, ok };
  } else if (kind === 'vectorize_checker') {
    const r = traceMask(checker(n));
    note = `${r.paths.length} paths`;
  } else if (kind === 'removebg' || kind === 'removebg_feather') {
    const { generateAnalyticModels } = await import('../models/analytic/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'cutout-hostile-'));
    try {
      const models = await generateAnalyticModels(join(dir, 'models'));
      const input = join(dir, 'big.png');
      writeFileSync(input, encodePng(photo(n), { level: 1 }));
      const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
      const started = performance.now();
      const feather = kind === 'removebg_feather' ? ['--feather', '20'] : [];
      const r = spawnSync(process.execPath, [cli, 'remove-bg', input, '--model', models.salient, '--out-dir', join(dir, 'out'), ...feather], {
        encoding: 'utf8',
        env: { ...process.env, CUTOUT_REPORT_RSS: '1' },
      });
      const ms = performance.now() - started;
      ok = r.status === 0;
      const line = r.stdout.split('\n').find((l) => l.includes('max_rss'));
      const maxRss = line ? (JSON.parse(line) as { max_rss?: number; memory?: { max_rss?: number } }) : undefined;
      const peak = (maxRss?.max_rss ?? maxRss?.memory?.max_rss ?? 0) / 2 ** 20;
      return { case: name, ms, peak_mb: peak, rgba_mb: rgbaMb, ok, note: ok ? 'CLI child peak' : r.stderr.trim().slice(0, 120) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    throw new Error(`unknown case ${name}`);
  }
  if (kind.endsWith('bomb')) rgbaMb = 0;
  return { case: name, ms: performance.now() - t0, peak_mb: peakRssMb(), rgba_mb: rgbaMb, ok, ...(note ? { note } : {}) };
}

export function hostileCases(quick: boolean): string[] {
  return quick
    ? ['jpeg_bomb_14000', 'png_bomb_14000', 'cutout_2000', 'vectorize_checker_300', 'removebg_2000']
    : ['jpeg_bomb_14000', 'png_bomb_14000', 'cutout_8000', 'vectorize_checker_1000', 'removebg_14000'];
}

/** Every case in its own child process (this file run with --case). */
export function benchHostile(opts: { quick: boolean; log?: (s: string) => void }): HostileFigure[] {
  const self = fileURLToPath(import.meta.url);
  const out: HostileFigure[] = [];
  for (const name of hostileCases(opts.quick)) {
    opts.log?.(`bench: hostile ${name} ...`);
    const args = self.endsWith('.ts') ? ['--import', 'tsx', self, '--case', name] : [self, '--hostile-case', name];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    const last = r.stdout.trim().split('\n').pop();
    if (r.status !== 0 || !last) throw new Error(`hostile case ${name} failed (exit ${r.status}): ${r.stderr.slice(-500)}`);
    out.push(JSON.parse(last) as HostileFigure);
  }
  return out;
}

export function printHostile(rows: HostileFigure[], print: (l: string) => void): void {
  for (const r of rows) {
    const ratio = r.rgba_mb ? ` (${(r.peak_mb / r.rgba_mb).toFixed(2)}× the RGBA image)` : '';
    print(`  ${r.case.padEnd(24)} ${r.ms.toFixed(0).padStart(7)} ms  peak ${r.peak_mb.toFixed(0).padStart(5)} MB${ratio}${r.note ? `  ${r.note}` : ''}`);
  }
}

/** Child entry: `--case NAME` (tsx) or `--hostile-case NAME` (from dist/bench.js). */
export async function hostileChild(argv: string[]): Promise<boolean> {
  const at = argv.findIndex((a) => a === '--case' || a === '--hostile-case');
  if (at < 0) return false;
  const fig = await runCase(argv[at + 1]!);
  process.stdout.write(JSON.stringify(fig) + '\n');
  return true;
}

// Run directly (tsx); inside dist/bench.js main.ts drives these functions instead.
if (import.meta.url.endsWith('/hostile.ts') && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  void (async () => {
    if (await hostileChild(argv)) return;
    printHostile(benchHostile({ quick: argv.includes('--quick'), log: (s) => process.stderr.write(s + '\n') }), (l) => process.stdout.write(l + '\n'));
  })();
}
