/**
 * The memory of a --snapshot of N small CRs (default 10,000), measured two ways:
 *
 * 1. In process (run with --expose-gc): the heap that N ConfigWatchers take
 *    kept as parsed objects, against the same kept as JSON text in a
 *    SnapshotCache (what cmwatch does).
 * 2. With KUBECONFIG set (a cluster from `node dist/test/cluster/cli.js up`):
 *    N ConfigWatchers are created in namespace bench-snap, then cmwatch runs
 *    `configmaps -n bench-snap --snapshot cw --exec H --on SYNC` and, for the
 *    baseline, the same without --snapshot; the RSS of each (VmRSS, from
 *    /proc) is read once its handler has run (so the cache had synced) and
 *    the process has settled for a few seconds.
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/snapshot-rss.js [N]
 *
 * Not part of npm test; nothing asserts a number.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotCache } from '../src/watch/snapshot-cache.js';
import type { K8sObject } from '../src/api/types.js';

const N = Number(process.argv[2] ?? 10_000);
const NS = 'bench-snap';
const ROOT = join(import.meta.dirname, '..', '..');

/** A ConfigWatcher as the API serves it after a `kubectl create` (managedFields included). */
function cr(i: number): K8sObject {
  return {
    apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher',
    metadata: {
      name: `cw-${i}`, namespace: NS, uid: `0b6f7e3c-${String(i).padStart(4, '0')}-4a55-9d3e-5b1d2a6c7f80`, resourceVersion: String(100000 + i), generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'k8spatterns.com/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { '.': {}, 'f:configMap': {}, 'f:podSelector': { '.': {}, 'f:app': {} } } } }],
    },
    spec: { configMap: `config-${i}`, podSelector: { app: `app-${i}` } },
  };
}

function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function inProcess(): void {
  if (!(globalThis as { gc?: unknown }).gc) {
    console.log('(in-process part skipped: run node with --expose-gc)');
    return;
  }
  const texts = Array.from({ length: N }, (_, i) => JSON.stringify(cr(i)));
  const base = heapMiB();
  // The same keys and Map as the cache, holding the parsed objects.
  let parsed: Map<string, K8sObject> | undefined = new Map();
  for (const t of texts) {
    const o = JSON.parse(t) as K8sObject;
    parsed.set(`${NS}/${o.metadata!.name}`, o);
  }
  const asObjects = heapMiB() - base;
  parsed.clear();
  parsed = undefined;
  const base2 = heapMiB();
  const cache = new SnapshotCache({ canonical: 'configwatchers.k8spatterns.com', apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher' });
  for (const t of texts) {
    const o = JSON.parse(t) as K8sObject;
    cache.apply({ type: 'SYNC', object: o, key: `${NS}/${o.metadata!.name}` });
  }
  const asText = heapMiB() - base2;
  const listBytes = Buffer.byteLength(cache.listJson());
  console.log(`in process, ${N} ConfigWatchers (${Math.round(texts[0]!.length)} bytes of JSON each): parsed objects ${asObjects.toFixed(1)} MiB of heap; JSON text (SnapshotCache) ${asText.toFixed(1)} MiB; the List file ${(listBytes / 2 ** 20).toFixed(1)} MiB`);
}

function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', args, { input, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function cmwatchRss(args: string[], dir: string): Promise<number> {
  const marker = join(dir, `ran-${Date.now()}`);
  const h = join(dir, 'h.sh');
  writeFileSync(h, `#!/bin/sh\n[ -n "$CMWATCH_SNAPSHOT_DIR" ] && jq '.items | length' "$CMWATCH_SNAPSHOT_DIR/configwatchers.k8spatterns.com.json" > "$MARK.n"\ntouch "$MARK"\n`, { mode: 0o755 });
  const child = spawn(process.execPath, [join(ROOT, 'bin/cmwatch.js'), 'configmaps', '-n', NS, ...args, '--exec', h, '--on', 'SYNC', '--log-level', 'warn'], {
    env: { ...process.env, MARK: marker }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const end = Date.now() + 300_000;
    while (!existsSync(marker)) {
      if (Date.now() > end || child.exitCode !== null) throw new Error('cmwatch did not run its handler');
      await new Promise((r) => setTimeout(r, 200));
    }
    if (existsSync(`${marker}.n`)) console.log(`  the handler saw ${readFileSync(`${marker}.n`, 'utf8').trim()} items in the snapshot`);
    await new Promise((r) => setTimeout(r, 5000));
    return rssMiB(child.pid!);
  } finally {
    child.kill('SIGKILL');
  }
}

async function onCluster(): Promise<void> {
  if (!process.env.KUBECONFIG) {
    console.log('(cluster part skipped: set KUBECONFIG, e.g. from `node dist/test/cluster/cli.js up`)');
    return;
  }
  kubectl(['apply', '-f', join(ROOT, 'examples/operator/crd.yaml')]);
  kubectl(['wait', '--for=condition=Established', 'crd/configwatchers.k8spatterns.com']);
  kubectl(['create', 'namespace', NS, '--dry-run=client', '-o', 'yaml']);
  try { kubectl(['create', 'namespace', NS]); } catch { /* exists */ }
  try { kubectl(['create', 'configmap', 'c', '-n', NS, '--from-literal=k=v']); } catch { /* exists */ }
  const have = Number(kubectl(['get', 'cw', '-n', NS, '--no-headers', '-o', 'name']).split('\n').filter(Boolean).length);
  const t0 = Date.now();
  for (let i = have; i < N; i += 500) {
    const items = Array.from({ length: Math.min(500, N - i) }, (_, k) => ({
      apiVersion: 'k8spatterns.com/v1', kind: 'ConfigWatcher', metadata: { name: `cw-${i + k}`, namespace: NS }, spec: { configMap: `config-${i + k}`, podSelector: { app: `app-${i + k}` } },
    }));
    kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  }
  if (have < N) console.log(`created ${N - have} ConfigWatchers in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-snaprss-'));
  const without = await cmwatchRss([], dir);
  const withSnap = await cmwatchRss(['--snapshot', 'cw'], dir);
  console.log(`cmwatch RSS, watching one ConfigMap: ${without.toFixed(0)} MiB; with --snapshot cw of ${N} ConfigWatchers: ${withSnap.toFixed(0)} MiB (+${(withSnap - without).toFixed(0)} MiB)`);
}

inProcess();
await onCluster();
