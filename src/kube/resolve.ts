/**
 * How cmwatch reaches the API, in this order:
 *
 * 1. --server URL (or CMWATCH_SERVER), with --token / --token-file,
 *    --certificate-authority, --client-certificate + --client-key,
 *    --insecure-skip-tls-verify. A plain http:// URL with none of them is the
 *    kubectl proxy, exactly as before.
 * 2. kubeconfig: --kubeconfig, else $KUBECONFIG, else ~/.kube/config;
 *    --context, else current-context.
 * 3. in-cluster: KUBERNETES_SERVICE_HOST and _PORT set and the service
 *    account token present (directory overridable with CMWATCH_SA_DIR, a
 *    test hook).
 * 4. http://localhost:8001, the kubectl proxy ambassador.
 *
 * The namespace that applies when neither -n nor WATCH_NAMESPACE is given:
 * the context's namespace, else the in-cluster namespace file, else default.
 *
 * Credentials are fetched once here (token files read, exec plugins run) so
 * that a broken configuration fails at start, exit 2, before anything runs.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { Logger } from '../util/log.js';
import { normalizeServer, proxyConnection, type Connection } from './connection.js';
import {
  NoCredential, StaticCredential, TokenFileCredential, ExecCredential, type CredentialSource,
} from './credentials.js';
import { DirectConnection } from './direct-connection.js';
import { ConnectionConfigError, KubeconfigError } from './errors.js';
import type { ExecClusterInfo } from './exec-plugin.js';
import {
  displayFiles, displayPath, isEmptyKubeconfig, kubeconfigSources, loadKubeconfigs, mergeKubeconfigs, resolveKubeconfig,
  type ResolvedKubeconfig,
} from './kubeconfig.js';
import { readPemFlag, readPemRef, type TlsSettings } from './tls.js';

export const DEFAULT_PROXY_SERVER = 'http://localhost:8001';
export const DEFAULT_SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ConnectionFlags {
  /** --server, or CMWATCH_SERVER when no --kubeconfig/--context was given. */
  server?: string;
  /** Which of the two gave `server`, for messages. */
  serverSource?: '--server' | 'CMWATCH_SERVER';
  token?: string;
  tokenFile?: string;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  insecureSkipTlsVerify?: boolean;
  kubeconfig?: string;
  context?: string;
}

export interface ResolveOptions {
  log: Pick<Logger, 'warn' | 'info' | 'debug'>;
  env?: NodeJS.ProcessEnv;
  home?: string;
  cwd?: string;
  /** Whether stdin is a terminal (exec plugins' interactiveMode); default process.stdin.isTTY. */
  stdinIsTTY?: boolean;
}

export type ConnectionMode = 'server' | 'kubeconfig' | 'in-cluster' | 'proxy';

export interface ResolvedConnection {
  conn: Connection;
  mode: ConnectionMode;
  /** The namespace that applies without -n / WATCH_NAMESPACE, if the configuration names one. */
  namespace?: string;
  /** e.g. `kubeconfig context "kind-kind"`, `the in-cluster namespace file`. */
  namespaceSource?: string;
  /** The kubeconfig files read (those that exist), when a kubeconfig was used. */
  kubeconfigFiles?: string[];
  context?: string;
}

/** The service-account directory: CMWATCH_SA_DIR (a test hook), else the standard mount. */
export function saDir(env: NodeJS.ProcessEnv): string {
  return env.CMWATCH_SA_DIR || DEFAULT_SA_DIR;
}

function subjectCN(cert: Buffer): string | undefined {
  try {
    const subject = new X509Certificate(cert).subject;
    return /(?:^|\n)CN=([^\n]+)/.exec(subject)?.[1];
  } catch {
    return undefined;
  }
}

/** The `sub` claim of a JWT, unverified, for the start-up line only. */
export function tokenSubject(token: string): string | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

