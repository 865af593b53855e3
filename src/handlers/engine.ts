/**
 * The handler engine: the keyed work queue feeding the dispatcher, and the
 * shutdown that drains it. `cmwatch watch` and `cmwatch replay` both use it,
 * so a replayed event meets exactly the queue and handlers a live one does.
 */
import type { Logger } from '../base/logger.js';
import { formatDuration } from '../base/duration.js';
import { oneLine } from '../base/errors.js';
import { WorkQueue, type QueueStats } from '../queue/work-queue.js';
import type { WatchEvent } from '../api/types.js';
import { makeDispatcher, type DispatcherOptions, type RunKind } from './dispatcher.js';
import { HandlerSet } from './handler-set.js';
import type { HandlerSpec } from './exec-runner.js';
import { aliveGroups } from './process-group.js';
import { HANDLER_DEFAULTS, type HandlerDefaults } from './defaults.js';
import { withDefaults } from '../base/options.js';

/**
 * After the kill grace, how long killed runs get to be reaped (SIGKILL
 * delivered, the group seen gone, output pipes closed: exec-runner waits up
 * to 1 s for pipes held outside the group) before shutdown stops waiting.
 */
const KILL_SETTLE_MS = 2000;

/**
 * The dispatcher's options that the engine passes through, plus the queue's.
 * What is left out (or given as undefined) takes its default from
 * HANDLER_DEFAULTS (defaults.ts).
 */
export interface EngineOptions extends Pick<DispatcherOptions, 'action' | 'handlersOn' | 'contract' | 'log' | 'writeBack' | 'snapshots' | 'finalize'> {
  execs: HandlerSpec[];
  execDir?: string;
  timeoutMs?: number;
  killGraceMs?: number;
  concurrency?: number;
  coalesce?: boolean;
  /** With coalescing off: events waiting per key before that key falls back to coalescing. */
  maxPendingPerKey?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  maxLineBytes?: number;
  maxOutputBytes?: number;
  /** Each finished handler run (and action run): for metrics. */
  onRun?: (handler: string, result: RunKind, seconds: number) => void;
  /** Start paused (a standby under leader election, until it acquires the lease). */
  paused?: boolean;
  /** An event all handlers (and the action) handled successfully: --state records it. */
  onHandled?: (key: string, ev: WatchEvent) => void;
  /** An event given up after its retries. */
  onGiveUp?: (key: string, ev: WatchEvent) => void;
}

type ResolvedEngineOptions = EngineOptions & Omit<HandlerDefaults, 'on' | 'shutdownGraceMs'>;

export interface ShutdownResult {
  /** Keys whose handlers had to be killed after the shutdown grace. */
  killed: string[];
  /** Keys whose queued work never started. */
  dropped: string[];
}

export class HandlerEngine {
  readonly handlers: HandlerSet;
  private readonly queue: WorkQueue<WatchEvent>;
  private readonly kill = new AbortController();
  private readonly log: Logger;
  private readonly o: ResolvedEngineOptions;

  constructor(given: EngineOptions) {
    const { on: _on, shutdownGraceMs: _grace, ...defaults } = HANDLER_DEFAULTS;
    const o = withDefaults(defaults, given);
    this.o = o;
    this.log = o.log;
    this.handlers = new HandlerSet(o.execs, o.execDir, o.log);
    const dispatch = makeDispatcher({
      handlers: this.handlers, action: o.action, handlersOn: o.handlersOn,
      contract: o.contract, log: o.log, writeBack: o.writeBack, timeoutMs: o.timeoutMs, killGraceMs: o.killGraceMs, kill: this.kill.signal,
      maxLineBytes: o.maxLineBytes, maxOutputBytes: o.maxOutputBytes, onRun: o.onRun, mayStart: () => !this.queue.isPaused,
      snapshots: o.snapshots, finalize: o.finalize,
    });
    const onHandled = o.onHandled;
    const worker: typeof dispatch = onHandled === undefined ? dispatch : async (key, ev, attempt) => {
      const outcome = await dispatch(key, ev, attempt);
      if (outcome.kind === 'ok') onHandled(key, ev);
      return outcome;
    };
    this.queue = new WorkQueue<WatchEvent>({
      worker, log: o.log, onGiveUp: o.onGiveUp === undefined ? undefined : (key, ev) => o.onGiveUp!(key, ev), concurrency: o.concurrency, coalesce: o.coalesce, maxPendingPerKey: o.maxPendingPerKey,
      maxRetries: o.maxRetries, baseDelayMs: o.retryBaseMs, maxDelayMs: o.retryMaxMs,
    });
    if (o.paused) this.queue.pause();
  }

