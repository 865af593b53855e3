/**
 * The bounds of one list (all its pages), so that a server or proxy that
 * never ends a list cannot grow memory or loop for ever: at most so many
 * objects, at most so many pages, and no continue token twice. Past a bound
 * the list fails with one clear line (a BadResponseError) and is retried with
 * backoff. The bytes of each page are bounded by the client (maxBytes).
 */
import { hash } from 'node:crypto';
import { BadResponseError } from './failure.js';
import type { ListPage } from './source.js';

export const DEFAULT_MAX_LIST_OBJECTS = 1_000_000;
/** With the default page size of 500, room for five times DEFAULT_MAX_LIST_OBJECTS in short pages. */
export const DEFAULT_MAX_LIST_PAGES = 10_000;
/** Per page. The watch caps a line at 16 MiB; a page over 64 MiB is asked for again with half the limit (list-pages.ts), so large objects still list. */
export const DEFAULT_MAX_LIST_PAGE_BYTES = 64 * 1024 * 1024;

export interface ListLimits {
  maxObjects: number;
  maxPages: number;
}

const LOOPING = 'the server or a proxy in between is looping on this list; cmwatch lists again with backoff';

export class ListBounds {
  private objects = 0;
  private pages = 0;
  /** Digests of the continue tokens seen (a token is opaque and may be long). */
  private readonly tokens = new Set<string>();

  constructor(private readonly url: string, private readonly limits: ListLimits) {}

  /** Starts over (a list started again from its first page). */
  reset(): void {
    this.objects = 0;
    this.pages = 0;
    this.tokens.clear();
  }

  /** Counts one page; throws a BadResponseError if it passes a bound. Call before keeping its items. */
  page(page: ListPage): void {
    const { url, limits } = this;
    this.pages++;
    this.objects += page.items.length;
    if (this.objects > limits.maxObjects) {
      throw new BadResponseError('list_too_many_objects', `list ${url}: more than ${limits.maxObjects} objects (page ${this.pages}); list abandoned`, {
        hint: 'a list that never ends, or a collection past cmwatch\'s bound (maxListObjects): check the server or proxy, or narrow the watch with a label selector or a namespace',
      });
    }
    if (page.continue === undefined) return;
    if (this.pages >= limits.maxPages) {
      throw new BadResponseError('list_too_many_pages', `list ${url}: more than ${limits.maxPages} pages (${this.objects} objects so far); list abandoned`, { hint: LOOPING });
    }
    const digest = hash('sha256', page.continue, 'base64');
    if (this.tokens.has(digest)) {
      throw new BadResponseError('list_continue_repeated', `list ${url}: page ${this.pages} repeats the continue token ${quote(page.continue)} of an earlier page; list abandoned`, { hint: LOOPING });
    }
    this.tokens.add(digest);
  }
}

function quote(token: string): string {
  return JSON.stringify(token.length > 40 ? token.slice(0, 40) + '…' : token);
}
