/**
 * Groups concurrent credit-control requests: requests that arrive while batches are in flight wait
 * and go together in the next one, which is one read statement and one write statement (one
 * commit) for all of them; the read only for requests whose state is not cached (state-cache.ts).
 * PostgreSQL stays the truth: the write is guarded by the revisions of the state planned on, so
 * top-ups and sweeps by other transactions count at once.
 *
 * Requests of a batch on the same account are planned in arrival order on the evolving buckets, so
 * the batch never grants more than the account holds. A session has at most one request in flight
 * in all batches: a second one (a retransmission, a request sent before the previous answer) waits
 * for the next batch and then sees the first one's committed state. A batch whose guard fails (a
 * concurrent writer outside it) is read and planned again; after `batchTries` such failures, or on
 * any other error, its requests go one by one through the single-request path. A request is
 * answered only once its write has committed (or, when it writes nothing, from a committed read).
 */
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { Clock } from '../../domain/clock';
import { isConflict, readBatch, reservationsOf, writeBatch, type BatchState, type PlannedWrite, type ReadState } from './store';
import { decide } from './decide';
import { copyBucket, type BucketState, type EngineSettings } from './plan';
import type { EngineStateCache } from './state-cache';
import { tariffKey, type TariffCache } from './tariffs';
import { EngineOverloaded, RESULT, type ChargingAnswer, type ChargingRequest } from './types';
import type { WaitingByAccount } from './waiting';

/** How requests are grouped. */
export interface BatchSettings {
  /** Most requests in one batch. */
  maxBatch: number;
  /** Batches written at the same time (each on its own connection). */
  batchesInFlight: number;
  /** Reads and plans of one batch before its requests go one by one. */
  batchTries: number;
  /** Requests waiting for a batch past which new ones are refused (EngineOverloaded). */
  maxQueued: number;
}

/**
 * Told of every batch (for metrics): its requests, how many of them had their state read (the
 * others were planned on memory), times in seconds, null for a step not taken (nothing to read or
 * to write).
 */
export interface EngineObserver {
  batch(size: number, readSeconds: number | null, writeSeconds: number | null, readRequests: number): void;
  /** A batch write refused by its guard: the batch is read and planned again. */
  conflict(): void;
}

/** What one batch step needs. */
export interface OnceDeps {
  pool: pg.Pool;
  clock: Clock;
  tariffs: TariffCache;
  cache: EngineStateCache;
  settings: EngineSettings & { sessionTimeout: number; reservationGrace: number };
  observer?: EngineObserver;
  /** The sessions waiting for credit, told when a write frees credit on their account. */
  waiting?: WaitingByAccount;
}

/** Seconds since `started` (a performance.now()). */
const secondsSince = (started: number): number => (performance.now() - started) / 1000;

/** A request waiting for its answer. */
export interface Pending {
  request: ChargingRequest;
  resolve: (answer: ChargingAnswer) => void;
  reject: (err: unknown) => void;
}

/**
 * Thrown by one batch attempt that failed after its read: its write, or the fresh read of the
 * requests it decides again. `unwritten` are the requests still to answer (those answered before
 * the failure are not in it).
 */
export class WriteFailed extends Error {
  constructor(
    readonly reason: unknown,
    readonly unwritten: Pending[],
  ) {
    super('batch write failed');
  }
}

