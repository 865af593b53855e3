/**
 * The help of every command, grouped as kubectl users look for flags:
 * commander 14's option help groups, assigned by flag name in one table so
 * the add*Options functions stay as they are. A flag missing from the table
 * lands in "Other options:" (test/unit/cli/help-groups.test.ts fails on one).
 */
import { Help, type Command } from 'commander';

export const HELP_GROUPS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Connection:', ['--server', '--kubeconfig', '--context', '--token', '--token-file', '--certificate-authority', '--client-certificate', '--client-key', '--insecure-skip-tls-verify', '--request-timeout', '--watch-timeout', '--stall-timeout', '--exit-on-error']],
  ['What to watch:', ['--namespace', '--all-namespaces', '--selector', '--field-selector', '--trigger', '--content', '--resource', '--rate']],
  ['Handlers:', ['--exec', '--exec-dir', '--on', '--concurrency', '--no-coalesce', '--max-pending-per-key', '--max-retries', '--timeout', '--kill-grace', '--shutdown-grace', '--retry-base', '--retry-max', '--handler-proxy', '--snapshot', '--finalizer', '--field-manager']],
  ['Actions:', ['--action', '--selector-annotation', '--dry-run', '--auto', '--auto-all', '--debounce', '--max-restarts-per-minute', '--restart-window', '--max-unavailable', '--ready-timeout']],
  ['Output:', ['--output', '--log-level', '--log-format', '--client']],
  ['Operations:', ['--health-addr', '--metrics-addr', '--leader-elect', '--lease-name', '--lease-namespace', '--leader-identity', '--lease-duration', '--renew-deadline', '--retry-period', '--state', '--state-namespace', '--resync']],
];

export const OTHER_GROUP = 'Other options:';

/** Where a command's flag means something else: events' --on picks what is printed, no handler runs. */
const COMMAND_GROUP: Readonly<Record<string, string>> = { 'events --on': 'What to watch:' };

const GROUP_OF = new Map(HELP_GROUPS.flatMap(([heading, flags]) => flags.map((f) => [f, heading] as const)));

const ORDER = [...HELP_GROUPS.map(([heading]) => heading), OTHER_GROUP];

/**
 * Groups the options of cmd and of all its subcommands, in the table's
 * order (commander shows groups in the order of their first option, so the
 * options are sorted, stably, by group); --version stays under "Options:".
 */
export function groupHelp(cmd: Command): void {
  for (const opt of cmd.options) {
    if (opt.long === '--version' || opt.long === '--help') continue;
    opt.helpGroup(COMMAND_GROUP[`${cmd.name()} ${opt.long}`] ?? GROUP_OF.get(opt.long ?? '') ?? OTHER_GROUP);
  }
  const rank = (heading: string | undefined) => (heading === undefined ? -1 : ORDER.indexOf(heading));
  (cmd.options as Command['options'][number][]).sort((a, b) => rank(a.helpGroupHeading) - rank(b.helpGroupHeading));
  cmd.commands.forEach(groupHelp);
}

/** The root's own help: its description, the commands and a pointer to `cmwatch watch --help`, not watch's 120 lines of flags. */
export function shortRootHelp(program: Command): void {
  program.configureHelp({
    visibleOptions(this: Help, cmd: Command) {
      return Help.prototype.visibleOptions.call(this, cmd).filter((o) => o.long === '--version' || o.long === '--help');
    },
    visibleArguments: () => [],
  });
}
