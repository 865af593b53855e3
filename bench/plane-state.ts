/**
 * The cost of `--state` with many keys, beside the plain run, on the real
 * control plane (issue #18): N ConfigMaps of 1 KiB in one namespace, then
 * two cmwatch runs one after the other, both with `--on MODIFIED --exec
 * bench/handlers/notify.sh` (its FIFO tells the harness each run): plain,
 * then with `--state bench-state`. For each: the time to sync, RSS after
 * the sync, for the state run the time from start until the store holds
 * every key (its shards and bytes), RSS then and after a quiet spell, CPU
 * up to there; then U PATCHes of distinct ConfigMaps (8 in flight), the
 * store writes until the last batch was flushed, RSS and CPU after.
 *
 * The store's writes are counted as the API saw them: the harness watches
 * the ConfigMaps labelled cmwatch.io/state=bench-state from before cmwatch
 * starts, and each ADDED or MODIFIED is one write. So cmwatch runs in its
 * shipped defaults, without --metrics-addr (prom-client is loaded only
 * with it and would add to its RSS).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { ensureNamespace, startPlane, type Cluster } from '../test/helpers/plane.js';
import { cmwatch, type Peer } from './peers.js';
import { configMap, must, pool } from './plane.js';
import { Fifo, MiB, hrnow, seconds, sleep, timeout } from './proc.js';
import { NOTIFY, type Log } from './suites.js';
import { NAMESPACE, cmName, payloadFor } from './workload.js';

export const STATE_NAME = 'bench-state';

export interface StateOptions {
  /** ConfigMaps (keys in the store). */
  n: number;
  /** PATCHes after the store is written, each of a different ConfigMap. */
  updates: number;
  /** Quiet spell before the settled RSS, ms. */
  settleMs: number;
}

type Mem = { rss: number; hwm: number };

export interface StateRun {
  label: string;
  /** cmwatch's arguments after the connection flags. */
  args: string[];
  /** Start → the "synced" line, s. */
  syncSeconds: number;
  synced?: Mem;
  /** --state: start → the store holding every key, s. */
  storeSeconds?: number;
  /** --state: RSS when the store held every key. */
  stored?: Mem;
  /** RSS after settleMs without writes (after the sync, or after the store was complete). */
  settled?: Mem;
  /** CPU seconds of its process group from start to the settled reading. */
  cpuSeconds: number;
  /** --state: the store ConfigMaps (head and shards), their keys, and the bytes of their data. */
  store?: { configMaps: number; keys: number; bytes: number; writes: number };
  patchSeconds: number;
  /** Handler runs the FIFO saw for the PATCHes (U when none was lost). */
  handled: number;
  /** First PATCH → the last of those runs, s. */
  handledSeconds: number;
  /** --state: store writes from the first PATCH until no write came for 3 s after the last run. */
  patchWrites?: number;
  cpuPatchSeconds: number;
  /** RSS once the PATCHes were handled (and the store flushed). */
  after?: Mem;
}

export interface StateResults {
  version: string;
  n: number;
  createSeconds: number;
  updates: number;
  settleMs: number;
  runs: StateRun[];
}

interface StoreShard {
  keys: number;
  bytes: number;
}

/**
 * The store as the API has it, from a watch on its label: each shard's keys
 * and data bytes, and the time of every write.
 */
