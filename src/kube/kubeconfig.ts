/**
 * kubeconfig files: which files, loading, merging and resolving a context,
 * with kubectl's rules.
 *
 * - Files: --kubeconfig, else $KUBECONFIG (a list joined by ':'; files that
 *   do not exist are skipped), else ~/.kube/config.
 * - Merging: the first occurrence of a cluster, user or context name wins;
 *   current-context comes from the first file that sets it.
 * - Relative paths (certificate-authority, client-certificate, client-key,
 *   tokenFile, and exec.command when it contains a '/') resolve against the
 *   folder of the file that defines them.
 *
 * Everything but loadKubeconfigs() is pure. The `yaml` package is imported
 * lazily so that a start-up that reads no kubeconfig does not load it.
 * Every error names the file, the context and the field.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { KubeconfigError } from './errors.js';

export type InteractiveMode = 'Never' | 'IfAvailable' | 'Always';

export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;
export type ExecApiVersion = (typeof EXEC_API_VERSIONS)[number];

export interface ClusterEntry {
  name: string;
  /** The file that defines it (absolute). */
  file: string;
  server?: string;
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  /** extensions[name=client.authentication.k8s.io/exec].extension, for exec plugins with provideClusterInfo. */
  execExtension?: unknown;
}

export interface ExecEntry {
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
  apiVersion: ExecApiVersion;
  installHint?: string;
  provideClusterInfo: boolean;
  interactiveMode: InteractiveMode;
}

export interface UserEntry {
  name: string;
  file: string;
  clientCertificate?: string;
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  /** Raw: validated when the user is resolved, so an unused broken entry does not fail. */
  exec?: Record<string, unknown>;
  authProvider?: string;
}

export interface ContextEntry {
  name: string;
  file: string;
  cluster?: string;
  user?: string;
  namespace?: string;
}

export interface KubeconfigDoc {
  file: string;
  clusters: ClusterEntry[];
  users: UserEntry[];
  contexts: ContextEntry[];
  currentContext?: string;
}

export interface MergedKubeconfig {
  /** The files merged, in order. */
  files: string[];
  clusters: Map<string, ClusterEntry>;
  users: Map<string, UserEntry>;
  contexts: Map<string, ContextEntry>;
  currentContext?: { name: string; file: string };
}

/** PEM material from a kubeconfig: inline data (decoded) or a file path (absolute). */
export interface PemRef {
  /** The kubeconfig field, e.g. "certificate-authority-data". */
  field: string;
  /** Where it was found, for messages: `kubeconfig F: user "u" (context "c")`. */
  where: string;
  data?: Buffer;
  file?: string;
}

export type KubeconfigAuth =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  | { kind: 'token-file'; file: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'exec'; exec: ExecEntry };

export interface ResolvedKubeconfig {
  files: string[];
  context: string;
  clusterName: string;
  userName: string;
  namespace?: string;
  /** Normalized: no trailing slash. */
  server: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  ca?: PemRef;
  clientCertificate?: PemRef;
  clientKey?: PemRef;
  auth: KubeconfigAuth;
  /** For exec plugins with provideClusterInfo. */
  cluster: ClusterEntry;
  /** `kubeconfig F: user "u" (context "c")`, for later messages (exec failures). */
  userWhere: string;
  clusterWhere: string;
}

// ---------------------------------------------------------------------------
// paths

/** A path for messages: the home directory shown as ~. */
export function displayPath(p: string, home: string = homedir()): string {
  if (home && home !== '/' && (p === home || p.startsWith(home + '/'))) return '~' + p.slice(home.length);
  return p;
}

export function displayFiles(files: readonly string[], home?: string): string {
  return files.length ? files.map((f) => displayPath(f, home)).join(', ') : '(no file)';
}

export interface KubeconfigSources {
  paths: string[];
  /** Where the list came from, for messages. */
  origin: '--kubeconfig' | 'KUBECONFIG' | 'default';
  /** --kubeconfig: the file must exist. */
  explicit: boolean;
}

/** --kubeconfig, else $KUBECONFIG (split on ':', empty parts dropped, duplicates removed), else ~/.kube/config. */
export function kubeconfigSources(flag: string | undefined, env: NodeJS.ProcessEnv, home: string, cwd = process.cwd()): KubeconfigSources {
  if (flag !== undefined && flag !== '') return { paths: [resolvePath(cwd, flag)], origin: '--kubeconfig', explicit: true };
  const list = env.KUBECONFIG;
  if (list !== undefined && list !== '') {
    const paths = [...new Set(list.split(delimiter).filter((p) => p !== '').map((p) => resolvePath(cwd, p)))];
    if (paths.length) return { paths, origin: 'KUBECONFIG', explicit: false };
  }
  return { paths: [resolvePath(home, '.kube', 'config')], origin: 'default', explicit: false };
}

