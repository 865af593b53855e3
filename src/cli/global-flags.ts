/**
 * kubectl's global flags in any position. `kubectl cmwatch …` hands the
 * plugin its arguments as typed, so `kubectl cmwatch --context staging
 * events -n web` reaches cmwatch with the flags before the subcommand; and
 * commander (positional options) would give them to the root command,
 * which then runs `events` without them. The flags before the command path
 * that the command itself takes are moved after it, where it parses them:
 *
 *   --context staging -n web events -o json  →  events --context staging -n web -o json
 *
 * Only the leading run of such flags moves, and only flags the subcommand
 * knows (`-n` before `version` stays where it is, the root's and unused).
 */
import type { Command } from 'commander';

/** Flags with a value, as kubectl spells its global flags (and cmwatch takes them). */
const VALUED = new Set(['--kubeconfig', '--context', '-n', '--namespace', '--server', '--token', '--token-file', '--request-timeout', '--certificate-authority', '--client-certificate', '--client-key', '-l', '--selector']);
const BOOLEAN = new Set(['-A', '--all-namespaces', '--insecure-skip-tls-verify']);

/** args without node and the script (process.argv.slice(2)); returns them reordered. */
export function hoistGlobalFlags(args: readonly string[], program: Command): string[] {
  const flags: string[][] = [];
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    const name = a.startsWith('--') && a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (BOOLEAN.has(a)) {
      flags.push([a]);
      i += 1;
    } else if (VALUED.has(name) && (name !== a || i + 1 < args.length)) {
      flags.push(name !== a ? [a] : [a, args[i + 1]!]);
      i += name !== a ? 1 : 2;
    } else break;
  }
  if (flags.length === 0) return [...args];
  // The command path after the flags: `events`, `finalizers remove`.
  let cmd = program;
  let end = i;
  while (end < args.length) {
    const sub = cmd.commands.find((c) => c.name() === args[end] || c.aliases().includes(args[end]!));
    if (!sub) break;
    cmd = sub;
    end++;
  }
  if (cmd === program) return [...args];
  const knows = (flag: string) => cmd.options.some((o) => o.long === flag.split('=')[0] || o.short === flag);
  const moved = flags.filter((f) => knows(f[0]!));
  const kept = flags.filter((f) => !knows(f[0]!));
  return [...kept.flat(), ...args.slice(i, end), ...moved.flat(), ...args.slice(end)];
}
