/**
 * Framing of a watch response: bytes in arbitrary chunks → one parsed JSON
 * value per line (base/line-framer.ts splits the lines). A malformed line is
 * reported and skipped, or (malformed: 'fail') ends the frames after every
 * value before it; a line longer than MAX_LINE_BYTES fails the stream (the
 * API never sends one). A body that errors or closes before its end fails
 * with a StreamError. Blank lines are skipped.
 *
 * Parsed values wait in a small queue for the consumer; when HIGH_WATER of
 * them wait, the body is paused (and with it the socket) until the consumer
 * catches up.
 */
import type { Readable } from 'node:stream';
import { CmwatchError } from '../base/errors.js';
import { LineFramer, LineTooLongError } from '../base/line-framer.js';
import { MalformedEventError, StreamError } from './failure.js';
import { unparsableDetails } from '../base/safe-text.js';

/** A ConfigMap may hold 1 MiB; JSON escaping can double it. Accept 16 MiB. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface FrameOptions {
  /** Called for each malformed line with its message ("Could not parse row …"). */
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

/**
 * The message of a line that is not JSON (the wording ndjson used), which
 * describes the line without quoting it: it may be a Secret cut in half.
 */
function unparsable(row: string, err: unknown): string {
  return `Could not parse row: not JSON (${unparsableDetails(row, err)})`;
}

/**
 * The line handler that parses each non-blank line as JSON: a value goes to
 * `push`; a line that is not JSON is reported, and with malformed "fail"
 * ends the frames through `fail`.
 */
function jsonLines(opts: FrameOptions, push: (value: unknown) => void, fail: (err: unknown) => void): (line: Buffer) => void {
  return (line) => {
    if (line.length === 0) return;
    const row = line.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch (err) {
      const message = unparsable(row, err);
      opts.onMalformed?.(message);
      if (opts.malformed === 'fail') fail(new MalformedEventError(message));
      return;
    }
    push(value);
  };
}

/**
 * The frames of one body. Event handlers on the body feed a queue that the
 * generator drains; the state they share (queue, failure, wake-up) is why
 * this stays one function of about 70 lines.
 */
export async function* frames(body: Readable, opts: FrameOptions = {}): AsyncGenerator<unknown> {
  const maxLine = opts.maxLineBytes ?? MAX_LINE_BYTES;
  // Views, not copies: a chunk is one read of the body, and a line spanning chunks is joined once at its end.
  const framer = new LineFramer({ maxLineBytes: maxLine, overflow: 'fail', copy: false });
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
  const parse = jsonLines(opts, (value) => ready.push(value), fail);
  const onLine = (line: Buffer) => {
    if (!stopped) parse(line);
  };
  /** Frames a chunk (or the end, without one); a line too long fails the stream. */
  const feed = (chunk: Buffer | undefined) => {
    try {
      if (chunk) framer.push(chunk, onLine);
      else framer.end(onLine);
    } catch (err) {
      if (!(err instanceof LineTooLongError)) throw err;
      fail(new CmwatchError('E_FRAME', `watch stream: a line exceeds ${maxLine} bytes`, { cause: err }));
    }
  };

  body.on('data', (chunk: Buffer) => {
    opts.onBytes?.(chunk.length);
    if (stopped) return;
    feed(chunk);
    if (ready.length >= HIGH_WATER) body.pause();
    if (ready.length > 0) notify();
  });
  body.on('end', () => {
    if (stopped) return;
    feed(undefined);
    done = true;
    notify();
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
  }
}
