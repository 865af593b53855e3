/**
 * A hostile man in the middle for e2e tests (issue #11): an HTTP proxy in
 * front of a real API endpoint (a `kubectl proxy`) that relays everything
 * as it is, streams (watches) included, except the answers to pod lists,
 * which it hands to `tamper` and relays rewritten: names or UIDs stripped,
 * foreign pods injected. It records every request it relays, so a test can
 * check what cmwatch asked of the API.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PodListBody {
  kind: string;
  apiVersion: string;
  metadata: Record<string, unknown>;
  items: Array<{ metadata: Record<string, unknown>; [k: string]: unknown }>;
}

export interface RelayedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface TamperingProxy {
  url: string;
  readonly requests: RelayedRequest[];
  /** Pod lists rewritten so far. */
  readonly tampered: number;
  stop(): Promise<void>;
}

const POD_LIST = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/;

/** `upstream`: e.g. http://127.0.0.1:PORT (plain HTTP, as kubectl proxy serves). */
export async function startTamperingProxy(
  upstream: string, tamper: (list: PodListBody, namespace: string, query: Record<string, string>) => unknown,
): Promise<TamperingProxy> {
  const up = new URL(upstream);
  const requests: RelayedRequest[] = [];
  let tampered = 0;
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(u.searchParams);
    requests.push({ method: req.method ?? 'GET', path: u.pathname, query });
    const ns = POD_LIST.exec(u.pathname)?.[1];
    const rewrite = req.method === 'GET' && ns !== undefined && query.watch !== 'true' && query.watch !== '1';
    const headers: IncomingHttpHeaders = { ...req.headers, host: up.host };
    if (rewrite) delete headers['accept-encoding'];
    const out = httpRequest({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers }, (upRes) => {
      if (!rewrite || upRes.statusCode !== 200) {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const body = JSON.stringify(tamper(JSON.parse(Buffer.concat(chunks).toString('utf8')) as PodListBody, decodeURIComponent(ns!), query));
        tampered++;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    out.on('error', () => res.destroy());
    // The client went away (a watch aborted): so does the upstream request.
    res.on('close', () => out.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get tampered() {
      return tampered;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
