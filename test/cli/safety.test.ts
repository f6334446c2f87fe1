/**
 * The CLI never loses a byte: through the built CLI (dist/cli.js) where the behaviour is the
 * process's (exit code, one stderr line, a closed stdout), in process with a misbehaving file
 * system (test/helpers/faulty-fs.ts) where a failure has to be injected.
 * - No command writes over one of its inputs (same path, symlink, hard link), --overwrite or not.
 * - An existing file that is not our own earlier output is replaced only with --overwrite.
 * - The output location is checked before any work (a file, a read-only folder).
 * - A multi-file result is all there or not there, also when a rename fails half way.
 * - Two inputs differing only in case do not write the same file where the folder ignores case.
 * - A closed stdout ends nothing: the files are still written, nothing on stderr.
 * - Option strictness, the prompt size limit, the input's own transparency in `cutout cutout`.
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, linkSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { removeBg } from '../../cli/remove-bg.js';
import { segment } from '../../cli/segment.js';
import { isCutoutError } from '../../core/errors.js';
import { decodePng, encodePng } from '../../core/image/png.js';
import { MAX_PROMPT_POINTS, validatePrompt } from '../../core/prompts/validate.js';
import { CLI, runCli } from '../helpers/cli.js';
import { caseInsensitiveFs, faultyFs } from '../helpers/faulty-fs.js';
import { buildPng } from '../image/png-builder.js';
import { analyticDirs } from '../removebg/models.js';
import { encode, render, type Scene } from '../removebg/scenes.js';

const root = mkdtempSync(join(tmpdir(), 'cutout-cli-safety-'));
// Readable by the unprivileged user some tests run the CLI as.
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));
let salient: string;
let sam: string;
let n = 0;

const SCENE: Scene = { width: 160, height: 120, background: [30, 30, 30], shapes: [{ kind: 'ellipse', cx: 80, cy: 60, rx: 40, ry: 30, colour: [200, 60, 60] }] };
const photo = render(SCENE);
const jpeg = encode(photo.image, 'jpeg');
const maskPng = encodePng(photo.truth);

beforeAll(async () => {
  if (!readFileSync(CLI, 'utf8').includes('--overwrite')) throw new Error(`${CLI} predates --overwrite: run npm run build`);
  const dirs = await analyticDirs();
  salient = dirs.salient;
  sam = dirs.sam1;
});

/** A fresh folder holding the given files. */
function folder(files: Record<string, Uint8Array | string> = {}): string {
  const d = join(root, `d${++n}`);
  mkdirSync(d, { recursive: true });
  chmodSync(d, 0o755);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(d, name), bytes);
  return d;
}

