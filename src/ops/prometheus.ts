/**
 * The Prometheus recorder (prom-client, loaded only with --metrics-addr).
 * Each cmwatch gets its own registry: the cmwatch_* metrics below plus
 * prom-client's default process_* and nodejs_* metrics.
 *
 * The reflectors keep their own counters (skips by reason, restarts by
 * reason, relists); they are read at each scrape and the counters here
 * advance by the difference, so the watch code needs no metrics hooks.
 */
import type { ReflectorStats } from '../watch/reflector.js';
import type { QueueReadings, Recorder } from './recorder.js';
import { stateMetrics, type StateReadings } from './state-metrics.js';

export interface MetricsExposition {
  recorder: Recorder;
  contentType: string;
  /** The exposition text, as of now. */
  render(): Promise<string>;
}

export const HANDLER_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Sums a counter field over the reflectors, by label. */
function sum(all: Readonly<ReflectorStats>[], pick: (s: Readonly<ReflectorStats>) => Record<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of all) for (const [k, v] of Object.entries(pick(s))) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

type Prom = typeof import('prom-client');
type Registers = import('prom-client').Registry[];

/** What the scrape-time metrics read: given to the recorder once the pipeline is built. */
interface Sources {
  reflectors: Readonly<ReflectorStats>[];
  queue?: QueueReadings;
  watching?: () => boolean;
  state?: StateReadings;
  restartsPending?: () => number;
}

/** A function that says by how much a growing total grew since it was last called. */
function growth(total: () => number): () => number {
  let seen = 0;
  return () => {
    const now = total();
    const by = now - seen;
    seen = now;
    return by;
  };
}

/** The reflectors' own counters (skips, restarts, relists), mirrored at each scrape. Returns the skip counter (the recorder adds standby skips). */
function reflectorCounters(prom: Prom, registers: Registers, src: Sources) {
  /** Advances a counter by how much the reflectors' totals grew since the last scrape, by label. */
  const mirror = (pick: (s: Readonly<ReflectorStats>) => Record<string, number>) => {
    const seen = new Map<string, number>();
    return (inc: (label: string, by: number) => void) => {
      for (const [label, total] of sum(src.reflectors, pick)) {
        const by = total - (seen.get(label) ?? 0);
        if (by > 0) inc(label, by);
        seen.set(label, total);
      }
    };
  };
  const skips = mirror((s) => s.skipped);
  const restarts = mirror((s) => s.restarts);
  const relistCount = mirror((s) => ({ all: s.relists }));
  const skipped = new prom.Counter({
    name: 'cmwatch_events_skipped_total',
    help: 'Events not delivered or not acted on, by reason: unchanged (content), duplicate (resource version seen), unknown_delete, standby (not the leader).',
    labelNames: ['reason'], registers,
    collect() { skips((reason, by) => this.inc({ reason }, by)); },
  });
  new prom.Counter({
    name: 'cmwatch_watch_restarts_total', help: 'Watches ended and restarted, by reason (closed, expired, stall, connect, http_503, ...).',
    labelNames: ['reason'], registers,
    collect() { restarts((reason, by) => this.inc({ reason }, by)); },
  });
  new prom.Counter({
    name: 'cmwatch_relists_total', help: 'Relists after the watch could not resume (e.g. its resource version expired).', registers,
    collect() { relistCount((_l, by) => this.inc(by)); },
  });
  return skipped;
}

/** The queue's readings at each scrape: given-up changes, coalesce fallbacks, depth. */
function queueMetrics(prom: Prom, registers: Registers, src: Sources): void {
  const gaveUp = growth(() => src.queue?.givenUp() ?? 0);
  new prom.Counter({
    name: 'cmwatch_handler_gave_up_total', help: 'Changes given up after their retries failed.', registers,
    collect() {
      if (!src.queue) return;
      const by = gaveUp();
      if (by > 0) this.inc(by);
    },
  });
  const fallbacks = growth(() => src.queue?.coalesceFallbacks() ?? 0);
  new prom.Counter({
    name: 'cmwatch_queue_coalesce_fallbacks_total',
    help: 'With coalescing off: times a key\'s ordered backlog reached its bound and its waiting events were coalesced into the latest (once per episode, until the key has no work left).',
    registers,
    collect() {
      if (!src.queue) return;
      const by = fallbacks();
      if (by > 0) this.inc(by);
    },
  });
  new prom.Gauge({ name: 'cmwatch_queue_depth', help: 'Changes waiting for a handler run (queued or waiting to be retried).', registers, collect() { this.set(src.queue?.depth() ?? 0); } });
}

export async function createPrometheus(): Promise<MetricsExposition> {
  const prom = await import('prom-client');
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const src: Sources = { reflectors: [] };

  const events = new prom.Counter({ name: 'cmwatch_events_total', help: 'Events delivered after change detection, by type (SYNC is the start-up baseline).', labelNames: ['type'], registers });
  const skipped = reflectorCounters(prom, registers, src);
  const runs = new prom.Counter({ name: 'cmwatch_handler_runs_total', help: 'Finished handler runs by handler and result: ok, failed, temporary (exit 75), timeout, killed. A built-in action counts under its own name.', labelNames: ['handler', 'result'], registers });
  const duration = new prom.Histogram({ name: 'cmwatch_handler_duration_seconds', help: 'Handler run duration in seconds.', labelNames: ['handler'], buckets: HANDLER_DURATION_BUCKETS, registers });
  queueMetrics(prom, registers, src);
  const lastEvent = new prom.Gauge({ name: 'cmwatch_last_event_timestamp_seconds', help: 'Unix time of the last event delivered (0: none yet).', registers });
  const leader = new prom.Gauge({ name: 'cmwatch_leader', help: '1 while this instance acts on changes (the leader, or leader election is off), 0 on a standby.', registers });
  new prom.Gauge({ name: 'cmwatch_restarts_pending', help: 'rollout-restart: restarts waiting to be done (in their debounce window, behind --max-restarts-per-minute, or for a retry).', registers, collect() { this.set(src.restartsPending?.() ?? 0); } });
  new prom.Gauge({ name: 'cmwatch_watch_up', help: '1 while every watch is established.', registers, collect() { this.set(src.watching?.() ? 1 : 0); } });
  stateMetrics(prom, registers, () => src.state);
  lastEvent.set(0);
  leader.set(0);

  const recorder: Recorder = {
    event(type) {
      events.inc({ type });
      lastEvent.set(Date.now() / 1000);
    },
    skipped(reason) {
      skipped.inc({ reason });
    },
    handlerRun(handler, result, seconds) {
      runs.inc({ handler, result });
      duration.observe({ handler }, seconds);
    },
    leader(on) {
      leader.set(on ? 1 : 0);
    },
    reflector(stats) {
      src.reflectors.push(stats);
    },
    queue(readings) {
      src.queue = readings;
    },
    watching(read) {
      src.watching = read;
    },
    state(readings) {
      src.state = readings;
    },
    restartsPending(read) {
      src.restartsPending = read;
    },
  };
  return { recorder, contentType: registry.contentType, render: () => registry.metrics() };
}
