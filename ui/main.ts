/**
 * The plugin UI (iframe) entry. The controller (app.ts) wires the bridge, the engine and the
 * views; test pages (scripts/build-lib.mjs, buildUiPage with testHook) also expose it as `window.__cutout` for
 * the browser tests and the bench to read its state. The define is read here, not through a
 * module constant, so that esbuild drops the hook from product bundles altogether.
 */
import { App } from './app.js';
import type { Timeline } from './timeline.js';

export type { Timeline } from './timeline.js';

declare const __CUTOUT_TEST_HOOK__: boolean | undefined;

declare global {
  interface Window {
    __cutout?: { app: App; timeline: Timeline };
  }
}

const app = new App();
if (typeof __CUTOUT_TEST_HOOK__ !== 'undefined' && __CUTOUT_TEST_HOOK__) window.__cutout = { app, timeline: app.timeline };
