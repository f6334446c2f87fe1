/** What the e2e host page (host-entry.ts, in the browser) and the Node side (harness.ts) share. */

export const HTML_MARKER = '<!-- Cutout UI: dist/ui.html, served by the e2e harness at /ui.html -->';

export interface StartConfig {
  command: 'cutout' | 'remove-bg' | 'split' | 'edit';
  /** Name of the current page. */
  page: 'Shots' | 'Products' | 'Collage';
  /** Layer names to select before the plugin starts. */
  select: string[];
  /** clientStorage contents before the plugin starts. */
  storage: Record<string, unknown>;
  /** Query string for ui.html (e.g. '?theme=light'). */
  uiQuery?: string;
}

export interface BridgeEntry {
  t: number;
  /** 'host': figma.showUI opened the iframe. */
  dir: 'to-ui' | 'to-plugin' | 'host';
  type: string;
  requestId?: number;
}

export interface NodeInfo {
  id: string;
  type: string;
  name: string;
  parent: string | null;
  index: number;
  visible: boolean;
  locked: boolean;
  width: number;
  height: number;
  relativeTransform: Transform;
  absoluteTransform: Transform;
  fills: unknown[];
  isMask: boolean;
  vectorPaths?: Array<{ windingRule: string; data: string }>;
  children: string[];
  pluginSource: string;
  relaunch: Record<string, string>;
  layoutPositioning?: string;
  /** The node's complete state (JSON): equality means "untouched". */
  state: string;
}
