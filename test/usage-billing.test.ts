/** How the bill run reads rated usage: exact sums per subscription, type, band and price; marked billed once. */
import { randomInt, randomUUID } from 'node:crypto';
import { ingestUsageBatch } from '../activities/usage/ingest-usage';
import { createPostpaidSubscribers, POSTPAID_20_PRICES } from '../bench/postpaid-subscribers';
import { createKnex } from '../db/knex';
import { markUsageBilled, usageToBill } from '../db/usage-billing';

const knex = createKnex(process.env.DATABASE_URL!);
afterAll(() => knex.destroy());

const now = new Date('2026-12-20T10:00:00Z');
const msisdn = () => `+3462${randomInt(1_000_000, 9_999_999)}`;

describe('usage for billing', () => {
  it('sums an account cycle exactly, leaves other cycles and accounts out, and marks it billed once', async () => {
    const billingAccountId = randomUUID();
    // Two numbers on one account (cycle day 17), and one number on another account.
    const [a, b] = await createPostpaidSubscribers(knex, [{ msisdn: msisdn(), billingAccountId, billCycleDay: 17 }, { msisdn: msisdn(), billingAccountId, billCycleDay: 17 }], now);
    const [other] = await createPostpaidSubscribers(knex, [{ msisdn: msisdn(), billCycleDay: 17 }], now);
    const call = (m: string, id: string, start: string, seconds: string, dest = '+441632960000') => ({ raw: { recordId: id, msisdn: m, usageType: 'voice', startTime: start, quantity: seconds, destination: dest } });
    const source = `bill-${randomUUID()}`;
    const outcomes = await ingestUsageBatch(
      knex,
      [
        call(a.msisdn, '1', '2026-11-17T08:00:00Z', '61'), // 0.50 + 1 s × 0.50/60 = 0.508333
        call(a.msisdn, '2', '2026-12-16T22:59:59Z', '1'), // 23:59:59 in Madrid on the 16th: still this cycle; 0.50
        call(a.msisdn, '3', '2026-12-16T23:00:00Z', '30'), // midnight in Madrid on the 17th: the next cycle
        call(a.msisdn, '4', '2026-11-20T08:00:00Z', '7', '+34806123456'), // premium: 0.45 for the first minute
        call(b.msisdn, '5', '2026-11-18T08:00:00Z', '119'), // 0.50 + 59 × 0.50/60 = 0.991667
        { raw: { recordId: '6', msisdn: b.msisdn, usageType: 'sms', startTime: '2026-11-18T08:00:00Z', quantity: '3', destination: '+33612345678' } }, // 3 × 0.30
        call(other.msisdn, '7', '2026-11-18T08:00:00Z', '60'),
      ],
      { source, now },
    );
    expect(outcomes.map((o) => o.result)).toEqual(Array(7).fill('rated'));

    const expected = [
      { subscriptionId: a.subscriptionId, msisdn: a.msisdn, usageType: 'voice', band: 'international', priceId: POSTPAID_20_PRICES.voice, records: 2, quantity: '121', amount: '1.008333', currency: 'EUR' },
      { subscriptionId: a.subscriptionId, msisdn: a.msisdn, usageType: 'voice', band: 'premium', priceId: POSTPAID_20_PRICES.voice, records: 1, quantity: '60', amount: '0.450000', currency: 'EUR' },
      { subscriptionId: b.subscriptionId, msisdn: b.msisdn, usageType: 'sms', band: 'international', priceId: POSTPAID_20_PRICES.sms, records: 1, quantity: '3', amount: '0.900000', currency: 'EUR' },
      { subscriptionId: b.subscriptionId, msisdn: b.msisdn, usageType: 'voice', band: 'international', priceId: POSTPAID_20_PRICES.voice, records: 1, quantity: '119', amount: '0.991667', currency: 'EUR' },
    ].sort((x, y) => (x.msisdn + x.usageType + x.band).localeCompare(y.msisdn + y.usageType + y.band));
    expect(await usageToBill(knex, billingAccountId, '2026-11-17')).toEqual(expected);
    expect(await usageToBill(knex, billingAccountId, '2026-12-17')).toEqual([
      { subscriptionId: a.subscriptionId, msisdn: a.msisdn, usageType: 'voice', band: 'international', priceId: POSTPAID_20_PRICES.voice, records: 1, quantity: '60', amount: '0.500000', currency: 'EUR' },
    ]);

    const billId = randomUUID();
    expect(await markUsageBilled(knex, billingAccountId, '2026-11-17', billId)).toBe(5);
    expect(await markUsageBilled(knex, billingAccountId, '2026-11-17', billId)).toBe(0);
    expect(await usageToBill(knex, billingAccountId, '2026-11-17')).toEqual([]);
    const billed = await knex('usage_record').where({ source, bill_id: billId }).orderBy('record_id').pluck('record_id');
    expect(billed).toEqual(['1', '2', '4', '5', '6']);
    expect(await knex('usage_record').where({ source, record_id: '3' }).first('state', 'bill_id')).toEqual({ state: 'rated', bill_id: null });
    expect((await usageToBill(knex, other.billingAccountId, '2026-11-17')).map((u) => u.amount)).toEqual(['0.500000']);
  });
});
