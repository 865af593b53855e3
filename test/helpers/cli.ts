/**
 * Runs the real cmwatch CLI as a child process and collects its output, so
 * tests can wait for log lines and stop it with a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'cmwatch.js');

export interface CliRun {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  waitFor(re: RegExp, timeoutMs?: number, stream?: 'stderr' | 'stdout'): Promise<string>;
  /** Sends a signal (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Every child still running when the test process exits is killed, so a failed test cannot leave one behind. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; maxLifeMs?: number } = {}): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', CMWATCH_SERVER: undefined, WATCH_NAMESPACE: undefined, ...opts.env },
    cwd: opts.cwd ?? ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  // A forgotten child (a test that failed before stopping it) must not keep the test process alive forever.
  setTimeout(() => child.kill('SIGKILL'), opts.maxLifeMs ?? 300_000).unref();
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  else child.stdin!.end();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: Array<{ re: RegExp; stream: 'stderr' | 'stdout'; resolve: (l: string) => void }> = [];
  const feed = (stream: 'stderr' | 'stdout', sink: string[]) => {
    let buf = '';
    return (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        sink.push(line);
        if (process.env.CMWATCH_TEST_VERBOSE) process.stderr.write(`  [${stream}] ${line}\n`);
        for (let i = waiters.length - 1; i >= 0; i--) {
          const w = waiters[i]!;
          if (w.stream === stream && w.re.test(line)) {
            waiters.splice(i, 1);
            w.resolve(line);
          }
        }
      }
    };
  };
  child.stdout!.on('data', feed('stdout', stdout));
  child.stderr!.on('data', feed('stderr', stderr));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child, stdout, stderr, exited,
    waitFor(re, timeoutMs = 10_000, stream = 'stderr') {
      const sink = stream === 'stderr' ? stderr : stdout;
      const hit = sink.find((l) => re.test(l));
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re} on ${stream}; ${stream} so far:\n${sink.slice(-30).join('\n')}`)), timeoutMs);
        waiters.push({ re, stream, resolve: (l) => { clearTimeout(t); resolve(l); } });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function until(pred: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
