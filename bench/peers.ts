/**
 * The contenders, each started as its own process group against a server
 * URL (the bench server, the real API, or a kubectl proxy), with a scanner
 * that counts the events it has processed from its own output and says when
 * it has seen a phase's marker ConfigMap (bench-end-P).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_SRC, CMWATCH, OutputScanner, groupCpu, memory, stopChild, type Fifo, type Memory } from './proc.js';
import { NAMESPACE, markerName } from './workload.js';

export type PeerKind = 'cmwatch' | 'book' | 'kubectl' | 'informer' | 'floor';

export interface Target {
  /** http(s) URL of the API or a proxy. */
  server: string;
  /** A kubeconfig for it (required for https). */
  kubeconfig?: string;
}

export interface Peer {
  kind: PeerKind;
  label: string;
  child: ChildProcess;
  scanner: OutputScanner;
  /** Events processed so far (as its output tells). */
  readonly count: number;
  /** hrtime at which its output showed phase p's marker. */
  marker(p: number): Promise<bigint>;
  /** Resolves when it has listed (or, for the book's loop, once it runs). */
  ready: Promise<unknown>;
  /** Memory of its main process. */
  memory(): Memory | undefined;
  /** CPU seconds of its whole process group. */
  cpu(): number;
  stop(): Promise<void>;
  /** Last lines of output that were not events, for error messages. */
  tail(): string;
}

/**
 * Node flags that give cmwatch back V8's own settings in place of the ones it
 * sets for watch, events, replay and finalizers remove (src/ops/v8-defaults.ts and
 * src/cli/long-running.ts; a flag given to node wins), for a
 * row beside the shipped defaults.
 */
export const V8_OWN_SETTINGS = ['--semi-space-growth-factor=2', '--heap-growing-percent=0', '--liftoff', '--gc-memory-reducer-start-delay-ms=8000'];
export const V8_OWN_LABEL = "cmwatch, V8's own heap and WebAssembly settings";

export interface CmwatchOptions {
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Count handler runs ("[true ns/name] exit 0") instead of events. */
  countRuns?: boolean;
  label?: string;
  namespace?: string;
  /** Watch for markers in this FIFO (written by handlers/notify.sh) instead of the log. */
  fifo?: Fifo;
  /** Flags for node itself: then `node [nodeArgs] bin` runs, not the bin itself (whose #! line decides node's flags). */
  nodeArgs?: string[];
  /** Another build's bin/cmwatch.js (--baseline), instead of this checkout's. */
  bin?: string;
  /** RESOURCE arguments (none: the default ConfigMaps). With more than one, keys carry the resource. */
  resources?: string[];
  /** `-A` instead of `-n NAMESPACE`. */
  allNamespaces?: boolean;
}

const cleanEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of ['KUBECONFIG', 'CMWATCH_SERVER', 'WATCH_NAMESPACE', 'CMWATCH_BENCH_ROLE', 'NODE_OPTIONS']) delete env[k];
  return env;
};

function start(kind: PeerKind, label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, scanOn: 'stdout' | 'stderr', scanner: OutputScanner, marker: (p: number) => string, ready: (s: OutputScanner, child: ChildProcess) => Promise<unknown>): Peer {
  const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const other = new OutputScanner(() => false);
  (scanOn === 'stdout' ? child.stdout! : child.stderr!).on('data', scanner.feed);
  (scanOn === 'stdout' ? child.stderr! : child.stdout!).on('data', other.feed);
  const pid = child.pid!;
  // A contender that dies before it is ready fails at once, with what it said, not at the caller's timeout.
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`${label} exited (${code ?? signal}) before it was ready: ${[...scanner.tail, ...other.tail].slice(-6).join(' | ')}`))));
  exited.catch(() => {});
  return {
    kind, label, child, scanner,
    get count() { return scanner.count; },
    marker: (p) => scanner.waitFor(marker(p)),
    ready: Promise.race([ready(scanner, child), exited]),
    memory: () => memory(pid),
    cpu: () => groupCpu(pid),
    stop: () => stopChild(child, 'SIGKILL', true),
    tail: () => [...scanner.tail, ...other.tail].slice(-12).join('\n'),
  };
}

