/**
 * `cmwatch replay FILE|-`: feeds a recording through the same filters,
 * change detection, queue and handlers as a live watch, with no cluster,
 * then waits for all work (retries included) to finish.
 *
 * Exit status: 0 all handler runs succeeded; 5 a handler run finally failed
 * (given up after its retries); 2 malformed lines were skipped (and nothing
 * worse happened); 4 handlers had to be killed at shutdown; 1 the input
 * could not be read.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { HandlerEngine } from '../handlers/engine.js';
import { engineOptionsOf } from './handler-options.js';
import { labelsMatch } from '../api/label-match.js';
import { Pacer } from '../replay/pacer.js';
import { readRecording } from '../replay/recording.js';
import { ExitCode } from './exit-codes.js';
import { oneLine } from '../base/errors.js';
import { Logger } from '../ops/log.js';
import { ChangeDetector } from '../watch/change-detector.js';
import { keyOf } from '../api/types.js';
import { makeIntake } from './intake.js';
import type { ReplayConfig } from './replay-options.js';

export async function runReplay(cfg: ReplayConfig, signal: AbortSignal, stdin: Readable = process.stdin): Promise<number> {
  const log = new Logger({ level: cfg.logLevel, format: cfg.logFormat });
  const name = cfg.file === '-' ? 'stdin' : cfg.file;
  const engine = new HandlerEngine({
    ...engineOptionsOf(cfg),
    contract: { server: cfg.server, selectorAnnotations: cfg.selectorAnnotations },
    log,
  });
  engine.announce();
  const intake = makeIntake({ log, output: cfg.output, on: cfg.on, selectorAnnotations: cfg.selectorAnnotations, engine });
  const changes = new ChangeDetector({ contentAnnotations: cfg.selectorAnnotations, trigger: cfg.trigger, unknownKeys: 'trust' });
  const pacer = new Pacer(cfg.rate);
  const count = { events: 0, delivered: 0, filtered: 0, skipped: 0, malformed: 0 };

  const input: Readable = cfg.file === '-' ? stdin : createReadStream(cfg.file);
  const stopReading = () => input.destroy();
  signal.addEventListener('abort', stopReading, { once: true });
  log.info(`replaying ${name}${cfg.rate ? ` at ${cfg.rate} event(s)/s` : ''}`);

  let exitCode: number = ExitCode.Ok;
  try {
    for await (const rec of readRecording(input)) {
      if (signal.aborted) break;
      if ('error' in rec) {
        count.malformed++;
        log.error(`replay: ${name}:${rec.line}: ${rec.error}; line skipped`, { line: rec.line, reason: 'malformed' });
        continue;
      }
      if ('ignored' in rec) {
        log.debug(`replay: ${name}:${rec.line}: ${rec.ignored} ignored`, { line: rec.line });
        continue;
      }
      count.events++;
      await pacer.next(signal);
      if (signal.aborted) break;
      const { type, object } = rec.event;
      const ns = object.metadata?.namespace ?? '';
      if ((cfg.namespaces && !cfg.namespaces.has(ns)) || (cfg.labelSelector && !labelsMatch(cfg.labelSelector, object.metadata?.labels))) {
        count.filtered++;
        log.debug(`replay: ${name}:${rec.line}: ${type} ${keyOf(object)} filtered out`, { line: rec.line });
        continue;
      }
      const key = keyOf(object);
      if (type === 'SYNC') {
        changes.remember(key, object);
        count.delivered++;
        const wait = intake({ type, object, key, via: 'list' });
        if (wait) await wait;
        continue;
      }
      const d = changes.event(type, key, object);
      if ('skip' in d) {
        count.skipped++;
        log.debug(`replay: ${name}:${rec.line}: ${type} ${key} skipped: ${d.skip}`, { line: rec.line, reason: d.skip });
        continue;
      }
      count.delivered++;
      // With -o json and a full stdout, reading waits until it drains.
      const wait = intake({ type: d.deliver, object, key, via: 'watch' });
      if (wait) await wait;
    }
  } catch (err) {
    if (!signal.aborted) {
      log.error(`replay: cannot read ${name}: ${oneLine(err)}`);
      exitCode = ExitCode.Failure;
    }
  } finally {
    signal.removeEventListener('abort', stopReading);
  }

  if (!signal.aborted) {
    if (engine.stats.added > 0) log.info(`replay: end of ${name}; waiting for handlers to finish (retries included)`);
    await Promise.race([
      engine.settled(),
      new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
    ]);
  }
  const down = await engine.shutdown(cfg.shutdownGraceMs);
  const s = engine.stats;
  log.info(
    `replay: ${count.events} event(s) read, ${count.delivered} delivered, ${count.skipped} unchanged or duplicate, ${count.filtered} filtered out; ` +
    `${s.runs} handler run(s), ${s.ok} ok, ${s.givenUp} given up` +
    (count.malformed ? `; ${count.malformed} malformed line(s) skipped` : ''),
  );
  if (down.killed.length > 0) return ExitCode.HandlersKilled;
  if (exitCode !== ExitCode.Ok) return exitCode;
  if (s.givenUp > 0) return ExitCode.HandlerFailed;
  if (count.malformed > 0) return ExitCode.Usage;
  return ExitCode.Ok;
}
