/**
 * The reflector: list, then watch from the list's resource version; resume
 * after a clean end; relist and diff after an expiry; back off on failures;
 * abort a stalled stream. It remembers only (resourceVersion, content hash)
 * per key and delivers changes, not repeats.
 */
import { ApiError, ConnectError } from '../kube/api-error.js';
import type { K8sStatus } from '../kube/api-error.js';
import { CmwatchError, oneLine } from '../util/errors.js';
import { ExitCode } from '../util/exit-codes.js';
import { formatDuration } from '../util/duration.js';
import type { Logger } from '../util/log.js';
import { Backoff, sleep } from './backoff.js';
import { fingerprint } from './fingerprint.js';
import type { ListWatchSource } from './source.js';
import { keyOf, type EventType, type K8sObject, type WatchEvent, type WireEvent } from './types.js';

export interface Delivery extends WatchEvent {
  key: string;
  /** Why this was delivered outside a live watch event, e.g. "relist". */
  via?: 'list' | 'watch' | 'relist';
}

export interface ReflectorStats {
  events: number;
  skipped: Record<string, number>;
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
  /** Called once the initial list is delivered and after each (re)watch starts. */
  onSynced?: () => void;
  /** Called whenever the watch goes up or down, for readiness. */
  onWatchState?: (up: boolean) => void;
  /** Annotations that count as content for change detection. */
  contentAnnotations?: readonly string[];
  /** 'content' skips MODIFIED events whose content hash did not change. */
  trigger?: 'content' | 'any';
  pageSize?: number;
  stallTimeoutMs?: number;
  /** A watch that ends sooner than this with nothing delivered is a failure. */
  minWatchMs?: number;
  timeoutSeconds?: () => number;
  backoff?: Backoff;
  exitOnError?: boolean;
}

interface Known {
  rv: string;
  hash: string;
}

class StallError extends CmwatchError {
  constructor(ms: number) {
    super('E_STALL', `watch stalled: no bytes for ${formatDuration(ms)}`);
  }
}

class EarlyCloseError extends CmwatchError {
  constructor(ms: number) {
    super('E_EARLY_CLOSE', `watch closed after ${formatDuration(ms)} having delivered nothing`);
  }
}

export function randomWatchTimeout(): number {
  return 300 + Math.floor(Math.random() * 301);
}

export class Reflector {
  readonly stats: ReflectorStats = { events: 0, skipped: {}, restarts: {}, relists: 0, malformed: 0 };
  /** The last resource version seen (list, event or bookmark). Opaque. */
  resourceVersion = '';
  private readonly known = new Map<string, Known>();
  private readonly o: Required<Omit<ReflectorOptions, 'onSynced' | 'onWatchState'>> & Pick<ReflectorOptions, 'onSynced' | 'onWatchState'>;
  private synced = false;

  constructor(opts: ReflectorOptions) {
    this.o = {
      contentAnnotations: [], trigger: 'content', pageSize: 500, stallTimeoutMs: 180_000, minWatchMs: 1000,
      timeoutSeconds: randomWatchTimeout, backoff: new Backoff(), exitOnError: false, ...opts,
    };
  }

  get size(): number {
    return this.known.size;
  }

