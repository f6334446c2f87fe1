/**
 * Where downloaded model files are kept. The plugin iframe has a null origin, where
 * IndexedDB and localStorage are denied; the Cache API and the origin-private file system
 * are tried (each proven with a write-read round trip), else the files live in memory for
 * as long as the plugin is open and download again next time — the UI says so.
 */
import { MemoryModelStore, type ModelStore } from '../core/models/download.js';

export interface StoreInfo {
  store: ModelStore;
  kind: 'cache' | 'opfs' | 'memory';
  persistent: boolean;
  /** Plain-language note for the UI. */
  note: string;
}

const CACHE_NAME = 'cutout-models-v1';
const PROBE_KEY = 'probe:cutout';

function keyUrl(key: string): string {
  return `https://cutout.invalid/models/${encodeURIComponent(key)}`;
}

/** File-system-safe name for a store key. */
export function keyFileName(key: string): string {
  return key.replace(/[^a-zA-Z0-9._-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

class CacheStore implements ModelStore {
  constructor(private readonly cache: Cache) {}
  async get(key: string): Promise<Uint8Array | undefined> {
    const r = await this.cache.match(keyUrl(key));
    return r ? new Uint8Array(await r.arrayBuffer()) : undefined;
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.cache.put(keyUrl(key), new Response(bytes as Uint8Array<ArrayBuffer>));
  }
  async delete(key: string): Promise<void> {
    await this.cache.delete(keyUrl(key));
  }
}

interface OpfsDir {
  getFileHandle(name: string, o?: { create?: boolean }): Promise<{
    getFile(): Promise<File>;
    createWritable(): Promise<{ write(d: Uint8Array): Promise<void>; close(): Promise<void> }>;
  }>;
  removeEntry(name: string): Promise<void>;
  getDirectoryHandle(name: string, o?: { create?: boolean }): Promise<OpfsDir>;
}

class OpfsStore implements ModelStore {
  constructor(private readonly dir: OpfsDir) {}
  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const h = await this.dir.getFileHandle(keyFileName(key));
      return new Uint8Array(await (await h.getFile()).arrayBuffer());
    } catch {
      return undefined;
    }
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    const h = await this.dir.getFileHandle(keyFileName(key), { create: true });
    const w = await h.createWritable();
    await w.write(bytes);
    await w.close();
  }
  async delete(key: string): Promise<void> {
    await this.dir.removeEntry(keyFileName(key));
  }
}

async function proves(store: ModelStore): Promise<boolean> {
  const probe = new Uint8Array([99, 117, 116]);
  await store.put(PROBE_KEY, probe);
  const back = await store.get(PROBE_KEY);
  await store.delete?.(PROBE_KEY);
  return !!back && back.length === 3 && back[0] === 99 && back[2] === 116;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);
}

/** The best store that works here. Never throws. */
export async function openModelStore(options: { memoryBytes?: number } = {}): Promise<StoreInfo> {
  const g = globalThis as { caches?: CacheStorage; navigator?: { storage?: { getDirectory?: () => Promise<unknown> } } };
  try {
    if (g.caches) {
      const store = new CacheStore(await withTimeout(g.caches.open(CACHE_NAME), 2000));
      if (await withTimeout(proves(store), 2000)) {
        return { store, kind: 'cache', persistent: true, note: 'Models are kept on this computer after the first download.' };
      }
    }
  } catch {
    /* denied in a null-origin iframe: try the next */
  }
  try {
    const root = g.navigator?.storage?.getDirectory ? ((await withTimeout(g.navigator.storage.getDirectory(), 2000)) as OpfsDir) : undefined;
    if (root) {
      const store = new OpfsStore(await root.getDirectoryHandle('cutout-models', { create: true }));
      if (await withTimeout(proves(store), 2000)) {
        return { store, kind: 'opfs', persistent: true, note: 'Models are kept on this computer after the first download.' };
      }
    }
  } catch {
    /* denied: memory it is */
  }
  return {
    store: new MemoryModelStore({ maxBytes: options.memoryBytes ?? 400 * 1024 * 1024 }),
    kind: 'memory',
    persistent: false,
    note: 'The editor does not let this plugin window store files, so models download again each time the plugin opens.',
  };
}
