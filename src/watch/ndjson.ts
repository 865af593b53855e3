/**
 * Framing of a watch response: bytes in arbitrary chunks → one parsed JSON
 * value per line, with ndjson. A malformed line is reported and skipped, or
 * (malformed: 'fail') ends the frames after every value before it; a line
 * longer than MAX_LINE_BYTES fails the stream (the API never sends one). A
 * body that errors or closes before its end fails with a StreamError.
 */
import ndjson from 'ndjson';
import type { Readable } from 'node:stream';
import { CmwatchError } from '../util/errors.js';
import { MalformedEventError, StreamError } from './failure.js';

/** A ConfigMap may hold 1 MiB; JSON escaping can double it. Accept 16 MiB. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface FrameOptions {
  /** Called for each malformed line with ndjson's message. */
  onMalformed?: (message: string) => void;
  /**
   * skip (default): report and go on. fail: stop at the malformed line and
   * throw a MalformedEventError once the values before it are consumed, so a
   * watch can resume from the last good event rather than lose one.
   */
  malformed?: 'skip' | 'fail';
  /** Called whenever bytes arrive (for stall detection). */
  onBytes?: (n: number) => void;
  maxLineBytes?: number;
}

/** How many parsed values may wait for the consumer before the socket is paused. */
const HIGH_WATER = 64;

export async function* frames(body: Readable, opts: FrameOptions = {}): AsyncGenerator<unknown> {
  // ndjson passes its options on to split2, which honours maxLength.
  const parser = ndjson.parse({ strict: true, maxLength: opts.maxLineBytes ?? MAX_LINE_BYTES } as ndjson.ParseOptions);
  const ready: unknown[] = [];
  let done = false;
  /** Set at the first failure: later values are dropped to keep order. */
  let stopped = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const fail = (err: unknown) => {
    failure ??= err;
    stopped = true;
    done = true;
    notify();
  };

  parser.on('data', (value: unknown) => {
    if (stopped) return;
    ready.push(value);
    if (ready.length >= HIGH_WATER) body.pause();
    notify();
  });
  parser.on('error', (err: Error) => {
    if (stopped) return;
    if (err.message.startsWith('Could not parse row')) {
      opts.onMalformed?.(err.message);
      if (opts.malformed === 'fail') fail(new MalformedEventError(err.message));
      return;
    }
    fail(new CmwatchError('E_FRAME', `watch stream: ${err.message === 'maximum buffer reached' ? `a line exceeds ${opts.maxLineBytes ?? MAX_LINE_BYTES} bytes` : err.message}`, { cause: err }));
  });
  parser.on('end', () => {
    done = true;
    notify();
  });
  parser.on('drain', () => {
    if (ready.length < HIGH_WATER) body.resume();
  });
  body.on('data', (chunk: Buffer) => {
    opts.onBytes?.(chunk.length);
    if (stopped) return;
    if (!parser.write(chunk)) body.pause();
  });
  body.on('end', () => {
    if (!stopped) parser.end();
  });
  body.on('error', (err) => fail(new StreamError(`watch stream broke: ${err.message}`, err)));
  body.on('close', () => {
    // A body destroyed without 'end' did not finish: that is not a clean end.
    if (!body.readableEnded) fail(new StreamError('watch stream closed before its end'));
  });

  try {
    for (;;) {
      while (ready.length > 0) {
        const v = ready.shift();
        if (ready.length < HIGH_WATER && body.isPaused()) body.resume();
        yield v;
      }
      if (failure) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    if (!body.destroyed) body.destroy();
    parser.destroy();
  }
}
