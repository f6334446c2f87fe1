/**
 * Node side of the Figma end-to-end harness: serves host-entry.ts (the Figma fake + the bridge)
 * with the REAL dist/code.js and dist/ui.html and the analytic models on 127.0.0.1, drives
 * headless Chromium, and reads the fake's document back (the host-independent part: common.ts).
 */
import type { GrayImage, RgbaImage } from '../../core/image/types.js';
import { type Mat, ap, inv, mul } from '../figma/fake/affine.js';
import { parseVectorPath } from '../figma/fake/index.js';
import { ensureFigmaBuilt, ensureTestUiBuilt, TEST_UI_HTML } from '../helpers/build.js';
import { type BrowserHarness, bytesFrom, distFile, type E2ESession, harnessPage, startBrowserHarness } from './common.js';
import { type Box, corners, coverFit, pngInSource, type Pt } from './measure.js';
import type { BridgeEntry, NodeInfo, StartConfig } from './shared.js';

export type { NodeInfo } from './shared.js';
export type { Pt } from './measure.js';

export const VIEWPORT = { width: 1040, height: 720 };

/** The harness page: the fake's rendering of the page on the left, the plugin window on the right. */
export function harnessHtml(): string {
  return harnessPage({
    title: 'Cutout · Figma e2e harness',
    css: `  html,body{margin:0;background:#e5e5e5;font:12px/1.4 Inter,system-ui,sans-serif;color:#333}
  #doc,#sel{background:#e5e5e5;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
  #ui-slot iframe{display:block;border:0;border-radius:8px;box-shadow:0 2px 14px rgba(0,0,0,.18);background:#fff}`,
    docHeight: 410,
    selHeight: 220,
    window: '<div id="ui-slot"></div>',
  });
}

/** Rebuilds dist/code.js and the test page (only those) when missing or older than anything they are built from. */
export function ensureBuilt(): void {
  ensureFigmaBuilt();
  ensureTestUiBuilt();
}

export interface FigmaState {
  undoSteps: number;
  selection: string[];
  notifications: Array<{ message: string; options?: NotificationOptions }>;
  closed: unknown;
  page: string;
  error?: string;
}

export interface Session extends E2ESession<NodeInfo, FigmaState, BridgeEntry> {
  showUI: { html: string; options?: ShowUIOptions };
  imageBytes(hash: string): Promise<Uint8Array>;
}

export interface E2EHarness extends BrowserHarness {
  open(config: StartConfig): Promise<Session>;
}

export async function startHarness(routes: { samDir: string; salientDir: string }): Promise<E2EHarness> {
  const h = await startBrowserHarness({
    viewport: VIEWPORT,
    page: ['/e2e.html', harnessHtml()],
    hostEntry: 'test/e2e/host-entry.ts',
    models: routes,
    routes: { '/code.js': distFile('dist/code.js'), '/ui.html': distFile(TEST_UI_HTML) },
  });
  return {
    ...h,
    async open(config) {
      const { session, started } = await h.open<NodeInfo, FigmaState, BridgeEntry, { ids: Record<string, string>; showUI: Session['showUI'] }>(config, { screenshotPrefix: 'e2e-', noun: 'node' });
      return { ...session, showUI: started.showUI, imageBytes: (hash) => bytesFrom(session, 'imageBase64', hash, 'image') };
    },
  };
}

// ---- geometry, independent of plugin/figma/placement.ts --------------------------------------

export const asMat = (t: Transform): Mat => [
  [t[0][0], t[0][1], t[0][2]],
  [t[1][0], t[1][1], t[1][2]],
];

/** Image pixel (u, v) → page, for a layer whose image fills it in FILL mode (Figma's rule: cover, centred). */
export function fillImageToPage(node: NodeInfo, image: { width: number; height: number }): Mat {
  return mul(asMat(node.absoluteTransform), coverFit(node, image));
}

export function nodeCorners(n: NodeInfo): Pt[] {
  return corners(asMat(n.absoluteTransform), { x: 0, y: 0, width: n.width, height: n.height });
}

/**
 * A cutout rectangle's IMAGE fill (CROP: imageTransform maps node-normalised → image-normalised)
 * resampled into source-image pixels (measure.ts pngInSource: alpha, opaque and equal pixels):
 * the source pixel's centre → the cutout's local space → the fill's pixel. `cutoutToSource`
 * maps the cutout node's local space to source-image pixels.
 */
export function fillInSource(cutout: NodeInfo, png: RgbaImage, cutoutToSource: Mat, source: RgbaImage): { alpha: GrayImage; opaque: number; equal: number } {
  const paint = cutout.fills[0] as { scaleMode: string; imageTransform?: Transform };
  const crop = paint.imageTransform ? asMat(paint.imageTransform) : ([[1, 0, 0], [0, 1, 0]] as Mat);
  const sourceToLocal = inv(cutoutToSource);
  return pngInSource(png, source, (u, v) => {
    const [lx, ly] = ap(sourceToLocal, u, v);
    if (!(lx >= 0 && ly >= 0 && lx < cutout.width && ly < cutout.height)) return null;
    const [nx, ny] = ap(crop, lx / cutout.width, ly / cutout.height);
    return [nx * png.width, ny * png.height];
  });
}

/**
 * Where a result node's box sits in source-image pixels: its axis-aligned bounds there and how far
 * its corners are from those bounds' corners (0 when the node is an axis-aligned rectangle of the
 * source's pixel grid) and from whole pixels.
 */
export function boxInSource(n: NodeInfo, nodeToSource: Mat): { rect: Box; skew: number; offGrid: number } {
  const c = nodeCorners({ ...n, absoluteTransform: [nodeToSource[0], nodeToSource[1]] as unknown as Transform });
  const xs = c.map((p) => p[0]);
  const ys = c.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  const x1 = Math.max(...xs);
  const y1 = Math.max(...ys);
  const skew = Math.max(...c.map((p) => Math.min(Math.abs(p[0] - x0), Math.abs(p[0] - x1)) + Math.min(Math.abs(p[1] - y0), Math.abs(p[1] - y1))));
  const offGrid = Math.max(...[x0, y0, x1, y1].map((v) => Math.abs(v - Math.round(v))));
  return { rect: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, skew, offGrid };
}

/** Path data through an affine map (M L Q C Z survive affine maps exactly); validates Figma's grammar. */
export function transformPath(data: string, m: Mat): string {
  const out: string[] = [];
  for (const seg of parseVectorPath(data)) {
    out.push(seg.cmd);
    for (let k = 0; k < seg.pts.length; k += 2) {
      const [x, y] = ap(m, seg.pts[k]!, seg.pts[k + 1]!);
      out.push(String(Math.round(x * 1e4) / 1e4), String(Math.round(y * 1e4) / 1e4));
    }
  }
  return out.join(' ');
}