  /** Runs until the signal aborts; rejects only on a fatal error (--exit-on-error). */
  async run(): Promise<void> {
    const { log, signal, source } = this.o;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        await this.watchOnce();
        this.count(this.stats.restarts, 'timeout');
        log.debug(`watch ${source.description} ended; re-watching`, { rv: this.resourceVersion });
      } catch (err) {
        this.o.onWatchState?.(false);
        if (signal.aborted) break;
        const delay = this.classify(err, () => (needList = true));
        if (delay > 0) await sleep(delay, signal);
      }
    }
    this.o.onWatchState?.(false);
  }

  private count(bucket: Record<string, number>, reason: string): void {
    bucket[reason] = (bucket[reason] ?? 0) + 1;
  }

  /** Decides what a failure means; returns the delay before the next attempt. */
  private classify(err: unknown, relist: () => void): number {
    const { log, backoff, source } = this.o;
    if (err instanceof ApiError && err.expired) {
      this.count(this.stats.restarts, 'expired');
      log.warn(`watch ${source.description}: resource version ${this.resourceVersion || '(none)'} expired; relisting`, { reason: 'expired' });
      relist();
      return 0;
    }
    if (err instanceof StallError) {
      this.count(this.stats.restarts, 'stall');
      log.warn(`${err.message} on ${source.description}; re-watching from ${this.resourceVersion}`, { reason: 'stall' });
      return 0;
    }
    if (err instanceof ApiError && err.status === 429) {
      this.count(this.stats.restarts, 'throttled');
      const delay = err.retryAfterMs ?? backoff.next();
      log.warn(`${err.message}; retrying in ${formatDuration(delay)}`, { reason: 'throttled' });
      return delay;
    }
    if (err instanceof ApiError && err.permanent) {
      this.count(this.stats.restarts, `http_${err.status}`);
      if (this.o.exitOnError) {
        throw new CmwatchError(err.code, err.message, { hint: err.hint, cause: err, exitCode: ExitCode.ApiPermanent });
      }
      const delay = backoff.capped();
      log.error(`${oneLine(err)}; retrying in ${formatDuration(delay)}`, { reason: `http_${err.status}` });
      return delay;
    }
    const reason =
      err instanceof ApiError ? `http_${err.status}` :
      err instanceof ConnectError ? 'connect' :
      err instanceof EarlyCloseError ? 'early_close' :
      err instanceof CmwatchError ? err.code.toLowerCase() : 'error';
    this.count(this.stats.restarts, reason);
    const delay = backoff.next();
    log.warn(`${oneLine(err)}; retrying in ${formatDuration(delay)}`, { reason });
    return delay;
  }

  /** Lists every page, then diffs against what is known and delivers the differences. */
  private async relist(): Promise<void> {
    const { source, signal, log } = this.o;
    const initial = !this.synced;
    const items: K8sObject[] = [];
    let rv = '';
    let cont: string | undefined;
    let limit: number | undefined = this.o.pageSize;
    for (;;) {
      let page;
      try {
        page = await source.list({ limit, continue: cont, signal });
      } catch (err) {
        if (cont && err instanceof ApiError && err.expired) {
          // The continue token expired mid-list: start over with one full list.
          log.warn(`list ${source.description}: continue token expired; listing in one page`);
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
    if (!initial) this.stats.relists++;

    const seen = new Set<string>();
    for (const obj of items) {
      const key = keyOf(obj);
      seen.add(key);
      const hash = fingerprint(obj, this.o.contentAnnotations);
      const objRv = obj.metadata?.resourceVersion ?? '';
      const prev = this.known.get(key);
      this.known.set(key, { rv: objRv, hash });
      if (initial) {
        this.deliver('SYNC', obj, key, 'list');
      } else if (!prev) {
        this.deliver('ADDED', obj, key, 'relist');
      } else if (prev.hash !== hash || (this.o.trigger === 'any' && prev.rv !== objRv)) {
        this.deliver('MODIFIED', obj, key, 'relist');
      }
    }
    if (!initial) {
      for (const [key, prev] of this.known) {
        if (seen.has(key)) continue;
        this.known.delete(key);
        const slash = key.indexOf('/');
        const meta = slash >= 0
          ? { namespace: key.slice(0, slash), name: key.slice(slash + 1), resourceVersion: prev.rv }
          : { name: key, resourceVersion: prev.rv };
        // The final state is unknown: only the identity is delivered.
        this.deliver('DELETED', { kind: 'ConfigMap', apiVersion: 'v1', metadata: meta }, key, 'relist');
      }
    }
    this.resourceVersion = rv;
    log.info(`${initial ? 'synced' : 'relisted'} ${items.length} object(s) from ${source.description}`, { rv });
    this.synced = true;
  }

  private deliver(type: EventType, object: K8sObject, key: string, via: Delivery['via']): void {
    this.stats.events++;
    this.o.onEvent({ type, object, key, via });
  }

  /** One watch request, from the remembered resource version until the stream ends. */
  private async watchOnce(): Promise<void> {
    const { source, signal, log, stallTimeoutMs } = this.o;
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      if (timer) timer.refresh();
      else timer = setTimeout(() => { stalled = true; ac.abort(); }, stallTimeoutMs);
    };
    const started = Date.now();
    let delivered = 0;
    try {
      arm();
      const timeoutSeconds = this.o.timeoutSeconds();
      log.debug(`watching ${source.description}`, { rv: this.resourceVersion, timeoutSeconds });
      const events = await source.watch({
        resourceVersion: this.resourceVersion, timeoutSeconds, signal: ac.signal,
        onBytes: arm,
        onMalformed: (message) => {
          this.stats.malformed++;
          log.error(`malformed line in watch stream of ${source.description}, skipped: ${message}`, { reason: 'malformed' });
        },
      });
      this.o.onWatchState?.(true);
      this.o.onSynced?.();
      for await (const raw of events) {
        delivered++;
        this.apply(raw);
      }
    } catch (err) {
      if (stalled) throw new StallError(stallTimeoutMs);
      throw err;
    } finally {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    if (stalled) throw new StallError(stallTimeoutMs);
    const lived = Date.now() - started;
    if (delivered === 0 && lived < this.o.minWatchMs && !signal.aborted) throw new EarlyCloseError(lived);
  }

  private apply(raw: unknown): void {
    const { log, source } = this.o;
    const ev = raw as WireEvent;
    if (!ev || typeof ev !== 'object' || typeof ev.type !== 'string' || !ev.object || typeof ev.object !== 'object') {
      this.stats.malformed++;
      log.error(`malformed event in watch stream of ${source.description}, skipped: not {"type","object"}`, { reason: 'malformed' });
      return;
    }
    if (ev.type === 'ERROR') {
      const st = ev.object as K8sStatus;
      throw new ApiError({
        status: st.code ?? 500, verb: 'watch', url: source.description, resource: 'configmaps',
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
      log.warn(`unknown watch event type "${ev.type}" on ${source.description}, skipped`);
      return;
    }
    if (rv) this.resourceVersion = rv;
    const key = keyOf(obj);
    const prev = this.known.get(key);
    if (ev.type === 'DELETED') {
      this.known.delete(key);
      this.deliver('DELETED', obj, key, 'watch');
      return;
    }
    const hash = fingerprint(obj, this.o.contentAnnotations);
    this.known.set(key, { rv: rv ?? '', hash });
    if (prev && prev.rv === rv) {
      this.count(this.stats.skipped, 'duplicate');
      return;
    }
    if (prev && prev.hash === hash && this.o.trigger === 'content') {
      this.count(this.stats.skipped, 'unchanged');
      log.debug(`${ev.type} ${key} skipped: content unchanged`, { rv });
      return;
    }
    this.deliver(ev.type, obj, key, 'watch');
  }
}
