/**
 * The commands behind shell completion: `cmwatch completion SHELL` prints
 * the script (completion.ts); the hidden `cmwatch __complete WHAT` prints
 * names from the cluster for it (run-complete.ts).
 */
import type { Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { addConnectionOptions, buildConnectionFlags, type RawConnectionFlags } from './connection-options.js';
import { completionScript, SHELLS, type Shell } from './completion.js';
import { actionNames } from '../handlers/actions/registry.js';
import type { CompleteConfig } from './run-complete.js';

export const COMPLETION_HELP = `
Load it in the current shell, or for every new one:

  source <(cmwatch completion bash)          # ~/.bashrc
  source <(cmwatch completion zsh)           # ~/.zshrc
  cmwatch completion fish | source           # ~/.config/fish/config.fish

It completes commands, flags, -o formats, --action names, files, and
resource and namespace names from discovery when a cluster answers (as
--kubeconfig/--context/--server typed on the line, else the kubeconfig).
`;

/** Adds `completion SHELL` and the hidden `__complete WHAT`; `program` is complete by then (the script lists its flags). */
export function addCompletionCommands(program: Command, run: (cmd: string, cfg: unknown) => Promise<number>): void {
  program.command('completion').description('print a shell completion script: bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', COMPLETION_HELP)
    .action(async (shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new UsageError(`completion: unknown shell "${shell}"`, 'give bash, zsh or fish, e.g. source <(cmwatch completion bash)');
      }
      process.stdout.write(completionScript(shell as Shell, program, actionNames()));
    });
  addConnectionOptions(program.command('__complete', { hidden: true }))
    .argument('<what>', 'resources or namespaces')
    .allowUnknownOption()
    .action(async (what: string, flags: RawConnectionFlags) => {
      let cfg: CompleteConfig;
      try {
        if (what !== 'resources' && what !== 'namespaces') return;
        cfg = { what, connection: buildConnectionFlags(flags, process.env) };
      } catch {
        return; // silent: a completion helper never prints an error
      }
      process.exitCode = await run('__complete', cfg);
    });
}
