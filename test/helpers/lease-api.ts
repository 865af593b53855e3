/**
 * A minimal coordination.k8s.io/v1 Lease API on 127.0.0.1 for the leader
 * election's unit tests: GET, POST and PUT of leases with the API server's
 * optimistic concurrency (a PUT whose resourceVersion is not the current one
 * is 409 Conflict; a POST of an existing name is 409 AlreadyExists), and a
 * switch that makes every request fail with 503.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredLease {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion: string; [k: string]: unknown };
  spec: Record<string, unknown>;
}

export class LeaseApi {
  readonly leases = new Map<string, StoredLease>();
  readonly requests: Array<{ method: string; path: string; body?: StoredLease }> = [];
  /** Every request fails with 503 while true. */
  failing = false;
  url = '';
  private rv = 1000;
  private readonly server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Writes a lease directly (as another instance would), bumping its resourceVersion. */
  put(namespace: string, name: string, spec: Record<string, unknown>): StoredLease {
    const lease: StoredLease = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name, namespace, resourceVersion: String(++this.rv) }, spec,
    };
    this.leases.set(`${namespace}/${name}`, lease);
    return lease;
  }

  get(namespace: string, name: string): StoredLease | undefined {
    return this.leases.get(`${namespace}/${name}`);
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const c of req) text += String(c);
    const body = text ? (JSON.parse(text) as StoredLease) : undefined;
    const path = (req.url ?? '').split('?')[0]!;
    this.requests.push({ method: req.method ?? '', path, body });
    if (this.failing) return this.status(res, 503, 'ServiceUnavailable', 'injected');
    const m = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/.exec(path);
    if (!m) return this.status(res, 404, 'NotFound', `no route ${path}`);
    const ns = decodeURIComponent(m[1]!);
    const name = m[2] ? decodeURIComponent(m[2]) : undefined;
    const send = (code: number, obj: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    if (req.method === 'GET' && name) {
      const l = this.get(ns, name);
      return l ? send(200, l) : this.status(res, 404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`);
    }
    if (req.method === 'POST' && !name && body) {
      if (this.get(ns, body.metadata.name)) return this.status(res, 409, 'AlreadyExists', `leases.coordination.k8s.io "${body.metadata.name}" already exists`);
      return send(201, this.put(ns, body.metadata.name, body.spec));
    }
    if (req.method === 'PUT' && name && body) {
      const cur = this.get(ns, name);
      if (!cur) return this.status(res, 404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`);
      if (body.metadata.resourceVersion !== cur.metadata.resourceVersion) {
        return this.status(res, 409, 'Conflict', `Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`);
      }
      return send(200, this.put(ns, name, body.spec));
    }
    return this.status(res, 405, 'MethodNotAllowed', `${req.method} ${path}`);
  }
}
