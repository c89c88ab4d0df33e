/**
 * The online charging engine on PostgreSQL, which stays the truth for balances (top-ups and
 * adjustments write the same rows under row locks). Concurrent requests are grouped
 * (ocs/engine/batcher.ts): one read and one guarded write per batch. A request whose batch keeps
 * conflicting, and every request when batching is off (maxBatch 1), takes the single-request path:
 * the same read and guarded write (ocs/engine/store.ts) for a batch of one, retried on its own
 * conflicts. Tariffs are cached, and so are the sessions, subscribers and accounts the engine
 * charges (ocs/engine/state-cache.ts): a request whose state is all cached is planned without a read,
 * and its write is guarded by the revisions it planned on, so PostgreSQL stays the truth.
 */
import pg from 'pg';
import type { Clock } from '../../domain/clock';
import { chargeOnce, RequestBatcher, WriteFailed, type BatchSettings, type EngineObserver } from './batcher';
import type { EngineSettings } from './plan';
import { EngineStateCache } from './state-cache';
import { quoteRequest } from './quote';
import { isConflict } from './store';
import { TariffCache } from './tariffs';
import { refundEvents } from './refund';
import { WaitingByAccount, type OtherInstances } from './waiting';
import type { ChargingAnswer, ChargingEngine, ChargingRequest } from './types';

/** How the engine behaves; every field has a default. */
export interface EngineConfig extends EngineSettings, BatchSettings {
  /** Seconds an open session may stay silent before the sweeper closes it. */
  sessionTimeout: number;
  /**
   * Seconds a reservation outlives its grant's Validity-Time before the sweeper releases it: a
   * client reports when the validity ends (RFC 4006 5.1.2), so its report must find the units held.
   */
  reservationGrace: number;
  /** Time zone for bands when the billing account names none. */
  defaultTimeZone: string;
  /** How long a plan's tariffs are cached, and a subscriber's read (its product) counts in the state cache. */
  tariffTtlMs: number;
  /** Sessions, subscribers and accounts kept in memory (each; 0: every request reads its state). */
  stateCacheSize: number;
}

/** Defaults: 5 minutes of voice, 10 MB of data, one SMS, at most an hour, 1 GiB, 100 SMS a grant; grants valid 10 minutes; batches of up to 256, 2 at a time (measured: bigger batches, docs/ocs-performance.md). */
export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  defaultQuota: { voice: '300', data: '10485760', sms: '1' },
  maxQuota: { voice: '3600', data: '1073741824', sms: '100' },
  validityTime: 600,
  // Neither by default: a threshold makes the client ask a grant's last share again (more requests
  // per call), a holding time ends idle data reporting; both are the operator's choice per network.
  quotaThresholdPercent: 0,
  quotaHoldingTime: 0,
  sessionTimeout: 1800,
  reservationGrace: 30,
  defaultTimeZone: 'Europe/Madrid',
  tariffTtlMs: 60_000,
  stateCacheSize: 50_000,
  // About two seconds of work at the bench's full load: later answers would come after the network stopped waiting.
  maxQueued: 10_000,
  maxBatch: 256,
  batchesInFlight: 2,
  batchTries: 3,
};

/** The engine with what the OCS process needs besides `charge`. */
export interface OnlineChargingEngine extends ChargingEngine {
  readonly config: EngineConfig;
  readonly tariffs: TariffCache;
  /** Forgets what the engine keeps of a session closed outside it (the sweeper closing an abandoned one). */
  sessionClosed(sessionId: string): void;
  /** The sessions it answered that wait for credit (final units, 4012) on these accounts; none unless `onCreditFreed` is given. */
  sessionsWaitingOn(accountIds: Iterable<string>): string[];
}

/** Attempts before a request that keeps meeting concurrent writers fails (it never has in tests). */
const MAX_TRIES = 100;

/** Creates the engine over a pg pool (sized for the expected concurrency); maxBatch 1 turns batching off. */
export function createChargingEngine(deps: {
  pool: pg.Pool;
  clock: Clock;
  config?: Partial<EngineConfig>;
  observer?: EngineObserver;
  /** Called with the sessions waiting for credit (final units, 4012) on an account where one of the engine's writes freed some (waiting.ts). */
  onCreditFreed?: (sessionIds: string[]) => void;
  /** Told of the accounts its sessions wait on, and of credit its writes free where other instances' sessions wait. */
  others?: OtherInstances;
}): OnlineChargingEngine {
  const { pool, clock, observer } = deps;
  const config: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, ...deps.config };
  const tariffs = new TariffCache({ ttlMs: config.tariffTtlMs, defaultTimeZone: config.defaultTimeZone, now: () => clock.now().getTime() });

  const cache = new EngineStateCache(config.stateCacheSize, { ttlMs: config.tariffTtlMs, now: () => clock.now().getTime() });
  const waiting = deps.onCreditFreed || deps.others ? new WaitingByAccount(deps.onCreditFreed ?? (() => undefined), { others: deps.others }) : undefined;
  const onceDeps = { pool, clock, tariffs, cache, settings: config, observer, waiting };

  /** Charges once on the state as read now (a batch of one); a conflict (isConflict) means read and try again. */
  const attempt = (request: ChargingRequest) =>
    new Promise<ChargingAnswer>((resolve, reject) => {
      chargeOnce(onceDeps, [{ request, resolve, reject }]).catch((err) => reject(err instanceof WriteFailed ? err.reason : err));
    });

  /** The single-request path, read and planned again while concurrent writers get in the way. */
  async function chargeAlone(request: ChargingRequest): Promise<ChargingAnswer> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt(request);
      } catch (err) {
        if (!isConflict(err) || tries >= MAX_TRIES) throw err;
        observer?.conflict();
      }
    }
  }

  const batcher = config.maxBatch > 1 ? new RequestBatcher({ ...onceDeps, single: chargeAlone }) : null;
  return {
    config,
    tariffs,
    charge: (request) => (batcher ? batcher.charge(request) : chargeAlone(request)),
    quote: (request) => quoteRequest({ pool, tariffs, settings: config, now: () => clock.now() }, request),
    refund: (request) => refundEvents(pool, clock.now(), request),
    sessionClosed: (sessionId) => waiting?.forget(sessionId),
    sessionsWaitingOn: (accountIds) => waiting?.of(accountIds) ?? [],
  };
}
