/**
 * --action evict-pods: delete-pods done through the Eviction API, so
 * PodDisruptionBudgets are honoured. The pods are selected and checked
 * exactly as delete-pods does (selector annotation, the name, namespace and
 * label re-checks of pod-list-check.ts); then, one at a time:
 *   - at most --max-unavailable evicted pods may be not yet replaced: before
 *     each eviction cmwatch waits until enough replacements (pods matching
 *     the selector that were not there before, Ready, not terminating) are
 *     Ready, for up to --ready-timeout; past it the run fails and is retried;
 *   - a 429 from a budget is logged with the budget's name and that pod is
 *     tried again with backoff, while the other pods go on;
 *   - a pod already gone, or replaced under its name, is skipped.
 * The whole run is bounded by --timeout like any action.
 */
import type { WatchEvent } from '../../api/types.js';
import { ApiError } from '../../api/api-error.js';
import { oneLine } from '../../base/errors.js';
import { exponentialDelay, sleep } from '../../base/backoff.js';
import { formatDuration } from '../../base/duration.js';
import { isRecord } from '../../base/records.js';
import { lastChange, selectPods, type ActionResult, type DeletePodsOptions } from './delete-pods.js';
import { evictPod } from './eviction.js';
import type { ListedPod } from './pod-list-check.js';

export interface EvictPodsOptions extends DeletePodsOptions {
  maxUnavailable: number;
  readyTimeoutMs: number;
  /** How often the pods are listed while waiting for replacements (1 s). */
  pollMs?: number;
  /** Backoff of a pod refused by a budget: 1 s doubling to 15 s. */
  budgetRetryBaseMs?: number;
  budgetRetryMaxMs?: number;
}

interface Todo {
  pod: ListedPod;
  refusals: number;
  notBefore: number;
}

export async function evictPods(ev: WatchEvent, key: string, o: EvictPodsOptions): Promise<ActionResult> {
  const { log } = o;
  const sel = await selectPods(ev, key, o, 'evict-pods');
  if (!('pods' in sel)) return sel;
  const { ns, pods } = sel;
  const changedAt = lastChange(ev.object);
  const before = new Set(pods.map((p) => p.uid));
  const todo: Todo[] = [];
  for (const pod of pods) {
    if (changedAt !== undefined && pod.created !== undefined && pod.created > changedAt) {
      log.info(`evict-pods ${key}: pod ${ns}/${pod.name} started after the change; not evicted`, { key, pod: pod.name, reason: 'started_after_change' });
    } else if (o.dryRun) {
      log.info(`evict-pods ${key}: would evict pod ${ns}/${pod.name} (dry run)`, { key, pod: pod.name });
    } else {
      todo.push({ pod, refusals: 0, notBefore: 0 });
    }
  }
  const evicted: string[] = [];
  let failures = 0;
  while (todo.length > 0) {
    if (o.signal?.aborted) return { ok: false, reason: 'stopped', deleted: evicted };
    const room = await waitForRoom(key, ns, sel.podsPath, sel.selector, before, evicted.length, o);
    if (room !== 'ok') return { ok: false, reason: room, deleted: evicted };
    const now = Date.now();
    const i = todo.findIndex((t) => t.notBefore <= now);
    if (i < 0) {
      await sleep(Math.max(1, Math.min(...todo.map((t) => t.notBefore)) - now), o.signal);
      continue;
    }
    const t = todo.splice(i, 1)[0]!;
    try {
      const r = await evictPod(o.client, ns, t.pod.name, t.pod.uid, o.signal);
      if (r.kind === 'evicted') {
        evicted.push(t.pod.name);
        log.info(`evict-pods ${key}: evicted pod ${ns}/${t.pod.name}`, { key, pod: t.pod.name });
      } else if (r.kind === 'gone') {
        log.info(`evict-pods ${key}: pod ${ns}/${t.pod.name} already gone (HTTP ${r.status})`, { key, pod: t.pod.name });
      } else {
        t.refusals++;
        const delay = Math.max(r.retryAfterMs ?? 0, exponentialDelay(t.refusals, { initialMs: o.budgetRetryBaseMs ?? 1000, maxMs: o.budgetRetryMaxMs ?? 15_000 }));
        t.notBefore = Date.now() + delay;
        todo.push(t);
        const which = r.budget ? `the PodDisruptionBudget ${ns}/${r.budget}` : 'a PodDisruptionBudget';
        log.warn(`evict-pods ${key}: evicting pod ${ns}/${t.pod.name} would violate ${which} (${r.message}); retrying in ${formatDuration(delay)}`, {
          key, pod: t.pod.name, pdb: r.budget, reason: 'disruption_budget',
        });
      }
    } catch (err) {
      if (o.signal?.aborted) return { ok: false, reason: 'stopped', deleted: evicted };
      failures++;
      log.error(`evict-pods ${key}: evicting pod ${ns}/${t.pod.name} failed: ${oneLine(err)}`, { key, pod: t.pod.name, status: err instanceof ApiError ? err.status : undefined });
    }
  }
  return failures > 0 ? { ok: false, reason: `${failures} eviction(s) failed`, deleted: evicted } : { ok: true, deleted: evicted };
}

/**
 * Waits until fewer than --max-unavailable evicted pods lack a Ready
 * replacement; 'ok', or why the run stops.
 */
async function waitForRoom(key: string, ns: string, path: string, selector: string, before: ReadonlySet<string>, evicted: number, o: EvictPodsOptions): Promise<string> {
  if (evicted < o.maxUnavailable) return 'ok';
  const deadline = Date.now() + o.readyTimeoutMs;
  let said = false;
  for (;;) {
    let ready = 0;
    try {
      ready = await readyReplacements(path, selector, ns, before, o);
    } catch (err) {
      if (o.signal?.aborted) return 'stopped';
      o.log.warn(`evict-pods ${key}: listing pods to count Ready replacements failed: ${oneLine(err)}`, { key });
    }
    const unavailable = evicted - ready;
    if (unavailable < o.maxUnavailable) return 'ok';
    if (o.signal?.aborted) return 'stopped';
    if (Date.now() >= deadline) {
      o.log.error(`evict-pods ${key}: ${unavailable} evicted pod(s) still not replaced by a Ready pod after ${formatDuration(o.readyTimeoutMs)} (--max-unavailable ${o.maxUnavailable}); stopping here, the change will be retried`, { key, reason: 'ready_timeout' });
      return 'replacements not Ready in time';
    }
    if (!said) {
      o.log.info(`evict-pods ${key}: waiting for ${unavailable - o.maxUnavailable + 1} replacement(s) to be Ready before the next eviction (--max-unavailable ${o.maxUnavailable})`, { key });
      said = true;
    }
    await sleep(o.pollMs ?? 1000, o.signal);
  }
}

/** Pods of the selector that were not there before the evictions, Ready and not terminating. */
async function readyReplacements(path: string, selector: string, ns: string, before: ReadonlySet<string>, o: EvictPodsOptions): Promise<number> {
  const body = await o.client.json<unknown>('GET', path, { query: { labelSelector: selector }, signal: o.signal, verb: 'list', resource: 'pods' });
  const items = isRecord(body) && Array.isArray(body.items) ? body.items.filter(isRecord) : [];
  let n = 0;
  for (const p of items) {
    const meta = isRecord(p.metadata) ? p.metadata : {};
    if (meta.namespace !== ns || typeof meta.uid !== 'string' || before.has(meta.uid) || meta.deletionTimestamp) continue;
    const conds = isRecord(p.status) && Array.isArray(p.status.conditions) ? p.status.conditions : [];
    if (conds.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True')) n++;
  }
  return n;
}
