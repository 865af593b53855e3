/**
 * What the caller asks of the connection (resolve.ts works out the rest),
 * and what it gets back. No flag appears here: the CLI maps its flags onto
 * these settings and passes its names for them in `labels`, so messages
 * speak the user's words.
 */
import type { Logger } from '../base/logger.js';
import type { Connection } from './connection.js';

/** How each setting is named in messages; the CLI passes its flag names. */
export interface SettingLabels {
  token: string;
  tokenFile: string;
  certificateAuthority: string;
  clientCertificate: string;
  clientKey: string;
  insecureSkipTlsVerify: string;
  kubeconfig: string;
  context: string;
}

/** The names used when the caller passes none. */
export const DEFAULT_LABELS: SettingLabels = {
  token: 'static',
  tokenFile: 'token file',
  certificateAuthority: 'certificate authority',
  clientCertificate: 'client certificate',
  clientKey: 'client key',
  insecureSkipTlsVerify: 'insecure-skip-tls-verify',
  kubeconfig: 'a kubeconfig',
  context: 'context',
};

export interface ConnectionSettings {
  /** An API server (or kubectl proxy) URL; takes precedence over any kubeconfig. */
  server?: string;
  /** Where `server` came from, for messages; default "server". */
  serverSource?: string;
  token?: string;
  tokenFile?: string;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  insecureSkipTlsVerify?: boolean;
  /** A kubeconfig file that must exist; default $KUBECONFIG, else ~/.kube/config. */
  kubeconfig?: string;
  /** A kubeconfig context; default its current-context. */
  context?: string;
  labels?: Partial<SettingLabels>;
}

export type ConnectionMode = 'server' | 'kubeconfig' | 'in-cluster' | 'proxy';

export interface ResolvedConnection {
  conn: Connection;
  mode: ConnectionMode;
  /** The namespace that applies when the caller names none, if the configuration names one. */
  namespace?: string;
  /** e.g. `kubeconfig context "kind-kind"`, `the in-cluster namespace file`. */
  namespaceSource?: string;
  /** The pod's namespace (the service account's namespace file), when in a pod. */
  podNamespace?: string;
  /** The kubeconfig files read (those that exist), when a kubeconfig was used. */
  kubeconfigFiles?: string[];
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

/** ResolveOptions with every default applied, and the labels, as each way of connecting gets them. */
export interface ResolveContext extends Required<ResolveOptions> {
  labels: SettingLabels;
}
