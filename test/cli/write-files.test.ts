/**
 * The CLI's write layer (cli/write-files.ts): a multi-file result is all there or not there.
 * Failures are injected into write, fsync, link and rename through a file-system facade; after
 * every failure the folder must hold exactly what it held before (same names, same bytes, no
 * hidden temporary or backup left), and after a success exactly the new files.
 */
import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, symlinkSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCutoutError } from '../../core/errors.js';
import { writeFilesAtomically, type OutputFile } from '../../cli/write-files.js';
import { faultyFs, type Fault } from '../helpers/faulty-fs.js';

const root = mkdtempSync(join(tmpdir(), 'cutout-write-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** Every file of a folder with its bytes (hidden ones included). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString('hex')]));
}

/** A folder with `existing` files, and four outputs of 200 kB each (two of them replace existing files). */
function setup(existing: Record<string, string> = { 'b.png': 'old b', 'd.png': 'old d' }): { dir: string; files: OutputFile[] } {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(existing)) writeFileSync(join(dir, name), text);
  const files = ['a.png', 'b.png', 'c.png', 'd.png'].map((name, i) => ({ path: join(dir, name), bytes: new Uint8Array(200_000).fill(i + 1) }));
  return { dir, files };
}

function expectFailure(files: OutputFile[], faults: Fault[], message: RegExp): void {
  let thrown: unknown;
  try {
    writeFilesAtomically(files, faultyFs(faults));
  } catch (err) {
    thrown = err;
  }
  expect(isCutoutError(thrown, 'OUTPUT'), String(thrown)).toBe(true);
  expect((thrown as Error).message).toMatch(message);
  expect((thrown as Error).message).not.toMatch(/\n/);
}

describe('writeFilesAtomically', () => {
  it('writes every file, replacing existing ones, and leaves nothing else', () => {
    const { dir, files } = setup();
    writeFilesAtomically(files, faultyFs([]));
    expect(Object.keys(snapshot(dir))).toEqual(['a.png', 'b.png', 'c.png', 'd.png']);
    files.forEach((f) => expect(readFileSync(f.path).equals(Buffer.from(f.bytes as Uint8Array))).toBe(true));
  });

  it('a full disk in the middle of a write (a short write, then ENOSPC): the folder is as before, no truncated temporary', () => {
    const { dir, files } = setup();
    const before = snapshot(dir);
    // The 3rd write call writes 4 kB of c.png's temporary, the next one fails.
    expectFailure(files, [{ op: 'writeSync', nth: 3, code: 'ENOSPC', shortWrite: 4096 }], /could not write .*c\.png: no space left on the disk \(ENOSPC\); none of the 4 files/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('the very first write fails: its temporary is removed too (registered before writing)', () => {
    const { dir, files } = setup({});
    expectFailure(files, [{ op: 'writeSync', nth: 1, code: 'ENOSPC' }], /a\.png: no space left/);
    expect(snapshot(dir)).toEqual({});
  });

  it('fsync fails on the last file: the folder is as before', () => {
    const { dir, files } = setup();
    const before = snapshot(dir);
    expectFailure(files, [{ op: 'fsyncSync', nth: 4, code: 'EIO' }], /could not sync .*d\.png: an input\/output error \(EIO\)/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a rename fails after others were done: the renames done are rolled back and replaced files get their old bytes', () => {
    const { dir, files } = setup();
    const before = snapshot(dir);
    // a.png (new) and b.png (replacing) are in place when c.png's rename fails; d.png (existing) not yet touched.
    expectFailure(files, [{ op: 'renameSync', nth: 3, code: 'EISDIR' }], /could not move into place .*c\.png/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('the last rename fails: everything before it is undone', () => {
    const { dir, files } = setup({ 'a.png': 'old a', 'd.png': 'old d' });
    const before = snapshot(dir);
    expectFailure(files, [{ op: 'renameSync', nth: 4, code: 'EACCES' }], /d\.png: permission denied/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('without hard links (FAT, some shares) old files are moved aside instead, and restored on failure', () => {
    const { dir, files } = setup();
    const before = snapshot(dir);
    // Every link fails; the 2 backups are renames, so the 4 output renames are calls 3–6: fail the 5th (c.png).
    expectFailure(files, [{ op: 'linkSync', nth: 1, code: 'EPERM', sticky: true }, { op: 'renameSync', nth: 5, code: 'EIO' }], /c\.png/);
    expect(snapshot(dir)).toEqual(before);
    writeFilesAtomically(files, faultyFs([{ op: 'linkSync', nth: 1, code: 'EPERM', sticky: true }]));
    expect(Object.keys(snapshot(dir))).toEqual(['a.png', 'b.png', 'c.png', 'd.png']);
    expect(readFileSync(join(dir, 'b.png'))[0]).toBe(2);
  });

  it('keeping a backup fails: nothing is replaced', () => {
    const { dir, files } = setup();
    const before = snapshot(dir);
    expectFailure(files, [{ op: 'linkSync', nth: 2, code: 'EIO' }], /could not keep a backup of .*d\.png/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('when undoing fails too, the message says where the old bytes are, and they are there', () => {
    const { dir, files } = setup();
    // c.png's rename fails, then restoring b.png from its backup (the next rename) fails too.
    let thrown: unknown;
    try {
      writeFilesAtomically(files, faultyFs([{ op: 'renameSync', nth: 3, code: 'EIO' }, { op: 'renameSync', nth: 4, code: 'EIO' }]));
    } catch (err) {
      thrown = err;
    }
    const m = /b\.png keeps the new bytes, its old bytes are in (\S+):/.exec((thrown as Error).message);
    expect(m, (thrown as Error).message).not.toBeNull();
    expect(readFileSync(m![1]!, 'utf8')).toBe('old b');
    // a.png (new) was removed, d.png untouched, c.png never appeared.
    const after = snapshot(dir);
    expect(after['a.png']).toBeUndefined();
    expect(after['c.png']).toBeUndefined();
    expect(Buffer.from(after['d.png']!, 'hex').toString()).toBe('old d');
  });

  it('a destination that is a symlink: replaced by the file on success, the link itself restored on failure, its target untouched', () => {
    const { dir, files } = setup({ 'target.txt': 'target' });
    symlinkSync('target.txt', join(dir, 'c.png'));
    const before = snapshot(dir);
    expectFailure(files, [{ op: 'renameSync', nth: 4, code: 'EIO' }], /d\.png/);
    expect(snapshot(dir)).toEqual(before);
    expect(readlinkSync(join(dir, 'c.png'))).toBe('target.txt');
    writeFilesAtomically(files);
    expect(lstatSync(join(dir, 'c.png')).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'target.txt'), 'utf8')).toBe('target');
  });

  it('creates a missing folder, and writes text and multi-piece files', () => {
    const dir = join(root, 'nested', 'deeper');
    writeFilesAtomically([
      { path: join(dir, 'x.svg'), bytes: '<svg/>' },
      { path: join(dir, 'y.bin'), bytes: [new Uint8Array([1, 2]), new Uint8Array([3])] },
    ]);
    expect(readFileSync(join(dir, 'x.svg'), 'utf8')).toBe('<svg/>');
    expect([...readFileSync(join(dir, 'y.bin'))]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['x.svg', 'y.bin']);
  });
});
