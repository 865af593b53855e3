/**
 * Checking an API server URL. Kept apart from connection.ts so that parsing
 * options (and so --help and --version) does not load the HTTP client.
 */
import { InvalidValueError } from '../base/errors.js';

/**
 * A server URL that is not http(s)://. `reason`: 'invalid-url' or
 * 'unsupported-scheme'; `value`: the URL as given.
 */
export class ServerUrlError extends InvalidValueError {
  constructor(reason: 'invalid-url' | 'unsupported-scheme', url: string, message: string, hint: string, cause?: unknown) {
    super(reason, url, message, hint, cause);
    this.name = 'ServerUrlError';
  }
}

/**
 * The URL without a trailing slash. `subject` names where the URL came
 * from in the message (e.g. `KUBERNETES_SERVICE_HOST/PORT`); without it the
 * message is about the value alone and the caller words it.
 */
export function normalizeServer(url: string, subject?: string): string {
  const at = subject ? `${subject}: ` : '';
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new ServerUrlError('invalid-url', url, `${at}invalid URL "${url}"`, 'use e.g. http://localhost:8001 (kubectl proxy) or https://HOST:6443', cause);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ServerUrlError('unsupported-scheme', url, `${at}unsupported scheme "${u.protocol}" in "${url}"`, 'use http:// or https://');
  }
  return u.toString().replace(/\/+$/, '');
}
