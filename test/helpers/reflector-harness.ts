/**
 * A Reflector over a ScriptedSource with a fake clock and a sleep that
 * records the delays it chose (no test waits for a backoff or asserts a
 * timing), collecting deliveries and log lines.
 */
import { Reflector, type Delivery, type ReflectorOptions } from '../../src/watch/reflector.js';
import { configMapContent } from '../../src/watch/content.js';
import { Backoff } from '../../src/base/backoff.js';
import { Logger } from '../../src/ops/log.js';
import type { ScriptedSource } from './scripted-source.js';

export function harness(src: ScriptedSource, opts: Partial<ReflectorOptions> = {}) {
  const ac = new AbortController();
  const delivered: Delivery[] = [];
  const delays: number[] = [];
  const logs: string[] = [];
  const clock = { t: 1_000_000 };
  const log = new Logger({ level: 'debug', color: false, write: (l) => logs.push(l) });
  const r = new Reflector({
    source: src, log, signal: ac.signal, onEvent: (d) => delivered.push(d), content: configMapContent([]),
    now: () => clock.t,
    sleep: async (ms) => {
      delays.push(ms);
      clock.t += ms;
    },
    backoff: new Backoff({ now: () => clock.t, random: () => 0 }),
    ...opts,
  });
  return {
    r, delivered, delays, logs, ac, clock,
    /** Runs until the script is used up, then stops the reflector. */
    async run(): Promise<void> {
      const p = r.run();
      await Promise.race([src.exhausted, p]);
      ac.abort();
      await p;
    },
    seen: () => delivered.map((d) => `${d.type} ${d.key} ${d.object.data?.v ?? '-'}`),
  };
}