/** cmwatch as a user runs it: default log level, one line per event on stderr (read by the harness). */
export function cmwatch(t: Target, o: CmwatchOptions = {}): Peer {
  const conn = t.kubeconfig ? ['--kubeconfig', t.kubeconfig] : ['--server', t.server];
  const runs = /^\[\S+ \S+\] exit 0/;
  const scanner = new OutputScanner(o.countRuns ? (l) => runs.test(l) : (l) => l.startsWith('MODIFIED '));
  const quiet = o.extraArgs?.includes('--log-level') && !o.extraArgs.includes('info') && !o.extraArgs.includes('debug');
  const resources = o.resources ?? [];
  // One "synced" line per reflector (one per resource here: one namespace); each names its collection's path.
  const watching = quiet ? Promise.resolve() : resources.length > 1 ? Promise.all(resources.map((r) => scanner.waitFor(`/${NAMESPACE}/${r.split('.')[0]}`))) : scanner.waitFor('synced ');
  const env = { ...cleanEnv(), ...(o.fifo ? { BENCH_FIFO: o.fifo.path } : {}), ...o.env };
  // Several resources share one queue: keys are then `canonical/namespace/name`, and phase p ends when every one showed its marker.
  const markers = (p: number) => (resources.length > 1 ? resources.map((r) => `ADDED ${r}/${NAMESPACE}/${markerName(p)}`) : [`ADDED ${NAMESPACE}/${markerName(p)}`]);
  const args = [...resources, ...conn, ...(o.allNamespaces ? ['-A'] : ['-n', o.namespace ?? NAMESPACE]), ...(o.extraArgs ?? [])];
  const bin = o.bin ?? CMWATCH;
  // As installed: without node flags the bin runs itself, so its #! line decides node's flags, as for a user.
  const [cmd, argv] = o.nodeArgs ? [process.execPath, [...o.nodeArgs, bin, ...args]] : [bin, args];
  const peer = start('cmwatch', o.label ?? 'cmwatch', cmd, argv, env, 'stderr', scanner, (p) => markers(p)[0]!, () => watching);
  if (resources.length > 1) {
    peer.marker = (p) => Promise.all(markers(p).map((m) => scanner.waitFor(m))).then((ts) => ts.reduce((a, b) => (a > b ? a : b)));
  }
  const fifo = o.fifo;
  if (fifo) {
    peer.marker = (p) => fifo.scanner.waitFor(` ${markerName(p)}`);
    const stop = peer.stop;
    peer.stop = async () => {
      await stop();
      fifo.close();
    };
  }
  return peer;
}

/** The book's loop: curl | while read; jq … (through a proxy or a server without authentication). */
export function bookLoop(t: Target, action = ':', label = 'book loop'): Peer {
  // It watches without a resource version, so it first gets an ADDED for every existing object:
  // every event it handles counts (the events/s it reaches), MODIFIED or not.
  const scanner = new OutputScanner((l) => l.startsWith('Type: ') && (action === ':' || l.startsWith('Type: MODIFIED')));
  return start('book', label, 'bash', [join(BENCH_SRC, 'peers', 'book-loop.sh'), t.server, NAMESPACE, action], cleanEnv(), 'stdout', scanner,
    (p) => `ConfigMap: ${markerName(p)} `, () => Promise.resolve());
}

let kubeconfigSeq = 0;
/** A kubeconfig for a plain http server (the bench server or a proxy). */
export function httpKubeconfig(server: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cmwatch-bench-kc-'));
  const file = join(dir, `config-${++kubeconfigSeq}`);
  writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: bench, cluster: {server: "${server}"}}]
