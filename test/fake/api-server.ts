/**
 * A fake Kubernetes API server for tests: real HTTP on 127.0.0.1, chunked
 * NDJSON watches, the API's JSON shapes (ConfigMap, Pod, List, Status), list
 * paging, DELETE of pods, and a history so watches resume from a resource
 * version, label and field selectors (a 400 for a field the resource does
 * not support, worded as kube-apiserver words it). It records every mutating
 * request and can inject faults that a real server cannot produce on demand.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parseSelector, type Requirement } from '../../src/api/label-selector.js';
import { labelsMatch } from '../../src/api/label-match.js';
import { fieldsMatch, parseFieldSelector, type FieldTerm } from '../../src/api/field-selector.js';

export interface Obj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string; namespace: string; uid: string; resourceVersion: string;
    labels?: Record<string, string>; annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  [k: string]: unknown;
}

type Resource = 'configmaps' | 'pods';

interface HistoryEntry {
  rv: number;
  resource: Resource;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: Obj;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  /** Who it authenticated as, when the fake requires authentication: `token:T` or `cert:CN`. */
  user?: string;
}

export interface FakeApiServerOptions {
  /** Serve HTTPS with this key and certificate; with clientCa, ask for client certificates signed by it. */
  tls?: { key: Buffer | string; cert: Buffer | string; clientCa?: Buffer | string };
  /**
   * Require authentication: a bearer token in this list (see validTokens), or
   * a client certificate signed by tls.clientCa. Anything else gets a 401.
   */
  tokens?: string[];
}

/**
 * A fault applied to the next watch (or list) request; with `times`, to that
 * many requests (Infinity: until removed from `faults`).
 */
export type Fault = FaultKind & { times?: number };

type FaultKind =
  | { kind: 'status'; status: number; reason?: string; retryAfter?: string; on?: 'watch' | 'list'; plain?: boolean; message?: string }
  // ---- list faults (issue #11: a hostile or broken API) ----
  /**
   * The list's first page, with a continue token that never runs out: the
   * same token each time, or (fresh) a new one for every page.
   */
  | { kind: 'endless-continue'; fresh?: boolean }
  /**
   * A list body that never ends: its start, then items written as fast as
   * the client reads, up to `maxBytes` (default 64 MiB, so that a client
   * without a cap cannot take all the memory of the test machine), then
   * silence with the connection open.
   */
  | { kind: 'endless-body'; maxBytes?: number }
  /** A 200 whose body is this text (e.g. "null", or items that are not an array). */
  | { kind: 'list-body'; body: string }
  /** The list as usual, with a Pod of this name added to its items. */
  | { kind: 'foreign-item'; name: string }
  // ---- watch faults ----
  /** An ERROR event whose Status says nothing (no code, reason or message), then the end. */
  | { kind: 'empty-error' }
  /** An event of another kind (a Pod named `name` in the watched namespace) before the backlog; the watch stays open. */
  | { kind: 'foreign-event'; name: string; type?: 'ADDED' | 'MODIFIED' }
  /** The backlog, then a BOOKMARK at resource version `rv` (older than the backlog's), then the end. */
  | { kind: 'stale-bookmark'; rv: string }
  /** Deliver the backlog then close the stream cleanly. */
  | { kind: 'close' }
  /**
   * Send part of the backlog, then reset the TCP connection: the first
   * `afterBytes` bytes, or `afterEvents` whole events and half of the next.
   */
  | { kind: 'reset'; afterBytes?: number; afterEvents?: number }
  /** Send headers, then nothing, forever. */
  | { kind: 'stall' }
  /** An in-stream ERROR event (a Status) as the first thing in the stream. */
  | { kind: 'error-event'; code: number; reason: string; message?: string }
  /** A malformed line before the backlog. */
  | { kind: 'malformed'; line?: string };

const LIST_FAULTS: ReadonlySet<string> = new Set(['endless-continue', 'endless-body', 'list-body', 'foreign-item']);

