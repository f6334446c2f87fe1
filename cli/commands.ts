import { segment } from './segment.js';
import { removeBg } from './remove-bg.js';
import { vectorize } from './vectorize.js';
import { cutout } from './cutout.js';
import { everything } from './everything.js';
import type { FsOps } from './fs-ops.js';

/**
 * A CLI command: `run` returns the exit code or throws (one line on stderr, exit 1). `fs` is
 * what output checks and writes go through: node:fs, or a test's copy that fails on purpose.
 */
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[], fs?: FsOps): Promise<number>;
}

export const commands: Record<string, Command> = {
  segment,
  'remove-bg': removeBg,
  vectorize,
  cutout,
  everything,
};
