/**
 * The command line: parses, validates, wires the root AbortController to
 * SIGINT/SIGTERM, runs the command and maps errors to exit codes (through
 * the one table, exit-codes.ts).
 */
import { Command, CommanderError, Option } from 'commander';
import { CmwatchError, oneLine } from '../base/errors.js';
import { ownVersion } from '../base/own-package.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { flushLogs, Logger, type Fields, type LogLevel } from '../ops/log.js';
import { addWatchOptions, buildConfig, type RawWatchFlags } from './options.js';
import { addEventsOptions, buildEventsConfig, EVENTS_HELP, type RawEventsFlags } from './events-options.js';
import { addHandlerOptions, execSpec } from './handler-options.js';
import { addObserveOptions } from './observe-options.js';
import { addLeaderOptions } from './leader-options.js';
import { addOperatorOptions } from './operator-options.js';
import { addFinalizersRemoveOptions, buildFinalizersRemoveConfig, FINALIZERS_REMOVE_HELP, type RawFinalizersRemoveFlags } from './finalizers-options.js';
import { addStateOptions } from './state-options.js';
import { addRestartOptions } from './restart-options.js';
import { addReplayArgument, addReplayOptions, buildReplayConfig, type RawReplayFlags } from './replay-options.js';
import { stdoutPending, watchStdout } from './stdout.js';
import { OUTPUT_HELP } from './output-format.js';
import { tagCommandErrors, usageLine } from './usage-line.js';
import { groupHelp, shortRootHelp } from './help-groups.js';
import { hoistGlobalFlags } from './global-flags.js';
import { addCompletionCommands } from './completion-options.js';
import { addVersionOptions, buildVersionConfig, VERSION_HELP, type RawVersionFlags } from './version-options.js';
import { actionHelp, dryRunActionNames } from '../handlers/actions/registry.js';
import { prepareLongRunning } from './long-running.js';
import { rootHelpOnly } from './entry.js';

const EXAMPLES = `
Examples:
  # The book's controller, as the current kubeconfig context (else in-cluster,
  # else through a kubectl proxy on localhost:8001)
  cmwatch -n default --action delete-pods

  # Another context; handlers reach the API through cmwatch's own proxy
  cmwatch --context staging --action delete-pods --handler-proxy --exec ./h.sh

  # Preview what would be deleted
  cmwatch --action delete-pods --dry-run

  # An operator in bash: the handler writes status, children and Events as
  # JSON lines to $CMWATCH_OUTPUT; --dry-run sends them with dryRun=All
  cmwatch cw --exec ./reconcile.sh --dry-run

  # Run a bash handler for every change (event JSON on stdin, CMWATCH_* env)
  cmwatch -n web --exec ./examples/handlers/log-event.sh --on ADDED,MODIFIED,DELETED

  # Print events as NDJSON for jq
  cmwatch -A -o json | jq -c '{type, name: .object.metadata.name}'

  # Develop a handler on a laptop: record real events, replay them, no cluster
  cmwatch events -n web --on SYNC,ADDED,MODIFIED,DELETED > events.ndjson
  cmwatch replay events.ndjson --exec ./my-handler.sh

Exit codes: 0 ok or clean shutdown, 1 failure, 2 usage error (replay: also
            malformed lines skipped), 3 API refused with --exit-on-error,
            4 handlers killed at shutdown, 5 replay: a handler finally failed.
`;

const DOCTOR_HELP = `
Takes the flags of watch and checks, one line each (✓ or ✗ with a hint):
the connection and where it came from, the API server answering, each
RESOURCE, that each namespace exists, RBAC for every verb the mode needs
(SelfSubjectAccessReview: list/watch, and what --action, --leader-elect,
--state, --snapshot, --finalizer add), that each --exec handler exists and
is executable, and that jq and curl are on PATH when a handler uses them.

  cmwatch doctor -n default --action delete-pods
  cmwatch doctor cw --exec ./reconcile.sh --leader-elect

Exit codes: 0 every check passed, 1 a check failed, 2 usage error.
`;

