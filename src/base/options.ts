/**
 * Options merged with their defaults in one way everywhere: a key given as
 * `undefined` never overrides a default (`{ maxRetries: undefined }` means
 * "the default", not "no limit").
 */

/** The options that were given: keys whose value is undefined are left out. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `defaults` overridden by every option of `given` that is not undefined. */
export function withDefaults<D extends object, G extends object>(defaults: D, given: G): D & G {
  return { ...defaults, ...definedOnly(given) } as D & G;
}
