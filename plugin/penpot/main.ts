/**
 * Entry point of dist/penpot/plugin.js (Penpot runs it in an SES compartment: no DOM, the
 * `penpot` global only). Penpot has no plugin menus: the plugin opens on "Cut out", and the
 * UI's mode switch offers the other commands.
 */
import { startPenpotPlugin } from './plugin.js';

startPenpotPlugin();
