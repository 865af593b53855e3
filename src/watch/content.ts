/**
 * Content functions: what counts as a change of an object. The reflector and
 * replay remember a hash of what the function returns (fingerprint.ts), and
 * under trigger "content" a new resource version with the same content is
 * not delivered. The text must frame its parts unambiguously (use
 * framedRecord/framedValue, or canonical.ts), and each function's text starts
 * with its own tag (`d`, `g`, `o`, `p`), so two functions never share a text.
 *
 * contentFor chooses the default for a resource; contentPaths
 * (content-paths.ts) replaces it with the fields the user names.
 */
import { framedRecord, framedValue } from './framed-text.js';
import { defaultObjectContent } from './content-object.js';
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

/** The resource being watched, as discovery names it (group "" is the core group). */
export interface ContentResource {
  group: string;
  resource: string;
  kind: string;
}

export interface ContentForOptions {
  /** The selector annotations (a changed selector is a change of a ConfigMap or Secret). */
  selectorAnnotations?: readonly string[];
}

/**
 * The default content function of a resource: ConfigMaps and Secrets (core
 * group) → their data, binaryData and selector annotations; any other
 * resource → per object, its generation, labels and annotations when it has
 * a `metadata.generation`, else the whole object minus status and the
 * server's bookkeeping (content-object.ts). Whether an object has a
 * generation is a property of the object, so it is decided per object.
 */
export function contentFor(r: ContentResource, o: ContentForOptions = {}): ContentFunction {
  if (r.group === '' && (r.resource === 'configmaps' || r.resource === 'secrets')) {
    return configMapContent(o.selectorAnnotations ?? []);
  }
  return defaultObjectContent;
}
