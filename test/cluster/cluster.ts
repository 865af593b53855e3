// A real Kubernetes control plane for tests: etcd + kube-apiserver +
// kube-controller-manager (v1.36.3, built from Go modules by build.sh), all on
// 127.0.0.1 with free ports, no Docker, no kubelet, no scheduler (pods stay
// Pending).
//
// Node 20 built-ins only; certificates come from the `openssl` CLI.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile, rm, chmod } from 'node:fs/promises';
import * as https from 'node:https';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const K8S_VERSION = 'v1.36.3';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  input?: string;
  kubeconfig?: string;
  allowFail?: boolean;
  /** Milliseconds; default 60 000. */
  timeoutMs?: number;
}

export interface Proxy {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface Cluster {
  /** Work dir with everything (pki, etcd data, logs, kubeconfigs). */
  dir: string;
  /** https://127.0.0.1:PORT */
  server: string;
  /** Admin kubeconfig (CA data + token); works for kubectl. */
  kubeconfig: string;
  adminToken: string;
  /** CA that verifies the apiserver's serving certificate. */
  caFile: string;
  /** http://127.0.0.1:PORT (etcd client URL, with the v3 JSON gateway). */
  etcdUrl: string;
  ports: { etcd: number; etcdPeer: number; apiserver: number; controllerManager: number };
  /** Pids of the running components, for diagnostics and `pgrep` checks. */
  pids(): { etcd?: number; apiserver?: number; controllerManager?: number; proxies: number[] };
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** Writes a kubeconfig (this cluster's CA) that authenticates with `token`; returns its path. */
  kubeconfigFor(token: string, user?: string): Promise<string>;
  /** `kubectl apply -f -`; throws on failure. */
  apply(yaml: string): Promise<void>;
  /** Default SIGKILL; resolves when the process has exited. */
  killApiserver(signal?: NodeJS.Signals): Promise<void>;
  /** Same port, same etcd, same flags; resolves when /readyz is 200. */
  startApiserver(): Promise<void>;
  /** A real `kubectl proxy --port=0`. With `token`, it uses a kubeconfig holding that token. */
  startProxy(opts?: { token?: string; kubeconfig?: string }): Promise<Proxy>;
  /** Compacts etcd at its current revision; returns that revision. */
  compactEtcd(): Promise<number>;
  /** Reverse order, SIGTERM then SIGKILL after 10 s. Removes the dir only if opts.removeDir. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Work dir; default a fresh mkdtemp under os.tmpdir(). Must be empty or not exist. */
  dir?: string;
  /** kube-apiserver --min-request-timeout (seconds), e.g. for watch-timeout tests. */
  minRequestTimeout?: number;
  /** How many log lines a start failure quotes; default 40. */
  logTail?: number;
  /** Remove `dir` in stop(); default false. */
  removeDir?: boolean;
  /** Directory with etcd, kube-apiserver, kube-controller-manager; default binDir(). */
  binDir?: string;
  /** Extra kube-apiserver flags, appended. */
  apiserverArgs?: string[];
  /** Extra kube-controller-manager flags, appended. */
  controllerManagerArgs?: string[];
  /**
   * Detach the processes (own session, not killed when this process dies).
   * Used by cli.ts `up`; tests leave it false so nothing outlives them.
   */
  detached?: boolean;
  /** Overall start timeout in ms; default 240 000. */
  timeoutMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

// ---------------------------------------------------------------------------
// paths, build

function repoRoot(): string {
  let d = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(d, 'test', 'cluster', 'build.sh')) && existsSync(path.join(d, 'package.json'))) return d;
    const up = path.dirname(d);
    if (up === d) throw new Error('cannot find the repo root (test/cluster/build.sh) above ' + fileURLToPath(import.meta.url));
    d = up;
  }
}

let binDirPromise: Promise<string> | undefined;

/** Runs test/cluster/build.sh (a cache check when warm) and returns the bin dir. CMWATCH_CLUSTER_BIN overrides. */
export function binDir(): Promise<string> {
  if (process.env.CMWATCH_CLUSTER_BIN) return Promise.resolve(process.env.CMWATCH_CLUSTER_BIN);
  binDirPromise ??= new Promise<string>((resolve, reject) => {
    const script = path.join(repoRoot(), 'test', 'cluster', 'build.sh');
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last && existsSync(path.join(last, 'kube-apiserver'))) resolve(last);
      else reject(new Error(`build.sh failed (exit ${code}):\n${tail(err, 40)}`));
    });
  });
  binDirPromise.catch(() => (binDirPromise = undefined));
  return binDirPromise;
}

