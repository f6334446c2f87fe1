import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { fail, ErrorCode } from '../core/errors.js';
import type { ScratchBuffers } from '../core/image/scratch.js';

/**
 * Reads a file the user named, turning ENOENT and friends into a clear message. With
 * `scratch` (batches) a regular file is read into its slot 'file' (valid until the next read
 * with it) instead of two fresh buffers.
 */
export function readUserFile(path: string, what: string, scratch?: ScratchBuffers): Uint8Array {
  if (!existsSync(path)) fail(ErrorCode.InvalidImage, `${what} not found: ${path}. Check the path.`);
  try {
    return scratch ? readInto(path, scratch) : new Uint8Array(readFileSync(path));
  } catch (err) {
    return fail(ErrorCode.InvalidImage, `cannot read ${what} ${path}: ${(err as Error).message}`, err);
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

/**
 * Writes a set of files all-or-nothing: each goes to a temporary name first, and only when
 * every one is written are they renamed into place. A failure leaves no partial output.
 */
export function writeFilesAtomically(files: ReadonlyArray<{ path: string; bytes: Uint8Array | string }>): void {
  const temps: string[] = [];
  try {
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.tmp`);
      writeFileSync(tmp, f.bytes);
      temps.push(tmp);
    }
    files.forEach((f, i) => renameSync(temps[i]!, f.path));
  } catch (err) {
    for (const t of temps) rmSync(t, { force: true });
    throw err;
  }
}

/** Prints one JSON object on stdout, one line. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}
