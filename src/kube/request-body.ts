/**
 * Reading a request body into memory with a size cap, for the handler
 * proxy. A body over the cap and a body that could not be read (the client
 * went away mid-body, a stream error) are different failures with different
 * answers: 413 and 400.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { CmwatchError, oneLine } from '../base/errors.js';

/** The cap of the handler proxy: 16 MiB, far above any Kubernetes object (etcd stores at most 1.5 MiB). */
export const MAX_BODY = 16 << 20;

/** The body is over the cap; reading stopped there. */
export class BodyTooLargeError extends CmwatchError {
  constructor(readonly limit: number) {
    super('E_BODY_TOO_LARGE', `request body larger than ${limit} bytes`, { hint: 'send a smaller request' });
    this.name = 'BodyTooLargeError';
  }
}

/** The body could not be read; `cause` is the stream's error. */
export class BodyReadError extends CmwatchError {
  constructor(cause: unknown) {
    super('E_BODY_READ', `cannot read the request body: ${oneLine(cause)}`, { cause });
    this.name = 'BodyReadError';
  }
}

/**
 * The whole body (undefined when empty). Rejects with BodyTooLargeError
 * (a Content-Length over the cap is refused before reading) or
 * BodyReadError. On failure the stream is paused, not destroyed, so that an
 * answer can still be sent on the connection.
 */
export function readBody(req: Readable & { headers?: IncomingHttpHeaders }, limit = MAX_BODY): Promise<Buffer | undefined> {
  const declared = Number(req.headers?.['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const settle = (err?: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err) {
        req.pause();
        reject(err);
      } else {
        resolve(n ? Buffer.concat(chunks) : undefined);
      }
    };
    const onData = (c: Buffer) => {
      n += c.length;
      if (n > limit) settle(new BodyTooLargeError(limit));
      else chunks.push(c);
    };
    const onEnd = () => settle();
    const onError = (e: unknown) => settle(new BodyReadError(e));
    const onClose = () => settle(new BodyReadError(new Error('the connection closed before the body was complete')));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/** The proxy's answer to a body that failed: 413 only when it really was too large, else 400. */
export function bodyFailureResponse(err: unknown): { status: 400 | 413; text: string } {
  if (err instanceof BodyTooLargeError) return { status: 413, text: 'Request body too large for cmwatch handler proxy' };
  return { status: 400, text: `cmwatch handler proxy: ${err instanceof Error ? err.message : String(err)}` };
}
