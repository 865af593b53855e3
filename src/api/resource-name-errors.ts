/**
 * Why a RESOURCE as the user wrote it cannot be watched. Stable codes, the
 * name as given, a hint; no exit code (the CLI maps codes in one table).
 */
import { CmwatchError } from '../base/errors.js';

/** The name matches resources of several groups: `candidates` are their `plural.group` names. */
export class ResourceAmbiguousError extends CmwatchError {
  constructor(readonly resourceName: string, readonly candidates: readonly string[]) {
    super('E_RESOURCE_AMBIGUOUS', `resource name ${resourceName} is ambiguous on this server: it names ${candidates.join(', ')}`, {
      hint: `name one of them as plural.group, e.g. ${candidates[0]}`,
    });
    this.name = 'ResourceAmbiguousError';
  }
}

/** The resource exists but lacks `list` or `watch` (bindings, tokenreviews, componentstatuses). */
export class ResourceNotWatchableError extends CmwatchError {
  constructor(readonly resourceName: string, readonly canonical: string, readonly missingVerbs: readonly string[]) {
    const named = resourceName === canonical ? canonical : `${canonical} (named ${resourceName})`;
    super('E_RESOURCE_NOT_WATCHABLE', `resource ${named} cannot be watched: it does not support ${missingVerbs.join(' or ')}`, {
      hint: 'watching needs the list and watch verbs; `kubectl api-resources -o wide` shows each resource\'s verbs',
    });
    this.name = 'ResourceNotWatchableError';
  }
}

/** Nothing on the server answers to the name. */
export class ResourceUnknownError extends CmwatchError {
  constructor(readonly resourceName: string) {
    super('E_RESOURCE_UNKNOWN', `no resource ${resourceName} on this server`, { hint: '`kubectl api-resources` lists them' });
    this.name = 'ResourceUnknownError';
  }
}
