/**
 * Postpaid subscribers made straight in the database, for benchmarks and tests of offline
 * charging: a TMF666 billing account (bill cycle day, time zone) and a 'Postpaid 20 GB'
 * subscription with the seeded catalog's prices and allowances, in bulk inserts.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { priceView } from '../activities/ordering/offering-view';
import { catalogSeed } from '../db/seeds/catalog-data';
import type { TmfDocument } from '../db/tmf-resources';

/** The seeded 'Postpaid 20 GB' offering. */
export const POSTPAID_20_OFFERING_ID = '0ffe0000-0000-4000-8000-000000000004';
/** Its usage prices: voice, SMS, data. */
export const POSTPAID_20_PRICES = { voice: 'b1ce0000-0000-4000-8000-000000000042', sms: 'b1ce0000-0000-4000-8000-000000000043', data: 'b1ce0000-0000-4000-8000-000000000044' };
/** Its allowances per cycle: 20 GB (binary), 1000 minutes, unlimited national SMS. */
export const POSTPAID_20_ALLOWANCES = { dataOctets: String(20n * 1024n ** 3n), voiceSeconds: String(1000 * 60), smsEvents: 'unlimited' };

export interface PostpaidSubscriber {
  msisdn: string;
  billCycleDay?: number;
  timeZone?: string;
  billingAccountId?: string;
}

export interface CreatedSubscriber {
  msisdn: string;
  customerId: string;
  billingAccountId: string;
  subscriptionId: string;
}

/** The sold prices of 'Postpaid 20 GB' as an order stores them (the catalog's mapping). */
export function postpaid20Prices() {
  const offering = catalogSeed.productOffering.find((o) => o.id === POSTPAID_20_OFFERING_ID) as TmfDocument;
  const refs = (offering.productOfferingPrice as Array<{ id: string }>).map((r) => r.id);
  return catalogSeed.productOfferingPrice.filter((p) => refs.includes(String(p.id))).map((p) => priceView(p as TmfDocument));
}

/** Creates each subscriber's billing account and subscription, 1,000 rows per insert. */
export async function createPostpaidSubscribers(knex: Knex, subscribers: PostpaidSubscriber[], now: Date, startDate = '2026-01-01'): Promise<CreatedSubscriber[]> {
  const prices = JSON.stringify(postpaid20Prices());
  const created = subscribers.map((s) => ({ ...s, customerId: randomUUID(), billingAccountId: s.billingAccountId ?? randomUUID(), subscriptionId: randomUUID() }));
  for (let i = 0; i < created.length; i += 1000) {
    const chunk = created.slice(i, i + 1000);
    const accounts = [...new Map(chunk.map((s) => [s.billingAccountId, s])).values()];
    await knex('crm_billing_account')
      .insert(
        accounts.map((s) => ({
          id: s.billingAccountId,
          customer_id: s.customerId,
          body: {
            id: s.billingAccountId,
            '@type': 'BillingAccount',
            name: `Postpaid ${s.msisdn}`,
            state: 'active',
            billStructure: { billCycleDay: s.billCycleDay ?? 1, timeZone: s.timeZone ?? 'Europe/Madrid', currency: 'EUR', paymentType: 'postpaid' },
          },
        })),
      )
      .onConflict('id')
      .ignore();
    await knex('billing_subscription').insert(
      chunk.map((s) => ({
        id: s.subscriptionId,
        billing_account_id: s.billingAccountId,
        customer_id: s.customerId,
        order_id: `fixture-${s.subscriptionId}`,
        product_key: '1',
        offering_id: POSTPAID_20_OFFERING_ID,
        offering_version: '1.0',
        prices,
        msisdn: s.msisdn,
        allowances: JSON.stringify(POSTPAID_20_ALLOWANCES),
        start_date: startDate,
        status: 'active',
        created_at: now,
      })),
    );
  }
  return created.map(({ msisdn, customerId, billingAccountId, subscriptionId }) => ({ msisdn, customerId, billingAccountId, subscriptionId }));
}
