/**
 * Readiness, from the reflectors' hooks: ready once every reflector has
 * listed and established its watch; not ready while any watch has been down
 * for longer than the stall timeout (a short reconnect does not flap it).
 */
export interface WatchHooks {
  onSynced: () => void;
  onWatchState: (up: boolean) => void;
  /** Forgets the watch (its reflector was replaced): it no longer counts. */
  release: () => void;
}

interface WatchState {
  name: string;
  synced: boolean;
  /** The watch has been established at least once. */
  established: boolean;
  up: boolean;
  /** When the watch went down (ms), while it is down. */
  downSince: number | undefined;
}

export interface ReadinessCheck {
  ready: boolean;
  /** One line per watch that is not ready. */
  reasons: string[];
}

export class Readiness {
  private readonly watches: WatchState[] = [];
  /** Resources being waited for (not served yet): each is a reason. */
  private readonly waits = new Set<{ name: string }>();

  constructor(private readonly stallTimeoutMs: number, private readonly now: () => number = Date.now) {}

  /** Hooks for one reflector, named for the reasons (e.g. its namespace). */
  track(name: string): WatchHooks {
    const w: WatchState = { name, synced: false, established: false, up: false, downSince: undefined };
    this.watches.push(w);
    return {
      onSynced: () => {
        w.synced = true;
      },
      onWatchState: (up) => {
        w.up = up;
        if (up) {
          w.established = true;
          w.downSince = undefined;
        } else {
          w.downSince = this.now();
        }
      },
      release: () => {
        const i = this.watches.indexOf(w);
        if (i >= 0) this.watches.splice(i, 1);
      },
    };
  }

  /** A resource waited for (e.g. a CRD not served yet), named in the reasons until the returned function is called. */
  wait(name: string): () => void {
    const w = { name };
    this.waits.add(w);
    return () => {
      this.waits.delete(w);
    };
  }

  /** True when every watch is up. */
  get watching(): boolean {
    return this.waits.size === 0 && this.watches.length > 0 && this.watches.every((w) => w.up);
  }

  check(): ReadinessCheck {
    const reasons: string[] = [];
    const now = this.now();
    for (const w of this.waits) reasons.push(w.name);
    if (this.watches.length === 0 && this.waits.size === 0) reasons.push('no watch started yet');
    for (const w of this.watches) {
      if (!w.synced) reasons.push(`${w.name}: first list not done yet`);
      else if (!w.established) reasons.push(`${w.name}: watch not established yet`);
      else if (!w.up && w.downSince !== undefined && now - w.downSince > this.stallTimeoutMs) {
        reasons.push(`${w.name}: watch down for ${Math.round((now - w.downSince) / 1000)} s (longer than the stall timeout)`);
      }
    }
    return { ready: reasons.length === 0, reasons };
  }
}
