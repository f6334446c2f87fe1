/** Argument parsing shared by the Node front ends (cli/, eval/): flags, numbers and lists with one-line refusals. */
import { fail, ErrorCode } from '../core/errors.js';

export interface ParsedArgs {
  positional: string[];
  /** Every occurrence of each --flag, in order; a bare flag maps to 'true'. */
  flags: Map<string, string[]>;
}

/**
 * Minimal GNU-style parser: `--name value`, `--name=value`, bare boolean flags listed in
 * `booleans` (which also take `=true` / `=false`, nothing else). Unknown flags are an error so
 * typos never pass silently. `--` ends the options: everything after it is a file name, even
 * when it starts with dashes.
 */
export function parseArgs(argv: string[], known: { values: string[]; booleans?: string[] }): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  const booleans = new Set(known.booleans ?? []);
  const values = new Set(known.values);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    let value: string;
    if (booleans.has(name)) {
      value = eq < 0 ? 'true' : a.slice(eq + 1);
      if (value !== 'true' && value !== 'false') fail(ErrorCode.InvalidOption, `--${name} takes no value (or =true / =false), got "${value}"`);
    } else if (values.has(name)) {
      if (eq >= 0) value = a.slice(eq + 1);
      else {
        const next = argv[++i];
        if (next === undefined) fail(ErrorCode.InvalidOption, `--${name} needs a value`);
        value = next;
      }
    } else {
      const all = [...values, ...booleans].map((n) => `--${n}`).join(', ');
      return fail(ErrorCode.InvalidOption, `unknown option --${name} (known: ${all})`);
    }
    const list = flags.get(name) ?? [];
    list.push(value);
    flags.set(name, list);
  }
  return { positional, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return v ? v[v.length - 1] : undefined;
}

/** A boolean flag's value (parseArgs has already refused anything but true / false). */
export function boolFlag(args: ParsedArgs, name: string): boolean {
  return flag(args, name) === 'true';
}

/**
 * Plain decimal notation only (an optional sign, digits, a point, an exponent): `Number()`
 * would also take "0x10" as 16, "0b1", "Infinity" and "" as 0.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function decimal(text: string): number {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : NaN;
}

/** A finite decimal number, optionally within [min, max], or a clear error naming the option. */
export function parseNumber(text: string, what: string, range?: { min?: number; max?: number }): number {
  const n = decimal(text);
  if (!Number.isFinite(n)) fail(ErrorCode.InvalidOption, `${what} must be a finite number in decimal notation, got "${text}"`);
  const { min, max } = range ?? {};
  if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
    const span = min !== undefined && max !== undefined ? `from ${min} to ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
    fail(ErrorCode.InvalidOption, `${what} must be ${span}, got ${text}`);
  }
  return n;
}

/** "a,b,c" → numbers, with a count check. */
export function parseNumberList(text: string, what: string, counts: number[]): number[] {
  const parts = text.split(',');
  if (!counts.includes(parts.length)) {
    fail(ErrorCode.InvalidPrompt, `${what} must have ${counts.join(' or ')} comma-separated numbers, got "${text}"`);
  }
  return parts.map((p) => {
    const n = decimal(p);
    if (!Number.isFinite(n)) fail(ErrorCode.InvalidPrompt, `${what} has a value that is not a finite number in decimal notation: "${p.trim()}"`);
    return n;
  });
}
