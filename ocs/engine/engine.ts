/**
 * The online charging engine: one short transaction per credit-control request on PostgreSQL,
 * which stays the truth for balances (top-ups and adjustments write the same rows under the same
 * row locks). Tariffs are cached; balances never are.
 */
import pg from 'pg';
import type { Clock } from '../../domain/clock';
import { RatingError } from '../../domain/rating';
import { planRequest, type EngineSettings } from './plan';
import { lockState, writePlan } from './store';
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

const refusal = (request: ChargingRequest, resultCode: ResultCode): ChargingAnswer => ({ sessionId: request.sessionId, requestNumber: request.requestNumber, resultCode, units: [] });

/** Creates the engine over a pg pool (sized for the expected concurrency). */
export function createChargingEngine(deps: { pool: pg.Pool; clock: Clock; config?: Partial<EngineConfig> }): OnlineChargingEngine {
  const { pool, clock } = deps;
  const config: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, ...deps.config };
  const tariffs = new TariffCache({ ttlMs: config.tariffTtlMs, defaultTimeZone: config.defaultTimeZone, now: () => clock.now().getTime() });

  /** The answer, or 'retry' when a concurrent first request of the same session won the race. */
  async function chargeLocked(client: pg.PoolClient, request: ChargingRequest): Promise<{ answer: ChargingAnswer; write: boolean } | 'retry'> {
    const state = await lockState(client, request);
    const { session, subscriber } = state;
    if (session) {
      // Exactly once: the last request again gets its stored answer; anything but the next is refused.
      if (request.requestNumber === session.lastRequestNumber) return { answer: session.lastAnswer, write: false };
      if (session.state === 'closed') return { answer: refusal(request, RESULT.UNKNOWN_SESSION_ID), write: false };
      if (request.requestNumber !== session.lastRequestNumber + 1 || request.type === 'initial' || request.type === 'event') {
        return { answer: refusal(request, RESULT.UNABLE_TO_COMPLY), write: false };
      }
    } else if (request.type === 'update' || request.type === 'termination') {
      return { answer: refusal(request, RESULT.UNKNOWN_SESSION_ID), write: false };
    }
    if (!subscriber || !subscriber.active) return { answer: refusal(request, RESULT.USER_UNKNOWN), write: false };

    const accountTariffs = await tariffs.tariffsOf(client, subscriber.productId, subscriber.billingAccountId);
    let plan;
    try {
      plan = planRequest({ request, buckets: state.buckets, reservations: state.reservations, usage: session?.usage ?? {}, tariffs: accountTariffs, settings: config });
    } catch (err) {
      if (err instanceof RatingError) return { answer: refusal(request, RESULT.RATING_FAILED), write: false };
      throw err;
    }
    const now = clock.now();
    const written = await writePlan(client, {
      plan,
      request,
      previousRequestNumber: session?.lastRequestNumber ?? null,
      chargingAccountId: session?.chargingAccountId ?? subscriber.chargingAccountId,
      msisdn: session?.msisdn ?? subscriber.msisdn,
      now,
      sessionExpiresAt: new Date(now.getTime() + config.sessionTimeout * 1000),
      reservationExpiresAt: new Date(now.getTime() + config.validityTime * 1000),
    });
    return written ? { answer: plan.answer, write: true } : 'retry';
  }

  return {
    config,
    tariffs,
    async charge(request: ChargingRequest): Promise<ChargingAnswer> {
      const client = await pool.connect();
      try {
        for (;;) {
          await client.query('BEGIN');
          const outcome = await chargeLocked(client, request);
          if (outcome !== 'retry') {
            await client.query('COMMIT');
            return outcome.answer;
          }
          // Two first requests of one new session raced: read again, the loser is now a retransmission.
          await client.query('ROLLBACK');
        }
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}