  /** False while paused (a standby): events are not queued, nothing starts. */
  get acting(): boolean {
    return !this.queue.isPaused;
  }

  /** Whether key has work: running, queued, or waiting for a retry. */
  hasWork(key: string): boolean {
    return this.queue.hasWork(key);
  }

  /** Work waiting to start (queued or waiting for a retry). */
  get depth(): number {
    return this.queue.depth;
  }

  /**
   * Stops acting at once (lost the lease): nothing more starts, the work
   * not yet started is dropped (and logged), runs going are left to finish.
   */
  pause(why: string): void {
    if (!this.acting) return;
    const busy = this.queue.running;
    const dropped = this.queue.pause();
    if (dropped.length > 0) this.log.warn(`${why}: dropped work that had not started for ${dropped.length} key(s): ${dropped.join(', ')}`, { reason: 'dropped' });
    if (busy > 0) this.log.warn(`${why}: ${busy} handler run(s) already going are left to finish`, { reason: 'not_leader' });
  }

  /** Acts on events again (acquired the lease). Nothing that arrived while paused is replayed. */
  resume(): void {
    this.queue.resume();
  }

  /** Logs the handlers that will run (reading --exec-dir once), warning when there are none. */
  announce(): void {
    if (!this.handlers.configured) return;
    const on = [...this.o.handlersOn].join(',');
    let names: string[];
    try {
      names = this.handlers.list().map((h) => h.name);
    } catch (err) {
      this.log.error(oneLine(err));
      return;
    }
    if (names.length === 0) this.log.warn(`no executable handler in the handler directory ${this.handlers.execDir}; events will run nothing until one is added`);
    else this.log.info(`handlers on ${on}, in order: ${names.join(', ')}`);
  }

  /** True if anything (a handler or the action) runs on this event type. */
  wants(type: string): boolean {
    // FINALIZE always runs with a finalizer: its release must follow, handlers or not.
    if (type === 'FINALIZE' && this.o.finalize) return true;
    return (this.handlers.configured && this.o.handlersOn.has(type)) || (this.o.action?.on.has(type) ?? false);
  }

  get stats(): Readonly<QueueStats> {
    return this.queue.stats;
  }

  /** Queues the event for its key if anything runs on its type; false if not queued. */
  submit(key: string, ev: WatchEvent): boolean {
    if (!this.wants(ev.type)) return false;
    return this.queue.add(key, ev);
  }

  /** Resolves when all work, retries included, is done or given up. */
  settled(): Promise<void> {
    return this.queue.settled();
  }

  /**
   * Stops intake, lets running handlers finish for up to graceMs, then kills
   * them (SIGTERM to their process groups, SIGKILL after the kill grace) and
   * waits for them to be gone. Logs what was dropped and what was killed.
   */
  async shutdown(graceMs: number): Promise<ShutdownResult> {
    const { log } = this;
    const busy = this.queue.running;
    if (busy > 0) log.info(`shutting down: waiting up to ${formatDuration(graceMs)} for ${busy} running handler run(s)`);
    const d = await this.queue.drain(graceMs);
    if (d.dropped.length > 0) {
      log.warn(`shutdown: dropped queued work that had not started for ${d.dropped.length} key(s): ${d.dropped.join(', ')}`, { reason: 'dropped' });
    }
    if (d.running.length > 0) {
      log.error(`shutdown: killing handlers still running after ${formatDuration(graceMs)}: ${d.running.join(', ')}`, { reason: 'killed' });
      this.kill.abort();
      const after = await this.queue.drain(this.o.killGraceMs + KILL_SETTLE_MS);
      if (after.running.length > 0) this.reportSurvivors(after.running);
    } else if (busy > 0) {
      log.info('shutdown: all running handlers finished');
    }
    return { killed: d.running, dropped: d.dropped };
  }

  /**
   * Runs still going after the kill grace: say "did not end after SIGKILL"
   * only when a process really survived it; otherwise nothing is left to
   * kill and the run is just no longer waited for.
   */
  private reportSurvivors(keys: string[]): void {
    const groups = aliveGroups();
    if (groups.length > 0) {
      this.log.error(`shutdown: handlers for ${keys.join(', ')} did not end after SIGKILL (process group(s) ${groups.join(', ')} still alive); not waiting for them`, { reason: 'survived_kill' });
    } else {
      this.log.error(`shutdown: work for ${keys.join(', ')} had not ended ${formatDuration(this.o.killGraceMs + KILL_SETTLE_MS)} after it was stopped, with no handler process left; not waiting for it`, { reason: 'not_ended' });
    }
  }
}
