/** The bill run reading real rated usage: usage imported for a postpaid number lands on its account's bill, once. */
import { randomInt, randomUUID } from 'node:crypto';
import { ingestUsageBatch } from '../activities/usage/ingest-usage';
import { createBillRunActivities } from '../activities/billing/bill-run';
import { defaultBillingSettings } from '../activities/billing/settings';
import { createNotificationService } from '../activities/notifications';
import { POSTPAID_20_ALLOWANCES, postpaid20Prices } from '../bench/postpaid-subscribers';
import { createSubscription } from '../db/billing';
import { createKnex } from '../db/knex';
import { markUsageBilled, usageToBill } from '../db/usage-billing';
import { ManualClock } from '../domain/clock';
import { createActiveCustomer } from './helpers/customers';

const PUBLIC_URL = 'http://bss.test';
const knex = createKnex(process.env.DATABASE_URL!);
const clock = new ManualClock('2026-12-01T00:00:05+01:00');
const notifications = createNotificationService({
  knex,
  clock,
  publicUrl: PUBLIC_URL,
  mail: { smtpUrl: process.env.SMTP_URL!, from: 'BSS <bills@bss.test>', timeoutMs: 5000 },
  sms: { smppUrl: process.env.SMPP_URL!, systemId: 'bss', password: 'secret', sender: 'BSS' },
});
afterAll(async () => {
  await notifications.close();
  await knex.destroy();
});

const usage = { usageToBill: (a: string, c: string) => usageToBill(knex, a, c), markUsageBilled: (a: string, c: string, b: string) => markUsageBilled(knex, a, c, b) };
const billRun = createBillRunActivities({ knex, clock, publicUrl: PUBLIC_URL, usage, sendNotification: notifications.activities.sendNotification, settings: defaultBillingSettings(PUBLIC_URL) });

it('bills the rated usage of the cycle beside the monthly fee, and marks exactly those records billed', async () => {
  const c = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: null, publicUrl: PUBLIC_URL });
  const msisdn = `+3464${randomInt(1_000_000, 9_999_999)}`;
  await createSubscription(knex, {
    billingAccountId: c.billingAccountId,
    customerId: c.customerId,
    orderId: randomUUID(),
    productKey: '1',
    offeringId: '0ffe0000-0000-4000-8000-000000000004',
    offeringVersion: '1.0',
    prices: postpaid20Prices(),
    msisdn,
    allowances: POSTPAID_20_ALLOWANCES,
    startDate: '2026-11-01',
    now: clock.now(),
  });
  const record = (id: string, usageType: string, startTime: string, quantity: string, destination?: string) => ({ raw: { recordId: id, msisdn, usageType, startTime, quantity, destination } });
  const outcomes = await ingestUsageBatch(
    knex,
    [
      record('1', 'voice', '2026-11-10T10:00:00Z', '90', '+441632960000'), // 0.75
      record('2', 'voice', '2026-11-11T10:00:00Z', '30', '+441632960000'), // 0.50
      record('3', 'data', '2026-11-12T10:00:00Z', String(20 * 2 ** 30 + 2 ** 20)), // 1 MB beyond the 20 GB: 0.01
      record('4', 'voice', '2026-12-01T10:00:00Z', '90', '+441632960000'), // the next cycle
    ],
    { source: `bill-run-${randomUUID()}`, now: clock.now() },
  );
  expect(outcomes.map((o) => o.result)).toEqual(['rated', 'rated', 'rated', 'rated']);

  const bill = await billRun.closeBillingCycle({ billingAccountId: c.billingAccountId, cycle: { start: '2026-11-01', end: '2026-12-01' } });
  const lines = await knex('billing_bill_line').where({ bill_id: bill.billId }).orderBy('line_no');
  expect(lines.filter((l) => l.kind === 'usage').map((l) => [l.net, l.tax, l.gross]).sort()).toEqual([
    ['0.01', '0.00', '0.01'],
    ['1.25', '0.26', '1.51'],
  ]);
  // 25.00 + 5.25, 1.25 + 0.26, 0.01 + 0.00.
  expect(bill.totalCharges).toBe('31.77');
  const states = await knex('usage_record').where({ billing_account_id: c.billingAccountId }).orderBy('record_id').select('record_id', 'state', 'bill_id');
  expect(states).toEqual([
    { record_id: '1', state: 'billed', bill_id: bill.billId },
    { record_id: '2', state: 'billed', bill_id: bill.billId },
    { record_id: '3', state: 'billed', bill_id: bill.billId },
    { record_id: '4', state: 'rated', bill_id: null },
  ]);
  expect((await billRun.closeBillingCycle({ billingAccountId: c.billingAccountId, cycle: { start: '2026-11-01', end: '2026-12-01' } })).billId).toBe(bill.billId);
});
