/**
 * What a list body and a watch event must look like before cmwatch uses
 * them. The API server always sends these shapes; a broken or hostile server,
 * or a proxy in between, may not. A wrong shape is one clear line naming the
 * URL and what was wrong, never a TypeError, and an object of another kind
 * than the one watched is never delivered as that kind.
 */
import { isRecord } from '../base/records.js';
import { labelsMatch } from '../api/label-match.js';
import type { Requirement } from '../api/label-selector.js';
import { ApiError, type K8sStatus } from '../api/api-error.js';
import { BadResponseError } from './failure.js';
import type { ListPage } from './source.js';
import type { K8sObject } from '../api/types.js';

/** The kind a source watches, e.g. { kind: 'ConfigMap', group: '' }. */
export interface KindExpectation {
  kind: string;
  /** The API group: '' for the core group (apiVersion "v1"). */
  group: string;
}

/** What a source asked the server for besides the kind: its namespace and label selector. */
export interface ScopeExpectation {
  /** Unset: all namespaces. */
  namespace?: string;
  /** The parsed labelSelector; unset: none. */
  selector?: readonly Requirement[];
}

/**
 * Undefined when the object is inside what was asked for; otherwise why not,
 * e.g. 'in namespace "kube-system", not "default"'. The API server never
 * sends such an object: only a broken server or a proxy in between does, and
 * an action must not act on it.
 */
export function outOfScope(obj: K8sObject, scope: ScopeExpectation | undefined): string | undefined {
  if (!scope) return undefined;
  const ns = obj.metadata?.namespace;
  if (scope.namespace !== undefined && ns !== scope.namespace) return `in namespace ${ns === undefined ? '(none)' : `"${ns}"`}, not "${scope.namespace}"`;
  if (scope.selector && !labelsMatch(scope.selector, obj.metadata?.labels)) return 'not matched by the label selector';
  return undefined;
}

const NOT_A_LIST = 'the server or a proxy in between returned something that is not a Kubernetes list; cmwatch lists again with backoff';

/** The group of an apiVersion: '' for "v1", "apps" for "apps/v1". */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return typeof v === 'object' ? 'an object' : `the ${typeof v} ${String(v)}`;
}


/**
 * Undefined when the object may be of the expected kind (its kind, and the
 * group of its apiVersion, are absent or match); otherwise what it is, e.g.
 * "a Pod (v1)". With no expectation, everything matches.
 */
export function foreignKind(obj: K8sObject, expect: KindExpectation | undefined): string | undefined {
  if (!expect) return undefined;
  const { kind, apiVersion } = obj;
  const kindOk = kind === undefined || kind === expect.kind;
  const groupOk = apiVersion === undefined || (typeof apiVersion === 'string' && groupOf(apiVersion) === expect.group);
  if (kindOk && groupOk) return undefined;
  const what = typeof kind === 'string' ? `a ${kind}` : kind === undefined ? 'an object' : `an object of kind ${describe(kind)}`;
  return `${what} (${typeof apiVersion === 'string' ? apiVersion : apiVersion === undefined ? 'no apiVersion' : `apiVersion ${describe(apiVersion)}`})`;
}

/** Why an object of a list or event cannot be used, or undefined if it can. */
export function objectProblem(obj: unknown): string | undefined {
  if (!isRecord(obj)) return `is ${describe(obj)}, not an object`;
  const meta = obj.metadata;
  if (!isRecord(meta)) return `has ${meta === undefined ? 'no metadata' : `metadata that is ${describe(meta)}`}`;
  if (typeof meta.name !== 'string' || meta.name === '') return meta.name === undefined ? 'has no metadata.name' : `has a metadata.name that is ${describe(meta.name)}`;
  if (meta.namespace !== undefined && typeof meta.namespace !== 'string') return `has a metadata.namespace that is ${describe(meta.namespace)}`;
  if (meta.resourceVersion !== undefined && typeof meta.resourceVersion !== 'string') return `has a metadata.resourceVersion that is ${describe(meta.resourceVersion)}`;
  return undefined;
}

