import { segment } from './segment.js';

/** A CLI command: `run` returns the exit code or throws (one line on stderr, exit 1). */
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  segment,
};
