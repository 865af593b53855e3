/**
 * The hidden `cmwatch __complete resources|namespaces [connection flags]`
 * that the completion scripts (completion.ts) call: names, one a line, from
 * the cluster the flags (or the kubeconfig) name. Silent on any failure,
 * with a short deadline: a shell's Tab must never hang or print errors.
 */
import { Logger } from '../ops/log.js';
import { KubeClient } from '../kube/client.js';
import { resolveConnection } from '../kube/resolve.js';
import { discover } from '../kube/discovery.js';
import { connectionSettings, type ConnectionFlags } from './connection-flags.js';
import { ExitCode } from './exit-codes.js';
import { writeStdout } from './stdout.js';

export interface CompleteConfig {
  what: 'resources' | 'namespaces';
  connection: ConnectionFlags;
}

const DEADLINE_MS = 3000;

/** The names kubectl takes for the watchable resources: plural, plural.group and short names. */
async function resourceNames(client: KubeClient, signal: AbortSignal): Promise<string[]> {
  const snap = await discover(client, { signal });
  const names = new Set<string>();
  for (const r of snap.resources) {
    if (!r.verbs.includes('list') || !r.verbs.includes('watch') || r.resource.includes('/')) continue;
    names.add(r.canonical);
    names.add(r.resource);
    for (const s of r.shortNames) names.add(s);
  }
  return [...names];
}

async function namespaceNames(client: KubeClient, signal: AbortSignal): Promise<string[]> {
  const list = await client.json<{ items?: { metadata?: { name?: string } }[] }>('GET', '/api/v1/namespaces', { signal, verb: 'list' });
  return (list.items ?? []).map((n) => n.metadata?.name ?? '').filter((n) => n !== '');
}

export async function runComplete(cfg: CompleteConfig, signal: AbortSignal): Promise<number> {
  const log = new Logger({ level: 'error', format: 'text', write: () => {} });
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(DEADLINE_MS)]);
  let conn;
  try {
    conn = (await resolveConnection(connectionSettings(cfg.connection), { log, stdinIsTTY: false })).conn;
    const client = new KubeClient(conn, { requestTimeoutMs: DEADLINE_MS });
    const names = cfg.what === 'resources' ? await resourceNames(client, deadline) : await namespaceNames(client, deadline);
    await writeStdout(names.sort().map((n) => `${n}\n`).join(''));
  } catch {
    // No cluster, no names: completion goes on without them.
  } finally {
    await conn?.close().catch(() => {});
  }
  return ExitCode.Ok;
}
