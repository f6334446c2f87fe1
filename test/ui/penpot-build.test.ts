/**
 * dist/penpot as build.mjs writes it and `npm run penpot` serves it. The Penpot section of
 * build.mjs (between `// ==== Penpot:` and `// ==== end Penpot`) runs into temporary folders,
 * with the default host and with another host, so the test never rewrites dist/ while
 * other tests read it. The manifest is checked against Penpot's manifest schema
 * (plugins-runtime models/manifest.schema.ts; `pluginId` is assigned by Penpot when it installs
 * a plugin), then scripts/penpot-serve.mjs serves the folder on an ephemeral loopback port.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../core/image/png.js';
import { DEFAULT_PENPOT_HOST } from '../../plugin/penpot/manifest.js';
import { startPenpotServer } from '../../scripts/penpot-serve.mjs';
import { buildPenpot, ensureUiBuilt } from '../helpers/build.js';
import { MANIFEST_PERMISSIONS, type Permission } from '../penpot/fake/host.js';

/** Penpot's manifest.schema.ts (zod) as plain checks; returns the problems. */
function manifestProblems(m: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const str = (k: string, optional = false) => {
    if (m[k] === undefined && optional) return;
    if (typeof m[k] !== 'string' || !(m[k] as string).length) problems.push(`${k} must be a non-empty string`);
  };
  str('name');
  str('code');
  str('icon', true);
  str('description', true);
  if (typeof m.description === 'string' && m.description.length > 200) problems.push('description is longer than 200 characters');
  try {
    const u = new URL(String(m.host));
    if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push('host must be an http(s) URL');
  } catch {
    problems.push('host must be a URL');
  }
  if (m.version !== undefined && typeof m.version !== 'number') problems.push('version must be a number');
  if (!Array.isArray(m.permissions)) problems.push('permissions must be an array');
  else for (const p of m.permissions) if (!MANIFEST_PERMISSIONS.includes(p as Permission)) problems.push(`unknown permission ${String(p)}`);
  return problems;
}


describe('dist/penpot: build and local server', () => {
  let tmp: string;
  let out: string;
  let log: string;

  beforeAll(() => {
    ensureUiBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'cutout-penpot-'));
    out = join(tmp, 'penpot');
    log = buildPenpot({ out }); // no host: the default
  });

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('writes a manifest Penpot accepts, plugin.js, ui.html and icon.png', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifestProblems(manifest)).toEqual([]);
    expect(manifest.name).toBe('Cutout');
    expect(manifest.host).toBe(DEFAULT_PENPOT_HOST);
    // code, icon and the UI page are resolved against the host (new URL(path, host)).
    for (const k of ['code', 'icon'] as const) expect(existsSync(join(out, new URL(manifest[k] as string, manifest.host as string).pathname))).toBe(true);

    expect(readFileSync(join(out, 'ui.html')).equals(readFileSync('dist/ui.html'))).toBe(true);

    const icon = decodePng(readFileSync(join(out, 'icon.png')));
    expect(icon.width).toBe(icon.height);
    expect(icon.width).toBeGreaterThanOrEqual(56);
    // Opaque in the middle, transparent in the rounded-off corner.
    expect(icon.data[(icon.width * (icon.height >> 1) + (icon.width >> 1)) * 4 + 3]).toBe(255);
    expect(icon.data[3]).toBe(0);

    if (existsSync('plugin/penpot/main.ts')) {
      const code = readFileSync(join(out, 'plugin.js'), 'utf8');
      expect(code.length).toBeGreaterThan(1000);
      expect(code).not.toMatch(/\b__html__\b/);
      expect(code).not.toMatch(/^\s*(?:import|export)\s/m); // a script (IIFE), not a module
      expect(log).toMatch(/plugin\.js \d/);
    } else {
      expect(log).toMatch(/plugin\.js SKIPPED/);
    }
  });

  it('another host (CUTOUT_PENPOT_HOST) is named in the manifest', () => {
    const other = join(tmp, 'hosted');
    buildPenpot({ out: other, host: 'https://cutout.example.com' });
    const manifest = JSON.parse(readFileSync(join(other, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifestProblems(manifest)).toEqual([]);
    expect(manifest.host).toBe('https://cutout.example.com');
  });

  it('serves the folder on loopback with CORS and content types, then stops', async () => {
    const server = await startPenpotServer({ port: 0, dir: out });
    const base = `http://127.0.0.1:${server.port}`;
    expect(server.url).toBe(`http://localhost:${server.port}`);
    try {
      const origin = { Origin: 'https://design.penpot.app' };
      const expectations: Array<[string, RegExp]> = [
        ['/manifest.json', /^application\/json/],
        ['/icon.png', /^image\/png$/],
        ['/ui.html', /^text\/html/],
      ];
      if (existsSync(join(out, 'plugin.js'))) expectations.push(['/plugin.js', /^text\/javascript/]);
      for (const [path, type] of expectations) {
        const res = await fetch(base + path, { headers: origin });
        expect(res.status, path).toBe(200);
        expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
        expect(res.headers.get('content-type'), path).toMatch(type);
        const body = Buffer.from(await res.arrayBuffer());
        expect(body.equals(readFileSync(join(out, path))), path).toBe(true);
      }
      const manifest = (await (await fetch(`${base}/manifest.json`)).json()) as Record<string, unknown>;
      expect(manifestProblems(manifest)).toEqual([]);

      // A CORS preflight (Chrome sends one before a public page reaches a loopback server).
      const pre = await fetch(`${base}/plugin.js`, {
        method: 'OPTIONS',
        headers: { ...origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Private-Network': 'true' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
      expect(pre.headers.get('access-control-allow-private-network')).toBe('true');

      expect((await fetch(`${base}/missing.js`)).status).toBe(404);
      expect((await fetch(`${base}/..%2F..%2Fpackage.json`)).status).toBe(404);
      expect((await fetch(`${base}/manifest.json`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
    await expect(fetch(`${base}/manifest.json`)).rejects.toThrow();
  });
});
