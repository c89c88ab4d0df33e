/**
 * What the engine last read or wrote of the sessions, subscribers and accounts it charges, so that
 * a request whose state is all here is planned without reading it again. PostgreSQL stays the
 * truth; the cache only spares reads, never a guard:
 * - an account is kept with its revision (changed by every writer but the engine: top-ups,
 *   adjustments, suspensions, plan changes, the sweeper) and the engine's write is guarded by it,
 *   so a request planned on an account someone else has changed since fails its write and is read
 *   again (store.ts);
 * - a session is kept as the engine wrote it, and its write is guarded by its revision;
 * - a subscriber is kept with the revision of its account it was read at, and counts only while
 *   the cached account has that revision (a change to the subscriber changes it) and for the
 *   tariffs' time to live: its product (the prices it is rated with) can change without touching
 *   the account;
 * - balances are those the engine's own write returned (a concurrent writer's change included),
 *   or a read's when no write of the account was in flight meanwhile (a read that may predate a
 *   write is not kept). Another OCS instance's writes do not count in the revision: what they take
 *   the guard catches (a bucket must hold what is granted on it), and what they give back (units
 *   they held reserved, released) matters only where a plan found a bucket short with units
 *   reserved on it, and such a plan is made again on a fresh read (batcher.ts).
 * Bounded: past `maxEntries` of a kind, the oldest entries go (and are read again when needed).
 */
import { copyBucket, type BucketState } from './plan';
import type { BatchState, SessionRow, SubscriberRow, WrittenBucket } from './store';
import type { ChargingRequest } from './types';

/** An account as last read or written: its revision and buckets (id order; never changed in place). */
export interface CachedAccount {
  id: string;
  revision: number;
  buckets: BucketState[];
}

/** A request's state, all from the cache. */
export interface CachedState {
  session: SessionRow | undefined;
  subscriber: SubscriberRow;
  /** The account charged (the session's, else the subscriber's). */
  account: CachedAccount;
  /** The subscriber's account when it is another one (its revision guards the subscriber). */
  subscriberAccount: CachedAccount;
}

