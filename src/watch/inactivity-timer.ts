/**
 * An inactivity timer: fires once when `touch()` has not been called for
 * `ms`. Used for stall detection of a list or watch: it is re-armed by every
 * byte that arrives, never a limit on the whole request (a healthy watch may
 * stay open for ten minutes). Touching or stopping after it fired or stopped
 * does nothing, so a late byte cannot resurrect it.
 */
export class InactivityTimer {
  private timer: NodeJS.Timeout | undefined;
  private over = false;
  fired = false;

  constructor(private readonly ms: number, private readonly onIdle: () => void) {}

  /** Starts the timer, or restarts its countdown. */
  touch(): void {
    if (this.over) return;
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      this.over = true;
      this.fired = true;
      this.timer = undefined;
      this.onIdle();
    }, this.ms);
  }

  stop(): void {
    this.over = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
