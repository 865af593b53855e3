/**
 * rollout-restart's schedule on a fake clock: the token bucket, the
 * per-target debounce, and the Restarter that combines them (50 targets at
 * 10 a minute are spread over about 5 minutes and none is lost; changes to
 * two sources of one target within the window make one patch with both).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../helpers/fake-clock.js';
import { MemoryLogger } from '../../helpers/memory-logger.js';
import { TokenBucket } from '../../../src/handlers/actions/token-bucket.js';
import { Debouncer, MAX_WAIT_WINDOWS } from '../../../src/handlers/actions/debounce.js';
import { Restarter } from '../../../src/handlers/actions/restarter.js';
import type { KubeClient } from '../../../src/kube/client.js';
import type { ApiResource } from '../../../src/api/resource.js';
import { ApiError } from '../../../src/api/api-error.js';

const deployments: ApiResource = {
  group: 'apps', version: 'v1', resource: 'deployments', singular: 'deployment', kind: 'Deployment', shortNames: ['deploy'],
  namespaced: true, verbs: ['get', 'list', 'watch', 'patch'], canonical: 'deployments.apps',
};

test("TokenBucket: one token at first, then one every window/N; 0 is no limit", async () => {
  const clock = new FakeClock();
  const b = new TokenBucket(clock, 10, 60_000);
  assert.equal(b.take(), true);
  assert.equal(b.take(), false);
  assert.equal(b.waitMs(), 6000);
  await clock.advance(5999);
  assert.equal(b.take(), false);
  await clock.advance(1);
  assert.equal(b.take(), true);
  // Idle for a long time: still only one token (burst 1), never a storm.
  await clock.advance(600_000);
  assert.equal(b.take(), true);
  assert.equal(b.take(), false);
  const free = new TokenBucket(clock, 0);
  for (let i = 0; i < 100; i++) assert.equal(free.take(), true);
});

test('Debouncer: changes within the window merge into one release, after the last change', async () => {
  const clock = new FakeClock();
  const released: Array<[string, string[]]> = [];
  const d = new Debouncer<string[]>(clock, 2000, (a, b) => [...a, ...b], (k, v) => released.push([k, v]));
  d.add('web', ['cm']);
  await clock.advance(1000);
  d.add('web', ['secret']);
  d.add('db', ['cm']);
  await clock.advance(1999);
  assert.deepEqual(released, []);
  await clock.advance(1);
  assert.deepEqual(released.sort(), [['db', ['cm']], ['web', ['cm', 'secret']]]);
  assert.equal(d.size, 0);
});

test('Debouncer: a key that keeps changing is released within MAX_WAIT_WINDOWS windows of its first change', async () => {
  const clock = new FakeClock();
  const released: number[] = [];
  const start = clock.now();
  const d = new Debouncer<number>(clock, 1000, (a, b) => a + b, () => released.push(clock.now() - start));
  for (let i = 0; i < 20; i++) {
    d.add('k', 1);
    await clock.advance(500);
  }
  assert.ok(released.length >= 1);
  assert.ok(released[0]! <= MAX_WAIT_WINDOWS * 1000, `released after ${released[0]} ms`);
});

test('Debouncer: a window of 0 releases at once', () => {
  const clock = new FakeClock();
  const released: string[] = [];
  new Debouncer<string>(clock, 0, (_a, b) => b, (k) => released.push(k)).add('x', 'v');
  assert.deepEqual(released, ['x']);
});

/** A fake API: GET returns the workload, PATCH records the patch and its time. */
function fakeApi(clock: FakeClock, opts: { paused?: Set<string>; failFirstPatch?: boolean } = {}) {
  const patches: Array<{ path: string; at: number; body: any; contentType?: string }> = [];
  const annotations = new Map<string, Record<string, string>>();
  const events: any[] = [];
  let failed = false;
  const client = {
    server: 'http://fake',
    async json(method: string, path: string, o: { body?: any; contentType?: string } = {}) {
      const name = path.split('/').pop()!;
      if (method === 'GET') return { metadata: { name, uid: `u-${name}` }, spec: { paused: opts.paused?.has(name) ?? false, template: { metadata: { annotations: annotations.get(path) ?? {} } } } };
      if (method === 'PATCH') {
        if (opts.failFirstPatch && !failed) {
          failed = true;
          throw new ApiError({ status: 500, verb: 'patch', url: path, resource: 'deployments.apps', bodyText: 'boom' });
        }
        patches.push({ path, at: clock.now(), body: o.body, contentType: o.contentType });
        annotations.set(path, { ...(annotations.get(path) ?? {}), ...o.body.spec.template.metadata.annotations });
        return {};
      }
      if (method === 'POST') {
        events.push(o.body);
        return {};
      }
      throw new Error(`unexpected ${method}`);
    },
  } as unknown as KubeClient;
  return { client, patches, events };
}

const target = (name: string) => ({ resource: deployments, namespace: 'ns', name });