class StoreWatch {
  readonly shards = new Map<string, StoreShard>();
  readonly writes: bigint[] = [];
  private readonly waiters: Array<{ n: number; resolve: (t: bigint) => void }> = [];
  private readonly agent: Agent;
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly c: Cluster, private readonly ns: string, private readonly name: string) {
    this.agent = new Agent({ connect: { ca: readFileSync(c.caFile) } });
  }

  get keys(): number {
    let k = 0;
    for (const s of this.shards.values()) k += s.keys;
    return k;
  }

  get bytes(): number {
    let b = 0;
    for (const s of this.shards.values()) b += s.bytes;
    return b;
  }

  /** Resolves at the write after which the store holds at least n keys. */
  holds(n: number): Promise<bigint> {
    if (this.keys >= n) return Promise.resolve(hrnow());
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  writesSince(t: bigint): number {
    return this.writes.filter((w) => w >= t).length;
  }

  lastWrite(): bigint | undefined {
    return this.writes.at(-1);
  }

  async start(): Promise<void> {
    const sel = encodeURIComponent(`cmwatch.io/state=${this.name}`);
    const path = `/api/v1/namespaces/${this.ns}/configmaps?labelSelector=${sel}`;
    const list = await this.get(path);
    const body = (await list.body.json()) as { metadata: { resourceVersion: string }; items: unknown[] };
    if (body.items.length) throw new Error(`the store ${this.name} exists before the run`);
    const res = await this.get(`${path}&watch=true&allowWatchBookmarks=false&timeoutSeconds=3600&resourceVersion=${body.metadata.resourceVersion}`);
    this.done = this.read(res.body as AsyncIterable<Buffer>).catch((err: unknown) => {
      if (!this.abort.signal.aborted) process.stderr.write(`store watch ended: ${String(err)}\n`);
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
    await this.agent.close();
  }

  private async get(path: string) {
    const res = await request(this.c.server + path, {
      dispatcher: this.agent, signal: this.abort.signal,
      headers: { authorization: `Bearer ${this.c.adminToken}`, accept: 'application/json' },
    });
    if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${(await res.body.text()).slice(0, 200)}`);
    return res;
  }

  private async read(body: AsyncIterable<Buffer>): Promise<void> {
    let partial = '';
    for await (const chunk of body) {
      partial += chunk.toString('utf8');
      for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (line) this.event(JSON.parse(line) as { type: string; object: { metadata: { name: string }; data?: Record<string, string> } });
      }
    }
  }

  private event(e: { type: string; object: { metadata: { name: string }; data?: Record<string, string> } }): void {
    const at = hrnow();
    const name = e.object.metadata.name;
    if (e.type === 'DELETED') {
      this.shards.delete(name);
      return;
    }
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
    this.writes.push(at);
    const data = e.object.data ?? {};
    let bytes = 0;
    for (const [k, v] of Object.entries(data)) bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
    const entries = data.entries ?? '';
    let keys = 0;
    for (let i = entries.indexOf('\n'); i >= 0; i = entries.indexOf('\n', i + 1)) keys++;
    this.shards.set(name, { keys, bytes });
    const k = this.keys;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (k >= this.waiters[i]!.n) this.waiters.splice(i, 1)[0]!.resolve(at);
    }
  }
}

const mib = (m: Mem | undefined) => (m ? `${(m.rss / MiB).toFixed(1)} MiB` : 'n/a');

async function until(what: string, ms: number, fn: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s: ${what}`);
    await sleep(100);
  }
}

/** The ConfigMaps of the namespace (before any store exists): the keys the store will hold, the N and kube-root-ca.crt. */
async function configMapCount(c: Cluster): Promise<number> {
  const list = await must(c, 'GET', `/api/v1/namespaces/${NAMESPACE}/configmaps?limit=1`);
  return (list.items as unknown[]).length + Number(list.metadata.remainingItemCount ?? 0);
}

/** One cmwatch run: start, sync, (store complete,) settle, the PATCHes, flushed. */
async function oneRun(c: Cluster, o: StateOptions, label: string, stateArgs: string[], round: number, log: Log): Promise<StateRun> {
  const base = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
  const store = stateArgs.length ? new StoreWatch(c, NAMESPACE, STATE_NAME) : undefined;
  await store?.start();
  const keys = await configMapCount(c);
  const args = ['--on', 'MODIFIED', '--exec', NOTIFY, ...stateArgs];
  const fifo = new Fifo();
  const t0 = hrnow();
  const p: Peer = cmwatch({ server: c.server, kubeconfig: c.kubeconfig }, { label, fifo, extraArgs: args });
  try {
    const ready = await timeout(p.ready as Promise<bigint>, 180_000);
    if (ready === 'timeout') throw new Error(`${label} did not sync: ${p.tail()}`);
    const syncSeconds = seconds(t0, typeof ready === 'bigint' ? ready : hrnow());
    const synced = p.memory();
    let storeSeconds: number | undefined;
    let stored: Mem | undefined;
    if (store) {
      const at = await timeout(store.holds(keys), 180_000);
      if (at === 'timeout') throw new Error(`${label}: the store holds ${store.keys} of ${keys} keys after 180 s: ${p.tail()}`);
      storeSeconds = seconds(t0, at);
      stored = p.memory();
    }
    await sleep(o.settleMs);
    const settled = p.memory();
    const cpuSeconds = p.cpu();
    const storeNow = store ? { configMaps: store.shards.size, keys: store.keys, bytes: store.bytes, writes: store.writes.length } : undefined;
    log(`  ${label}: synced in ${syncSeconds.toFixed(1)} s, RSS ${mib(synced)}` +
      (store ? `; the store held ${store.keys} keys ${storeSeconds!.toFixed(1)} s after start (${storeNow!.configMaps} ConfigMaps, ${(storeNow!.bytes / 1024).toFixed(0)} KiB of data, ${storeNow!.writes} writes), RSS ${mib(stored)}` : '') +
      `; after ${(o.settleMs / 1000).toFixed(0)} s quiet ${mib(settled)}; ${cpuSeconds.toFixed(2)} s CPU`);

    // The burst: U distinct ConfigMaps, one PATCH each, so none coalesces.
    const cpu0 = p.cpu();
    const runs0 = fifo.scanner.count;
    const tp = hrnow();
    await pool(o.updates, 8, (i) => must(c, 'PATCH', `${base}/${cmName(i)}`, { data: { seq: `state-${round}-${i}` } }));
    const patchSeconds = seconds(tp, hrnow());
    await until(`${label}: ${o.updates} handler runs`, 120_000, () => fifo.scanner.count - runs0 >= o.updates).catch((err: Error) => log(`  ${err.message}`));
    const handled = fifo.scanner.count - runs0;
    const handledSeconds = seconds(tp, hrnow());
    let patchWrites: number | undefined;
    if (store) {
      // Batches are at most one every 2 s: 3 s without a write after the last run is the flush done.
      const tRuns = hrnow();
      await until(`${label}: the store flushed`, 60_000, () => {
        const now = hrnow();
        const last = store.lastWrite() ?? 0n;
        return seconds(tRuns, now) >= 3 && seconds(last > tRuns ? last : tRuns, now) >= 3;
      });
      patchWrites = store.writesSince(tp);
    }
    const after = p.memory();
    const cpuPatchSeconds = p.cpu() - cpu0;
    log(`  ${label}: ${o.updates} PATCHes in ${patchSeconds.toFixed(1)} s, ${handled} runs in ${handledSeconds.toFixed(1)} s` +
      (patchWrites !== undefined ? `, ${patchWrites} store writes` : '') + `; RSS after ${mib(after)}, peak (VmHWM) ${mib(after && { rss: after.hwm, hwm: after.hwm })}; ${cpuPatchSeconds.toFixed(2)} s CPU`);
    return {
      label, args, syncSeconds, cpuSeconds, patchSeconds, handled, handledSeconds, cpuPatchSeconds,
      ...(synced ? { synced } : {}), ...(storeSeconds !== undefined ? { storeSeconds } : {}), ...(stored ? { stored } : {}),
      ...(settled ? { settled } : {}), ...(storeNow ? { store: storeNow } : {}), ...(patchWrites !== undefined ? { patchWrites } : {}),
      ...(after ? { after } : {}),
    };
  } finally {
    await p.stop();
    await store?.stop();
  }
}

export async function stateSuite(o: StateOptions, log: Log): Promise<StateResults> {
  const c = await startPlane();
  try {
    const version = (await must(c, 'GET', '/version')).gitVersion as string;
    await ensureNamespace(c, NAMESPACE);
    const payload = payloadFor(1024);
    const t = hrnow();
    await pool(o.n, 16, (k) => must(c, 'POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, configMap(cmName(k), NAMESPACE, { seq: '0', 'config.ini': payload }, k)));
    const createSeconds = seconds(t, hrnow());
    log(`  created ${o.n} ConfigMaps of 1 KiB in ${createSeconds.toFixed(1)} s (${Math.round(o.n / createSeconds)}/s)`);
    const runs: StateRun[] = [];
    runs.push(await oneRun(c, o, 'cmwatch', [], 1, log));
    runs.push(await oneRun(c, o, `cmwatch --state ${STATE_NAME}`, ['--state', STATE_NAME], 2, log));
    return { version, n: o.n, createSeconds, updates: o.updates, settleMs: o.settleMs, runs };
  } finally {
    await c.stop();
  }
}
