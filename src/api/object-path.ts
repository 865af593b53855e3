/**
 * The one place that builds API paths: collections (`/api/v1/namespaces/NS/pods`)
 * and single objects (`…/pods/NAME`, `…/pods/NAME/eviction`), core
 * (`/api/v1`) or grouped (`/apis/GROUP/VERSION`), namespaced or not.
 *
 * It refuses, with a typed error naming the value, every segment that could
 * turn an object path into something else: an empty name
 * (`DELETE …/pods/` is a delete of the whole collection), `.` or `..`, a `/`
 * or a `%`. So no caller can send a request to a path it did not mean.
 */
import { CmwatchError } from '../base/errors.js';
import { DNS1123_LABEL_MAX, DNS1123_SUBDOMAIN_MAX, isDns1123Label, isDns1123Subdomain } from './names.js';

/** The longest object name the API accepts (a DNS-1123 subdomain). */
export const MAX_OBJECT_NAME = DNS1123_SUBDOMAIN_MAX;
/** The longest namespace name (a DNS-1123 label). */
export const MAX_NAMESPACE = DNS1123_LABEL_MAX;

const API_VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;

export type PathSegmentCode = 'E_INVALID_OBJECT_NAME' | 'E_INVALID_NAMESPACE' | 'E_INVALID_RESOURCE';

