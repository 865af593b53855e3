// node dist/test/cluster/cli.js up|down|status
//
// up:     starts a detached cluster in test/cluster/.run/, writes .run/state.json,
//         prints `export KUBECONFIG=...` (eval-able) and the server as a comment.
// down:   SIGTERM (then SIGKILL after 10 s) in reverse order; reports each component.
// status: which components run, and /readyz.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, pidMatches, readyz, startCluster, terminatePid, type ClusterState } from './cluster.js';

interface State extends ClusterState {
  adminToken: string;
}

function repoRoot(): string {
  let d = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(d, 'test', 'cluster', 'build.sh')) && existsSync(path.join(d, 'package.json'))) return d;
    const up = path.dirname(d);
    if (up === d) throw new Error('cannot find the repo root');
    d = up;
  }
}

const runDir = process.env.CMWATCH_CLUSTER_RUN_DIR
  ? path.resolve(process.env.CMWATCH_CLUSTER_RUN_DIR)
  : path.join(repoRoot(), 'test', 'cluster', '.run');
const stateFile = path.join(runDir, 'state.json');
const order = ['controllerManager', 'apiserver', 'etcd'] as const;
const names: Record<(typeof order)[number], string> = {
  controllerManager: 'kube-controller-manager',
  apiserver: 'kube-apiserver',
  etcd: 'etcd',
};

function err(line: string): void {
  process.stderr.write(line + '\n');
}

async function readState(): Promise<State | undefined> {
  try {
    return JSON.parse(await readFile(stateFile, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

/** Live pids of the state's components that still look like ours. */
function livePids(s: State): Partial<Record<(typeof order)[number], number>> {
  const out: Partial<Record<(typeof order)[number], number>> = {};
  for (const k of order) {
    const pid = s.pids[k];
    if (pid && isAlive(pid) && pidMatches(pid, s.dir)) out[k] = pid;
  }
  return out;
}

/** Any other process whose command line mentions the run dir (leftovers of a crashed `up`). */
function strayPids(dir: string, known: number[]): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid || known.includes(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a.includes(dir + path.sep) || a.endsWith(dir)) && isAlive(pid)) found.push(pid);
    } catch {
      /* gone or not ours */
    }
  }
  return found;
}

function printExports(s: State): void {
  process.stdout.write(`export KUBECONFIG=${s.kubeconfig}\n# server: ${s.server}\n`);
}

async function up(): Promise<number> {
  const s = await readState();
  if (s && Object.keys(livePids(s)).length > 0) {
    const live = livePids(s);
    err(`cluster already up in ${s.dir} (${order.filter((k) => live[k]).map((k) => `${names[k]} pid ${live[k]}`).join(', ')})`);
    printExports(s);
    return 0;
  }
  const stray = strayPids(runDir, []);
  if (stray.length > 0) {
    err(`stopping ${stray.length} leftover process(es) using ${runDir}: ${stray.join(' ')}`);
    for (const pid of stray) await terminatePid(pid);
  }
  await rm(runDir, { recursive: true, force: true });
  await mkdir(runDir, { recursive: true });
  const c = await startCluster({ dir: runDir, detached: true, log: (l) => err(`[cluster] ${l}`) });
  const pids = c.pids();
  const state: State = {
    dir: c.dir,
    server: c.server,
    kubeconfig: c.kubeconfig,
    caFile: c.caFile,
    etcdUrl: c.etcdUrl,
    adminToken: c.adminToken,
    ports: c.ports,
    pids: { etcd: pids.etcd, apiserver: pids.apiserver, controllerManager: pids.controllerManager },
    startedAt: new Date().toISOString(),
  };
  await writeFile(stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  // startCluster's log already said `cluster up in N s`; say it once.
  err(`logs in ${path.join(runDir, 'logs')}; state in ${stateFile}`);
  printExports(state);
  return 0;
}

async function down(): Promise<number> {
  const s = await readState();
  const known: number[] = [];
  if (!s) {
    err(`no state file at ${stateFile}`);
  } else {
    for (const k of order) {
      const pid = s.pids[k];
      if (!pid) continue;
      known.push(pid);
      if (!isAlive(pid) || !pidMatches(pid, s.dir)) {
        err(`${names[k]} (pid ${pid}): not running`);
        continue;
      }
      const how = await terminatePid(pid, 10_000);
      err(`${names[k]} (pid ${pid}): ${how === 'killed' ? 'killed with SIGKILL after 10 s' : how === 'terminated' ? 'stopped (SIGTERM)' : 'not running'}`);
    }
  }
  for (const pid of strayPids(runDir, [])) {
    const how = await terminatePid(pid, 10_000);
    err(`leftover pid ${pid}: ${how}`);
  }
  await rm(stateFile, { force: true });
  const rest = strayPids(runDir, []);
  if (rest.length > 0) {
    err(`still running: ${rest.join(' ')}`);
    return 1;
  }
  err('cluster down');
  return 0;
}

async function status(): Promise<number> {
  const s = await readState();
  if (!s) {
    process.stdout.write(`down (no state file at ${stateFile})\n`);
    return 3;
  }
  const live = livePids(s);
  for (const k of order.slice().reverse()) {
    process.stdout.write(`${names[k].padEnd(24)} ${live[k] ? `running, pid ${live[k]}` : `not running (pid was ${s.pids[k] ?? '-'})`}\n`);
  }
  const code = live.apiserver ? await readyz(s.server, s.adminToken, s.caFile) : 0;
  process.stdout.write(`${'readyz'.padEnd(24)} ${code ? `HTTP ${code}` : 'unreachable'} (${s.server})\n`);
  process.stdout.write(`${'kubeconfig'.padEnd(24)} ${s.kubeconfig}\n${'started'.padEnd(24)} ${s.startedAt}\n`);
  const allUp = order.every((k) => live[k]) && code === 200;
  process.stdout.write(allUp ? 'up\n' : 'degraded\n');
  return allUp ? 0 : 3;
}

const cmd = process.argv[2];
const handlers: Record<string, () => Promise<number>> = { up, down, status };
const h = cmd ? handlers[cmd] : undefined;
if (!h) {
  err('usage: node dist/test/cluster/cli.js up|down|status');
  process.exitCode = 2;
} else {
  h().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      err(e instanceof Error ? e.message : String(e));
      process.exitCode = 1;
    },
  );
}
