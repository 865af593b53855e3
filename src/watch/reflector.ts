/**
 * The reflector (client-go's semantics, behind the ListWatchSource seam):
 * list (paged), then watch from the list's resource version; re-watch at once
 * after a clean end; relist and diff after an expiry; back off on failures;
 * abort a stream that stalls. It remembers only (resourceVersion, content
 * hash) per key and delivers changes, not repeats.
 *
 * What happens after each failure (see classifyFailure):
 *   clean end .................. re-watch now from the last resource version
 *   410 / ERROR Expired|Gone ... relist now and diff (backs off if the watch
 *                                never got past the list's resource version)
 *   stall ...................... re-watch now (the wait was the stall timeout)
 *   early close, malformed line,
 *   429, 5xx, network .......... back off (Retry-After if given), retry the
 *                                same step (a list is retried as a list)
 *   401, 403, 404 .............. one-line error; retry at the capped backoff,
 *                                or fail with exit code 3 (--exit-on-error)
 *   anything else .............. back off, then relist
 */
import { ApiError } from '../kube/api-error.js';
import type { K8sStatus } from '../kube/api-error.js';
import { CmwatchError, oneLine } from '../util/errors.js';
import { ExitCode } from '../util/exit-codes.js';
import { formatDuration } from '../util/duration.js';
import type { Logger } from '../util/log.js';
import { Backoff, sleep as realSleep } from './backoff.js';
import { classifyFailure, EarlyCloseError, MalformedEventError, StallError, type Failure } from './failure.js';
import { ChangeDetector } from './change-detector.js';
import { InactivityTimer } from './inactivity-timer.js';
import type { ListWatchSource } from './source.js';
import { keyOf, type EventType, type K8sObject, type WatchEvent, type WireEvent } from './types.js';

export interface Delivery extends WatchEvent {
  key: string;
  /** Where it came from: the initial list, a live watch event, or a relist diff. */
  via?: 'list' | 'watch' | 'relist';
}

export interface ReflectorStats {
  /** Deliveries made. */
  events: number;
  /** Events not delivered, by reason: unchanged, duplicate, unknown_delete. */
  skipped: Record<string, number>;
  /** Watch restarts, by reason: closed, expired, stall, http_503... */
  restarts: Record<string, number>;
  relists: number;
  malformed: number;
}

export interface ReflectorOptions {
  source: ListWatchSource;
  log: Logger;
  signal: AbortSignal;
  /** Receives every change after detection; must not throw. */
  onEvent: (ev: Delivery) => void;
  /** Called after each list is delivered and after each watch is established. */
  onSynced?: () => void;
  /** Called when the watch goes up or down (only on a change), for readiness. */
  onWatchState?: (up: boolean) => void;
  /** Annotations that count as content for change detection. */
  contentAnnotations?: readonly string[];
  /** 'content' skips MODIFIED events whose content hash did not change. */
  trigger?: 'content' | 'any';
  /** List page size (`limit`). */
  pageSize?: number;
  /** Abort a list or watch when no byte arrives for this long. */
  stallTimeoutMs?: number;
  /** A watch that ends sooner than this with nothing delivered is a failure. */
  minWatchMs?: number;
  /** The watch's timeoutSeconds, drawn for each watch (default 300–600). */
  timeoutSeconds?: () => number;
  backoff?: Backoff;
  /** 401/403/404 reject run() with exit code 3 instead of being retried. */
  exitOnError?: boolean;
  /** Clock and sleep, replaceable in tests. */
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Consecutive malformed streams at one resource version before relisting. */
const MALFORMED_BEFORE_RELIST = 3;
/** An upper bound on a server's Retry-After, in case of a nonsensical value. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

export function randomWatchTimeout(): number {
  return 300 + Math.floor(Math.random() * 301);
}

type Step = 'list' | 'watch';

export class Reflector {
  readonly stats: ReflectorStats = { events: 0, skipped: {}, restarts: {}, relists: 0, malformed: 0 };
  /** The last resource version seen (list, event or bookmark). Opaque. */
  resourceVersion = '';
  /** Per key: resource version and content hash (change detection). */
  private readonly changes: ChangeDetector;
  private readonly o: Required<Omit<ReflectorOptions, 'onSynced' | 'onWatchState'>> & Pick<ReflectorOptions, 'onSynced' | 'onWatchState'>;
  private synced = false;
  /** The resource version of the last list: a watch that expires before passing it backs off. */
  private listRv = '';
  private up = false;
  /** A failure happened since the last established watch (for the "reconnected" line). */
  private recovering = false;
  private malformedRv: string | undefined;
  private malformedCount = 0;

