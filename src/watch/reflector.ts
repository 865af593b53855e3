/**
 * The reflector (client-go's semantics, behind the ListWatchSource seam):
 * list (paged), then watch from the list's resource version; re-watch at once
 * after a clean end; relist and diff after an expiry; back off on failures;
 * abort a stream that stalls. It works for any resource: what counts as a
 * change is the content function passed in (content.ts), and change
 * detection and delivery are the stage it shares with replay (delivery.ts),
 * which remembers only (resourceVersion, content hash) per key and delivers
 * changes, not repeats.
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
 *                                or reject run() with the ApiError (exitOnError)
 *   a bad body (not a list, a
 *   list past its bounds, an
 *   ERROR with an empty Status)  one-line error; back off, retry the same step
 *   anything else .............. back off, then relist
 *
 * Resource versions (api/resource-version.ts): when two are comparable, the
 * resume point never moves back, and an event older than what was delivered
 * for its key is skipped as stale. Objects of another kind than the source's
 * are skipped with a warning (shape.ts).
 *
 * Backpressure (consumer.ts): an onEvent that returns a promise is waited for
 * before the next item, with the stall timer paused and the root signal able
 * to end the wait.
 */
import { isOlderResourceVersion } from '../api/resource-version.js';
import { ApiError } from '../api/api-error.js';
import { oneLine } from '../base/errors.js';
import { formatDuration } from '../base/duration.js';
import type { Logger } from '../base/logger.js';
import { Backoff, sleep as realSleep } from '../base/backoff.js';
import { classifyFailure, EarlyCloseError, MalformedEventError, StallError, type Failure } from './failure.js';
import { ChangeDelivery, type Delivery, type DeliveryHandler } from './delivery.js';
import type { ContentFunction } from './content.js';
import { settledOrAborted } from './consumer.js';
import { InactivityTimer } from './inactivity-timer.js';
import { DEFAULT_MAX_LIST_OBJECTS, DEFAULT_MAX_LIST_PAGE_BYTES, DEFAULT_MAX_LIST_PAGES } from './list-bounds.js';
import { listPages } from './list-pages.js';
import { errorEventFailure, foreignKind, objectProblem, outOfScope } from './shape.js';
import type { ListWatchSource } from './source.js';
import { keyOf, type K8sObject, type WireEvent } from '../api/types.js';

export type { Delivery, DeliveryHandler };

export interface ReflectorStats {
  /** Deliveries made. */
  events: number;
  /**
   * Events not delivered, by reason: unchanged, duplicate, unknown_delete,
   * stale (older than the key's last delivery), stale_bookmark (a bookmark
   * older than the resume point), foreign_kind (an object of another kind).
   */
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
  /**
   * Receives every change after detection; must not throw. A returned promise
   * is waited for before the next item (backpressure); the root signal ends
   * the wait.
   */
  onEvent: DeliveryHandler;
  /** Called after each list is delivered and after each watch is established. */
  onSynced?: () => void;
  /**
   * Called when a list (the first, or a relist) has been delivered, before
   * the watch starts; awaited (--state compares the list with its store).
   */
  onListed?: (initial: boolean) => void | Promise<void>;
  /** Called when the watch goes up or down (only on a change), for readiness. */
  onWatchState?: (up: boolean) => void;
  /** What counts as a change: the object → the text that is hashed (content.ts, e.g. configMapContent). */
  content: ContentFunction;
  /** 'content' skips MODIFIED events whose content hash did not change. */
  trigger?: 'content' | 'any';
  /** List page size (`limit`). */
  pageSize?: number;
  /** The most objects one list may have, all pages together (default 1,000,000). */
  maxListObjects?: number;
  /** The most pages one list may have (default 10,000). */
  maxListPages?: number;
  /** The most bytes of one list page's body (default 64 MiB). */
  maxListPageBytes?: number;
  /** Abort a list or watch when no byte arrives for this long. */
  stallTimeoutMs?: number;
  /** A watch that ends sooner than this with nothing delivered is a failure. */
  minWatchMs?: number;
  /** The watch's timeoutSeconds, drawn for each watch (default 300–600). */
  timeoutSeconds?: () => number;
  backoff?: Backoff;
  /** 401/403/404 reject run() with the ApiError instead of being retried. */
  exitOnError?: boolean;
  /**
   * A 404 rejects run() with the ApiError instead of being retried: the
   * resource itself may be gone (its CRD deleted), which the caller checks
   * through discovery. run() may then be called again: it relists and diffs.
   */
  rejectNotFound?: boolean;
  /**
   * How the objects of the first list are delivered: SYNC (the baseline, the
   * default), or ADDED for a resource that appeared after start (a CRD applied
   * later), whose objects are all new.
   */
  initialAs?: 'SYNC' | 'ADDED';
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
  /** Change detection and delivery (per key: resource version and content hash). */
  private readonly delivery: ChangeDelivery;
  private readonly o: Required<Omit<ReflectorOptions, 'onSynced' | 'onWatchState' | 'onListed'>> & Pick<ReflectorOptions, 'onSynced' | 'onWatchState' | 'onListed'>;
  /** The signal of the options: every run ends when it aborts (o.signal is the current run's). */
  private readonly root: AbortSignal;
  private synced = false;
  /** The resource version of the last list: a watch that expires before passing it backs off. */
  private listRv = '';
  /** A watch was refused as ahead of the server (ResourceVersionTooLarge): the next list's version is taken even if older. */
  private adoptNextList = false;
  private up = false;
  /** A failure happened since the last established watch (for the "reconnected" line). */
  private recovering = false;
  private malformedRv: string | undefined;
  private malformedCount = 0;

