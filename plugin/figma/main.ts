/**
 * Entry point of dist/code.js (Figma's main-thread sandbox: no DOM, es2017). Everything lives in
 * plugin.ts so tests can start the plugin against the fake as often as they like.
 */
import { startPlugin } from './plugin.js';

startPlugin();
