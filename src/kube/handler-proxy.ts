/**
 * --handler-proxy: cmwatch's own authenticating proxy for handlers, so a
 * handler can call the API with plain curl through $CMWATCH_SERVER, as the
 * book's handlers do through kubectl proxy, while the credentials stay in
 * cmwatch.
 *
 * - Listens on 127.0.0.1, on a random port; no timeouts of its own (a watch
 *   through it may last as long as the API lets it).
 * - What it lets through (Host, target, paths, headers):
 *   handler-proxy-policy.ts. Its own refusals are 403 with a plain-text body.
 * - Request bodies are read whole, up to 16 MiB (request-body.ts): over that
 *   is a 413, a body that cannot be read a 400.
 * - Forwarding with cmwatch's credentials, a 401 refreshing them once, an
 *   unreachable API server as a 502: handler-proxy-forward.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { oneLine } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import type { Connection } from './connection.js';
import { forward, respondText } from './handler-proxy-forward.js';
import { refusal, targetPath, upstreamRequestHeaders, UPGRADE_REFUSAL } from './handler-proxy-policy.js';
import { bodyFailureResponse, BodyTooLargeError, readBody } from './request-body.js';


export interface HandlerProxy {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  close(): Promise<void>;
}

type ProxyLog = Pick<Logger, 'debug' | 'warn'>;

/** One request: the policy, the body, then forwarding (tracked in `inflight` so close() can abort it). */
async function handle(conn: Connection, req: IncomingMessage, res: ServerResponse, inflight: Set<AbortController>, log: ProxyLog): Promise<void> {
  const refused = refusal(req);
  if (refused) {
    if (refused.warn) log.warn(`handler proxy: ${refused.warn}`);
    return respondText(res, refused.status, refused.text);
  }
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  const path = targetPath(target);
  let body: Buffer | undefined;
  try {
    body = await readBody(req);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) log.warn(`handler proxy: ${method} ${path}: ${oneLine(err)}`);
    const answer = bodyFailureResponse(err);
    // The rest of the body is not read: the connection cannot be reused.
    return respondText(res, answer.status, answer.text, true);
  }
  const ac = new AbortController();
  inflight.add(ac);
  res.on('close', () => ac.abort());
  try {
    await forward(conn, { method, target, path, headers: upstreamRequestHeaders(req.headers), body }, res, ac.signal, log);
  } finally {
    inflight.delete(ac);
  }
}

function listen(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startHandlerProxy(conn: Connection, log: ProxyLog): Promise<HandlerProxy> {
  const sockets = new Set<Socket>();
  const inflight = new Set<AbortController>();
  const server: Server = createServer((req, res) => {
    handle(conn, req, res, inflight, log).catch((err) => {
      log.warn(`handler proxy: ${oneLine(err)}`);
      if (!res.headersSent) respondText(res, 500, 'cmwatch handler proxy: internal error');
      else res.destroy();
    });
  });
  // Upgrades (exec, attach, port-forward) are not proxied.
  server.on('upgrade', (_req, socket: Socket) => socket.end(UPGRADE_REFUSAL));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 30_000;
  await listen(server);
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
