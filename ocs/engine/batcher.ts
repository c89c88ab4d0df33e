/**
 * Groups concurrent credit-control requests: requests that arrive while batches are in flight wait
 * and go together in the next one, which is one read statement and one write statement (one
 * commit) for all of them. PostgreSQL stays the truth: every batch reads afresh, and its write is
 * guarded as a single request's is, so top-ups and sweeps by other transactions count at once.
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
import { isConflict, readBatch, stateOf, writeBatch, type PlannedWrite } from './store';
import { decide } from './decide';
import type { EngineSettings } from './plan';
import type { TariffCache } from './tariffs';
import type { ChargingAnswer, ChargingRequest } from './types';

/** How requests are grouped. */
export interface BatchSettings {
  /** Most requests in one batch. */
  maxBatch: number;
  /** Batches written at the same time (each on its own connection). */
  batchesInFlight: number;
  /** Reads and plans of one batch before its requests go one by one. */
  batchTries: number;
}

/** Told of every batch written or read (for metrics); times in seconds, `write` null when nothing was written. */
export interface EngineObserver {
  batch(size: number, readSeconds: number, writeSeconds: number | null): void;
  /** A batch write refused by its guard: the batch is read and planned again. */
  conflict(): void;
}

/** What one batch step needs. */
export interface OnceDeps {
  pool: pg.Pool;
  clock: Clock;
  tariffs: TariffCache;
  settings: EngineSettings & { sessionTimeout: number };
  observer?: EngineObserver;
}

/** Seconds since `started` (a performance.now()). */
const secondsSince = (started: number): number => (performance.now() - started) / 1000;

/** A request waiting for its answer. */
export interface Pending {
  request: ChargingRequest;
  resolve: (answer: ChargingAnswer) => void;
  reject: (err: unknown) => void;
}

/** Thrown by one batch attempt whose write failed: the requests still to be written. */
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
          // The read failed: nothing was answered yet.
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

/**
 * One read, the plans in arrival order, one write: each request is answered (or refused) through its
 * Pending. Throws WriteFailed with the requests still to answer when the write fails; a failed read
 * throws as it is. The single-request path is this for a batch of one.
 */
export async function chargeOnce(deps: OnceDeps, batch: Pending[]): Promise<void> {
  const { pool, clock, tariffs, settings, observer } = deps;
  const readStarted = performance.now();
  const state = await readBatch(
    pool,
    batch.map((p) => p.request),
  );
  const readSeconds = secondsSince(readStarted);
  // Tariffs not cached yet are loaded side by side, not one request after the other.
  const accounts = new Map(state.subscribers.filter((s) => s !== undefined).map((s) => [`${s.productId}|${s.billingAccountId}`, s]));
  await Promise.all([...accounts.values()].map((s) => tariffs.tariffsOf(pool, s.productId, s.billingAccountId).catch(() => undefined)));
  const writes: PlannedWrite[] = [];
  const writers: Pending[] = [];
  for (let i = 0; i < batch.length; i++) {
    const p = batch[i];
    const read = stateOf(state, p.request, i);
    // Planned on copies: the account's buckets take the changes only if the request writes.
    const working = read.buckets.map((b) => ({ ...b }));
    let decision;
    try {
      decision = await decide(pool, tariffs, settings, p.request, { ...read, buckets: working });
    } catch (err) {
      p.reject(err);
      continue;
    }
    if (!decision.plan) {
      // A stored answer or a refusal, from committed state: nothing to write.
      p.resolve(decision.answer);
      continue;
    }
    read.buckets.forEach((b, k) => Object.assign(b, working[k]));
    writes.push({ plan: decision.plan, request: p.request, session: decision.session, chargingAccountId: decision.chargingAccountId, msisdn: decision.msisdn });
    writers.push(p);
  }
  if (writes.length === 0) {
    observer?.batch(batch.length, readSeconds, null);
    return;
  }
  const now = clock.now();
  const writeStarted = performance.now();
  try {
    await writeBatch(pool, {
      writes,
      now,
      sessionExpiresAt: new Date(now.getTime() + settings.sessionTimeout * 1000),
      reservationExpiresAt: new Date(now.getTime() + settings.validityTime * 1000),
    });
  } catch (err) {
    throw new WriteFailed(err, writers);
  }
  observer?.batch(batch.length, readSeconds, secondsSince(writeStarted));
  writes.forEach((w, k) => writers[k].resolve(w.plan.answer));
}
