/**
 * One whole list, page by page (`limit` and `continue`), for the reflector.
 * Each page goes to the caller's sink as it arrives and is let go before the
 * next is asked for, so a list of 100,000 objects holds one page at a time
 * (the reflector keeps a fingerprint per object, never the objects); the
 * stall timer is paused while the sink works on a page. Also: a stall
 * timer on every page (an inactivity timer, fed by each byte), the
 * bounds of ListBounds, a byte cap per page, and a continue token that
 * expires mid-list answered by one full list from the start. A page over the
 * byte cap is asked for again with half the limit (legitimately large
 * objects then still list, a page at a time); only a page of one object that
 * is still over the cap fails the list.
 */
import { ApiError } from '../api/api-error.js';
import { BodyTooLargeError } from '../kube/body-limit.js';
import type { Logger } from '../base/logger.js';
import { StallError } from './failure.js';
import { InactivityTimer } from './inactivity-timer.js';
import { ListBounds, type ListLimits } from './list-bounds.js';
import type { ListWatchSource } from './source.js';
import type { K8sObject } from '../api/types.js';

export interface ListAllOptions extends ListLimits {
  source: ListWatchSource;
  log: Logger;
  signal: AbortSignal;
  pageSize: number | undefined;
  stallTimeoutMs: number;
  maxPageBytes: number;
}

export interface ListResult {
  /** The list's resource version (its last page's). */
  resourceVersion: string;
  /** How many objects its pages had, in all (of the pass that finished). */
  count: number;
}

/** Where the pages go. */
export interface PageSink {
  /** One page's objects and the list's resource version; awaited before the next page is asked for. */
  page(items: K8sObject[], resourceVersion: string): Promise<void> | void;
  /** The list starts again from its first page (an expired continue token): what was counted of the pages before is void. */
  restart(): void;
}

/** Hands every page to the sink; resolves with the list's resource version; rejects as the source does, or with a StallError. */
export async function listPages(o: ListAllOptions, sink: PageSink): Promise<ListResult> {
  const { source, signal, log } = o;
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = new InactivityTimer(o.stallTimeoutMs, () => ac.abort());
  const touch = () => timer.touch();
  const bounds = new ListBounds(source.description, o);
  let count = 0;
  let cont: string | undefined;
  let limit = o.pageSize;
  /** The full-list fallback after an expired continue token is taken once; a second expiry fails the list (backoff, no hot loop). */
  let fellBack = false;
  log.debug(`listing ${source.description}`, { limit });
  try {
    for (;;) {
      let page;
      touch();
      try {
        page = await source.list({ limit, continue: cont, signal: ac.signal, onBytes: touch, maxBytes: o.maxPageBytes });
      } catch (err) {
        if (cont && err instanceof ApiError && err.expired && !timer.fired && !fellBack) {
          fellBack = true;
          // The continue token expired mid-list: start over with one full list.
          log.warn(`list ${source.description}: continue token expired; listing again in one page`, { reason: 'expired' });
          count = 0;
          bounds.reset();
          sink.restart();
          cont = undefined;
          limit = undefined;
          continue;
        }
        const smaller = err instanceof BodyTooLargeError && !timer.fired ? halved(limit, o.pageSize) : undefined;
        if (smaller !== undefined) {
          log.warn(`list ${source.description}: a page of ${limit ?? 'all'} object(s) exceeds the page cap; asking for ${smaller} at a time`, { reason: 'page_too_large' });
          limit = smaller;
          continue;
        }
        throw err;
      }
      bounds.page(page);
      count += page.items.length;
      const next = page.continue;
      const rv = page.resourceVersion;
      // While the sink works (it may wait for the consumer), silence is not a stall.
      timer.pause();
      try {
        await sink.page(page.items, rv);
      } finally {
        timer.resume();
      }
      if (!next || signal.aborted) return { resourceVersion: rv, count };
      cont = next;
    }
  } catch (err) {
    if (timer.fired && !signal.aborted) throw new StallError(o.stallTimeoutMs, 'list');
    throw err;
  } finally {
    timer.stop();
    signal.removeEventListener('abort', onAbort);
  }
}

/** The next, smaller page size after a page over the byte cap, or undefined when it cannot shrink (one object). */
function halved(limit: number | undefined, pageSize: number | undefined): number | undefined {
  if (limit === undefined) return pageSize ?? 500;
  return limit > 1 ? Math.floor(limit / 2) : undefined;
}
