/**
 * The checks made on output paths before any work (cli/output-plan.ts) and the mark that
 * tells our own earlier outputs from the user's files (cli/own-output.ts).
 */
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCutoutError } from '../../core/errors.js';
import { decodePng, encodePng } from '../../core/image/png.js';
import { checkOutputs, foldName, probeOutputDir, type OutputCheck } from '../../cli/output-plan.js';
import { isOwnOutput, markPng, markSvg } from '../../cli/own-output.js';
import { caseInsensitiveFs, faultyFs } from '../helpers/faulty-fs.js';

const root = mkdtempSync(join(tmpdir(), 'cutout-output-plan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(root, `c${++n}`);
  mkdirSync(d, { recursive: true });
  return d;
};
const png = encodePng({ width: 3, height: 2, data: Uint8Array.from({ length: 24 }, (_, i) => (i * 37) & 255) });
const joinPieces = (p: Uint8Array[]) => Uint8Array.from(p.flatMap((x) => [...x]));

function refused(check: Partial<OutputCheck> & Pick<OutputCheck, 'outputs'>, message: RegExp): void {
  let thrown: unknown;
  try {
    checkOutputs({ inputs: [], overwrite: false, option: '--out-dir', ...check });
  } catch (err) {
    thrown = err;
  }
  expect(isCutoutError(thrown), String(thrown)).toBe(true);
  expect((thrown as Error).message).toMatch(message);
}
const ok = (check: Partial<OutputCheck> & Pick<OutputCheck, 'outputs'>) => checkOutputs({ inputs: [], overwrite: false, option: '--out-dir', ...check });

describe('checkOutputs: inputs are never written over', () => {
  it('the same path, spelled differently', () => {
    const d = fresh();
    writeFileSync(join(d, 'photo.png'), png);
    refused({ inputs: [join(d, 'photo.png')], outputs: [{ path: join(d, '.', 'x', '..', 'photo.png') }], overwrite: true }, /refusing to overwrite the input file .*photo\.png/);
  });
  it('a symlink to the input, and an output in a symlinked folder', () => {
    const d = fresh();
    writeFileSync(join(d, 'photo.png'), png);
    symlinkSync(join(d, 'photo.png'), join(d, 'link.png'));
    refused({ inputs: [join(d, 'photo.png')], outputs: [{ path: join(d, 'link.png') }], overwrite: true }, /refusing to overwrite the input file/);
    symlinkSync(d, join(root, `alias-${n}`));
    refused({ inputs: [join(d, 'photo.png')], outputs: [{ path: join(root, `alias-${n}`, 'photo.png') }], overwrite: true }, /refusing to overwrite the input file/);
  });
  it('a hard link of the input', () => {
    const d = fresh();
    writeFileSync(join(d, 'photo.jpg'), png);
    linkSync(join(d, 'photo.jpg'), join(d, 'other.png'));
    refused({ inputs: [join(d, 'photo.jpg')], outputs: [{ path: join(d, 'other.png') }], overwrite: true }, /refusing to overwrite the input file .*photo\.jpg/);
  });
  it('the input under another case, where the folder ignores case', () => {
    const d = fresh();
    writeFileSync(join(d, 'photo.png'), png); // stored lower-case, as the facade expects
    refused({ inputs: [join(d, 'Photo.png')], outputs: [{ path: join(d, 'PHOTO.PNG') }], overwrite: true, fs: caseInsensitiveFs(d) }, /refusing to overwrite the input file .*Photo\.png/);
    // A case-sensitive folder: a different file, and a new one.
    ok({ inputs: [join(d, 'photo.png')], outputs: [{ path: join(d, 'PHOTO.PNG') }] });
  });
});

describe('checkOutputs: two outputs of one run never land on the same file', () => {
  it('names differing only in case collide where the folder ignores case, not where it does not', () => {
    const d = fresh();
    const outputs = [
      { path: join(d, 'out', 'Cat.png'), from: 'a/Cat.jpg' },
      { path: join(d, 'out', 'cat.png'), from: 'b/cat.jpg' },
    ];
    refused({ outputs, fs: caseInsensitiveFs(d) }, /a\/Cat\.jpg and b\/cat\.jpg would both write .*cat\.png \(this folder ignores letter case\)/);
    ok({ outputs });
  });
  it('Unicode normalisation and case fold together', () => {
    expect(foldName('Cafe\u0301.PNG')).toBe(foldName('café.png'));
    expect(foldName('a.png')).not.toBe(foldName('b.png'));
  });
});

describe('probeOutputDir', () => {
  it('tells a folder that ignores case from one that does not, and leaves no probe behind', () => {
    const d = fresh();
    expect(probeOutputDir(d, '--out-dir', caseInsensitiveFs(d))).toEqual({ caseInsensitive: true });
    expect(probeOutputDir(d, '--out-dir')).toEqual({ caseInsensitive: false });
    expect(readdirSync(d)).toEqual([]);
  });
  it('a folder that cannot be written: one plain line naming it, before any work', () => {
    const d = fresh();
    let thrown: unknown;
    try {
      probeOutputDir(d, '--out-dir', faultyFs([{ op: 'openSync', nth: 1, code: 'EROFS' }]));
    } catch (err) {
      thrown = err;
    }
    expect((thrown as Error).message).toBe(`cannot write in ${d}: the file system is read-only (EROFS); choose a folder you can write to with --out-dir`);
  });
  it('a folder still to be made is probed in its nearest existing parent', () => {
    const d = fresh();
    expect(probeOutputDir(join(d, 'a', 'b'), '--out-dir')).toEqual({ caseInsensitive: false });
    expect(readdirSync(d)).toEqual([]);
  });
  it('--out-dir that is a file, or lies under a file', () => {
    const d = fresh();
    writeFileSync(join(d, 'f'), 'x');
    refused({ outputs: [{ path: join(d, 'f', 'mask.png') }] }, /--out-dir .*f is a file, not a folder/);
    refused({ outputs: [{ path: join(d, 'f', 'sub', 'mask.png') }] }, /--out-dir .*f\/sub cannot be made: .*f is a file, not a folder/);
  });
  it.skipIf(process.getuid?.() === 0)('a real read-only folder (when not root; root writes anyway, the CLI test covers it as another user)', () => {
    const d = fresh();
    chmodSync(d, 0o555);
    try {
      expect(() => probeOutputDir(d, '--out-dir')).toThrow(/permission denied \(EACCES\)/);
    } finally {
      chmodSync(d, 0o755);
    }
  });
});

describe('checkOutputs: existing files', () => {
  it("another file of the user's is replaced only with --overwrite; a folder never", () => {
    const d = fresh();
    writeFileSync(join(d, 'photo.png'), png);
    refused({ outputs: [{ path: join(d, 'photo.png') }] }, new RegExp(`^${join(d, 'photo.png')} already exists and was not written by cutout: pass --overwrite to replace it, or choose another --out-dir$`));
    ok({ outputs: [{ path: join(d, 'photo.png') }], overwrite: true });
    mkdirSync(join(d, 'mask.png'));
    refused({ outputs: [{ path: join(d, 'mask.png') }], overwrite: true }, /the output .*mask\.png exists and is a folder/);
  });
  it('our own earlier output is replaced without asking; once edited, it is the user’s', () => {
    const d = fresh();
    const marked = joinPieces(markPng(png));
    writeFileSync(join(d, 'ours.png'), marked);
    ok({ outputs: [{ path: join(d, 'ours.png') }] });
    const edited = marked.slice();
    edited[45] ^= 1; // inside the IDAT data (it starts at byte 41): the pixels changed, the mark did not
    writeFileSync(join(d, 'ours.png'), edited);
    refused({ outputs: [{ path: join(d, 'ours.png') }] }, /already exists and was not written by cutout/);
  });
});

describe('own-output marks', () => {
  it('a marked PNG decodes to the same pixels and is recognised; the same PNG unmarked is not', () => {
    const marked = joinPieces(markPng(png));
    expect(decodePng(marked)).toEqual(decodePng(png));
    expect(isOwnOutput(marked)).toBe(true);
    expect(isOwnOutput(png)).toBe(false);
    // A mark copied onto another image does not make it ours.
    const other = encodePng({ width: 3, height: 2, data: new Uint8Array(24).fill(9) });
    const forged = joinPieces([other.subarray(0, other.length - 12), markPng(png)[1]!, other.subarray(other.length - 12)]);
    expect(isOwnOutput(forged)).toBe(false);
  });
  it('a marked SVG is recognised; edited, it is not', () => {
    const svg = markSvg('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>');
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(isOwnOutput(bytes(svg))).toBe(true);
    expect(isOwnOutput(bytes(svg.replace('width="1"', 'width="2"')))).toBe(false);
    expect(isOwnOutput(bytes('hello'))).toBe(false);
  });
});
