/**
 * Helpers for end-to-end tests against the real control plane: one to
 * start it, and small kubectl wrappers for the book's objects.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { before, after } from 'node:test';
import { startCluster, binDir, type Cluster } from '../cluster/cluster.js';
import { runCli, type CliRun } from './cli.js';

export type { Cluster };

export async function startPlane(opts: Parameters<typeof startCluster>[0] = {}): Promise<Cluster> {
  await binDir();
  const t0 = Date.now();
  const c = await startCluster({ removeDir: true, ...opts });
  console.log(`# control plane up in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${c.server}`);
  return c;
}

/**
 * One control plane for a test file: started before its tests, stopped after
 * them with every cmwatch the file started. `cmwatch` runs the real CLI.
 */
export function planeFixture(opts: Parameters<typeof startCluster>[0] = {}, envFor: (env: NodeJS.ProcessEnv) => NodeJS.ProcessEnv = (e) => e) {
  let plane: Cluster | undefined;
  const running: CliRun[] = [];
  before(async () => {
    plane = await startPlane(opts);
  });
  after(async () => {
    for (const r of running) await r.stop('SIGKILL');
    await plane?.stop();
  });
  return {
    get c(): Cluster {
      if (!plane) throw new Error('the control plane is not started (use it inside a test)');
      return plane;
    },
    cmwatch(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
      const r = runCli(args, { env: envFor(env) });
      running.push(r);
      return r;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms: ${what}${last ? ` (${String(last)})` : ''}`);
    await sleep(250);
  }
}

export interface PodRef {
  name: string;
  uid: string;
}

/** Live (not terminating) pods matching a selector, sorted by name. */
export async function pods(c: Cluster, ns: string, selector: string): Promise<PodRef[]> {
  const r = await c.kubectl(['get', 'pods', '-n', ns, '-l', selector, '-o', 'json']);
  const items = (JSON.parse(r.stdout) as { items: Array<{ metadata: { name: string; uid: string; deletionTimestamp?: string } }> }).items;
  return items.filter((p) => !p.metadata.deletionTimestamp).map((p) => ({ name: p.metadata.name, uid: p.metadata.uid })).sort((a, b) => a.name.localeCompare(b.name));
}

export async function ensureNamespace(c: Cluster, ns: string): Promise<void> {
  await c.apply(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
  await eventually(`ServiceAccount ${ns}/default`, async () => (await c.kubectl(['get', 'sa', 'default', '-n', ns], { allowFail: true })).code === 0);
}

/** The book's setup: a Deployment with `replicas` pods labelled app=NAME, and its ConfigMap annotated with the selector. */
export async function deployWebapp(c: Cluster, ns: string, name = 'webapp', replicas = 2): Promise<PodRef[]> {
  await ensureNamespace(c, ns);
  await c.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: app, image: nginx}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
  namespace: ${ns}
  annotations: {k8spatterns.io/podDeleteSelector: "app=${name}"}
data: {message: "hello"}
`);
  return eventually(`${replicas} pods of ${ns}/${name}`, async () => {
    const p = await pods(c, ns, `app=${name}`);
    return p.length === replicas ? p : undefined;
  });
}

export async function setData(c: Cluster, ns: string, cm: string, message: string): Promise<void> {
  await c.kubectl(['patch', 'configmap', cm, '-n', ns, '--type=merge', '-p', JSON.stringify({ data: { message } })]);
}

/** Waits until `replicas` live pods exist none of whose UIDs are in `old`. */
export async function replaced(c: Cluster, ns: string, selector: string, old: PodRef[], replicas = old.length): Promise<PodRef[]> {
  const oldUids = new Set(old.map((p) => p.uid));
  return eventually(`pods ${selector} in ${ns} replaced`, async () => {
    const p = await pods(c, ns, selector);
    return p.length === replicas && p.every((x) => !oldUids.has(x.uid)) ? p : undefined;
  });
}

/** A direct admin call to the API (faster than kubectl for bursts). */
export async function api(c: Cluster, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const agent = agents.get(c) ?? new Agent({ connect: { ca: readFileSync(c.caFile) }, connections: 8 });
  agents.set(c, agent);
  const res = await request(c.server + path, {
    method: method as 'GET',
    dispatcher: agent,
    headers: { authorization: `Bearer ${c.adminToken}`, 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}
const agents = new Map<Cluster, Agent>();

/**
 * A real `kubectl proxy` on a port of the test's choosing, so it can be
 * stopped and started again at the same address while cmwatch keeps running.
 */
export async function fixedProxy(c: Cluster, port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const child = spawn('kubectl', [`--kubeconfig=${c.kubeconfig}`, 'proxy', `--port=${port}`, '--address=127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await eventually(`kubectl proxy on ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`kubectl proxy exited ${child.exitCode}: ${out}`);
    return /Starting to serve on/.test(out);
  }, 30_000);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

/** Applies a CRD and waits until it is Established (served: seconds after the apply). */
export async function applyCrd(c: Cluster, yaml: string, name: string): Promise<void> {
  await c.apply(yaml);
  await c.kubectl(['wait', '--for=condition=Established', `crd/${name}`, '--timeout=60s']);
}

/** A namespaced CRD `plural.group` of version v1 that keeps any field; with `status`, a status subresource. */
export function crdYaml(plural: string, group: string, kind: string, shortNames: string[], o: { status?: boolean } = {}): string {
  return `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${plural}.${group}}
spec:
  group: ${group}
  scope: Namespaced
  names: {kind: ${kind}, plural: ${plural}, singular: ${kind.toLowerCase()}, shortNames: [${shortNames.join(', ')}]}
  versions:
  - name: v1
    served: true
    storage: true
${o.status ? '    subresources: {status: {}}\n' : ''}    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;
}
