/**
 * Node side of the Penpot end-to-end harness: bundles penpot-host-entry.ts (the Penpot fake +
 * Penpot's plugin loading and message relay) for the browser, serves it with the REAL
 * dist/penpot/plugin.js and dist/penpot/ui.html, a manifest whose host is this server (what
 * `CUTOUT_PENPOT_HOST=<origin> npm run build` writes) and the analytic models, all on
 * 127.0.0.1; drives headless Chromium and reads the fake's document back.
 *
 * The scenes are data (PENPOT_SHOTS / PENPOT_PRODUCTS below): the browser builds the fake's
 * document from them (start config), and the Node side computes the ground truth from the same
 * ImageSpecs of scenes.ts. They mirror the Figma e2e's pages with Penpot's rules: positions
 * are page coordinates whatever the nesting (no transform is inherited), and a flex board must
 * not be rotated (Penpot lays out unrotated boards; the fake refuses the rest).
 */
import { readFileSync } from 'node:fs';
import { decodePng } from '../../core/image/png.js';
import type { RgbaImage } from '../../core/image/types.js';
import { penpotManifest } from '../../plugin/penpot/manifest.js';
import type { SourceInfo } from '../../plugin/protocol.js';
import type { ExportLogEntry } from '../penpot/fake/index.js';
import { type Mat, ap, inv, mul } from '../figma/fake/affine.js';
import { ensureTestPenpotBuilt, TEST_PENPOT_DIR } from '../helpers/build.js';
import { type BrowserHarness, bytesFrom, distFile, type E2ESession, harnessPage, startBrowserHarness } from './common.js';
import { type Box, corners, coverFit, type PageGrid, type Pt } from './measure.js';
import { COLLAGE, type ImageSpec, layerSpec, PHOTO, PRODUCTS_PAGE } from './scenes.js';

export type { Pt } from './measure.js';

export const VIEWPORT = { width: 1060, height: 720 };

// ---- the scenes ------------------------------------------------------------------------------

export interface PenpotItem {
  kind: 'board' | 'group' | 'image' | 'rect';
  name: string;
  /** Parent board or group, by name (absent: the page root). Groups are made from their members at the end. */
  parent?: string;
  /** The UNROTATED box in page coordinates (ignored for flex children: the layout places them). */
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  /** Degrees, clockwise, about the box's centre. */
  rotation?: number;
  flipX?: boolean;
  /** Fill colour (boards: none when absent). */
  color?: string;
  /** A flex board (row, no wrap, align start). */
  flex?: { padding: number; gap: number };
  image?: ImageSpec;
  /** The image fill's keepAspectRatio: cover (true) or stretch (absent / false). */
  keepAspectRatio?: boolean;
  locked?: boolean;
  hidden?: boolean;
}

export interface PenpotPageSpec {
  name: string;
  items: PenpotItem[];
}

/** The interactive scenarios (Figma's "Shots" page, with Penpot's rules). */
export const PENPOT_SHOTS: PenpotPageSpec = {
  name: 'Shots',
  items: [
    { kind: 'board', name: 'Card', x: 80, y: 520, width: 760, height: 460, rotation: 6, color: '#f6f6f6' },
    { kind: 'board', name: 'Panel', parent: 'Card', x: 110, y: 570, width: 700, height: 380 },
    { kind: 'board', name: 'Row', parent: 'Panel', x: 130, y: 590, width: 660, height: 340, flex: { padding: 18, gap: 14 }, color: '#e4e8f0' },
    { kind: 'rect', name: 'Swatch', parent: 'Row', width: 120, height: 120, color: '#f0783c' },
    // Rotated inside the flex row: the layout places its bounds, the vector mask must follow its turn.
    { kind: 'image', name: 'Nested photo', image: PHOTO, parent: 'Row', width: 384, height: 288, rotation: -10 },
    { kind: 'image', name: 'Photo', image: PHOTO, x: 40, y: 40, width: 512, height: 384 },
    // Cover-fitted into a wider box (keepAspectRatio): the box shows image rows 72 … 312 only, so the
    // object (rows 64 … 320) overflows it and the cutout must be cropped (Penpot fills cannot crop).
    { kind: 'image', name: 'Tilted photo', image: PHOTO, x: 700, y: 200, width: 256, height: 120, rotation: 30, keepAspectRatio: true },
  ],
};

/** "Split into layers": a collage of K shapes next to another layer. */
export const PENPOT_COLLAGE: PenpotPageSpec = {
  name: 'Collage',
  items: [
    { kind: 'rect', name: 'Below', x: 0, y: 0, width: 60, height: 60, color: '#f0783c' },
    { kind: 'image', name: 'Collage', image: COLLAGE, x: 80, y: 60, width: 320, height: 240 },
    { kind: 'rect', name: 'Above', x: 500, y: 0, width: 60, height: 60, color: '#3c78f0' },
  ],
};

