/**
 * The UI end of plugin/protocol.ts, for every host. The page learns its host from the URL
 * (`?host=penpot`; anything else is Figma, which opens the page without a query):
 *
 *   figma   outgoing `parent.postMessage({ pluginMessage: msg }, '*')` (Figma relays it to
 *           `figma.ui.onmessage`); incoming `event.data.pluginMessage`.
 *   penpot  raw both ways: `parent.postMessage(msg, '*')` reaches `penpot.ui.onMessage` as is,
 *           and `penpot.ui.sendMessage(msg)` arrives as `event.data === msg`.
 *
 * Incoming data without a protocol shape, or with a type the host never sends (other plugins',
 * devtools', or this page's own messages when it runs top-level), is ignored. Requests that
 * expect an answer carry a requestId; `request` resolves with the reply of that id or rejects
 * with the host's `error` for it.
 */
import { CutoutError, ErrorCode } from '../core/errors.js';
import { errorFromInfo } from './errors.js';
import { isHostMessage, type HostMessage, type HostName, type MessageOf, type UiMessage } from '../plugin/protocol.js';

export type HostType = HostMessage['type'];
export type HostOf<T extends HostType> = MessageOf<HostMessage, T>;

/** The two ends the bridge needs; `windowPort()` is the real one. */
export interface Port {
  post(data: unknown): void;
  listen(handler: (data: unknown) => void): () => void;
}

export function windowPort(win: Window = window): Port {
  return {
    post: (data) => win.parent.postMessage(data, '*'),
    listen: (handler) => {
      const fn = (e: MessageEvent) => handler(e.data);
      win.addEventListener('message', fn);
      return () => win.removeEventListener('message', fn);
    },
  };
}

/** How a host wraps protocol messages on the wire. */
export interface Envelope {
  wrap(msg: UiMessage): unknown;
  /** The protocol message inside `data`, or undefined when `data` is not one of ours. */
  unwrap(data: unknown): unknown;
}

export const ENVELOPES: Record<HostName, Envelope> = {
  figma: {
    wrap: (msg) => ({ pluginMessage: msg }),
    unwrap: (data) => (typeof data === 'object' && data !== null ? (data as { pluginMessage?: unknown }).pluginMessage : undefined),
  },
  penpot: {
    wrap: (msg) => msg,
    unwrap: (data) => data,
  },
};

/** The editor's name for messages the user reads. */
export const HOST_LABELS: Record<HostName, string> = { figma: 'Figma', penpot: 'Penpot' };

/**
 * The page's query: `location.search`, plus the parameters of a `#/?…` hash (Penpot's manifest
 * version 2 moves the UI URL's query there). Unchanged when the hash has none.
 */
export function pageQuery(loc: { search: string; hash: string } = location): string {
  const i = loc.hash.indexOf('?');
  if (i < 0) return loc.search;
  const params = new URLSearchParams(loc.search);
  for (const [k, v] of new URLSearchParams(loc.hash.slice(i + 1))) if (!params.has(k)) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The host named by the page URL: `?host=penpot`, else Figma (which adds no query). */
export function hostFromQuery(search: string): HostName {
  return new URLSearchParams(search).get('host') === 'penpot' ? 'penpot' : 'figma';
}

/** Every type a host sends (typed so that a new HostMessage type must be listed here). */
const HOST_TYPES: Record<HostType, true> = {
  init: true,
  selection: true,
  image: true,
  applied: true,
  'batch-items': true,
  'batch-counts': true,
  'batch-done': true,
  error: true,
  theme: true,
  notice: true,
};

function isKnownHostMessage(v: unknown): v is HostMessage {
  return isHostMessage(v) && (HOST_TYPES as Record<string, unknown>)[v.type] === true;
}

type Handler = (msg: HostMessage) => void;

export class Bridge {
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly waiters = new Map<number, { reply: string; resolve(m: HostMessage): void; reject(e: Error): void }>();
  private nextId = 1;
  private readonly stop: () => void;
  private readonly envelope: Envelope;

  constructor(
    private readonly port: Port,
    readonly host: HostName = 'figma',
  ) {
    this.envelope = ENVELOPES[host];
    this.stop = port.listen((data) => {
      const msg = this.envelope.unwrap(data);
      if (isKnownHostMessage(msg)) this.dispatch(msg);
    });
  }

  send(msg: UiMessage): void {
    this.port.post(this.envelope.wrap(msg));
  }

  on<T extends HostType>(type: T, fn: (msg: HostOf<T>) => void): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(fn as Handler);
    return () => set!.delete(fn as Handler);
  }

  requestId(): number {
    return this.nextId++;
  }

  /**
   * Sends a message with a requestId and waits for the host's reply of type `reply` with the
   * same id (or its `error`). `timeoutMs` 0 waits forever.
   */
  request<T extends HostType>(msg: UiMessage & { requestId: number }, reply: T, timeoutMs = 0): Promise<HostOf<T>> {
    const id = msg.requestId;
    return new Promise<HostOf<T>>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          this.waiters.delete(id);
          reject(new CutoutError(ErrorCode.State, `${HOST_LABELS[this.host]} did not answer (${msg.type}) within ${Math.round(timeoutMs / 1000)} s.`));
        }, timeoutMs);
      }
      this.waiters.set(id, {
        reply,
        resolve: (m) => {
          if (timer) clearTimeout(timer);
          resolve(m as HostOf<T>);
        },
        reject: (e) => {
          if (timer) clearTimeout(timer);
          reject(e);
        },
      });
      this.send(msg);
    });
  }

  /** Rejects a pending request (e.g. the user cancelled). */
  abandon(requestId: number, reason: Error): void {
    const w = this.waiters.get(requestId);
    if (!w) return;
    this.waiters.delete(requestId);
    w.reject(reason);
  }

  dispose(): void {
    this.stop();
    this.handlers.clear();
  }

  private dispatch(msg: HostMessage): void {
    const id = (msg as { requestId?: number }).requestId;
    if (id !== undefined) {
      const w = this.waiters.get(id);
      if (w && (msg.type === w.reply || msg.type === 'error')) {
        this.waiters.delete(id);
        if (msg.type === 'error') w.reject(errorFromInfo(msg.error));
        else w.resolve(msg);
        return;
      }
    }
    this.handlers.get(msg.type)?.forEach((fn) => fn(msg));
  }
}
