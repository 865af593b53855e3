/**
 * Change detection: a ConfigMap's "content" is its data, binaryData and the
 * selector annotation. Only a hash of those is remembered per key, never the
 * object, so memory stays flat with many ConfigMaps.
 */
import { createHash } from 'node:crypto';
import type { K8sObject } from './types.js';

function canonical(rec: Record<string, string> | undefined): string {
  if (!rec) return '';
  const keys = Object.keys(rec).sort();
  let s = '';
  for (const k of keys) s += JSON.stringify(k) + ':' + JSON.stringify(rec[k]) + ',';
  return s;
}

export function fingerprint(obj: K8sObject, selectorAnnotations: readonly string[]): string {
  const h = createHash('sha256');
  h.update('d{' + canonical(obj.data) + '}');
  h.update('b{' + canonical(obj.binaryData) + '}');
  const ann = obj.metadata?.annotations ?? {};
  for (const a of selectorAnnotations) h.update(`a{${a}=${ann[a] === undefined ? '\u0000' : JSON.stringify(ann[a])}}`);
  return h.digest('base64').slice(0, 22);
}
