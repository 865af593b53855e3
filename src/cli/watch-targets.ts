/**
 * The RESOURCE arguments → what `watch` and `events` watch: resolved through
 * discovery (watch/targets.ts), with one line for each name that is not its
 * own canonical name (a cluster-scoped resource under -n gets its line from
 * its ResourceWatch, also when it is served only later).
 */
import type { KubeClient } from '../kube/client.js';
import { Discovery } from '../kube/discovery.js';
import type { Logger } from '../ops/log.js';
import { resolveTargets } from '../watch/targets.js';
import type { WatchTargets } from './reflectors.js';

export interface TargetsConfig {
  resources: readonly string[];
  exitOnError: boolean;
}

/** Undefined when the signal aborted before discovery answered. */
export async function watchTargets(cfg: TargetsConfig, client: KubeClient, log: Logger, signal: AbortSignal): Promise<WatchTargets | undefined> {
  const defaulted = cfg.resources.length === 0;
  const discovery = defaulted ? undefined : new Discovery(client, { signal });
  const targets = await resolveTargets(cfg.resources, discovery!, { log, signal, exitOnError: cfg.exitOnError });
  if (!targets) return undefined;
  for (const { name, resolution: r } of targets) {
    if (r.status !== 'resolved') continue;
    const res = r.resource;
    const id = `${res.group ? `${res.group}/` : ''}${res.version} ${res.kind}`;
    if (name !== res.canonical) log.info(`${name} is ${res.canonical} (${id})`, { resource: res.canonical });
    else log.debug(`${name}: ${id}`, { resource: res.canonical });
  }
  return { targets, discovery, defaulted };
}
