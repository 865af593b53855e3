/**
 * The bench API server: a dedicated, fast server that speaks the same wire
 * format as test/fake/api-server.ts (and the real API) for one collection,
 * /api/v1/namespaces/bench/configmaps: paged lists, and a chunked NDJSON
 * watch. It exists because the test fake keeps every event in its history
 * and JSON.stringifies each one, which cannot outrun cmwatch: this one
 * writes pre-rendered pieces straight into 64 KiB buffers and honours
 * backpressure, so the consumer is always the bottleneck.
 *
 * The first watch gets the workload: (without a resource version, the book's
 * loop, first an ADDED for every listed object, as the API does), then
 * phases of MODIFIED events, each followed by the ADDED event of a marker
 * ConfigMap (bench-end-P). With `pause`, it waits for a "continue" message
 * after each marker (the harness samples memory there). Later watches stay
 * open and silent.
 *
 * Run as a forked child (CMWATCH_BENCH_ROLE=server): the config is argv[2] (JSON); events go to the
 * parent over IPC with process.hrtime.bigint() timestamps (CLOCK_MONOTONIC,
 * comparable across processes).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { LineEncoder, NAMESPACE, LIST_RV, Workload, type WorkloadShape } from './workload.js';

export interface ServerConfig extends WorkloadShape {
  /** Events per phase, e.g. [100000, 400000, 500000]. */
  phases: number[];
  /** Wait for {cmd:'continue'} after each phase's marker. */
  pause?: boolean;
  /** Bytes per write (default 64 KiB). */
  chunk?: number;
}

export type ServerMessage =
  | { ev: 'listening'; url: string }
  | { ev: 'watch'; at: string; first: boolean; query: string }
  | { ev: 'phase'; p: number; events: number; at: string }
  | { ev: 'request'; method: string; path: string };

const send = (m: ServerMessage) => process.send?.(m);
const now = () => process.hrtime.bigint().toString();

function json(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  json(res, code, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

export function startBenchServer(cfg: ServerConfig): Promise<{ url: string; close(): void }> {
  const w = new Workload(cfg);
  const enc = new LineEncoder(w);
  const chunk = cfg.chunk ?? 65536;
  const listRv = String(LIST_RV);
  const items = Array.from({ length: cfg.n }, (_, k) => w.listItem(k));
  let watched = false;
  let waitContinue: (() => void) | undefined;
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'continue') {
      const f = waitContinue;
      waitContinue = undefined;
      f?.();
    }
  });
  const sockets = new Set<Socket>();

  const list = (res: ServerResponse, q: URLSearchParams) => {
    const start = q.get('continue') ? Number(Buffer.from(q.get('continue')!, 'base64').toString()) : 0;
    const limit = q.get('limit') ? Number(q.get('limit')) : cfg.n;
    const end = Math.min(cfg.n, start + limit);
    const more = end < cfg.n;
    const meta = more
      ? `{"resourceVersion":"${listRv}","continue":"${Buffer.from(String(end)).toString('base64')}","remainingItemCount":${cfg.n - end}}`
      : `{"resourceVersion":"${listRv}"}`;
    const body = `{"kind":"ConfigMapList","apiVersion":"v1","metadata":${meta},"items":[${items.slice(start, end).join(',')}]}`;
    json(res, 200, body);
  };

  const write = (res: ServerResponse, buf: Buffer): Promise<void> | undefined => {
    if (res.write(buf)) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
      res.on('drain', done);
      res.on('close', done);
    });
  };

  const stream = async (res: ServerResponse, fromList: boolean) => {
    let buf = Buffer.allocUnsafe(chunk + enc.maxLine);
    let at = 0;
    const flush = async () => {
      if (at === 0) return;
      const out = buf.subarray(0, at);
      buf = Buffer.allocUnsafe(chunk + enc.maxLine);
      at = 0;
      const p = write(res, out);
      if (p) await p;
    };
    const text = async (s: string) => {
      if (at + Buffer.byteLength(s) > buf.length) await flush();
      if (Buffer.byteLength(s) > buf.length) {
        const p = write(res, Buffer.from(s));
        if (p) await p;
        return;
      }
      at += buf.write(s, at);
    };
    if (!fromList) {
      for (let k = 0; k < cfg.n; k++) {
        await text(`{"type":"ADDED","object":${items[k]}}\n`);
        if (res.destroyed) return;
      }
      await flush();
    }
    let i = 0;
    for (let p = 0; p < cfg.phases.length; p++) {
      const end = i + cfg.phases[p]!;
      for (; i < end; i++) {
        at = enc.write(buf, at, i);
        if (at >= chunk) {
          await flush();
          if (res.destroyed) return;
        }
      }
      await text(w.markerLine(p + 1, w.rv(i) + p));
      await flush();
      send({ ev: 'phase', p: p + 1, events: i, at: now() });
      if (cfg.pause && p < cfg.phases.length - 1) await new Promise<void>((r) => (waitContinue = r));
      if (res.destroyed) return;
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const q = u.searchParams;
    const path = u.pathname;
    send({ ev: 'request', method: req.method ?? 'GET', path: req.url ?? '' });
    // Discovery, for kubectl (legacy JSON: kubectl falls back from aggregated discovery).
    if (path === '/api') {
      return json(res, 200, JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host ?? '' }] }));
    }
    if (path === '/apis') return json(res, 200, JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] }));
    if (path === '/api/v1') {
      return json(res, 200, JSON.stringify({
        kind: 'APIResourceList', groupVersion: 'v1',
        resources: [{ name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'list', 'watch'], shortNames: ['cm'] }],
      }));
    }
    if (path === '/version') return json(res, 200, JSON.stringify({ major: '1', minor: '36', gitVersion: 'v1.36.3-bench' }));
    if (path !== `/api/v1/namespaces/${NAMESPACE}/configmaps` || req.method !== 'GET') {
      return status(res, 404, 'NotFound', `the bench server serves only GET /api/v1/namespaces/${NAMESPACE}/configmaps`);
    }
    if (q.get('watch') !== 'true' && q.get('watch') !== '1') return list(res, q);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const first = !watched;
    watched = true;
    send({ ev: 'watch', at: now(), first, query: u.search });
    if (!first) return; // a re-watch: open and silent
    const rv = q.get('resourceVersion');
    stream(res, !!rv && rv !== '0').catch((err) => process.stderr.write(`bench server: ${String(err)}\n`));
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({
        url,
        close() {
          for (const s of sockets) s.destroy();
          server.close();
        },
      });
    });
  });
}

if (process.env.CMWATCH_BENCH_ROLE === 'server' && process.send) {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
  const s = await startBenchServer(cfg);
  send({ ev: 'listening', url: s.url });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
