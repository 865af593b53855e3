/**
 * Checking an API server URL given on the command line. Kept apart from
 * connection.ts so that parsing options (and so --help and --version) does
 * not load the HTTP client.
 */
import { UsageError } from '../util/errors.js';

export function normalizeServer(url: string, flag = '--server'): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new UsageError(`${flag}: invalid URL "${url}"`, 'use e.g. http://localhost:8001 (kubectl proxy) or https://HOST:6443', cause);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`${flag}: unsupported scheme "${u.protocol}" in "${url}"`, 'use http:// or https://');
  }
  return u.toString().replace(/\/+$/, '');
}
