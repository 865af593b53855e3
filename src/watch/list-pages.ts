/**
 * One whole list, page by page (`limit` and `continue`), for the reflector:
 * a stall timer on every page (an inactivity timer, fed by each byte), the
 * bounds of ListBounds, a byte cap per page, and a continue token that
 * expires mid-list answered by one full list from the start.
 */
import { ApiError } from '../api/api-error.js';
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
  items: K8sObject[];
  resourceVersion: string;
}

/** Resolves with every item and the list's resource version; rejects as the source does, or with a StallError. */
export async function listAll(o: ListAllOptions): Promise<ListResult> {
  const { source, signal, log } = o;
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = new InactivityTimer(o.stallTimeoutMs, () => ac.abort());
  const touch = () => timer.touch();
  const bounds = new ListBounds(source.description, o);
  const items: K8sObject[] = [];
  let cont: string | undefined;
  let limit = o.pageSize;
  log.debug(`listing ${source.description}`, { limit });
  try {
    for (;;) {
      let page;
      touch();
      try {
        page = await source.list({ limit, continue: cont, signal: ac.signal, onBytes: touch, maxBytes: o.maxPageBytes });
      } catch (err) {
        if (cont && err instanceof ApiError && err.expired && !timer.fired) {
          // The continue token expired mid-list: start over with one full list.
          log.warn(`list ${source.description}: continue token expired; listing again in one page`, { reason: 'expired' });
          items.length = 0;
          bounds.reset();
          cont = undefined;
          limit = undefined;
          continue;
        }
        throw err;
      }
      bounds.page(page);
      for (const it of page.items) items.push(it);
      if (!page.continue) return { items, resourceVersion: page.resourceVersion };
      cont = page.continue;
    }
  } catch (err) {
    if (timer.fired && !signal.aborted) throw new StallError(o.stallTimeoutMs, 'list');
    throw err;
  } finally {
    timer.stop();
    signal.removeEventListener('abort', onAbort);
  }
}
