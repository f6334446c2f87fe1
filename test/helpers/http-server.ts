/**
 * A local HTTP server for tests: static bytes, whole directories, and injected faults.
 *
 * Listens on 127.0.0.1 on a free port and never talks to any other host. Each route maps a
 * path to a body (or a directory) plus what to do wrong with it:
 *
 *   const server = await startTestServer({
 *     '/ok.onnx': bytes,                                   // 200 with the bytes
 *     '/gone.onnx': { status: 404, body: 'not found' },
 *     '/cut.onnx': { body: bytes, truncateAt: 1000 },      // Content-Length of all, 1000 sent, socket destroyed
 *     '/slow.onnx': { body: bytes, chunkSize: 4096, chunkDelayMs: 5, chunked: true },
 *     '/moved.onnx': { redirect: '/ok.onnx' },             // 302 to another path (or absolute URL)
 *     '/late.onnx': { body: bytes, delayMs: 200 },         // headers after 200 ms
 *     '/stuck.onnx': { body: bytes, stallAt: 1000 },       // 1000 bytes, then silence with the socket open
 *     '/models/': { dir: '/abs/path/to/models' },          // every file below the directory
 *   });
 *   await fetch(server.url + '/ok.onnx');
 *   server.requests;                                       // ['/ok.onnx']
 *   await server.close();
 *
 * Responses carry `Access-Control-Allow-Origin: *` unless `cors: false`, so browser
 * end-to-end tests can fetch them from any origin (including the null origin).
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, resolve, sep } from 'node:path';

export interface RouteSpec {
  /** Response body. A string is sent as UTF-8. */
  body?: Uint8Array | string;
  /** Status code (default 200; 302 when `redirect` is set). */
  status?: number;
  /** Extra response headers; they override the defaults (Content-Type, Content-Length, CORS). */
  headers?: Record<string, string>;
  /** Announce the full Content-Length, send only this many bytes, then destroy the socket. */
  truncateAt?: number;
  /** Send this many bytes, then nothing more while keeping the connection open (a stall). */
  stallAt?: number;
  /** Redirect to this path or absolute URL (relative paths stay on this server). */
  redirect?: string;
  /** Wait this long before sending the status line and headers. */
  delayMs?: number;
  /** Send the body in pieces of this many bytes (default: all at once). */
  chunkSize?: number;
  /** Wait this long between pieces: a slow download. */
  chunkDelayMs?: number;
  /** Omit Content-Length and use chunked transfer encoding. */
  chunked?: boolean;
  /** Serve the files of this directory below the route's path (which must end with '/'). */
  dir?: string;
  /** Take over the response entirely. */
  handler?: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
}

export type Route = RouteSpec | Uint8Array | string;

export interface TestServerOptions {
  /** Add `Access-Control-Allow-Origin: *` to every response (default true). */
  cors?: boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface TestServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234. */
  url: string;
  port: number;
  /** Request paths in arrival order (path and query, as sent). */
  requests: string[];
  /** Every request with its method and headers. */
  log: RequestRecord[];
  /** Adds or replaces a route while the server runs. */
  setRoute(path: string, route: Route): void;
  /** Stops listening and drops open connections (slow responses included). */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.txt': 'text/plain; charset=utf-8',
};

