/**
 * The Penpot plugin: the shared controller (plugin/host/controller.ts) over the Penpot host.
 * Kept as a function so tests can start it against the fake as often as they like.
 */
import { type PluginController, startController } from '../host/controller.js';
import { penpotHost } from './host.js';

export type { PluginController } from '../host/controller.js';

export function startPenpotPlugin(command?: string): PluginController {
  return startController(penpotHost(command));
}
