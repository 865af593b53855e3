/**
 * `cmwatch events`: the book's `curl -N …?watch=true` loop done right. One
 * event per line on stdout in the API's {"type","object"} shape, with the
 * reflector's resume, relist and dedupe; logs on stderr. It exits 0 when
 * stdout closes (the reader of the pipe went away) and never prints a stack
 * trace.
 */
import { RAISE_REQUEST_TIMEOUT } from './connection-hints.js';
import { KubeClient } from '../kube/client.js';
import { oneLine } from '../base/errors.js';
import { ExitCode } from './exit-codes.js';
import { Logger } from '../ops/log.js';
import type { Delivery } from '../watch/reflector.js';
import type { EventsConfig } from './events-options.js';
import { runReflectors } from './reflectors.js';
import { watchTargets } from './watch-targets.js';
import { connect } from './connect.js';
import { stdoutClosed, writeStdout } from './stdout.js';
import { objectSummary } from '../api/object-summary.js';
import { makeEventPrinter } from './event-printer.js';

export async function runEvents(cfg: EventsConfig, signal: AbortSignal): Promise<number> {
  const log = new Logger({ level: cfg.logLevel, format: cfg.logFormat });
  // Before connecting: a template the JSONPath library rejects is a usage error.
  const print = await makeEventPrinter(cfg.output);
  const crash = (err: unknown) => {
    process.stderr.write(`cmwatch: unexpected error: ${oneLine(err)}\n`);
    process.exit(ExitCode.Failure);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  let connected;
  try {
    connected = await connect(cfg, log);
  } catch (err) {
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    throw err;
  }
  const { conn, namespaces } = connected;
  const client = new KubeClient(conn, { requestTimeoutMs: cfg.requestTimeoutMs, raiseTimeoutHint: RAISE_REQUEST_TIMEOUT });
  log.info(`${connected.summary}; printing ${[...cfg.on].join(',')} events of ${connected.where}`);

  const onEvent = (d: Delivery) => {
    if (!cfg.on.has(d.type) || stdoutClosed()) return;
    log.debug(`${d.type} ${objectSummary(d.object)}`, { via: d.via });
    // A promise when stdout is full: the reflector waits for it before reading on.
    const text = print({ type: d.type, object: d.object });
    return text ? writeStdout(text) : undefined;
  };
  try {
    const watched = await watchTargets(cfg, client, log, signal);
    return watched ? await runReflectors({ ...cfg, namespaces }, watched, client, log, signal, onEvent) : ExitCode.Ok;
  } finally {
    await conn.close().catch(() => {});
    if (stdoutClosed()) log.debug('stdout closed; stopped');
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
  }
}
