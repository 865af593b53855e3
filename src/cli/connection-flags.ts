/**
 * The CLI's model of the connection flags (issue #6), and how it maps onto
 * the flag-free settings src/kube/resolve.ts takes: the same values, plus
 * the flag names so that messages speak of --token-file, not "token file".
 */
import type { ConnectionSettings, SettingLabels } from '../kube/connection-settings.js';

/**
 * The connection flags' values, one per setting (--server, --token,
 * --token-file, --certificate-authority, --client-certificate, --client-key,
 * --insecure-skip-tls-verify, --kubeconfig, --context).
 */
export interface ConnectionFlags extends Omit<ConnectionSettings, 'serverSource' | 'labels'> {
  /** Which gave `server`: --server, or CMWATCH_SERVER when no --kubeconfig/--context was given. */
  serverSource?: '--server' | 'CMWATCH_SERVER';
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