// ---------------------------------------------------------------------------
// parsing (pure once the YAML is parsed)

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

class FieldReader {
  constructor(readonly where: string) {}
  str(o: Obj, key: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new KubeconfigError(`${this.where}: ${key} must be a string, got ${typeName(v)}`, 'quote the value in the kubeconfig');
    return v;
  }
  bool(o: Obj, key: string): boolean {
    const v = o[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw new KubeconfigError(`${this.where}: ${key} must be true or false, got ${JSON.stringify(v)}`, `write ${key}: true`);
    return v;
  }
}

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

/** A parsed YAML document → a KubeconfigDoc with absolute paths. Pure. */
export function readKubeconfigObject(parsed: unknown, file: string, home?: string): KubeconfigDoc {
  const shown = `kubeconfig ${displayPath(file, home)}`;
  if (parsed === null || parsed === undefined) return { file, clusters: [], users: [], contexts: [] };
  if (!isObj(parsed)) throw new KubeconfigError(`${shown}: not a kubeconfig (the document is ${typeName(parsed)})`, 'a kubeconfig is a mapping with clusters, users, contexts and current-context');
  const clusters = namedList(parsed, 'clusters', 'cluster', shown).map(({ name, body }) => {
    const r = new FieldReader(`${shown}: cluster "${name}"`);
    let execExtension: unknown;
    const ext = body.extensions;
    if (Array.isArray(ext)) {
      for (const e of ext) if (isObj(e) && e.name === 'client.authentication.k8s.io/exec') execExtension = e.extension;
    }
    const c: ClusterEntry = {
      name, file,
      server: r.str(body, 'server'),
      certificateAuthority: resolveRel(file, r.str(body, 'certificate-authority')),
      certificateAuthorityData: r.str(body, 'certificate-authority-data'),
      insecureSkipTlsVerify: r.bool(body, 'insecure-skip-tls-verify'),
      tlsServerName: r.str(body, 'tls-server-name'),
      proxyUrl: r.str(body, 'proxy-url'),
      execExtension,
    };
    return c;
  });
  const users = namedList(parsed, 'users', 'user', shown).map(({ name, body }) => {
    const r = new FieldReader(`${shown}: user "${name}"`);
    const exec = body.exec;
    if (exec !== undefined && exec !== null && !isObj(exec)) {
      throw new KubeconfigError(`${shown}: user "${name}": exec must be a mapping, got ${typeName(exec)}`, 'see kubectl config set-credentials --exec-command');
    }
    const ap = body['auth-provider'];
    const u: UserEntry = {
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
    return u;
  });
  const contexts = namedList(parsed, 'contexts', 'context', shown).map(({ name, body }) => {
    const r = new FieldReader(`${shown}: context "${name}"`);
    const c: ContextEntry = { name, file, cluster: r.str(body, 'cluster'), user: r.str(body, 'user'), namespace: r.str(body, 'namespace') };
    return c;
  });
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

/** kubectl's merge: the first occurrence of a name wins; current-context from the first file that sets it. Pure. */
export function mergeKubeconfigs(docs: readonly KubeconfigDoc[]): MergedKubeconfig {
  const m: MergedKubeconfig = { files: docs.map((d) => d.file), clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const d of docs) {
    for (const c of d.clusters) if (!m.clusters.has(c.name)) m.clusters.set(c.name, c);
    for (const u of d.users) if (!m.users.has(u.name)) m.users.set(u.name, u);
    for (const c of d.contexts) if (!m.contexts.has(c.name)) m.contexts.set(c.name, c);
    if (!m.currentContext && d.currentContext) m.currentContext = { name: d.currentContext, file: d.file };
  }
  return m;
}

/** True when the merged files define nothing usable (e.g. an empty ~/.kube/config). */
export function isEmptyKubeconfig(m: MergedKubeconfig): boolean {
  return m.contexts.size === 0 && m.clusters.size === 0 && m.users.size === 0 && !m.currentContext;
}

// ---------------------------------------------------------------------------
// resolution (pure)

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function have(names: Iterable<string>): string {
  const list = [...names].sort();
  return list.length ? `have: ${list.join(', ')}` : 'none defined';
}

function pemData(value: string, field: string, where: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 !== 0) {
    throw new KubeconfigError(`${where}: ${field} is not valid base64`, `${field} holds base64-encoded PEM, e.g. the output of base64 -w0 < file.pem`);
  }
  const data = Buffer.from(compact, 'base64');
  if (!data.toString('latin1').includes('-----BEGIN ')) {
    throw new KubeconfigError(`${where}: ${field} does not decode to PEM (no "-----BEGIN" line)`, `${field} holds base64-encoded PEM, e.g. the output of base64 -w0 < file.pem`);
  }
  return data;
}

function validateExec(raw: Record<string, unknown>, where: string): ExecEntry {
  const r = new FieldReader(`${where}: exec`);
  const command = r.str(raw, 'command');
  if (!command) throw new KubeconfigError(`${where}: exec.command is not set`, 'set users[].user.exec.command to the credential plugin, e.g. aws or kubelogin');
  const apiVersion = r.str(raw, 'apiVersion');
  if (!apiVersion) throw new KubeconfigError(`${where}: exec.apiVersion is not set`, `use ${EXEC_API_VERSIONS.join(' or ')}`);
  if (!(EXEC_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw new KubeconfigError(`${where}: exec.apiVersion "${apiVersion}" is not supported`, `use ${EXEC_API_VERSIONS.join(' or ')}`);
  }
  const args = raw.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new KubeconfigError(`${where}: exec.args must be a list of strings`, 'quote each argument');
  }
  const envRaw = raw.env ?? [];
  if (!Array.isArray(envRaw)) throw new KubeconfigError(`${where}: exec.env must be a list of {name, value}`, 'e.g. env: [{name: AWS_PROFILE, value: dev}]');
  const env = envRaw.map((e, i) => {
    if (!isObj(e) || typeof e.name !== 'string' || e.name === '') {
      throw new KubeconfigError(`${where}: exec.env[${i}] has no name`, 'each entry of exec.env needs name: and value:');
    }
    if (e.value !== undefined && e.value !== null && typeof e.value !== 'string') {
      throw new KubeconfigError(`${where}: exec.env[${i}] (${e.name}): value must be a string, got ${typeName(e.value)}`, 'quote the value');
    }
    return { name: e.name, value: (e.value as string | undefined) ?? '' };
  });
  let mode = r.str(raw, 'interactiveMode');
  if (mode === undefined) {
    // v1 requires it; v1beta1 defaults to IfAvailable (client-go's defaulting).
    if (apiVersion === 'client.authentication.k8s.io/v1') {
      throw new KubeconfigError(`${where}: exec.interactiveMode is not set (required with ${apiVersion})`, 'add interactiveMode: Never (or IfAvailable, Always)');
    }
    mode = 'IfAvailable';
  }
  if (mode !== 'Never' && mode !== 'IfAvailable' && mode !== 'Always') {
    throw new KubeconfigError(`${where}: exec.interactiveMode "${mode}" is not one of Never, IfAvailable, Always`, 'use interactiveMode: Never for a daemon');
  }
  return {
    command, args: args as string[], env, apiVersion: apiVersion as ExecApiVersion,
    installHint: r.str(raw, 'installHint'),
    provideClusterInfo: r.bool(raw, 'provideClusterInfo'),
    interactiveMode: mode,
  };
}

/**
 * The context (`--context`, else current-context) with its cluster and user,
 * validated as kubectl validates them. Pure: files named by the kubeconfig
 * are not read here (see tls.ts and credentials.ts).
 */
export function resolveKubeconfig(m: MergedKubeconfig, contextFlag?: string, home?: string): ResolvedKubeconfig {
  const shown = `kubeconfig ${displayFiles(m.files, home)}`;
  let name = contextFlag;
  if (!name) {
    if (!m.currentContext) {
      throw new KubeconfigError(
        `${shown}: current-context is not set (${have(m.contexts.keys())})`,
        m.contexts.size ? 'pass --context NAME, or run kubectl config use-context NAME' : 'add a context, e.g. with kubectl config set-context',
      );
    }
    name = m.currentContext.name;
  }
  const ctx = m.contexts.get(name);
  if (!ctx) {
    const how = contextFlag ? '' : ` (current-context in ${displayPath(m.currentContext!.file, home)})`;
    throw new KubeconfigError(`${shown}: context "${name}"${how} not found (${have(m.contexts.keys())})`, 'pick one with --context NAME; kubectl config get-contexts lists them');
  }
  const at = `kubeconfig ${displayPath(ctx.file, home)}: context "${name}"`;
  if (!ctx.cluster) throw new KubeconfigError(`${at}: cluster is not set`, `kubectl config set-context ${name} --cluster=NAME`);
  const cluster = m.clusters.get(ctx.cluster);
  if (!cluster) throw new KubeconfigError(`${at}: cluster "${ctx.cluster}" not found (${have(m.clusters.keys())})`, 'fix contexts[].context.cluster, or add the cluster');
  if (!ctx.user) throw new KubeconfigError(`${at}: user is not set`, `kubectl config set-context ${name} --user=NAME`);
  const user = m.users.get(ctx.user);
  if (!user) throw new KubeconfigError(`${at}: user "${ctx.user}" not found (${have(m.users.keys())})`, 'fix contexts[].context.user, or add the user');
  if (ctx.namespace !== undefined && (ctx.namespace.length > 63 || !DNS1123_LABEL.test(ctx.namespace))) {
    throw new KubeconfigError(`${at}: namespace "${ctx.namespace}" is not a valid name`, 'a namespace is lower-case letters, digits and "-", at most 63 characters; or pass -n NS');
  }

  // cluster
  const cw = `kubeconfig ${displayPath(cluster.file, home)}: cluster "${cluster.name}" (context "${name}")`;
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
    throw new KubeconfigError(`${cw}: proxy-url is not supported by cmwatch`, 'reach the API server directly, or run kubectl proxy and pass --server http://localhost:8001');
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

  // user
  const uw = `kubeconfig ${displayPath(user.file, home)}: user "${user.name}" (context "${name}")`;
  if (user.authProvider) {
    throw new KubeconfigError(`${uw}: auth-provider "${user.authProvider}" is not supported`, 'use an exec credential plugin instead, e.g. kubelogin (OIDC), gke-gcloud-auth-plugin or aws eks get-token');
  }
  if (user.clientCertificate && user.clientCertificateData) {
    throw new KubeconfigError(`${uw}: client-certificate and client-certificate-data are both set`, 'remove one of them');
  }
  if (user.clientKey && user.clientKeyData) {
    throw new KubeconfigError(`${uw}: client-key and client-key-data are both set`, 'remove one of them');
  }
  const hasCert = !!(user.clientCertificate || user.clientCertificateData);
  const hasKey = !!(user.clientKey || user.clientKeyData);
  if (hasCert && !hasKey) throw new KubeconfigError(`${uw}: client-certificate is set but client-key is not`, 'a client certificate needs its key: set client-key or client-key-data');
  if (hasKey && !hasCert) throw new KubeconfigError(`${uw}: client-key is set but client-certificate is not`, 'set client-certificate or client-certificate-data');
  const clientCertificate: PemRef | undefined = user.clientCertificateData
    ? { field: 'client-certificate-data', where: uw, data: pemData(user.clientCertificateData, 'client-certificate-data', uw) }
    : user.clientCertificate ? { field: 'client-certificate', where: uw, file: user.clientCertificate } : undefined;
  const clientKey: PemRef | undefined = user.clientKeyData
    ? { field: 'client-key-data', where: uw, data: pemData(user.clientKeyData, 'client-key-data', uw) }
    : user.clientKey ? { field: 'client-key', where: uw, file: user.clientKey } : undefined;

  const methods: string[] = [];
  if (user.token || user.tokenFile) methods.push(user.token ? 'token' : 'tokenFile');
  if (user.username || user.password) methods.push('username/password');
  if (methods.length > 1) throw new KubeconfigError(`${uw}: more than one authentication method (${methods.join(', ')})`, 'keep only one of them');
  if ((user.username && !user.password) || (!user.username && user.password)) {
    throw new KubeconfigError(`${uw}: ${user.username ? 'password' : 'username'} is not set`, 'basic authentication needs both username and password');
  }
  let auth: KubeconfigAuth = { kind: 'none' };
  // kubectl: a static token wins over tokenFile and over an exec plugin.
  if (user.token) auth = { kind: 'token', token: user.token };
  else if (user.tokenFile) auth = { kind: 'token-file', file: user.tokenFile };
  else if (user.username && user.password) auth = { kind: 'basic', username: user.username, password: user.password };
  else if (user.exec) auth = { kind: 'exec', exec: validateExec(user.exec, uw) };
  if (user.exec && auth.kind !== 'exec') validateExec(user.exec, uw);
  if (user.exec && auth.kind === 'exec') {
    const cmd = auth.exec.command;
    if (cmd.includes('/') && !isAbsolute(cmd)) auth.exec.command = resolvePath(dirname(user.file), cmd);
  }

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

// ---------------------------------------------------------------------------
// loading (the only I/O)

/**
 * Reads and parses the files in order. A file that does not exist is skipped
 * (kubectl's rule for $KUBECONFIG), except with --kubeconfig.
 */
export async function loadKubeconfigs(src: KubeconfigSources, home?: string): Promise<KubeconfigDoc[]> {
  const docs: KubeconfigDoc[] = [];
  for (const file of src.paths) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !src.explicit) continue;
      const what = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (cause as Error).message;
      throw new KubeconfigError(`kubeconfig ${displayPath(file, home)} (from ${src.origin}): cannot read: ${what}`, 'check the path given to --kubeconfig or in KUBECONFIG', cause);
    }
    docs.push(await parseKubeconfig(text, file, home));
  }
  return docs;
}