/** A request's selectors, parsed. */
interface Filter {
  selector?: Requirement[] | undefined;
  fields?: FieldTerm[] | undefined;
}

interface Watcher {
  res: ServerResponse;
  resource: Resource;
  namespace?: string;
  selector?: Requirement[];
  fields?: FieldTerm[];
  chunking?: 'random';
}

/** The fields each resource supports in a field selector (a subset of kube-apiserver's for pods). */
const SELECTABLE_FIELDS: Record<Resource, readonly string[]> = {
  configmaps: ['metadata.name', 'metadata.namespace'],
  pods: ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase'],
};

/** An object's value for a selectable field ("" when it has none). */
function fieldValue(o: Obj, field: string): string {
  const v = field.split('.').reduce<unknown>((at, k) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[k] : undefined), o);
  return typeof v === 'string' ? v : '';
}

/** A missing field selector matches everything. */
function fieldsOk(terms: FieldTerm[] | undefined, o: Obj): boolean {
  return !terms || fieldsMatch(terms, Object.fromEntries(terms.map((t) => [t.field, fieldValue(o, t.field)])));
}

/**
 * The 400 message kube-apiserver v1.36.3 gives for a field it does not
 * support: configmaps (the generic conversion) list the two it supports,
 * pods (their own conversion) say "field label not supported".
 */
function unsupportedFieldMessage(resource: Resource, field: string): string {
  return resource === 'configmaps'
    ? `${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`
    : `field label not supported: ${field}`;
}

/** A missing selector matches everything; otherwise as the API server evaluates it. */
export function matches(reqs: Requirement[] | undefined, labels: Record<string, string> = {}): boolean {
  return !reqs || labelsMatch(reqs, labels);
}

