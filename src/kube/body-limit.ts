/**
 * Bounded reads of response bodies: a body longer than its cap is not read
 * to its end (an endless or oversized body must not grow memory without
 * bound). KubeClient.json() takes the cap as RequestOptions.maxBytes.
 */
import type { Dispatcher } from 'undici';
import { CmwatchError } from '../base/errors.js';

/** How much of an error response's body is read (it is only quoted in a message). */
export const MAX_ERROR_BODY_BYTES = 1024 * 1024;

/** A response body longer than the caller's cap (RequestOptions.maxBytes): its read was aborted. */
export class BodyTooLargeError extends CmwatchError {
  readonly url: string;
  readonly maxBytes: number;
  constructor(verb: string, url: string, maxBytes: number) {
    super('E_BODY_TOO_LARGE', `${verb} ${url}: the response body exceeds ${formatBytes(maxBytes)}; the read was aborted`, {
      hint: 'the server or a proxy in between sent an endless or oversized body; cmwatch retries with backoff',
    });
    this.name = 'BodyTooLargeError';
    this.url = url;
    this.maxBytes = maxBytes;
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** Stops reading a body and drops its connection; the abort error this raises is expected, not unhandled. */
export function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

/**
 * Reads a body as UTF-8 text, calling onBytes per chunk. Past `max` bytes it
 * stops, destroys the stream (nothing more is read) and says so with `over`;
 * the text is then '' (the caller fails anyway: no copy of a huge prefix is
 * made), or with `keepPrefix` what came before the chunk that passed the cap.
 */
export async function readText(
  body: Dispatcher.ResponseData['body'], max: number, opts: { onBytes?: (n: number) => void; keepPrefix?: boolean } = {},
): Promise<{ text: string; over: boolean }> {
  const { onBytes } = opts;
  const chunks: Buffer[] = [];
  let total = 0;
  let over = false;
  for await (const c of body) {
    const b = c as Buffer;
    onBytes?.(b.length);
    if (total + b.length > max) {
      over = true;
      discard(body);
      break;
    }
    total += b.length;
    chunks.push(b);
  }
  if (over && !opts.keepPrefix) return { text: '', over };
  return { text: Buffer.concat(chunks, total).toString('utf8'), over };
}