function contentType(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

function normalize(route: Route): RouteSpec {
  return typeof route === 'string' || route instanceof Uint8Array ? { body: route } : route;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startTestServer(
  routes: Record<string, Route> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const table = new Map<string, RouteSpec>();
  for (const [path, route] of Object.entries(routes)) table.set(path, normalize(route));
  const cors = options.cors ?? true;
  const requests: string[] = [];
  const log: RequestRecord[] = [];
  const sockets = new Set<Socket>();
  let closing = false;

  const baseHeaders = (): Record<string, string> => (cors ? { 'Access-Control-Allow-Origin': '*' } : {});

  function findRoute(pathname: string): { spec: RouteSpec; rest?: string } | undefined {
    const exact = table.get(pathname);
    if (exact) return { spec: exact };
    // Longest directory prefix wins.
    let best: { spec: RouteSpec; rest: string; len: number } | undefined;
    for (const [prefix, spec] of table) {
      if (spec.dir && prefix.endsWith('/') && pathname.startsWith(prefix) && (!best || prefix.length > best.len)) {
        best = { spec, rest: pathname.slice(prefix.length), len: prefix.length };
      }
    }
    return best;
  }

  async function sendBody(req: IncomingMessage, res: ServerResponse, spec: RouteSpec, body: Uint8Array): Promise<void> {
    const status = spec.status ?? 200;
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', ...baseHeaders() };
    if (!spec.chunked) headers['Content-Length'] = String(body.length);
    Object.assign(headers, spec.headers ?? {});
    if (spec.delayMs) await sleep(spec.delayMs);
    if (closing) return;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const cut = spec.truncateAt ?? spec.stallAt;
    const limit = cut !== undefined ? Math.min(cut, body.length) : body.length;
    const size = spec.chunkSize && spec.chunkSize > 0 ? spec.chunkSize : limit || 1;
    for (let off = 0; off < limit; off += size) {
      if (closing || res.destroyed) return;
      const piece = body.subarray(off, Math.min(limit, off + size));
      await new Promise<void>((done) => res.write(piece, () => done()));
      if (spec.chunkDelayMs && off + size < limit) await sleep(spec.chunkDelayMs);
    }
    if (spec.truncateAt !== undefined) {
      // The client was promised more: cut the connection mid-body.
      res.socket?.destroy();
      return;
    }
    if (spec.stallAt !== undefined) return; // silent until the client gives up or close()
    res.end();
  }

  async function serveDir(req: IncomingMessage, res: ServerResponse, spec: RouteSpec, rest: string): Promise<void> {
    const root = resolve(spec.dir!);
    let relative: string;
    try {
      relative = decodeURIComponent(rest);
    } catch {
      relative = rest;
    }
    const full = resolve(root, relative);
    if (full !== root && !full.startsWith(root + sep)) {
      res.writeHead(403, baseHeaders()).end('outside the served directory');
      return;
    }
    let stat;
    try {
      stat = await fsp.stat(full);
    } catch {
      stat = undefined;
    }
    if (!stat || !stat.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...baseHeaders() }).end(`not found: ${rest}`);
      return;
    }
    if (spec.delayMs) await sleep(spec.delayMs);
    if (closing) return;
    const headers: Record<string, string> = {
      'Content-Type': contentType(full),
      'Content-Length': String(stat.size),
      ...baseHeaders(),
      ...(spec.headers ?? {}),
    };
    res.writeHead(spec.status ?? 200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await new Promise<void>((done) => {
      const stream = createReadStream(full);
      stream.on('error', () => {
        res.destroy();
        done();
      });
      stream.on('end', () => done());
      stream.pipe(res);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawPath = req.url ?? '/';
    requests.push(rawPath);
    log.push({ method: req.method ?? 'GET', path: rawPath, headers: req.headers });
    const pathname = new URL(rawPath, 'http://127.0.0.1').pathname;

    if (req.method === 'OPTIONS' && cors) {
      res
        .writeHead(204, {
          ...baseHeaders(),
          'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
          'Access-Control-Allow-Headers': '*',
        })
        .end();
      return;
    }

    const found = findRoute(pathname);
    if (!found) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...baseHeaders() }).end(`no route for ${pathname}`);
      return;
    }
    const { spec, rest } = found;
    if (spec.handler) {
      await spec.handler(req, res);
      return;
    }
    if (spec.redirect !== undefined) {
      if (spec.delayMs) await sleep(spec.delayMs);
      res.writeHead(spec.status ?? 302, { Location: spec.redirect, ...baseHeaders(), ...(spec.headers ?? {}) }).end();
      return;
    }
    if (rest !== undefined) {
      await serveDir(req, res, spec, rest);
      return;
    }
    const body = typeof spec.body === 'string' ? new TextEncoder().encode(spec.body) : (spec.body ?? new Uint8Array(0));
    await sendBody(req, res, spec, body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`test server error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((ready, failed) => {
    server.once('error', failed);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', failed);
      ready();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    log,
    setRoute(path: string, route: Route) {
      table.set(path, normalize(route));
    },
    close() {
      closing = true;
      return new Promise<void>((done) => {
        server.close(() => done());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
    },
  };
}
