/**
 * Fixtures for handler tests: temp directories, executable scripts, NDJSON
 * recordings, and a liveness check for processes that ignores zombies (an
 * init that does not reap leaves killed orphans as zombies).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'cmwatch-h-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes an executable bash script; returns its path. */
export function script(dir: string, name: string, body: string, mode = 0o755): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

export function cm(name: string, rv: number, data: Record<string, string>, namespace = 'default', extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, resourceVersion: String(rv), ...extra },
    data,
  };
}

/** NDJSON lines of {type, object}. */
export function recording(events: Array<{ type: string; object: unknown }>): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

export function lines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
}

/** True while the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux';
  }
}
