/**
 * For a resource with cmwatch's finalizer: an object that starts being
 * deleted (a deletionTimestamp appears) is a change even when its content
 * is not (a ConfigMap's data, a CR's generation may stay the same), so its
 * FINALIZE is delivered under --trigger content. The text of a deleting
 * object is the content's own behind a tag no content function uses.
 */
import type { ContentFunction } from './content.js';

export function withDeletion(content: ContentFunction): ContentFunction {
  return (obj) => {
    const t = obj.metadata?.deletionTimestamp;
    return typeof t === 'string' && t !== '' ? `X|${content(obj)}` : content(obj);
  };
}
