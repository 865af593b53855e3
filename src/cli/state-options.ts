/**
 * --state NAME, --state-namespace NS, --resync DURATION (issue #15) and
 * their validation. The store's namespace is resolved at start
 * (stateNamespace): the flag, else the pod's namespace in a cluster, else
 * the first watched namespace, else the context's, else "default".
 */
import type { Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { isDns1123Label, isDns1123Subdomain, NAMESPACE_RULE } from '../api/names.js';
import { durationFlag } from './handler-options.js';
import type { EventType } from '../api/types.js';

/** Room left in a name for the shard suffix `-NNNN`. */
const STATE_NAME_MAX = 248;

export interface StateConfig {
  /** --state: the store ConfigMap's name; undefined: no store. */
  state: string | undefined;
  stateNamespace: string | undefined;
  /** --resync in ms; undefined: none. */
  resyncMs: number | undefined;
}

export interface RawStateFlags {
  state?: string;
  stateNamespace?: string;
  resync?: string;
}

export function addStateOptions(cmd: Command): Command {
  return cmd
    .option('--state <name>', 'catch up after a restart: keep in ConfigMap NAME the fingerprint of the last version of each object all handlers handled, and at start (and after a relist) run what changed meanwhile')
    .option('--state-namespace <ns>', 'with --state: the store\'s namespace (default the pod\'s, else the first watched namespace)')
    .option('--resync <duration>', 'every DURATION, deliver each object again as SYNC to handlers on SYNC, spread evenly over the period (needs --on with SYNC)');
}

/** `on`: the handlers' types; `actionOn`: the action's, if any. */
export function buildStateConfig(f: RawStateFlags, on: ReadonlySet<EventType>, actionOn: ReadonlySet<string> | undefined): StateConfig {
  if (f.stateNamespace !== undefined && f.state === undefined) throw new UsageError('--state-namespace only applies with --state', 'add --state NAME, or drop --state-namespace');
  if (f.state !== undefined && (!isDns1123Subdomain(f.state) || f.state.length > STATE_NAME_MAX)) {
    throw new UsageError(`--state: "${f.state}" is not a valid ConfigMap name`, `lower-case letters, digits, "-" and ".", at most ${STATE_NAME_MAX} characters (shards add "-1", "-2"…), e.g. --state cmwatch-state`);
  }
  if (f.stateNamespace !== undefined && !isDns1123Label(f.stateNamespace)) {
    throw new UsageError(`--state-namespace: "${f.stateNamespace}" is not a valid namespace`, NAMESPACE_RULE);
  }
  let resyncMs: number | undefined;
  if (f.resync !== undefined) {
    resyncMs = durationFlag(f.resync, '--resync');
    if (resyncMs < 1000) throw new UsageError(`--resync: must be at least 1s, got "${f.resync}"`, 'each object is delivered again once per period, e.g. --resync 10m');
    if (!on.has('SYNC') && !(actionOn?.has('SYNC') ?? false)) {
      throw new UsageError('--resync delivers SYNC events, but nothing runs on SYNC', 'add SYNC to --on, e.g. --on SYNC,MODIFIED');
    }
  }
  return { state: f.state, stateNamespace: f.stateNamespace, resyncMs };
}

export function stateNamespace(
  flag: string | undefined, watched: string[] | undefined, contextNamespace: string | undefined, podNamespace: string | undefined,
): string {
  return flag ?? podNamespace ?? watched?.[0] ?? contextNamespace ?? 'default';
}
