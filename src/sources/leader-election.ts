import * as k8s from '@kubernetes/client-node';
import { EventEmitter } from 'node:events';

/** Options of {@link LeaderElector}; durations follow client-go's `LeaderElectionConfig`. */
export interface LeaderElectorOptions {
  kubeConfig: k8s.KubeConfig;
  /** Namespace of the Lease (normally the controller's own). */
  namespace: string;
  /** Name of the `coordination.k8s.io/v1` Lease, e.g. `portcullis-leader`. */
  name: string;
  /** This candidate's identity, unique among candidates (the pod name). */
  identity: string;
  /** How long a candidate waits after the last observed change of the lease before taking it. Default 15000. */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives leadership up. Default 10000. */
  renewDeadlineMs?: number;
  /** Interval between attempts (acquiring: jittered up to 2.2x). Default 2000. */
  retryPeriodMs?: number;
  /** Clock for the times written into the lease and for expiry. Default: the system clock. */
  now?: () => Date;
}

/** The leader-relevant fields of a Lease spec, as compared between observations. */
interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

interface Observation {
  lease: k8s.V1Lease;
  key: string;
  /** Local time (ms) when the record was last seen to change: expiry is measured from here. */
  at: number;
}

interface AttemptResult {
  ok: boolean;
  /** Another identity holds a lease that has not expired. */
  heldByOther: boolean;
}

/** client-go's `JitterFactor`: candidates retry after retryPeriod * (1 + random * 1.2). */
const JITTER_FACTOR = 1.2;

/**
 * Leader election on a `coordination.k8s.io/v1` Lease with client-go semantics: a candidate takes
 * the lease when it is free (no holder) or expired, the holder renews it every retry period, a
 * takeover increments `leaseTransitions`, and every write is a replace guarded by resourceVersion,
 * so of two racing writers exactly one wins (the other gets 409 Conflict and re-reads).
 *
 * Expiry is measured as client-go does, from the local time at which this candidate last saw the
 * lease record change, never from `renewTime` against the local clock: a candidate whose clock runs
 * ahead of the holder's can then never steal a lease that is still being renewed. A lease first
 * seen stale is taken one lease duration later; a released lease (empty holder) at once.
 *
 * The leader gives leadership up when it has not renewed for `renewDeadlineMs`, or at once when it
 * sees another identity holding a valid lease; it then keeps running as a candidate. Losing the
 * lease stops nothing else: callers decide what only the leader does.
 *
 * Events: 'started-leading', 'stopped-leading', 'new-leader' (identity; emitted for this candidate
 * too), 'error' (err) for failed API calls other than write races. 'error' is only emitted while
 * someone listens, so an unwatched elector never throws from its timers.
 */
export class LeaderElector extends EventEmitter {
  private readonly api: k8s.CoordinationV1Api;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => Date;
  private running = false;
  private leading = false;
  private observed?: Observation;
  private reportedLeader?: string;
  private retryTimer?: NodeJS.Timeout;
  private deadlineTimer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private abort?: AbortController;
  private stopping?: Promise<void>;
  /** Incremented by start(): a loop left over from before a stop() never reschedules itself. */
  private generation = 0;

