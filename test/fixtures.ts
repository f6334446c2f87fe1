/**
 * Where the shared reference fixtures live, and the rule for when they are missing:
 * on CI a missing folder is a failure (parity must not silently stop being checked);
 * locally the dependent tests are skipped with a message.
 *
 * Lookup: $CUTOUT_FIXTURES/<name> if CUTOUT_FIXTURES is set, else <repo>/../shared/fixtures/<name>.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type FixtureName = 'sam-reference' | 'sam2-reference';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function fixturesRoot(): string {
  const env = process.env.CUTOUT_FIXTURES;
  return env ? path.resolve(env) : path.resolve(repoRoot, '../shared/fixtures');
}

/** The fixture folder if it exists (with its cases.json), otherwise undefined. */
export function fixtureDir(name: FixtureName): string | undefined {
  const dir = path.join(fixturesRoot(), name);
  return existsSync(path.join(dir, 'cases.json')) ? dir : undefined;
}

/**
 * For `describe.skipIf(!dir)`: returns the folder, or undefined (with a console note) when it
 * is missing locally. When process.env.CI is set a missing folder throws, which fails the
 * test file at collection time.
 */
export function requireFixture(name: FixtureName): string | undefined {
  const dir = fixtureDir(name);
  if (dir) return dir;
  const where = path.join(fixturesRoot(), name);
  if (process.env.CI) {
    throw new Error(`fixture folder missing: ${where} (set CUTOUT_FIXTURES to the folder holding ${name}/)`);
  }
  console.warn(`[skip] fixture folder missing: ${where}; tests that need ${name} are skipped (set CUTOUT_FIXTURES).`);
  return undefined;
}
