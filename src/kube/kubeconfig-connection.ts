/**
 * A connection from a kubeconfig context: its server, TLS settings and the
 * credential source its user calls for (token, token file, basic auth, exec
 * plugin).
 */
import type { ConnectionSettings, ResolveContext, ResolvedConnection } from './connection-settings.js';
import { NoCredential, StaticCredential, TokenFileCredential, ExecCredential, type CredentialSource } from './credentials.js';
import { DirectConnection, primed } from './direct-connection.js';
import { displayFiles, displayPath } from './display-path.js';
import { KubeconfigError } from './errors.js';
import type { ExecClusterInfo } from './exec-plugin.js';
import { kubeconfigSources, loadKubeconfigs } from './kubeconfig-files.js';
import { isEmptyKubeconfig, mergeKubeconfigs } from './kubeconfig-merge.js';
import { resolveKubeconfig } from './kubeconfig-resolve.js';
import type { ExecEntry, ResolvedKubeconfig } from './kubeconfig-types.js';
import { readPemRef, type TlsSettings } from './tls.js';

async function kubeconfigTls(r: ResolvedKubeconfig, clusterAt: string, o: ResolveContext): Promise<TlsSettings> {
  const tls: TlsSettings = {
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
  return tls;
}

/** spec.cluster for an exec plugin with provideClusterInfo. */
function execClusterInfo(r: ResolvedKubeconfig, tls: TlsSettings | undefined): ExecClusterInfo {
  const cluster: ExecClusterInfo = { server: r.server };
  if (r.tlsServerName) cluster['tls-server-name'] = r.tlsServerName;
  if (r.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
  if (tls?.ca) cluster['certificate-authority-data'] = tls.ca.toString('base64');
  if (r.cluster.execExtension !== undefined) cluster.config = r.cluster.execExtension;
  return cluster;
}

function execCredential(exec: ExecEntry, r: ResolvedKubeconfig, tls: TlsSettings | undefined, o: ResolveContext): ExecCredential {
  const cluster = exec.provideClusterInfo ? execClusterInfo(r, tls) : undefined;
  const name = exec.command.split('/').pop();
  return new ExecCredential(exec, {
    where: r.userWhere, stdinIsTTY: o.stdinIsTTY, env: o.env, cluster,
    onStderr: (line) => o.log.warn(`exec plugin ${name}: ${line}`),
  });
}

function userCredentialSource(r: ResolvedKubeconfig, tls: TlsSettings | undefined, o: ResolveContext): CredentialSource {
  switch (r.auth.kind) {
    case 'none':
      return new NoCredential();
    case 'token':
      return StaticCredential.token(r.auth.token, `the token of user "${r.userName}"`);
    case 'basic':
      return StaticCredential.basic(r.auth.username, r.auth.password, `basic auth of user "${r.userName}"`);
    case 'token-file':
      return new TokenFileCredential(r.auth.file, { what: `${r.userWhere}: tokenFile`, home: o.home, onWarn: (m) => o.log.warn(m) });
    case 'exec':
      return execCredential(r.auth.exec, r, tls, o);
  }
}

async function contextConnection(r: ResolvedKubeconfig, o: ResolveContext): Promise<DirectConnection> {
  const clusterAt = `cluster "${r.clusterName}" in kubeconfig ${displayPath(r.cluster.file, o.home)}`;
  let tls: TlsSettings | undefined;
  if (r.server.startsWith('https:')) tls = await kubeconfigTls(r, clusterAt, o);
  else if (r.auth.kind !== 'none') o.log.warn(`${clusterAt}: server ${r.server} is plain http: the credentials are sent unencrypted`);
  const credentials = userCredentialSource(r, tls, o);
  const serverSource = `cluster "${r.clusterName}" of kubeconfig context ${r.context} (${displayPath(r.cluster.file, o.home)})`;
  return new DirectConnection({ server: r.server, description: `kubeconfig context ${r.context}`, identity: r.userName, serverSource, tls, credentials });
}

/**
 * The kubeconfig's connection; undefined when there is no kubeconfig to
 * use (no file, or only an empty one, and none was asked for by name).
 */
export async function kubeconfigConnection(s: ConnectionSettings, o: ResolveContext): Promise<ResolvedConnection | undefined> {
  const src = kubeconfigSources(s.kubeconfig, o.env, o.home, o.cwd);
  const docs = await loadKubeconfigs(src, o.home);
  const merged = docs.length ? mergeKubeconfigs(docs) : undefined;
  if (!merged || (!src.explicit && !s.context && isEmptyKubeconfig(merged))) {
    if (s.context) {
      throw new KubeconfigError(`${o.labels.context} ${s.context}: no kubeconfig to take it from (looked in ${displayFiles(src.paths, o.home)})`, `pass ${o.labels.kubeconfig} FILE or set KUBECONFIG`);
    }
    // KUBECONFIG naming only missing files is resolve.ts's to report (kubeconfig-missing.ts).
    o.log.debug(`no kubeconfig at ${displayFiles(src.paths, o.home)}`);
    return undefined;
  }
  const r = resolveKubeconfig(merged, s.context, o.home);
  const conn = await primed(await contextConnection(r, o));
  return {
    conn, mode: 'kubeconfig', context: r.context,
    namespace: r.namespace, namespaceSource: r.namespace ? `kubeconfig context "${r.context}"` : undefined,
    kubeconfigFiles: docs.map((d) => d.file),
  };
}