  constructor(private readonly options: LeaderElectorOptions) {
    super();
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.now = options.now ?? (() => new Date());
    if (!options.identity) throw new TypeError('leader election needs a non-empty identity');
    if (!options.namespace || !options.name) throw new TypeError('leader election needs the namespace and name of the Lease');
    // The same invariants client-go's NewLeaderElector enforces: otherwise a slow renewal could
    // outlive the lease, or the deadline could pass before the first retry.
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) throw new RangeError('leaseDurationMs must be greater than renewDeadlineMs');
    if (!(this.renewDeadlineMs > JITTER_FACTOR * this.retryPeriodMs)) throw new RangeError('renewDeadlineMs must be greater than 1.2 * retryPeriodMs');
    if (!(this.retryPeriodMs > 0)) throw new RangeError('retryPeriodMs must be positive');
    this.api = options.kubeConfig.makeApiClient(k8s.CoordinationV1Api);
  }

  /** Starts campaigning; idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.generation++;
    this.schedule(0, this.generation);
  }

  /**
   * Stops campaigning and, if leading, releases the lease (clears holderIdentity) so another
   * candidate takes over at once instead of after the lease duration. Never rejects.
   */
  stop(): Promise<void> {
    if (!this.running) return this.stopping ?? Promise.resolve();
    this.running = false;
    this.stopping = this.shutDown();
    return this.stopping;
  }

  /** True while this candidate holds the lease and has renewed it within the renew deadline. */
  isLeader(): boolean {
    return this.leading;
  }

  private async shutDown(): Promise<void> {
    clearTimeout(this.retryTimer);
    clearTimeout(this.deadlineTimer);
    this.abort?.abort();
    await this.inFlight;
    // Released even after a missed renew deadline: if the lease still names us, a successor need not wait.
    if (this.observed && this.holderOf(this.observed.lease) === this.options.identity) await this.release();
    if (!this.leading) return;
    this.leading = false;
    this.emit('stopped-leading');
  }

  private schedule(delayMs: number, generation: number): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      const attempt = this.runAttempt(generation);
      this.inFlight = attempt;
      void attempt.finally(() => {
        if (this.inFlight === attempt) this.inFlight = undefined;
        if (!this.running || generation !== this.generation) return;
        // client-go renews at a fixed period but jitters acquisition, so candidates spread out.
        this.schedule(this.leading ? this.retryPeriodMs : this.retryPeriodMs * (1 + Math.random() * JITTER_FACTOR), generation);
      });
    }, delayMs);
  }

  private async runAttempt(generation: number): Promise<void> {
    try {
      const result = await this.tryAcquireOrRenew();
      if (!this.running || generation !== this.generation) return;
      if (result.ok) this.renewed();
      else if (result.heldByOther && this.leading) this.stepDown();
    } catch (err) {
      // A listener of our own events threw: report it rather than leave an unhandled rejection.
      this.reportError(err);
    }
  }

  private renewed(): void {
    clearTimeout(this.deadlineTimer);
    // A timer rather than a check after each attempt: a request that hangs must not extend leadership.
    this.deadlineTimer = setTimeout(() => this.stepDown(), this.renewDeadlineMs);
    if (this.leading) return;
    this.leading = true;
    this.emit('started-leading');
  }

  private stepDown(): void {
    clearTimeout(this.deadlineTimer);
    if (!this.leading) return;
    this.leading = false;
    this.emit('stopped-leading');
  }

  /** One round of client-go's tryAcquireOrRenew: optimistic renew first, then read-check-write. */
  private async tryAcquireOrRenew(): Promise<AttemptResult> {
    const observed = this.observed;
    if (this.leading && observed && this.holderOf(observed.lease) === this.options.identity && this.isValid(observed)) {
      // Fast path: the holder replaces the lease it last saw, saving a read; a 409 means someone
      // else wrote since, and the slow path below re-reads.
      const renewed = await this.write(observed.lease, this.nextRecord(observed.lease, true));
      if (renewed) return { ok: true, heldByOther: false };
    }
    const lease = await this.read();
    if (lease === undefined) return { ok: await this.create(), heldByOther: false };
    if (lease === null) return { ok: false, heldByOther: false };
    const current = this.observe(lease);
    const holder = this.holderOf(lease);
    if (holder && holder !== this.options.identity && this.isValid(current)) return { ok: false, heldByOther: true };
    const ok = await this.write(lease, this.nextRecord(lease, holder === this.options.identity));
    return { ok, heldByOther: false };
  }

  /** The record to write: the holder keeps acquireTime and the transition count; a taker bumps it. */
  private nextRecord(lease: k8s.V1Lease, alreadyHolder: boolean): LeaseRecord {
    const old = lease.spec ?? {};
    const now = this.microNow();
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: alreadyHolder ? timeString(old.acquireTime) ?? now : now,
      renewTime: now,
      leaseTransitions: (old.leaseTransitions ?? 0) + (alreadyHolder ? 0 : 1),
    };
  }

  /** The lease, `undefined` when it does not exist, `null` when the read failed (reported). */
  private async read(abortable = true): Promise<k8s.V1Lease | undefined | null> {
    try {
      return await this.api.readNamespacedLease({ name: this.options.name, namespace: this.options.namespace }, this.requestOptions(abortable));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      this.reportError(err);
      return null;
    }
  }

  private async create(): Promise<boolean> {
    const record = this.nextRecord({}, false);
    const body: k8s.V1Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.options.name, namespace: this.options.namespace },
      spec: toSpec({ ...record, leaseTransitions: 0 }),
    };
    try {
      const created = await this.api.createNamespacedLease({ namespace: this.options.namespace, body }, this.requestOptions());
      this.observe(created);
      return true;
    } catch (err) {
      // 409 AlreadyExists: another candidate created it first; the next round reads it.
      if (statusOf(err) !== 409) this.reportError(err);
      return false;
    }
  }

  /** Replaces the lease guarded by the resourceVersion it was read with; false on any failure. */
  private async write(lease: k8s.V1Lease, record: LeaseRecord): Promise<boolean> {
    const body: k8s.V1Lease = { ...lease, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', spec: { ...lease.spec, ...toSpec(record) } };
    try {
      const written = await this.api.replaceNamespacedLease(
        { name: this.options.name, namespace: this.options.namespace, body },
        this.requestOptions(),
      );
      this.observe(written);
      return true;
    } catch (err) {
      // 409 Conflict: the resourceVersion is stale because another writer won the race.
      if (statusOf(err) !== 409) this.reportError(err);
      return false;
    }
  }

  /** Clears holderIdentity, as client-go's ReleaseOnCancel, retrying once after a stale read. */
  private async release(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const lease = attempt === 0 && this.observed ? this.observed.lease : await this.read(false);
      if (!lease || this.holderOf(lease) !== this.options.identity) return;
      const now = this.microNow();
      const spec = { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, acquireTime: now, renewTime: now } as unknown;
      try {
        const released = await this.api.replaceNamespacedLease(
          { name: this.options.name, namespace: this.options.namespace, body: { ...lease, spec: spec as k8s.V1LeaseSpec } },
          this.requestOptions(false),
        );
        this.observe(released);
        return;
      } catch (err) {
        if (statusOf(err) !== 409) {
          this.reportError(err);
          return;
        }
      }
    }
  }

  /** Records a lease read or written; restarts the expiry clock when its record changed. */
  private observe(lease: k8s.V1Lease): Observation {
    const key = JSON.stringify(recordOf(lease));
    const at = this.observed && this.observed.key === key ? this.observed.at : this.now().getTime();
    this.observed = { lease, key, at };
    const holder = this.holderOf(lease);
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.emit('new-leader', holder);
    }
    return this.observed;
  }

  private isValid(observation: Observation): boolean {
    return observation.at + this.leaseDurationMs > this.now().getTime();
  }

  private holderOf(lease: k8s.V1Lease): string {
    return lease.spec?.holderIdentity ?? '';
  }

  private microNow(): string {
    return new k8s.V1MicroTime(this.now().getTime()).toISOString();
  }

  /** Per-request options: aborted by stop(), and bounded so a hung request cannot stall the loop. */
  private requestOptions(abortable = true): k8s.ConfigurationOptions {
    const timeout = AbortSignal.timeout(this.renewDeadlineMs);
    const signal = abortable && this.abort ? AbortSignal.any([timeout, this.abort.signal]) : timeout;
    // The object-parameter API runs Observable-style middleware (client-node's own rxjs stub).
    const withSignal: k8s.ObservableMiddleware = {
      pre: (context) => {
        context.setSignal(signal);
        return new k8s.Observable(Promise.resolve(context));
      },
      post: (response) => new k8s.Observable(Promise.resolve(response)),
    };
    return { middleware: [withSignal], middlewareMergeStrategy: 'append' };
  }

  private reportError(err: unknown): void {
    // Requests cut short by stop() are expected, not failures.
    if (!this.running && (err as Error | null)?.name === 'AbortError') return;
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

function recordOf(lease: k8s.V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds,
    acquireTime: timeString(spec.acquireTime),
    renewTime: timeString(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/** The record as a spec; times travel as RFC 3339 strings with microseconds (MicroTime on the wire). */
function toSpec(record: LeaseRecord): k8s.V1LeaseSpec {
  return record as unknown as k8s.V1LeaseSpec;
}

/** client-node leaves MicroTime fields as the wire string on reads; accept a Date too. */
function timeString(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : undefined;
}

function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
