import { mkdirSync, renameSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { fail, ErrorCode } from '../core/errors.js';

/** Reads a file the user named, turning ENOENT and friends into a clear message. */
export function readUserFile(path: string, what: string): Uint8Array {
  if (!existsSync(path)) fail(ErrorCode.InvalidImage, `${what} not found: ${path}. Check the path.`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    return fail(ErrorCode.InvalidImage, `cannot read ${what} ${path}: ${(err as Error).message}`, err);
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
