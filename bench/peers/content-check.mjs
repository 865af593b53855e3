// cmwatch's own content check, for the floor and informer peers (issue #18):
// its content text of a ConfigMap (with the default selector annotations)
// and the SHA-256 fingerprint of that text, loaded from dist/src: the same
// functions cmwatch runs, not a copy. Plain JavaScript, as the peers are.
const root = new URL('../../', import.meta.url);
const load = (path) => import(new URL(path, root).href);

/**
 * { hashOf(obj): the fingerprint of a ConfigMap's content, digestOf(obj): the whole digest cmwatch's change
 * detector keeps per key, selectorAnnotation: the annotation cmwatch logs }
 */
export async function contentCheck() {
  const [{ configMapContent }, { fingerprint, contentDigest }, { DEFAULT_SELECTOR_ANNOTATIONS }] = await Promise.all([
    load('dist/src/watch/content.js'),
    load('dist/src/watch/fingerprint.js'),
    load('dist/src/api/selector-annotation.js'),
  ]);
  const content = configMapContent(DEFAULT_SELECTOR_ANNOTATIONS);
  return { hashOf: (obj) => fingerprint(content(obj)), digestOf: (obj) => contentDigest(content(obj)), selectorAnnotation: DEFAULT_SELECTOR_ANNOTATIONS[0] };
}