  constructor(opts: ReflectorOptions) {
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as ReflectorOptions;
    this.o = {
      contentAnnotations: [], trigger: 'content', pageSize: 500, stallTimeoutMs: 180_000, minWatchMs: 1000,
      timeoutSeconds: randomWatchTimeout, exitOnError: false, now: Date.now, sleep: realSleep,
      ...given,
      backoff: given.backoff ?? new Backoff({ now: given.now ?? Date.now }),
    };
    this.changes = new ChangeDetector({ contentAnnotations: this.o.contentAnnotations, trigger: this.o.trigger, unknownKeys: 'infer' });
  }

  /** How many objects are known. */
  get size(): number {
    return this.changes.size;
  }

  /**
   * Runs until the signal aborts, then resolves. Rejects only on a fatal
   * error: a 401/403/404 with exitOnError (exit code 3).
   */
  async run(): Promise<void> {
    const { signal } = this.o;
    let step: Step = 'list';
    try {
      while (!signal.aborted) {
        try {
          if (step === 'list') {
            await this.list();
            step = 'watch';
          } else {
            await this.watch();
            if (signal.aborted) break;
            this.count(this.stats.restarts, 'closed');
            this.o.log.debug(`watch ${this.o.source.description} ended (server timeout or EOF); re-watching from resource version ${this.resourceVersion}`, { reason: 'closed' });
          }
        } catch (err) {
          this.setUp(false);
          if (signal.aborted) break;
          this.recovering = true;
          const { delay, next } = this.decide(err, step);
          step = next;
          if (delay > 0) await this.o.sleep(delay, signal);
        }
      }
    } finally {
      this.setUp(false);
      const st = this.stats;
      const fmt = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
      this.o.log.debug(`watch ${this.o.source.description} stopped: ${st.events} delivered, ${st.relists} relist(s); skipped: ${fmt(st.skipped)}; restarts: ${fmt(st.restarts)}`);
    }
  }

  private count(bucket: Record<string, number>, reason: string): void {
    bucket[reason] = (bucket[reason] ?? 0) + 1;
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.o.onWatchState?.(up);
  }

  /** Decides what a failure means: how long to wait, and whether to list or watch next. */
  private decide(err: unknown, step: Step): { delay: number; next: Step } {
    const { log, backoff, source } = this.o;
    const f: Failure = classifyFailure(err);
    this.count(this.stats.restarts, f.reason);
    const what = step === 'list' ? `list ${source.description}` : `watch ${source.description}`;
    const retry = (delay: number, next: Step, level: 'warn' | 'error' = 'warn') => {
      const then = next === 'list' ? (step === 'list' ? 'listing again' : 'relisting') : `re-watching from resource version ${this.resourceVersion}`;
      log[level](`${oneLine(err)}; ${then} in ${formatDuration(delay)}`, { reason: f.reason });
      return { delay, next };
    };

    switch (f.kind) {
      case 'expired': {
        if (step === 'list') return retry(backoff.next(), 'list');
        // A watch that expires before getting past the list it started from
        // would relist in a hot loop: back off then.
        if (this.resourceVersion === this.listRv) return retry(backoff.next(), 'list');
        log.info(`watch ${source.description}: resource version ${this.resourceVersion} expired (${oneLine(err)}); relisting`, { reason: 'expired' });
        return { delay: 0, next: 'list' };
      }
      case 'stall':
        if (step === 'list') return retry(backoff.next(), 'list');
        log.warn(`${err instanceof Error ? err.message : String(err)} on ${source.description}; re-watching from resource version ${this.resourceVersion}`, { reason: 'stall' });
        return { delay: 0, next: 'watch' };
      case 'malformed': {
        this.stats.malformed++;
        if (this.malformedRv === this.resourceVersion) this.malformedCount++;
        else {
          this.malformedRv = this.resourceVersion;
          this.malformedCount = 1;
        }
        if (this.malformedCount >= MALFORMED_BEFORE_RELIST) {
          this.malformedCount = 0;
          this.malformedRv = undefined;
          return retry(backoff.next(), 'list');
        }
        return retry(backoff.next(), step);
      }
      case 'throttled':
      case 'server': {
        if (f.retryAfterMs !== undefined) {
          const delay = Math.min(Math.max(0, f.retryAfterMs), MAX_RETRY_AFTER_MS);
          backoff.waited(delay);
          return retry(delay, step);
        }
        return retry(backoff.next(), step);
      }
      case 'early_close':
      case 'network':
        return retry(backoff.next(), step);
      case 'permanent': {
        if (this.o.exitOnError) {
          const e = err as ApiError;
          throw new CmwatchError(e.code, e.message, { hint: e.hint, cause: e, exitCode: ExitCode.ApiPermanent });
        }
        return retry(backoff.capped(), step, 'error');
      }
      case 'other':
        return retry(backoff.next(), 'list');
    }
  }

