/**
 * The book's controller as a built-in action: when a ConfigMap that carries
 * a pod-selector annotation is modified, delete the pods in its namespace
 * that match the selector, so their controllers recreate them.
 * Safety: an absent, empty or invalid selector deletes nothing; the list is
 * checked item by item before anything is deleted (pod-list-check.ts), so
 * only pods of the ConfigMap's namespace whose labels match are deleted,
 * each by a path built and checked by src/api/object-path.ts and
 * preconditioned on the pod's UID, so a replacement is never deleted.
 * Every request carries the run's signal (--timeout, shutdown) and the
 * client's deadline (--request-timeout).
 */
import { buildUrl, type KubeClient } from '../../kube/client.js';
import { ApiError } from '../../api/api-error.js';
import { RequestTimeoutError } from '../../kube/request-timeout.js';
import { parseSelector, type Requirement } from '../../api/label-selector.js';
import { collectionPath, objectPath } from '../../api/object-path.js';
import { oneLine } from '../../base/errors.js';
import type { Logger } from '../../base/logger.js';
import type { WatchEvent } from '../../api/types.js';
import { selectorOf } from '../../api/selector-annotation.js';
import { checkListedPod, isSkip, podListItems, type ListedPod } from './pod-list-check.js';

/** A pod list's body cap: the matching pods of one selector (an endless or oversized body is cut, and nothing is deleted). */
const MAX_POD_LIST_BYTES = 64 * 1024 * 1024;

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
  const sel = await selectPods(ev, key, o, 'delete-pods');
  if (!('pods' in sel)) return sel;
  const { ns, pods } = sel;
  if (pods.length === 0) return { ok: true, deleted: [] };
  const deleted: string[] = [];
  let failures = 0;
  const changedAt = lastChange(ev.object);
  for (const pod of pods) {
    if (o.signal?.aborted) return { ok: false, reason: 'stopped', deleted };
    if (changedAt !== undefined && pod.created !== undefined && pod.created > changedAt) {
      // Created after the change (a replacement, e.g. on a retry of this run): it already has the new content.
      log.info(`delete-pods ${key}: pod ${ns}/${pod.name} started after the change; not deleted`, { key, pod: pod.name, reason: 'started_after_change' });
      continue;
    }
    if (o.dryRun) {
      log.info(`delete-pods ${key}: would delete pod ${ns}/${pod.name} (dry run)`, { key, pod: pod.name });
      continue;
    }
    const r = await deleteOne(key, ns, pod, o);
    if (r === 'deleted') deleted.push(pod.name);
    else if (r === 'failed') failures++;
    else if (r === 'stopped') return { ok: false, reason: 'stopped', deleted };
  }
  return failures > 0 ? { ok: false, reason: `${failures} pod deletion(s) failed`, deleted } : { ok: true, deleted };
}

/** "deleting nothing", "evicting nothing": the words of the log lines. */
const nothing = (name: string) => (name === 'delete-pods' ? 'deleting nothing' : 'evicting nothing');

/** The pods an event's selector annotation selects, checked (pod-list-check.ts). */
export interface SelectedPods {
  ns: string;
  selector: string;
  requirements: readonly Requirement[];
  podsPath: string;
  pods: ListedPod[];
}

/**
 * The shared start of delete-pods and evict-pods: the selector annotation,
 * parsed, and the pods it selects in the object's namespace; an ActionResult
 * when there is nothing to do (no, empty or invalid selector: nothing is
 * touched) or the list failed. `name` prefixes the log lines.
 */
export async function selectPods(ev: WatchEvent, key: string, o: DeletePodsOptions, name: string): Promise<SelectedPods | ActionResult> {
  const { log } = o;
  const ns = ev.object.metadata?.namespace;
  const selector = selectorOf(ev.object, o.annotations);
  if (selector === undefined) {
    log.debug(`${name} ${key}: no ${o.annotations.join(' or ')} annotation; nothing to do`);
    return { ok: true, deleted: [] };
  }
  if (!ns) {
    log.error(`${name} ${key}: the object has no namespace; ${nothing(name)}`, { key });
    return { ok: true, deleted: [] };
  }
  const parsed = parseSelector(selector);
  if (!parsed.ok) {
    log.error(`${name} ${key}: invalid selector "${selector}": ${parsed.error}; ${nothing(name)}`, { key, reason: 'invalid_selector' });
    return { ok: true, deleted: [] };
  }
  let podsPath: string;
  try {
    podsPath = collectionPath({ resource: 'pods', namespace: ns });
  } catch (err) {
    log.error(`${name} ${key}: ${nothing(name)}: ${oneLine(err)}`, { key, reason: 'invalid_namespace' });
    return { ok: true, deleted: [] };
  }
  const pods = await listPods(key, podsPath, selector, parsed.requirements, ns, o, name);
  if (!Array.isArray(pods)) return pods;
  return { ns, selector, requirements: parsed.requirements, podsPath, pods };
}

