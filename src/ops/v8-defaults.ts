/**
 * V8 settings for a small sidecar, set when a command that keeps running
 * starts (cli/long-running.ts: watch, events, replay, finalizers remove), so that they hold
 * however cmwatch is started (the npm bin, `node bin/cmwatch.js`, the
 * container image, the kubectl plugin) with no flag to know. Measured for issue #18
 * (Node 20, the bench server's 200,000 events of 1 KiB, and 10,000
 * ConfigMaps on the real control plane; numbers in bench/results/):
 *
 * - `--semi-space-growth-factor=1`: the young generation stays at its first
 *   size (1 MiB per semi-space) instead of growing to 16 MiB under a fast
 *   stream: about 35 MiB less peak RSS, and no slower (it was faster in
 *   the same runs: the live set per event is small).
 * - `--heap-growing-percent=50`: the old generation's next limit is 1.5× the
 *   live heap after a full collection, not up to 4×: promoted garbage (a list
 *   page) is collected before the heap commits much more memory.
 * - `--liftoff-only`: undici's HTTP parser (llhttp, WebAssembly) stays in
 *   V8's baseline compiler; optimising it later took about 35 MiB for a
 *   moment, a peak of 100 MiB in a process otherwise at 65.
 * - `--gc-memory-reducer-start-delay-ms=1000`: after a full collection, V8's
 *   memory reducer waits 1 s, not 8, before it checks whether the process
 *   has gone quiet and gives memory back (compacting, shrinking the young
 *   generation). With the idle collection as it was then (an ordinary full
 *   collection; ops/idle-gc.ts now runs a thorough one), 10,000 ConfigMaps
 *   listed and 5,000 updates: 61.5 MiB RSS some 20 s after the burst,
 *   against 66.7 still after 30 s with V8's 8 s; no peak higher.
 *
 * A setting the user gave node (on its command line or in NODE_OPTIONS) is
 * left as given. These are V8's own flags, read when they apply (a collection,
 * a WebAssembly compile, the memory reducer's next step), so setting them at run time takes effect; the
 * young generation's maximum (`--max-semi-space-size`) would not.
 */
import { setFlagsFromString } from 'node:v8';

/** Each setting, and the flag names that mean the user chose it. */
const DEFAULTS: ReadonlyArray<{ flag: string; overriddenBy: readonly string[] }> = [
  { flag: '--semi-space-growth-factor=1', overriddenBy: ['--semi-space-growth-factor', '--max-semi-space-size', '--min-semi-space-size', '--semi-space-size'] },
  { flag: '--heap-growing-percent=50', overriddenBy: ['--heap-growing-percent'] },
  { flag: '--liftoff-only', overriddenBy: ['--liftoff', '--no-liftoff', '--liftoff-only', '--wasm-tier-up', '--no-wasm-tier-up'] },
  { flag: '--gc-memory-reducer-start-delay-ms=1000', overriddenBy: ['--gc-memory-reducer-start-delay-ms', '--memory-reducer', '--no-memory-reducer'] },
];

/** The names of the options given to node, `--max-semi-space-size` for `--max_semi_space_size=2`. */
export function givenNames(execArgv: readonly string[] = process.execArgv, nodeOptions: string | undefined = process.env.NODE_OPTIONS): Set<string> {
  const names = new Set<string>();
  for (const a of [...execArgv, ...(nodeOptions ?? '').split(/\s+/)]) {
    if (a.startsWith('--')) names.add(a.split('=')[0]!.replace(/_/g, '-'));
  }
  return names;
}

/** The flags to set: the defaults the user did not choose otherwise. */
export function v8Defaults(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS): string[] {
  const given = givenNames(execArgv, nodeOptions);
  return DEFAULTS.filter((d) => !d.overriddenBy.some((n) => given.has(n))).map((d) => d.flag);
}

/** Sets them; called by cli/long-running.ts before the command's modules load. */
export function applyV8Defaults(): void {
  for (const f of v8Defaults()) setFlagsFromString(f);
}