/** After the root's short help (help-groups.ts shortRootHelp). */
const ROOT_HELP = `
Without a command, cmwatch runs watch: cmwatch [RESOURCE...] [options] is
cmwatch watch [RESOURCE...] [options]. Its options, grouped (connection,
what to watch, handlers, actions, output, operations): cmwatch watch --help.

Examples:
  cmwatch -n default --action delete-pods            # the book's controller
  cmwatch -n web --exec ./examples/handlers/log-event.sh
  cmwatch events -A -o jsonpath='{.metadata.name}{"\\n"}'
  cmwatch replay events.ndjson --exec ./my-handler.sh
  cmwatch version

Exit codes: 0 ok or clean shutdown, 1 failure, 2 usage error, 3 API refused
            with --exit-on-error, 4 handlers killed at shutdown, 5 replay: a
            handler finally failed. See cmwatch COMMAND --help.
`;

const REPLAY_HELP = `
Each line is one event, {"type":…,"object":…}, type SYNC, ADDED, MODIFIED or
DELETED, as \`cmwatch -o json\` prints them. A malformed line is reported with
its line number and skipped. Replay waits for every handler run, retries
included, before it exits. What handlers write to CMWATCH_OUTPUT is checked
as live and printed on stdout, one JSON line per operation
({"handler","key","line","op","target","body"}); nothing is applied.

Exit codes: 0 every handler run succeeded, 2 usage error or malformed lines
            skipped, 4 handlers killed at shutdown, 5 a handler finally failed
            (after its retries), 1 the file could not be read.
`;

export interface BuildOptions {
  /**
   * false: the root gets its argument and help text but not watch's options (for rootHelpOnly
   * arguments: the root's help shows none of them, and they are a third of what `--help` builds).
   */
  rootOptions?: boolean;
}

