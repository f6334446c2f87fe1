/**
 * The layering rules (.dependency-cruiser.cjs, run by `npm run lint:deps` in `npm test`) must
 * be able to fail: each rule is shown a small fixture tree that breaks it, through the same
 * command line and config, and must name the offending import. A rule whose pattern stopped
 * matching (a folder renamed, a typo in a regex) would let the real tree pass silently.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Files every fixture has: one module per layer, importing only what the rules allow. */
const CLEAN: Record<string, string> = {
  'core/errors.ts': 'export const E = 1;\n',
  'core/path.ts': "import { E } from './errors.js';\nexport const P = E;\n",
  'models/registry.ts': "import { E } from '../core/errors.js';\nexport const MODELS = [E];\n",
  'plugin/commands.ts': 'export const COMMANDS = [];\n',
  'plugin/timings.ts': 'export const T = 0;\n',
  'plugin/protocol.ts': "import type { E } from '../core/errors.js';\nimport { COMMANDS } from './commands.js';\nexport type M = typeof E;\nexport const C = COMMANDS;\n",
  'plugin/host/controller.ts': "import { C } from '../protocol.js';\nexport const H = C;\n",
  'plugin/figma/main.ts': "import { H } from '../host/controller.js';\nexport const F = H;\n",
  'plugin/penpot/main.ts': "import { H } from '../host/controller.js';\nexport const Q = H;\n",
  'ui/main.ts': "import { C } from '../plugin/protocol.js';\nimport { T } from '../plugin/timings.js';\nimport { P } from '../core/path.js';\nexport const U = [C, T, P];\n",
  'node/args.ts': "import { E } from '../core/errors.js';\nexport const A = E;\n",
  'corpus/masks.ts': 'export const CORPUS = [];\n',
  'cli/main.ts': "import { A } from '../node/args.js';\nexport const X = A;\n",
  'eval/main.ts': "import { A } from '../node/args.js';\nexport const V = A;\n",
  'bench/main.ts': "import { CORPUS } from '../corpus/masks.js';\nexport const B = CORPUS;\n",
  'test/helper.ts': 'export const HELP = 1;\n',
  'test/a.test.ts': "import { HELP } from './helper.js';\nimport { CORPUS } from '../corpus/masks.js';\nimport { X } from '../cli/main.js';\nexport const Z = [HELP, CORPUS, X];\n",
};

/** One violation per rule: the file added to the clean tree, and the import it breaks the rule with. */
const VIOLATIONS: { rule: string; file: string; source: string; to: string }[] = [
  { rule: 'core-imports-only-core', file: 'core/bad.ts', source: "import { U } from '../ui/main.js';\nexport const Y = U;\n", to: 'ui/main.ts' },
  { rule: 'core-no-node-builtins', file: 'core/fs.ts', source: "import { readFileSync } from 'node:fs';\nexport const R = readFileSync;\n", to: 'fs' },
  { rule: 'registry-is-data-over-core', file: 'models/registry.ts', source: "import { A } from '../node/args.js';\nexport const MODELS = [A];\n", to: 'node/args.ts' },
  { rule: 'figma-host-not-penpot-or-ui', file: 'plugin/figma/bad.ts', source: "import { Q } from '../penpot/main.js';\nexport const Y = Q;\n", to: 'plugin/penpot/main.ts' },
  { rule: 'penpot-host-not-figma-or-ui', file: 'plugin/penpot/bad.ts', source: "import type { U } from '../../ui/main.js';\nexport type Y = typeof U;\n", to: 'ui/main.ts' },
  { rule: 'host-side-not-ui', file: 'plugin/host/bad.ts', source: "import { U } from '../../ui/main.js';\nexport const Y = U;\n", to: 'ui/main.ts' },
  { rule: 'ui-reaches-hosts-through-protocol', file: 'ui/bad.ts', source: "import { H } from '../plugin/host/controller.js';\nexport const Y = H;\n", to: 'plugin/host/controller.ts' },
  { rule: 'ui-shared-plugin-modules-are-pure', file: 'plugin/timings.ts', source: "import { H } from './host/controller.js';\nexport const T = H;\n", to: 'plugin/host/controller.ts' },
  { rule: 'only-tests-import-tests', file: 'bench/bad.ts', source: "import { HELP } from '../test/helper.js';\nexport const Y = HELP;\n", to: 'test/helper.ts' },
  { rule: 'front-ends-not-cli', file: 'eval/bad.ts', source: "import { X } from '../cli/main.js';\nexport const Y = X;\n", to: 'cli/main.ts' },
  { rule: 'resolvable', file: 'cli/bad.ts', source: "import { Y } from './missing.js';\nexport const W = Y;\n", to: './missing.js' },
];

function tree(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutout-deprules-'));
  dirs.push(dir);
  copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  for (const [file, text] of Object.entries({ ...CLEAN, ...extra })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/** Runs the checker exactly as package.json's lint:deps does; its lines "error rule: from → to". */
function cruise(dir: string): { status: number | null; violations: string[] } {
  const run = spawnSync(DEPCRUISE, ['.', '--config', '.dependency-cruiser.cjs'], { cwd: dir, encoding: 'utf8' });
  expect(run.error).toBeUndefined();
  const violations = [...run.stdout.matchAll(/^\s*error (\S+): (\S+) → (\S+)$/gm)].map((m) => `${m[1]}: ${m[2]} → ${m[3]}`);
  return { status: run.status, violations };
}

describe('dependency rules', () => {
  it('pass a tree that keeps every layer in its place', () => {
    const { status, violations } = cruise(tree());
    expect(violations).toEqual([]);
    expect(status).toBe(0);
  });

  it('fail on a violation of each rule, naming the rule and the import', () => {
    const extra = Object.fromEntries(VIOLATIONS.map((v) => [v.file, v.source]));
    const { status, violations } = cruise(tree(extra));
    expect(status).not.toBe(0);
    const seen = violations;
    const expected = VIOLATIONS.map((v) => `${v.rule}: ${v.file} → ${v.to}`);
    // A violating import may break more than one rule (core → ui is also "core imports only core");
    // each rule must at least catch its own case.
    for (const e of expected) expect(seen).toContain(e);
    const rules = new Set(violations.map((v) => v.split(':')[0]));
    expect([...rules].sort()).toEqual(VIOLATIONS.map((v) => v.rule).sort());
  });

  it('checks every rule the config declares', async () => {
    const config = (await import(join(ROOT, '.dependency-cruiser.cjs'))) as { default: { forbidden: { name: string }[] } };
    expect(config.default.forbidden.map((r) => r.name).sort()).toEqual(VIOLATIONS.map((v) => v.rule).sort());
  });
});
