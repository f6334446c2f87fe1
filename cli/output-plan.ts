/**
 * Checks made on a command's output paths BEFORE any work, so that a run is refused in
 * milliseconds, with one plain line, instead of failing (or destroying something) after the
 * slow part:
 * - the output folder can be written (a probe file is created and removed there, or in the
 *   nearest existing parent when the folder is still to be made), and whether it ignores letter
 *   case (the probe looked up with its name upper-cased);
 * - no output is one of the command's inputs: the same path, a symlink to it or a hard link
 *   of it (compared by device and inode), or the same name in another case where the folder
 *   ignores case;
 * - no two outputs of one run land on the same file (names compared case-folded where the
 *   folder ignores case);
 * - no output is an existing folder, and no existing file is replaced unless it is our own
 *   earlier output (own-output.ts) or the user passed --overwrite.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCode, fail } from '../core/errors.js';
import { errnoCode, lstatOrUndefined, nodeFs, plainReason, type FsOps } from './fs-ops.js';
import { isOwnOutput } from './own-output.js';

export interface PlannedOutput {
  path: string;
  /** What this output is made from (an input's name), for the message when two collide. */
  from?: string;
}

export interface OutputCheck {
  /** Every file the command reads: never written over, not even with --overwrite. */
  inputs: ReadonlyArray<string>;
  outputs: ReadonlyArray<PlannedOutput>;
  /** --overwrite: existing files that are not inputs may be replaced. */
  overwrite: boolean;
  /** The option that picks the output location, for the advice ("--out-dir", "--out"). */
  option: string;
  fs?: FsOps;
}

/** Case folding for names in a folder that ignores case (and Unicode normalisation, as APFS). */
export function foldName(name: string): string {
  return name.normalize('NFC').toUpperCase().toLowerCase();
}

let probeCounter = 0;

/**
 * Can files be created in `dir`? Fails with a plain message when not. Returns whether the
 * folder ignores letter case. A folder that does not exist yet is probed in its nearest
 * existing parent (where it will be created).
 */
export function probeOutputDir(dir: string, option: string, fsOps: FsOps = nodeFs): { caseInsensitive: boolean } {
  let at = resolve(dir);
  for (;;) {
    let st;
    try {
      st = fsOps.statSync(at);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT') {
        const up = dirname(at);
        if (up === at) fail(ErrorCode.Output, `${option} ${dir}: ${plainReason(err)}`);
        at = up;
        continue;
      }
      if (code === 'ENOTDIR') {
        // Somewhere above is a file: find it for the message.
        let f = dirname(at);
        while (dirname(f) !== f && !lstatOrUndefined(fsOps, f)) f = dirname(f);
        fail(ErrorCode.Output, `${option} ${dir} cannot be made: ${f} is a file, not a folder; choose another ${option}`);
      }
      fail(ErrorCode.Output, `${option} ${dir} cannot be used: ${plainReason(err)}`, err);
    }
    if (!st.isDirectory()) {
      fail(
        ErrorCode.Output,
        at === resolve(dir)
          ? `${option} ${dir} is a file, not a folder; choose a folder (it is created if missing)`
          : `${option} ${dir} cannot be made: ${at} is a file, not a folder; choose another ${option}`,
      );
    }
    break;
  }
  const probe = join(at, `.cutout-probe-${process.pid}-${++probeCounter}-ab`);
  let fd: number;
  try {
    fd = fsOps.openSync(probe, 'wx', 0o600);
  } catch (err) {
    const where = at === resolve(dir) ? dir : `${at} (where ${dir} would be created)`;
    return fail(ErrorCode.Output, `cannot write in ${where}: ${plainReason(err)}; choose a folder you can write to with ${option}`, err);
  }
  let caseInsensitive = false;
  try {
    fsOps.closeSync(fd);
    const upper = join(at, basename(probe).toUpperCase());
    const twin = lstatOrUndefined(fsOps, upper);
    caseInsensitive = twin !== undefined && twin.ino === fsOps.lstatSync(probe).ino;
  } finally {
    try {
      fsOps.unlinkSync(probe);
    } catch {
      // A probe that cannot be removed is an empty hidden file; not worth failing the run.
    }
  }
  return { caseInsensitive };
}

