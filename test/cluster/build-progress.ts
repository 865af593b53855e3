// Progress for the cold control-plane build: every line build.sh logs gets the
// elapsed time, each binary is announced with its time when it appears, and a
// heartbeat line is written when nothing else was said for `heartbeatMs`
// (30 s by default), so a 12-minute `go build` is never silent.

export interface ProgressClock {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface ProgressOptions {
  binaries: readonly string[];
  write: (line: string) => void;
  clock?: ProgressClock;
  heartbeatMs?: number;
}

const realClock: ProgressClock = {
  now: () => Date.now(),
  setInterval: (fn, ms) => {
    const t = setInterval(fn, ms);
    t.unref();
    return t;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** `7 s`, `2 min 05 s`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export class BuildProgress {
  private readonly clock: ProgressClock;
  private readonly heartbeatMs: number;
  private readonly t0: number;
  private lastSaid: number;
  private readonly done = new Map<string, number>();
  private timer: unknown;

  constructor(private readonly opts: ProgressOptions) {
    this.clock = opts.clock ?? realClock;
    this.heartbeatMs = opts.heartbeatMs ?? 30_000;
    this.t0 = this.clock.now();
    this.lastSaid = this.t0;
  }

  /** Starts the heartbeat; checks a few times per period so the gap never exceeds it. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = this.clock.setInterval(() => this.tick(), Math.max(1, Math.floor(this.heartbeatMs / 3)));
  }

  stop(): void {
    if (this.timer === undefined) return;
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A line from build.sh, with the elapsed time in front. */
  line(text: string): void {
    this.say(`[${formatElapsed(this.elapsed())}] ${text}`);
  }

  /**
   * A binary appeared; announced once, with the time it was written (`at`,
   * e.g. the file's mtime, when it was noticed later), else now.
   */
  binary(name: string, at?: number): void {
    if (this.done.has(name)) return;
    const elapsed = Math.max(0, (at ?? this.clock.now()) - this.t0);
    this.done.set(name, elapsed);
    this.say(`[${formatElapsed(elapsed)}] built ${name} (${this.done.size}/${this.opts.binaries.length})`);
  }

  /** The heartbeat: says what is still pending when nothing was said for heartbeatMs. */
  tick(): void {
    if (this.clock.now() - this.lastSaid < this.heartbeatMs) return;
    const pending = this.opts.binaries.filter((b) => !this.done.has(b));
    const what = pending.length > 0 ? `waiting for ${pending.join(', ')}` : 'finishing';
    this.say(`[${formatElapsed(this.elapsed())}] still building: ${this.done.size}/${this.opts.binaries.length} binaries done, ${what}`);
  }

  private elapsed(): number {
    return this.clock.now() - this.t0;
  }

  private say(text: string): void {
    this.lastSaid = this.clock.now();
    this.opts.write(`[cluster-build] ${text}`);
  }
}
