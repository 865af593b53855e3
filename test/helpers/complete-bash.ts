/**
 * Runs cmwatch's bash completion as bash runs it on Tab: sources
 * `cmwatch completion bash`, sets COMP_WORDS/COMP_CWORD and calls the
 * function `complete -p cmwatch` names; `cmwatch` is on PATH (a link to
 * bin/cmwatch.js) for the script's own `cmwatch __complete` calls.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './cli.js';

const run = promisify(execFile);
let binDir: string | undefined;

/** The completions of the last word of `words` (the word being completed, '' for a new one). */
export async function completeBash(words: string[], env: NodeJS.ProcessEnv = {}): Promise<{ completions: string[]; spec: string }> {
  if (!binDir) {
    binDir = mkdtempSync(join(tmpdir(), 'cmwatch-complete-'));
    symlinkSync(BIN, join(binDir, 'cmwatch'));
  }
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `
source <(cmwatch completion bash)
spec=$(complete -p cmwatch)
fn=$(sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p' <<<"$spec")
COMP_WORDS=(${quoted}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
"$fn"
echo "$spec"
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await run('bash', ['-c', script], { env: { ...process.env, PATH: `${binDir}:${process.env.PATH}`, CMWATCH_SERVER: undefined, ...env } });
  const [spec = '', ...completions] = stdout.split('\n');
  return { spec, completions: completions.filter((c) => c !== '') };
}
