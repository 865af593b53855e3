// node dist/test/cluster/build-cli.js: runs build.sh with progress on stderr
// (elapsed time on each line, each binary as it appears, a heartbeat at least
// every 30 s). stdout stays build.sh's: the bin dir on the last line.
// build.sh itself is unchanged, so the cache key (sha256 of go.sum + build.sh)
// and every cached build stay valid.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
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

/** Binaries present in build.sh's temporary dirs (`<cache>/.build-<key>.*`). */
function builtSoFar(cacheRoot: string): string[] {
  let dirs: string[];
  try {
    dirs = readdirSync(cacheRoot).filter((e) => e.startsWith('.build-'));
  } catch {
    return [];
  }
  return BINARIES.filter((b) => dirs.some((d) => existsSync(path.join(cacheRoot, d, FILE_OF[b]!)) || existsSync(path.join(cacheRoot, d, b))));
}

const cacheRoot = process.env.CMWATCH_CLUSTER_CACHE || path.join(homedir(), '.cache', 'cmwatch-cluster');
const progress = new BuildProgress({ binaries: BINARIES, write: (l) => process.stderr.write(l + '\n') });
const child = spawn('bash', [scriptPath()], { stdio: ['ignore', 'inherit', 'pipe'] });
progress.start();
const poll = setInterval(() => builtSoFar(cacheRoot).forEach((b) => progress.binary(b)), 2000);
poll.unref();
createInterface({ input: child.stderr }).on('line', (l) => progress.line(l.replace(/^\[cluster-build\] /, '')));
child.on('error', (e) => {
  process.stderr.write(`[cluster-build] ERROR: cannot run bash: ${e.message}\n`);
  process.exitCode = 1;
});
child.on('close', (code, signal) => {
  clearInterval(poll);
  progress.stop();
  process.exitCode = code ?? (signal ? 1 : 0);
});