/** A Map that forgets its oldest entries past a size. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    // Set again, an entry becomes the newest.
    super.delete(key);
    super.set(key, value);
    if (this.size > this.max) this.delete(this.keys().next().value as K);
    return this;
  }
}

const subscriberKeys = (s: SubscriberRow): string[] => (s.imsi ? [`m:${s.msisdn}`, `i:${s.imsi}`] : [`m:${s.msisdn}`]);

export class EngineStateCache {
  private readonly sessions: BoundedMap<string, SessionRow>;
  private readonly subscribers: BoundedMap<string, { row: SubscriberRow; revision: number; readAt: number }>;
  private readonly accounts: BoundedMap<string, CachedAccount>;
  /** Writes in flight by account. */
  private readonly writing = new Map<string, number>();
  /** For each read in flight, the accounts a write began on since it started. */
  private readonly openReads = new Set<Set<string>>();

  constructor(
    readonly maxEntries: number,
    /** How long a subscriber read counts (its product can change without its account). */
    private readonly subscribersFor: { ttlMs: number; now: () => number } = { ttlMs: Infinity, now: () => 0 },
  ) {
    this.sessions = new BoundedMap(maxEntries);
    this.subscribers = new BoundedMap(maxEntries);
    this.accounts = new BoundedMap(maxEntries);
  }

  /** The request's state when all of it is here; a new session (initial or event) has none. */
  lookup(request: ChargingRequest): CachedState | undefined {
    if (this.maxEntries === 0) return undefined;
    const session = this.sessions.get(request.sessionId);
    if (!session && (request.type === 'update' || request.type === 'termination')) return undefined;
    // The subscriber as the read finds it: by number (the request's, else the session's), else by IMSI.
    const msisdn = request.subscriber.msisdn ?? session?.msisdn;
    const key = msisdn !== undefined ? `m:${msisdn}` : request.subscriber.imsi !== undefined ? `i:${request.subscriber.imsi}` : undefined;
    const subscriber = key === undefined ? undefined : this.subscribers.get(key);
    if (!subscriber || this.subscribersFor.now() - subscriber.readAt >= this.subscribersFor.ttlMs) return undefined;
    const subscriberAccount = this.accounts.get(subscriber.row.chargingAccountId);
    if (!subscriberAccount || subscriberAccount.revision !== subscriber.revision) return undefined;
    const account = session ? this.accounts.get(session.chargingAccountId) : subscriberAccount;
    if (!account) return undefined;
    return { session, subscriber: subscriber.row, account, subscriberAccount };
  }

  /**
   * Call before a read; hand the result to keepRead (or to endRead when it failed). Accounts
   * being written as it starts count as changed too: the read's snapshot may predate the write's
   * commit even when the write's result comes back first.
   */
  startRead(): Set<string> {
    const changedSince = new Set<string>(this.writing.keys());
    this.openReads.add(changedSince);
    return changedSince;
  }

  endRead(read: Set<string>): void {
    this.openReads.delete(read);
  }

  /**
   * Keeps what a read returned for `requests`: open sessions, subscribers, and the accounts no
   * write began on while the read ran (the read may not show what it wrote).
   */
  keepRead(read: Set<string>, requests: ChargingRequest[], state: BatchState): void {
    this.endRead(read);
    if (this.maxEntries === 0) return;
    for (const [id, revision] of state.revisions) {
      if (read.has(id) || this.writing.has(id)) this.accounts.delete(id);
      else this.accounts.set(id, { id, revision, buckets: state.bucketsByAccount.get(id) ?? [] });
    }
    for (const session of state.sessions.values()) {
      if (session.state === 'open') this.sessions.set(session.id, session);
      else this.sessions.delete(session.id);
    }
    const readAt = this.subscribersFor.now();
    requests.forEach((_, i) => {
      const row = state.subscribers[i];
      const revision = row && state.revisions.get(row.chargingAccountId);
      if (row && revision !== undefined) for (const key of subscriberKeys(row)) this.subscribers.set(key, { row, revision, readAt });
    });
  }

  /**
   * A write of these accounts begins: reads in flight will not keep them, and an account written
   * by two batches at once is dropped (which of the two leaves the later balances is not known).
   * Returns the accounts whose balances the write's result may replace.
   */
  beginWrite(accounts: Map<string, number>): CachedAccount[] {
    const kept: CachedAccount[] = [];
    for (const [id, revision] of accounts) {
      const inFlight = (this.writing.get(id) ?? 0) + 1;
      this.writing.set(id, inFlight);
      for (const read of this.openReads) read.add(id);
      const cached = this.accounts.get(id);
      if (inFlight > 1) this.accounts.delete(id);
      else if (cached && cached.revision === revision) kept.push(cached);
    }
    return kept;
  }

  /** The write of these accounts ended: on success, its sessions and buckets become the cached ones; on failure, all of it is read again. */
  endWrite(accounts: Map<string, number>, kept: CachedAccount[], result: { sessions: SessionRow[]; buckets: WrittenBucket[] } | { failed: string[] }): void {
    for (const id of accounts.keys()) {
      const left = this.writing.get(id)! - 1;
      if (left === 0) this.writing.delete(id);
      else this.writing.set(id, left);
    }
    if ('failed' in result) {
      for (const id of accounts.keys()) this.accounts.delete(id);
      for (const sessionId of result.failed) this.sessions.delete(sessionId);
      return;
    }
    for (const session of result.sessions) {
      if (session.state === 'open' && this.maxEntries > 0) this.sessions.set(session.id, session);
      else this.sessions.delete(session.id);
    }
    const written = new Map(result.buckets.map((b) => [b.id, b]));
    for (const account of kept) {
      // Only if nothing replaced or dropped it meanwhile.
      if (this.accounts.get(account.id) !== account) continue;
      const buckets = account.buckets.map((b) => {
        const w = written.get(b.id);
        return w ? copyBucket(b, w.balance, w.reserved) : b;
      });
      this.accounts.set(account.id, { ...account, buckets });
    }
  }

  /** Drops a session: its next request reads it. */
  forgetSession(sessionId: string): void {
    this.sessions.delete(sessionId);
  }
}
