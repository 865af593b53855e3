/**
 * The book's controller as a built-in action: when a ConfigMap that carries
 * a pod-selector annotation is modified, delete the pods in its namespace
 * that match the selector, so their controllers recreate them.
 * Safety: an absent, empty or invalid selector deletes nothing; each delete
 * is preconditioned on the pod's UID so a replacement is never deleted.
 */
import type { KubeClient } from '../kube/client.js';
import { ApiError } from '../kube/api-error.js';
import { parseSelector } from '../kube/label-selector.js';
import { oneLine } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { K8sList, WatchEvent } from '../watch/types.js';
import { selectorOf } from './contract.js';

export { DEFAULT_SELECTOR_ANNOTATIONS } from './contract.js';

export interface DeletePodsOptions {
  client: KubeClient;
  log: Logger;
  annotations: readonly string[];
  dryRun: boolean;
  signal?: AbortSignal;
}

export interface ActionResult {
  ok: boolean;
  reason?: string;
  deleted: string[];
}

export async function deletePods(ev: WatchEvent, key: string, o: DeletePodsOptions): Promise<ActionResult> {
  const { log } = o;
  const ns = ev.object.metadata?.namespace;
  const selector = selectorOf(ev.object, o.annotations);
  if (selector === undefined) {
    log.debug(`delete-pods ${key}: no ${o.annotations.join(' or ')} annotation; nothing to do`);
    return { ok: true, deleted: [] };
  }
  if (!ns) {
    log.error(`delete-pods ${key}: the object has no namespace; deleting nothing`, { key });
    return { ok: true, deleted: [] };
  }
  const parsed = parseSelector(selector);
  if (!parsed.ok) {
    log.error(`delete-pods ${key}: invalid selector "${selector}": ${parsed.error}; deleting nothing`, { key, reason: 'invalid_selector' });
    return { ok: true, deleted: [] };
  }
  const podsPath = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`;
  let list: K8sList;
  try {
    list = await o.client.json<K8sList>('GET', podsPath, { query: { labelSelector: selector }, signal: o.signal, verb: 'list', resource: 'pods' });
  } catch (err) {
    log.error(`delete-pods ${key}: listing pods with selector "${selector}" failed: ${oneLine(err)}`, { key, reason: err instanceof ApiError ? `http_${err.status}` : 'connect' });
    return { ok: false, reason: 'list failed', deleted: [] };
  }
  const pods = list.items ?? [];
  if (pods.length === 0) {
    log.info(`delete-pods ${key}: no pods match "${selector}" in ${ns}`, { key });
    return { ok: true, deleted: [] };
  }
  const deleted: string[] = [];
  let failures = 0;
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid;
    if (o.dryRun) {
      log.info(`delete-pods ${key}: would delete pod ${ns}/${name} (dry run)`, { key, pod: name });
      continue;
    }
    try {
      await o.client.json('DELETE', `${podsPath}/${encodeURIComponent(name)}`, {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', ...(uid ? { preconditions: { uid } } : {}) },
        signal: o.signal, verb: 'delete', resource: 'pods',
      });
      deleted.push(name);
      log.info(`delete-pods ${key}: deleted pod ${ns}/${name}`, { key, pod: name });
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 409)) {
        // Already gone, or already replaced under the same name.
        log.info(`delete-pods ${key}: pod ${ns}/${name} already gone (HTTP ${err.status})`, { key, pod: name });
        continue;
      }
      failures++;
      log.error(`delete-pods ${key}: deleting pod ${ns}/${name} failed: ${oneLine(err)}`, {
        key, pod: name, status: err instanceof ApiError ? err.status : undefined,
      });
    }
  }
  return failures > 0 ? { ok: false, reason: `${failures} pod deletion(s) failed`, deleted } : { ok: true, deleted };
}
