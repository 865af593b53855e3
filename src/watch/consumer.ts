/**
 * Backpressure from the consumer of deliveries (ReflectorOptions.onEvent).
 * An onEvent that returns a promise is waited for before the reflector takes
 * the next item: the watch stream is then not read, so undici stops reading
 * the socket, the TCP window closes and the API server holds its events. A
 * consumer that returns nothing costs no await at all.
 *
 * The wait ends early when the root signal aborts, so a consumer that never
 * resolves (a pipe nobody reads) cannot hold SIGTERM.
 */

/** The promise onEvent returned, if it returned one (a thenable); else undefined. */
export function pending(result: unknown): PromiseLike<void> | undefined {
  return result !== undefined && result !== null && typeof (result as PromiseLike<void>).then === 'function'
    ? (result as PromiseLike<void>)
    : undefined;
}

/**
 * Resolves when `p` resolves or `signal` aborts, whichever comes first;
 * rejects if `p` rejects first (a consumer that failed, as a throw would).
 */
export function settledOrAborted(p: PromiseLike<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
