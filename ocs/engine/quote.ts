/**
 * Balance checks and price enquiries (RFC 4006 §5.2.3, §6.2, §6.3): an event request answered
 * from the account as it is now, changing nothing (no reservation, no debit, no session, no ledger
 * row). The units are planned as a direct debit would plan them, allowances first, on a copy of
 * the buckets: once as they are (can the balance pay?), once with money unlimited (what would the
 * money part cost, whether or not the balance can pay it).
 */
import type pg from 'pg';
import { formatMicros, type Micros } from '../../domain/micros';
import { RatingError } from '../../domain/rating';
import { copyBucket, planRequest, type BucketState, type EngineSettings } from './plan';
import { readBatch } from './store';
import type { TariffCache } from './tariffs';
import { RESULT, type ChargingQuote, type ChargingRequest } from './types';

export interface QuoteDeps {
  pool: pg.Pool;
  tariffs: TariffCache;
  settings: EngineSettings;
  now: () => Date;
}

/** Money without end, drawn last: what the price enquiry's units cost beyond the balance. */
const UNLIMITED_ID = 'quote:unlimited';
const unlimitedMoney = (): BucketState => ({
  id: UNLIMITED_ID,
  type: 'money',
  balance: 10n ** 30n,
  reserved: 0n,
  creditLimit: 0n,
  priority: Number.MAX_SAFE_INTEGER,
  validFrom: new Date(0),
  validUntil: null,
  createdAt: new Date(0),
  owner: null,
});

export async function quoteRequest(deps: QuoteDeps, request: ChargingRequest): Promise<ChargingQuote> {
  const refused = (resultCode: ChargingQuote['resultCode']): ChargingQuote => ({ resultCode, enoughCredit: false });
  // An event is priced by its units: without them there is nothing to check or price.
  if (request.units.length === 0) return refused(RESULT.UNABLE_TO_COMPLY);
  const state = await readBatch(deps.pool, [{ ...request, sessionId: '' }]);
  const subscriber = state.subscribers[0];
  if (!subscriber || subscriber.status === 'closed') return refused(RESULT.USER_UNKNOWN);
  if (subscriber.status === 'suspended') return refused(RESULT.END_USER_SERVICE_DENIED);
  const tariffs = await deps.tariffs.tariffsOf(deps.pool, subscriber.tariff);
  const buckets = state.bucketsByAccount.get(subscriber.chargingAccountId) ?? [];
  const event: ChargingRequest = { ...request, type: 'event' };
  const now = deps.now();
  const plan = (on: BucketState[]) => planRequest({ request: event, msisdn: subscriber.msisdn, buckets: on.map((b) => copyBucket(b)), reservations: [], usage: {}, tariffs, settings: deps.settings, now });
  try {
    const asIs = plan(buckets);
    const priced = plan([...buckets, unlimitedMoney()]);
    const failed = priced.answer.units.find((u) => u.resultCode !== RESULT.SUCCESS);
    if (failed) return refused(failed.resultCode);
    const money = new Set([...buckets.filter((b) => b.type === 'money').map((b) => b.id), UNLIMITED_ID]);
    let cost: Micros = 0n;
    for (const row of priced.ledger) if (row.kind === 'debit' && money.has(row.bucketId)) cost += row.amount;
    const { rows } = await deps.pool.query<{ currency: string }>('SELECT currency FROM charging_account WHERE id = $1', [subscriber.chargingAccountId]);
    return {
      resultCode: RESULT.SUCCESS,
      enoughCredit: asIs.answer.units.every((u) => u.resultCode === RESULT.SUCCESS),
      cost: { amount: formatMicros(cost), currency: rows[0].currency },
    };
  } catch (err) {
    if (err instanceof RatingError) return refused(RESULT.RATING_FAILED);
    throw err;
  }
}