test('Restarter: 50 targets at once with 10 a minute are spread over about 5 minutes, none lost', async () => {
  const clock = new FakeClock();
  const api = fakeApi(clock);
  const log = new MemoryLogger();
  const ctl = new AbortController();
  const r = new Restarter({ client: api.client, log, clock, debounceMs: 2000, maxPerMinute: 10, dryRun: false, print: () => {}, signal: ctl.signal });
  const start = clock.now();
  for (let i = 0; i < 50; i++) r.request(target(`w${i}`), { key: `cmwatch.io/configmap.c${i}`, hash: `h${i}`, source: `configmap c${i}` });
  assert.equal(r.pending, 50);
  await clock.advance(2000);
  assert.equal(api.patches.length, 1, 'the first goes when its debounce ends');
  await clock.advance(60_000);
  assert.ok(api.patches.length <= 11, `at most 10 (+1) in the first minute, got ${api.patches.length}`);
  await clock.advance(10 * 60_000);
  assert.equal(api.patches.length, 50, 'none is lost');
  assert.equal(r.pending, 0);
  assert.equal(new Set(api.patches.map((p) => p.path)).size, 50);
  const spread = api.patches.at(-1)!.at - api.patches[0]!.at;
  assert.ok(spread >= 4.5 * 60_000 && spread <= 5 * 60_000, `spread over ${spread} ms`);
  for (let i = 1; i < api.patches.length; i++) assert.ok(api.patches[i]!.at - api.patches[i - 1]!.at >= 6000 - 1);
  assert.equal(api.patches[0]!.contentType, 'application/merge-patch+json');
  assert.match(log.text('info'), /pending behind --max-restarts-per-minute 10/);
  assert.ok(api.patches[0]!.at - start >= 2000);
  ctl.abort();
});

test('Restarter: two sources of one target within the debounce window make one patch carrying both hashes, and one Event naming both', async () => {
  const clock = new FakeClock();
  const api = fakeApi(clock);
  const ctl = new AbortController();
  const r = new Restarter({ client: api.client, log: new MemoryLogger(), clock, debounceMs: 2000, maxPerMinute: 60, dryRun: false, print: () => {}, signal: ctl.signal });
  r.request(target('web'), { key: 'cmwatch.io/configmap.cfg', hash: 'A', source: 'configmap cfg' });
  await clock.advance(900);
  r.request(target('web'), { key: 'cmwatch.io/secret.creds', hash: 'B', source: 'secret creds' });
  await clock.advance(5000);
  assert.equal(api.patches.length, 1);
  assert.deepEqual(api.patches[0]!.body, { spec: { template: { metadata: { annotations: { 'cmwatch.io/configmap.cfg': 'A', 'cmwatch.io/secret.creds': 'B' } } } } });
  assert.equal(api.events.length, 1);
  assert.equal(api.events[0].type, 'Normal');
  assert.match(api.events[0].note, /configmap cfg changed.*secret creds changed/);
  assert.equal(api.events[0].regarding.name, 'web');
  // The same hashes again: up to date, no patch.
  r.request(target('web'), { key: 'cmwatch.io/configmap.cfg', hash: 'A', source: 'configmap cfg' });
  await clock.advance(5000);
  assert.equal(api.patches.length, 1);
  ctl.abort();
});

test('Restarter: a paused target is left alone and warned about by name; a failed patch is retried with the change kept', async () => {
  const clock = new FakeClock();
  const api = fakeApi(clock, { paused: new Set(['frozen']), failFirstPatch: true });
  const log = new MemoryLogger();
  const ctl = new AbortController();
  const r = new Restarter({ client: api.client, log, clock, debounceMs: 0, maxPerMinute: 0, dryRun: false, print: () => {}, signal: ctl.signal, retryBaseMs: 1000 });
  r.request(target('frozen'), { key: 'cmwatch.io/configmap.cfg', hash: 'A', source: 'configmap cfg' });
  r.request(target('web'), { key: 'cmwatch.io/configmap.cfg', hash: 'A', source: 'configmap cfg' });
  await clock.advance(10);
  assert.match(log.text('warn'), /deployment ns\/frozen is paused \(spec\.paused\); not restarted/);
  assert.match(log.text('error'), /deployment ns\/web: restart failed: .*retrying in 1(\.0)?s/);
  assert.equal(r.pending, 1);
  await clock.advance(1000);
  assert.deepEqual(api.patches.map((p) => p.path.split('/').pop()), ['web']);
  assert.equal(r.pending, 0);
  ctl.abort();
});

test('Restarter: --dry-run prints the exact patch per target and patches nothing; shutdown logs what was pending', async () => {
  const clock = new FakeClock();
  const api = fakeApi(clock);
  const printed: string[] = [];
  const log = new MemoryLogger();
  const ctl = new AbortController();
  const r = new Restarter({ client: api.client, log, clock, debounceMs: 0, maxPerMinute: 1, dryRun: true, print: (l) => printed.push(l), signal: ctl.signal });
  r.request(target('web'), { key: 'cmwatch.io/secret.creds', hash: 'Zm9v+/x', source: 'secret creds' });
  r.request(target('db'), { key: 'cmwatch.io/secret.creds', hash: 'Zm9v+/x', source: 'secret creds' });
  await clock.advance(10);
  assert.equal(api.patches.length, 0);
  assert.deepEqual(printed.map((l) => JSON.parse(l)), [{
    dryRun: true, target: { resource: 'deployments.apps', namespace: 'ns', name: 'web' }, type: 'merge',
    patch: { spec: { template: { metadata: { annotations: { 'cmwatch.io/secret.creds': 'Zm9v+/x' } } } } },
  }]);
  ctl.abort();
  assert.equal(r.pending, 0);
  assert.match(log.text('warn'), /stopping with 1 restart\(s\) not done: deployments\.apps\/ns\/db/);
});
