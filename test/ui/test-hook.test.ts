/**
 * The controller is exposed as `window.__cutout` only in the test page: the product page the
 * plugin ships carries no trace of the hook.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTestUiBuilt, ensureUiBuilt, TEST_UI_HTML } from '../helpers/build.js';

/** The page's script without the inlined runtime (base64 cannot spell the name, but keep it exact). */
function script(path: string): string {
  const html = readFileSync(path, 'utf8');
  return html.replace(/<script type="application\/octet-stream"[\s\S]*?<\/script>/, '');
}

describe('window.__cutout test hook', () => {
  beforeAll(() => {
    ensureUiBuilt();
    ensureTestUiBuilt();
  }, 300_000);

  it('is absent from the product page and present in the test page', () => {
    expect(script('dist/ui.html')).not.toContain('__cutout');
    expect(script(TEST_UI_HTML)).toContain('__cutout');
  });
});
