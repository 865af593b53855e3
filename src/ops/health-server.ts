/**
 * The HTTP endpoints of health (/healthz, /readyz) and metrics (/metrics).
 * When both listen addresses are the same HOST:PORT, one server answers all
 * three paths. Plain text, GET and HEAD only; anything else is 404/405.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CmwatchError, oneLine } from '../base/errors.js';
import type { Logger } from './log.js';
import { sameListener, type ListenAddress } from './listen-address.js';
import type { LivenessCheck } from './liveness.js';
import type { ReadinessCheck } from './readiness.js';

/** Which endpoints a listener serves (the CLI names the flag that gave its address). */
export type Listener = 'health' | 'metrics';

/**
 * A listener that cannot be opened (address in use, not local, no
 * permission), code E_LISTEN. Nothing has started yet. `listener` says which
 * address it was; the CLI puts the flag's name in front of the message.
 */
export class ListenError extends CmwatchError {
  constructor(readonly listener: Listener, addr: ListenAddress, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException).code;
    const hint =
      code === 'EADDRINUSE' ? 'another process listens there: pick another port' :
      code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? 'the host is not an address of this machine: use :PORT for all interfaces' :
      code === 'EACCES' ? 'ports below 1024 need privileges: use a port above 1024' : 'check the address';
    super('E_LISTEN', `cannot listen on ${addr.text}: ${oneLine(cause)}`, { hint, cause });
    this.name = 'ListenError';
  }
}

export interface Endpoints {
  liveness?: () => LivenessCheck;
  readiness?: () => ReadinessCheck;
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

export interface ObserveServerOptions {
  health?: ListenAddress;
  metrics?: ListenAddress;
  endpoints: Endpoints;
  log: Logger;
}

export interface ObserveServers {
  /** e.g. { health: 'http://127.0.0.1:8080', metrics: 'http://127.0.0.1:8080' } */
  urls: { health?: string; metrics?: string };
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8', head = false): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

function routes(paths: Array<'health' | 'metrics'>, e: Endpoints, log: Logger): Map<string, Route> {
  const r = new Map<string, Route>();
  if (paths.includes('health')) {
    r.set('/healthz', (req, res) => {
      const c = e.liveness?.() ?? { live: true, lagMs: 0 };
      send(res, c.live ? 200 : 503, c.live ? 'ok\n' : `not live: ${c.reason}\n`, undefined, req.method === 'HEAD');
    });
    r.set('/readyz', (req, res) => {
      const c = e.readiness?.() ?? { ready: true, reasons: [] };
      send(res, c.ready ? 200 : 503, c.ready ? 'ok\n' : `not ready:\n${c.reasons.map((x) => `- ${x}`).join('\n')}\n`, undefined, req.method === 'HEAD');
    });
  }
  if (paths.includes('metrics') && e.metrics) {
    const metrics = e.metrics;
    r.set('/metrics', async (req, res) => {
      try {
        const m = await metrics();
        send(res, 200, m.body, m.contentType, req.method === 'HEAD');
      } catch (err) {
        log.error(`metrics: ${oneLine(err)}`, { reason: 'metrics' });
        send(res, 500, 'metrics failed\n');
      }
    });
  }
  return r;
}

function listen(server: Server, addr: ListenAddress, listener: Listener): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new ListenError(listener, addr, err));
    server.once('error', onError);
    server.listen(addr.port, addr.host, () => {
      server.off('error', onError);
      const a = server.address() as AddressInfo;
      const host = addr.host === undefined ? '127.0.0.1' : a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve(`http://${host}:${a.port}`);
    });
  });
}

function serve(table: Map<string, Route>, log: Logger): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = table.get(path);
    if (!route) return send(res, 404, `not found; try ${[...table.keys()].join(', ')}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed\n');
    }
    Promise.resolve(route(req, res)).catch((err: unknown) => {
      log.error(`${path}: ${oneLine(err)}`);
      if (!res.headersSent) send(res, 500, 'internal error\n');
    });
  });
  // Probes and scrapes are short: never let a client hold a connection open for long.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

export async function startObserveServers(o: ObserveServerOptions): Promise<ObserveServers> {
  const servers: Server[] = [];
  const urls: ObserveServers['urls'] = {};
  const close = async () => {
    await Promise.all(servers.map((s) => new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    })));
  };
  try {
    if (o.health && o.metrics && sameListener(o.health, o.metrics)) {
      const s = serve(routes(['health', 'metrics'], o.endpoints, o.log), o.log);
      servers.push(s);
      urls.health = urls.metrics = await listen(s, o.health, 'health');
    } else {
      if (o.health) {
        const s = serve(routes(['health'], o.endpoints, o.log), o.log);
        servers.push(s);
        urls.health = await listen(s, o.health, 'health');
      }
      if (o.metrics) {
        const s = serve(routes(['metrics'], o.endpoints, o.log), o.log);
        servers.push(s);
        urls.metrics = await listen(s, o.metrics, 'metrics');
      }
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { urls, close };
}
