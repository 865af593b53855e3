/**
 * `cmwatch completion bash|zsh|fish`: a completion script for the shell,
 * made from the program itself (its commands and each command's flags), so
 * it never lists a flag cmwatch does not take. Resource names come from
 * discovery at completion time: the scripts call the hidden
 * `cmwatch __complete resources` (run-complete.ts), passing on the
 * --kubeconfig / --context / --server typed so far; it prints nothing when
 * no cluster answers. zsh uses the bash script through bashcompinit.
 */
import type { Command } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What the scripts need to know of one command. */
interface CommandFlags {
  /** `''` for the root (the default command, watch). */
  path: string;
  flags: string[];
  /** The flags that take a value. */
  valued: string[];
  /** Takes RESOURCE arguments (watch, events and the root). */
  resources: boolean;
}

const OUTPUT_VALUES = ['json', 'text', 'jsonpath=', 'custom-columns='];
const FILE_FLAGS = ['--kubeconfig', '--exec', '--exec-dir', '--token-file', '--certificate-authority', '--client-certificate', '--client-key'];

function commandsOf(program: Command): CommandFlags[] {
  const out: CommandFlags[] = [];
  const visit = (cmd: Command, path: string[]) => {
    const flags = cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)).concat(['--help']);
    const valued = cmd.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
    const resources = cmd.registeredArguments.some((a) => a.name() === 'resource');
    out.push({ path: path.join(' '), flags, valued, resources });
    for (const sub of cmd.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return out;
}

/** Top-level command names (no hidden ones). */
function topCommands(program: Command): string[] {
  return program.commands.map((c) => c.name()).filter((n) => !n.startsWith('_'));
}

export function completionScript(shell: Shell, program: Command, actions: readonly string[]): string {
  const cmds = commandsOf(program);
  if (shell === 'fish') return fishScript(program, cmds, actions);
  const bash = bashScript(program, cmds, actions);
  return shell === 'bash' ? bash : `#compdef cmwatch kubectl-cmwatch\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
}

/**
 * One bash function: finds the command path among the words typed, then
 * completes the value of the flag before the cursor, a flag, a subcommand,
 * or a resource name. Why one long template: it is the script itself.
 */
function bashScript(program: Command, cmds: CommandFlags[], actions: readonly string[]): string {
  const cases = cmds.map((c) => `    '${c.path}') flags='${c.flags.join(' ')}'; valued=' ${c.valued.join(' ')} '; resources=${c.resources ? 1 : 0};;`).join('\n');
  const subs = cmds.filter((c) => c.path !== '').map((c) => c.path);
  return `# cmwatch bash completion: source <(cmwatch completion bash)
_cmwatch_commands='${subs.join('|')}'
_cmwatch() {
  local cur prev path='' i w flags valued resources next conn=()
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  # The command path (watch, finalizers remove…) and the connection flags typed so far.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      --kubeconfig|--context|--server) conn+=("$w" "\${COMP_WORDS[i+1]}") ;;
      --kubeconfig=*|--context=*|--server=*) conn+=("$w") ;;
    esac
    next="\${path:+$path }$w"
    if [[ "|$_cmwatch_commands|" == *"|$next|"* ]]; then path="$next"; fi
  done
  case "$path" in
${cases}
  esac
  case "$prev" in
    -o|--output) COMPREPLY=($(compgen -W '${OUTPUT_VALUES.join(' ')}' -- "$cur")); compopt -o nospace 2>/dev/null; return 0 ;;
    --action) COMPREPLY=($(compgen -W '${actions.join(' ')}' -- "$cur")); return 0 ;;
    ${FILE_FLAGS.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    -n|--namespace) COMPREPLY=($(compgen -W "$(cmwatch __complete namespaces "\${conn[@]}" 2>/dev/null)" -- "$cur")); return 0 ;;
  esac
  if [[ "$valued" == *" $prev "* ]]; then return 0; fi
  if [[ "$path" == completion ]]; then COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur")); return 0; fi
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$flags" -- "$cur")); return 0; fi
  local words=''
  if [[ -z "$path" ]]; then words='${topCommands(program).join(' ')}'; fi
  if [[ -n "$path" && "$path" != *' '* ]]; then
    while IFS= read -r w; do [[ "$w" == "$path "* ]] && words="$words \${w#"$path "}"; done <<< "\${_cmwatch_commands//|/$'\\n'}"
  fi
  if [[ "$resources" == 1 ]]; then words="$words $(cmwatch __complete resources "\${conn[@]}" 2>/dev/null)"; fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  return 0
}
complete -F _cmwatch cmwatch
complete -F _cmwatch kubectl-cmwatch
`;
}

function fishScript(program: Command, cmds: CommandFlags[], actions: readonly string[]): string {
  const lines = ['# cmwatch fish completion: cmwatch completion fish | source', 'complete -c cmwatch -f'];
  const top = topCommands(program);
  lines.push(`complete -c cmwatch -n 'not __fish_seen_subcommand_from ${top.join(' ')}' -a '${top.join(' ')}'`);
  lines.push(`complete -c cmwatch -n 'not __fish_seen_subcommand_from finalizers replay version completion' -a '(cmwatch __complete resources 2>/dev/null)'`);
  lines.push(`complete -c cmwatch -s n -l namespace -x -a '(cmwatch __complete namespaces 2>/dev/null)'`);
  lines.push(`complete -c cmwatch -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'`);
  lines.push(`complete -c cmwatch -n '__fish_seen_subcommand_from finalizers' -a 'remove'`);
  for (const c of cmds) {
    const first = c.path.split(' ')[0]!;
    const cond = c.path === '' ? `not __fish_seen_subcommand_from ${top.join(' ')}` : `__fish_seen_subcommand_from ${first}`;
    for (const f of c.flags.filter((f) => f.startsWith('--'))) {
      const name = f.slice(2);
      const value = c.valued.includes(f) ? ' -r' : '';
      const args = f === '--output' ? ` -a '${OUTPUT_VALUES.join(' ')}'` : f === '--action' ? ` -a '${actions.join(' ')}'` : FILE_FLAGS.includes(f) ? ' -F' : '';
      lines.push(`complete -c cmwatch -n '${cond}' -l ${name}${value}${args}`);
    }
  }
  return lines.join('\n') + '\n';
}
