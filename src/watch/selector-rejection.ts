/**
 * A selector the API server refuses: a 400 BadRequest on a list or watch
 * whose Status message says the field selector names a field the resource
 * does not support, or that a field or label selector does not parse. No
 * retry can change that answer, so the reflector stops on it (failure.ts,
 * kind 'rejected') and the CLI exits 2, as for any bad flag value.
 *
 * The messages recognized (kube-apiserver v1.36.3, checked against it):
 *   "foo" is not a known field selector: only "metadata.name", "metadata.namespace"   (configmaps, secrets, CRDs...)
 *   field label not supported: foo                                                  (pods, events...; also "... for KIND: foo")
 *   field label "foo" not supported for "KIND"
 *   invalid field selector: ... / invalid selector: '...'; can't understand '...'   (a field selector that does not parse)
 *   unable to parse requirement: ... / found '...', expected: ...                   (a label selector that does not parse)
 */
import { ApiError } from '../api/api-error.js';
import { CmwatchError } from '../base/errors.js';

const FIELD_HINT_EXAMPLE = 'e.g. --field-selector metadata.name=web';
const LABEL_HINT = 'e.g. -l app=webapp or -l "tier in (web,api)"';

/** The server refused --field-selector or --selector (code E_SELECTOR_REJECTED, exit 2); the cause is the ApiError. */
export class SelectorRejectedError extends CmwatchError {
  constructor(readonly flag: '--field-selector' | '--selector', message: string, hint: string, cause: ApiError) {
    super('E_SELECTOR_REJECTED', `${flag}: ${message}`, { hint, cause });
    this.name = 'SelectorRejectedError';
  }
}

/** What a source asked for: the plural resource and the selectors sent. */
export interface SelectorContext {
  resource: string;
  fieldSelector?: string | undefined;
  labelSelector?: string | undefined;
}

/** A Go %q string's text ("foo" → foo); JSON reads the quoting of ordinary field names. */
function unquote(q: string): string {
  try {
    const v: unknown = JSON.parse(q);
    return typeof v === 'string' ? v : q;
  } catch {
    return q;
  }
}

/** The field an "unsupported field" message names, and the fields it says are supported (if it does). */
export function unsupportedField(message: string): { field: string; supported?: string } | undefined {
  let m = /^("(?:[^"\\]|\\.)*") is not a known field selector(?:: only (.+))?$/.exec(message);
  if (m) return { field: unquote(m[1]!), ...(m[2] ? { supported: m[2] } : {}) };
  m = /^field label ("(?:[^"\\]|\\.)*") not supported for /.exec(message);
  if (m) return { field: unquote(m[1]!) };
  m = /^field label (?:not supported|does not support subscript)(?: for [^:]+)?: (.*)$/.exec(message);
  if (m) return { field: m[1]! };
  return undefined;
}

/** The SelectorRejectedError a list or watch error stands for, or undefined when it is no selector's fault. */
export function selectorRejection(err: unknown, ctx: SelectorContext): SelectorRejectedError | undefined {
  if (!(err instanceof ApiError) || err.status !== 400) return undefined;
  const message = (err.statusObject?.message ?? '').trim();
  if (ctx.fieldSelector) {
    const u = unsupportedField(message);
    if (u) {
      const which = u.supported ? `${ctx.resource} support only ${u.supported}` : `every resource supports metadata.name and metadata.namespace, some a few more (the server said: ${message})`;
      return new SelectorRejectedError('--field-selector', `the server does not support field "${u.field}" on ${ctx.resource}`, `${which}; ${FIELD_HINT_EXAMPLE}`, err);
    }
    if (/^invalid (field )?selector\b/.test(message)) {
      return new SelectorRejectedError('--field-selector', `the server rejected the field selector "${ctx.fieldSelector}": ${message}`, FIELD_HINT_EXAMPLE, err);
    }
  }
  if (ctx.labelSelector && /^(unable to parse requirement|found '.*', expected|couldn't parse the selector string)/.test(message)) {
    return new SelectorRejectedError('--selector', `the server rejected the label selector "${ctx.labelSelector}": ${message}`, LABEL_HINT, err);
  }
  return undefined;
}
