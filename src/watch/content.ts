/**
 * Content functions: what counts as a change of an object. The reflector and
 * replay remember a hash of what the function returns (fingerprint.ts), and
 * under trigger "content" a new resource version with the same content is
 * not delivered. The text must frame its parts unambiguously (use
 * framedRecord/framedValue).
 */
import { framedRecord, framedValue } from './fingerprint.js';
import type { K8sObject } from '../api/types.js';

/** An object → the text whose hash decides whether it changed. */
export type ContentFunction = (obj: K8sObject) => string;

/**
 * ConfigMap (and Secret) content: data, binaryData and the given annotations
 * (the selector annotations: a changed selector is a change). The text is the
 * one cmwatch has always hashed, so fingerprints are unchanged.
 */
export function configMapContent(annotations: readonly string[]): ContentFunction {
  const names = [...annotations];
  return (obj) => {
    let s = framedRecord('d', obj.data) + framedRecord('|b', obj.binaryData);
    if (names.length > 0) {
      const ann = obj.metadata?.annotations ?? {};
      for (const a of names) {
        const v = ann[a];
        s += '|a' + a.length + ':' + a + (v === undefined ? '-' : framedValue(v));
      }
    }
    return s;
  };
}
