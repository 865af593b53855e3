/**
 * The bench API server: a dedicated, fast server that speaks the same wire
 * format as test/fake/api-server.ts (and the real API) for the collections of
 * bench/kinds.ts in namespace bench (ConfigMaps, Secrets, and the custom
 * resource widgets.bench.example.com): paged lists, a chunked NDJSON watch,
 * and discovery (aggregated v2 when asked, else the per-group documents:
 * bench/discovery.ts). It exists because the test fake keeps every event in
 * its history and JSON.stringifies each one, which cannot outrun cmwatch:
 * this one writes pre-rendered pieces straight into 64 KiB buffers and
 * honours backpressure, so the consumer is always the bottleneck.
 *
 * Each resource in `resources` (default: configmaps) holds N objects, and
 * its first watch gets the workload: (without a resource version, the book's
 * loop, first an ADDED for every listed object, as the API does), then
 * phases of MODIFIED events, each followed by the ADDED event of a marker
 * object (bench-end-P). With `pause`, it waits for a "continue" message
 * after each marker (the harness samples memory there). Later watches, and
 * the other served resources (empty), stay open and silent.
 *
 * For the footprint measures (bench/footprint.ts, bench/relist.ts): `counts`
 * sets N per resource; `namespaces` spreads the ConfigMaps over namespaces
 * bench-000… and serves them as the cluster-wide /api/v1/configmaps; `expire`
 * makes each first watch a BOOKMARK past the list, then (after a "continue")
 * an ERROR 410 Expired and the end, so the client relists.
 *
 * Run as a forked child (CMWATCH_BENCH_ROLE=server): the config is argv[2] (JSON); events go to the
 * parent over IPC with process.hrtime.bigint() timestamps (CLOCK_MONOTONIC,
 * comparable across processes).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AGGREGATED_TYPE, aggregated, coreVersions, groupList, resourceList, wantsAggregated } from './discovery.js';
import { KINDS, RESOURCE_NAMES, type ResourceName } from './kinds.js';
import { LineEncoder, NAMESPACE, LIST_RV, Workload, type WorkloadShape } from './workload.js';

export interface ServerConfig extends Omit<WorkloadShape, 'resource'> {
  /** Events per phase, e.g. [100000, 400000, 500000]. */
  phases: number[];
  /** Wait for {cmd:'continue'} after each phase's marker. */
  pause?: boolean;
  /** Bytes per write (default 64 KiB). */
  chunk?: number;
  /** The resources that hold N objects and stream the phases (default: configmaps). */
  resources?: ResourceName[];
  /** Objects per resource where not N (e.g. 100 ConfigMaps beside 10,000 Widgets); only for the resources served. */
  counts?: Partial<Record<ResourceName, number>>;
  /**
   * ConfigMaps spread over this many namespaces (bench-000, bench-001, …, object k in k mod it), served
   * as the cluster-wide collection /api/v1/configmaps (what `-A` lists and watches) instead of namespace bench.
   */
  namespaces?: number;
  /**
   * The first watch of each served resource expires: a BOOKMARK one version past the list (so the
   * watch got past its list), then, after a "continue", an ERROR 410 Expired event and the end of the
   * response, as the API does for a resource version too old. Lists after it are one version newer.
   */
  expire?: boolean;
}

export type ServerMessage =
  | { ev: 'listening'; url: string }
  | { ev: 'watch'; at: string; first: boolean; query: string; resource: ResourceName }
  | { ev: 'phase'; p: number; events: number; at: string; resource: ResourceName }
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

/** One served collection: its objects, its workload and whether its first watch was taken. */
interface Collection {
  readonly resource: ResourceName;
  readonly n: number;
  readonly phases: number[];
  readonly w: Workload;
  readonly enc: LineEncoder;
  readonly items: string[];
  watched: boolean;
}

/** The namespace of object k when ConfigMaps are spread over namespaces. */
export function spreadNamespace(k: number, namespaces: number): string {
  return `${NAMESPACE}-${String(k % namespaces).padStart(3, '0')}`;
}

function collection(cfg: ServerConfig, resource: ResourceName): Collection {
  const active = (cfg.resources ?? ['configmaps']).includes(resource);
  const n = active ? cfg.counts?.[resource] ?? cfg.n : 0;
  const w = new Workload({ n, size: cfg.size, resource });
  const spread = resource === 'configmaps' && cfg.namespaces ? cfg.namespaces : 0;
  const home = `"namespace":"${NAMESPACE}"`;
  // Rendered in namespace bench; moved to its own namespace by its first (the metadata's) namespace field.
  const item = (k: number) => (spread ? w.listItem(k).replace(home, `"namespace":"${spreadNamespace(k, spread)}"`) : w.listItem(k));
  return { resource, n, phases: active ? cfg.phases : [], w, enc: new LineEncoder(w), items: Array.from({ length: n }, (_, k) => item(k)), watched: false };
}

/** Where a collection is served: its path in namespace bench, or the cluster-wide one for spread ConfigMaps. */
function collectionPath(cfg: ServerConfig, r: ResourceName): string {
  return r === 'configmaps' && cfg.namespaces ? '/api/v1/configmaps' : KINDS[r].path(NAMESPACE);
}

