/**
 * Resource version ordering (KEP-5504, stable since Kubernetes 1.35; client-go's
 * CompareResourceVersion in k8s.io/apimachinery/pkg/util/resourceversion).
 *
 * The resource versions of one resource are comparable when both are positive
 * decimal integers written without leading zeros ("0" is not one: it is a
 * special value of list and watch requests, never a live version). They are
 * compared as integers of any length: by length first, then digit by digit,
 * so no precision is lost to Number. Anything else (an empty string, "0",
 * "007", "abc", a version from an API server that does not follow the KEP) is
 * not comparable: callers fall back to equality, as resource versions were
 * opaque before.
 */

/** -1: a is older; 0: the same; 1: a is newer; undefined: not comparable. */
export type ResourceVersionOrder = -1 | 0 | 1 | undefined;

/** A positive decimal integer with no leading zero. */
export function isComparableResourceVersion(rv: unknown): rv is string {
  if (typeof rv !== 'string' || rv.length === 0) return false;
  const first = rv.charCodeAt(0);
  if (first < 0x31 || first > 0x39) return false; // 1-9
  for (let i = 1; i < rv.length; i++) {
    const c = rv.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

export function compareResourceVersion(a: unknown, b: unknown): ResourceVersionOrder {
  if (!isComparableResourceVersion(a) || !isComparableResourceVersion(b)) return undefined;
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  // Same length, digits only: string order is numeric order.
  return a < b ? -1 : 1;
}

/** True only when both are comparable and `a` is strictly older than `b`. */
export function isOlderResourceVersion(a: unknown, b: unknown): boolean {
  return compareResourceVersion(a, b) === -1;
}
