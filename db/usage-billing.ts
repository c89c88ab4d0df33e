/**
 * Rated usage as the bill run reads it (activities/billing/types.ts UsageForBilling): an account's
 * rated, unbilled records of one cycle summed per subscription, usage type, band and price, and
 * the marking of those records as billed by one bill.
 */
import type { RatedUsage as UsageToBill } from '../domain/billing/bill';
import type { Db } from './knex';

/** Rated, unbilled usage of an account in the cycle starting on `cycleStart`; quantity is the charged overage. */
export async function usageToBill(db: Db, billingAccountId: string, cycleStart: string): Promise<UsageToBill[]> {
  const { rows } = await db.raw(
    `SELECT subscription_id, msisdn, usage_type, band, price_id, currency,
            count(*)::int AS records, sum(charged_quantity)::text AS quantity, sum(amount)::numeric(20,6)::text AS amount
       FROM usage_record
      WHERE billing_account_id = ? AND cycle_start = ?::date AND state = 'rated'
      GROUP BY subscription_id, msisdn, usage_type, band, price_id, currency
      ORDER BY msisdn, usage_type, band, price_id`,
    [billingAccountId, cycleStart],
  );
  return (rows as Array<{ subscription_id: string | null; msisdn: string | null; usage_type: UsageToBill['usageType']; band: string; price_id: string; currency: string; records: number; quantity: string; amount: string }>).map((r) => ({
    subscriptionId: r.subscription_id,
    msisdn: r.msisdn,
    usageType: r.usage_type,
    band: r.band,
    priceId: r.price_id,
    records: r.records,
    quantity: r.quantity,
    amount: r.amount,
    currency: r.currency,
  }));
}

/** Marks the account's rated usage of that cycle as billed by `billId`; a second call marks nothing more. */
export async function markUsageBilled(db: Db, billingAccountId: string, cycleStart: string, billId: string): Promise<number> {
  return db('usage_record')
    .where({ billing_account_id: billingAccountId, state: 'rated' })
    .andWhereRaw('cycle_start = ?::date', [cycleStart])
    .update({ state: 'billed', bill_id: billId });
}
