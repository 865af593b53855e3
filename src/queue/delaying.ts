/**
 * The delaying part of the work queue: at most one retry waiting per key,
 * each on its own timer. A retry that is cancelled (a newer item replaced
 * it, a pause, a drain) never fires.
 */
interface Waiting<E> {
  timer: NodeJS.Timeout;
  entry: E;
}

export class RetryTimers<E> {
  private readonly waiting = new Map<string, Waiting<E>>();

  /** True if a retry is waiting for key. */
  has(key: string): boolean {
    return this.waiting.has(key);
  }

  /** Retries waiting. */
  get size(): number {
    return this.waiting.size;
  }

  /** Calls due(entry) after ms, unless cancelled first. A retry already waiting for key is replaced. */
  schedule(key: string, entry: E, ms: number, due: (entry: E) => void): void {
    this.cancel(key);
    const timer = setTimeout(() => {
      if (this.waiting.get(key)?.entry !== entry) return;
      this.waiting.delete(key);
      due(entry);
    }, ms);
    this.waiting.set(key, { timer, entry });
  }

  /** Cancels key's waiting retry; true if there was one. */
  cancel(key: string): boolean {
    const w = this.waiting.get(key);
    if (!w) return false;
    clearTimeout(w.timer);
    this.waiting.delete(key);
    return true;
  }

  /** Cancels every waiting retry; returns their keys. */
  cancelAll(): Set<string> {
    const keys = new Set(this.waiting.keys());
    for (const key of keys) this.cancel(key);
    return keys;
  }
}
