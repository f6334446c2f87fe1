/**
 * The models the picker offers: registry entries (with download size and licence) plus any
 * folder-URL models the host passes in `init.models` or the page's query string
 * (`?modelBaseUrl=<folder URL>&modelFiles=a.onnx,b.onnx[&modelKind=salient]`), which is how
 * test harnesses point the UI at files served from 127.0.0.1.
 */
import type { DownloadableFile } from '../core/models/download.js';
import type { SalientDescriptor } from '../core/models/salient-descriptor.js';
import { MODELS, modelDownloadBytes, type ModelEntry } from '../models/registry.js';
import type { ModelSourceSpec } from '../plugin/protocol.js';
import { formatBytes } from './format.js';

export type ModelKind = 'sam' | 'salient';

export interface ModelChoice {
  id: string;
  name: string;
  kind: ModelKind;
  license: string;
  /** Total download, when published. */
  bytes?: number;
  origin: 'registry' | 'url';
  files: DownloadableFile[];
  /** Salient registry entries: how to feed the graph. */
  descriptor?: SalientDescriptor;
  homepage?: string;
}

function fromEntry(e: ModelEntry): ModelChoice {
  return {
    id: e.id,
    name: e.name,
    kind: e.format === 'salient' ? 'salient' : 'sam',
    license: e.license,
    bytes: modelDownloadBytes(e),
    origin: 'registry',
    files: e.files.map((f) => ({ name: f.name, url: f.url, bytes: f.bytes, ...(f.sha256 ? { sha256: f.sha256 } : {}) })),
    ...(e.descriptor ? { descriptor: e.descriptor } : {}),
    homepage: e.homepage,
  };
}

function folderUrl(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}

export function fromSpec(spec: ModelSourceSpec): ModelChoice {
  const base = folderUrl(spec.baseUrl);
  return {
    id: spec.id,
    name: spec.name ?? spec.id,
    kind: spec.kind ?? 'sam',
    license: spec.license ?? 'see source',
    origin: 'url',
    files: spec.files.map((name) => ({ name, url: new URL(name, base).href })),
  };
}

/**
 * Folder-URL models named by the page's query string: `modelBaseUrl` + `modelFiles` (a SAM
 * model; `modelKind=salient` makes it a background model) and `salientBaseUrl` +
 * `salientFiles` (a background model). A model named this way is preselected (the page URL is
 * the most explicit choice there is): harnesses need no cooperation from the main thread.
 */
export function specsFromQuery(search: string): ModelSourceSpec[] {
  const q = new URLSearchParams(search);
  const list = (v: string | null) =>
    (v ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const out: ModelSourceSpec[] = [];
  const base = q.get('modelBaseUrl');
  const files = list(q.get('modelFiles'));
  if (base && files.length) {
    const kind = q.get('modelKind') === 'salient' ? 'salient' : 'sam';
    out.push({ id: q.get('modelId') ?? `url:${folderUrl(base)}`, name: q.get('modelName') ?? 'Model from URL', baseUrl: base, files, kind });
  }
  const sBase = q.get('salientBaseUrl');
  const sFiles = list(q.get('salientFiles'));
  if (sBase && sFiles.length) {
    out.push({ id: q.get('salientId') ?? `url:${folderUrl(sBase)}`, name: q.get('salientName') ?? 'Background model from URL', baseUrl: sBase, files: sFiles, kind: 'salient' });
  }
  return out;
}

/** The first query model (see specsFromQuery). */
export function specFromQuery(search: string): ModelSourceSpec | undefined {
  return specsFromQuery(search)[0];
}

/** Registry models of this kind, then the extra ones (extra ids shadow registry ids). */
export function modelChoices(kind: ModelKind, extra: readonly ModelSourceSpec[] = []): ModelChoice[] {
  const extras = extra.map(fromSpec).filter((c) => c.kind === kind);
  const ids = new Set(extras.map((c) => c.id));
  const registry = MODELS.map(fromEntry).filter((c) => c.kind === kind && !ids.has(c.id));
  return [...registry, ...extras];
}

/** The choice for `id`, else the first extra model (a harness's), else the first listed. */
export function pickModel(choices: readonly ModelChoice[], id: string | undefined): ModelChoice | undefined {
  return choices.find((c) => c.id === id) ?? choices.find((c) => c.origin === 'url') ?? choices[0];
}

/** Second line under the picker: "13.8 MB download · Apache-2.0". */
export function choiceDetail(c: ModelChoice): string {
  const size = c.bytes !== undefined ? `${formatBytes(c.bytes)} download` : 'size unknown';
  return `${size} · ${c.license}`;
}

/** Option label: name plus size (the registry's names sometimes already carry it). */
export function choiceLabel(c: ModelChoice): string {
  if (c.bytes === undefined || /\d\s?MB/.test(c.name)) return c.name;
  return `${c.name} · ${formatBytes(c.bytes)}`;
}

export type Quality = 'fast' | 'best';

/**
 * The two choices most people need, per kind: Fast (the smallest download, quickest clicks)
 * and Best (the most accurate registry model that runs in the plugin). Every other model is in
 * the settings' full list.
 */
export const QUALITY_MODELS: Record<ModelKind, Record<Quality, string>> = {
  sam: { fast: 'slimsam-77-q8', best: 'sam2.1-tiny-hf-q8' },
  salient: { fast: 'u2netp', best: 'birefnet-lite' },
};

/** Fast or Best when `id` is one of them, else undefined (a model from the full list or a URL). */
export function qualityOf(kind: ModelKind, id: string | undefined): Quality | undefined {
  const q = QUALITY_MODELS[kind];
  return id === q.fast ? 'fast' : id === q.best ? 'best' : undefined;
}

/** A model name without the size the registry sometimes adds ("SlimSAM-77 (8-bit, 14 MB)" → "SlimSAM-77 (8-bit)"). */
export function shortName(c: ModelChoice): string {
  return c.name.replace(/,\s*\d+(?:\.\d+)?\s?MB\)/, ')').replace(/\s*\(\s*\d+(?:\.\d+)?\s?MB\)/, '');
}