export function startBenchServer(cfg: ServerConfig): Promise<{ url: string; close(): void }> {
  const chunk = cfg.chunk ?? 65536;
  let listRv = String(LIST_RV);
  const collections = new Map(RESOURCE_NAMES.map((r) => [collectionPath(cfg, r), collection(cfg, r)]));
  // Counted, not edge-triggered: a stream still flushing its marker when "continue" arrives must not miss it.
  let continues = 0;
  let waitContinue: Array<{ n: number; go: () => void }> = [];
  const continued = (n: number) => (continues >= n ? Promise.resolve() : new Promise<void>((go) => waitContinue.push({ n, go })));
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'continue') {
      continues++;
      const ready = waitContinue.filter((x) => x.n <= continues);
      waitContinue = waitContinue.filter((x) => x.n > continues);
      for (const x of ready) x.go();
    }
  });
  const sockets = new Set<Socket>();

  const list = (res: ServerResponse, c: Collection, q: URLSearchParams) => {
    const start = q.get('continue') ? Number(Buffer.from(q.get('continue')!, 'base64').toString()) : 0;
    const limit = q.get('limit') ? Number(q.get('limit')) : c.n;
    const end = Math.min(c.n, start + limit);
    const more = end < c.n;
    const meta = more ? { resourceVersion: listRv, continue: Buffer.from(String(end)).toString('base64'), remainingItemCount: c.n - end } : { resourceVersion: listRv };
    json(res, 200, KINDS[c.resource].list(meta, c.items.slice(start, end).join(',')));
  };

  const write = (res: ServerResponse, buf: Buffer): Promise<void> | undefined => {
    if (res.write(buf)) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
      res.on('drain', done);
      res.on('close', done);
    });
  };

  const stream = async (res: ServerResponse, c: Collection, fromList: boolean) => {
    const { w, enc, items } = c;
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
      for (let k = 0; k < c.n; k++) {
        await text(`{"type":"ADDED","object":${items[k]}}\n`);
        if (res.destroyed) return;
      }
      await flush();
    }
    let i = 0;
    for (let p = 0; p < c.phases.length; p++) {
      const end = i + c.phases[p]!;
      for (; i < end; i++) {
        at = enc.write(buf, at, i);
        if (at >= chunk) {
          await flush();
          if (res.destroyed) return;
        }
      }
      await text(w.markerLine(p + 1, w.rv(i) + p));
      await flush();
      send({ ev: 'phase', p: p + 1, events: i, at: now(), resource: c.resource });
      if (cfg.pause && p < c.phases.length - 1) await continued(p + 1);
      if (res.destroyed) return;
    }
  };

  /** The expiring first watch (cfg.expire): a BOOKMARK past the list, then on "continue" an ERROR 410 and the end. */
  const expire = async (res: ServerResponse, c: Collection) => {
    const kind = KINDS[c.resource];
    const apiVersion = kind.group ? `${kind.group}/${kind.version}` : kind.version;
    res.write(`{"type":"BOOKMARK","object":{"kind":"${kind.kind}","apiVersion":"${apiVersion}","metadata":{"resourceVersion":"${LIST_RV + 1}"}}}\n`);
    send({ ev: 'phase', p: 1, events: 0, at: now(), resource: c.resource });
    await continued(1);
    listRv = String(LIST_RV + 2);
    const message = `too old resource version: ${LIST_RV + 1} (${LIST_RV + 2})`;
    res.end(`{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"${message}","reason":"Expired","code":410}}\n`);
  };

  const discovery = (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if ((path === '/api' || path === '/apis') && wantsAggregated(req.headers.accept)) {
      const body = aggregated(path);
      res.writeHead(200, { 'content-type': AGGREGATED_TYPE, 'content-length': Buffer.byteLength(body), vary: 'Accept' });
      res.end(body);
      return true;
    }
    const body = path === '/api' ? coreVersions(req.headers.host ?? '') : path === '/apis' ? groupList() : path === '/version' ? JSON.stringify({ major: '1', minor: '36', gitVersion: 'v1.36.3-bench' }) : resourceList(path);
    if (body === undefined) return false;
    json(res, 200, body);
    return true;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const q = u.searchParams;
    const path = u.pathname;
    send({ ev: 'request', method: req.method ?? 'GET', path: req.url ?? '' });
    if (req.method === 'GET' && discovery(req, res, path)) return;
    const c = collections.get(path);
    if (!c || req.method !== 'GET') {
      return status(res, 404, 'NotFound', `the bench server serves only GET on ${[...collections.keys()].join(', ')} and discovery`);
    }
    if (q.get('watch') !== 'true' && q.get('watch') !== '1') return list(res, c, q);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const first = !c.watched && (c.phases.length > 0 || (!!cfg.expire && c.n > 0));
    c.watched = true;
    send({ ev: 'watch', at: now(), first, query: u.search, resource: c.resource });
    if (!first) return; // a re-watch, or a resource without a workload: open and silent
    if (cfg.expire) {
      expire(res, c).catch((err) => process.stderr.write(`bench server: ${String(err)}\n`));
      return;
    }
    const rv = q.get('resourceVersion');
    stream(res, c, !!rv && rv !== '0').catch((err) => process.stderr.write(`bench server: ${String(err)}\n`));
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