/** "Remove background" over product shots in nested boards (Figma's "Products" page + a hidden one). */
const product = (name: string) => layerSpec(PRODUCTS_PAGE, name).image;
export const PENPOT_PRODUCTS: PenpotPageSpec = {
  name: 'Products',
  items: [
    { kind: 'board', name: 'Catalog', x: 0, y: 0, width: 900, height: 760, color: '#f6f6f6' },
    { kind: 'board', name: 'Shelf', parent: 'Catalog', x: 40, y: 40, width: 600, height: 260, flex: { padding: 24, gap: 16 }, color: '#e8ecf2' },
    { kind: 'image', name: 'Bottle', image: product('Bottle'), parent: 'Shelf', width: 240, height: 180 },
    { kind: 'image', name: 'Shoe', image: product('Shoe'), parent: 'Shelf', width: 200, height: 200, keepAspectRatio: true },
    { kind: 'board', name: 'Inner', parent: 'Catalog', x: 60, y: 380, width: 460, height: 300, rotation: -12 },
    { kind: 'board', name: 'Deep', parent: 'Inner', x: 80, y: 400, width: 400, height: 260, rotation: -12, color: '#e2e2e2' },
    { kind: 'image', name: 'Mug', image: product('Mug'), parent: 'Deep', x: 150, y: 440, width: 200, height: 150, rotation: 8 },
    { kind: 'group', name: 'Hero', parent: 'Catalog' },
    { kind: 'image', name: 'Lamp', image: product('Lamp'), parent: 'Hero', x: 660, y: 320, width: 150, height: 200, flipX: true },
    { kind: 'image', name: 'Chair', image: product('Chair'), x: 1000, y: 100, width: 200, height: 150 },
    { kind: 'image', name: 'Locked photo', image: product('Chair'), x: 1000, y: 400, width: 200, height: 150, locked: true },
    { kind: 'image', name: 'Hidden photo', image: product('Chair'), x: 1000, y: 600, width: 200, height: 150, hidden: true },
  ],
};

export function penpotLayer(page: PenpotPageSpec, name: string): PenpotItem & { image: ImageSpec } {
  const item = page.items.find((i) => i.kind === 'image' && i.name === name);
  if (!item?.image) throw new Error(`no image layer ${name} on ${page.name}`);
  return item as PenpotItem & { image: ImageSpec };
}

// ---- what the browser and Node share -----------------------------------------------------------

export interface PenpotStartConfig {
  page: PenpotPageSpec;
  /** Layer names selected before the plugin starts. */
  select: string[];
  /** penpot.localStorage contents (the plugin's own keys, values as stored: strings). */
  localStorage: Record<string, string>;
  theme: 'light' | 'dark';
  /** Where Penpot fetches the manifest from (the plugin's code and UI are resolved against its host). */
  manifestUrl: string;
}

export interface PenpotBridgeEntry {
  t: number;
  /** 'host': penpot.ui.open made the modal; 'load': the plugin code was evaluated. */
  dir: 'to-ui' | 'to-plugin' | 'host' | 'load';
  type: string;
  requestId?: number;
  /** notice messages: their text. */
  message?: string;
  /** image messages: what the plugin said of the pixels it sent (origin, pixel size, note). */
  source?: SourceInfo;
  /** selection and batch-items messages: the sources listed. */
  sources?: SourceInfo[];
}

/** A shape as the fake holds it (the TRUE geometry) plus what the plugin API reports. */
export interface PenpotNodeInfo {
  id: string;
  type: string;
  name: string;
  parent: string | null;
  /** Index in the parent's :shapes (0 = bottom of the stack in ordinary parents). */
  index: number;
  /** Position in the order the parent PAINTS its children (0 first = bottom): differs from index in layout boards. */
  paintIndex: number;
  parentHasLayout: boolean;
  hidden: boolean;
  blocked: boolean;
  width: number;
  height: number;
  /** local → page, from the fake's model (not from what the API reports). */
  transform: Mat;
  reported: { x: number; y: number; rotation: number; flipX: boolean; flipY: boolean };
  fills: Array<{ fillColor?: string; fillOpacity?: number; fillImage?: { id: string; width: number; height: number; keepAspectRatio?: boolean; mtype?: string } }>;
  strokes: Array<Record<string, unknown>>;
  masked: boolean;
  /** Path data (page coordinates, M/L/C/Z). */
  d?: string;
  children: string[];
  pluginData: Record<string, string>;
  layoutAbsolute: boolean;
  layoutZIndex: number;
  /** The complete shape state (JSON): equality means "untouched". */
  state: string;
}

