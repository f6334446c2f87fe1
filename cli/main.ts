import { toErrorInfo } from '../core/errors.js';
import { loadImageCodecs } from '../node/codecs.js';
import { commands } from './commands.js';
import { quietOnClosedOutput } from './io.js';

const USAGE = `usage: cutout <command> [options]

commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run "cutout <command> --help" for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`cutout: unknown command "${name}"\n${USAGE}\n`);
    return 2;
  }
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (options.includes('--help') || options.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  await loadImageCodecs();
  return command.run(rest);
}

quietOnClosedOutput();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const info = toErrorInfo(err);
    // One line on stderr: the message already says what was wrong and what to do.
    process.stderr.write(`cutout: ${info.message.replace(/\s*\n\s*/g, ' ')}\n`);
    if (process.env.CUTOUT_DEBUG && err instanceof Error) process.stderr.write(String(err.stack) + '\n');
    process.exitCode = 1;
  },
);
