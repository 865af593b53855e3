/**
 * The CLI's model of the connection flags (issue #6), and how it maps onto
 * the flag-free settings src/kube/resolve.ts takes: the same values, plus
 * the flag names so that messages speak of --token-file, not "token file".
 */
import type { ConnectionSettings, SettingLabels } from '../kube/connection-settings.js';

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

/** The flag of each connection setting. */
export const CONNECTION_FLAG_NAMES: SettingLabels = {
  token: '--token',
  tokenFile: '--token-file',
  certificateAuthority: '--certificate-authority',
  clientCertificate: '--client-certificate',
  clientKey: '--client-key',
  insecureSkipTlsVerify: '--insecure-skip-tls-verify',
  kubeconfig: '--kubeconfig',
  context: '--context',
};

export function connectionSettings(f: ConnectionFlags): ConnectionSettings {
  return { ...f, labels: CONNECTION_FLAG_NAMES };
}
