/**
 * The kubeconfig model: the entries of one file as read (absolute paths,
 * fields checked for their type), the merge of several files, and a
 * resolved context ready to build a connection from.
 */

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
