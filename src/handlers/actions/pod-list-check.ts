/**
 * What of a pod list delete-pods may act on. The list comes from a server
 * (or a proxy) that is not trusted: its shape is checked as a whole, and
 * each item on its own, client-side, before anything is deleted:
 * - a valid name (an empty name would make `DELETE …/pods/`, a delete of
 *   the whole collection), and a UID for the delete's precondition;
 * - the ConfigMap's namespace, and labels that match the selector that was
 *   asked for; a pod that is not what was asked for is a server
 *   inconsistency, never deleted.
 */
import { isRecord as isObject } from '../../base/records.js';
import { CmwatchError } from '../../base/errors.js';
import { dns1123SubdomainError, objectNameError } from '../../api/object-path.js';
import { labelsMatch } from '../../api/label-match.js';
import type { Requirement } from '../../api/label-selector.js';

/** A list answer that is not a pod list at all (null, no items array, an item that is not an object). */
export class ListShapeError extends CmwatchError {
  readonly url: string;
  constructor(url: string, why: string) {
    super('E_LIST_SHAPE', `GET ${url}: the answer is not a pod list: ${why}`, {
      hint: 'check that the server URL is the API server or a kubectl proxy in front of it, and that nothing between rewrites its answers',
    });
    this.name = 'ListShapeError';
    this.url = url;
  }
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}


/** The items of a pod list answer, each an object; ListShapeError otherwise. */
export function podListItems(body: unknown, url: string): Array<Record<string, unknown>> {
  if (!isObject(body)) throw new ListShapeError(url, `the body is ${typeOf(body)}, not an object`);
  if (body.kind !== undefined && body.kind !== 'PodList') throw new ListShapeError(url, `its kind is ${JSON.stringify(body.kind)}, not "PodList"`);
  const items = body.items;
  if (!Array.isArray(items)) throw new ListShapeError(url, `"items" is ${typeOf(items)}, not an array`);
  items.forEach((it, i) => {
    if (!isObject(it)) throw new ListShapeError(url, `item ${i} is ${typeOf(it)}, not an object`);
  });
  return items as Array<Record<string, unknown>>;
}

export interface ListedPod {
  name: string;
  uid: string;
  /** metadata.creationTimestamp in ms, when it is a valid time. */
  created?: number;
}

/** Why a listed item is not acted on; `reason` is the log's reason field. */
export interface Skip {
  reason: 'invalid_object_name' | 'no_uid' | 'server_inconsistency';
  /** e.g. `pod web/x is in namespace other, not web`. */
  why: string;
}

/**
 * The pod to delete, or why not. `seen` holds the names already accepted
 * from this list (a name listed twice is an inconsistency).
 */
export function checkListedPod(item: Record<string, unknown>, index: number, ns: string, selector: readonly Requirement[], seen: Set<string>): ListedPod | Skip {
  const meta = isObject(item.metadata) ? item.metadata : {};
  const name = meta.name;
  const nameWhy = objectNameError(name) ?? dns1123SubdomainError(name);
  if (nameWhy !== undefined) {
    const shown = typeof name === 'string' ? ` ${JSON.stringify(name)}` : '';
    return { reason: 'invalid_object_name', why: `item ${index} has no valid metadata.name${shown} (${nameWhy})` };
  }
  const pod = `pod ${typeof meta.namespace === 'string' ? meta.namespace : '?'}/${name as string}`;
  if (item.kind !== undefined && item.kind !== 'Pod') return inconsistent(`${pod} is of kind ${JSON.stringify(item.kind)}, not Pod`);
  if (meta.namespace !== ns) return inconsistent(`${pod} is in namespace ${JSON.stringify(meta.namespace ?? null)}, not ${ns}`);
  const labels = meta.labels ?? {};
  if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) return inconsistent(`${pod} has labels that are not a map of strings`);
  if (!labelsMatch(selector, labels as Record<string, string>)) return inconsistent(`${pod} has labels ${JSON.stringify(labels)} that do not match the selector`);
  if (seen.has(name as string)) return inconsistent(`${pod} is listed more than once`);
  const uid = meta.uid;
  if (typeof uid !== 'string' || uid.trim() === '') {
    return { reason: 'no_uid', why: `${pod} has no metadata.uid, so its delete could not be made conditional on it` };
  }
  seen.add(name as string);
  const created = typeof meta.creationTimestamp === 'string' ? Date.parse(meta.creationTimestamp) : NaN;
  return Number.isFinite(created) ? { name: name as string, uid, created } : { name: name as string, uid };
}

function inconsistent(why: string): Skip {
  return { reason: 'server_inconsistency', why: `${why} (server inconsistency)` };
}

export function isSkip(v: ListedPod | Skip): v is Skip {
  return 'reason' in v;
}
