/**
 * What the engine does with one request on the state read for it: answer at once (a
 * retransmission's stored answer, a refusal) or a plan to write. Shared by the single-request and
 * the batched paths so that both apply the same exactly-once and sequence rules.
 */
import { RatingError } from '../../domain/rating';
import { planRequest, type EngineSettings, type Plan } from './plan';
import type { ReadState, SessionRow } from './store';
import type { TariffCache } from './tariffs';
import { MAX_REQUEST_NUMBER, RESULT, sessionIdLikePrepayReference, sessionIdTooLong, type ChargingAnswer, type ChargingRequest, type ResultCode } from './types';

/** Either an answer that needs no write, or a plan and the session row it writes. */
export type Decision =
  | { answer: ChargingAnswer; plan?: undefined }
  | { plan: Plan; session: SessionRow | undefined; chargingAccountId: string; msisdn: string };

/** Where tariffs are read (the pool). */
type Queryable = Parameters<TariffCache['tariffsOf']>[0];

const refusal = (request: ChargingRequest, resultCode: ResultCode): ChargingAnswer => ({ sessionId: request.sessionId, requestNumber: request.requestNumber, resultCode, units: [] });

/** The request without what it asks for: its usage is charged and nothing is granted. */
const reportOnly = (request: ChargingRequest): ChargingRequest => ({ ...request, units: request.units.map(({ requested: _, ...unit }) => unit) });

function repeatsRatingGroup(request: ChargingRequest): boolean {
  if (request.units.length < 2) return false;
  const seen = new Set<number>();
  for (const unit of request.units) {
    if (seen.has(unit.ratingGroup)) return true;
    seen.add(unit.ratingGroup);
  }
  return false;
}

/**
 * Decides one request on `state` at the engine's time `now`. Planning changes `state.buckets` in
 * place (the buckets as they will be after the request), so a caller planning several requests on
 * the same buckets sees each one's effect; on an answer without a plan the buckets may be partly
 * changed and must be dropped.
 */
export async function decide(db: Queryable, tariffs: TariffCache, settings: EngineSettings, request: ChargingRequest, state: ReadState, now: Date): Promise<Decision> {
  const { session, subscriber } = state;
  if (sessionIdTooLong(request.sessionId) || sessionIdLikePrepayReference(request.sessionId) || request.requestNumber > MAX_REQUEST_NUMBER) return { answer: refusal(request, RESULT.UNABLE_TO_COMPLY) };
  if (session) {
    // Exactly once: the last request again gets its stored answer; anything but the next is refused.
    if (request.requestNumber === session.lastRequestNumber) return { answer: session.lastAnswer };
    if (session.state === 'closed') return { answer: refusal(request, RESULT.UNKNOWN_SESSION_ID) };
    if (request.requestNumber !== session.lastRequestNumber + 1 || request.type === 'initial' || request.type === 'event') {
      return { answer: refusal(request, RESULT.UNABLE_TO_COMPLY) };
    }
  } else if (request.type === 'update' || request.type === 'termination') {
    return { answer: refusal(request, RESULT.UNKNOWN_SESSION_ID) };
  }
  if (!subscriber || (subscriber.status === 'closed' && !session)) return { answer: refusal(request, RESULT.USER_UNKNOWN) };
  // A suspended line is known and barred (RFC 4006 §9.1: 4010), not unknown: its client tells the user so.
  if (subscriber.status === 'suspended' && !session) return { answer: refusal(request, RESULT.END_USER_SERVICE_DENIED) };
  // Usage and reservations are kept by rating group: one unit request each; an event is charged by its
  // units, so one without any would pass free. (The front ends refuse both as bad input.)
  if (repeatsRatingGroup(request) || (request.type === 'event' && request.units.length === 0)) return { answer: refusal(request, RESULT.UNABLE_TO_COMPLY) };

  // A subscriber suspended or closed while its session was open: what the session used happened
  // while it was allowed and is charged; it is granted nothing more (4010) and ends on termination.
  const denied = subscriber.status !== 'active';
  const accountTariffs = await tariffs.tariffsOf(db, subscriber.tariff);
  const msisdn = session?.msisdn ?? subscriber.msisdn;
  try {
    const plan = planRequest({ request: denied ? reportOnly(request) : request, msisdn, buckets: state.buckets, reservations: state.reservations, usage: session?.usage ?? {}, tariffs: accountTariffs, settings, now });
    if (denied) plan.answer.units = plan.answer.units.map((u) => (u.resultCode === RESULT.SUCCESS && request.type === 'update' ? { ...u, resultCode: RESULT.END_USER_SERVICE_DENIED } : u));
    return {
      plan,
      session,
      chargingAccountId: session?.chargingAccountId ?? subscriber.chargingAccountId,
      msisdn,
    };
  } catch (err) {
    if (err instanceof RatingError) return { answer: refusal(request, RESULT.RATING_FAILED) };
    throw err;
  }
}
