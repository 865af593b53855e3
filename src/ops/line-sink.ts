/**
 * Where log lines go on their way to stderr: batched, and bounded when
 * nobody reads.
 *
 * Batching: the lines logged before control returns to the event loop (a
 * chunk of a watch stream is handled in one go) are joined and written by a
 * process.nextTick, so no timer, I/O callback or signal handler can run in
 * between; a batch reaching BATCH_CHARS is written at once.
 *
 * Backpressure: when a write returns false (stderr's buffer is full: a
 * pipe nobody reads, a slow terminal), nothing more is written until
 * 'drain'. Lines logged meanwhile wait, up to maxPendingChars; further ones
 * are dropped and counted, and once stderr drains the count is reported in
 * one warning ("dropped N log line(s) while stderr was full"). Memory for
 * logs stays bounded whatever the reader does.
 */

export interface SinkTarget {
  /** Writes text; false when the caller should wait for 'drain'. */
  write(text: string): boolean;
  /** Calls fn once, at the next 'drain'. */
  onceDrain(fn: () => void): void;
}

export interface LineSinkOptions {
  /** Characters kept while the target is full (default 1 MiB). */
  maxPendingChars?: number;
  /** Characters in one batch before it is written at once (default 64 KiB). */
  batchChars?: number;
  /** Schedules the end-of-burst write (default process.nextTick). */
  defer?: (fn: () => void) => void;
}

/** Reports dropped lines, in the format of the logger that dropped the last one. */
export type DropReporter = (count: number) => void;

export const DEFAULT_MAX_PENDING_CHARS = 1024 * 1024;
const BATCH_CHARS = 65536;

export function droppedMessage(n: number): string {
  return `dropped ${n} log line(s) while stderr was full`;
}

export class LineSink {
  private pending: string[] = [];
  private pendingChars = 0;
  private scheduled = false;
  /** The target returned false and 'drain' has not come yet. */
  private full = false;
  private droppedNow = 0;
  private reporter: DropReporter | undefined;
  /** The warning about dropped lines is being queued: it is kept whatever the bound. */
  private reporting = false;
  /** Lines dropped since the sink was made (for tests and stats). */
  droppedTotal = 0;
  private readonly maxPending: number;
  private readonly batch: number;
  private readonly defer: (fn: () => void) => void;

  constructor(private readonly target: SinkTarget, o: LineSinkOptions = {}) {
    this.maxPending = o.maxPendingChars ?? DEFAULT_MAX_PENDING_CHARS;
    this.batch = o.batchChars ?? BATCH_CHARS;
    this.defer = o.defer ?? ((fn) => process.nextTick(fn));
  }

  /** Characters waiting to be written. */
  get pendingSize(): number {
    return this.pendingChars;
  }

  /** Queues one line (without its newline); `report` tells of lines dropped meanwhile, once stderr drains. */
  line(text: string, report?: DropReporter): void {
    const size = text.length + 1;
    if (this.full && !this.reporting && this.pendingChars + size > this.maxPending) {
      this.droppedNow++;
      this.droppedTotal++;
      this.reporter = report ?? this.reporter;
      return;
    }
    this.pending.push(text + '\n');
    this.pendingChars += size;
    if (this.full) return; // written at 'drain'
    if (this.pendingChars >= this.batch) this.write();
    else if (!this.scheduled) {
      this.scheduled = true;
      this.defer(() => {
        this.scheduled = false;
        if (!this.full) this.write();
      });
    }
  }

  /**
   * Writes what is pending now, full or not: before anything else goes to
   * stderr (to keep the order of the calls) and at exit. Bounded by
   * maxPendingChars.
   */
  flush(): void {
    this.write();
  }

  /** The count of lines dropped and not yet reported (they are reported at 'drain'). */
  get unreported(): number {
    return this.droppedNow;
  }

  /** At exit, when stderr can no longer drain: writes what is pending, then the count of lines dropped. */
  finish(): void {
    this.write();
    this.report();
    this.write();
  }

  private write(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    const ok = this.target.write(text);
    if (!ok && !this.full) {
      this.full = true;
      this.target.onceDrain(() => this.drained());
    }
  }

  private drained(): void {
    this.full = false;
    this.report();
    this.write();
  }

  /** Queues the warning about the lines dropped since the last one, if any. */
  private report(): void {
    const n = this.droppedNow;
    if (n === 0) return;
    this.droppedNow = 0;
    this.reporting = true;
    try {
      if (this.reporter) this.reporter(n);
      else this.line(`warn ${droppedMessage(n)}`);
    } finally {
      this.reporting = false;
    }
  }
}
