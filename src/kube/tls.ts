/**
 * TLS for direct API access: the one undici Agent that carries the CA, the
 * client certificate and key and the SNI name, and clear words for TLS
 * failures.
 */
import { readFile } from 'node:fs/promises';
import type { Agent } from './undici.js';
import { watchAgent } from './connection.js';
import { ConnectionConfigError, KubeconfigError } from './errors.js';
import { displayPath } from './display-path.js';
import type { PemRef } from './kubeconfig-types.js';

export interface TlsSettings {
  /** PEM CA bundle; replaces the system roots, as in kubectl. Undefined: system roots. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** SNI and the name the certificate is checked against (kubeconfig tls-server-name). */
  servername?: string;
  insecureSkipTlsVerify: boolean;
  /** Where the CA came from, for the hint of a TLS failure. */
  caSource: string;
}

/** One keep-alive Agent for the API server: no body or idle timeout cuts a watch. */
export function tlsAgent(t: TlsSettings): Agent {
  const connect: Record<string, unknown> = { rejectUnauthorized: !t.insecureSkipTlsVerify };
  if (t.ca) connect.ca = t.ca;
  if (t.cert) connect.cert = t.cert;
  if (t.key) connect.key = t.key;
  if (t.servername) connect.servername = t.servername;
  return watchAgent(connect);
}

/** Reads a kubeconfig PEM reference (inline data or a file); errors name the file, context and field. */
export async function readPemRef(ref: PemRef, home?: string): Promise<Buffer> {
  if (ref.data) return ref.data;
  const file = ref.file!;
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (cause) {
    throw new KubeconfigError(`${ref.where}: ${ref.field} ${displayPath(file, home)}: cannot read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`,
      'relative paths are taken from the kubeconfig file\'s own folder', cause);
  }
  if (!data.toString('latin1').includes('-----BEGIN ')) {
    throw new KubeconfigError(`${ref.where}: ${ref.field} ${displayPath(file, home)} is not a PEM file`, 'expected a file with -----BEGIN …----- blocks');
  }
  return data;
}

/** Reads a PEM file named by a flag (--certificate-authority, --client-certificate, --client-key, in-cluster ca.crt). */
export async function readPemFlag(file: string, what: string, home?: string): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (cause) {
    throw new ConnectionConfigError(`${what} ${displayPath(file, home)}: cannot read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, 'give the path of a PEM file', cause);
  }
  if (!data.toString('latin1').includes('-----BEGIN ')) {
    throw new ConnectionConfigError(`${what} ${displayPath(file, home)} is not a PEM file`, 'expected a file with -----BEGIN …----- blocks');
  }
  return data;
}

export { describeTlsFailure, tlsFailureCode, type TlsFailure } from './tls-failure.js';
