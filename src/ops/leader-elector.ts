/**
 * Leader election over a LeaseLock, following client-go's
 * tools/leaderelection:
 *
 *   acquire: every retryPeriod (jittered) try to acquire; a Lease whose
 *            holder is someone else and that this instance has seen change
 *            less than leaseDurationSeconds ago is left alone. A Lease with
 *            no holder (released) is free at once.
 *   lead:    every retryPeriod renew; a renewal may be retried every
 *            retryPeriod until renewDeadline has passed since it began.
 *            Failing that, leadership is lost.
 *   release: on stop, a leader writes holderIdentity "" and
 *            leaseDurationSeconds 1 (client-go's ReleaseOnCancel), so a
 *            standby takes over at its next retry instead of waiting out
 *            the lease.
 *
 * Every write carries the resourceVersion read (LeaseLock): two instances
 * racing for one Lease cannot both win. Expiry is judged on this instance's
 * own clock, from when it last saw the record change, never by comparing
 * renewTime with its clock, so clock skew between nodes does not matter.
 *
 * Two deliberate differences from client-go, both towards stopping sooner
 * and handing over faster:
 *   - a leader that reads the Lease and finds another holder whose lease
 *     is still valid stops leading at once, instead of retrying until the
 *     renew deadline;
 *   - the acquire loop's jitter is 0.2 (client-go: 1.2), so after a release
 *     a standby retries within 1.2 × retryPeriod (2.4 s at the default 2 s).
 *
 * The retry delays and the sleep come from base/backoff.ts (jittered, sleep),
 * the module the reflector and the work queue use too.
 */
import { DEFAULT_TIMINGS, type ElectorTimings } from './leader-defaults.js';
import { performance } from 'node:perf_hooks';
import { oneLine } from '../base/errors.js';
import { jittered, sleep } from '../base/backoff.js';
import type { Logger } from './log.js';
import { LeaseConflictError, type LeaderElectionRecord, type LeaseLock } from './lease-lock.js';

export { DEFAULT_TIMINGS, type ElectorTimings };
export const ACQUIRE_JITTER = 0.2;

export interface ElectorOptions extends ElectorTimings {
  lock: LeaseLock;
  identity: string;
  log: Logger;
  /** This instance now holds the Lease: it may start acting. */
  onStartedLeading: () => void;
  /** This instance no longer holds the Lease (lost, or released at stop). */
  onStoppedLeading: () => void;
  /** The holder observed changed (including to this instance, or to nobody: ''). */
  onNewLeader?: (identity: string) => void;
  /** A monotonic clock in ms (default performance.now). */
  now?: () => number;
  /** Wall clock for the record's times (default Date.now). */
  wallClock?: () => number;
  random?: () => number;
}

export class LeaderElector {
  private observed: LeaderElectionRecord | undefined;
  private observedRaw = '';
  /** When (monotonic ms) the observed record last changed. */
  private observedTime = 0;
  private leading = false;
  private lastHolder: string | undefined;
  private lastError: string | undefined;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly wall: () => number;
  private readonly random: () => number;

  constructor(private readonly o: ElectorOptions) {
    this.now = o.now ?? (() => performance.now());
    this.wall = o.wallClock ?? Date.now;
    this.random = o.random ?? Math.random;
  }

  get identity(): string {
    return this.o.identity;
  }

  /** True while this instance holds the Lease and may act. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder as last observed ('' for none, undefined before the first read). */
  get holder(): string | undefined {
    return this.observed?.holderIdentity;
  }

  /** Starts campaigning in the background; stop() ends it. */
  start(): void {
    this.loop ??= this.run(this.stopper.signal).catch((err: unknown) => {
      this.o.log.error(`leader election on lease ${this.o.lock.description} stopped: ${oneLine(err)}`, { reason: 'leader_election' });
    });
  }