  /** Lists every page, then diffs against what is known and delivers the differences. */
  private async list(): Promise<void> {
    const { source, signal, log, stallTimeoutMs } = this.o;
    const initial = !this.synced;
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = new InactivityTimer(stallTimeoutMs, () => ac.abort());
    const touch = () => timer.touch();
    const items: K8sObject[] = [];
    let rv = '';
    try {
      let cont: string | undefined;
      let limit: number | undefined = this.o.pageSize;
      log.debug(`listing ${source.description}`, { limit });
      for (;;) {
        let page;
        touch();
        try {
          page = await source.list({ limit, continue: cont, signal: ac.signal, onBytes: touch });
        } catch (err) {
          if (cont && err instanceof ApiError && err.expired && !timer.fired) {
            // The continue token expired mid-list: start over with one full list.
            log.warn(`list ${source.description}: continue token expired; listing again in one page`, { reason: 'expired' });
            items.length = 0;
            cont = undefined;
            limit = undefined;
            continue;
          }
          throw err;
        }
        for (const it of page.items) items.push(it);
        rv = page.resourceVersion;
        if (!page.continue) break;
        cont = page.continue;
      }
    } catch (err) {
      if (timer.fired && !signal.aborted) throw new StallError(stallTimeoutMs, 'list');
      throw err;
    } finally {
      timer.stop();
      signal.removeEventListener('abort', onAbort);
    }
    if (signal.aborted) return;
    this.applyList(items, initial);
    this.resourceVersion = rv;
    this.listRv = rv;
    this.synced = true;
    this.o.onSynced?.();
  }

  private applyList(items: K8sObject[], initial: boolean): void {
    const { log, source } = this.o;
    const seen = new Set<string>();
    let added = 0, modified = 0, deleted = 0, unchanged = 0;
    for (const obj of items) {
      const key = keyOf(obj);
      seen.add(key);
      const diff = this.changes.listed(key, obj);
      if (initial) {
        this.deliver('SYNC', obj, key, 'list');
      } else if (diff === 'ADDED') {
        added++;
        this.deliver('ADDED', obj, key, 'relist');
      } else if (diff === 'MODIFIED') {
        modified++;
        this.deliver('MODIFIED', obj, key, 'relist');
      } else {
        unchanged++;
        if (diff === 'unchanged') this.count(this.stats.skipped, 'unchanged');
      }
    }
    if (!initial) {
      this.stats.relists++;
      for (const { key, rv } of this.changes.sweep(seen)) {
        deleted++;
        // The final state is unknown (client-go's DeletedFinalStateUnknown):
        // only the identity and the last resource version seen are delivered.
        this.deliver('DELETED', { kind: 'ConfigMap', apiVersion: 'v1', metadata: identity(key, rv) }, key, 'relist');
      }
      log.info(`relisted ${items.length} object(s) from ${source.description}: ${added} added, ${modified} modified, ${deleted} deleted, ${unchanged} unchanged`, { reason: 'relist' });
    } else {
      log.info(`synced ${items.length} object(s) from ${source.description}`);
    }
  }