/** The batching front of the engine; `single` is the one-request path it falls back to. */
export class RequestBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private pumpScheduled = false;
  /** Sessions with a request in a batch now: their next request waits. */
  private readonly busySessions = new Set<string>();

  constructor(
    private readonly deps: OnceDeps & {
      settings: BatchSettings;
      single: (request: ChargingRequest) => Promise<ChargingAnswer>;
    },
  ) {}

  /** Charges one request in the next batch that can take it. */
  charge(request: ChargingRequest): Promise<ChargingAnswer> {
    if (this.queue.length >= this.deps.settings.maxQueued) return Promise.reject(new EngineOverloaded(this.queue.length));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      // Requests that arrive in the same turn of the event loop (one socket read) start one batch.
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        setImmediate(() => {
          this.pumpScheduled = false;
          this.pump();
        });
      }
    });
  }

  /** Starts batches while fewer than `batchesInFlight` run and requests can go. */
  private pump(): void {
    while (this.inFlight < this.deps.settings.batchesInFlight && this.queue.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        for (const p of batch) this.busySessions.delete(p.request.sessionId);
        this.pump();
      });
    }
  }

  /** Takes up to maxBatch queued requests, in arrival order, of sessions not already in a batch. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const waiting: Pending[] = [];
    for (const p of this.queue) {
      if (batch.length < this.deps.settings.maxBatch && !this.busySessions.has(p.request.sessionId)) {
        this.busySessions.add(p.request.sessionId);
        batch.push(p);
      } else waiting.push(p);
    }
    this.queue = waiting;
    return batch;
  }

  private async run(batch: Pending[]): Promise<void> {
    let pending = batch;
    for (let tries = 1; pending.length > 0; tries++) {
      try {
        await chargeOnce(this.deps, pending);
        return;
      } catch (err) {
        if (!(err instanceof WriteFailed)) {
          // The batch's read failed: nothing was answered yet.
          await this.oneByOne(pending);
          return;
        }
        pending = err.unwritten;
        if (isConflict(err.reason)) this.deps.observer?.conflict();
        if (!isConflict(err.reason) || tries >= this.deps.settings.batchTries) {
          await this.oneByOne(pending);
          return;
        }
      }
    }
  }

  /** The fallback: each request through the single-request path (which retries its own conflicts). */
  private async oneByOne(pending: Pending[]): Promise<void> {
    await Promise.all(pending.map((p) => this.deps.single(p.request).then(p.resolve, p.reject)));
  }
}

/** A plain success: no rating group refused or given its final units. */
const plainSuccess = (answer: ChargingAnswer): boolean => answer.resultCode === RESULT.SUCCESS && answer.units.every((u) => u.resultCode === RESULT.SUCCESS && !u.finalUnit);

/** One request of a batch with the state it is planned on. */
interface Planning {
  pending: Pending;
  state: ReadState;
  /** The accounts planned on (the charged one and the subscriber's): the write is guarded by their revisions. */
  accounts: string[];
  /** Planned on the cache, not on this batch's read. */
  cached: boolean;
}

/**
 * The state of each request: from the cache when all of it is there, else from one read of the
 * others. Each account gets one list of working buckets (copies) for the batch, so requests on the
 * same account are planned on each other's effects; a request whose cached account is older than
 * the batch's read of it goes to `stale`.
 */
async function stateOfBatch(deps: OnceDeps, batch: Pending[], fresh: boolean) {
  const { pool, cache } = deps;
  const hits = batch.map((p) => (fresh ? undefined : cache.lookup(p.request)));
  const unread = batch.filter((_, i) => hits[i] === undefined);
  const accounts = new Map<string, { revision: number; buckets: BucketState[] }>();
  let read: BatchState | undefined;
  let readSeconds: number | null = null;
  if (unread.length > 0) {
    const started = performance.now();
    const token = cache.startRead();
    try {
      read = await readBatch(
        pool,
        unread.map((p) => p.request),
      );
    } catch (err) {
      cache.endRead(token);
      throw err;
    }
    cache.keepRead(
      token,
      unread.map((p) => p.request),
      read,
    );
    readSeconds = secondsSince(started);
    for (const [id, revision] of read.revisions) accounts.set(id, { revision, buckets: (read.bucketsByAccount.get(id) ?? []).map((b) => copyBucket(b)) });
  }
  const planned: Planning[] = [];
  const stale: Pending[] = [];
  let readIndex = 0;
  batch.forEach((p, i) => {
    const hit = hits[i];
    if (hit) {
      for (const a of [hit.account, hit.subscriberAccount]) if (!accounts.has(a.id)) accounts.set(a.id, { revision: a.revision, buckets: a.buckets.map((b) => copyBucket(b)) });
      if (accounts.get(hit.account.id)!.revision !== hit.account.revision || accounts.get(hit.subscriberAccount.id)!.revision !== hit.subscriberAccount.revision) {
        stale.push(p);
        return;
      }
      const state = { session: hit.session, subscriber: hit.subscriber, buckets: accounts.get(hit.account.id)!.buckets, reservations: reservationsOf(hit.session) };
      planned.push({ pending: p, state, accounts: [hit.account.id, hit.subscriberAccount.id], cached: true });
      return;
    }
    const session = read!.sessions.get(p.request.sessionId);
    const subscriber = read!.subscribers[readIndex++];
    const accountId = session?.chargingAccountId ?? subscriber?.chargingAccountId;
    const state = { session, subscriber, buckets: (accountId && accounts.get(accountId)?.buckets) || [], reservations: reservationsOf(session) };
    planned.push({ pending: p, state, accounts: [accountId, subscriber?.chargingAccountId].filter((a): a is string => a !== undefined && accounts.has(a)), cached: false });
  });
  return { planned, stale, accounts, readSeconds, readRequests: unread.length };
}

