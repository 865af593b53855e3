/**
 * A bash script run from the clone as a user would, in its own process
 * group, its stderr collected as lines (the e2e tests that run the README's
 * and the examples' own command lines).
 */
import { spawn } from 'node:child_process';
import { ROOT } from './cli.js';

export interface BashRun {
  /** The complete lines of stderr so far. */
  stderr: string[];
  /** SIGKILL to the whole process group. */
  kill(): void;
}

export function startBash(script: string, env: NodeJS.ProcessEnv): BashRun {
  const child = spawn('bash', ['-c', script], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  let buf = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    stderr.push(...parts);
  });
  child.stdout.resume();
  return { stderr, kill: () => process.kill(-child.pid!, 'SIGKILL') };
}
