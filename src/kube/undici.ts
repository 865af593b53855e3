/**
 * The parts of undici cmwatch uses, loaded alone: the Agent (keep-alive
 * pools of HTTP/1.1 clients) and the promise `request` API. undici's own
 * entry point loads everything it offers (fetch, WebSocket, EventSource,
 * caches, mocks, retry and proxy agents) at once; that cost about 8.5 MiB of
 * RSS before the first request, in a process whose whole idle footprint is
 * about 60 MiB (measured for issue #18, Node 20, undici 7.30). undici 7 has
 * no `exports` map, so its files load by path; test/unit/kube/undici-paths.test.ts
 * checks that these paths still load and still speak the API used here.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Undici from 'undici';
import { ownPackage } from '../base/own-package.js';

// Resolved from cmwatch's package.json, not from this file: the bundle (dist/bundle/) moves this file.
const require = createRequire(join(ownPackage().root, 'package.json'));

/** undici's Agent class, as `import { Agent } from 'undici'` gives it. */
export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export type Agent = Undici.Agent;
export type Dispatcher = Undici.Dispatcher;
export declare namespace Agent {
  type Options = Undici.Agent.Options;
}

/** Dispatcher.request, without the prototype mix-in undici's entry point does. */
const dispatchRequest = require('undici/lib/api/api-request.js') as (
  this: Undici.Dispatcher,
  opts: Undici.Dispatcher.RequestOptions,
) => Promise<Undici.Dispatcher.ResponseData>;

export type RequestOptions = Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
  method?: Undici.Dispatcher.HttpMethod;
  /** Always given: cmwatch never uses undici's global dispatcher. */
  dispatcher: Undici.Dispatcher;
};

/** `request(url, opts)` as undici's own: the URL's origin, its path and query, GET unless said. */
export function request(url: string | URL, opts: RequestOptions): Promise<Undici.Dispatcher.ResponseData> {
  const u = typeof url === 'string' ? new URL(url) : url;
  const { dispatcher, ...rest } = opts;
  return dispatchRequest.call(dispatcher, {
    ...rest,
    origin: u.origin,
    path: u.search ? `${u.pathname}${u.search}` : u.pathname,
    method: opts.method ?? 'GET',
  });
}
