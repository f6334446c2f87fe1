import { fail, ErrorCode } from '../core/errors.js';

export interface ParsedArgs {
  positional: string[];
  /** Every occurrence of each --flag, in order; a bare flag maps to 'true'. */
  flags: Map<string, string[]>;
}

/**
 * Minimal GNU-style parser: `--name value`, `--name=value`, bare boolean flags listed in
 * `booleans`. Unknown flags are an error so typos never pass silently.
 */
export function parseArgs(argv: string[], known: { values: string[]; booleans?: string[] }): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  const booleans = new Set(known.booleans ?? []);
  const values = new Set(known.values);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--') || a === '--') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    let value: string;
    if (booleans.has(name)) {
      value = eq < 0 ? 'true' : a.slice(eq + 1);
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

/** A finite decimal number, or a clear error naming the option. */
export function parseNumber(text: string, what: string): number {
  const t = text.trim();
  const n = t === '' ? NaN : Number(t);
  if (!Number.isFinite(n)) fail(ErrorCode.InvalidOption, `${what} must be a finite number, got "${text}"`);
  return n;
}

/** "a,b,c" → numbers, with a count check. */
export function parseNumberList(text: string, what: string, counts: number[]): number[] {
  const parts = text.split(',');
  if (!counts.includes(parts.length)) {
    fail(ErrorCode.InvalidPrompt, `${what} must have ${counts.join(' or ')} comma-separated numbers, got "${text}"`);
  }
  return parts.map((p) => {
    const n = p.trim() === '' ? NaN : Number(p);
    if (!Number.isFinite(n)) fail(ErrorCode.InvalidPrompt, `${what} has a value that is not a finite number: "${text}"`);
    return n;
  });
}
