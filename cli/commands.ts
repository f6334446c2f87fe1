import { segment } from './segment.js';
import { removeBg } from './remove-bg.js';
import { vectorize } from './vectorize.js';
import { cutout } from './cutout.js';

/** A CLI command: `run` returns the exit code or throws (one line on stderr, exit 1). */
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  segment,
  'remove-bg': removeBg,
  vectorize,
  cutout,
};
