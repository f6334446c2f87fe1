/**
 * The UI end of plugin/protocol.ts. Outgoing: `parent.postMessage({ pluginMessage: msg }, '*')`
 * (Figma relays it to `figma.ui.onmessage`). Incoming: `event.data.pluginMessage` of window
 * message events; anything without a protocol shape is ignored. Requests that expect an
 * answer carry a requestId; `request` resolves with the reply of that id or rejects with the
 * host's `error` for it.
 */
import { CutoutError, ErrorCode } from '../core/errors.js';
import { errorFromInfo } from './errors.js';
import { isHostMessage, type HostMessage, type MessageOf, type UiMessage } from '../plugin/protocol.js';

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

type Handler = (msg: HostMessage) => void;

export class Bridge {
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly waiters = new Map<number, { reply: string; resolve(m: HostMessage): void; reject(e: Error): void }>();
  private nextId = 1;
  private readonly stop: () => void;

  constructor(private readonly port: Port) {
    this.stop = port.listen((data) => {
      const msg = (data as { pluginMessage?: unknown } | null)?.pluginMessage;
      if (isHostMessage(msg)) this.dispatch(msg);
    });
  }

  send(msg: UiMessage): void {
    this.port.post({ pluginMessage: msg });
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
          reject(new CutoutError(ErrorCode.State, `Figma did not answer (${msg.type}) within ${Math.round(timeoutMs / 1000)} s.`));
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