  /**
   * Stops campaigning and renewing; a leader then releases the Lease so a
   * standby takes over at once. Call it only once the work the Lease guards
   * has finished (client-go's ReleaseOnCancel contract).
   */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.loop;
    if (this.leading) {
      const released = await this.release();
      this.setLeading(false, released ? 'released' : 'stopped');
    }
  }

  private setLeading(on: boolean, why: string): void {
    if (this.leading === on) return;
    this.leading = on;
    const { log, lock, identity } = this.o;
    if (on) {
      log.info(`leader election: acquired lease ${lock.description} as ${identity}; acting on changes from now on`, { reason: 'leader' });
      this.o.onStartedLeading();
    } else {
      if (why === 'lost') log.warn(`leader election: lost lease ${lock.description}; no handler starts until it is acquired again`, { reason: 'lost_lease' });
      else if (why === 'released') log.info(`leader election: released lease ${lock.description}`, { reason: 'released' });
      else log.warn(`leader election: stopped leading without releasing lease ${lock.description}; a standby takes over when it expires`, { reason: 'stopped' });
      this.o.onStoppedLeading();
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.acquire(signal))) return;
      if (signal.aborted) {
        // Acquired just as stop() was called: hold it only so stop() releases it.
        this.leading = true;
        return;
      }
      this.setLeading(true, 'acquired');
      await this.renew(signal);
      // Stopped while leading: stop() releases once the work is done.
      if (signal.aborted) return;
      this.setLeading(false, 'lost');
    }
  }

  /** Tries until acquired (true) or stopped (false). */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    const { retryPeriodMs, renewDeadlineMs } = this.o;
    while (!signal.aborted) {
      const attempt = AbortSignal.any([signal, AbortSignal.timeout(renewDeadlineMs)]);
      if (await this.tryAcquireOrRenew(attempt)) return true;
      await sleep(jittered(retryPeriodMs, ACQUIRE_JITTER, this.random), signal);
    }
    return false;
  }

  /** Renews every retryPeriod until a renewal fails for renewDeadline, another holder is seen, or the signal aborts. */
  private async renew(signal: AbortSignal): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.o;
    while (!signal.aborted) {
      await sleep(retryPeriodMs, signal);
      if (signal.aborted) return;
      const began = this.now();
      const window = AbortSignal.any([signal, AbortSignal.timeout(renewDeadlineMs)]);
      let renewed = false;
      for (;;) {
        if (await this.tryAcquireOrRenew(window)) {
          renewed = true;
          break;
        }
        if (signal.aborted) return;
        if (this.heldByOther()) {
          this.o.log.warn(`leader election: lease ${this.o.lock.description} is now held by ${this.observed!.holderIdentity}`, { reason: 'lost_lease' });
          break;
        }
        if (this.now() - began + retryPeriodMs >= renewDeadlineMs) {
          this.o.log.warn(`leader election: could not renew lease ${this.o.lock.description} within the renew deadline (${renewDeadlineMs} ms)`, { reason: 'renew_deadline' });
          break;
        }
        await sleep(retryPeriodMs, window);
      }
      if (!renewed) return;
    }
  }

  private heldByOther(): boolean {
    const r = this.observed;
    return !!r && r.holderIdentity !== '' && r.holderIdentity !== this.o.identity && this.leaseValid();
  }

  /** The observed lease has not expired by this instance's clock. */
  private leaseValid(): boolean {
    const r = this.observed;
    if (!r) return false;
    return this.observedTime + r.leaseDurationSeconds * 1000 > this.now();
  }

  private observe(record: LeaderElectionRecord, raw: string): void {
    this.observed = record;
    this.observedRaw = raw;
    this.observedTime = this.now();
    if (record.holderIdentity !== this.lastHolder) {
      this.lastHolder = record.holderIdentity;
      if (record.holderIdentity !== this.o.identity) {
        this.o.log.info(
          record.holderIdentity
            ? `leader election: lease ${this.o.lock.description} is held by ${record.holderIdentity}; standing by`
            : `leader election: lease ${this.o.lock.description} is free`,
          { reason: 'new_leader' },
        );
      }
      this.o.onNewLeader?.(record.holderIdentity);
    }
  }

  private failed(what: string, err: unknown): false {
    if (err instanceof LeaseConflictError) {
      this.o.log.debug(`leader election: ${oneLine(err)}`, { reason: 'conflict' });
      return false;
    }
    // Said once per distinct failure, not every retry.
    const msg = `leader election: ${what} lease ${this.o.lock.description} failed: ${oneLine(err)}`;
    if (msg !== this.lastError) {
      this.lastError = msg;
      this.o.log.error(msg, { reason: 'lease_error' });
    } else {
      this.o.log.debug(msg, { reason: 'lease_error' });
    }
    return false;
  }

  /** client-go's tryAcquireOrRenew: true if this instance holds the Lease afterwards. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { lock, identity } = this.o;
    const now = this.wall();
    const mine: LeaderElectionRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.max(1, Math.round(this.o.leaseDurationMs / 1000)),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };

    // 1. Read the record, or create it.
    let current;
    try {
      current = await lock.get(signal);
    } catch (err) {
      return this.failed('reading', err);
    }
    if (!current) return this.wrote('creating', () => lock.create(mine, signal));

    // 2. Check the holder and the time.
    if (current.raw !== this.observedRaw) this.observe(current.record, current.raw);
    const old = current.record;
    const iAmHolder = old.holderIdentity === identity;
    if (old.holderIdentity !== '' && !iAmHolder && this.leaseValid()) return false;

    // 3. Acquire or renew.
    if (iAmHolder) {
      mine.acquireTime = old.acquireTime;
      mine.leaseTransitions = old.leaseTransitions;
    } else {
      mine.leaseTransitions = old.leaseTransitions + 1;
    }
    return this.wrote('updating', () => lock.update(mine, signal));
  }

  /** A create or update of the record: true (and observed) if it was written, else the failure is reported. */
  private async wrote(what: string, write: () => Promise<{ record: LeaderElectionRecord; raw: string }>): Promise<boolean> {
    let written;
    try {
      written = await write();
    } catch (err) {
      return this.failed(what, err);
    }
    this.lastError = undefined;
    this.observe(written.record, written.raw);
    return true;
  }

  /** Gives the Lease up: no holder, a 1 s lease. True if released (or nothing to release). */
  private async release(): Promise<boolean> {
    const { lock, renewDeadlineMs } = this.o;
    const signal = AbortSignal.timeout(renewDeadlineMs);
    try {
      const current = await lock.get(signal);
      if (!current || current.record.holderIdentity !== this.o.identity) return true;
      const now = this.wall();
      const record: LeaderElectionRecord = {
        holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now,
        leaseTransitions: current.record.leaseTransitions,
      };
      const released = await lock.update(record, signal);
      this.lastHolder = ''; // no "lease is free" line for its own release
      this.observe(released.record, released.raw);
      return true;
    } catch (err) {
      this.o.log.error(`leader election: releasing lease ${lock.description} failed: ${oneLine(err)}`, { reason: 'release_failed' });
      return false;
    }
  }
}
