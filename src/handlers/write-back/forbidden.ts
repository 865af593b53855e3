/**
 * A write-back call refused by RBAC (403), said in RBAC's words: the verb,
 * the resource with its subresource, and the namespace (the verb as the
 * server's message names it, else the call's), e.g.
 * `forbidden: patch configwatchers.k8spatterns.com/status in "shop"`, with
 * the Role rule and the `kubectl auth can-i` line that would show it.
 */
import { CmwatchError } from '../../base/errors.js';
import type { ApiError } from '../../api/api-error.js';
import type { PlannedCall } from './calls.js';

export class WriteBackForbiddenError extends CmwatchError {
  constructor(c: PlannedCall, cause: ApiError) {
    const t = c.operation.target;
    const [resource, sub] = c.resource.split('/') as [string, string | undefined];
    const dot = resource.indexOf('.');
    const plural = dot < 0 ? resource : resource.slice(0, dot);
    const group = dot < 0 ? '' : resource.slice(dot + 1);
    const ns = c.verb === 'create' ? (c.path.split('/namespaces/')[1]?.split('/')[0]) : t.namespace;
    const where = ns ? ` in "${ns}"` : ' (cluster-scoped)';
    const server = cause.statusObject?.message;
    // The verb RBAC checked: a server-side apply that creates its object is checked as "create".
    const verb = /cannot ([a-z]+) resource/.exec(server ?? '')?.[1] ?? c.verb;
    super('E_WRITE_BACK_FORBIDDEN', `forbidden: ${verb} ${c.resource}${where} (HTTP 403${server ? `: ${server}` : ''})`, {
      hint: `grant verb "${verb}" on resource "${sub ? `${plural}/${sub}` : plural}" in API group "${group}"; check with kubectl auth can-i ${verb} ${resource}${sub ? ` --subresource=${sub}` : ''}${ns ? ` -n ${ns}` : ''}`,
      cause,
    });
    this.name = 'WriteBackForbiddenError';
  }
}

export function forbiddenError(c: PlannedCall, err: ApiError): WriteBackForbiddenError {
  return new WriteBackForbiddenError(c, err);
}
