/**
 * Splits a handler command ("./h.sh --flag 'a b'") into argv without a shell:
 * single and double quotes group, backslash escapes the next character, and
 * nothing is expanded ($VAR, globs, ~ and ; stay literal).
 */
import { InvalidValueError } from '../base/errors.js';

/** A command line that cannot be split: `reason` 'unbalanced-quote' or 'empty'; `value` the command. */
export class CommandLineError extends InvalidValueError {
  constructor(reason: 'unbalanced-quote' | 'empty', cmd: string, message: string, hint: string) {
    super(reason, cmd, message, hint);
    this.name = 'CommandLineError';
  }
}

export function splitCommand(cmd: string): string[] {
  const argv: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const ch = cmd[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else cur += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && (cmd[i + 1] === '"' || cmd[i + 1] === '\\')) cur += cmd[++i];
      else cur += ch;
      continue;
    }
    if (ch === "'" || ch === '"') { quote = ch; inWord = true; continue; }
    if (ch === '\\' && i + 1 < cmd.length) { cur += cmd[++i]; inWord = true; continue; }
    if (/\s/.test(ch)) {
      if (inWord) { argv.push(cur); cur = ''; inWord = false; }
      continue;
    }
    cur += ch;
    inWord = true;
  }
  if (quote) throw new CommandLineError('unbalanced-quote', cmd, `unbalanced ${quote} in "${cmd}"`, 'close the quote; the command is split like a shell would, but nothing is expanded');
  if (inWord) argv.push(cur);
  if (argv.length === 0) throw new CommandLineError('empty', cmd, 'empty command', 'give the path of an executable file');
  return argv;
}
