/**
 * What the handler proxy lets through, apart from forwarding it:
 *
 * - only Host localhost, 127.0.0.1 and [::1] (against DNS rebinding, like
 *   kubectl proxy);
 * - only origin-form targets (`GET /api/…`): an absolute-form target
 *   (`GET http://elsewhere/`) would make it an open proxy;
 * - not pods/exec nor pods/attach (kubectl proxy's default --reject-paths);
 * - never the client's own credentials (Authorization, Proxy-Authorization,
 *   Cookie) nor hop-by-hop headers (RFC 9110 §7.6.1) upstream, and never
 *   Set-Cookie or hop-by-hop headers back.
 */
import { brokenPathError, MUTATING_METHODS } from '../api/object-path.js';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export type Headers = Record<string, string | string[]>;

/** A request the proxy refuses: always 403 with a plain-text body. */
export interface Refusal {
  status: 400 | 403;
  text: string;
  /** Logged as a warning when set (a refusal that suggests an attack). */
  warn?: string;
}

const ALLOWED_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const REJECT_PATHS = [/^\/api\/.*\/pods\/.*\/exec/, /^\/api\/.*\/pods\/.*\/attach/];
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
/** Never forwarded upstream: hop-by-hop, the client's credentials, and what undici sets itself. */
const DROP_REQUEST = new Set([...HOP_BY_HOP, 'host', 'authorization', 'proxy-authorization', 'cookie', 'content-length']);
const DROP_RESPONSE = new Set([...HOP_BY_HOP, 'set-cookie']);

/** The raw answer to an upgrade (exec, attach, port-forward): not proxied. */
export const UPGRADE_REFUSAL = 'HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nForbidden: cmwatch handler proxy does not proxy upgrades\n';

/** The host part of a Host header, lower-cased: "localhost:8001" → "localhost", "[::1]:80" → "[::1]". */
export function hostOnly(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : h;
  }
  const colon = h.indexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** The path of a request target, without the query. */
export function targetPath(target: string): string {
  return target.split('?')[0]!;
}

/** Why the proxy refuses this request, or undefined when it may be forwarded. */
export function refusal(req: Pick<IncomingMessage, 'url' | 'method' | 'headers'>): Refusal | undefined {
  const target = req.url ?? '/';
  const host = req.headers.host;
  if (!host || !ALLOWED_HOSTS.has(hostOnly(host))) {
    return {
      status: 403,
      text: 'Forbidden: cmwatch handler proxy accepts Host localhost, 127.0.0.1 or [::1] only',
      warn: `refused ${req.method ?? 'GET'} ${target}: Host "${host ?? ''}" is not localhost, 127.0.0.1 or [::1]`,
    };
  }
  if (!target.startsWith('/')) return { status: 403, text: 'Forbidden: cmwatch handler proxy forwards only to its API server (use an origin-form path)' };
  const path = targetPath(target);
  if (REJECT_PATHS.some((re) => re.test(path))) return { status: 403, text: `Forbidden: ${path} (pods/exec and pods/attach are not proxied)` };
  // A mutation to a broken path is what a handler sends when a variable in its URL was empty; a
  // deliberate collection request (deletecollection, with a selector) is not broken and is forwarded.
  const broken = MUTATING_METHODS.has(req.method ?? 'GET') ? brokenPathError(path) : undefined;
  if (broken) {
    return {
      status: 400,
      text: `Bad Request: ${req.method} ${path}: ${broken} (an empty name?); cmwatch's handler proxy refuses it, as the API server would take it as the whole collection`,
      warn: `refused ${req.method} ${path}: ${broken}`,
    };
  }
  return undefined;
}

type AnyHeaders = IncomingHttpHeaders | Record<string, string | string[] | undefined>;

function keep(headers: AnyHeaders, drop: ReadonlySet<string>): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined && !drop.has(k)) out[k] = v;
  }
  return out;
}

/** The client's headers that may go upstream (cmwatch adds its own credentials). */
export function upstreamRequestHeaders(headers: AnyHeaders): Headers {
  return keep(headers, DROP_REQUEST);
}

/** The API server's headers that may go back to the client. */
export function clientResponseHeaders(headers: AnyHeaders): Headers {
  return keep(headers, DROP_RESPONSE);
}
