/**
 * TLS for direct API access: the one undici Agent that carries the CA, the
 * client certificate and key and the SNI name, and clear words for TLS
 * failures.
 */
import { readFile } from 'node:fs/promises';
import type { Agent } from 'undici';
import { watchAgent } from './connection.js';
import { ConnectionConfigError, KubeconfigError } from './errors.js';
import type { PemRef } from './kubeconfig.js';
import { displayPath } from './kubeconfig.js';

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

/** Node's codes for a server certificate that did not verify. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
  'CERT_REJECTED', 'INVALID_CA',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

export interface TlsFailure {
  code: string;
  /** e.g. "the server's certificate is not signed by a trusted CA". */
  what: string;
  hint: string;
}

/** The TLS code of an error or of its cause chain, if it is a TLS failure. */
export function tlsFailureCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNTRUSTED.has(code) || EXPIRED.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code.startsWith('ERR_SSL_') || code === 'EPROTO')) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Words and a hint for a TLS failure against `server`; undefined if `err` is not one. */
export function describeTlsFailure(err: unknown, server: string, caSource = 'the CA cmwatch was given'): TlsFailure | undefined {
  const code = tlsFailureCode(err);
  if (!code) return undefined;
  const host = (() => {
    try {
      return new URL(server).host;
    } catch {
      return server;
    }
  })();
  if (UNTRUSTED.has(code)) {
    return {
      code,
      what: `TLS: the certificate of ${host} is not signed by a trusted CA`,
      hint: `check ${caSource}: it must be the CA that signed the API server's certificate`,
    };
  }
  if (EXPIRED.has(code)) {
    return { code, what: `TLS: the certificate of ${host} ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not yet valid'}`, hint: 'check the API server\'s certificate and this machine\'s clock' };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { code, what: `TLS: the certificate of ${host} is not valid for that name`, hint: 'use a server name the certificate lists, or set tls-server-name in the kubeconfig cluster' };
  }
  return {
    code,
    what: `TLS handshake with ${host} failed`,
    hint: `check ${caSource}, and the client certificate and key if the server requires one`,
  };
}
