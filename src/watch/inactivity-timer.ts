/**
 * An inactivity timer: fires once when `touch()` has not been called for
 * `ms`. Used for stall detection of a list or watch: it is re-armed by every
 * byte that arrives, never a limit on the whole request (a healthy watch may
 * stay open for ten minutes). Touching or stopping after it fired or stopped
 * does nothing, so a late byte cannot resurrect it.
 *
 * `pause()` holds it while cmwatch itself is the slow side (a consumer that
 * has not taken the last event yet, so nothing more is read from the socket):
 * that silence is not a stall. `resume()` starts a fresh countdown.
 */
export class InactivityTimer {
  private timer: NodeJS.Timeout | undefined;
  private over = false;
  private paused = false;
  fired = false;

  constructor(private readonly ms: number, private readonly onIdle: () => void) {}

  /** Starts the timer, or restarts its countdown (not while paused). */
  touch(): void {
    if (this.over || this.paused) return;
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

  /** Stops the countdown until resume(); bytes arriving meanwhile do not restart it. */
  pause(): void {
    if (this.over || this.paused) return;
    this.paused = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Ends a pause with a full countdown. */
  resume(): void {
    if (this.over || !this.paused) return;
    this.paused = false;
    this.touch();
  }

  stop(): void {
    this.over = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
