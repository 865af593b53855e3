/**
 * The leader-election flags (issue #7) and their validation, with
 * client-go's defaults and constraints: lease 15s, renew deadline 10s,
 * retry period 2s; lease duration > renew deadline > 1.2 × retry period.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { formatDuration } from '../base/duration.js';
import { isDns1123Label, isDns1123Subdomain, NAMESPACE_RULE } from '../api/names.js';
import { DEFAULT_TIMINGS, type ElectorTimings } from '../ops/leader-defaults.js';
import { durationFlag } from './handler-options.js';

export const DEFAULT_LEASE_NAME = 'cmwatch';
/** client-go's JitterFactor: the renew deadline must leave room for a jittered retry. */
const RENEW_JITTER = 1.2;

export interface LeaderElectionConfig extends ElectorTimings {
  leaseName: string;
  /** undefined: the pod's namespace, else the watched one (resolved at start). */
  leaseNamespace: string | undefined;
  identity: string;
}

export interface LeaderConfig {
  leaderElection: LeaderElectionConfig | undefined;
}

export interface RawLeaderFlags {
  leaderElect?: boolean;
  leaseName?: string;
  leaseNamespace?: string;
  leaderIdentity?: string;
  leaseDuration?: string;
  renewDeadline?: string;
  retryPeriod?: string;
}

export function addLeaderOptions(cmd: Command): Command {
  return cmd
    .option('--leader-elect', 'with several replicas: only the holder of a coordination.k8s.io Lease runs handlers and actions')
    .option('--lease-name <name>', `with --leader-elect: the Lease's name (default ${DEFAULT_LEASE_NAME})`)
    .option('--lease-namespace <ns>', 'with --leader-elect: the Lease\'s namespace (default the pod\'s, else the watched namespace)')
    .option('--leader-identity <id>', 'with --leader-elect: this instance\'s identity, unique per replica (default the hostname: the pod name)')
    .option('--lease-duration <duration>', 'with --leader-elect: how long standbys wait before taking over an unrenewed lease (default 15s)')
    .option('--renew-deadline <duration>', 'with --leader-elect: how long the leader retries renewing before it stops acting (default 10s)')
    .option('--retry-period <duration>', 'with --leader-elect: between attempts to acquire or renew (default 2s)');
}

export function buildLeaderConfig(f: RawLeaderFlags, host: () => string = hostname): LeaderConfig {
  const given = ([
    ['--lease-name', f.leaseName], ['--lease-namespace', f.leaseNamespace], ['--leader-identity', f.leaderIdentity],
    ['--lease-duration', f.leaseDuration], ['--renew-deadline', f.renewDeadline], ['--retry-period', f.retryPeriod],
  ] as const).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (!f.leaderElect) {
    if (given.length) throw new UsageError(`${given[0]} only applies with --leader-elect`, `add --leader-elect, or drop ${given[0]}`);
    return { leaderElection: undefined };
  }
  const leaseName = f.leaseName ?? DEFAULT_LEASE_NAME;
  if (!isDns1123Subdomain(leaseName)) {
    throw new UsageError(`--lease-name: "${leaseName}" is not a valid object name`, 'lower-case letters, digits, "-" and ".", at most 253 characters, e.g. --lease-name cmwatch-web');
  }
  if (f.leaseNamespace !== undefined && !isDns1123Label(f.leaseNamespace)) {
    throw new UsageError(`--lease-namespace: "${f.leaseNamespace}" is not a valid namespace`, NAMESPACE_RULE);
  }
  const identity = f.leaderIdentity ?? host();
  if (identity.trim() === '') throw new UsageError('--leader-identity: empty identity', 'give each replica a unique identity, e.g. its pod name');

  const leaseDurationMs = f.leaseDuration === undefined ? DEFAULT_TIMINGS.leaseDurationMs : durationFlag(f.leaseDuration, '--lease-duration', 1000);
  if (leaseDurationMs % 1000 !== 0) {
    throw new UsageError(`--lease-duration: "${f.leaseDuration}" is not a whole number of seconds`, 'a Lease counts whole seconds, e.g. --lease-duration 15s');
  }
  const renewDeadlineMs = f.renewDeadline === undefined ? DEFAULT_TIMINGS.renewDeadlineMs : durationFlag(f.renewDeadline, '--renew-deadline', 1);
  const retryPeriodMs = f.retryPeriod === undefined ? DEFAULT_TIMINGS.retryPeriodMs : durationFlag(f.retryPeriod, '--retry-period', 100);
  if (renewDeadlineMs >= leaseDurationMs) {
    throw new UsageError(`--renew-deadline (${formatDuration(renewDeadlineMs)}) must be shorter than --lease-duration (${formatDuration(leaseDurationMs)})`,
      'a leader must stop acting before a standby may take over, e.g. --lease-duration 15s --renew-deadline 10s');
  }
  if (renewDeadlineMs <= RENEW_JITTER * retryPeriodMs) {
    throw new UsageError(`--renew-deadline (${formatDuration(renewDeadlineMs)}) must be longer than 1.2 × --retry-period (${formatDuration(retryPeriodMs)})`,
      'leave room to retry a renewal, e.g. --renew-deadline 10s --retry-period 2s');
  }
  return { leaderElection: { leaseName, leaseNamespace: f.leaseNamespace, identity, leaseDurationMs, renewDeadlineMs, retryPeriodMs } };
}