  constructor(opts: ReflectorOptions) {
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as ReflectorOptions;
    this.o = {
      trigger: 'content', pageSize: 500, stallTimeoutMs: 180_000, minWatchMs: 1000,
      maxListObjects: DEFAULT_MAX_LIST_OBJECTS, maxListPages: DEFAULT_MAX_LIST_PAGES, maxListPageBytes: DEFAULT_MAX_LIST_PAGE_BYTES,
      timeoutSeconds: randomWatchTimeout, exitOnError: false, rejectNotFound: false, initialAs: 'SYNC', now: Date.now, sleep: realSleep,
      ...given,
      backoff: given.backoff ?? new Backoff({ now: given.now ?? Date.now }),
    };
    this.root = this.o.signal;
    this.delivery = new ChangeDelivery({
      content: this.o.content, trigger: this.o.trigger, unknownKeys: 'infer', onEvent: this.o.onEvent, stats: this.stats,
    });
  }

  /** How many objects are known. */
  get size(): number {
    return this.delivery.size;
  }

  /** Whether a list has been delivered (later lists are relists: diffs). */
  get listed(): boolean {
    return this.synced;
  }

  /**
   * Between runs: list and watch through another source (the same resource
   * served in another version), and deliver a first list as `initialAs`
   * (when none was delivered yet). What is known is kept, so the next run's
   * list is a diff.
   */
  retarget(o: { source?: ListWatchSource; initialAs?: 'SYNC' | 'ADDED' }): void {
    if (o.source) this.o.source = o.source;
    if (o.initialAs) this.o.initialAs = o.initialAs;
  }

