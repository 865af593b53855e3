/**
 * A one-line summary of an object for human output (logs, error messages)
 * that never contains a value of its `data`, `binaryData` or `stringData`:
 * a Secret's values must not reach a log at any level. It says how many keys
 * each has, as `data: 3 keys`, and names the object by what is not secret:
 * kind, namespace/name and resource version.
 *
 *   Secret web/db rv=812 data: 3 keys, stringData: 1 key
 *
 * `-o json` and `events` print the object as the API sent it; this is only
 * for the lines cmwatch writes about an object.
 */
import type { K8sObject } from './types.js';

const VALUE_MAPS = ['data', 'binaryData', 'stringData'] as const;

/** "N key(s)" for a map; a field that is not a map is "not a map", never its value. */
function countOf(v: unknown): string {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'not a map';
  const n = Object.keys(v).length;
  return n === 1 ? '1 key' : `${n} keys`;
}

/** `Kind ns/name rv=RV` and the key counts of the value maps present; see the file's comment. */
export function objectSummary(obj: K8sObject): string {
  const m = obj.metadata ?? {};
  const id = m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
  let s = id ? `${obj.kind ?? 'object'} ${id}` : (obj.kind ?? 'object');
  if (m.resourceVersion) s += ` rv=${m.resourceVersion}`;
  const counts = VALUE_MAPS.filter((f) => obj[f] !== undefined).map((f) => `${f}: ${countOf(obj[f])}`);
  return counts.length > 0 ? `${s} ${counts.join(', ')}` : s;
}
