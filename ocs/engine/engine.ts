/**
 * The online charging engine: per credit-control request one read and one guarded write on
 * PostgreSQL (ocs/engine/store.ts), which stays the truth for balances (top-ups and adjustments
 * write the same rows under row locks). Tariffs are cached; balances never are.
 */
import pg from 'pg';
import type { Clock } from '../../domain/clock';
import { RatingError } from '../../domain/rating';
import { planRequest, type EngineSettings } from './plan';
import { isConflict, readState, writePlan } from './store';
import { TariffCache } from './tariffs';
import { RESULT, type ChargingAnswer, type ChargingEngine, type ChargingRequest, type ResultCode } from './types';

/** How the engine behaves; every field has a default. */
export interface EngineConfig extends EngineSettings {
  /** Seconds an open session may stay silent before the sweeper closes it. */
  sessionTimeout: number;
  /** Time zone for bands when the billing account names none. */
  defaultTimeZone: string;
  /** How long a product's tariffs are cached. */
  tariffTtlMs: number;
}

/** Defaults: 5 minutes of voice, 10 MB of data, one SMS; grants valid 10 minutes. */
export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  defaultQuota: { voice: '300', data: '10485760', sms: '1' },
  validityTime: 600,
  sessionTimeout: 1800,
  defaultTimeZone: 'Europe/Madrid',
  tariffTtlMs: 60_000,
};

/** The engine with what the OCS process needs besides `charge`. */
export interface OnlineChargingEngine extends ChargingEngine {
  readonly config: EngineConfig;
  readonly tariffs: TariffCache;
}

/** Attempts before a request that keeps meeting concurrent writers fails (it never has in tests). */
const MAX_TRIES = 100;

const refusal = (request: ChargingRequest, resultCode: ResultCode): ChargingAnswer => ({ sessionId: request.sessionId, requestNumber: request.requestNumber, resultCode, units: [] });

/** Creates the engine over a pg pool (sized for the expected concurrency). */
export function createChargingEngine(deps: { pool: pg.Pool; clock: Clock; config?: Partial<EngineConfig> }): OnlineChargingEngine {
  const { pool, clock } = deps;
  const config: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, ...deps.config };
  const tariffs = new TariffCache({ ttlMs: config.tariffTtlMs, defaultTimeZone: config.defaultTimeZone, now: () => clock.now().getTime() });

  /** Charges once on the state as read now; a conflict (isConflict) means read and try again. */
  async function attempt(request: ChargingRequest): Promise<ChargingAnswer> {
    const state = await readState(pool, request);
    const { session, subscriber } = state;
    if (session) {
      // Exactly once: the last request again gets its stored answer; anything but the next is refused.
      if (request.requestNumber === session.lastRequestNumber) return session.lastAnswer;
      if (session.state === 'closed') return refusal(request, RESULT.UNKNOWN_SESSION_ID);
      if (request.requestNumber !== session.lastRequestNumber + 1 || request.type === 'initial' || request.type === 'event') {
        return refusal(request, RESULT.UNABLE_TO_COMPLY);
      }
    } else if (request.type === 'update' || request.type === 'termination') {
      return refusal(request, RESULT.UNKNOWN_SESSION_ID);
    }
    if (!subscriber || !subscriber.active) return refusal(request, RESULT.USER_UNKNOWN);

    const accountTariffs = await tariffs.tariffsOf(pool, subscriber.productId, subscriber.billingAccountId);
    let plan;
    try {
      plan = planRequest({ request, buckets: state.buckets, reservations: state.reservations, usage: session?.usage ?? {}, tariffs: accountTariffs, settings: config });
    } catch (err) {
      if (err instanceof RatingError) return refusal(request, RESULT.RATING_FAILED);
      throw err;
    }
    const now = clock.now();
    await writePlan(pool, {
      plan,
      request,
      previousRequestNumber: session?.lastRequestNumber ?? null,
      chargingAccountId: session?.chargingAccountId ?? subscriber.chargingAccountId,
      msisdn: session?.msisdn ?? subscriber.msisdn,
      now,
      sessionExpiresAt: new Date(now.getTime() + config.sessionTimeout * 1000),
      reservationExpiresAt: new Date(now.getTime() + config.validityTime * 1000),
    });
    return plan.answer;
  }

  return {
    config,
    tariffs,
    async charge(request: ChargingRequest): Promise<ChargingAnswer> {
      for (let tries = 1; ; tries++) {
        try {
          return await attempt(request);
        } catch (err) {
          if (!isConflict(err) || tries >= MAX_TRIES) throw err;
        }
      }
    },
  };
}
