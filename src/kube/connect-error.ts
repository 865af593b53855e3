/**
 * A failure below HTTP: refused, reset, timed out, or TLS. Transport, so it
 * lives with the connection; the API's own refusals are api/api-error.ts.
 */
import { CmwatchError, errnoCode } from '../base/errors.js';
import { describeTlsFailure } from './tls-failure.js';

/** A network-level failure: refused, reset, timed out, TLS. */
export class ConnectError extends CmwatchError {
  readonly url: string;
  /** The TLS failure code (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE), when it is one. */
  readonly tlsCode: string | undefined;
  /**
   * `caSource`: where the trusted CA came from (Connection.caSource), for the hint of a TLS failure;
   * `serverSource`: where the URL came from (Connection.serverSource), for the hint of a refused connection.
   */
  constructor(verb: string, url: string, cause: unknown, caSource?: string, serverSource?: string) {
    const tls = describeTlsFailure(cause, url, caSource);
    const code = errnoCode(cause);
    const msg = cause instanceof Error ? cause.message : String(cause);
    if (tls) {
      super('E_TLS', `${verb} ${url}: ${tls.what}: ${msg}${msg.includes(tls.code) ? '' : ` [${tls.code}]`}`, { hint: tls.hint, cause });
    } else {
      super('E_CONNECT', `${verb} ${url}: ${msg}${code && !msg.includes(code) ? ` [${code}]` : ''}`, {
        hint: code === 'ECONNREFUSED' ? refusedHint(serverSource) : 'check the network path to the API server',
        cause,
      });
    }
    this.name = 'ConnectError';
    this.url = url;
    this.tlsCode = tls?.code;
  }
}

/** What to check when nothing listens at the URL: where it came from, when known. */
function refusedHint(serverSource: string | undefined): string {
  if (serverSource === undefined) return 'nothing listens there: is kubectl proxy running, or is the server URL right?';
  if (serverSource.startsWith('the default')) return `nothing listens there: the URL is ${serverSource}; start kubectl proxy, or give cmwatch a kubeconfig or a server URL`;
  if (serverSource.startsWith('cluster ')) return `nothing listens there: the URL is the server of ${serverSource}; is that cluster running, and is its server field right?`;
  return `nothing listens there: is kubectl proxy running, or is the URL from ${serverSource} right?`;
}
