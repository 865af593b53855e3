/**
 * Change detection: a ConfigMap's "content" is its data, binaryData and the
 * selector annotation. Only a hash of those is remembered per key, never the
 * object, so memory stays flat with many ConfigMaps.
 *
 * The hashed text frames every key and value with its length (no escaping,
 * so no copy of a large value is made), and the whole text is hashed in one
 * call: this runs for every event, and it used to cost more than the
 * JSON.parse of the event itself. Length framing is unambiguous; the text is
 * hashed as UTF-8, in which only lone surrogates would collide, and the API
 * never serves those (its JSON encoder replaces them with U+FFFD).
 */
import { hash } from 'node:crypto';
import type { K8sObject } from '../api/types.js';

/** A value with its length: `=LEN:TEXT` for a string, `~LEN:JSON` for anything else (the API sends only strings). */
function value(v: unknown): string {
  if (typeof v === 'string') return '=' + v.length + ':' + v;
  const text = JSON.stringify(v) ?? '';
  return '~' + text.length + ':' + text;
}

function framed(tag: string, rec: Record<string, string> | undefined): string {
  let s = tag;
  if (!rec) return s;
  const keys = Object.keys(rec);
  if (keys.length > 1) keys.sort();
  for (const k of keys) s += k.length + ':' + k + value(rec[k]);
  return s;
}

export function fingerprint(obj: K8sObject, selectorAnnotations: readonly string[]): string {
  let s = framed('d', obj.data) + framed('|b', obj.binaryData);
  if (selectorAnnotations.length > 0) {
    const ann = obj.metadata?.annotations ?? {};
    for (const a of selectorAnnotations) {
      const v = ann[a];
      s += '|a' + a.length + ':' + a + (v === undefined ? '-' : value(v));
    }
  }
  return hash('sha256', s, 'base64').slice(0, 22);
}