/** A value cmwatch will not put into an API path. `code` says which part it was. */
export class InvalidPathSegmentError extends CmwatchError {
  /** The value refused (as given; may not be a string). */
  readonly value: unknown;
  constructor(code: PathSegmentCode, what: string, value: unknown, why: string) {
    super(code, `invalid ${what} ${describe(value)}: ${why}`, {
      hint: 'cmwatch sends no request for it; an object path needs one valid name per segment',
    });
    this.name = 'InvalidPathSegmentError';
    this.value = value;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return value === undefined ? '(missing)' : `(${value === null ? 'null' : typeof value})`;
}

/**
 * Why `name` cannot be the name of an object in a path, or undefined if it
 * can: the API server's own rule for path segments (not empty, not `.` or
 * `..`, no `/` or `%`) and at most 253 characters.
 */
export function objectNameError(name: unknown): string | undefined {
  if (typeof name !== 'string') return name === undefined ? 'no name' : `not a string (${name === null ? 'null' : typeof name})`;
  if (name === '') return 'empty name';
  if (name === '.' || name === '..') return `"${name}" is not a name`;
  if (name.includes('/')) return 'contains "/"';
  if (name.includes('%')) return 'contains "%"';
  if (name.length > MAX_OBJECT_NAME) return `longer than ${MAX_OBJECT_NAME} characters (${name.length})`;
  return undefined;
}

export function isValidObjectName(name: unknown): name is string {
  return objectNameError(name) === undefined;
}

/** Why `value` is not a DNS-1123 label (a namespace name), or undefined; the rule itself is names.ts's. */
export function dns1123LabelError(value: unknown): string | undefined {
  return dnsNameError(value, MAX_NAMESPACE, isDns1123Label, 'not lower-case letters, digits and "-", starting and ending with a letter or digit');
}

/** Why `value` is not a DNS-1123 subdomain (an API group, most object names), or undefined. */
export function dns1123SubdomainError(value: unknown): string | undefined {
  return dnsNameError(value, MAX_OBJECT_NAME, isDns1123Subdomain, 'not dot-separated lower-case labels of letters, digits and "-"');
}

function dnsNameError(value: unknown, max: number, valid: (v: string) => boolean, rule: string): string | undefined {
  if (typeof value !== 'string') return value === undefined ? 'missing' : `not a string (${value === null ? 'null' : typeof value})`;
  if (value === '') return 'empty';
  if (value.length > max) return `longer than ${max} characters (${value.length})`;
  return valid(value) ? undefined : rule;
}

export function isValidNamespace(value: unknown): value is string {
  return dns1123LabelError(value) === undefined;
}

/** A collection: `/api/v1/pods`, `/api/v1/namespaces/NS/pods`, `/apis/G/V/namespaces/NS/R`. */
export interface CollectionRef {
  /** "" or undefined for the core group, else e.g. "coordination.k8s.io". */
  group?: string;
  /** Default v1. */
  version?: string;
  /** Plural resource name, e.g. "pods". */
  resource: string;
  /** Undefined: cluster-scoped, or all namespaces. An empty string is refused. */
  namespace?: string;
}

/** One object of a collection, optionally one of its subresources. */
export interface ObjectRef extends CollectionRef {
  name: string;
  /** e.g. "eviction" or "status". */
  subresource?: string;
}

function check(code: PathSegmentCode, what: string, value: unknown, why: string | undefined): void {
  if (why !== undefined) throw new InvalidPathSegmentError(code, what, value, why);
}

/** The path of a collection; throws InvalidPathSegmentError for a bad segment. */
export function collectionPath(ref: CollectionRef): string {
  const version = ref.version ?? 'v1';
  check('E_INVALID_RESOURCE', 'API version', version, API_VERSION.test(version) ? undefined : 'not like v1, v2beta1');
  if (ref.group) check('E_INVALID_RESOURCE', 'API group', ref.group, dns1123SubdomainError(ref.group));
  check('E_INVALID_RESOURCE', 'resource', ref.resource, dns1123LabelError(ref.resource));
  const base = ref.group ? `/apis/${ref.group}/${version}` : `/api/${version}`;
  if (ref.namespace === undefined) return `${base}/${ref.resource}`;
  check('E_INVALID_NAMESPACE', 'namespace', ref.namespace, dns1123LabelError(ref.namespace));
  return `${base}/namespaces/${ref.namespace}/${ref.resource}`;
}

/** The path of one object (or its subresource); throws InvalidPathSegmentError for a bad name or segment. */
export function objectPath(ref: ObjectRef): string {
  check('E_INVALID_OBJECT_NAME', `${ref.resource} name`, ref.name, objectNameError(ref.name));
  const path = `${collectionPath(ref)}/${encodeURIComponent(ref.name)}`;
  if (ref.subresource === undefined) return path;
  check('E_INVALID_RESOURCE', 'subresource', ref.subresource, dns1123LabelError(ref.subresource));
  return `${path}/${ref.subresource}`;
}

/** The methods that change an object: never sent to a broken path or (by cmwatch itself) a collection. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(['DELETE', 'PATCH', 'PUT']);

/**
 * Why `path` (without its query) is broken, or undefined: it ends in "/", has
 * an empty segment, or a "." or ".." segment (also percent-encoded). This is
 * what a URL built from an empty name looks like; the API server would take
 * it as the collection.
 */
export function brokenPathError(p: string): string | undefined {
  if (p.endsWith('/')) return 'the path ends in "/"';
  const segs = p.split('/').slice(1);
  if (!p.startsWith('/') || segs.some((s) => s === '')) return 'the path has an empty segment';
  if (segs.some((s) => /^(%2e|\.){1,2}$/i.test(s))) return 'the path has a "." or ".." segment';
  return undefined;
}

/**
 * Why a mutating request (DELETE, PATCH, PUT) to `path` must not be sent,
 * or undefined if `path` names one object: a trailing or doubled `/`, a
 * `.`/`..` segment, a path outside /api and /apis, or a collection. The
 * client checks this last, whoever built the path.
 */
export function mutationTargetError(path: string): string | undefined {
  const p = path.split('?')[0]!;
  const broken = brokenPathError(p);
  if (broken) return broken;
  const segs = p.split('/').slice(1);
  const prefix = segs[0] === 'api' ? 2 : segs[0] === 'apis' ? 3 : 0;
  if (prefix === 0) return 'the path is not under /api or /apis';
  const rest = segs.slice(prefix);
  const named = rest[0] === 'namespaces' && rest.length >= 3 ? rest.length >= 4 : rest.length >= 2;
  return named ? undefined : 'the path is a collection, not one object';
}
