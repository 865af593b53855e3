/**
 * The real Reflector and HttpSource (undici, the line framer) against the
 * project's fake API server, in the test's own process: the rig of the fault
 * matrix (watch-faults) and of the hostile-API suite (hostile-reflector).
 * Backoff and stall timeout are shortened; the reflector logs at debug level
 * into `logs`.
 */
import { FakeApiServer, type Fault } from '../fake/api-server.js';
import { until } from './cli.js';
import { assertInvariant, converged } from './invariant.js';
import { KubeClient } from '../../src/kube/client.js';
import { proxyConnection } from '../../src/kube/connection.js';
import { Reflector, type Delivery, type ReflectorOptions } from '../../src/watch/reflector.js';
import { configMapContent } from '../../src/watch/content.js';
import { HttpSource } from '../../src/watch/source.js';
import { Backoff } from '../../src/base/backoff.js';
import { Logger } from '../../src/ops/log.js';

export const RIG_NS = 'default';

export interface RigOptions {
  /** ConfigMaps cm-0… created before the start (default 3). */
  seed?: number;
  /** Also a ConfigMap in namespace "other", which the reflector must never see. */
  noise?: boolean;
  /** Faults queued before the start. */
  faults?: Fault[];
  /** Anything else to do to the server before the start. */
  before?: (api: FakeApiServer) => void;
  /** The kind the source says it watches (unset: not checked). */
  kind?: string;
  reflector?: Partial<ReflectorOptions>;
  /** Wait for the initial sync and an open watch before returning (default true). */
  synced?: boolean;
  /** How long settle() waits (default 15 s), and how many log lines a failed wait shows (default 40). */
  settleMs?: number;
  logTail?: number;
}

export interface Rig {
  api: FakeApiServer;
  r: Reflector;
  deliveries: Delivery[];
  logs: string[];
  /** The server's resource version when the reflector started: changes after it count. */
  baseline: number;
  /** Upserts default/NAME with a unique content. */
  change(name: string, extra?: Record<string, string>): void;
  del(name: string): void;
  /** Waits until the watch is open. */
  watching(): Promise<void>;
  /** Waits for a log line matching `re`; returns it. */
  logged(re: RegExp, what?: string): Promise<string>;
  /** Makes a sentinel change and waits until it and everything before it arrived. */
  settle(): Promise<void>;
  check(mode: 'resume' | 'relist'): void;
  stop(): Promise<void>;
}

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const seed = opts.seed ?? 3;
  const tail = opts.logTail ?? 40;
  const api = await new FakeApiServer().start();
  let n = 0;
  for (let i = 0; i < seed; i++) api.upsertConfigMap(RIG_NS, `cm-${i}`, { v: `cm-${i}-seed` });
  if (opts.noise) api.upsertConfigMap('other', 'noise', { v: 'noise' });
  api.faults.push(...(opts.faults ?? []));
  opts.before?.(api);
  const baseline = api.rv;
  const conn = proxyConnection(api.url);
  const ac = new AbortController();
  const deliveries: Delivery[] = [];
  const logs: string[] = [];
  const r = new Reflector({
    source: new HttpSource(new KubeClient(conn), { resource: 'configmaps', namespace: RIG_NS, ...(opts.kind ? { kind: opts.kind } : {}) }),
    log: new Logger({ level: 'debug', color: false, write: (l) => logs.push(l) }),
    signal: ac.signal,
    onEvent: (d) => deliveries.push(d),
    content: configMapContent([]),
    backoff: new Backoff({ initialMs: 10, maxMs: 200 }),
    stallTimeoutMs: 2000,
    pageSize: 2,
    ...opts.reflector,
  });
  const running = r.run();
  const withLog = (err: unknown): never => {
    throw new Error(`${(err as Error).message}\n--- reflector log ---\n${logs.slice(-tail).join('\n')}`);
  };
  const self: Rig = {
    api, r, deliveries, logs, baseline,
    change(name, extra = {}) {
      api.upsertConfigMap(RIG_NS, name, { v: `${name}-${++n}`, ...extra });
    },
    del(name) {
      api.deleteConfigMap(RIG_NS, name);
    },
    async watching() {
      await until(() => api.watchCount > 0, 10_000, 'an open watch');
    },
    async logged(re, what = String(re)) {
      await until(() => logs.some((l) => re.test(l)), 10_000, what).catch(withLog);
      return logs.find((l) => re.test(l))!;
    },
    async settle() {
      const name = `zz-sentinel-${++n}`;
      api.upsertConfigMap(RIG_NS, name, { v: name });
      await until(() => deliveries.some((d) => d.key === `${RIG_NS}/${name}`) && converged(api, deliveries, RIG_NS), opts.settleMs ?? 15_000, `delivery of ${name} and convergence`).catch(withLog);
    },
    check(mode) {
      assertInvariant(api, deliveries, { afterRv: baseline, namespace: RIG_NS, mode });
    },
    async stop() {
      ac.abort();
      await running;
      await conn.close();
      await api.stop();
    },
  };
  if (opts.synced !== false) await until(() => deliveries.length >= seed && api.watchCount > 0, 10_000, 'initial sync');
  return self;
}
