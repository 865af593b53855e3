import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLeaderConfig } from '../../../src/cli/leader-options.js';
import { UsageError } from '../../../src/base/errors.js';

test('leader options: client-go defaults, identity from the hostname', () => {
  assert.deepEqual(buildLeaderConfig({}), { leaderElection: undefined });
  assert.deepEqual(buildLeaderConfig({ leaderElect: true }, () => 'pod-1').leaderElection, {
    leaseName: 'cmwatch', leaseNamespace: undefined, identity: 'pod-1', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000,
  });
  const c = buildLeaderConfig({ leaderElect: true, leaseName: 'cm.web', leaseNamespace: 'ops', leaderIdentity: 'x', leaseDuration: '4s', renewDeadline: '3s', retryPeriod: '500ms' });
  assert.deepEqual(c.leaderElection, { leaseName: 'cm.web', leaseNamespace: 'ops', identity: 'x', leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 });
});

test('leader options: bad values are usage errors with a hint', () => {
  const cases: Array<[Parameters<typeof buildLeaderConfig>[0], RegExp]> = [
    [{ leaseName: 'x' }, /--lease-name only applies with --leader-elect/],
    [{ leaderElect: true, leaseName: 'Bad_Name' }, /--lease-name: "Bad_Name" is not a valid object name/],
    [{ leaderElect: true, leaseNamespace: 'a.b' }, /--lease-namespace: "a.b" is not a valid namespace/],
    [{ leaderElect: true, leaderIdentity: ' ' }, /--leader-identity: empty identity/],
    [{ leaderElect: true, leaseDuration: 'soon' }, /--lease-duration: invalid duration "soon"/],
    [{ leaderElect: true, leaseDuration: '500ms' }, /--lease-duration: "500ms" is out of range/],
    [{ leaderElect: true, leaseDuration: '1500ms' }, /--lease-duration: "1500ms" is not a whole number of seconds/],
    [{ leaderElect: true, renewDeadline: '15s' }, /--renew-deadline \(15s\) must be shorter than --lease-duration \(15s\)/],
    [{ leaderElect: true, retryPeriod: '9s' }, /--renew-deadline \(10s\) must be longer than 1\.2 × --retry-period \(9\.0s\)/],
    [{ leaderElect: true, retryPeriod: '10ms' }, /--retry-period: "10ms" is out of range/],
  ];
  for (const [flags, re] of cases) {
    assert.throws(() => buildLeaderConfig(flags, () => 'h'), (e: unknown) => e instanceof UsageError && re.test(e.message) && !!e.hint, re.source);
  }
});
