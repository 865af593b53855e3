/**
 * Resolving a context of merged kubeconfig files: the context (given, else
 * current-context), its cluster and its user, validated as kubectl validates
 * them. Pure: files named by the kubeconfig are not read here (see tls.ts
 * and credentials.ts).
 */
import { isDns1123Label, NAMESPACE_RULE } from '../api/names.js';
import { displayFiles, displayPath } from './display-path.js';
import { KubeconfigError } from './errors.js';
import { pemData, userCredentials } from './kubeconfig-credentials.js';
import type { ClusterEntry, ContextEntry, MergedKubeconfig, PemRef, ResolvedKubeconfig, UserEntry } from './kubeconfig-types.js';

function have(names: Iterable<string>): string {
  const list = [...names].sort();
  return list.length ? `have: ${list.join(', ')}` : 'none defined';
}

interface Selected {
  name: string;
  ctx: ContextEntry;
  cluster: ClusterEntry;
  user: UserEntry;
}

/** The context and the cluster and user it names; each missing piece is a KubeconfigError listing what there is. */
function selectContext(m: MergedKubeconfig, contextName: string | undefined, home?: string): Selected {
  const shown = `kubeconfig ${displayFiles(m.files, home)}`;
  let name = contextName;
  if (!name) {
    if (!m.currentContext) {
      throw new KubeconfigError(
        `${shown}: current-context is not set (${have(m.contexts.keys())})`,
        m.contexts.size ? 'name one, or run kubectl config use-context NAME' : 'add a context, e.g. with kubectl config set-context',
        undefined,
        m.contexts.size ? 'no-current-context' : undefined,
      );
    }
    name = m.currentContext.name;
  }
  const ctx = m.contexts.get(name);
  if (!ctx) {
    const how = contextName ? '' : ` (current-context in ${displayPath(m.currentContext!.file, home)})`;
    throw new KubeconfigError(`${shown}: context "${name}"${how} not found (${have(m.contexts.keys())})`, 'pick one; kubectl config get-contexts lists them', undefined, 'context-not-found');
  }
  const at = `kubeconfig ${displayPath(ctx.file, home)}: context "${name}"`;
  if (!ctx.cluster) throw new KubeconfigError(`${at}: cluster is not set`, `kubectl config set-context ${name} --cluster=NAME`);
  const cluster = m.clusters.get(ctx.cluster);
  if (!cluster) throw new KubeconfigError(`${at}: cluster "${ctx.cluster}" not found (${have(m.clusters.keys())})`, 'fix contexts[].context.cluster, or add the cluster');
  if (!ctx.user) throw new KubeconfigError(`${at}: user is not set`, `kubectl config set-context ${name} --user=NAME`);
  const user = m.users.get(ctx.user);
  if (!user) throw new KubeconfigError(`${at}: user "${ctx.user}" not found (${have(m.users.keys())})`, 'fix contexts[].context.user, or add the user');
  if (ctx.namespace !== undefined && !isDns1123Label(ctx.namespace)) {
    throw new KubeconfigError(`${at}: namespace "${ctx.namespace}" is not a valid name`, NAMESPACE_RULE, undefined, 'context-namespace-invalid');
  }
  return { name, ctx, cluster, user };
}

/** The cluster's server URL and CA, at `cw` (`kubeconfig F: cluster "c" (context "x")`). */
function clusterEndpoint(cluster: ClusterEntry, cw: string): { url: URL; ca?: PemRef } {
  if (!cluster.server) throw new KubeconfigError(`${cw}: server is not set`, `kubectl config set-cluster ${cluster.name} --server=https://HOST:6443`);
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch (cause) {
    throw new KubeconfigError(`${cw}: server "${cluster.server}" is not a valid URL`, 'use e.g. https://HOST:6443', cause);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KubeconfigError(`${cw}: server "${cluster.server}" has unsupported scheme "${url.protocol}"`, 'use https:// (or http:// for a kubectl proxy)');
  }
  if (cluster.proxyUrl) {
    throw new KubeconfigError(`${cw}: proxy-url is not supported by cmwatch`, 'reach the API server directly, or through kubectl proxy at http://localhost:8001', undefined, 'proxy-url');
  }
  let ca: PemRef | undefined;
  if (cluster.certificateAuthorityData) {
    // kubectl: the data wins over the file when both are set.
    ca = { field: 'certificate-authority-data', where: cw, data: pemData(cluster.certificateAuthorityData, 'certificate-authority-data', cw) };
  } else if (cluster.certificateAuthority) {
    ca = { field: 'certificate-authority', where: cw, file: cluster.certificateAuthority };
  }
  if (cluster.insecureSkipTlsVerify && ca) {
    throw new KubeconfigError(`${cw}: insecure-skip-tls-verify and ${ca.field} are both set`, 'remove one: either verify the server with the CA, or do not verify it');
  }
  return { url, ca };
}

/** The context `contextName` (else current-context) with its cluster and user. */
export function resolveKubeconfig(m: MergedKubeconfig, contextName?: string, home?: string): ResolvedKubeconfig {
  const { name, ctx, cluster, user } = selectContext(m, contextName, home);
  const cw = `kubeconfig ${displayPath(cluster.file, home)}: cluster "${cluster.name}" (context "${name}")`;
  const { url, ca } = clusterEndpoint(cluster, cw);
  const uw = `kubeconfig ${displayPath(user.file, home)}: user "${user.name}" (context "${name}")`;
  const { clientCertificate, clientKey, auth } = userCredentials(user, uw);
  return {
    files: m.files,
    context: name,
    clusterName: cluster.name,
    userName: user.name,
    namespace: ctx.namespace,
    server: url.toString().replace(/\/+$/, ''),
    insecureSkipTlsVerify: cluster.insecureSkipTlsVerify,
    tlsServerName: cluster.tlsServerName,
    ca, clientCertificate, clientKey, auth, cluster,
    userWhere: uw,
    clusterWhere: cw,
  };
}
