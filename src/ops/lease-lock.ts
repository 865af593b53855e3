/**
 * The lock a leader election is held through: the coordination.k8s.io/v1
 * Lease NAMESPACE/NAME, read and written over the KubeClient (client-go's
 * resourcelock.LeaseLock).
 *
 * Optimistic concurrency: update() sends the Lease as last read or written,
 * resourceVersion included, so the API server refuses it with 409 Conflict
 * when anyone wrote in between. create() gets 409 AlreadyExists when another
 * instance created it first. Both are a LeaseConflictError: a lost race, not
 * a failure.
 */
import type { KubeClient } from '../kube/client.js';
import { ApiError } from '../api/api-error.js';
import { CmwatchError } from '../base/errors.js';
import { collectionPath, objectPath } from '../api/object-path.js';

/** client-go's LeaderElectionRecord, as kept in a Lease's spec. Times are epoch ms. */
export interface LeaderElectionRecord {
  /** Empty when nobody holds it (released). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: number | undefined;
  renewTime: number | undefined;
  leaseTransitions: number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string; [k: string]: unknown };
  spec?: LeaseSpec;
}

/** Another instance wrote the Lease first (HTTP 409): the attempt lost the race. */
export class LeaseConflictError extends CmwatchError {
  constructor(what: string, cause?: unknown) {
    super('E_LEASE_CONFLICT', `${what}: another instance wrote the lease first`, { cause });
    this.name = 'LeaseConflictError';
  }
}

/** update() before get() or create(): a programming error. */
export class LeaseNotReadError extends CmwatchError {
  constructor(lease: string) {
    super('E_LEASE_NOT_READ', `lease ${lease}: update before the lease was read or created`);
    this.name = 'LeaseNotReadError';
  }
}

/**
 * Kubernetes MicroTime: RFC 3339 in UTC with exactly six fractional digits
 * (the API server refuses fewer).
 */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function parseTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

export function recordOf(spec: LeaseSpec | undefined): LeaderElectionRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: parseTime(spec?.acquireTime),
    renewTime: parseTime(spec?.renewTime),
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
}

function specOf(r: LeaderElectionRecord): LeaseSpec {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    ...(r.acquireTime !== undefined ? { acquireTime: microTime(r.acquireTime) } : {}),
    ...(r.renewTime !== undefined ? { renewTime: microTime(r.renewTime) } : {}),
    leaseTransitions: r.leaseTransitions,
  };
}

export interface ObservedLease {
  record: LeaderElectionRecord;
  /** The spec as served, for "has it changed since I last looked" (client-go compares raw records). */
  raw: string;
}

export class LeaseLock {
  /** The Lease as last read or written: its resourceVersion guards the next update. */
  private lease: Lease | undefined;

  constructor(private readonly client: KubeClient, readonly namespace: string, readonly name: string) {}

  /** `NAMESPACE/NAME`, for logs. */
  get description(): string {
    return `${this.namespace}/${this.name}`;
  }

  private get collection(): string {
    return collectionPath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: this.namespace });
  }

  /** The Lease's own path; throws InvalidPathSegmentError for a bad name (no request is sent). */
  private get path(): string {
    return objectPath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: this.namespace, name: this.name });
  }

  private remember(lease: Lease): ObservedLease {
    this.lease = lease;
    return { record: recordOf(lease.spec), raw: JSON.stringify(lease.spec ?? {}) };
  }

  /** Reads the Lease; undefined when it does not exist. */
  async get(signal?: AbortSignal): Promise<ObservedLease | undefined> {
    let lease: Lease;
    try {
      lease = await this.client.json<Lease>('GET', this.path, { signal, verb: 'get', resource: 'leases' });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.reason === 'NotFound') return undefined;
      throw err;
    }
    return this.remember(lease);
  }

  /** Creates the Lease holding `record`; LeaseConflictError if it exists already. */
  async create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<ObservedLease> {
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: this.name, namespace: this.namespace }, spec: specOf(record),
    };
    try {
      return this.remember(await this.client.json<Lease>('POST', this.collection, { body, signal, verb: 'create', resource: 'leases' }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) throw new LeaseConflictError(`create lease ${this.description}`, err);
      throw err;
    }
  }

  /** Replaces the Lease's spec, conditional on the resourceVersion last seen; LeaseConflictError if it changed. */
  async update(record: LeaderElectionRecord, signal?: AbortSignal): Promise<ObservedLease> {
    if (!this.lease) throw new LeaseNotReadError(this.description);
    const body: Lease = { ...this.lease, spec: specOf(record) };
    try {
      return this.remember(await this.client.json<Lease>('PUT', this.path, { body, signal, verb: 'update', resource: 'leases' }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) throw new LeaseConflictError(`update lease ${this.description}`, err);
      throw err;
    }
  }
}
