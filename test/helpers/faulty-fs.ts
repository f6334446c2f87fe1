/**
 * File-system facades for the CLI's output code (cli/fs-ops.ts) that misbehave on purpose:
 * a call that fails at a chosen moment (a full disk during a write, a failing fsync, a rename
 * that cannot happen), and a folder that ignores letter case like macOS and Windows do.
 */
import { nodeFs, type FsOps } from '../../cli/fs-ops.js';

export type FsOp = keyof FsOps;

function errnoError(code: string, op: string, path?: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: injected failure, ${op}${path ? ` '${path}'` : ''}`) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}

export interface Fault {
  op: FsOp;
  /** Fails the nth call of `op` (1-based), counted over every call made through this facade. */
  nth: number;
  code: string;
  /** writeSync only: the failing call first writes this many bytes for real and returns that (a short write); the NEXT call fails. */
  shortWrite?: number;
  /** Fail this call and every later call of `op` (not only the nth). */
  sticky?: boolean;
}

/** nodeFs with the given faults; `calls` counts each op. */
export function faultyFs(faults: Fault[]): FsOps & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  let failNextWrite: Fault | undefined;
  const wrap = <K extends FsOp>(op: K): FsOps[K] =>
    ((...args: unknown[]) => {
      const n = (calls[op] = (calls[op] ?? 0) + 1);
      if (op === 'writeSync' && failNextWrite) {
        const f = failNextWrite;
        failNextWrite = undefined;
        throw errnoError(f.code, op);
      }
      const fault = faults.find((f) => f.op === op && (f.sticky ? n >= f.nth : n === f.nth));
      if (fault) {
        if (op === 'writeSync' && fault.shortWrite !== undefined) {
          const [fd, buf, off, len] = args as [number, Uint8Array, number, number];
          failNextWrite = fault;
          return nodeFs.writeSync(fd, buf, off, Math.min(len, fault.shortWrite));
        }
        throw errnoError(fault.code, op, typeof args[0] === 'string' ? args[0] : undefined);
      }
      return (nodeFs[op] as (...a: unknown[]) => unknown)(...args);
    }) as FsOps[K];
  const fs = Object.fromEntries((Object.keys(nodeFs) as FsOp[]).map((op) => [op, wrap(op)])) as unknown as FsOps;
  return Object.assign(fs, { calls });
}

/**
 * nodeFs where every name below `root` is looked up case-insensitively, as on macOS (APFS) or
 * Windows (NTFS): names are stored lower-case on disk, so "Cat.png" and "cat.png" are one file.
 */
export function caseInsensitiveFs(root: string): FsOps {
  const fold = (p: string) => (p.startsWith(root + '/') ? root + '/' + p.slice(root.length + 1).toLowerCase() : p);
  const onPaths = (f: (...a: any[]) => any, count: number) => (...a: any[]) => f(...a.map((v, i) => (i < count && typeof v === 'string' ? fold(v) : v)));
  return {
    ...nodeFs,
    openSync: onPaths(nodeFs.openSync, 1),
    renameSync: onPaths(nodeFs.renameSync, 2),
    linkSync: onPaths(nodeFs.linkSync, 2),
    unlinkSync: onPaths(nodeFs.unlinkSync, 1),
    rmdirSync: onPaths(nodeFs.rmdirSync, 1),
    mkdirSync: onPaths(nodeFs.mkdirSync, 1),
    lstatSync: onPaths(nodeFs.lstatSync, 1),
    statSync: onPaths(nodeFs.statSync, 1),
    // A case-insensitive file system answers with the name as stored, not as asked.
    realpathSync: onPaths(nodeFs.realpathSync, 1),
    readFileSync: onPaths(nodeFs.readFileSync, 1),
  };
}