  /**
   * Runs until the signal aborts, then resolves. Rejects only on a fatal
   * error: a 401/403/404 with exitOnError, a 404 with rejectNotFound (the
   * ApiError itself), or a selector the server refused (SelectorRejectedError).
   * After a rejection run() may be called again: it relists and diffs.
   * `stop` ends this run early (as the options' signal does, which ends
   * every run); a later run() goes on from what is known.
   */
  async run(stop?: AbortSignal): Promise<void> {
    this.o.signal = stop ? AbortSignal.any([this.root, stop]) : this.root;
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
      case 'malformed':
        return retry(backoff.next(), this.malformedAgain() ? 'list' : step);
      case 'too_large':
        if (step === 'watch') {
          // The server is behind the resume point: its versions went back (etcd restored from a
          // backup). Only the next list can say where it is now; that list's version is adopted.
          this.adoptNextList = true;
          return retry(backoff.next(), 'list', 'error');
        }
        return retry(this.serverDelay(f.retryAfterMs), step);
      case 'throttled':
      case 'server':
        return retry(this.serverDelay(f.retryAfterMs), step);
      case 'early_close':
      case 'network':
        return retry(backoff.next(), step);
      case 'bad_response':
        return retry(backoff.next(), step, f.level ?? 'error');
      case 'permanent': {
        if (this.o.exitOnError || (this.o.rejectNotFound && err instanceof ApiError && err.status === 404)) {
          // The ApiError itself, status and all; the CLI maps its code (API_401/403/404) to exit 3.
          throw err;
        }
        return retry(backoff.capped(), step, 'error');
      }
      case 'rejected':
        // The server refused a selector (400): every retry would get the same answer. The
        // SelectorRejectedError itself; the CLI maps its code (E_SELECTOR_REJECTED) to exit 2.
        throw err;
      case 'other':
        return retry(backoff.next(), 'list');
    }
  }

  /**
   * Counts a malformed stream; true when it is the MALFORMED_BEFORE_RELIST-th
   * in a row at the same resource version (then relist).
   */
  private malformedAgain(): boolean {
    this.stats.malformed++;
    if (this.malformedRv === this.resourceVersion) this.malformedCount++;
    else {
      this.malformedRv = this.resourceVersion;
      this.malformedCount = 1;
    }
    if (this.malformedCount < MALFORMED_BEFORE_RELIST) return false;
    this.malformedCount = 0;
    this.malformedRv = undefined;
    return true;
  }

  /** The wait after a 429 or 5xx: the server's Retry-After (bounded) if given, else the backoff. */
  private serverDelay(retryAfterMs: number | undefined): number {
    const { backoff } = this.o;
    if (retryAfterMs === undefined) return backoff.next();
    const delay = Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS);
    backoff.waited(delay);
    return delay;
  }

  /**
   * Lists page by page, delivering each page's differences from what is
   * known as it arrives (no page is kept), then the keys the list no longer
   * has.
   */
  private async list(): Promise<void> {
    const { source, signal, log } = this.o;
    const initial = !this.synced;
    let pass = new ListPass();
    const { resourceVersion: rv, count } = await listPages({
      source, log, signal, pageSize: this.o.pageSize, stallTimeoutMs: this.o.stallTimeoutMs,
      maxObjects: this.o.maxListObjects, maxPages: this.o.maxListPages, maxPageBytes: this.o.maxListPageBytes,
    }, {
      page: async (items, pageRv) => {
        if (pass.pages++ === 0) this.adoptIfBehind(pageRv);
        await this.applyPage(items, initial, pass);
      },
      restart: () => {
        pass = new ListPass();
      },
    });
    if (signal.aborted) return;
    await this.finishList(initial, pass, count, rv);
    if (signal.aborted) return;
    if (this.o.onListed) await this.consume(Promise.resolve(this.o.onListed(initial)));
    if (signal.aborted) return;
    if (isOlderResourceVersion(rv, this.resourceVersion)) {
      log.warn(`list ${source.description}: its resource version ${rv} is older than ${this.resourceVersion}, already passed; watching from ${this.resourceVersion}`, { reason: 'stale_list' });
    } else {
      this.resourceVersion = rv;
    }
    this.listRv = this.resourceVersion;
    this.adoptNextList = false;
    this.synced = true;
    this.o.onSynced?.();
  }

  /**
   * The one case the resume point moves back: the server itself went back.
   * What is known is compared by content from now on, not by version.
   */
  private adoptIfBehind(rv: string): void {
    if (!this.adoptNextList || !isOlderResourceVersion(rv, this.resourceVersion)) return;
    this.o.log.error(`list ${this.o.source.description}: the server is at resource version ${rv}, behind ${this.resourceVersion} (restored from a backup?); resuming from ${rv}`, { reason: 'rv_went_back' });
    this.delivery.rebase();
    this.resourceVersion = rv;
  }

  /**
   * Delivers one page: an object never seen as SYNC in the first list (or
   * `initialAs`), and as ADDED in a relist; a known one (a relist, or a first
   * list tried again after it failed half-way) only when it changed. Waits
   * for the consumer after each delivery that returned a promise.
   */
  private async applyPage(items: K8sObject[], initial: boolean, pass: ListPass): Promise<void> {
    const { log, source, signal } = this.o;
    const n = pass.counts;
    for (const obj of items) {
      const foreign = foreignKind(obj, source.expect);
      if (foreign) {
        this.reject('listed', obj, 'foreign_kind', foreign);
        continue;
      }
      const outside = outOfScope(obj, source.scope);
      if (outside) {
        this.reject('listed', obj, 'server_inconsistency', outside);
        continue;
      }
      const key = keyOf(obj);
      pass.seen.add(key);
      const { diff, wait } = this.delivery.listed(obj, key, initial, this.o.initialAs);
      if (diff === 'ADDED' || diff === 'MODIFIED' || diff === 'stale') n[diff]++;
      else n.unchanged++;
      if (diff === 'stale') log.debug(`relisted ${key} skipped: resource version ${obj.metadata?.resourceVersion} is older than the one already delivered`, { reason: 'stale' });
      if (wait) {
        await this.consume(wait);
        if (signal.aborted) return;
      }
    }
  }

  /** After the last page: the keys the list no longer has are delivered as DELETED, and the list is logged. */
  private async finishList(initial: boolean, pass: ListPass, count: number, listRv: string): Promise<void> {
    const { log, source, signal } = this.o;
    const n = pass.counts;
    n.deleted = await this.deliverGone(pass.seen, listRv);
    if (signal.aborted) return;
    if (initial) {
      // A first list tried again after a failure half-way may have found changes since the part delivered.
      const since = n.MODIFIED + n.deleted > 0 ? ` (${n.MODIFIED} modified, ${n.deleted} deleted since an earlier attempt)` : '';
      log.info(`synced ${count} object(s) from ${source.description}${since}`);
      return;
    }
    this.stats.relists++;
    log.info(`relisted ${count} object(s) from ${source.description}: ${n.ADDED} added, ${n.MODIFIED} modified, ${n.deleted} deleted, ${n.unchanged} unchanged${n.stale ? `, ${n.stale} stale` : ''}`, { reason: 'relist' });
  }

  /**
   * After a relist, delivers a DELETED for every known key it no longer has.
   * The final state is unknown (client-go's DeletedFinalStateUnknown): only
   * the identity (the source's kind and apiVersion, when it says them) and
   * the last resource version seen are delivered. Returns how many.
   */
  private async deliverGone(seen: ReadonlySet<string>, listRv: string): Promise<number> {
    const res = this.o.source.resource;
    const typed = res?.kind ? { kind: res.kind, apiVersion: res.apiVersion } : {};
    let deleted = 0;
    for (const { key, rv, hash } of this.delivery.sweep(seen, listRv)) {
      deleted++;
      const wait = this.delivery.deliver('DELETED', { ...typed, metadata: identity(key, rv) }, key, 'relist', hash);
      if (wait) {
        await this.consume(wait);
        if (this.o.signal.aborted) break;
      }
    }
    return deleted;
  }

  /**
   * Waits for the consumer (or the root signal). The stall timer, if any, is
   * paused meanwhile: while cmwatch does not read, silence is not a stall.
   */
  private async consume(wait: PromiseLike<void>, timer?: InactivityTimer): Promise<void> {
    timer?.pause();
    try {
      await settledOrAborted(wait, this.o.signal);
    } finally {
      timer?.resume();
    }
  }

  /** An object the server must not have sent (another kind, or outside what was asked for): counted and warned, never delivered. */
  private reject(what: string, obj: K8sObject, reason: 'foreign_kind' | 'server_inconsistency', problem: string): void {
    const { log, source } = this.o;
    this.count(this.stats.skipped, reason);
    const message = reason === 'foreign_kind'
      ? `${what} ${keyOf(obj) || '(no name)'} on ${source.description} is ${problem}, not a ${source.expect?.kind}; skipped (hint: the server or a proxy in between sent an object of another kind)`
      : `${what} ${keyOf(obj)} on ${source.description} is ${problem}; skipped as a server inconsistency (hint: the server or a proxy in between sent an object outside what was asked for)`;
    log.warn(message, { reason });
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
        const wait = this.apply(raw);
        if (wait) {
          // Not pulling the next frame until the consumer is done is the backpressure.
          await this.consume(wait, timer);
          if (signal.aborted) break;
        }
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

  /** One wire event: checks its shape and kind, advances the resume point, detects the change. */
  private apply(raw: unknown): PromiseLike<void> | undefined {
    const { log, source } = this.o;
    const ev = raw as WireEvent;
    if (!ev || typeof ev !== 'object' || typeof ev.type !== 'string' || !ev.object || typeof ev.object !== 'object') {
      throw new MalformedEventError('a line is not a {"type","object"} event');
    }
    if (ev.type === 'ERROR') throw errorEventFailure(ev.object, source.description, source.resource?.resource ?? 'objects');
    const obj = ev.object as K8sObject;
    const foreign = foreignKind(obj, source.expect);
    if (foreign) {
      this.reject(ev.type, obj, 'foreign_kind', foreign);
      return undefined;
    }
    if (ev.type === 'BOOKMARK') {
      this.bookmark(obj.metadata?.resourceVersion);
      return undefined;
    }
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') {
      log.warn(`unknown watch event type "${ev.type}" on ${source.description}, skipped`, { reason: 'unknown_type' });
      return undefined;
    }
    const problem = objectProblem(obj);
    if (problem) throw new MalformedEventError(`${ev.type} event whose object ${problem}`);
    const outside = outOfScope(obj, source.scope);
    if (outside) {
      this.reject(ev.type, obj, 'server_inconsistency', outside);
      return undefined;
    }
    const key = keyOf(obj);
    const rv = obj.metadata?.resourceVersion ?? '';
    // One watch stream is ordered: an event older than the resume point was already passed
    // (a replayed or reordered event), even for a key since deleted and forgotten.
    if (rv && isOlderResourceVersion(rv, this.resourceVersion)) {
      this.count(this.stats.skipped, 'stale');
      log.debug(`${ev.type} ${key} skipped: resource version ${rv} is older than ${this.resourceVersion}, already passed`, { rv, reason: 'stale' });
      return undefined;
    }
    if (rv) this.resourceVersion = rv;
    return this.detect(ev.type, obj, key, rv);
  }

  /** A bookmark moves the resume point, never back to a version already passed. */
  private bookmark(rv: unknown): void {
    if (rv !== undefined && typeof rv !== 'string') throw new MalformedEventError('BOOKMARK event whose metadata.resourceVersion is not a string');
    if (!rv) return;
    if (isOlderResourceVersion(rv, this.resourceVersion)) {
      this.count(this.stats.skipped, 'stale_bookmark');
      this.o.log.debug(`BOOKMARK ${rv} on ${this.o.source.description} skipped: older than resource version ${this.resourceVersion}, already passed`, { reason: 'stale_bookmark' });
      return;
    }
    this.resourceVersion = rv;
  }

  /**
   * Change detection for one watch event. The delivered type follows what is
   * known (as client-go's informer does): an ADDED for a known key is a
   * MODIFIED, a MODIFIED for an unknown key is an ADDED.
   */
  private detect(wireType: 'ADDED' | 'MODIFIED' | 'DELETED', obj: K8sObject, key: string, rv: string): PromiseLike<void> | undefined {
    const d = this.delivery.event(wireType, obj, key);
    if (d.delivered) return d.wait;
    const why =
      d.skip === 'unknown_delete' ? 'not known (already delivered)' :
      d.skip === 'duplicate' ? `resource version ${rv} already seen` :
      d.skip === 'stale' ? `resource version ${rv} is older than ${d.known}, already delivered` : 'content unchanged';
    this.o.log.debug(`${wireType} ${key} skipped: ${why}`, { rv });
    return undefined;
  }
}

function identity(key: string, rv: string): K8sObject['metadata'] {
  const slash = key.indexOf('/');
  return slash >= 0
    ? { namespace: key.slice(0, slash), name: key.slice(slash + 1), resourceVersion: rv }
    : { name: key, resourceVersion: rv };
}

/** What one pass over a list's pages has seen (a list that starts over gets a new one). */
class ListPass {
  pages = 0;
  readonly seen = new Set<string>();
  readonly counts = { ADDED: 0, MODIFIED: 0, unchanged: 0, stale: 0, deleted: 0 };
}
