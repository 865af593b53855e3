/**
 * The canonical text of a JSON value, for content functions that hash a part
 * of an object of any shape (content-object.ts, content-paths.ts). It is a
 * function of the value alone (object keys are sorted, nothing depends on
 * the order the API sent them in, the process or the machine), and it is
 * unambiguous: every part says its length or its count, so no two values
 * share a text. It extends fingerprint.ts's framing (a string or scalar is
 * framed exactly as framedValue frames it):
 *
 *   string s            `=` LEN `:` s          LEN: s.length (UTF-16 units), decimal
 *   number, true,       `~` LEN `:` JSON       JSON: JSON.stringify(v) (ECMAScript's
 *   false, null                                 number formatting, the same everywhere)
 *   array               `[` N `:` item…         N items, each in canonical text
 *   object              `{` N `:` (KLEN `:` key value)…
 *                                              N keys whose value is not undefined,
 *                                              sorted by UTF-16 code units (JS sort)
 *   absent              `-`                    a field that is not there (≠ null)
 *
 * Anything that JSON cannot hold (undefined inside an array, a function)
 * does not come from the API; it is written as absent.
 */
import { framedValue } from './framed-text.js';

/** The text of an absent field: distinct from every value's text. */
export const ABSENT = '-';

/** The canonical text of `v` (see the file's comment); undefined is absent. */
export function canonicalText(v: unknown): string {
  // Scalars are framed exactly as the ConfigMap content frames its values.
  if (typeof v === 'string' || v === null || typeof v === 'number' || typeof v === 'boolean') return framedValue(v);
  if (Array.isArray(v)) {
    let s = '[' + v.length + ':';
    for (const item of v) s += canonicalText(item);
    return s;
  }
  if (typeof v === 'object') return canonicalRecord(v as Record<string, unknown>);
  return ABSENT;
}

/** The canonical text of an object: its defined keys, sorted, each with its value. */
export function canonicalRecord(rec: Record<string, unknown>): string {
  const keys = Object.keys(rec).filter((k) => rec[k] !== undefined);
  if (keys.length > 1) keys.sort();
  let s = '{' + keys.length + ':';
  for (const k of keys) s += k.length + ':' + k + canonicalText(rec[k]);
  return s;
}