/**
 * The state, the plans in arrival order, one write: each request is answered (or refused) through
 * its Pending. A request planned on the cache is answered from it only when the write confirms it
 * (a plain success): any other answer (a stored one, a refusal, final units), or one that went past
 * units reserved on a bucket (Plan.shortOfReserved), is decided again on a fresh read after the
 * write, as is a request whose cached account turned out older than the batch's. Throws
 * WriteFailed with the requests still to answer when the write fails; a failed read throws as it
 * is. The single-request path is this for a batch of one.
 */
export async function chargeOnce(deps: OnceDeps, batch: Pending[], fresh = false): Promise<void> {
  const { pool, clock, tariffs, settings, observer, cache } = deps;
  const { planned, stale, accounts, readSeconds, readRequests } = await stateOfBatch(deps, batch, fresh);
  // Tariffs not cached yet are loaded side by side, not one request after the other.
  const plans = new Map(planned.flatMap(({ state: { subscriber: s } }) => (s ? [[tariffKey(s.tariff), s.tariff] as const] : [])));
  await Promise.all([...plans.values()].map((refs) => tariffs.tariffsOf(pool, refs).catch(() => undefined)));
  const writes: PlannedWrite[] = [];
  const writers: Pending[] = [];
  const guard = new Map<string, number>();
  const recheck = [...stale];
  // One time for the whole batch: what its grants are reserved on and when its writes happen.
  const now = clock.now();
  for (const { pending: p, state, accounts: planningAccounts, cached } of planned) {
    // Planned on copies: the account's buckets take the changes only if the request writes.
    const working = state.buckets.map((b) => copyBucket(b));
    let decision;
    try {
      decision = await decide(pool, tariffs, settings, p.request, { ...state, buckets: working }, now);
    } catch (err) {
      p.reject(err);
      continue;
    }
    if (cached && (!decision.plan || !plainSuccess(decision.plan.answer) || decision.plan.shortOfReserved)) {
      recheck.push(p);
      continue;
    }
    if (!decision.plan) {
      // A stored answer or a refusal, from committed state: nothing to write. A stored answer may
      // be another instance's (the client failed over): whether its session waits is noted here too.
      if (state.session?.state === 'open' && decision.answer === state.session.lastAnswer) deps.waiting?.note(p.request, decision.answer, state.session.chargingAccountId);
      p.resolve(decision.answer);
      continue;
    }
    state.buckets.forEach((b, k) => {
      b.balance = working[k].balance;
      b.reserved = working[k].reserved;
    });
    writes.push({ plan: decision.plan, request: p.request, session: decision.session, chargingAccountId: decision.chargingAccountId, msisdn: decision.msisdn });
    writers.push(p);
    for (const id of planningAccounts) guard.set(id, accounts.get(id)!.revision);
  }
  if (writes.length === 0) observer?.batch(batch.length, readSeconds, null, readRequests);
  else {
    const writeStarted = performance.now();
    const kept = cache.beginWrite(guard);
    let result;
    try {
      result = await writeBatch(pool, {
        writes,
        accounts: guard,
        now,
        sessionExpiresAt: new Date(now.getTime() + settings.sessionTimeout * 1000),
        reservationExpiresAt: new Date(now.getTime() + (settings.validityTime + settings.reservationGrace) * 1000),
      });
    } catch (err) {
      cache.endWrite(guard, kept, { failed: batch.map((p) => p.request.sessionId) });
      throw new WriteFailed(err, [...writers, ...recheck]);
    }
    cache.endWrite(guard, kept, result);
    observer?.batch(batch.length, readSeconds, secondsSince(writeStarted), readRequests);
    writes.forEach((w, k) => writers[k].resolve(w.plan.answer));
    deps.waiting?.afterWrites(writes);
  }
  if (recheck.length > 0) {
    // The fresh read replaces what it reads; a session it no longer finds must not stay.
    for (const p of recheck) cache.forgetSession(p.request.sessionId);
    try {
      await chargeOnce(deps, recheck, true);
    } catch (err) {
      // The batch's writes are answered: only these are left to retry.
      throw err instanceof WriteFailed ? err : new WriteFailed(err, recheck);
    }
  }
}
