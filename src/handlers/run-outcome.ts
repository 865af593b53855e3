/** What one handler run came to, gathered while it runs and built into a RunResult at the end. */

export interface RunResult {
  /** The handler's exit code; null when it was ended by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Killed because the shutdown grace ran out. */
  killed: boolean;
  durationMs: number;
  /** Set when the program could not be started at all. */
  spawnError?: string;
}

/** A program that spawn() refused at once. */
export function notStarted(message: string): RunResult {
  return { code: null, signal: null, timedOut: false, killed: false, durationMs: 0, spawnError: message };
}

export class RunOutcome {
  /** How the handler (the group's leader) exited, once it has. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  timedOut = false;
  killed = false;
  spawnError: string | undefined;

  constructor(private readonly started: number = Date.now()) {}

  result(now: number = Date.now()): RunResult {
    return {
      code: this.exit?.code ?? null, signal: this.exit?.signal ?? null, timedOut: this.timedOut, killed: this.killed,
      durationMs: now - this.started, ...(this.spawnError ? { spawnError: this.spawnError } : {}),
    };
  }
}
