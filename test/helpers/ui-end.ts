/**
 * The UI end of a fake editor's plugin-UI channel (Figma's figma.ui, Penpot's penpot.ui): what
 * the iframe would see and send, with waiting helpers for tests. Pure TypeScript: the browser
 * harnesses bundle it too.
 */
export class FakeUiEnd {
  /** Every message the plugin posted, in order (structured clones). */
  readonly received: unknown[] = [];
  private readonly waiters: { pred: (m: unknown) => boolean; resolve: (m: unknown) => void; from: number }[] = [];
  private readonly sinks = new Set<(m: unknown) => void>();
  /** Set by the fake's plugin side: delivers a UI → plugin message. */
  deliverToPlugin: (m: unknown) => void;

  /** `label` names the fake in timeouts; `undelivered` runs for a message sent before the plugin listens. */
  constructor(
    private readonly label: string,
    undelivered: (m: unknown) => void,
  ) {
    this.deliverToPlugin = undelivered;
  }

  /** Plugin → UI (called by the fake's postMessage / sendMessage). */
  receive(m: unknown): void {
    this.received.push(m);
    for (const s of this.sinks) s(m);
    for (const w of [...this.waiters]) {
      if (this.received.length - 1 >= w.from && w.pred(m)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  }

  /** UI → plugin, as the iframe's `parent.postMessage` would: cloned, delivered on a later task. */
  send(m: unknown): void {
    const copy = structuredClone(m);
    setTimeout(() => this.deliverToPlugin(copy), 0);
  }

  /** Also forward every plugin message to `sink` (the e2e harness's iframe bridge). */
  attach(sink: (m: unknown) => void): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** The next message (from now, or from index `from`) that satisfies `pred`. */
  waitFor<T = unknown>(pred: (m: any) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<T> {
    const from = options.from ?? this.received.length;
    for (let i = from; i < this.received.length; i++) if (pred(this.received[i])) return Promise.resolve(this.received[i] as T);
    return new Promise<T>((resolve, reject) => {
      const w = { pred, resolve: resolve as (m: unknown) => void, from };
      this.waiters.push(w);
      const ms = options.timeoutMs ?? 10_000;
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error(`${this.label}: no matching message within ${ms} ms; received: ${JSON.stringify(this.received.map((r) => (r as { type?: string } | null)?.type))}`));
        }
      }, ms);
    });
  }

  /** Sends `m` (which has a requestId) and resolves with the plugin's answer to it. */
  request<T = any>(m: { requestId: number; type: string; [k: string]: unknown }, timeoutMs?: number): Promise<T> {
    const p = this.waitFor<T>((r) => r && typeof r === 'object' && r.requestId === m.requestId, { timeoutMs });
    this.send(m);
    return p;
  }

  ofType<T = any>(type: string): T[] {
    return this.received.filter((m) => (m as { type?: string } | null)?.type === type) as T[];
  }
}
