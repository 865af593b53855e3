/**
 * The content function of a resource with cmwatch's finalizer:
 * - an object that starts being deleted (a deletionTimestamp appears) is a
 *   change even when its content is not (a ConfigMap's data, a CR's
 *   generation may stay the same), so its FINALIZE is delivered under
 *   --trigger content: the text of a deleting object is the content's own
 *   behind a tag no content function uses;
 * - cmwatch's own finalizer is not content (for resources whose content is
 *   the whole object), so adding or removing it triggers nothing.
 */
import type { K8sObject } from '../api/types.js';
import type { ContentFunction } from './content.js';

export function withDeletion(content: ContentFunction, ownFinalizer?: string): ContentFunction {
  return (obj) => {
    const text = content(ownFinalizer === undefined ? obj : withoutFinalizer(obj, ownFinalizer));
    const t = obj.metadata?.deletionTimestamp;
    return typeof t === 'string' && t !== '' ? `X|${text}` : text;
  };
}

function withoutFinalizer(obj: K8sObject, name: string): K8sObject {
  const f = obj.metadata?.finalizers;
  if (!Array.isArray(f) || !f.includes(name)) return obj;
  const rest = f.filter((x) => x !== name);
  return { ...obj, metadata: { ...obj.metadata, finalizers: rest.length > 0 ? rest : undefined } };
}
