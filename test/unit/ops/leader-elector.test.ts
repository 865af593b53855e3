/**
 * Leader election (src/leader/) against a minimal Lease API with the API
 * server's optimistic concurrency. Short timings keep the tests quick; no
 * test asserts how long anything took.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../../../src/kube/client.js';
import { proxyConnection } from '../../../src/kube/connection.js';
import { LeaderElector, type ElectorOptions } from '../../../src/ops/leader-elector.js';
import { LeaseConflictError, LeaseLock, microTime } from '../../../src/ops/lease-lock.js';
import { Logger } from '../../../src/ops/log.js';
import { LeaseApi } from '../../helpers/lease-api.js';
import { until } from '../../helpers/cli.js';

const quiet = () => new Logger({ level: 'error', write: () => {} });
const FAST = { leaseDurationMs: 1000, renewDeadlineMs: 400, retryPeriodMs: 100 };

interface Candidate {
  elector: LeaderElector;
  events: string[];
}

function candidate(api: LeaseApi, identity: string, more: Partial<ElectorOptions> = {}): Candidate {
  const events: string[] = [];
  const lock = new LeaseLock(new KubeClient(proxyConnection(api.url)), 'ns', 'cmwatch');
  const elector = new LeaderElector({
    lock, identity, log: quiet(), ...FAST,
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: () => events.push('stopped'),
    ...more,
  });
  return { elector, events };
}

test('microTime: six fractional digits, UTC (the API server refuses fewer)', () => {
  assert.equal(microTime(Date.UTC(2025, 0, 2, 3, 4, 5, 67)), '2025-01-02T03:04:05.067000Z');
});

test('lease lock: create, then an update with a stale resourceVersion is a LeaseConflictError', async () => {
  const api = await new LeaseApi().start();
  try {
    const client = new KubeClient(proxyConnection(api.url));
    const a = new LeaseLock(client, 'ns', 'l');
    const b = new LeaseLock(client, 'ns', 'l');
    assert.equal(await a.get(), undefined);
    const rec = { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: 1, renewTime: 1, leaseTransitions: 0 };
    await a.create(rec);
    await assert.rejects(b.create({ ...rec, holderIdentity: 'b' }), LeaseConflictError);
    const seen = await b.get();
    assert.equal(seen?.record.holderIdentity, 'a');
    await a.update({ ...rec, renewTime: 2 });
    await assert.rejects(b.update({ ...rec, holderIdentity: 'b' }), (e: unknown) => e instanceof LeaseConflictError && e.code === 'E_LEASE_CONFLICT');
    assert.equal(api.get('ns', 'l')?.spec.holderIdentity, 'a');
    const put = api.requests.find((r) => r.method === 'PUT');
    assert.ok(put?.body?.metadata.resourceVersion, 'the PUT carries the resourceVersion read');
  } finally {
    await api.stop();
  }
});

test('one of two candidates leads; the other stands by while the lease is renewed', async () => {
  const api = await new LeaseApi().start();
  const a = candidate(api, 'a');
  const b = candidate(api, 'b');
  try {
    a.elector.start();
    await until(() => a.elector.isLeader, 5000, 'a leads');
    b.elector.start();
    const renewals = () => api.requests.filter((r) => r.method === 'PUT' && r.body?.spec.holderIdentity === 'a').length;
    const start = renewals();
    await until(() => renewals() >= start + 3, 5000, 'a renews three times');
    assert.equal(b.elector.isLeader, false);
    assert.equal(b.elector.holder, 'a');
    assert.deepEqual(b.events, []);
    const spec = api.get('ns', 'cmwatch')!.spec;
    assert.equal(spec.holderIdentity, 'a');
    assert.equal(spec.leaseDurationSeconds, 1);
    assert.match(String(spec.renewTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  } finally {
    await a.elector.stop();
    await b.elector.stop();
    await api.stop();
  }
});

test('stop() releases the lease (no holder, 1 s) and a standby takes it without waiting for expiry', async () => {
  const api = await new LeaseApi().start();
  // A long lease: only the release can explain a quick take-over.
  const slow = { leaseDurationMs: 60_000, renewDeadlineMs: 400, retryPeriodMs: 100 };
  const a = candidate(api, 'a', slow);
  const b = candidate(api, 'b', slow);
  try {
    a.elector.start();
    await until(() => a.elector.isLeader, 5000, 'a leads');
    b.elector.start();
    await until(() => b.elector.holder === 'a', 5000, 'b sees a');
    await a.elector.stop();
    assert.deepEqual(a.events, ['started', 'stopped']);
    const released = api.requests.filter((r) => r.method === 'PUT').at(-1)!.body!.spec;
    assert.equal(released.holderIdentity, '');
    assert.equal(released.leaseDurationSeconds, 1);
    await until(() => b.elector.isLeader, 10_000, 'b takes over');
    const spec = api.get('ns', 'cmwatch')!.spec;
    assert.equal(spec.holderIdentity, 'b');
    assert.equal(spec.leaseTransitions, 1);
  } finally {
    await b.elector.stop();
    await api.stop();
  }
});

test('a lease held by a dead instance is taken over once it expires by the standby\'s own clock', async () => {
  const api = await new LeaseApi().start();
  api.put('ns', 'cmwatch', { holderIdentity: 'ghost', leaseDurationSeconds: 1, renewTime: microTime(Date.now()), leaseTransitions: 4 });
  const b = candidate(api, 'b');
  try {
    b.elector.start();
    await until(() => b.elector.holder === 'ghost', 5000, 'b sees the ghost');
    assert.equal(b.elector.isLeader, false);
    await until(() => b.elector.isLeader, 10_000, 'b takes over');
    assert.equal(api.get('ns', 'cmwatch')!.spec.leaseTransitions, 5);
  } finally {
    await b.elector.stop();
    await api.stop();
  }
});

test('a leader that cannot renew within the renew deadline stops leading, and leads again once it can', async () => {
  const api = await new LeaseApi().start();
  const a = candidate(api, 'a');
  try {
    a.elector.start();
    await until(() => a.elector.isLeader, 5000, 'a leads');
    api.failing = true;
    await until(() => !a.elector.isLeader, 10_000, 'a stops leading');
    assert.deepEqual(a.events, ['started', 'stopped']);
    api.failing = false;
    await until(() => a.elector.isLeader, 10_000, 'a leads again');
    assert.deepEqual(a.events, ['started', 'stopped', 'started']);
  } finally {
    await a.elector.stop();
    await api.stop();
  }
});

test('a leader that finds another holder in the lease stops leading at its next renewal', async () => {
  const api = await new LeaseApi().start();
  const a = candidate(api, 'a', { leaseDurationMs: 60_000, renewDeadlineMs: 30_000, retryPeriodMs: 100 });
  try {
    a.elector.start();
    await until(() => a.elector.isLeader, 5000, 'a leads');
    api.put('ns', 'cmwatch', { holderIdentity: 'intruder', leaseDurationSeconds: 60, renewTime: microTime(Date.now()), leaseTransitions: 9 });
    // Far sooner than the 30 s renew deadline, though the test does not time it.
    await until(() => !a.elector.isLeader, 10_000, 'a stops leading');
    assert.equal(a.elector.holder, 'intruder');
    assert.equal(api.get('ns', 'cmwatch')!.spec.holderIdentity, 'intruder', 'a did not overwrite it');
  } finally {
    await a.elector.stop();
    await api.stop();
  }
});

test('candidates racing for a free lease: exactly one wins each time', async () => {
  const api = await new LeaseApi().start();
  const all = ['a', 'b', 'c', 'd'].map((id) => candidate(api, id));
  try {
    for (const c of all) c.elector.start();
    await until(() => all.some((c) => c.elector.isLeader), 5000, 'someone leads');
    const renewals = () => api.requests.filter((r) => r.method === 'PUT').length;
    const n = renewals();
    await until(() => renewals() >= n + 5, 5000, 'more renewals');
    assert.equal(all.filter((c) => c.elector.isLeader).length, 1);
    const leader = all.find((c) => c.elector.isLeader)!;
    assert.equal(api.get('ns', 'cmwatch')!.spec.holderIdentity, leader.elector.identity);
  } finally {
    for (const c of all) await c.elector.stop();
    await api.stop();
  }
});
