/**
 * What a command that keeps running or lists a whole resource gets before it
 * starts (watch, events, replay, finalizers remove): V8's settings for a small
 * sidecar (ops/v8-defaults.ts) and the idle collection (ops/idle-gc.ts). Loaded only then: node:v8 alone took
 * 3–4 ms to load, a tenth of what `cmwatch --help` spends above `node -e 0`
 * (issue #18, cold start), and a command that prints and exits (help,
 * completion, version, doctor) gains nothing from either.
 *
 * Set here, after the command line is parsed and before the first request:
 * the two young-generation scavenges of start-up have passed by then and the
 * young generation is still at its first size (checked: 2 MiB of new space
 * either way).
 */
export const LONG_RUNNING: ReadonlySet<string> = new Set(['watch', 'events', 'replay', 'finalizers-remove']);

export async function prepareLongRunning(cmd: string, signal: AbortSignal): Promise<void> {
  if (!LONG_RUNNING.has(cmd)) return;
  const [{ applyV8Defaults }, { startIdleCollection }] = await Promise.all([import('../ops/v8-defaults.js'), import('../ops/idle-gc.js')]);
  applyV8Defaults();
  // A quiet process gives back what its last burst left.
  startIdleCollection(signal);
}
