/**
 * A plain `npm ci` must not need onnxruntime-node's download host: the package is only a
 * benchmark reference and runs from the binaries it ships. Its postinstall reads
 * `onnxruntime-node-install` from npm's config (the project .npmrc); this checks that npm
 * hands `skip` to lifecycle scripts and that the install script then exits without a request.
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** The environment npm gives lifecycle scripts, minus anything the caller's shell set. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(npm_config_|ONNXRUNTIME_NODE_INSTALL)/i.test(k)) delete env[k];
  return env;
}

describe('npm ci on a machine without the onnxruntime-node download host', () => {
  it('the project config makes onnxruntime-node skip its download step', () => {
    const seen = spawnSync('npm', ['exec', '--offline', '-c', 'node -p "process.env.npm_config_onnxruntime_node_install"'], {
      cwd: ROOT,
      env: cleanEnv(),
      encoding: 'utf8',
    });
    expect(seen.status, seen.stderr).toBe(0);
    expect(seen.stdout.trim()).toBe('skip');

    // Run the install script as npm ci runs it for a dependency (not a local install), with the
    // value npm passes; it must exit 0 before it resolves any download.
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    const run = spawnSync(process.execPath, ['script/install.js'], {
      cwd: dirname(pkg),
      env: { ...cleanEnv(), npm_config_onnxruntime_node_install: seen.stdout.trim(), npm_config_local_prefix: ROOT, npm_package_json: pkg },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
  });
});
