/**
 * Forwarding one request that the policy let through to the API server,
 * with cmwatch's credentials: the response is streamed as it arrives
 * (watches included), a 401 refreshes the credential and retries once, and
 * an API server that cannot be reached, or a credential that cannot be had,
 * is a 502 with a plain-text body.
 */
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { request } from './undici.js';
import { CmwatchError, oneLine } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { ConnectError } from './connect-error.js';
import type { Connection } from './connection.js';
import { clientResponseHeaders, type Headers } from './handler-proxy-policy.js';

export interface ForwardRequest {
  method: string;
  /** The origin-form target, e.g. /api/v1/namespaces/default/configmaps?watch=1. */
  target: string;
  /** The target's path, for the log. */
  path: string;
  /** The client's headers, already scrubbed. */
  headers: Headers;
  body: Buffer | undefined;
}

/** Writes a plain-text answer of the proxy's own. */
export function respondText(res: ServerResponse, status: number, text: string, close = false): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...(close ? { connection: 'close' } : {}) });
  res.end(text + '\n');
}

function failed(err: unknown, fr: ForwardRequest, url: string, conn: Connection, res: ServerResponse, log: Pick<Logger, 'warn'>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof CmwatchError && !(err instanceof ConnectError)) {
    // The credential could not be refreshed (an exec plugin failed, a token file vanished).
    log.warn(`handler proxy: ${oneLine(err)}`);
    return respondText(res, 502, `cmwatch handler proxy: no credential for the API server: ${err.message}`);
  }
  const e = err instanceof ConnectError ? err : new ConnectError(fr.method.toLowerCase(), url, err, conn.caSource, conn.serverSource);
  log.warn(`handler proxy: ${oneLine(e)}`);
  respondText(res, 502, `cmwatch handler proxy: cannot reach the API server: ${e.message}`);
}

/** Forwards `fr` and streams the answer into `res`; aborting `signal` (the client went away) ends it quietly. */
export async function forward(conn: Connection, fr: ForwardRequest, res: ServerResponse, signal: AbortSignal, log: Pick<Logger, 'debug' | 'warn'>): Promise<void> {
  const url = conn.server + fr.target;
  const send = async () => {
    const auth = await conn.authHeaders();
    const r = await request(url, { method: fr.method as 'GET', headers: { ...fr.headers, ...auth }, body: fr.body, signal, dispatcher: conn.dispatcher });
    return { r, auth };
  };
  try {
    const first = await send();
    let upstream = first.r;
    if (upstream.statusCode === 401 && (await conn.refreshAfterUnauthorized(first.auth))) {
      await upstream.body.dump().catch(() => {});
      upstream = (await send()).r;
    }
    res.writeHead(upstream.statusCode, clientResponseHeaders(upstream.headers));
    res.flushHeaders();
    log.debug(`handler proxy: ${fr.method} ${fr.path} → ${upstream.statusCode}`);
    await pipeline(upstream.body, res);
  } catch (err) {
    if (signal.aborted) return; // the handler went away
    failed(err, fr, url, conn, res, log);
  }
}