  private deliver(type: EventType, object: K8sObject, key: string, via: Delivery['via']): void {
    this.stats.events++;
    this.o.onEvent({ type, object, key, via });
  }

  /** One watch request, from the remembered resource version until the stream ends. */
  private async watch(): Promise<void> {
    const { source, signal, log, stallTimeoutMs } = this.o;
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = new InactivityTimer(stallTimeoutMs, () => ac.abort());
    let established = 0;
    let received = 0;
    try {
      timer.touch();
      const timeoutSeconds = this.o.timeoutSeconds();
      log.debug(`watching ${source.description} from resource version ${this.resourceVersion}`, { timeoutSeconds });
      const events = await source.watch({
        resourceVersion: this.resourceVersion, timeoutSeconds, signal: ac.signal,
        onBytes: () => timer.touch(),
      });
      established = this.o.now();
      this.setUp(true);
      if (this.recovering) {
        this.recovering = false;
        log.info(`watch ${source.description} re-established from resource version ${this.resourceVersion}`, { reason: 'reconnected' });
      }
      this.o.onSynced?.();
      for await (const raw of events) {
        received++;
        this.apply(raw);
      }
    } catch (err) {
      if (timer.fired && !signal.aborted) throw new StallError(stallTimeoutMs);
      throw err;
    } finally {
      timer.stop();
      signal.removeEventListener('abort', onAbort);
    }
    if (signal.aborted) return;
    if (timer.fired) throw new StallError(stallTimeoutMs);
    const lived = this.o.now() - established;
    if (received === 0 && lived < this.o.minWatchMs) throw new EarlyCloseError(lived);
  }

  private apply(raw: unknown): void {
    const { log, source } = this.o;
    const ev = raw as WireEvent;
    if (!ev || typeof ev !== 'object' || typeof ev.type !== 'string' || !ev.object || typeof ev.object !== 'object') {
      throw new MalformedEventError('a line is not a {"type","object"} event');
    }
    if (ev.type === 'ERROR') {
      const st = ev.object as K8sStatus;
      throw new ApiError({
        status: typeof st.code === 'number' ? st.code : 500, verb: 'watch', url: source.description, resource: 'configmaps',
        statusObject: { ...st, kind: 'Status' },
      });
    }
    const obj = ev.object as K8sObject;
    const rv = obj.metadata?.resourceVersion;
    if (ev.type === 'BOOKMARK') {
      if (rv) this.resourceVersion = rv;
      return;
    }
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') {
      log.warn(`unknown watch event type "${ev.type}" on ${source.description}, skipped`, { reason: 'unknown_type' });
      return;
    }
    const key = keyOf(obj);
    if (!obj.metadata?.name) throw new MalformedEventError(`${ev.type} event without metadata.name`);
    if (rv) this.resourceVersion = rv;
    this.detect(ev.type, obj, key, rv ?? '');
  }

  /**
   * Change detection for one watch event. The delivered type follows what is
   * known (as client-go's informer does): an ADDED for a known key is a
   * MODIFIED, a MODIFIED for an unknown key is an ADDED.
   */
  private detect(wireType: 'ADDED' | 'MODIFIED' | 'DELETED', obj: K8sObject, key: string, rv: string): void {
    const d = this.changes.event(wireType, key, obj);
    if ('deliver' in d) {
      this.deliver(d.deliver, obj, key, 'watch');
      return;
    }
    this.count(this.stats.skipped, d.skip);
    const why =
      d.skip === 'unknown_delete' ? 'not known (already delivered)' :
      d.skip === 'duplicate' ? `resource version ${rv} already seen` : 'content unchanged';
    this.o.log.debug(`${wireType} ${key} skipped: ${why}`, { rv });
  }
}

function identity(key: string, rv: string): K8sObject['metadata'] {
  const slash = key.indexOf('/');
  return slash >= 0
    ? { namespace: key.slice(0, slash), name: key.slice(slash + 1), resourceVersion: rv }
    : { name: key, resourceVersion: rv };
}
