/**
 * `cmwatch replay FILE|-`: composes a Player (replay/player.ts), which feeds
 * a recording to the delivery stage the reflector uses, and the same intake,
 * queue and handlers as a live watch, with no cluster,
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
import { Player } from '../replay/player.js';
import { ExitCode } from './exit-codes.js';
import { oneLine } from '../base/errors.js';
import { Logger } from '../ops/log.js';
import { contentFor } from '../watch/content.js';
import { contentPaths } from '../watch/content-paths.js';
import type { Delivery } from '../watch/delivery.js';
import { makeIntake } from './intake.js';
import { makeEventPrinter } from './event-printer.js';
import type { ReplayConfig } from './replay-options.js';
import { PrintWriteBack } from '../handlers/write-back/print-sink.js';
import { writeStdout } from './stdout.js';

export async function runReplay(cfg: ReplayConfig, signal: AbortSignal, stdin: Readable = process.stdin): Promise<number> {
  const log = new Logger({ level: cfg.logLevel, format: cfg.logFormat });
  const name = cfg.file === '-' ? 'stdin' : cfg.file;
  const engine = new HandlerEngine({
    ...engineOptionsOf(cfg),
    contract: { server: cfg.server, selectorAnnotations: cfg.selectorAnnotations },
    log,
    // No cluster: the operations handlers ask for are printed on stdout, not applied.
    writeBack: new PrintWriteBack(writeStdout, log),
  });
  engine.announce();
  // As a watch of --resource would: its default content function (or --content's), and its name for handlers.
  const dot = cfg.resource.indexOf('.');
  const resource = dot < 0 ? { group: '', resource: cfg.resource } : { group: cfg.resource.slice(dot + 1), resource: cfg.resource.slice(0, dot) };
  const content = cfg.contentPaths === undefined
    ? contentFor({ ...resource, kind: '' }, { selectorAnnotations: cfg.selectorAnnotations })
    : contentPaths(cfg.contentPaths);
  const intake = makeIntake({ log, print: await makeEventPrinter(cfg.output), on: cfg.on, selectorAnnotations: cfg.selectorAnnotations, engine });
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const player = new Player({
    input: cfg.file === '-' ? stdin : createReadStream(cfg.file), name, log, signal,
    content, trigger: cfg.trigger, rate: cfg.rate,
    namespaces: cfg.namespaces, labelSelector: cfg.labelSelector,
    onEvent: (d: Delivery) => intake({ ...d, resource: { name: cfg.resource, kind: str(d.object.kind), apiVersion: str(d.object.apiVersion) } }),
  });
  log.info(`replaying ${name}${cfg.rate ? ` at ${cfg.rate} event(s)/s` : ''}`);

  let exitCode: number = ExitCode.Ok;
  try {
    await player.run();
  } catch (err) {
    if (!signal.aborted) {
      log.error(`replay: cannot read ${name}: ${oneLine(err)}`);
      exitCode = ExitCode.Failure;
    }
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
  const count = player.stats;
  const { events: delivered, skipped } = player.deliveries;
  log.info(
    `replay: ${count.events} event(s) read, ${delivered} delivered, ${sum(skipped)} unchanged or duplicate, ${count.filtered} filtered out; ` +
    `${s.runs} handler run(s), ${s.ok} ok, ${s.givenUp} given up` +
    (count.malformed ? `; ${count.malformed} malformed line(s) skipped` : ''),
  );
  if (down.killed.length > 0) return ExitCode.HandlersKilled;
  if (exitCode !== ExitCode.Ok) return exitCode;
  if (s.givenUp > 0) return ExitCode.HandlerFailed;
  if (count.malformed > 0) return ExitCode.Usage;
  return ExitCode.Ok;
}

function sum(r: Record<string, number>): number {
  return Object.values(r).reduce((a, b) => a + b, 0);
}
