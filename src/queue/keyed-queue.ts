/**
 * The keyed part of the work queue (client-go's workqueue.Type, per key):
 * - stingy: an entry added for a key that is waiting or running coalesces
 *   into one follow-up run with the latest entry; with coalescing off every
 *   entry is kept and run in order, up to maxPendingPerKey waiting per key,
 *   past which the key falls back to coalescing until it has no work left;
 * - never concurrent: a key is handed out to at most one run at a time;
 * - bounded: at most `concurrency` runs across keys.
 * A key's state lives while it runs, has entries waiting, or is held by
 * the caller (a retry waiting for it, see release()).
 */
interface KeyState<E> {
  /** Entries waiting to run, oldest first. */
  pending: E[];
  running: boolean;
  /** In the ready list. */
  queued: boolean;
  /** With coalescing off: the backlog reached maxPendingPerKey; this key coalesces until it has no work left. */
  fellBack?: boolean;
}

export interface KeyedQueueOptions {
  concurrency: number;
  coalesce: boolean;
  maxPendingPerKey: number;
  /** A key's ordered backlog is full (`waiting` entries): it coalesces from now on. */
  onFallBack: (key: string, waiting: number) => void;
}

export class KeyedQueue<E> {
  private readonly keys = new Map<string, KeyState<E>>();
  private readonly ready: string[] = [];
  private active = 0;

  constructor(private readonly o: KeyedQueueOptions) {}

  /** Runs handed out and not yet done(). */
  get running(): number {
    return this.active;
  }

  /** Keys with state: running, waiting, or held. */
  get size(): number {
    return this.keys.size;
  }

  /** Entries waiting to start, across keys. */
  get waiting(): number {
    let n = 0;
    for (const s of this.keys.values()) n += s.pending.length;
    return n;
  }

  /** Whether key has state: running, waiting, or held. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  hasWaiting(key: string): boolean {
    return (this.keys.get(key)?.pending.length ?? 0) > 0;
  }

  /** Keys whose run is going. */
  runningKeys(): string[] {
    return [...this.keys].filter(([, s]) => s.running).map(([k]) => k);
  }

  /** Makes sure key has state (so it is held while the caller decides). */
  touch(key: string): void {
    this.state(key);
  }

  /** Adds an entry for key; returns how many waiting entries it coalesced away. */
  push(key: string, entry: E): number {
    const s = this.state(key);
    if (!this.o.coalesce && !s.fellBack && s.pending.length >= this.o.maxPendingPerKey) {
      s.fellBack = true;
      this.o.onFallBack(key, s.pending.length);
    }
    let coalesced = 0;
    if ((this.o.coalesce || s.fellBack) && s.pending.length > 0) {
      coalesced = s.pending.length;
      s.pending.length = 0;
    }
    s.pending.push(entry);
    this.enqueue(key, s);
    return coalesced;
  }

  /** Puts an entry back first in line for key (a retry that is due). */
  pushFront(key: string, entry: E): void {
    const s = this.state(key);
    s.pending.unshift(entry);
    this.enqueue(key, s);
  }

  /** The next entry that may start now (marked running), or undefined. */
  take(): { key: string; entry: E } | undefined {
    while (this.active < this.o.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      const s = this.keys.get(key);
      if (!s) continue;
      s.queued = false;
      const entry = s.pending.shift();
      if (s.running || entry === undefined) continue;
      s.running = true;
      this.active++;
      return { key, entry };
    }
    return undefined;
  }

  /** The run of key has ended. */
  done(key: string): void {
    const s = this.keys.get(key);
    if (!s?.running) return;
    s.running = false;
    this.active--;
  }

  /** After a run: drops key's state if it has no work left and is not held, else queues its next entry. */
  release(key: string, held: boolean): void {
    const s = this.keys.get(key);
    if (!s) return;
    if (!s.running && !held && s.pending.length === 0) this.keys.delete(key);
    else this.enqueue(key, s);
  }

  /**
   * Drops every waiting entry; keys not running lose their state. Returns
   * the keys that had entries waiting or are in `held` (their retries were
   * dropped by the caller).
   */
  dropWaiting(held: ReadonlySet<string>): string[] {
    const dropped: string[] = [];
    for (const [key, s] of this.keys) {
      if (s.pending.length > 0 || held.has(key)) dropped.push(key);
      s.pending.length = 0;
      s.queued = false;
      if (!s.running) this.keys.delete(key);
    }
    this.ready.length = 0;
    return dropped;
  }

  private state(key: string): KeyState<E> {
    let s = this.keys.get(key);
    if (!s) {
      s = { pending: [], running: false, queued: false };
      this.keys.set(key, s);
    }
    return s;
  }

  private enqueue(key: string, s: KeyState<E>): void {
    if (!s.running && !s.queued && s.pending.length > 0) {
      s.queued = true;
      this.ready.push(key);
    }
  }
}
