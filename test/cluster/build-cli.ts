// node dist/test/cluster/build-cli.js: runs build.sh with progress on stderr
// (elapsed time on each line, each binary as it appears, a heartbeat at least
// every 30 s). stdout stays build.sh's: the bin dir on the last line.
// build.sh itself is unchanged, so the cache key (sha256 of go.sum + build.sh)
// and every cached build stay valid.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BuildProgress } from './build-progress.js';

const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager'] as const;
// go build names etcd's binary after its package (server); build.sh renames it at the end.
const FILE_OF: Record<string, string> = { etcd: 'server', 'kube-apiserver': 'kube-apiserver', 'kube-controller-manager': 'kube-controller-manager' };

function scriptPath(): string {
  let d = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const s = path.join(d, 'test', 'cluster', 'build.sh');
    if (existsSync(s)) return s;
    const up = path.dirname(d);
    if (up === d) throw new Error('cannot find test/cluster/build.sh above ' + fileURLToPath(import.meta.url));
    d = up;
  }
}

/**
 * Binaries written so far, with their mtimes, oldest first: in build.sh's
 * temporary dirs (`<cache>/.build-<key>.*`), and in a finished key dir
 * completed since `since` (build.sh moves the temporary dir there at the
 * end, possibly before a poll saw the last binaries).
 */
function builtSoFar(cacheRoot: string, since: number): Array<{ name: string; at: number }> {
  let entries: string[];
  try {
    entries = readdirSync(cacheRoot);
  } catch {
    return [];
  }
  const dirs = entries.filter((e) => e.startsWith('.build-') || (!e.startsWith('.') && mtime(path.join(cacheRoot, e, '.complete')) >= since));
  const found: Array<{ name: string; at: number }> = [];
  for (const b of BINARIES) {
    for (const d of dirs) {
      const at = Math.max(mtime(path.join(cacheRoot, d, FILE_OF[b]!)), mtime(path.join(cacheRoot, d, b)));
      if (at > 0) {
        found.push({ name: b, at });
        break;
      }
    }
  }
  return found.sort((x, y) => x.at - y.at);
}

function mtime(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

const cacheRoot = process.env.CMWATCH_CLUSTER_CACHE || path.join(homedir(), '.cache', 'cmwatch-cluster');
const progress = new BuildProgress({ binaries: BINARIES, write: (l) => process.stderr.write(l + '\n') });
const started = Date.now();
const child = spawn('bash', [scriptPath()], { stdio: ['ignore', 'inherit', 'pipe'] });
let cold = false;
progress.start();
const scan = () => {
  if (cold) for (const b of builtSoFar(cacheRoot, started)) progress.binary(b.name, b.at);
};
const poll = setInterval(scan, 1000);
poll.unref();
createInterface({ input: child.stderr }).on('line', (l) => {
  const text = l.replace(/^\[cluster-build\] /, '');
  // Only a cold build writes binaries; a cache hit must not announce the cached ones.
  if (text.startsWith('cold build')) cold = true;
  if (/^(build took|built: )/.test(text)) scan();
  progress.line(text);
});
child.on('error', (e) => {
  process.stderr.write(`[cluster-build] ERROR: cannot run bash: ${e.message}\n`);
  process.exitCode = 1;
});
child.on('close', (code, signal) => {
  scan();
  clearInterval(poll);
  progress.stop();
  process.exitCode = code ?? (signal ? 1 : 0);
});
