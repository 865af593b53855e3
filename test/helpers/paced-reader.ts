/**
 * Runs the real cmwatch CLI with its stdout read by a reader of a chosen
 * pace, and samples the child's peak resident memory (VmHWM in
 * /proc/PID/status, Linux) while it runs. The reader reads `slowRate`
 * lines per second for `slowMs`, then as fast as it can; it never holds
 * more than the stream's own buffer, so the pipe fills as it would behind
 * `while read …`. fileRun is the baseline no reader can beat: stdout is a
 * file, whose writes never wait.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, fstatSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from './cli.js';

export interface PacedRun {
  /** Lines read from stdout. */
  lines: number;
  /** The last line read. */
  last: string;
  /** The largest VmHWM seen, in KiB (0 if /proc could not be read). */
  peakKiB: number;
  code: number | null;
  /** The tail of stderr. */
  stderr: string;
}

export interface PacedOptions {
  args: string[];
  /** Lines per second during the slow window (0: no slow window). */
  slowRate: number;
  slowMs: number;
  /** Stop (SIGTERM) once a line matches this. */
  endsWith: (line: string) => boolean;
  /** Give up after this long (the child is killed). */
  maxMs?: number;
}

export function vmKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function pacedRun(o: PacedOptions): Promise<PacedRun> {
  const child = spawn(process.execPath, [BIN, ...o.args], {
    cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = setTimeout(() => child.kill('SIGKILL'), o.maxMs ?? 120_000);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let peakKiB = 0;
  const sample = setInterval(() => {
    peakKiB = Math.max(peakKiB, vmKiB(child.pid!, 'VmHWM'));
  }, 100);

  const start = Date.now();
  let lines = 0;
  let last = '';
  let rest = '';
  let stopped = false;
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop()!;
    for (const l of parts) {
      lines++;
      last = l;
      if (!stopped && o.endsWith(l)) {
        stopped = true;
        peakKiB = Math.max(peakKiB, vmKiB(child.pid!, 'VmHWM'));
        child.kill('SIGTERM');
      }
    }
    // The slow window: this chunk's lines at slowRate per second (cut short at its end).
    const left = start + o.slowMs - Date.now();
    if (o.slowRate > 0 && left > 0) await sleep(Math.min(left, (parts.length * 1000) / o.slowRate));
  }
  const code = await exited;
  clearInterval(sample);
  clearTimeout(kill);
  return { lines, last, peakKiB, code, stderr };
}

/** The same run with stdout redirected to a file; stops once the file's tail matches `endsWith`. */
export async function fileRun(o: Pick<PacedOptions, 'args' | 'endsWith' | 'maxMs'>): Promise<PacedRun> {
  const path = join(tmpdir(), `cmwatch-stdout-${process.pid}-${Date.now()}.ndjson`);
  const fd = openSync(path, 'w+');
  try {
    const child = spawn(process.execPath, [BIN, ...o.args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', fd, 'pipe'] });
    const kill = setTimeout(() => child.kill('SIGKILL'), o.maxMs ?? 120_000);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
    });
    const end: { code?: number | null } = {};
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r((end.code = c))));
    let peakKiB = 0;
    const tail = Buffer.alloc(4096);
    while (!('code' in end)) {
      peakKiB = Math.max(peakKiB, vmKiB(child.pid!, 'VmHWM'));
      const size = fstatSync(fd).size;
      const n = readSync(fd, tail, 0, tail.length, Math.max(0, size - tail.length));
      const lastLine = tail.subarray(0, n).toString().trimEnd().split('\n').pop() ?? '';
      if (o.endsWith(lastLine)) {
        child.kill('SIGTERM');
        break;
      }
      await sleep(100);
    }
    const code = await exited;
    clearTimeout(kill);
    const text = readFileSync(path, 'utf8');
    const all = text.trimEnd().split('\n');
    return { lines: all.length, last: all[all.length - 1] ?? '', peakKiB, code, stderr };
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}