/** `name`: how the help's usage line calls the program (`kubectl cmwatch` for the kubectl plugin). */
export function buildProgram(run: (cmd: string, cfg: unknown) => Promise<number>, name = 'cmwatch', o: BuildOptions = {}): Command {
  const program = new Command('cmwatch');
  if (name !== 'cmwatch') program.usage(`[options] [command] [resource...]`).name(name);
  program
    .description('Watch Kubernetes resources (ConfigMaps by default, any resource or CRD by its kubectl name) and act on changes: run handlers, or restart the pods they select.')
    .version(ownVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: () => {} });

  // `cmwatch --help` alone (rootOptions false) lists the commands, not their
  // options: each gets one hidden stand-in, which is all the list shows of
  // them (commander's "[options]"), instead of the 20 to 60 options that took
  // most of the 12 ms buildProgram spent (issue #18, cold start).
  const lean = o.rootOptions === false;
  const options = (cmd: Command, add: (c: Command) => Command): Command => (lean ? cmd.addOption(new Option('--options').hideHelp()) : add(cmd));
  const watchArgument = (cmd: Command, after: string) =>
    cmd
      .argument('[resource...]', 'what to watch, named as kubectl names it: configmaps, cm, svc, deployments.apps, cw, configwatchers.k8spatterns.com (default configmaps)')
      .addHelpText('after', after);
  const watchOptions = (cmd: Command, after: string) =>
    watchArgument(options(cmd, (c) => addRestartOptions(addStateOptions(addOperatorOptions(addLeaderOptions(addObserveOptions(addHandlerOptions(addWatchOptions(c)))))))
      .addOption(new Option('-o, --output <format>', `also print each event on stdout: ${OUTPUT_HELP}; default: nothing on stdout`))
      .option('--action <name>', `built-in action: ${actionHelp()}`)
      .option('--selector-annotation <key>', 'annotation holding the pod selector (default k8spatterns.io/podDeleteSelector and k8spatterns.com/podDeleteSelector)')
      .option('--dry-run', `with --action ${dryRunActionNames().join(' or ')}: log what would be done, do nothing; with handlers: send their write-back (CMWATCH_OUTPUT) with dryRun=All, nothing persists`)
      .option('--field-manager <name>', 'fieldManager of the server-side applies handlers ask for through CMWATCH_OUTPUT', 'cmwatch')
      .option('--handler-proxy', 'give handlers cmwatch\'s own authenticating proxy on 127.0.0.1 as CMWATCH_SERVER (for curl without credentials)')), after);
  const watchAction = (cmd: Command) =>
    cmd.action(async (resources: string[], flags: RawWatchFlags, command: Command) => {
      const cfg = buildConfig({ ...flags, onGiven: command.getOptionValueSource('on') === 'cli' }, process.env, resources);
      process.exitCode = await run('watch', cfg);
    });
  const watch = (cmd: Command, after = EXAMPLES) => watchAction(watchOptions(cmd, after));

  // With its action (commander lists a help command for a root without one), never run with --help.
  if (lean) watchAction(watchArgument(program, ROOT_HELP));
  else watch(program, ROOT_HELP);
  watch(program.command('watch').description('watch resources and run handlers (the default command)'));
  options(program.command('events').description('print events on stdout, one JSON line each, with resume, relist and dedupe'), addEventsOptions)
    .argument('[resource...]', 'what to watch, named as kubectl names it (default configmaps)')
    .addHelpText('after', EVENTS_HELP)
    .action(async (resources: string[], flags: RawEventsFlags) => {
      const cfg = buildEventsConfig(flags, process.env, resources);
      process.exitCode = await run('events', cfg);
    });
  const finalizers = program.command('finalizers').description('manage the finalizers cmwatch --finalizer adds');
  addFinalizersRemoveOptions(finalizers.command('remove').description('remove finalizer NAME from every object of RESOURCE (the escape hatch after uninstalling an operator)'))
    .addHelpText('after', FINALIZERS_REMOVE_HELP)
    .action(async (name: string, resource: string | undefined, flags: RawFinalizersRemoveFlags) => {
      const cfg = buildFinalizersRemoveConfig(name, resource, flags, process.env);
      process.exitCode = await run('finalizers-remove', cfg);
    });
  options(
    addReplayArgument(program.command('replay').description('feed recorded events through the filters, change detection, queue and handlers, with no cluster')),
    addReplayOptions,
  )
    .addHelpText('after', REPLAY_HELP)
    .action(async (file: string, flags: RawReplayFlags) => {
      const cfg = buildReplayConfig(file, flags);
      process.exitCode = await run('replay', cfg);
    });
  options(program.command('version').description('print cmwatch\'s, Node\'s and the API server\'s versions'), addVersionOptions)
    .addHelpText('after', VERSION_HELP)
    .action(async (flags: RawVersionFlags) => {
      process.exitCode = await run('version', buildVersionConfig(flags, process.env));
    });
  watchOptions(program.command('doctor').description('check the connection, RBAC, namespaces and handlers a watch with these flags needs'), DOCTOR_HELP)
    .action(async (resources: string[], flags: RawWatchFlags, command: Command) => {
      // Handlers are checked as lines of the report, not as usage errors: only the valid ones reach buildConfig.
      const valid = (flags.exec ?? []).filter((e) => { try { return !!execSpec(e); } catch { return false; } });
      const cfg = buildConfig({ ...flags, exec: valid, onGiven: command.getOptionValueSource('on') === 'cli' }, process.env, resources);
      process.exitCode = await run('doctor', { watch: cfg, exec: flags.exec ?? [] });
    });
  addCompletionCommands(program, run);
  tagCommandErrors(program);
  groupHelp(program);
  shortRootHelp(program);
  return program;
}

/** main's own lines on stderr: plain text, or JSON records once --log-format json is known. */
class MainLog {
  private json: Logger | undefined;
  useJson(level: LogLevel | undefined): void {
    this.json = new Logger({ format: 'json', level });
  }
  get isJson(): boolean {
    return this.json !== undefined;
  }
  say(level: 'info' | 'error', text: string, fields?: Fields): void {
    if (this.json) this.json[level](text, fields);
    else process.stderr.write(`${text}\n`);
  }
}

