/**
 * An HTTP relay in front of a real API endpoint (a `kubectl proxy`) that
 * answers chosen requests itself and relays all others as they are. E2e tests
 * use it to stage what a real server does only in a race (an Ingress created
 * between a handler's GET and its POST) or in an outage (a 503).
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status: number;
  body: unknown;
}

export interface InterceptingProxy {
  url: string;
  /** "METHOD path" of every request, relayed or answered. */
  readonly requests: string[];
  stop(): Promise<void>;
}

/** `answer` returns the reply for a request it takes over, or undefined to relay it to `upstream`. */
export async function startInterceptingProxy(upstream: string, answer: (method: string, path: string) => Answer | undefined): Promise<InterceptingProxy> {
  const up = new URL(upstream);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(`${method} ${path}`);
    const own = answer(method, path);
    if (own) {
      const body = JSON.stringify(own.body);
      req.resume();
      res.writeHead(own.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const out = httpRequest({ host: up.hostname, port: up.port, path: req.url, method, headers: { ...req.headers, host: up.host } }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A Kubernetes Status body, as the API server sends with an error. */
export function status(code: number, reason: string, message: string): Answer {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code } };
}
