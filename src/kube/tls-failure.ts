/**
 * Clear words for TLS failures. Kept apart from tls.ts so that ApiError (and
 * so option parsing, --help and --version) does not load the HTTP client or
 * the kubeconfig reader.
 */

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
