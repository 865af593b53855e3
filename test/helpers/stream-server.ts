/**
 * A small, fast API server for one collection, /api/v1/namespaces/NS/configmaps,
 * for tests that need many events quickly (the fake API server keeps every
 * event in a history and stringifies each one as it goes).
 *
 * The list is empty, at resource version 1. A watch streams `events` events:
 * event i (0-based) has resource version 2+i; the first `keys` are ADDED
 * cm-0…cm-(keys-1), the next are MODIFIED events of cm-(i mod keys) with a
 * new `seq`, and the last is the ADDED of `last` (a name no other event
 * has). A watch from a resource version resumes after it, so a watch the
 * server closes loses nothing. Lines are rendered into 64 KiB buffers and
 * written with backpressure honoured: when cmwatch stops reading, this
 * server waits. Once every event is sent the watch stays open and silent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StreamServerOptions {
  namespace?: string;
  events: number;
  /** Distinct keys of the ADDED/MODIFIED events (default 100). */
  keys?: number;
  /** Bytes of padding in each object's data (default 200). */
  pad?: number;
  /** Give each object a selector annotation (k8spatterns.io/podDeleteSelector) this long, so each event's log line is too. */
  selectorChars?: number;
}

export interface StreamServer {
  url: string;
  namespace: string;
  /** The name of the last event's object. */
  lastName: string;
  /** Watch requests served so far. */
  watches: number;
  /** Events written to sockets so far (all watches). */
  written: number;
  close(): Promise<void>;
}

const CHUNK = 65536;

export async function startStreamServer(o: StreamServerOptions): Promise<StreamServer> {
  const ns = o.namespace ?? 'stream';
  const keys = o.keys ?? 100;
  const pad = 'x'.repeat(o.pad ?? 200);
  const annotations = o.selectorChars
    ? `,"annotations":{"k8spatterns.io/podDeleteSelector":"app=${'s'.repeat(Math.max(1, o.selectorChars - 4))}"}`
    : '';
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const sockets = new Set<Socket>();
  const line = (i: number): string => {
    const last = i === o.events - 1;
    const name = last ? 'last' : `cm-${i % keys}`;
    const type = last || i < keys ? 'ADDED' : 'MODIFIED';
    const rv = 2 + i;
    return `{"type":"${type}","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"${name}","namespace":"${ns}",` +
      `"uid":"uid-${name}","resourceVersion":"${rv}"${annotations}},"data":{"seq":"${i}","pad":"${pad}"}}}\n`;
  };

  const write = (res: ServerResponse, chunk: string): Promise<void> | undefined => {
    if (res.write(chunk)) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
      res.on('drain', done);
      res.on('close', done);
    });
  };

  const stream = async (res: ServerResponse, from: number) => {
    let buf = '';
    for (let i = Math.max(0, from - 1); i < o.events && !res.destroyed; i++) {
      buf += line(i);
      s.written++;
      if (buf.length >= CHUNK) {
        const p = write(res, buf);
        buf = '';
        if (p) await p;
      }
    }
    if (buf && !res.destroyed) await write(res, buf);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== path || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `only GET ${path}` }));
      return;
    }
    const q = u.searchParams;
    if (q.get('watch') !== 'true') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
      return;
    }
    s.watches++;
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    // Resource version r is event r-2: resume with event r-1.
    const rv = Number(q.get('resourceVersion') ?? '1');
    stream(res, rv).catch(() => res.destroy());
  });
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const s: StreamServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    namespace: ns,
    lastName: 'last',
    watches: 0,
    written: 0,
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return s;
}
