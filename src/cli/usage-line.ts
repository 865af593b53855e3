/**
 * The one line for a usage error commander found (an unknown option, a
 * missing argument): its message and a hint naming the help of the command
 * that rejected it, `see cmwatch events --help` for `cmwatch events -x`.
 * Every command of the program records its own path on the errors it
 * raises (tagCommandErrors), since CommanderError does not say.
 */
import { CommanderError, type Command } from 'commander';

const PATH = Symbol('cmwatch command path');

type Tagged = CommanderError & { [PATH]?: string };

/** Makes every subcommand of `program` tag its errors with its path (`events`, `finalizers remove`). */
export function tagCommandErrors(program: Command, prefix: string[] = []): void {
  for (const sub of program.commands) {
    const path = [...prefix, sub.name()];
    sub.exitOverride((err: Tagged) => {
      err[PATH] ??= path.join(' ');
      // commander's own default: this code is not an error to raise.
      if (err.code !== 'commander.executeSubCommandAsync') throw err;
    });
    tagCommandErrors(sub, path);
  }
}

export function usageLine(err: CommanderError): string {
  const msg = err.message.replace(/^error:\s*/i, '').replace(/\n+/g, ' ').trim();
  const path = (err as Tagged)[PATH];
  return `cmwatch: ${msg} (hint: see cmwatch ${path ? `${path} ` : ''}--help)`;
}