/**
 * One list page from a response body, or a BadResponseError naming `url`.
 * Items get the kind and apiVersion the API leaves out of list items, from the
 * list's kind ("ConfigMapList" → "ConfigMap"), so that a listed object looks
 * like one from a watch event. A missing or null `items` is an empty page
 * (Go encodes an empty slice as null); anything else that is not an array is
 * refused, and so is the whole page when one item is unusable: a list that
 * silently lost an item would make the relist diff deliver a false DELETED.
 */
export function parseListBody(body: unknown, url: string, expect: KindExpectation | undefined): ListPage {
  const bad = (what: string) => new BadResponseError('bad_list', `list ${url}: ${what}`, { hint: NOT_A_LIST });
  if (!isRecord(body)) throw bad(`the body is ${describe(body)}, not a list`);
  const { kind, apiVersion, metadata, items } = body;
  if (kind === 'Status') {
    const st = body as K8sStatus;
    throw bad(`the body is a Status, not a list${st.message ? `: ${st.message}` : ''}`);
  }
  if (kind !== undefined && (typeof kind !== 'string' || !kind.endsWith('List'))) throw bad(`the body is of kind ${describe(kind)}, not a list`);
  if (expect && typeof kind === 'string' && kind !== 'List' && kind !== `${expect.kind}List`) {
    throw bad(`the body is a ${kind}, not a ${expect.kind}List`);
  }
  if (apiVersion !== undefined && (typeof apiVersion !== 'string' || (expect && groupOf(apiVersion) !== expect.group))) {
    throw bad(`the list's apiVersion is ${describe(apiVersion)}, not one of the group "${expect?.group ?? ''}"`);
  }
  if (!isRecord(metadata)) throw bad(`the list has ${metadata === undefined ? 'no metadata' : `metadata that is ${describe(metadata)}`}`);
  const rv = metadata.resourceVersion;
  if (typeof rv !== 'string' || rv === '') throw bad(`the list has ${rv === undefined ? 'no metadata.resourceVersion' : `a metadata.resourceVersion that is ${describe(rv)}`}`);
  const cont = metadata.continue;
  if (cont !== undefined && typeof cont !== 'string') throw bad(`the list has a metadata.continue that is ${describe(cont)}`);
  if (items !== undefined && items !== null && !Array.isArray(items)) throw bad(`items is ${describe(items)}, not an array`);
  const itemKind = typeof kind === 'string' && kind !== 'List' ? kind.slice(0, -4) : undefined;
  const out: K8sObject[] = [];
  for (const [i, it] of ((items as unknown[] | null | undefined) ?? []).entries()) {
    const problem = objectProblem(it);
    if (problem) throw bad(`item ${i} ${problem}`);
    const obj = it as K8sObject;
    out.push(obj.kind || !itemKind ? obj : { apiVersion: apiVersion as string | undefined, kind: itemKind, ...obj });
  }
  return { items: out, resourceVersion: rv, continue: cont || undefined };
}

/**
 * The error an in-stream ERROR event ends the watch with: an ApiError built
 * from its Status, or, when the Status says nothing at all (no code, reason
 * or message), a BadResponseError that says so rather than a bare "HTTP 500".
 */
export function errorEventFailure(object: unknown, url: string, resource: string): Error {
  const st = (isRecord(object) ? object : {}) as K8sStatus;
  const code = typeof st.code === 'number' ? st.code : undefined;
  const reason = typeof st.reason === 'string' && st.reason !== '' ? st.reason : undefined;
  const message = typeof st.message === 'string' && st.message !== '' ? st.message : undefined;
  if (code === undefined && reason === undefined && message === undefined) {
    return new BadResponseError('empty_error_status', `watch ${url}: the server sent an ERROR event with an empty Status`, {
      hint: 'the server or a proxy in between ended the watch without saying why; cmwatch backs off and watches again from the last resource version',
      level: 'warn',
    });
  }
  return new ApiError({
    status: code ?? 500, verb: 'watch', url, resource,
    statusObject: { ...st, kind: 'Status', reason, message },
  });
}