async function prime(conn: Connection): Promise<void> {
  try {
    await conn.authHeaders();
  } catch (err) {
    await conn.close().catch(() => {});
    throw err;
  }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

async function inClusterNamespace(env: NodeJS.ProcessEnv, home?: string): Promise<string | undefined> {
  const file = join(saDir(env), 'namespace');
  let ns: string;
  try {
    ns = (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
  if (!ns) return undefined;
  if (ns.length > 63 || !DNS1123_LABEL.test(ns)) {
    throw new ConnectionConfigError(`the in-cluster namespace file ${displayPath(file, home)} holds "${ns.slice(0, 80)}", not a valid namespace`, 'pass -n NS or set WATCH_NAMESPACE');
  }
  return ns;
}

// ---------------------------------------------------------------------------
// 1. --server

async function fromServerFlags(f: ConnectionFlags, o: Required<Omit<ResolveOptions, 'stdinIsTTY'>>): Promise<ResolvedConnection> {
  const source = f.serverSource ?? '--server';
  const server = normalizeServer(f.server!, source);
  const https = server.startsWith('https:');
  const credentialFlags = !!(f.token || f.tokenFile || f.clientCertificate || f.clientKey);
  if (!https && !credentialFlags) return { conn: proxyConnection(server), mode: 'server' };

  const abs = (p: string) => resolvePath(o.cwd, p);
  let tls: TlsSettings | undefined;
  let certCN: string | undefined;
  if (https) {
    tls = {
      insecureSkipTlsVerify: !!f.insecureSkipTlsVerify,
      caSource: f.certificateAuthority ? `--certificate-authority ${displayPath(abs(f.certificateAuthority), o.home)}` : 'the system CAs (no --certificate-authority given)',
    };
    if (f.certificateAuthority) tls.ca = await readPemFlag(abs(f.certificateAuthority), '--certificate-authority', o.home);
    if (f.clientCertificate && f.clientKey) {
      tls.cert = await readPemFlag(abs(f.clientCertificate), '--client-certificate', o.home);
      tls.key = await readPemFlag(abs(f.clientKey), '--client-key', o.home);
      certCN = subjectCN(tls.cert);
    }
    if (f.insecureSkipTlsVerify) o.log.warn(`--insecure-skip-tls-verify: the certificate of ${server} is not verified; anyone on the network path can pose as the API server`);
  } else {
    o.log.warn(`${source} ${server} is plain http: the credentials are sent unencrypted`);
  }
  let credentials: CredentialSource;
  if (f.token) credentials = StaticCredential.token(f.token, 'the --token bearer token');
  else if (f.tokenFile) {
    credentials = new TokenFileCredential(abs(f.tokenFile), { what: '--token-file', home: o.home, onWarn: (m) => o.log.warn(m) });
  } else credentials = new NoCredential();
  const identity = f.token || f.tokenFile ? credentials.describe : tls?.cert ? `client certificate${certCN ? ` CN=${certCN}` : ''}` : 'anonymous';
  const conn = new DirectConnection({ server, description: source, identity, tls, credentials });
  await prime(conn);
  return { conn, mode: 'server' };
}

// ---------------------------------------------------------------------------
// 2. kubeconfig

async function fromKubeconfig(f: ConnectionFlags, o: Required<ResolveOptions>): Promise<ResolvedConnection | undefined> {
  const src = kubeconfigSources(f.kubeconfig, o.env, o.home, o.cwd);
  const docs = await loadKubeconfigs(src, o.home);
  if (!docs.length || (!src.explicit && !f.context && isEmptyKubeconfig(mergeKubeconfigs(docs)))) {
    if (f.context) {
      throw new KubeconfigError(`--context ${f.context}: no kubeconfig to take it from (looked in ${displayFiles(src.paths, o.home)})`, 'pass --kubeconfig FILE or set KUBECONFIG');
    }
    if (src.origin === 'KUBECONFIG') o.log.warn(`KUBECONFIG names no existing kubeconfig (${displayFiles(src.paths, o.home)}); trying in-cluster, then kubectl proxy`);
    else o.log.debug(`no kubeconfig at ${displayFiles(src.paths, o.home)}`);
    return undefined;
  }
  const r = resolveKubeconfig(mergeKubeconfigs(docs), f.context, o.home);
  const conn = await kubeconfigConnection(r, o);
  await prime(conn);
  return {
    conn, mode: 'kubeconfig', context: r.context,
    namespace: r.namespace, namespaceSource: r.namespace ? `kubeconfig context "${r.context}"` : undefined,
    kubeconfigFiles: docs.map((d) => d.file),
  };
}

async function kubeconfigConnection(r: ResolvedKubeconfig, o: Required<ResolveOptions>): Promise<DirectConnection> {
  const https = r.server.startsWith('https:');
  const clusterAt = `cluster "${r.clusterName}" in kubeconfig ${displayPath(r.cluster.file, o.home)}`;
  let tls: TlsSettings | undefined;
  if (https) {
    tls = {
      insecureSkipTlsVerify: r.insecureSkipTlsVerify,
      caSource: r.ca ? `the ${r.ca.field} of ${clusterAt}` : `the system CAs (${clusterAt} has no certificate-authority)`,
    };
    if (r.ca) tls.ca = await readPemRef(r.ca, o.home);
    if (r.clientCertificate && r.clientKey) {
      tls.cert = await readPemRef(r.clientCertificate, o.home);
      tls.key = await readPemRef(r.clientKey, o.home);
    }
    if (r.tlsServerName) tls.servername = r.tlsServerName;
    if (r.insecureSkipTlsVerify) o.log.warn(`${clusterAt} has insecure-skip-tls-verify: the certificate of ${r.server} is not verified; anyone on the network path can pose as the API server`);
  } else if (r.auth.kind !== 'none') {
    o.log.warn(`${clusterAt}: server ${r.server} is plain http: the credentials are sent unencrypted`);
  }
  let credentials: CredentialSource;
  switch (r.auth.kind) {
    case 'none':
      credentials = new NoCredential();
      break;
    case 'token':
      credentials = StaticCredential.token(r.auth.token, `the token of user "${r.userName}"`);
      break;
    case 'basic':
      credentials = StaticCredential.basic(r.auth.username, r.auth.password, `basic auth of user "${r.userName}"`);
      break;
    case 'token-file':
      credentials = new TokenFileCredential(r.auth.file, { what: `${r.userWhere}: tokenFile`, home: o.home, onWarn: (m) => o.log.warn(m) });
      break;
    case 'exec': {
      const exec = r.auth.exec;
      let cluster: ExecClusterInfo | undefined;
      if (exec.provideClusterInfo) {
        cluster = { server: r.server };
        if (r.tlsServerName) cluster['tls-server-name'] = r.tlsServerName;
        if (r.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
        if (tls?.ca) cluster['certificate-authority-data'] = tls.ca.toString('base64');
        if (r.cluster.execExtension !== undefined) cluster.config = r.cluster.execExtension;
      }
      const name = exec.command.split('/').pop();
      credentials = new ExecCredential(exec, {
        where: r.userWhere, stdinIsTTY: o.stdinIsTTY, env: o.env, cluster,
        onStderr: (line) => o.log.warn(`exec plugin ${name}: ${line}`),
      });
      break;
    }
  }
  return new DirectConnection({ server: r.server, description: `kubeconfig context ${r.context}`, identity: r.userName, tls, credentials });
}

// ---------------------------------------------------------------------------
// 3. in-cluster

async function fromInCluster(o: Required<ResolveOptions>): Promise<ResolvedConnection | undefined> {
  const host = o.env.KUBERNETES_SERVICE_HOST;
  const port = o.env.KUBERNETES_SERVICE_PORT;
  const dir = saDir(o.env);
  const tokenFile = join(dir, 'token');
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  const server = normalizeServer(`https://${host.includes(':') ? `[${host}]` : host}:${port}`, 'KUBERNETES_SERVICE_HOST/PORT');
  const caFile = join(dir, 'ca.crt');
  const tls: TlsSettings = { insecureSkipTlsVerify: false, caSource: `the in-cluster CA ${displayPath(caFile, o.home)}` };
  if (existsSync(caFile)) tls.ca = await readPemFlag(caFile, 'the in-cluster CA', o.home);
  else {
    tls.caSource = `the system CAs (no ${displayPath(caFile, o.home)})`;
    o.log.warn(`in-cluster: no ${displayPath(caFile, o.home)}; verifying ${server} against the system CAs`);
  }
  const credentials = new TokenFileCredential(tokenFile, { what: 'the in-cluster service-account token', home: o.home, onWarn: (m) => o.log.warn(m) });
  const first = await credentials.current(); // errors exit 2, like any configuration error
  const sub = tokenSubject((first.headers.authorization ?? '').replace(/^Bearer /, ''));
  const conn = new DirectConnection({ server, description: 'in-cluster service account', identity: sub ?? 'the pod\'s service account', tls, credentials });
  const ns = await inClusterNamespace(o.env, o.home);
  return { conn, mode: 'in-cluster', namespace: ns, namespaceSource: ns ? 'the in-cluster namespace file' : undefined };
}

// ---------------------------------------------------------------------------

/** Works out the connection; configuration errors are exit-2 CmwatchErrors naming the file, context and field. */
export async function resolveConnection(f: ConnectionFlags, opts: ResolveOptions): Promise<ResolvedConnection> {
  const o: Required<ResolveOptions> = {
    log: opts.log,
    env: opts.env ?? process.env,
    home: opts.home ?? homedir(),
    cwd: opts.cwd ?? process.cwd(),
    stdinIsTTY: opts.stdinIsTTY ?? process.stdin.isTTY === true,
  };
  let r: ResolvedConnection | undefined;
  if (f.server) r = await fromServerFlags(f, o);
  else r = (await fromKubeconfig(f, o)) ?? (await fromInCluster(o));
  r ??= { conn: proxyConnection(DEFAULT_PROXY_SERVER), mode: 'proxy' };
  if (r.namespace === undefined && r.mode !== 'in-cluster') {
    const ns = await inClusterNamespace(o.env, o.home);
    if (ns) {
      r.namespace = ns;
      r.namespaceSource = 'the in-cluster namespace file';
    }
  }
  return r;
}