users: [{name: bench, user: {}}]
contexts: [{name: bench, context: {cluster: bench, user: bench, namespace: ${NAMESPACE}}}]
current-context: bench
`);
  return file;
}

/** `kubectl get RESOURCE --watch --output-watch-events -o json` (configmaps unless said). */
export function kubectl(t: Target, resource = 'configmaps'): Peer {
  const kc = t.kubeconfig ?? httpKubeconfig(t.server);
  const cache = mkdtempSync(join(tmpdir(), 'cmwatch-bench-kcache-'));
  // With --watch, -o json prints each event as one compact line.
  const scanner = new OutputScanner((l) => l.startsWith('{"type":"MODIFIED"'));
  const first = scanner.waitFor('{"type":');
  return start('kubectl', 'kubectl get --watch', 'kubectl',
    [`--kubeconfig=${kc}`, `--cache-dir=${cache}`, 'get', resource, '-n', NAMESPACE, '--watch', '--output-watch-events', '-o', 'json'],
    cleanEnv(), 'stdout', scanner, (p) => `"name":"${markerName(p)}"`, () => first);
}

export const INFORMER_HASH_LABEL = '@kubernetes/client-node informer + the content check (SHA-256, as cmwatch)';

/**
 * A @kubernetes/client-node informer with an update callback (bench/peers/informer.mjs), on ConfigMaps or on
 * the custom resource widgets; with `contentHash`, the callback also makes cmwatch's content check.
 */
export function informer(t: Target, resource: 'configmaps' | 'widgets' = 'configmaps', allNamespaces = false, contentHash = false): Peer {
  const env = { ...cleanEnv(), BENCH_NAMESPACE: NAMESPACE, BENCH_RESOURCE: resource, ...(allNamespaces ? { BENCH_ALL_NAMESPACES: '1' } : {}), ...(contentHash ? { BENCH_CONTENT_HASH: '1' } : {}), ...(t.kubeconfig ? { BENCH_KUBECONFIG: t.kubeconfig } : { BENCH_SERVER: t.server }) };
  return scriptPeer('informer', contentHash ? INFORMER_HASH_LABEL : '@kubernetes/client-node informer', 'informer.mjs', env);
}

/** A Node script of bench/peers/ that prints "synced …" once it watches, "n COUNT" every 200 ms and "marker NAME COUNT" on stdout. */
function scriptPeer(kind: PeerKind, label: string, script: string, env: NodeJS.ProcessEnv): Peer {
  const scanner = new OutputScanner((l) => (l.startsWith('n ') ? Number(l.slice(2)) : false));
  const synced = scanner.waitFor('synced ');
  return start(kind, label, process.execPath, [join(BENCH_SRC, 'peers', script)], env, 'stdout', scanner, (p) => `marker ${markerName(p)} `, () => synced);
}

export const FLOOR_LABEL = 'floor: undici + lines + JSON.parse + content SHA-256 + log line';
export const FLOOR_NO_HASH_LABEL = 'floor without the content SHA-256';

export const NODE_FLOOR_LABEL = "a minimal Node watcher: undici, TLS, list + watch, cmwatch's record per key and V8 settings";

/**
 * A minimal Node watcher for cmwatch's job on the real control plane (bench/peers/node-floor.mjs): a Node program
 * that lists and watches the ConfigMaps and keeps cmwatch's record per key, with cmwatch's V8 settings, and nothing else.
 */
export function nodeFloor(t: { server: string; caFile: string; token: string }): Peer {
  const env = { ...cleanEnv(), BENCH_NAMESPACE: NAMESPACE, BENCH_SERVER: t.server, BENCH_CA_FILE: t.caFile, BENCH_TOKEN: t.token };
  return scriptPeer('floor', NODE_FLOOR_LABEL, 'node-floor.mjs', env);
}

/** The floor of cmwatch's event path (bench/peers/floor.mjs), on the bench server; `contentHash` false leaves out the content text and hash. */
export function floor(t: Target, contentHash = true): Peer {
  const env = { ...cleanEnv(), BENCH_NAMESPACE: NAMESPACE, BENCH_SERVER: t.server, BENCH_CONTENT_HASH: contentHash ? '1' : '0' };
  return scriptPeer('floor', contentHash ? FLOOR_LABEL : FLOOR_NO_HASH_LABEL, 'floor.mjs', env);
}