/**
 * Lists the pods and keeps those that may be deleted (pod-list-check.ts),
 * warning about each one skipped; an ActionResult when the list failed or
 * is not a pod list (nothing is deleted then).
 */
async function listPods(
  key: string, podsPath: string, selector: string, reqs: readonly Requirement[], ns: string, o: DeletePodsOptions, name: string,
): Promise<ListedPod[] | ActionResult> {
  const { log } = o;
  const query = { labelSelector: selector };
  let body: unknown;
  try {
    body = await o.client.json<unknown>('GET', podsPath, { query, signal: o.signal, verb: 'list', resource: 'pods', maxBytes: MAX_POD_LIST_BYTES });
  } catch (err) {
    // Stopped (--timeout or shutdown): the dispatcher says so.
    if (o.signal?.aborted) return { ok: false, reason: 'stopped', deleted: [] };
    const reason = err instanceof ApiError ? `http_${err.status}` : err instanceof RequestTimeoutError ? 'request_timeout' : (err as { code?: unknown }).code === 'E_BODY_TOO_LARGE' ? 'body_too_large' : 'connect';
    log.error(`${name} ${key}: listing pods with selector "${selector}" failed: ${oneLine(err)}`, { key, reason });
    return { ok: false, reason: 'list failed', deleted: [] };
  }
  let items;
  try {
    items = podListItems(body, buildUrl(o.client.server, podsPath, query));
  } catch (err) {
    log.error(`${name} ${key}: ${nothing(name)}: ${oneLine(err)}`, { key, reason: 'bad_list' });
    return { ok: false, reason: 'not a pod list', deleted: [] };
  }
  if (items.length === 0) {
    log.info(`${name} ${key}: no pods match "${selector}" in ${ns}`, { key });
    return [];
  }
  const seen = new Set<string>();
  const pods: ListedPod[] = [];
  items.forEach((item, i) => {
    const v = checkListedPod(item, i, ns, reqs, seen);
    if (!isSkip(v)) pods.push(v);
    else log.warn(`${name} ${key}: skipping a listed pod: ${v.why}`, { key, reason: v.reason });
  });
  if (pods.length < items.length) log.warn(`${name} ${key}: acting on ${pods.length} of ${items.length} listed pod(s); the others were skipped`, { key, reason: 'skipped' });
  return pods;
}

/** One preconditioned delete: 'gone' when it was already deleted or replaced. */
async function deleteOne(key: string, ns: string, pod: ListedPod, o: DeletePodsOptions): Promise<'deleted' | 'gone' | 'failed' | 'stopped'> {
  const { log } = o;
  try {
    await o.client.json('DELETE', objectPath({ resource: 'pods', namespace: ns, name: pod.name }), {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: pod.uid } },
      signal: o.signal, verb: 'delete', resource: 'pods',
    });
    log.info(`delete-pods ${key}: deleted pod ${ns}/${pod.name}`, { key, pod: pod.name });
    return 'deleted';
  } catch (err) {
    if (o.signal?.aborted) return 'stopped';
    if (err instanceof ApiError && (err.status === 404 || err.status === 409)) {
      // Already gone, or already replaced under the same name.
      log.info(`delete-pods ${key}: pod ${ns}/${pod.name} already gone (HTTP ${err.status})`, { key, pod: pod.name });
      return 'gone';
    }
    log.error(`delete-pods ${key}: deleting pod ${ns}/${pod.name} failed: ${oneLine(err)}`, {
      key, pod: pod.name, status: err instanceof ApiError ? err.status : undefined,
    });
    return 'failed';
  }
}

/**
 * When the object last changed, from its managedFields (the API server's
 * clock, like the pods' creationTimestamp; whole seconds), or undefined.
 */
export function lastChange(obj: WatchEvent['object']): number | undefined {
  const fields = obj.metadata?.managedFields;
  if (!Array.isArray(fields)) return undefined;
  let latest: number | undefined;
  for (const f of fields) {
    const t = typeof (f as { time?: unknown })?.time === 'string' ? Date.parse((f as { time: string }).time) : NaN;
    if (Number.isFinite(t) && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}