interface Identity {
  input: string;
  key: string;
}

/** Device and inode of what `path` names (symlinks followed), or undefined if nothing is there. */
function inode(fsOps: FsOps, path: string): string | undefined {
  try {
    const s = fsOps.statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

function realpathOr(fsOps: FsOps, path: string): string {
  try {
    return fsOps.realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** See the module comment. Throws a one-line CutoutError on the first problem found. */
export function checkOutputs(check: OutputCheck): void {
  const fsOps = check.fs ?? nodeFs;
  const { option } = check;
  const caseInsensitive = new Map<string, boolean>();
  for (const o of check.outputs) {
    const dir = dirname(resolve(o.path));
    if (!caseInsensitive.has(dir)) caseInsensitive.set(dir, probeOutputDir(dirname(o.path), option, fsOps).caseInsensitive);
  }
  // Input identities: path as given, path with symlinks resolved, inode.
  const inputIds: Identity[] = [];
  for (const input of check.inputs) {
    const abs = resolve(input);
    inputIds.push({ input, key: `path:${abs}` }, { input, key: `path:${realpathOr(fsOps, abs)}` });
    const id = inode(fsOps, abs);
    if (id) inputIds.push({ input, key: `ino:${id}` });
  }
  const inputKeys = (keys: string[]) => inputIds.find((i) => keys.includes(i.key));
  const seen = new Map<string, PlannedOutput>();
  for (const o of check.outputs) {
    const abs = resolve(o.path);
    const dir = dirname(abs);
    const folded = caseInsensitive.get(dir)!;
    const realDir = realpathOr(fsOps, dir);
    const keys = [`path:${abs}`, `path:${join(realDir, basename(abs))}`];
    const id = inode(fsOps, abs);
    if (id) keys.push(`ino:${id}`);
    let clash = inputKeys(keys)?.input;
    if (clash === undefined && folded) {
      // The same name in another case, in a folder that ignores case (and the output does not
      // exist yet, or the inode check above would have caught it).
      clash = check.inputs.find((input) => {
        const real = realpathOr(fsOps, resolve(input));
        return dirname(real) === realDir && foldName(basename(real)) === foldName(basename(abs));
      });
    }
    if (clash !== undefined) {
      fail(ErrorCode.InvalidOption, `refusing to overwrite the input file ${clash} with the output ${o.path}: choose another ${option}`);
    }
    const key = join(realDir, folded ? foldName(basename(abs)) : basename(abs));
    const other = seen.get(key);
    if (other) {
      const why = folded && basename(other.path) !== basename(o.path) ? ' (this folder ignores letter case)' : '';
      const who = other.from && o.from ? `${other.from} and ${o.from} would both write` : 'two outputs would both be';
      fail(ErrorCode.InvalidOption, `${who} ${o.path}${why}: process them into different ${option} folders or rename one`);
    }
    seen.set(key, o);
  }
  for (const o of check.outputs) checkExisting(fsOps, o.path, check.overwrite, option);
}

function checkExisting(fsOps: FsOps, path: string, overwrite: boolean, option: string): void {
  let st;
  try {
    st = lstatOrUndefined(fsOps, path);
  } catch (err) {
    return fail(ErrorCode.Output, `cannot check the output ${path}: ${plainReason(err)}`, err);
  }
  if (!st) return;
  if (st.isDirectory()) fail(ErrorCode.InvalidOption, `the output ${path} exists and is a folder: move it away, or choose another ${option}`);
  if (overwrite) return;
  let ours = false;
  if (st.isFile()) {
    try {
      ours = isOwnOutput(fsOps.readFileSync(path));
    } catch {
      ours = false;
    }
  }
  if (!ours) {
    fail(ErrorCode.InvalidOption, `${path} already exists and was not written by cutout: pass --overwrite to replace it, or choose another ${option}`);
  }
}
