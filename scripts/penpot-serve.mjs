#!/usr/bin/env node
// `npm run penpot`: serves dist/penpot (npm run build) on http://localhost:4400 so that Penpot
// can install Cutout from http://localhost:4400/manifest.json. Loopback only (127.0.0.1, and
// ::1 when the machine has it); every response allows any origin (Penpot fetches manifest.json
// and plugin.js from its own origin) and is never cached (rebuilds show at once).
//
//   node scripts/penpot-serve.mjs [--port 4400] [--dir dist/penpot]
//   import { startPenpotServer } from './scripts/penpot-serve.mjs'   // tests: { port: 0 }
import { createReadStream, promises as fsp } from 'node:fs';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_PORT = 4400;

const TYPES = {
  '.json': 'application/json; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': '*',
  // Chrome asks before a public site (design.penpot.app) reaches a loopback server.
  'Access-Control-Allow-Private-Network': 'true',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

function handler(root) {
  return async (req, res) => {
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { ...CORS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method === 'OPTIONS') return send(204, '');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed\n', { Allow: 'GET, HEAD, OPTIONS' });
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(400, 'Bad request\n');
    }
    if (path === '/') {
      const host = req.headers.host ?? `localhost:${DEFAULT_PORT}`;
      return send(200, `Cutout for Penpot. In Penpot's plugin manager, install http://${host}/manifest.json\n`);
    }
    const file = resolve(root, '.' + path);
    if (file !== root && !file.startsWith(root + sep)) return send(404, 'Not found\n');
    let stat;
    try {
      stat = await fsp.stat(file);
    } catch {
      return send(404, 'Not found\n');
    }
    if (!stat.isFile()) return send(404, 'Not found\n');
    res.writeHead(200, {
      ...CORS,
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(stat.size),
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}

function listen(server, port, host) {
  return new Promise((resolvePromise, reject) => {
    const onError = (err) => reject(err);
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      resolvePromise(server.address().port);
    });
  });
}

/**
 * Serves `dir` on 127.0.0.1:`port` (0: any free port) and, on the same port, on ::1 when the
 * machine has IPv6 loopback. Resolves with the URL (http://localhost:<port>) and `close()`.
 */
export async function startPenpotServer({ port = DEFAULT_PORT, dir = 'dist/penpot' } = {}) {
  const root = resolve(dir);
  const servers = [createServer(handler(root))];
  const bound = await listen(servers[0], port, '127.0.0.1');
  const v6 = createServer(handler(root));
  try {
    await listen(v6, bound, '::1');
    servers.push(v6);
  } catch {
    /* no IPv6 loopback (or the port is taken there): 127.0.0.1 is enough for browsers */
  }
  for (const s of servers) s.keepAliveTimeout = 1000;
  return {
    port: bound,
    url: `http://localhost:${bound}`,
    close: () =>
      Promise.all(
        servers.map(
          (s) =>
            new Promise((done) => {
              s.close(() => done());
              s.closeAllConnections?.();
            }),
        ),
      ).then(() => undefined),
  };
}

async function main(argv) {
  const arg = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = Number(arg('--port') ?? process.env.PORT ?? DEFAULT_PORT);
  const dir = arg('--dir') ?? 'dist/penpot';
  try {
    await fsp.access(resolve(dir, 'manifest.json'));
  } catch {
    console.error(`${dir}/manifest.json is missing: run \`npm run build\` first.`);
    process.exit(1);
  }
  let server;
  try {
    server = await startPenpotServer({ port, dir });
  } catch (err) {
    console.error(`Cannot listen on 127.0.0.1:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`);
    process.exit(1);
  }
  const manifest = JSON.parse(await fsp.readFile(resolve(dir, 'manifest.json'), 'utf8'));
  console.log(`Serving ${dir} on ${server.url} (loopback only; Ctrl+C stops)`);
  console.log(`In Penpot: plugin manager (Ctrl+Alt+P / ⌥P) → install ${server.url}/manifest.json`);
  if (new URL(manifest.host).origin !== new URL(server.url).origin) {
    console.log(`Note: the manifest's host is ${manifest.host}, not this server: Penpot will load the plugin from there.`);
  }
  const stop = () => server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
