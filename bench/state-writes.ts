/**
 * The cost of --state in API writes under a burst (issue #15): 1,000
 * ConfigMaps on the real control plane, cmwatch with --state and a handler
 * on MODIFIED, then one PATCH of each (8 in flight). Reported: the store
 * writes (cmwatch_state_writes_total) from the first PATCH until all 1,000
 * runs succeeded and the store was flushed, and writes per second over that
 * time. Batched, it is a handful, not 1,000.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/state-writes.js [--n=1000]
 *
 * Needs the control plane's binaries (npm run cluster:build); nothing
 * asserts a timing.
 */
import { api, ensureNamespace, startPlane } from '../test/helpers/plane.js';
import { runCli } from '../test/helpers/cli.js';

const N = Number(/--n=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 1000);
const NS = 'bench-state';

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

async function until(what: string, fn: () => Promise<boolean>, ms = 300_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function pool(count: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await fn(next++);
  }));
}

async function main(): Promise<void> {
  const c = await startPlane();
  try {
    await ensureNamespace(c, NS);
    await pool(N, 8, (i) => api(c, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: `cm-${i}` }, data: { v: '0' } }));
    const w = runCli(['-n', NS, '--state', 'bench', '--exec', 'true', '--concurrency', '8', '--metrics-addr', '127.0.0.1:0', '--kubeconfig', c.kubeconfig]);
    const base = /metrics on (http:\/\/\S+?)\/metrics/.exec(await w.waitFor(/metrics on http/, 30_000))![1]!;
    await w.waitFor(/synced \d+ object/, 60_000);
    await until('the baseline is stored', async () => (await metric(base, 'cmwatch_state_keys')) >= N);
    await new Promise((r) => setTimeout(r, 2500));
    const before = await metric(base, 'cmwatch_state_writes_total');
    const t0 = Date.now();
    await pool(N, 8, (i) => api(c, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/cm-${i}`, { data: { v: '1' } }));
    const patched = Date.now();
    await until('every run succeeded', async () => (await metric(base, 'cmwatch_handler_runs_total{handler="true",result="ok"}')) >= N);
    // The last batch is flushed within 2 s of the last success.
    await new Promise((r) => setTimeout(r, 2500));
    const seconds = (Date.now() - t0) / 1000;
    const writes = (await metric(base, 'cmwatch_state_writes_total')) - before;
    await w.stop();
    console.log(`state-writes: ${N} changes (PATCHed in ${((patched - t0) / 1000).toFixed(1)} s, all handled and flushed in ${seconds.toFixed(1)} s): ${writes} store writes, ${(writes / seconds).toFixed(2)} writes/s (${(writes / N).toFixed(3)} per change)`);
  } finally {
    await c.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
