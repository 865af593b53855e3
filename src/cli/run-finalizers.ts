/**
 * `cmwatch finalizers remove NAME [RESOURCE]`: lists the objects of RESOURCE
 * (paged, per namespace given or all namespaces) and removes finalizer NAME
 * from each that has it, with the tested JSON patch of
 * kube/finalizer-client.ts (other finalizers are never touched). Each object
 * released goes to stdout as NAMESPACE/NAME; failures are logged and tried
 * past; the exit code says whether all went through.
 */
import { RAISE_REQUEST_TIMEOUT } from './connection-hints.js';
import { collectionPath } from '../api/object-path.js';
import type { ApiResource } from '../api/resource.js';
import { hasFinalizer } from '../api/finalizer-patch.js';
import type { K8sList, K8sObject } from '../api/types.js';
import { oneLine, UsageError } from '../base/errors.js';
import { KubeClient } from '../kube/client.js';
import { Discovery } from '../kube/discovery.js';
import { changeFinalizer } from '../kube/finalizer-client.js';
import { Logger } from '../ops/log.js';
import { resolveTargets } from '../watch/targets.js';
import { connect } from './connect.js';
import { ExitCode } from './exit-codes.js';
import type { FinalizersRemoveConfig } from './finalizers-options.js';
import { writeStdout } from './stdout.js';

const PAGE = 500;

export async function runFinalizersRemove(cfg: FinalizersRemoveConfig, signal: AbortSignal): Promise<number> {
  const log = new Logger({ level: cfg.logLevel, format: cfg.logFormat });
  const { conn, summary } = await connect({ connection: cfg.connection, resources: cfg.resource ? [cfg.resource] : [], namespaces: cfg.namespaces, namespaceDefaulted: false }, log);
  log.debug(summary);
  const client = new KubeClient(conn, { requestTimeoutMs: cfg.requestTimeoutMs, raiseTimeoutHint: RAISE_REQUEST_TIMEOUT });
  try {
    const discovery = new Discovery(client, { signal });
    const targets = await resolveTargets(cfg.resource ? [cfg.resource] : [], discovery, { log, signal, exitOnError: true });
    if (!targets) return ExitCode.Ok;
    const res = targets[0]!.resolution;
    if (res.status !== 'resolved') throw new UsageError(`finalizers remove: ${cfg.resource} is not served`, 'is its CRD installed? `kubectl api-resources` lists what is served');
    return await removeAll(client, res.resource, cfg, log, signal);
  } finally {
    await conn.close().catch(() => {});
  }
}

async function removeAll(client: KubeClient, r: ApiResource, cfg: FinalizersRemoveConfig, log: Logger, signal: AbortSignal): Promise<number> {
  const namespaces = r.namespaced && cfg.namespaces ? cfg.namespaces : [undefined];
  let seen = 0;
  let removed = 0;
  let failed = 0;
  const dry = cfg.dryRun ? ' (dry run)' : '';
  for (const namespace of namespaces) {
    const path = collectionPath({ group: r.group, version: r.version, resource: r.resource, namespace });
    let cont: string | undefined;
    do {
      const page = await client.json<K8sList>('GET', path, { query: { limit: PAGE, continue: cont }, verb: 'list', resource: r.canonical, signal });
      cont = page.metadata?.continue || undefined;
      for (const obj of page.items ?? []) {
        if (signal.aborted) return ExitCode.Ok;
        if (!hasFinalizer(obj, cfg.finalizer)) continue;
        seen++;
        const id = idOf(obj);
        try {
          const done = await changeFinalizer(client, r, obj, cfg.finalizer, 'remove', { signal, dryRun: cfg.dryRun });
          if (done === 'changed') {
            removed++;
            log.info(`removed finalizer ${cfg.finalizer} from ${r.canonical} ${id}${dry}`, { resource: r.canonical, key: id });
            await writeStdout(`${id}\n`);
          } else {
            log.info(`${r.canonical} ${id}: ${done === 'gone' ? 'gone meanwhile' : `${cfg.finalizer} already removed`}`, { resource: r.canonical, key: id });
          }
        } catch (err) {
          failed++;
          log.error(`removing finalizer ${cfg.finalizer} from ${r.canonical} ${id} failed: ${oneLine(err)}`, { resource: r.canonical, key: id });
        }
      }
    } while (cont && !signal.aborted);
  }
  const where = namespaces[0] === undefined ? (r.namespaced ? 'in all namespaces' : 'cluster-wide') : `in ${namespaces.join(', ')}`;
  log.info(`finalizer ${cfg.finalizer}: removed from ${removed} of ${seen} ${r.canonical} object(s) that had it ${where}${failed ? `; ${failed} failed` : ''}${dry}`);
  return failed > 0 ? ExitCode.Failure : ExitCode.Ok;
}

function idOf(obj: K8sObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}
