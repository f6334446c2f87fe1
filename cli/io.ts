import { closeSync, fstatSync, lstatSync, openSync, readlinkSync, readSync, readFileSync, statSync } from 'node:fs';
import { fail, ErrorCode } from '../core/errors.js';
import type { ScratchBuffers } from '../core/image/scratch.js';
import { errnoCode, nodeFs, plainReason, type FsOps } from './fs-ops.js';
import { markJson, markPng, markSvg } from './own-output.js';
import { writeFilesAtomically } from './write-files.js';

/**
 * Reads a file the user named, turning ENOENT and friends into a clear message. With
 * `scratch` (batches) a regular file is read into its slot 'file' (valid until the next read
 * with it) instead of two fresh buffers.
 */
export function readUserFile(path: string, what: string, scratch?: ScratchBuffers): Uint8Array {
  try {
    if (statSync(path).isDirectory()) fail(ErrorCode.InvalidImage, `${what} ${path} is a folder, not a file`);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') {
      let dangling = false;
      try {
        dangling = lstatSync(path).isSymbolicLink();
      } catch {
        // Nothing there at all.
      }
      if (dangling) fail(ErrorCode.InvalidImage, `${what} ${path} is a symbolic link to ${readlinkSync(path)}, which does not exist. Check the link.`);
      fail(ErrorCode.InvalidImage, `${what} not found: ${path}. Check the path.`);
    }
    if (errnoCode(err) === 'ELOOP') fail(ErrorCode.InvalidImage, `${what} ${path} is a symbolic link that loops back on itself: point it at a real file`);
    if (errnoCode(err)) fail(ErrorCode.InvalidImage, `cannot read ${what} ${path}: ${plainReason(err)}`, err);
    throw err;
  }
  try {
    return scratch ? readInto(path, scratch) : new Uint8Array(readFileSync(path));
  } catch (err) {
    return fail(ErrorCode.InvalidImage, `cannot read ${what} ${path}: ${plainReason(err)}`, err);
  }
}

function readInto(path: string, scratch: ScratchBuffers): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    // Pipes, devices and the like have no size up front: read them the ordinary way.
    if (!st.isFile()) return new Uint8Array(readFileSync(fd));
    // One byte more than the size, to notice a file that grew since fstat.
    const buf = scratch.u8('file', st.size + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      // The file grew while we read it: read it whole the ordinary way.
      if (n === buf.length) return new Uint8Array(readFileSync(path));
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Writes files all or nothing, as they are (model downloads). */
export { writeFilesAtomically };

/**
 * Writes a command's result all or nothing (write-files.ts), each PNG, SVG and JSON file (a
 * string whose path ends in .json) carrying the mark that lets a later run recognise it as ours
 * (own-output.ts).
 */
export function writeOutputs(files: ReadonlyArray<{ path: string; bytes: Uint8Array | string }>, fsOps: FsOps = nodeFs): void {
  writeFilesAtomically(
    files.map((f) => ({ path: f.path, bytes: typeof f.bytes !== 'string' ? markPng(f.bytes) : f.path.endsWith('.json') ? markJson(f.bytes) : markSvg(f.bytes) })),
    fsOps,
  );
}

let stdoutOpen = true;

/**
 * Output to a reader that went away (`| head`, a closed pipe, /dev/full) is dropped without a
 * word: the files are the result, the lines only report them, so the run goes on.
 */
export function quietOnClosedOutput(): void {
  process.stdout.on('error', () => {
    stdoutOpen = false;
  });
  process.stderr.on('error', () => {});
}

/** Prints one JSON object on stdout, one line (nothing once stdout is closed). */
export function printJson(value: unknown): void {
  if (!stdoutOpen) return;
  try {
    process.stdout.write(JSON.stringify(value) + '\n');
  } catch {
    stdoutOpen = false;
  }
}
