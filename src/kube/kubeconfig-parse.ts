/**
 * Parsing one kubeconfig file: YAML to entries, every field checked for its
 * type, relative paths (certificate-authority, client-certificate,
 * client-key, tokenFile) resolved against the folder of the file. Pure once
 * the YAML is parsed; `yaml` is imported lazily so that a start-up that
 * reads no kubeconfig does not load it.
 */
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { displayPath } from './display-path.js';
import { KubeconfigError } from './errors.js';
import { FieldReader, isObj, typeName, type Obj } from './kubeconfig-fields.js';
import type { ClusterEntry, ContextEntry, KubeconfigDoc, UserEntry } from './kubeconfig-types.js';

function resolveRel(file: string, p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  return isAbsolute(p) ? p : resolvePath(dirname(file), p);
}

function namedList(doc: Obj, key: 'clusters' | 'users' | 'contexts', inner: 'cluster' | 'user' | 'context', shown: string): Array<{ name: string; body: Obj }> {
  const list = doc[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new KubeconfigError(`${shown}: ${key} must be a list, got ${typeName(list)}`, `write ${key}: as a list of {name: …, ${inner}: {…}}`);
  return list.map((item, i) => {
    if (!isObj(item) || typeof item.name !== 'string' || item.name === '') {
      throw new KubeconfigError(`${shown}: ${key}[${i}] has no name`, `each entry of ${key} needs name: and ${inner}:`);
    }
    const body = item[inner];
    if (body !== undefined && body !== null && !isObj(body)) {
      throw new KubeconfigError(`${shown}: ${inner} "${item.name}": ${inner} must be a mapping, got ${typeName(body)}`, `write ${inner}: {…} under the entry`);
    }
    return { name: item.name, body: (body as Obj | undefined) ?? {} };
  });
}

function readCluster(name: string, body: Obj, file: string, shown: string): ClusterEntry {
  const r = new FieldReader(`${shown}: cluster "${name}"`);
  let execExtension: unknown;
  const ext = body.extensions;
  if (Array.isArray(ext)) {
    for (const e of ext) if (isObj(e) && e.name === 'client.authentication.k8s.io/exec') execExtension = e.extension;
  }
  return {
    name, file,
    server: r.str(body, 'server'),
    certificateAuthority: resolveRel(file, r.str(body, 'certificate-authority')),
    certificateAuthorityData: r.str(body, 'certificate-authority-data'),
    insecureSkipTlsVerify: r.bool(body, 'insecure-skip-tls-verify'),
    tlsServerName: r.str(body, 'tls-server-name'),
    proxyUrl: r.str(body, 'proxy-url'),
    execExtension,
  };
}

function readUser(name: string, body: Obj, file: string, shown: string): UserEntry {
  const r = new FieldReader(`${shown}: user "${name}"`);
  const exec = body.exec;
  if (exec !== undefined && exec !== null && !isObj(exec)) {
    throw new KubeconfigError(`${shown}: user "${name}": exec must be a mapping, got ${typeName(exec)}`, 'see kubectl config set-credentials --exec-command');
  }
  const ap = body['auth-provider'];
  return {
    name, file,
    clientCertificate: resolveRel(file, r.str(body, 'client-certificate')),
    clientCertificateData: r.str(body, 'client-certificate-data'),
    clientKey: resolveRel(file, r.str(body, 'client-key')),
    clientKeyData: r.str(body, 'client-key-data'),
    token: r.str(body, 'token'),
    tokenFile: resolveRel(file, r.str(body, 'tokenFile')),
    username: r.str(body, 'username'),
    password: r.str(body, 'password'),
    exec: isObj(exec) ? exec : undefined,
    authProvider: isObj(ap) ? String(ap.name ?? '(unnamed)') : undefined,
  };
}

function readContext(name: string, body: Obj, file: string, shown: string): ContextEntry {
  const r = new FieldReader(`${shown}: context "${name}"`);
  return { name, file, cluster: r.str(body, 'cluster'), user: r.str(body, 'user'), namespace: r.str(body, 'namespace') };
}

/** A parsed YAML document → a KubeconfigDoc with absolute paths. Pure. */
export function readKubeconfigObject(parsed: unknown, file: string, home?: string): KubeconfigDoc {
  const shown = `kubeconfig ${displayPath(file, home)}`;
  if (parsed === null || parsed === undefined) return { file, clusters: [], users: [], contexts: [] };
  if (!isObj(parsed)) throw new KubeconfigError(`${shown}: not a kubeconfig (the document is ${typeName(parsed)})`, 'a kubeconfig is a mapping with clusters, users, contexts and current-context');
  const clusters = namedList(parsed, 'clusters', 'cluster', shown).map(({ name, body }) => readCluster(name, body, file, shown));
  const users = namedList(parsed, 'users', 'user', shown).map(({ name, body }) => readUser(name, body, file, shown));
  const contexts = namedList(parsed, 'contexts', 'context', shown).map(({ name, body }) => readContext(name, body, file, shown));
  const currentContext = new FieldReader(shown).str(parsed, 'current-context');
  return { file, clusters, users, contexts, currentContext };
}

/** Parses one kubeconfig file's text (loads `yaml` on first use). */
export async function parseKubeconfig(text: string, file: string, home?: string): Promise<KubeconfigDoc> {
  const YAML = await import('yaml');
  let parsed: unknown;
  try {
    parsed = YAML.parse(text);
  } catch (cause) {
    const msg = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0];
    throw new KubeconfigError(`kubeconfig ${displayPath(file, home)}: not valid YAML: ${msg}`, 'check the file with kubectl config view', cause);
  }
  return readKubeconfigObject(parsed, file, home);
}
