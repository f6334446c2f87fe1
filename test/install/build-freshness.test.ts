/**
 * Browser and e2e tests run dist/ui.html (and dist/code.js, dist/penpot/) only after
 * ensureUiBuilt & co. said it is current: the check must know every file the bundle is built
 * from — core/, plugin/protocol.ts, the page template, the runtime — not only ui/.
 */
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, isBuildCurrent } from '../helpers/build.js';

const list = (out: string): string[] => JSON.parse(readFileSync(`dist/.inputs/${out.replace(/[\\/:]/g, '_')}.json`, 'utf8')) as string[];

describe('bundle freshness', () => {
  it('dist/ui.html records every input esbuild bundled, beyond ui/', () => {
    ensureUiBuilt();
    expect(isBuildCurrent('dist/ui.html')).toBe(true);
    const inputs = list('dist/ui.html');
    for (const f of ['ui/main.ts', 'ui/worker.ts', 'ui/index.html', 'ui/styles.css', 'plugin/protocol.ts', 'core/segment.ts', 'core/models/sam-model.ts', 'build.mjs', 'scripts/build-lib.mjs']) {
      expect(inputs, f).toContain(f);
    }
    expect(inputs.some((f) => f.startsWith('node_modules/onnxruntime-web/dist/') && f.endsWith('.wasm'))).toBe(true);
  });

  describe('a recorded output against its inputs', () => {
    const out = `dist/fresh-${process.pid}.html`;
    const src = `node_modules/.cache/cutout-test/fresh-${process.pid}.ts`;
    const record = (files: string[]) => {
      mkdirSync('dist/.inputs', { recursive: true });
      writeFileSync(`dist/.inputs/${out.replace(/[\\/:]/g, '_')}.json`, JSON.stringify(files));
    };
    afterAll(() => {
      for (const f of [out, src, `dist/.inputs/${out.replace(/[\\/:]/g, '_')}.json`]) rmSync(f, { force: true });
    });

    it('is stale when any input is newer, missing, or nothing was recorded', () => {
      mkdirSync('node_modules/.cache/cutout-test', { recursive: true });
      writeFileSync(src, 'export {};');
      writeFileSync(out, '<!doctype html>');
      const t = Date.now() / 1000;
      utimesSync(src, t - 60, t - 60);
      utimesSync(out, t - 30, t - 30);
      expect(isBuildCurrent(out)).toBe(false); // no list recorded
      record([src]);
      expect(isBuildCurrent(out)).toBe(true);
      utimesSync(src, t, t);
      expect(isBuildCurrent(out)).toBe(false); // an input changed after the build
      utimesSync(src, t - 60, t - 60);
      record([src, `${src}.gone`]);
      expect(isBuildCurrent(out)).toBe(false); // an input no longer exists
    });
  });
});
