/**
 * The Figma main thread: the shared controller (plugin/host/controller.ts) over the Figma host.
 * Kept as a function so tests can start the plugin against the fake as often as they like.
 */
import { type PluginController, startController } from '../host/controller.js';
import { figmaHost } from './host.js';

export type { PluginController } from '../host/controller.js';
export { UI_SIZE } from '../host/controller.js';

export function startPlugin(): PluginController {
  return startController(figmaHost());
}