export class FakeApiServer {
  readonly server: Server | HttpsServer;
  /** Bearer tokens accepted now (tests replace it to rotate); undefined: no token check. */
  validTokens: Set<string> | undefined;
  /** Requests answered 401 by the authentication check. */
  readonly unauthorized: RecordedRequest[] = [];
  private readonly authRequired: boolean;
  private readonly tlsOn: boolean;
  url = '';
  rv = 100;
  readonly objects: Record<Resource, Map<string, Obj>> = { configmaps: new Map(), pods: new Map() };
  readonly history: HistoryEntry[] = [];
  /** Every change ever made, never compacted: what tests check deliveries against. */
  readonly journal: HistoryEntry[] = [];
  /** Watches from a resource version older than this get 410. */
  compactedBelow = 0;
  readonly mutations: RecordedRequest[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  /** Split every watch write at random offsets into several chunks. */
  randomChunking = false;
  /** Send a BOOKMARK every N ms to open watches (0: never). */
  bookmarkEveryMs = 0;
  /**
   * Hostile API (issue #11): rewrites the body of each pod list before it is
   * sent (strip names or UIDs, inject foreign pods, or answer null). What it
   * returns is sent as JSON.
   */
  podListTransform: ((list: { kind: string; apiVersion: string; metadata: Record<string, unknown>; items: Obj[] }) => unknown) | undefined;
  /** Hostile API: the next N lists of a resource send their headers, then nothing, until the client goes away. */
  readonly stallLists: Record<Resource, number> = { configmaps: 0, pods: 0 };
  private readonly watchers = new Set<Watcher>();
  /** Watches made silent by stallWatches(): open, never written to again. */
  private readonly silent = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  private uidSeq = 0;
  private bookmarkTimer: NodeJS.Timeout | undefined;

  constructor(opts: FakeApiServerOptions = {}) {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err) => {
        if (!res.headersSent) this.status(res, 500, 'InternalError', String(err));
      });
    };
    this.tlsOn = opts.tls !== undefined;
    this.validTokens = opts.tokens ? new Set(opts.tokens) : undefined;
    this.authRequired = opts.tokens !== undefined || opts.tls?.clientCa !== undefined;
    this.server = opts.tls
      ? createHttpsServer({
        key: opts.tls.key, cert: opts.tls.cert,
        ...(opts.tls.clientCa ? { ca: opts.tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
      }, listener)
      : createServer(listener);
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `${this.tlsOn ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    for (const w of this.watchers) w.res.destroy();
    for (const w of this.silent) w.res.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  get watchCount(): number {
    return this.watchers.size;
  }

  /** Ends every open watch cleanly (as a server-side timeout would). */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** Destroys every open watch's socket (a TCP reset). */
  resetWatches(): void {
    for (const w of this.watchers) w.res.socket?.resetAndDestroy?.() ?? w.res.destroy();
    this.watchers.clear();
  }

  /** Makes every open watch silent: the connection stays open, no byte is sent again. */
  stallWatches(): void {
    for (const w of this.watchers) this.silent.add(w);
    this.watchers.clear();
  }

  /** Sends an in-stream ERROR (a Status) on every open watch, then ends it. */
  errorWatches(code: number, reason: string, message = `injected ${code}`): void {
    for (const w of this.watchers) {
      this.write(w, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code } });
      w.res.end();
    }
    this.watchers.clear();
  }

  /** Writes raw text (e.g. a malformed line) on every open watch. */
  writeRaw(text: string): void {
    for (const w of this.watchers) w.res.write(text);
  }

  /**
   * Runs `fn` with every open watch corked, so its events leave in one flush
   * (as the API server does when its event channel is busy).
   */
  batch(fn: () => void): void {
    const corked = [...this.watchers];
    for (const w of corked) w.res.cork();
    try {
      fn();
    } finally {
      for (const w of corked) w.res.uncork();
    }
  }

  setBookmarks(everyMs: number): void {
    this.bookmarkEveryMs = everyMs;
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    if (everyMs > 0) {
      this.bookmarkTimer = setInterval(() => {
        for (const w of this.watchers) {
          this.write(w, { type: 'BOOKMARK', object: { kind: w.resource === 'pods' ? 'Pod' : 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) } } });
        }
      }, everyMs);
    }
  }

  /** Forgets history older than the current resource version (etcd compaction). */
  compact(): void {
    this.compactedBelow = this.rv;
    this.history.length = 0;
  }

  // ---- mutations made by the test ----

  upsertConfigMap(namespace: string, name: string, data: Record<string, string>, annotations?: Record<string, string>, labels?: Record<string, string>): Obj {
    const key = `${namespace}/${name}`;
    const prev = this.objects.configmaps.get(key);
    const obj: Obj = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: {
        name, namespace, uid: prev?.metadata.uid ?? this.uid(), resourceVersion: String(++this.rv),
        creationTimestamp: '2026-01-01T00:00:00Z',
        ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}),
      },
      data,
    };
    this.objects.configmaps.set(key, obj);
    this.emit('configmaps', prev ? 'MODIFIED' : 'ADDED', obj);
    return obj;
  }

  deleteConfigMap(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const prev = this.objects.configmaps.get(key);
    if (!prev) return;
    this.objects.configmaps.delete(key);
    const obj = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(++this.rv) } };
    this.emit('configmaps', 'DELETED', obj);
  }

  addPod(namespace: string, name: string, labels: Record<string, string>): Obj {
    const obj: Obj = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace, uid: this.uid(), resourceVersion: String(++this.rv), labels },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
      status: { phase: 'Pending' },
    };
    this.objects.pods.set(`${namespace}/${name}`, obj);
    this.emit('pods', 'ADDED', obj);
    return obj;
  }

  podNames(namespace?: string): string[] {
    return [...this.objects.pods.values()].filter((p) => !namespace || p.metadata.namespace === namespace).map((p) => p.metadata.name).sort();
  }

  private uid(): string {
    return `00000000-0000-4000-8000-${String(++this.uidSeq).padStart(12, '0')}`;
  }

  private emit(resource: Resource, type: HistoryEntry['type'], obj: Obj): void {
    const entry = { rv: Number(obj.metadata.resourceVersion), resource, type, obj };
    this.history.push(entry);
    this.journal.push(entry);
    for (const w of this.watchers) {
      if (this.visible(w, entry)) this.write(w, { type, object: obj });
    }
  }

  private visible(w: Pick<Watcher, 'resource' | 'namespace' | 'selector' | 'fields'>, e: HistoryEntry): boolean {
    return e.resource === w.resource && (!w.namespace || e.obj.metadata.namespace === w.namespace) && matches(w.selector, e.obj.metadata.labels) && fieldsOk(w.fields, e.obj);
  }

  private write(w: Watcher, ev: unknown): void {
    const line = JSON.stringify(ev) + '\n';
    if (!this.randomChunking) {
      w.res.write(line);
      return;
    }
    let i = 0;
    while (i < line.length) {
      const n = 1 + Math.floor(Math.random() * Math.min(64, line.length - i));
      w.res.write(line.slice(i, i + n));
      i += n;
    }
  }

  // ---- HTTP ----

  private status(res: ServerResponse, code: number, reason: string, message: string, headers: Record<string, string> = {}): void {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
  }

  /** A valid bearer token, else a verified client certificate; undefined if neither. */
  private identify(req: IncomingMessage): string | undefined {
    const a = req.headers.authorization;
    if (a !== undefined) {
      const t = /^Bearer (.+)$/.exec(a)?.[1];
      return t !== undefined && this.validTokens?.has(t) ? `token:${t}` : undefined;
    }
    const sock = req.socket as TLSSocket;
    if (sock.authorized && typeof sock.getPeerCertificate === 'function') {
      const cn = sock.getPeerCertificate()?.subject?.CN;
      if (cn) return `cert:${cn}`;
    }
    return undefined;
  }

  private takeFault(on: 'watch' | 'list'): Fault | undefined {
    const i = this.faults.findIndex((f) => f.kind === 'status' ? (f.on ?? 'watch') === on : LIST_FAULTS.has(f.kind) === (on === 'list'));
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    if (f.times !== undefined && f.times > 1) {
      f.times--;
      return f;
    }
    return this.faults.splice(i, 1)[0];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(u.searchParams);
    let body: unknown;
    if (req.method !== 'GET') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString();
      body = text ? JSON.parse(text) : undefined;
    }
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: u.pathname, query, body };
    if (this.authRequired) {
      rec.user = this.identify(req);
      if (!rec.user) {
        this.unauthorized.push(rec);
        return this.status(res, 401, 'Unauthorized', 'Unauthorized');
      }
    }
    this.requests.push(rec);
    if (req.method !== 'GET') this.mutations.push(rec);

    const m = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/(configmaps|pods)(?:\/([^/]+))?$/.exec(u.pathname);
    if (!m) return this.status(res, 404, 'NotFound', `the server could not find the requested resource (${u.pathname})`);
    const namespace = m[1] ? decodeURIComponent(m[1]) : undefined;
    const resource = m[2] as Resource;
    const name = m[3] ? decodeURIComponent(m[3]) : undefined;

    let selector: Requirement[] | undefined;
    if (query.labelSelector !== undefined) {
      const p = parseSelector(query.labelSelector);
      if (!p.ok) return this.status(res, 400, 'BadRequest', `unable to parse requirement: ${p.error}`);
      selector = p.requirements;
    }
    let fields: FieldTerm[] | undefined;
    if (query.fieldSelector !== undefined) {
      const p = parseFieldSelector(query.fieldSelector);
      if (!p.ok) return this.status(res, 400, 'BadRequest', `invalid field selector: ${p.error}`);
      const bad = p.terms.find((t) => !SELECTABLE_FIELDS[resource].includes(t.field));
      if (bad) return this.status(res, 400, 'BadRequest', unsupportedFieldMessage(resource, bad.field));
      fields = p.terms;
    }
    const filter: Filter = { selector, fields };

    if (req.method === 'DELETE' && name && namespace) {
      const key = `${namespace}/${name}`;
      const obj = this.objects[resource].get(key);
      if (!obj) return this.status(res, 404, 'NotFound', `${resource} "${name}" not found`);
      const pre = (body as { preconditions?: { uid?: string } } | undefined)?.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid) {
        return this.status(res, 409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
      }
      this.objects[resource].delete(key);
      const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
      this.emit(resource, 'DELETED', gone);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(gone));
      return;
    }
    if (req.method !== 'GET') return this.status(res, 405, 'MethodNotAllowed', `${req.method} is not supported by the fake`);
    if (name) {
      const obj = namespace && this.objects[resource].get(`${namespace}/${name}`);
      if (!obj) return this.status(res, 404, 'NotFound', `${resource} "${name}" not found`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
      return;
    }
    if (query.watch === 'true' || query.watch === '1') return this.watch(req, res, resource, namespace, filter, query);
    return this.list(res, resource, namespace, filter, query);
  }

  private list(res: ServerResponse, resource: Resource, namespace: string | undefined, { selector, fields }: Filter, query: Record<string, string>): void {
    const fault = this.takeFault('list');
    if (fault?.kind === 'status') {
      return this.status(res, fault.status, fault.reason ?? 'Failure', fault.message ?? `injected ${fault.status}`, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    }
    if (this.stallLists[resource] > 0) {
      this.stallLists[resource]--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return;
    }
    if (fault?.kind === 'list-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(fault.body);
      return;
    }
    if (fault?.kind === 'endless-body') return this.endlessList(res, resource, fault.maxBytes ?? 64 * 1024 * 1024);
    const all = [...this.objects[resource].values()]
      .filter((o) => (!namespace || o.metadata.namespace === namespace) && matches(selector, o.metadata.labels) && fieldsOk(fields, o))
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    // The endless-continue fault's tokens are not the fake's own: every page is the first one again.
    const cont = fault?.kind === 'endless-continue' ? undefined : query.continue;
    if (cont && !/^\d+:\d+$/.test(Buffer.from(cont, 'base64').toString())) {
      return this.status(res, 400, 'BadRequest', `invalid continue token: ${cont}`);
    }
    const start = cont ? Number(Buffer.from(cont, 'base64').toString().split(':')[1]) : 0;
    const limit = query.limit ? Number(query.limit) : all.length;
    const listRv = cont ? Buffer.from(cont, 'base64').toString().split(':')[0]! : String(this.rv);
    const page: Obj[] = all.slice(start, start + limit);
    const more = start + limit < all.length;
    let next = more ? Buffer.from(`${listRv}:${start + limit}`).toString('base64') : undefined;
    if (fault?.kind === 'endless-continue') next = fault.fresh ? `fresh-${++this.uidSeq}` : 'loop';
    if (fault?.kind === 'foreign-item') page.push(this.foreignPod(namespace ?? 'default', fault.name));
    const body = {
      kind: resource === 'pods' ? 'PodList' : 'ConfigMapList', apiVersion: 'v1',
      metadata: { resourceVersion: listRv, ...(next ? { continue: next, remainingItemCount: Math.max(1, all.length - start - limit) } : {}) },
      items: page,
    };
    const out = resource === 'pods' && this.podListTransform ? this.podListTransform(structuredClone(body)) : body;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out) ?? '');
  }

  /** A Pod that is in no store: what a broken proxy injects into a ConfigMap list or watch. */
  private foreignPod(namespace: string, name: string): Obj {
    return {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace, uid: this.uid(), resourceVersion: String(this.rv) },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    };
  }

  /** The endless-body fault: a list whose items never end, written only as fast as the client reads. */
  private endlessList(res: ServerResponse, resource: Resource, maxBytes: number): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`{"kind":"${resource === 'pods' ? 'PodList' : 'ConfigMapList'}","apiVersion":"v1","metadata":{"resourceVersion":"${this.rv}"},"items":[`);
    const item = JSON.stringify({ metadata: { name: 'endless', namespace: 'default', resourceVersion: String(this.rv) }, data: { v: 'x'.repeat(1000) } });
    const chunk = Array.from({ length: 64 }, () => item).join(',') + ',';
    let sent = 0;
    const pump = () => {
      while (!res.destroyed && sent < maxBytes) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  }

  private watch(req: IncomingMessage, res: ServerResponse, resource: Resource, namespace: string | undefined, { selector, fields }: Filter, query: Record<string, string>): void {
    const fault = this.takeFault('watch');
    if (fault?.kind === 'status') {
      if (fault.plain) {
        res.writeHead(fault.status, { 'content-type': 'text/plain' });
        res.end(`injected ${fault.status}\n`);
        return;
      }
      return this.status(res, fault.status, fault.reason ?? 'Failure', fault.message ?? `injected ${fault.status}`, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    }
    const from = query.resourceVersion ? Number(query.resourceVersion) : 0;
    if (from > 0 && from < this.compactedBelow) {
      return this.status(res, 410, 'Expired', `too old resource version: ${from} (${this.compactedBelow})`);
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (fault?.kind === 'stall') {
      req.on('close', () => res.destroy());
      return;
    }
    const w: Watcher = { res, resource, namespace, selector, fields };
    if (fault?.kind === 'empty-error') {
      this.write(w, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {} } });
      res.end();
      return;
    }
    if (fault?.kind === 'foreign-event') this.write(w, { type: fault.type ?? 'ADDED', object: this.foreignPod(namespace ?? 'default', fault.name) });
    if (fault?.kind === 'error-event') {
      this.write(w, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: fault.message ?? `injected ${fault.code}`, reason: fault.reason, code: fault.code } });
      res.end();
      return;
    }
    if (fault?.kind === 'malformed') res.write((fault.line ?? '{"type":"MODIFIED","object":{ this is not json') + '\n');
    // Backlog: with no resource version, every existing object as ADDED; otherwise the history after it.
    const backlog: unknown[] = [];
    if (!from) {
      for (const o of this.objects[resource].values()) {
        if ((!namespace || o.metadata.namespace === namespace) && matches(selector, o.metadata.labels) && fieldsOk(fields, o)) backlog.push({ type: 'ADDED', object: o });
      }
    } else {
      for (const e of this.history) if (e.rv > from && this.visible(w, e)) backlog.push({ type: e.type, object: e.obj });
    }
    if (fault?.kind === 'reset') {
      const lines = backlog.map((e) => JSON.stringify(e) + '\n');
      let n = fault.afterBytes ?? 0;
      if (fault.afterEvents !== undefined) {
        n = lines.slice(0, fault.afterEvents).join('').length;
        const next = lines[fault.afterEvents];
        if (next) n += Math.floor(next.length / 2);
      }
      res.write(lines.join('').slice(0, n), () => res.socket?.resetAndDestroy?.() ?? res.destroy());
      return;
    }
    for (const e of backlog) this.write(w, e);
    if (fault?.kind === 'stale-bookmark') {
      this.write(w, { type: 'BOOKMARK', object: { kind: resource === 'pods' ? 'Pod' : 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: fault.rv } } });
      res.end();
      return;
    }
    if (fault?.kind === 'close') {
      res.end();
      return;
    }
    this.watchers.add(w);
    const timeout = query.timeoutSeconds ? Number(query.timeoutSeconds) * 1000 : 0;
    const t = timeout > 0 ? setTimeout(() => { this.watchers.delete(w); res.end(); }, timeout) : undefined;
    req.on('close', () => {
      if (t) clearTimeout(t);
      this.watchers.delete(w);
    });
    res.on('close', () => this.watchers.delete(w));
  }
}
