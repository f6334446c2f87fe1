/**
 * The one declaration manifest.json is generated from (build.mjs writes it). Figma's manifest
 * rules: https://developers.figma.com/docs/plugins/manifest (see also shared/FIGMA.md).
 *
 * networkAccess lists only where model files come from (models/registry.ts allowedHosts():
 * bare hosts, some wildcards such as *.hf.co, each given here as https://<host>) plus, when the
 * build fetches onnxruntime-web's .wasm from a CDN instead of inlining it, that CDN's host.
 * The default build inlines the wasm, so no runtime host is listed. Menu entries and relaunch
 * buttons come from the one command declaration, plugin/commands.ts.
 */
import { COMMANDS } from '../commands.js';

export interface FigmaManifest {
  name: string;
  id: string;
  api: string;
  main: string;
  ui: string;
  editorType: Array<'figma' | 'figjam' | 'dev' | 'slides'>;
  documentAccess: 'dynamic-page';
  networkAccess: { allowedDomains: string[]; reasoning: string; devAllowedDomains: string[] };
  menu: Array<{ name: string; command: string } | { separator: true }>;
  relaunchButtons: Array<{ command: string; name: string; multipleSelection?: boolean }>;
}

export interface ManifestOptions {
  /** URL the UI fetches onnxruntime-web's .wasm from (absent: the build inlines it). */
  wasmUrl?: string;
}

const HOST = /^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+(:\d+)?$/i;

function origin(host: string): string {
  const h = host.trim().replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
  if (!HOST.test(h)) throw new Error(`Not a host name for networkAccess: "${host}"`);
  return `https://${h.toLowerCase()}`;
}

export function figmaManifest(allowedHosts: string[], options: ManifestOptions = {}): FigmaManifest {
  const domains = allowedHosts.map(origin);
  if (options.wasmUrl) domains.push(origin(new URL(options.wasmUrl).host));
  const allowedDomains = [...new Set(domains)].sort();
  return {
    name: 'Cutout',
    id: 'cutout-local',
    api: '1.0.0',
    main: 'dist/code.js',
    ui: 'dist/ui.html',
    editorType: ['figma'],
    documentAccess: 'dynamic-page',
    networkAccess: {
      allowedDomains: allowedDomains.length ? allowedDomains : ['none'],
      reasoning:
        'Cutout downloads the Segment Anything and background-removal model files it runs locally ' +
        '(Hugging Face and its file CDN' +
        (options.wasmUrl ? ', and the onnxruntime-web WebAssembly runtime' : '') +
        '). Images never leave your machine: nothing is uploaded.',
      devAllowedDomains: ['http://localhost:*', 'http://127.0.0.1:*'],
    },
    menu: COMMANDS.filter((c) => c.placement === 'menu').map((c) => ({ name: c.title, command: c.id })),
    relaunchButtons: COMMANDS.filter((c) => c.placement === 'relaunch').map((c) => ({ command: c.id, name: c.title })),
  };
}
