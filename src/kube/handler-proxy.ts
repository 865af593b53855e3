/**
 * --handler-proxy: cmwatch's own authenticating proxy for handlers, so a
 * handler can call the API with plain curl through $CMWATCH_SERVER, as the
 * book's handlers do through kubectl proxy, while the credentials stay in
 * cmwatch.
 *
 * - Listens on 127.0.0.1, on a random port.
 * - Forwards only to the API server of the connection, with cmwatch's
 *   credentials: an Authorization (or Proxy-Authorization, Cookie) the client
 *   sends is dropped; absolute-form targets (`GET http://elsewhere/`) are
 *   refused.
 * - Like kubectl proxy: refuses Host headers other than localhost, 127.0.0.1
 *   and [::1] (DNS rebinding), and pods/exec, pods/attach (its default
 *   --reject-paths). Its own refusals are 403 with a plain-text body.
 * - Streams responses, watches included, as they arrive; no timeouts of its own.
 * - A 401 from the API refreshes the credential (token file, exec plugin) and
 *   retries once, as cmwatch's own requests do.
 * - An API server it cannot reach is a 502 with a plain-text body.
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { CmwatchError, oneLine } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { ConnectError } from './api-error.js';
import type { Connection } from './connection.js';

export interface HandlerProxy {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  close(): Promise<void>;
}

const ALLOWED_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const REJECT_PATHS = [/^\/api\/.*\/pods\/.*\/exec/, /^\/api\/.*\/pods\/.*\/attach/];
/** Hop-by-hop headers (RFC 9110 §7.6.1) and the client's own credentials: never forwarded. */
const DROP_REQUEST = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'authorization', 'proxy-authorization', 'cookie', 'content-length',
]);
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'set-cookie']);
const MAX_BODY = 16 << 20;

/** The host part of a Host header, lower-cased: "localhost:8001" → "localhost", "[::1]:80" → "[::1]". */
export function hostOnly(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : h;
  }
  const colon = h.indexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text + '\n');
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > MAX_BODY) throw new RangeError('request body too large');
    chunks.push(c as Buffer);
  }
  return n ? Buffer.concat(chunks) : undefined;
}

export async function startHandlerProxy(conn: Connection, log: Pick<Logger, 'debug' | 'warn'>): Promise<HandlerProxy> {
  const sockets = new Set<Socket>();
  const inflight = new Set<AbortController>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? '/';
    const method = req.method ?? 'GET';
    const host = req.headers.host;
    if (!host || !ALLOWED_HOSTS.has(hostOnly(host))) {
      log.warn(`handler proxy: refused ${method} ${target}: Host "${host ?? ''}" is not localhost, 127.0.0.1 or [::1]`);
      return refuse(res, 403, 'Forbidden: cmwatch handler proxy accepts Host localhost, 127.0.0.1 or [::1] only');
    }
    if (!target.startsWith('/')) return refuse(res, 403, 'Forbidden: cmwatch handler proxy forwards only to its API server (use an origin-form path)');
    const path = target.split('?')[0]!;
    if (REJECT_PATHS.some((re) => re.test(path))) return refuse(res, 403, `Forbidden: ${path} (pods/exec and pods/attach are not proxied)`);

    let body: Buffer | undefined;
    try {
      body = await readBody(req);
    } catch {
      return refuse(res, 413, 'Request body too large for cmwatch handler proxy');
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined && !DROP_REQUEST.has(k)) headers[k] = v;
    }
    const ac = new AbortController();
    inflight.add(ac);
    res.on('close', () => ac.abort());
    const url = conn.server + target;
    try {
      const send = async () => {
        const auth = await conn.authHeaders();
        const r = await request(url, { method: method as 'GET', headers: { ...headers, ...auth }, body, signal: ac.signal, dispatcher: conn.dispatcher });
        return { r, auth };
      };
      const first = await send();
      let upstream = first.r;
      if (upstream.statusCode === 401 && (await conn.refreshAfterUnauthorized(first.auth))) {
        await upstream.body.dump().catch(() => {});
        upstream = (await send()).r;
      }
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upstream.headers)) {
        if (v !== undefined && !DROP_RESPONSE.has(k)) out[k] = v;
      }
      res.writeHead(upstream.statusCode, out);
      res.flushHeaders();
      log.debug(`handler proxy: ${method} ${path} → ${upstream.statusCode}`);
      await pipeline(upstream.body, res);
    } catch (err) {
      if (ac.signal.aborted) return; // the handler went away
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof CmwatchError && !(err instanceof ConnectError)) {
        // The credential could not be refreshed (an exec plugin failed, a token file vanished).
        log.warn(`handler proxy: ${oneLine(err)}`);
        return refuse(res, 502, `cmwatch handler proxy: no credential for the API server: ${err.message}`);
      }
      const e = err instanceof ConnectError ? err : new ConnectError(method.toLowerCase(), url, err, conn.caSource);
      log.warn(`handler proxy: ${oneLine(e)}`);
      refuse(res, 502, `cmwatch handler proxy: cannot reach the API server: ${e.message}`);
    } finally {
      inflight.delete(ac);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      log.warn(`handler proxy: ${oneLine(err)}`);
      if (!res.headersSent) refuse(res, 500, 'cmwatch handler proxy: internal error');
      else res.destroy();
    });
  });
  // Upgrades (exec, attach, port-forward) are not proxied.
  server.on('upgrade', (_req, socket: Socket) => {
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nForbidden: cmwatch handler proxy does not proxy upgrades\n');
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // No server-side timeouts of our own: a watch through the proxy may last as long as the API lets it.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: async () => {
      for (const ac of inflight) ac.abort();
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