export interface PenpotStarted {
  ids: Record<string, string>;
  uiOpen: { name: string; url: string; src: string; options?: { width: number; height: number } };
  iframe: { sandbox: string; src: string; width: number; height: number };
  /** Globals of the page hidden from the plugin code (the SES sandbox lacks them). */
  shadowed: number;
}

// ---- build ----------------------------------------------------------------------------------

/** The Penpot folder made from the test page. */
const PENPOT_DIST = TEST_PENPOT_DIR;

/** dist/test/penpot/ (and the test page it copies) when missing or older than anything they are built from. */
export const ensurePenpotBuilt = ensureTestPenpotBuilt;

/** The harness page: the fake's rendering of the page on the left, Penpot's plugin modal on the right. */
export function penpotHarnessHtml(): string {
  return harnessPage({
    title: 'Cutout · Penpot e2e harness',
    css: `  html,body{margin:0;background:#18181a;font:12px/1.4 'Work Sans',Inter,system-ui,sans-serif;color:#aab5bd}
  #doc,#sel{background:#e8e9ea;border-radius:8px}
  #modal{display:none;flex-direction:column;background:#1d1f20;border:1px solid #2e3434;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.4);overflow:hidden}
  #modal header{display:flex;justify-content:space-between;align-items:center;height:36px;padding:0 12px;color:#e8e9ea;font-weight:600;border-bottom:1px solid #2e3434}
  #modal iframe{display:block;border:0}`,
    docHeight: 430,
    selHeight: 200,
    window: '<div id="modal"><header><span id="modal-title"></span><span>✕</span></header><div id="ui-slot"></div></div>',
  });
}

// ---- the harness --------------------------------------------------------------------------------

export interface PenpotHarness extends BrowserHarness {
  open(config: Omit<PenpotStartConfig, 'manifestUrl'>): Promise<PenpotSession>;
}

export interface PenpotState {
  undoEntries: number;
  undoOps: string[][];
  openBlocks: number;
  selection: string[];
  closed: boolean;
  modal: { width: number; height: number; src: string } | null;
  validationErrors: string[];
  consoleMessages: string[];
  error?: string;
}

export interface PenpotSession extends E2ESession<PenpotNodeInfo, PenpotState, PenpotBridgeEntry> {
  started: PenpotStarted;
  mediaBytes(id: string): Promise<Uint8Array>;
  /** The latest pixels the plugin sent the UI for `sourceId` (its last `image` message), with how they were made. */
  seenSource(sourceId: string): Promise<SeenSource>;
}

/** A source as the UI got it: the plugin's SourceInfo, the pixels, and for a rendering the export that made them. */
export interface SeenSource {
  info: SourceInfo;
  requestId: number;
  /** The image message's pixels, decoded. */
  image: RgbaImage;
  /** origin 'export': the fake's record of the shape.export behind them (scale, pixel size, page-space box). */
  export?: ExportLogEntry;
  /** origin 'export': the box the fake's exporter captures for the shape now. */
  exportBoxNow?: Box;
}

export async function startPenpotHarness(routes: { samDir: string; salientDir: string }): Promise<PenpotHarness> {
  const h = await startBrowserHarness({
    viewport: VIEWPORT,
    page: ['/e2e-penpot.html', penpotHarnessHtml()],
    hostEntry: 'test/e2e/penpot-host-entry.ts',
    models: routes,
    routes: {
      '/plugin.js': distFile(`${PENPOT_DIST}/plugin.js`),
      '/ui.html': distFile(`${PENPOT_DIST}/ui.html`),
      '/icon.png': { body: readFileSync(`${PENPOT_DIST}/icon.png`), headers: { 'Content-Type': 'image/png' } },
    },
  });
  // The manifest as a plain `npm run build` writes it (host http://localhost:4400), served from
  // this server: Penpot ignores the manifest's host and loads everything from where the
  // manifest came from, so the plugin must work from here all the same.
  h.server.setRoute('/manifest.json', { body: JSON.stringify(penpotManifest()), headers: { 'Content-Type': 'application/json' } });
  return {
    ...h,
    async open(config) {
      const full: PenpotStartConfig = { ...config, manifestUrl: `${h.server.url}/manifest.json` };
      const { session, started } = await h.open<PenpotNodeInfo, PenpotState, PenpotBridgeEntry, PenpotStarted>(full, { screenshotPrefix: 'penpot-e2e-', noun: 'shape' });
      return {
        ...session,
        started,
        mediaBytes: (id) => bytesFrom(session, 'mediaBase64', id, 'media'),
        async seenSource(sourceId) {
          const entry = (await session.log()).filter((e) => e.dir === 'to-ui' && e.type === 'image' && e.source?.id === sourceId).at(-1);
          if (!entry?.source || entry.requestId === undefined) throw new Error(`the plugin sent no image of ${sourceId}`);
          const b64 = await session.call<string | null>('imageBase64', entry.requestId);
          if (b64 === null) throw new Error(`no bytes recorded for image request ${entry.requestId}`);
          const image = decodePng(new Uint8Array(Buffer.from(b64, 'base64')));
          const seen: SeenSource = { info: entry.source, requestId: entry.requestId, image };
          if (entry.source.origin === 'export') {
            seen.export = (await session.call<ExportLogEntry[]>('exports')).filter((e) => e.shapeId === sourceId).at(-1);
            seen.exportBoxNow = await session.call<Box>('exportBox', sourceId);
          }
          return seen;
        },
      };
    },
  };
}

