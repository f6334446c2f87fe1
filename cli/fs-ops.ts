import * as fs from 'node:fs';

/**
 * The file-system calls the CLI's output code makes, as one object so a test can hand in a
 * copy whose write, fsync or rename fails at a chosen moment (a full disk, a vanished folder)
 * and check that nothing is left half done. Production code always gets `nodeFs`.
 */
export interface FsOps {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  linkSync(existing: string, newPath: string): void;
  unlinkSync(path: string): void;
  rmdirSync(path: string): void;
  mkdirSync(path: string, options: { recursive: true }): string | undefined;
  lstatSync(path: string): fs.Stats;
  statSync(path: string): fs.Stats;
  realpathSync(path: string): string;
  readFileSync(path: string): Uint8Array;
}

export const nodeFs: FsOps = {
  openSync: (p, f, m) => fs.openSync(p, f, m),
  writeSync: (fd, b, o, l) => fs.writeSync(fd, b, o, l),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
  linkSync: (a, b) => fs.linkSync(a, b),
  unlinkSync: (p) => fs.unlinkSync(p),
  rmdirSync: (p) => fs.rmdirSync(p),
  mkdirSync: (p, o) => fs.mkdirSync(p, o),
  lstatSync: (p) => fs.lstatSync(p),
  statSync: (p) => fs.statSync(p),
  realpathSync: (p) => fs.realpathSync(p),
  readFileSync: (p) => new Uint8Array(fs.readFileSync(p)),
};

/** The errno code of a Node file-system error ('ENOENT', ...), or undefined. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** lstat, or undefined when nothing is there. Other errors (permission, loops) are thrown. */
export function lstatOrUndefined(fsOps: FsOps, path: string): fs.Stats | undefined {
  try {
    return fsOps.lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** A short plain-words reason for a file-system error code, for one-line messages. */
export function plainReason(err: unknown): string {
  const reasons: Record<string, string> = {
    ENOSPC: 'no space left on the disk',
    EDQUOT: 'the disk quota is used up',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOENT: 'no such file or folder',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EISDIR: 'it is a folder',
    ELOOP: 'too many levels of symbolic links (a symlink loop)',
    ENAMETOOLONG: 'the name is too long',
    EEXIST: 'it already exists',
    EIO: 'an input/output error',
    EBUSY: 'it is busy',
    EXDEV: 'it is on another device',
  };
  const code = errnoCode(err);
  const reason = code ? reasons[code] : undefined;
  if (reason) return `${reason} (${code})`;
  return err instanceof Error ? err.message : String(err);
}
