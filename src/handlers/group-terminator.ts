/**
 * Ending a handler's process group: SIGTERM to the whole group, SIGKILL
 * after the kill grace, and, once the leader (the handler) has exited,
 * watching until nothing of the group is left. A handler that exits on its
 * own but leaves processes behind in its group (a `sleep &`) gets the same
 * treatment for them.
 */
import { groupAlive, signalGroup } from './process-group.js';

/** How often a group whose leader exited is checked. */
const POLL_MS = 25;

export interface GroupTerminatorOptions {
  /** Between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /** The leader exited on its own and left processes running: they are about to get SIGTERM. */
  onLeftBehind: () => void;
  /** The group outlived the kill grace: SIGKILL follows. */
  onStillRunning: () => void;
  /** The leader exited and nothing of the group is left. Called once. */
  onGone: () => void;
}

export class GroupTerminator {
  private terminating = false;
  private leaderExited = false;
  private gone = false;
  private disposed = false;
  private killTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(readonly pgid: number, private readonly o: GroupTerminatorOptions) {}

  /** SIGTERM to the group now, SIGKILL after the kill grace. Only the first call acts. */
  terminate(): void {
    if (this.terminating) return;
    this.terminating = true;
    signalGroup(this.pgid, 'SIGTERM');
    this.killTimer = setTimeout(() => this.escalate(), this.o.killGraceMs);
  }

  /** The leader exited: onGone once the group is empty, terminating what it left behind. */
  leaderExit(): void {
    this.leaderExited = true;
    if (!groupAlive(this.pgid)) {
      this.markGone();
      return;
    }
    if (!this.terminating) {
      this.o.onLeftBehind();
      this.terminate();
    }
    this.poll();
  }

  /** Stops every timer; no callback runs after this. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.killTimer);
    clearTimeout(this.pollTimer);
  }

  private poll(): void {
    clearTimeout(this.pollTimer);
    if (this.disposed || this.gone) return;
    if (!groupAlive(this.pgid)) {
      this.markGone();
      return;
    }
    this.pollTimer = setTimeout(() => this.poll(), POLL_MS);
  }

  private escalate(): void {
    if (this.disposed) return;
    if (groupAlive(this.pgid)) this.o.onStillRunning();
    signalGroup(this.pgid, 'SIGKILL');
    // Nothing survives SIGKILL; what is left are zombies waiting to be reaped.
    if (this.leaderExited) this.markGone();
  }

  private markGone(): void {
    if (this.gone) return;
    this.gone = true;
    clearTimeout(this.killTimer);
    clearTimeout(this.pollTimer);
    this.o.onGone();
  }
}