// ---- geometry, independent of plugin/penpot/geometry.ts ------------------------------------------

export const scaleMat = (sx: number, sy: number): Mat => [
  [sx, 0, 0],
  [0, sy, 0],
];

/**
 * Image pixel (u, v) → page for a shape whose (first) fill is the image: stretched over the box,
 * or with keepAspectRatio scaled to cover it, centred (Penpot draws an SVG <image> with
 * preserveAspectRatio "xMidYMid slice" then).
 */
export function imageToPage(n: PenpotNodeInfo, image: { width: number; height: number }): Mat {
  const keep = n.fills[0]?.fillImage?.keepAspectRatio === true;
  return mul(n.transform, keep ? coverFit(n, image) : scaleMat(n.width / image.width, n.height / image.height));
}

/** The part of the image (image pixels) the shape's box shows. */
export function visibleInImage(n: PenpotNodeInfo, image: { width: number; height: number }): Box {
  const m = mul(inv(n.transform), imageToPage(n, image)); // image → local: a scale and an offset
  const x0 = Math.max(0, -m[0][2] / m[0][0]);
  const y0 = Math.max(0, -m[1][2] / m[1][1]);
  const x1 = Math.min(image.width, (n.width - m[0][2]) / m[0][0]);
  const y1 = Math.min(image.height, (n.height - m[1][2]) / m[1][1]);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Source pixels → page for the pixels the UI got, from the fake's own model: a fill's image
 * pixels through the shape's TRUE geometry (imageToPage), an export's pixels over the box the
 * fake's exporter captured (pixel (px, py) ↔ page (box.x + px·box.width/W, box.y + py·box.height/H)).
 */
export function sourceToPage(seen: SeenSource, n: PenpotNodeInfo, image: { width: number; height: number }): Mat {
  if (seen.info.origin === 'fill') return imageToPage(n, image);
  const box = seen.export!.box;
  return [
    [box.width / seen.info.width, 0, box.x],
    [0, box.height / seen.info.height, box.y],
  ];
}

/** The pixel grid of the pixels the UI got, on the page. */
export function sourceGrid(seen: SeenSource, n: PenpotNodeInfo, image: { width: number; height: number }): PageGrid {
  return { width: seen.info.width, height: seen.info.height, toPage: sourceToPage(seen, n, image) };
}

/** Where the user clicks in the UI's image (source pixels) to hit image pixel `p` of the layer's picture. */
export function clickInSource(seen: SeenSource, n: PenpotNodeInfo, image: { width: number; height: number }, p: { x: number; y: number }): { x: number; y: number } {
  const [x, y] = ap(inv(sourceToPage(seen, n, image)), ...ap(imageToPage(n, image), p.x, p.y));
  return { x, y };
}

/** Whether page point (x, y) lies in the shape's box (where it shows its fill). */
export function insideShape(n: PenpotNodeInfo): (x: number, y: number) => boolean {
  const toLocal = inv(n.transform);
  return (x, y) => {
    const [lx, ly] = ap(toLocal, x, y);
    return lx >= 0 && ly >= 0 && lx < n.width && ly < n.height;
  };
}

export function shapeCorners(n: PenpotNodeInfo): Pt[] {
  return corners(n.transform, { x: 0, y: 0, width: n.width, height: n.height });
}

/**
 * How a result's PNG pixels land on its source's pixels: `pngToSource` maps PNG pixel
 * coordinates to source image pixel coordinates; for an exact placement it is the identity plus
 * a whole-pixel offset. Returns how far it is from that (linear part, and offset from whole pixels).
 */
export function gridError(pngToSource: Mat): { linear: number; offGrid: number; offset: Pt } {
  const linear = Math.max(Math.abs(pngToSource[0][0] - 1), Math.abs(pngToSource[0][1]), Math.abs(pngToSource[1][0]), Math.abs(pngToSource[1][1] - 1));
  const tx = pngToSource[0][2];
  const ty = pngToSource[1][2];
  return { linear, offGrid: Math.max(Math.abs(tx - Math.round(tx)), Math.abs(ty - Math.round(ty))), offset: [tx, ty] };
}

export { inv, mul, ap };
