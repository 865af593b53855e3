/**
 * The command line: parses, validates, wires the root AbortController to
 * SIGINT/SIGTERM, runs the command and maps errors to exit codes.
 */
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { CmwatchError, oneLine } from '../util/errors.js';
import { ExitCode } from '../util/exit-codes.js';
import { addWatchOptions, buildConfig, type RawWatchFlags } from './options.js';
import { watchStdout } from './stdout.js';

const EXAMPLES = `
Examples:
  # The book's controller, through a kubectl proxy on localhost:8001
  cmwatch -n default --action delete-pods

  # Preview what would be deleted
  cmwatch --action delete-pods --dry-run

  # Run a bash handler for every change (event JSON on stdin, CMWATCH_* env)
  cmwatch -n web --exec ./examples/handlers/log-event.sh --on ADDED,MODIFIED,DELETED

  # Print events as NDJSON for jq
  cmwatch -A -o json | jq -c '{type, name: .object.metadata.name}'

Exit codes: 0 ok or clean shutdown, 1 failure, 2 usage error,
            3 API refused with --exit-on-error, 4 handlers killed at shutdown.
`;

function version(): string {
  const require = createRequire(import.meta.url);
  return (require('../../../package.json') as { version: string }).version;
}

export function buildProgram(run: (cmd: string, cfg: unknown) => Promise<number>): Command {
  const program = new Command('cmwatch');
  program
    .description('Watch Kubernetes ConfigMaps and act on changes: run handlers, or restart the pods that use them.')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: () => {} });

  const watch = (cmd: Command) =>
    addWatchOptions(cmd)
      .addOption(new Option('-o, --output <format>', 'also print each event on stdout: json (NDJSON) or text').default('text'))
      .option('--exec <cmd>', 'run this handler for each event (repeatable; split without a shell)', (v: string, p: string[] = []) => [...p, v])
      .option('--on <types>', 'event types that run handlers: comma list of SYNC, ADDED, MODIFIED, DELETED', 'MODIFIED')
      .option('--action <name>', 'built-in action: delete-pods (the book\'s controller)')
      .option('--selector-annotation <key>', 'annotation holding the pod selector (default k8spatterns.io/podDeleteSelector and k8spatterns.com/podDeleteSelector)')
      .option('--dry-run', 'with --action delete-pods: log what would be deleted, delete nothing')
      .option('--concurrency <n>', 'handler runs at once across keys', '4')
      .option('--no-coalesce', 'deliver every event per key in order instead of coalescing to the latest')
      .option('--max-retries <n>', 'retries of a failing handler before giving up on that change', '5')
      .option('--timeout <duration>', 'per handler run, e.g. 500ms, 30s, 5m', '60s')
      .option('--kill-grace <duration>', 'between SIGTERM and SIGKILL for a handler', '5s')
      .option('--shutdown-grace <duration>', 'how long running handlers may finish after SIGTERM/SIGINT', '30s')
      .addHelpText('after', EXAMPLES)
      .action(async (flags: RawWatchFlags) => {
        const cfg = buildConfig(flags);
        process.exitCode = await run('watch', cfg);
      });

  watch(program);
  watch(program.command('watch').description('watch ConfigMaps and run handlers (the default command)'));
  return program;
}

function usageLine(err: CommanderError): string {
  const msg = err.message.replace(/^error:\s*/i, '').replace(/\n+/g, ' ').trim();
  return `cmwatch: ${msg} (hint: see cmwatch --help)`;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const root = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`received ${sig}, shutting down\n`);
      root.abort();
    } else {
      process.stderr.write(`received ${sig} again, exiting now\n`);
      process.exit(ExitCode.HandlersKilled);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  watchStdout(() => root.abort());

  const program = buildProgram(async (cmd, cfg) => {
    const { runWatch } = await import('./run-watch.js');
    return runWatch(cfg as Parameters<typeof runWatch>[0], root.signal);
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        process.exitCode = ExitCode.Ok;
      } else {
        process.stderr.write(usageLine(err) + '\n');
        process.exitCode = ExitCode.Usage;
      }
    } else if (err instanceof CmwatchError) {
      process.stderr.write(`cmwatch: ${oneLine(err)}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`cmwatch: unexpected error: ${oneLine(err)}\n`);
      process.exitCode = ExitCode.Failure;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
