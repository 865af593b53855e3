/**
 * Resolving a RESOURCE the way kubectl does (its Builder's mappingFor, the
 * shortcut expander and the discovery RESTMapper), against discovered
 * resources:
 *
 * - The name is read as kubectl's ParseResourceArg reads it: with two dots or
 *   more, first as `resource.version.group` (`deployments.v1.apps`), then
 *   always as `resource.group` split at the first dot
 *   (`configwatchers.k8spatterns.com`, `deploy.apps`); without a dot, as a
 *   bare resource.
 * - For each reading, in turn: the plural or singular (an exact full name is
 *   never expanded as a short name); then a short name in exactly that group;
 *   then, only when a group was written and nothing matched it exactly,
 *   kubectl's "group prefixing": the written group may be the start of the
 *   served one, first for a short name (`hpa.autoscal`, the shortcut
 *   expander), then for a plural or singular (`deployments.app`,
 *   `storageclasses.storage`: the RESTMapper).
 * - Only when no reading matched a resource name: the Kind, case-insensitive,
 *   read the same ways, exact group then group prefix (`ConfigMap`,
 *   `Deployment.apps`, `Deployment.v1.apps`: kubectl's ParseKindArg, so
 *   `kind.version.group` is taken).
 * - Names compare in lower case (kubectl lower-cases the resource before
 *   matching), so `ConfigMap` also matches the singular `configmap`.
 *
 * Several groups matching one name: kubectl's discovery RESTMapper puts the
 * core group first ("/v1 is special. It should always come first"), then
 * every other group in the server's priority order, and takes the first
 * match (for a short name it warns "could also match lower priority
 * resource"). cmwatch keeps the first half of the rule: a core match wins
 * (`events` is the core Event, not events.k8s.io's). Among non-core groups
 * it refuses to guess and raises E_RESOURCE_AMBIGUOUS listing each
 * `plural.group`: discovery does not expose group priorities (CRD groups all
 * share one, and kubectl breaks the tie by name), and a controller that
 * silently watches the wrong group acts on the wrong objects.
 *
 * The version: the one written, else the group's preferred version, else
 * the first of the group's versions (in the server's order) that serves it.
 */
import type { ApiGroup, ApiResource, DiscoveredResources } from './resource.js';
import { missingWatchVerbs } from './resource.js';
import { isDns1123Subdomain } from './names.js';
import { InvalidValueError } from '../base/errors.js';
import { ResourceAmbiguousError, ResourceNotWatchableError, ResourceUnknownError } from './resource-name-errors.js';

export { ResourceAmbiguousError, ResourceNotWatchableError, ResourceUnknownError };

/** Which of kubectl's forms matched. */
export type ResourceForm = 'plural' | 'singular' | 'short name' | 'kind';

export interface ResolvedResource {
  readonly status: 'resolved';
  /** The name as the user wrote it. */
  readonly name: string;
  readonly resource: ApiResource;
  readonly form: ResourceForm;
}

/**
 * A fully-qualified name (`plural.group`, `plural.version.group`) that
 * nothing serves yet, e.g. a CRD applied after start: the caller waits for it.
 */
export interface NotYetServed {
  readonly status: 'not-served';
  readonly name: string;
  /** The name read as `resource.group`. */
  readonly resource: string;
  readonly group: string;
}

export type Resolution = ResolvedResource | NotYetServed;

interface Reading {
  readonly resource: string;
  readonly group?: string;
  readonly version?: string;
}

/** kubectl's ParseResourceArg (and ParseKindArg): the readings of a name, most specific first. */
export function readingsOf(name: string): Reading[] {
  const parts = name.split('.');
  const out: Reading[] = [];
  if (parts.length >= 3) out.push({ resource: parts[0]!, version: parts[1]!, group: parts.slice(2).join('.') });
  if (parts.length >= 2) out.push({ resource: parts[0]!, group: parts.slice(1).join('.') });
  else out.push({ resource: name });
  return out;
}

type Test = (r: ApiResource, want: string) => ResourceForm | undefined;

const byName: Test = (r, want) => (r.resource === want ? 'plural' : r.singular === want ? 'singular' : undefined);
const byShortName: Test = (r, want) => (r.shortNames.includes(want) ? 'short name' : undefined);
const byKind: Test = (r, want) => (r.kind.toLowerCase() === want ? 'kind' : undefined);