/** SIGINT/SIGTERM: the first aborts the root signal (a clean shutdown), a second exits at once with 4. */
function onSignals(root: AbortController, log: MainLog): (sig: NodeJS.Signals) => void {
  let signals = 0;
  return (sig) => {
    signals++;
    if (signals === 1) {
      log.say('info', `received ${sig}, shutting down`, { reason: 'signal' });
      root.abort();
    } else {
      log.say('error', `received ${sig} again, exiting now`, { reason: 'signal' });
      process.exit(ExitCode.HandlersKilled);
    }
  };
}

/** A command's runner; the config is the one its options built. */
type Runner = (cfg: never, signal: AbortSignal) => Promise<number>;

/** Each command's module, loaded only when it runs (so --help and --version load none); anything else is watch. */
const RUNNERS: Record<string, () => Promise<Runner>> = {
  events: async () => (await import('./run-events.js')).runEvents,
  'finalizers-remove': async () => (await import('./run-finalizers.js')).runFinalizersRemove,
  version: async () => (await import('./run-version.js')).runVersion,
  doctor: async () => (await import('./run-doctor.js')).runDoctor,
  __complete: async () => (await import('./run-complete.js')).runComplete,
  replay: async () => (await import('./run-replay.js')).runReplay,
  watch: async () => (await import('./run-watch.js')).runWatch,
};

/** Runs a parsed command. */
async function runCommand(cmd: string, cfg: unknown, signal: AbortSignal, log: MainLog): Promise<number> {
  const { logFormat, logLevel } = cfg as { logFormat?: string; logLevel?: LogLevel };
  if (logFormat === 'json') log.useJson(logLevel);
  const name = Object.hasOwn(RUNNERS, cmd) ? cmd : 'watch';
  // V8's settings before the command's modules load: the young generation then stays at its first size.
  await prepareLongRunning(name, signal);
  return (await RUNNERS[name]!())(cfg as never, signal);
}

/** A failed command: one line on stderr, and its exit code (from the one table, exit-codes.ts). */
function failed(err: unknown, log: MainLog): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.Ok;
    process.stderr.write(usageLine(err) + '\n');
    return ExitCode.Usage;
  }
  if (err instanceof CmwatchError) {
    log.say('error', log.isJson ? oneLine(err) : `cmwatch: ${oneLine(err)}`, { code: err.code });
    return exitCodeFor(err);
  }
  log.say('error', `${log.isJson ? '' : 'cmwatch: '}unexpected error: ${oneLine(err)}`, { reason: 'unexpected' });
  return ExitCode.Failure;
}

export async function main(argv: string[] = process.argv, name = 'cmwatch'): Promise<void> {
  const root = new AbortController();
  const log = new MainLog();
  const onSignal = onSignals(root, log);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed stdout stops everything; an abort ends every wait for stdout to drain.
  watchStdout(() => root.abort(), root.signal);

  const program = buildProgram((cmd, cfg) => runCommand(cmd, cfg, root.signal, log), name, { rootOptions: !rootHelpOnly(argv.slice(2)) });
  try {
    // kubectl's global flags before the subcommand (as `kubectl cmwatch --context x events` passes them) go to it.
    await program.parseAsync([...argv.slice(0, 2), ...hoistGlobalFlags(argv.slice(2), program)]);
  } catch (err) {
    process.exitCode = failed(err, log);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  // Stopped by a signal (or a closed stdout) while a reader is not reading:
  // Node would wait for stdout and stderr to drain before exiting, i.e. for
  // the reader. Exit now; what is still queued for them is abandoned. A
  // command that ended by itself (replay at the end of its file) keeps every
  // byte: Node drains stdout before exiting.
  if (root.signal.aborted && (stdoutPending() > 0 || process.stderr.writableLength > 0)) {
    flushLogs();
    process.exit();
  }
}
