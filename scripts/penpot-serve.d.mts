export declare const DEFAULT_PORT: number;

export interface PenpotServer {
  port: number;
  /** http://localhost:<port> */
  url: string;
  close(): Promise<void>;
}

/** Serves `dir` (default dist/penpot) on loopback at `port` (0: any free port; default 4400). */
export declare function startPenpotServer(options?: { port?: number; dir?: string }): Promise<PenpotServer>;