interface Match {
  readonly r: ApiResource;
  readonly form: ResourceForm;
}

function matching(set: DiscoveredResources, reading: Reading, test: Test, groupPrefix = false): Match[] {
  const want = reading.resource.toLowerCase();
  const out: Match[] = [];
  for (const r of set.resources) {
    if (reading.version !== undefined && r.version !== reading.version) continue;
    if (reading.group !== undefined && !(groupPrefix ? r.group.startsWith(reading.group) : r.group === reading.group)) continue;
    const form = test(r, want);
    if (form) out.push({ r, form });
  }
  return out;
}

/** The matches of the first step (in kubectl's order) that matched anything. */
function firstMatches(set: DiscoveredResources, readings: Reading[]): Match[] {
  // Lazily, in kubectl's order: the first step that matches anything decides.
  const steps = (reading: Reading, tests: Array<[Test, boolean]>) =>
    tests.filter(([, prefix]) => !prefix || reading.group !== undefined).map(([t, prefix]) => () => matching(set, reading, t, prefix));
  const order = [
    ...readings.flatMap((r) => steps(r, [[byName, false], [byShortName, false], [byShortName, true], [byName, true]])),
    ...readings.flatMap((r) => steps(r, [[byKind, false], [byKind, true]])),
  ];
  for (const step of order) {
    const m = step();
    if (m.length) return m;
  }
  return [];
}

/** One resource (all its versions) out of the matches: core wins, else exactly one group-resource, else ambiguous. */
function oneResource(name: string, matches: Match[], groups: readonly ApiGroup[]): Match[] {
  const canonicals = [...new Set(matches.map((m) => m.r.canonical))];
  if (canonicals.length === 1) return matches;
  const core = canonicals.filter((c) => matches.some((m) => m.r.canonical === c && m.r.group === ''));
  if (core.length === 1) return matches.filter((m) => m.r.canonical === core[0]);
  const order = (c: string) => groups.findIndex((g) => g.name === matches.find((m) => m.r.canonical === c)!.r.group);
  const candidates = (core.length > 1 ? core : canonicals).sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  throw new ResourceAmbiguousError(name, candidates);
}

/** The preferred version if it serves the resource, else the first of the group's versions that does. */
function preferred(matches: Match[], groups: readonly ApiGroup[]): Match {
  const group = groups.find((g) => g.name === matches[0]!.r.group);
  const versions = group ? [group.preferredVersion, ...group.versions] : [];
  for (const v of versions) {
    const m = matches.find((x) => x.r.version === v);
    if (m) return m;
  }
  return matches[0]!;
}

const RESOURCE_PART = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A name with a group part that could be served later: a resource-like first part and a DNS-subdomain group. */
function waitable(name: string): NotYetServed | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) return undefined;
  const resource = name.slice(0, dot).toLowerCase();
  const group = name.slice(dot + 1);
  if (!RESOURCE_PART.test(resource) || !isDns1123Subdomain(group)) return undefined;
  return { status: 'not-served', name, resource, group };
}

/**
 * Resolves `name` as kubectl would against `set`. Returns the resource, or
 * NotYetServed for a fully-qualified name nothing serves; throws
 * ResourceAmbiguousError, ResourceNotWatchableError, ResourceUnknownError,
 * or an InvalidValueError (code E_USAGE) for an empty name or one with a
 * slash or a space.
 */
export function resolveResourceName(set: DiscoveredResources, name: string): Resolution {
  if (name.trim() === '' || /[\s/]/.test(name)) {
    throw new InvalidValueError('resource-name', name, `invalid resource name "${name}": a resource is written like configmaps, cm, ConfigMap or deployments.apps`);
  }
  const matches = firstMatches(set, readingsOf(name));
  if (!matches.length) {
    const wait = waitable(name);
    if (wait) return wait;
    throw new ResourceUnknownError(name);
  }
  const chosen = preferred(oneResource(name, matches, set.groups), set.groups);
  const missing = missingWatchVerbs(chosen.r);
  if (missing.length) throw new ResourceNotWatchableError(name, chosen.r.canonical, missing);
  return { status: 'resolved', name, resource: chosen.r, form: chosen.form };
}