// ---------------------------------------------------------------------------
// small helpers

function tail(text: string, n: number): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  return lines.slice(-n).join('\n');
}

function fileTail(file: string, n: number): string {
  try {
    return tail(readFileSync(file, 'utf8'), n);
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 60_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && typeof (error as NodeJS.ErrnoException).code === 'string') {
          reject(new Error(`${cmd}: ${error.message}`));
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        if (error && error.killed) stderr += `\n(${cmd} killed after timeout ${opts.timeoutMs ?? 60_000} ms)`;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const r = await new Promise<KubectlResult>((resolve, reject) => {
    execFile('openssl', args, { cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof (error as NodeJS.ErrnoException).code === 'string') reject(new Error(`openssl: ${error.message}`));
      else resolve({ code: error ? 1 : 0, stdout, stderr });
    });
  });
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${r.stderr}`);
}

/** Reserves `n` distinct free TCP ports on 127.0.0.1 (all held open at once, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve());
      });
      servers.push(s);
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

interface HttpResult {
  status: number;
  body: string;
}

function request(
  url: string,
  opts: { method?: string; body?: string; token?: string; ca?: string | Buffer; insecure?: boolean; timeoutMs?: number } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(opts.body));
    }
    const common = { method: opts.method ?? 'GET', headers, timeout: opts.timeoutMs ?? 5_000 };
    const onRes = (res: http.IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    };
    const req =
      u.protocol === 'https:'
        ? https.request(u, { ...common, ca: opts.ca, rejectUnauthorized: !opts.insecure, agent: false }, onRes)
        : http.request(u, { ...common, agent: false }, onRes);
    req.on('timeout', () => req.destroy(new Error(`timeout after ${common.timeout} ms: ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

// ---------------------------------------------------------------------------
// processes

/** Every component process started by this module and not yet reaped (non-detached ones only). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when the test process exits with a cluster still up. Crashes
  // and SIGKILL are covered by the parent-death signal set with setpriv.
  process.on('exit', () => {
    for (const c of live) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
}

let setprivOk: boolean | undefined;
function haveSetpriv(): boolean {
  if (setprivOk === undefined) {
    setprivOk = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv'].some((p) => existsSync(p));
  }
  return setprivOk;
}

class Component {
  child: ChildProcess | undefined;
  exited: Promise<number | null> = Promise.resolve(null);
  private exitCode: number | null | undefined;
  private exitHow = '';

  constructor(
    readonly name: string,
    readonly bin: string,
    readonly args: string[],
    readonly logFile: string,
    readonly detached: boolean,
  ) {}

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === undefined;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    const fd = openSync(this.logFile, 'a');
    let cmd = this.bin;
    let args = this.args;
    if (!this.detached && haveSetpriv()) {
      // SIGKILL the component if this (Node) process dies, even by SIGKILL.
      cmd = 'setpriv';
      args = ['--pdeathsig', 'KILL', '--', this.bin, ...this.args];
    }
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], detached: this.detached });
    closeSync(fd);
    this.child = child;
    this.exitCode = undefined;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        this.exitHow = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        live.delete(child);
        resolve(code);
      });
      child.on('error', (err) => {
        this.exitCode = -1;
        this.exitHow = `failed to spawn: ${err.message}`;
        live.delete(child);
        try {
          appendLog(this.logFile, `spawn error: ${err.message}\n`);
        } catch {
          /* ignore */
        }
        resolve(-1);
      });
    });
    if (this.detached) child.unref();
    else {
      live.add(child);
      installExitHook();
    }
  }

  /** Sends `signal`; after `graceMs` sends SIGKILL; resolves once exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (!this.running || !this.child) return;
    this.child.kill(signal);
    if (signal === 'SIGKILL') {
      await this.exited;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (timedOut && this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  failure(what: string, lines: number): Error {
    const state = this.running ? 'still running' : this.exitHow;
    return new Error(
      `${this.name} ${what} (${state}); command: ${this.bin} ${this.args.join(' ')}\n` +
        `--- last ${lines} lines of ${this.logFile} ---\n${fileTail(this.logFile, lines)}`,
    );
  }
}

function appendLog(file: string, text: string): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Polls `check` until it returns true; fails early if `comp` exits. */
async function waitFor(comp: Component, what: string, deadline: number, logTail: number, check: () => Promise<boolean>): Promise<void> {
  let lastErr = '';
  for (;;) {
    if (!comp.running) throw comp.failure(`exited while waiting for ${what}`, logTail);
    try {
      if (await check()) return;
    } catch (e) {
      lastErr = (e as Error).message;
    }
    if (Date.now() > deadline) {
      throw comp.failure(`not ready: timed out waiting for ${what}${lastErr ? ` (last error: ${lastErr})` : ''}`, logTail);
    }
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------
// pki, kubeconfigs

function kubeconfigYaml(server: string, caPem: string, user: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: cmwatch-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    token: ${JSON.stringify(token)}`,
    'contexts:',
    '- name: cmwatch-test',
    '  context:',
    '    cluster: cmwatch-test',
    `    user: ${user}`,
    '    namespace: default',
    'current-context: cmwatch-test',
    '',
  ].join('\n');
}

async function makePki(pki: string): Promise<void> {
  await mkdir(pki, { recursive: true, mode: 0o700 });
  // CA (also the cluster-signing CA for the CSR controllers)
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], pki);
  await openssl(['req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '3650', '-subj', '/CN=cmwatch-test-ca', '-out', 'ca.crt'], pki);
  // apiserver serving certificate for 127.0.0.1 / localhost / the in-cluster names
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'apiserver.key'], pki);
  await openssl(['req', '-new', '-key', 'apiserver.key', '-subj', '/CN=kube-apiserver', '-out', 'apiserver.csr'], pki);
  await writeFile(
    path.join(pki, 'apiserver.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
      '',
    ].join('\n'),
  );
  await openssl(
    ['x509', '-req', '-in', 'apiserver.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-sha256', '-days', '3650',
      '-extfile', 'apiserver.ext', '-out', 'apiserver.crt'],
    pki,
  );
  // service-account token signing key (TokenRequest API, controller credentials)
  await openssl(['genrsa', '-out', 'sa.key', '2048'], pki);
  await openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], pki);
  for (const f of ['ca.key', 'apiserver.key', 'sa.key']) await chmod(path.join(pki, f), 0o600);
}

// ---------------------------------------------------------------------------
// the cluster

export interface ClusterState {
  dir: string;
  server: string;
  kubeconfig: string;
  caFile: string;
  etcdUrl: string;
  ports: { etcd: number; etcdPeer: number; apiserver: number; controllerManager: number };
  pids: { etcd?: number; apiserver?: number; controllerManager?: number };
  startedAt: string;
}

export async function startCluster(opts: StartOptions = {}): Promise<Cluster> {
  const t0 = Date.now();
  const logTail = opts.logTail ?? 40;
  const deadline = t0 + (opts.timeoutMs ?? 240_000);
  const say = opts.log ?? (() => {});
  const bins = opts.binDir ?? (await binDir());
  for (const b of ['etcd', 'kube-apiserver', 'kube-controller-manager']) {
    if (!existsSync(path.join(bins, b))) throw new Error(`missing ${b} in ${bins} (run test/cluster/build.sh)`);
  }

  const dir = opts.dir ? path.resolve(opts.dir) : await mkdtemp(path.join(os.tmpdir(), 'cmwatch-cluster-'));
  await mkdir(dir, { recursive: true });
  const pki = path.join(dir, 'pki');
  const logs = path.join(dir, 'logs');
  const etcdData = path.join(dir, 'etcd');
  await mkdir(logs, { recursive: true });
  await mkdir(etcdData, { recursive: true, mode: 0o700 });
  await chmod(etcdData, 0o700);
  await makePki(pki);

  const [etcdPort, etcdPeerPort, apiPort, kcmPort] = await freePorts(4) as [number, number, number, number];
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const server = `https://127.0.0.1:${apiPort}`;
  const caFile = path.join(pki, 'ca.crt');
  const caPem = await readFile(caFile, 'utf8');

  const adminToken = randomBytes(24).toString('hex');
  const kcmToken = randomBytes(24).toString('hex');
  const tokensFile = path.join(dir, 'tokens.csv');
  await writeFile(
    tokensFile,
    `${adminToken},cmwatch-admin,cmwatch-admin,"system:masters"\n` +
      `${kcmToken},system:kube-controller-manager,system:kube-controller-manager\n`,
    { mode: 0o600 },
  );
  const kubeconfig = path.join(dir, 'admin.kubeconfig');
  await writeFile(kubeconfig, kubeconfigYaml(server, caPem, 'cmwatch-admin', adminToken), { mode: 0o600 });
  const kcmKubeconfig = path.join(dir, 'controller-manager.kubeconfig');
  await writeFile(kcmKubeconfig, kubeconfigYaml(server, caPem, 'system:kube-controller-manager', kcmToken), { mode: 0o600 });
  const kubectlCache = path.join(dir, 'kubectl-cache');

  const detached = opts.detached ?? false;
  const etcd = new Component(
    'etcd',
    path.join(bins, 'etcd'),
    [
      '--name=cmwatch',
      `--data-dir=${etcdData}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=cmwatch=http://127.0.0.1:${etcdPeerPort}`,
      '--initial-cluster-state=new',
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    path.join(logs, 'etcd.log'),
    detached,
  );
  const apiArgs = [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    '--advertise-address=127.0.0.1',
    '--endpoint-reconciler-type=none',
    `--cert-dir=${pki}`,
    `--tls-cert-file=${path.join(pki, 'apiserver.crt')}`,
    `--tls-private-key-file=${path.join(pki, 'apiserver.key')}`,
    // also publishes kube-system/extension-apiserver-authentication, which the
    // controller manager's delegated authentication waits for
    `--client-ca-file=${caFile}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--authorization-mode=RBAC',
    `--token-auth-file=${tokensFile}`,
    '--allow-privileged=true',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${path.join(pki, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(pki, 'sa.key')}`,
    '--profiling=false',
  ];
  if (opts.minRequestTimeout !== undefined) apiArgs.push(`--min-request-timeout=${opts.minRequestTimeout}`);
  apiArgs.push(...(opts.apiserverArgs ?? []));
  const apiserver = new Component('kube-apiserver', path.join(bins, 'kube-apiserver'), apiArgs, path.join(logs, 'kube-apiserver.log'), detached);
  const kcm = new Component(
    'kube-controller-manager',
    path.join(bins, 'kube-controller-manager'),
    [
      `--kubeconfig=${kcmKubeconfig}`,
      `--authentication-kubeconfig=${kcmKubeconfig}`,
      `--authorization-kubeconfig=${kcmKubeconfig}`,
      "--controllers=*",
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${path.join(pki, 'sa.key')}`,
      `--root-ca-file=${caFile}`,
      `--cluster-signing-cert-file=${caFile}`,
      `--cluster-signing-key-file=${path.join(pki, 'ca.key')}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      '--profiling=false',
      ...(opts.controllerManagerArgs ?? []),
    ],
    path.join(logs, 'kube-controller-manager.log'),
    detached,
  );
  const components = [etcd, apiserver, kcm];
  const proxies = new Set<{ comp: Component; stop(): Promise<void> }>();

  const apiReady = async () => (await request(`${server}/readyz`, { token: adminToken, ca: caPem })).status === 200;

  const stopAll = async () => {
    for (const p of [...proxies]) await p.stop();
    for (const c of [...components].reverse()) await c.stop('SIGTERM', 10_000);
  };

  try {
    say(`etcd on ${etcdUrl}`);
    etcd.start();
    await waitFor(etcd, `${etcdUrl}/health`, deadline, logTail, async () => {
      const r = await request(`${etcdUrl}/health`);
      return r.status === 200 && /"health":\s*"true"/.test(r.body);
    });
    say(`kube-apiserver on ${server}`);
    apiserver.start();
    await waitFor(apiserver, `${server}/readyz`, deadline, logTail, apiReady);
    say(`kube-controller-manager on https://127.0.0.1:${kcmPort}`);
    kcm.start();
    await waitFor(kcm, `https://127.0.0.1:${kcmPort}/healthz`, deadline, logTail, async () =>
      (await request(`https://127.0.0.1:${kcmPort}/healthz`, { insecure: true })).status === 200,
    );
    await waitFor(kcm, 'the ServiceAccount default/default', deadline, logTail, async () =>
      (await request(`${server}/api/v1/namespaces/default/serviceaccounts/default`, { token: adminToken, ca: caPem })).status === 200,
    );
  } catch (e) {
    await stopAll();
    if (e instanceof Error) e.message += `\n(cluster dir: ${dir})`;
    if (opts.removeDir) await rm(dir, { recursive: true, force: true });
    throw e;
  }
  say(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s (dir ${dir})`);

  const kubectl = async (args: string[], o: KubectlOptions = {}): Promise<KubectlResult> => {
    const r = await run('kubectl', [`--kubeconfig=${o.kubeconfig ?? kubeconfig}`, `--cache-dir=${kubectlCache}`, ...args], {
      input: o.input,
      env: { ...process.env, KUBECONFIG: '' },
      timeoutMs: o.timeoutMs,
    });
    if (r.code !== 0 && !o.allowFail) {
      throw new Error(`kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
    }
    return r;
  };

  let stopped = false;
  const cluster: Cluster = {
    dir,
    server,
    kubeconfig,
    adminToken,
    caFile,
    etcdUrl,
    ports: { etcd: etcdPort, etcdPeer: etcdPeerPort, apiserver: apiPort, controllerManager: kcmPort },
    pids: () => ({
      etcd: etcd.pid,
      apiserver: apiserver.pid,
      controllerManager: kcm.pid,
      proxies: [...proxies].map((p) => p.comp.pid).filter((p): p is number => p !== undefined),
    }),
    kubectl,
    async kubeconfigFor(token: string, user = 'token-user') {
      const kc = path.join(dir, `token-${randomBytes(4).toString('hex')}.kubeconfig`);
      await writeFile(kc, kubeconfigYaml(server, caPem, user, token), { mode: 0o600 });
      return kc;
    },
    async apply(yaml: string) {
      await kubectl(['apply', '-f', '-'], { input: yaml });
    },
    async killApiserver(signal: NodeJS.Signals = 'SIGKILL') {
      await apiserver.stop(signal, 10_000);
    },
    async startApiserver() {
      if (apiserver.running) throw new Error('kube-apiserver is already running');
      apiserver.start();
      await waitFor(apiserver, `${server}/readyz`, Date.now() + (opts.timeoutMs ?? 240_000), logTail, apiReady);
    },
    async startProxy(p: { token?: string; kubeconfig?: string } = {}) {
      let kc = p.kubeconfig ?? kubeconfig;
      if (p.token !== undefined) kc = await cluster.kubeconfigFor(p.token, 'proxy-user');
      const logFile = path.join(logs, `kubectl-proxy-${Date.now()}-${randomBytes(2).toString('hex')}.log`);
      const comp = new Component('kubectl proxy', 'kubectl', [`--kubeconfig=${kc}`, `--cache-dir=${kubectlCache}`, 'proxy', '--port=0', '--address=127.0.0.1'], logFile, false);
      comp.start();
      let url = '';
      try {
        await waitFor(comp, '"Starting to serve on"', Date.now() + 30_000, logTail, async () => {
          const m = /Starting to serve on (127\.0\.0\.1|\[::1\]|localhost):(\d+)/.exec(await readFile(logFile, 'utf8'));
          if (m) url = `http://127.0.0.1:${m[2]}`;
          return m !== null;
        });
      } catch (e) {
        await comp.stop('SIGKILL');
        throw e;
      }
      const handle = {
        comp,
        stop: async () => {
          proxies.delete(handle);
          await comp.stop('SIGTERM', 10_000);
        },
      };
      proxies.add(handle);
      return { url, pid: comp.child!.pid!, stop: handle.stop };
    },
    async compactEtcd() {
      return compactEtcd(etcdUrl);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll();
      if (opts.removeDir) await rm(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** Compacts etcd at its current revision through the v3 JSON gateway; returns the revision. */
export async function compactEtcd(etcdUrl: string): Promise<number> {
  const key = Buffer.from('cmwatch/compact-probe').toString('base64');
  const r = await request(`${etcdUrl}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key }) });
  if (r.status !== 200) throw new Error(`etcd range: HTTP ${r.status}: ${r.body}`);
  const rev = Number((JSON.parse(r.body) as { header?: { revision?: string | number } }).header?.revision);
  if (!Number.isSafeInteger(rev) || rev <= 0) throw new Error(`etcd range: no header.revision in ${r.body}`);
  const c = await request(`${etcdUrl}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: rev, physical: true }), timeoutMs: 30_000 });
  if (c.status !== 200) throw new Error(`etcd compaction at ${rev}: HTTP ${c.status}: ${c.body}`);
  return rev;
}

// ---------------------------------------------------------------------------
// helpers for cli.ts (state of a detached cluster)

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a zombie is not alive
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

/** True if /proc/PID/cmdline mentions `needle` (guards against a recycled pid). */
export function pidMatches(pid: number, needle: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(needle);
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after graceMs, for a pid that is not our child. Returns how it ended. */
export async function terminatePid(pid: number, graceMs = 10_000): Promise<'gone' | 'terminated' | 'killed'> {
  if (!isAlive(pid)) return 'gone';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    if (!isAlive(pid)) return 'terminated';
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'terminated';
  }
  while (isAlive(pid)) await sleep(50);
  return 'killed';
}

export async function readyz(server: string, token: string, caFile: string): Promise<number> {
  try {
    return (await request(`${server}/readyz`, { token, ca: await readFile(caFile, 'utf8') })).status;
  } catch {
    return 0;
  }
}

export { request as httpRequest };
