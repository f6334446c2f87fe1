/**
 * Writing a command's result: ALL OF IT OR NONE OF IT.
 *
 * Contract of `writeFilesAtomically(files)`:
 * - It returns only when every file is in place with exactly its bytes, synced to disk.
 * - It throws a CutoutError (code OUTPUT, a one-line plain message naming the file and the
 *   cause) when anything fails, and then every destination is as it was before the call: a file
 *   that did not exist does not exist, a file that existed has its old bytes again, and no
 *   temporary or backup file is left behind. The one exception is a failure while undoing
 *   (the disk itself failing twice); then the message says which file could not be restored
 *   and where its old bytes were kept.
 *
 * How: 1. every file is written to a fresh hidden temporary beside its destination (created
 * exclusively and registered for removal before the first byte goes in, so a short write on a
 * full disk leaves nothing behind), written whole, fsynced and closed; 2. every destination that
 * already exists is kept under a backup name (a hard link, so the destination never goes
 * missing; where links are not supported it is moved aside); 3. the temporaries are renamed
 * onto their destinations one by one; 4. the backups are removed. A failure in 1–3 undoes the
 * steps already done, in reverse.
 *
 * Whether a destination may be replaced at all (inputs, files the user did not get from cutout)
 * is decided before, by output-plan.ts; this module only makes the replacement safe.
 */
import { basename, dirname, join } from 'node:path';
import { ErrorCode, fail } from '../core/errors.js';
import { errnoCode, lstatOrUndefined, nodeFs, plainReason, type FsOps } from './fs-ops.js';

export interface OutputFile {
  path: string;
  /** The bytes, a text (UTF-8), or pieces written one after the other. */
  bytes: Uint8Array | string | ReadonlyArray<Uint8Array>;
}

interface Backup {
  dest: string;
  backup: string;
  /** Moved aside (the destination is missing until restored), not linked. */
  moved: boolean;
}

const encoder = new TextEncoder();
let counter = 0;

/** Creates a new hidden file beside `path` that did not exist before; returns its name and fd. */
function createHidden(fsOps: FsOps, path: string, suffix: string): { name: string; fd: number } {
  for (;;) {
    const name = join(dirname(path), `.cutout-${process.pid}-${++counter}.${suffix}`);
    try {
      return { name, fd: fsOps.openSync(name, 'wx', 0o666) };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }
}

/** Errors of link() that mean "this file system has no hard links", not "something is wrong". */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/**
 * Keeps the existing `path` under a backup name that nothing uses: a hard link to it, so
 * `path` stays in place, or, where links are not supported, `path` moved there. A symlink is
 * always moved: some systems (macOS) would link its target instead of the link.
 */
function keepBackup(fsOps: FsOps, path: string, symlink: boolean): Backup {
  let link = !symlink;
  for (;;) {
    const backup = join(dirname(path), `.cutout-${process.pid}-${++counter}.bak`);
    if (link) {
      try {
        fsOps.linkSync(path, backup);
        return { dest: path, backup, moved: false };
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'EEXIST') continue;
        if (!NO_LINKS.has(code ?? '')) throw err;
        link = false;
      }
    }
    if (lstatOrUndefined(fsOps, backup)) continue;
    fsOps.renameSync(path, backup);
    return { dest: path, backup, moved: true };
  }
}

function writeAll(fsOps: FsOps, fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += fsOps.writeSync(fd, bytes, off, bytes.length - off);
}

function pieces(bytes: OutputFile['bytes']): ReadonlyArray<Uint8Array> {
  if (typeof bytes === 'string') return [encoder.encode(bytes)];
  return bytes instanceof Uint8Array ? [bytes] : bytes;
}

/** See the module comment. */
export function writeFilesAtomically(files: ReadonlyArray<OutputFile>, fsOps: FsOps = nodeFs): void {
  if (new Set(files.map((f) => f.path)).size !== files.length) throw new Error('writeFilesAtomically: a destination is listed twice');
  const temps: string[] = [];
  const backups = new Map<string, Backup>();
  const renamed: number[] = [];
  let step = '';
  let current = '';
  try {
    const created = new Set<string>();
    for (const f of files) {
      current = f.path;
      step = 'create the folder for';
      const dir = dirname(f.path);
      if (!created.has(dir)) {
        fsOps.mkdirSync(dir, { recursive: true });
        created.add(dir);
      }
      step = 'write';
      const { name, fd } = createHidden(fsOps, f.path, 'tmp');
      temps.push(name);
      let open = true;
      try {
        for (const p of pieces(f.bytes)) writeAll(fsOps, fd, p);
        step = 'sync';
        fsOps.fsyncSync(fd);
        open = false;
        step = 'close';
        fsOps.closeSync(fd);
      } finally {
        if (open) {
          try {
            fsOps.closeSync(fd);
          } catch {
            // The write error is the one worth reporting.
          }
        }
      }
    }
    step = 'keep a backup of';
    for (const f of files) {
      current = f.path;
      const st = lstatOrUndefined(fsOps, f.path);
      if (st && !backups.has(f.path)) backups.set(f.path, keepBackup(fsOps, f.path, st.isSymbolicLink()));
    }
    step = 'move into place';
    files.forEach((f, i) => {
      current = f.path;
      fsOps.renameSync(temps[i]!, f.path);
      renamed.push(i);
    });
  } catch (err) {
    const stuck = undo(fsOps, files, temps, renamed, backups);
    const what = `could not ${step} ${current}: ${plainReason(err)}`;
    const total = files.length > 1 ? `; none of the ${files.length} files (${files.map((f) => basename(f.path)).join(', ')}) were written` : '; nothing was written';
    if (stuck.length) fail(ErrorCode.Output, `${what}; and undoing failed: ${stuck.join('; ')}`, err);
    fail(ErrorCode.Output, `${what}${total}`, err);
  }
  for (const b of backups.values()) {
    try {
      fsOps.unlinkSync(b.backup);
    } catch {
      // The result is in place; a stray hidden backup costs space, not data.
    }
  }
}

/** Puts every destination back as it was; returns what could not be restored. */
function undo(fsOps: FsOps, files: ReadonlyArray<OutputFile>, temps: string[], renamed: number[], backups: Map<string, Backup>): string[] {
  const stuck: string[] = [];
  const attempt = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') stuck.push(`${what}: ${plainReason(err)}`);
    }
  };
  const done = new Set(renamed.map((i) => files[i]!.path));
  for (const i of [...renamed].reverse()) {
    const dest = files[i]!.path;
    const b = backups.get(dest);
    if (b) attempt(`${dest} keeps the new bytes, its old bytes are in ${b.backup}`, () => fsOps.renameSync(b.backup, dest));
    else attempt(`${dest} was left in place`, () => fsOps.unlinkSync(dest));
  }
  for (const b of backups.values()) {
    if (done.has(b.dest)) continue;
    if (b.moved) attempt(`${b.dest} is missing, its bytes are in ${b.backup}`, () => fsOps.renameSync(b.backup, b.dest));
    else attempt(`a backup of ${b.dest} was left as ${b.backup}`, () => fsOps.unlinkSync(b.backup));
  }
  temps.forEach((t, i) => {
    if (!renamed.includes(i)) attempt(`the temporary ${t} was left`, () => fsOps.unlinkSync(t));
  });
  return stuck;
}