/** Every file of a folder with its bytes (hidden ones included). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => {
        const p = join(dir, f);
        const st = lstatSync(p);
        return [f, st.isSymbolicLink() ? `-> ${readlinkSync(p)}` : st.isDirectory() ? 'folder' : readFileSync(p).toString('hex')];
      }),
  );
}

async function expectRefusal(args: string[], message: RegExp, opts: { cwd?: string; watch: string }): Promise<void> {
  const before = snapshot(opts.watch);
  const r = await runCli(args, { cwd: opts.cwd });
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(snapshot(opts.watch)).toEqual(before);
}

describe('no command writes over one of its inputs', () => {
  it('cutout: --out naming the image, the mask, a symlink to the image, a hard link of it', async () => {
    const d = folder({ 'o1.jpg': jpeg, 'm.png': maskPng });
    symlinkSync('o1.jpg', join(d, 'link.png'));
    linkSync(join(d, 'o1.jpg'), join(d, 'hard.png'));
    for (const out of ['o1.jpg', 'm.png', 'link.png', 'hard.png']) {
      for (const extra of [[], ['--overwrite']]) {
        await expectRefusal(['cutout', 'o1.jpg', 'm.png', '--out', out, ...extra], /^cutout: refusing to overwrite the input file (o1\.jpg|m\.png) with the output .*: choose another --out$/, { cwd: d, watch: d });
      }
    }
  });

  it('vectorize: --out naming the mask', async () => {
    const d = folder({ 'm.png': maskPng });
    await expectRefusal(['vectorize', 'm.png', '--out', 'm.png'], /refusing to overwrite the input file m\.png/, { cwd: d, watch: d });
    await expectRefusal(['vectorize', join(d, 'm.png'), '--out', join(d, '.', 'm.png'), '--overwrite'], /refusing to overwrite the input file/, { watch: d });
  });

  it('segment: an input named mask.png or mask-1.png in the out-dir', async () => {
    for (const name of ['mask.png', 'mask-1.png']) {
      const d = folder({ [name]: encode(photo.image, 'png-rgb') });
      await expectRefusal(['segment', name, '--model', sam, '--point', '80,60', '--out-dir', '.'], new RegExp(`refusing to overwrite the input file ${name}`), { cwd: d, watch: d });
    }
  });
});

describe('existing files that are not our own outputs', () => {
  it('remove-bg with photo.jpg and the user’s photo.png in the same folder: refused, named, and how to proceed', async () => {
    const d = folder({ 'photo.jpg': jpeg, 'photo.png': maskPng });
    await expectRefusal(
      ['remove-bg', 'photo.jpg', '--model', salient],
      new RegExp(`^cutout: ${join(d, 'photo.png')} already exists and was not written by cutout: pass --overwrite to replace it, or choose another --out-dir$`),
      { cwd: d, watch: d },
    );
    // Run again: our own outputs are replaced without asking.
    const out = join(d, 'out');
    for (let run = 0; run < 2; run++) {
      const r = await runCli(['remove-bg', 'photo.jpg', '--model', salient, '--out-dir', 'out'], { cwd: d });
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readdirSync(out).sort()).toEqual(['photo.mask.png', 'photo.png']);
    // With --overwrite the user's file is replaced (the cutout decodes as the input's size).
    const r = await runCli(['remove-bg', 'photo.jpg', '--model', salient, '--overwrite'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(decodePng(readFileSync(join(d, 'photo.png')))).toMatchObject({ width: 160, height: 120 });
  });

  it('segment and vectorize: a foreign mask-0.png or m.svg is refused; an edited earlier output counts as foreign', { timeout: 300_000 }, async () => {
    const d = folder({ 'o1.jpg': jpeg, 'm.png': maskPng, 'm.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>' });
    await expectRefusal(['vectorize', 'm.png'], /m\.svg already exists and was not written by cutout: pass --overwrite/, { cwd: d, watch: d });
    const out = join(d, 'masks');
    expect((await runCli(['segment', 'o1.jpg', '--model', sam, '--point', '80,60', '--out-dir', out], { cwd: d })).code).toBe(0);
    expect((await runCli(['segment', 'o1.jpg', '--model', sam, '--point', '80,60', '--out-dir', out], { cwd: d })).code).toBe(0);
    // Edited in another program (re-encoded): now the user's.
    writeFileSync(join(out, 'mask-0.png'), encodePng(decodePng(readFileSync(join(out, 'mask-0.png')))));
    await expectRefusal(['segment', 'o1.jpg', '--model', sam, '--point', '80,60', '--out-dir', out], /mask-0\.png already exists and was not written by cutout/, { cwd: d, watch: out });
  });
});

describe('the output location is checked before any work', () => {
  it('an --out-dir that is a file, or lies under one: refused before the model is even looked at', async () => {
    const d = folder({ 'o1.jpg': jpeg, 'plain-file': 'x' });
    const noModel = join(d, 'no-such-model');
    await expectRefusal(['remove-bg', 'o1.jpg', '--model', noModel, '--out-dir', 'plain-file'], /^cutout: --out-dir .*plain-file is a file, not a folder/, { cwd: d, watch: d });
    await expectRefusal(['segment', 'o1.jpg', '--model', noModel, '--point', '1,1', '--out-dir', 'plain-file/sub'], /cannot be made: .*plain-file is a file, not a folder/, { cwd: d, watch: d });
  });

  it('a read-only --out-dir: a 6-image batch stops at once with one plain line, no item processed', async () => {
    const d = folder(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`p${i}.jpg`, jpeg])));
    const ro = join(d, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    // root writes into a 0555 folder anyway: run the CLI as an unprivileged user then.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = await runCli(['remove-bg', ...readdirSync(d).filter((f) => f.endsWith('.jpg')), '--model', salient, '--out-dir', ro], { cwd: d, ...asUser });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`cutout: cannot write in ${ro}: permission denied (EACCES); choose a folder you can write to with --out-dir\n`);
    expect(readdirSync(ro)).toEqual([]);
  });
});

describe('a closed stdout', () => {
  const batch = () => {
    const d = folder(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`p${i}.jpg`, jpeg])));
    return { d, args: [CLI, 'remove-bg', ...Array.from({ length: 5 }, (_, i) => `p${i}.jpg`), '--model', salient, '--out-dir', 'out'] };
  };
  const all = Array.from({ length: 5 }, (_, i) => [`p${i}.mask.png`, `p${i}.png`]).flat().sort();

  it('`| head -1`: the reader goes away after the first line; the batch finishes, quietly', async () => {
    const { d, args } = batch();
    const child = spawn(process.execPath, args, { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(join(d, 'out')).sort()).toEqual(all);
  });

  it('stdout is /dev/full: the batch finishes, quietly', async () => {
    const { d, args } = batch();
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, args, { cwd: d, stdio: ['ignore', full, 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (c) => (stderr += c));
      const code = await new Promise<number | null>((res) => child.on('close', res));
      expect(stderr).toBe('');
      expect(code).toBe(0);
    } finally {
      closeSync(full);
    }
    expect(readdirSync(join(d, 'out')).sort()).toEqual(all);
  });
});

describe('all or nothing (in process, a rename fails half way)', () => {
  /** Runs a command in this process, collecting what it prints. */
  async function inProcess(run: () => Promise<number>): Promise<{ code?: number; error?: unknown; lines: Array<Record<string, any>> }> {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      return { code: await run(), lines: parse(out) };
    } catch (error) {
      return { error, lines: parse(out) };
    } finally {
      spy.mockRestore();
    }
  }
  const parse = (out: string[]) => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);

  it('segment: the 3rd of 5 renames fails; earlier outputs of a previous run are restored byte for byte', async () => {
    const d = folder({ 'o1.jpg': jpeg });
    const out = join(d, 'out');
    const args = [join(d, 'o1.jpg'), '--model', sam, '--out-dir', out];
    expect((await inProcess(() => segment.run([...args, '--point', '40,30']))).code).toBe(0);
    const before = snapshot(out);
    expect(Object.keys(before)).toEqual(['mask-0.png', 'mask-1.png', 'mask-2.png', 'mask-3.png', 'mask.png']);
    // A different prompt would change every mask; the 3rd rename onto mask-2.png fails.
    const r = await inProcess(() => segment.run([...args, '--point', '80,60'], faultyFs([{ op: 'renameSync', nth: 3, code: 'EIO' }])));
    expect(isCutoutError(r.error, 'OUTPUT'), String(r.error)).toBe(true);
    expect((r.error as Error).message).toMatch(/could not move into place .*mask-2\.png: an input\/output error \(EIO\); none of the 5 files/);
    expect(r.lines).toEqual([]);
    expect(snapshot(out)).toEqual(before);
  });

  it('remove-bg: NAME.mask.png cannot be put in place: the item fails with neither file, the others complete', async () => {
    const d = folder({ 'a.jpg': jpeg, 'b.jpg': jpeg, 'c.jpg': jpeg });
    const out = join(d, 'out');
    // Renames: a.png, a.mask.png, b.png, b.mask.png (fails), c.png, c.mask.png.
    const r = await inProcess(() => removeBg.run(['a.jpg', 'b.jpg', 'c.jpg'].map((f) => join(d, f)).concat(['--model', salient, '--out-dir', out]), faultyFs([{ op: 'renameSync', nth: 4, code: 'EIO' }])));
    expect(r.code).toBe(1);
    expect(r.lines.map((l) => l.ok)).toEqual([true, false, true, undefined]);
    expect(r.lines[1]).toMatchObject({ input: join(d, 'b.jpg'), code: 'OUTPUT' });
    expect(readdirSync(out).sort()).toEqual(['a.mask.png', 'a.png', 'c.mask.png', 'c.png']);
  });

  it('remove-bg: a disk that fills up during the 3rd write: no item is half written, no temporary left', async () => {
    const d = folder({ 'a.jpg': jpeg, 'b.jpg': jpeg });
    const out = join(d, 'out');
    const r = await inProcess(() => removeBg.run([join(d, 'a.jpg'), join(d, 'b.jpg'), '--model', salient, '--out-dir', out], faultyFs([{ op: 'writeSync', nth: 1, code: 'ENOSPC', shortWrite: 100, sticky: true }])));
    expect(r.code).toBe(1);
    expect(r.lines.slice(0, 2).map((l) => [l.ok, l.code])).toEqual([
      [false, 'OUTPUT'],
      [false, 'OUTPUT'],
    ]);
    expect(r.lines[0]!.error).toMatch(/no space left on the disk \(ENOSPC\)/);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('letter case', () => {
  it('two inputs differing only in case: refused where the out-dir ignores case, both written where it does not', async () => {
    const d = folder();
    mkdirSync(join(d, 'a'));
    mkdirSync(join(d, 'b'));
    writeFileSync(join(d, 'a', 'Cat.jpg'), jpeg);
    writeFileSync(join(d, 'b', 'cat.jpg'), jpeg);
    const out = join(d, 'out');
    mkdirSync(out);
    const args = [join(d, 'a', 'Cat.jpg'), join(d, 'b', 'cat.jpg'), '--model', salient, '--out-dir', out];
    await expect(removeBg.run(args, caseInsensitiveFs(out))).rejects.toThrow(/a\/Cat\.jpg and .*b\/cat\.jpg would both write .*cat\.png \(this folder ignores letter case\)/);
    expect(readdirSync(out)).toEqual([]);
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await removeBg.run(args)).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(readdirSync(out).sort()).toEqual(['Cat.mask.png', 'Cat.png', 'cat.mask.png', 'cat.png']);
  });
});

describe('strict options and up-front limits', () => {
  it.each([
    ['--threshold 300', ['cutout', 'o1.jpg', 'm.png', '--out', 'x.png', '--threshold', '300'], /^cutout: --threshold must be from 1 to 255, got 300$/],
    ['--fill-holes=yes', ['remove-bg', 'o1.jpg', '--model', 'NOPE', '--fill-holes=yes'], /^cutout: --fill-holes takes no value \(or =true \/ =false\), got "yes"$/],
    ['--point 0x10,5', ['segment', 'o1.jpg', '--model', 'NOPE', '--point', '0x10,5'], /^cutout: --point 0x10,5 has a value that is not a finite number in decimal notation: "0x10"$/],
    ['--box 0b1,1,50,50', ['segment', 'o1.jpg', '--model', 'NOPE', '--box', '0b1,1,50,50'], /--box 0b1,1,50,50 has a value that is not a finite number in decimal notation: "0b1"/],
    ['--feather 0b11', ['cutout', 'o1.jpg', 'm.png', '--out', 'x.png', '--feather', '0b11'], /--feather must be a finite number in decimal notation, got "0b11"/],
    ['--tolerance 1e9', ['vectorize', 'm.png', '--out', 'x.svg', '--tolerance', '1e9'], /^cutout: tolerance must be a number of pixels above 0 and at most 1000 \(e\.g\. 1\), got 1000000000$/],
    ['a symlink loop', ['vectorize', 'loop1'], /^cutout: mask loop1 is a symbolic link that loops back on itself: point it at a real file$/],
    ['a dangling symlink', ['vectorize', 'dangling'], /^cutout: mask dangling is a symbolic link to nowhere\.png, which does not exist\. Check the link\.$/],
    // 10 000 points: refused before the model is looked for (NOPE does not exist).
    ['10 000 points', ['segment', 'o1.jpg', '--model', 'NOPE', ...Array.from({ length: 10_000 }, (_, i) => ['--point', `${i % 160},${i % 120}`]).flat()], /^cutout: the prompt has 10000 points; the model takes at most 1000: use fewer points \(or a box\)$/],
  ] as Array<[string, string[], RegExp]>)('%s', async (_label, args, message) => {
    const d = folder({ 'o1.jpg': jpeg, 'm.png': maskPng });
    symlinkSync('loop2', join(d, 'loop1'));
    symlinkSync('loop1', join(d, 'loop2'));
    symlinkSync('nowhere.png', join(d, 'dangling'));
    await expectRefusal(args, message, { cwd: d, watch: d });
  });

  it('`--` ends the options: a file named --odd.png is an input', async () => {
    const d = folder({ '--odd.png': maskPng });
    const r = await runCli(['vectorize', '--out', 'odd.svg', '--', '--odd.png'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(d, 'odd.svg'), 'utf8')).toContain('<svg');
    // And --help after `--` is a file name too, not a request for help.
    const h = await runCli(['vectorize', '--out', 'h.svg', '--', '--help'], { cwd: d });
    expect(h.stderr).toMatch(/mask not found: --help/);
  });

  it('the limit itself: 1000 points pass the prompt check, 1001 do not', () => {
    const points = (k: number) => Array.from({ length: k }, (_, i) => ({ x: i % 160, y: i % 120, label: 1 as const }));
    expect(validatePrompt({ points: points(MAX_PROMPT_POINTS) }, { width: 160, height: 120 }).points).toHaveLength(1000);
    expect(() => validatePrompt({ points: points(MAX_PROMPT_POINTS + 1) }, { width: 160, height: 120 })).toThrow(/1001 points; the model takes at most 1000/);
  });
});

describe('cutout cutout keeps the input’s own transparency', () => {
  it('a palette PNG with tRNS: the cutout’s alpha is the mask’s times the input’s', async () => {
    // Left half: palette entry 0 (alpha 40), right half: entry 1 (opaque); the mask is all 255.
    const w = 64;
    const h = 32;
    const input = buildPng({ width: w, height: h, colorType: 3, bitDepth: 8, palette: [[200, 10, 10], [10, 200, 10]], trns: [40], pixel: (x) => [x < w / 2 ? 0 : 1] });
    const mask = encodePng({ width: w, height: h, data: new Uint8Array(w * h).fill(255) });
    const d = folder({ 'pal.png': input, 'm.png': mask });
    const r = await runCli(['cutout', 'pal.png', 'm.png', '--out', 'cut.png'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    const cut = decodePng(readFileSync(join(d, 'cut.png')));
    const alpha = (x: number) => cut.data[(5 * w + x) * 4 + 3];
    expect([alpha(0), alpha(w - 1)]).toEqual([40, 255]);
    let sum = 0;
    for (let i = 3; i < cut.data.length; i += 4) sum += cut.data[i]!;
    expect(sum / (w * h) / 255).toBeCloseTo((40 + 255) / 2 / 255, 5);
  });
});
