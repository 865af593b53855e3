/**
 * Framing of a watch response: bytes in arbitrary chunks → one parsed JSON
 * value per line (base/line-framer.ts splits the lines). A malformed line is
 * reported and skipped, or (malformed: 'fail') ends the frames after every
 * value before it; a line longer than MAX_LINE_BYTES fails the stream (the
 * API never sends one). A body that errors or closes before its end fails
 * with a StreamError. Blank lines are skipped.
 *
 * Lines wait in a small queue for the consumer, as views of the chunks they
 * came in, and are parsed only when the consumer takes them: a chunk of 64
 * KiB holds some 50 events of 1 KiB, and parsing them all at once kept ~50
 * parsed objects alive through young-generation collections, which promoted
 * them into the old generation as garbage (issue #18: GC was a sixth of the
 * CPU per event). When HIGH_WATER lines wait, the body is paused (and with
 * it the socket) until the consumer catches up.
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

/** How many lines may wait for the consumer before the socket is paused. */
const HIGH_WATER = 64;

/**
 * The message of a line that is not JSON (the wording ndjson used), which
 * describes the line without quoting it: it may be a Secret cut in half.
 */
function unparsable(row: string, err: unknown): string {
  return `Could not parse row: not JSON (${unparsableDetails(row, err)})`;
}

/** One line as JSON, or the message saying why it is not. */
function parseLine(line: Buffer): { value: unknown } | { malformed: string } {
  const row = line.toString('utf8');
  try {
    return { value: JSON.parse(row) };
  } catch (err) {
    return { malformed: unparsable(row, err) };
  }
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
  /** Lines not yet taken by the consumer (views of their chunks; none is blank). */
  const ready: Buffer[] = [];
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
  const onLine = (line: Buffer) => {
    if (!stopped && line.length > 0) ready.push(line);
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
        const line = ready.shift()!;
        if (ready.length < HIGH_WATER && body.isPaused()) body.resume();
        const parsed = parseLine(line);
        if ('value' in parsed) {
          yield parsed.value;
          continue;
        }
        opts.onMalformed?.(parsed.malformed);
        if (opts.malformed === 'fail') {
          // The lines after it are never parsed: the stream resumes from the last good event.
          stopped = true;
          ready.length = 0;
          throw new MalformedEventError(parsed.malformed);
        }
      }
      if (failure) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    if (!body.destroyed) body.destroy();
  }
}
