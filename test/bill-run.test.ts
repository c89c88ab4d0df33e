/**
 * The bill run against the real database: closeBillingCycle issues one bill per account and
 * cycle (retries and concurrent runs return the first), with its lines, the one-time charges it
 * billed and its ledger entry in one transaction; the next bill carries the balance; sendBill
 * mails the PDF once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createBillRunActivities } from '../activities/billing/bill-run';
import { defaultBillingSettings } from '../activities/billing/settings';
import type { UsageForBilling, UsageToBill } from '../activities/billing/types';
import { createNotificationService } from '../activities/notifications';
import { createSubscription, queueOneTimeCharges } from '../db/billing';
import { accountBalance, bookAccountEntry } from '../db/billing-ledger';
import { billPdf } from '../db/bills';
import { customerModel } from '../db/crm-models';
import { createKnex } from '../db/knex';
import { findResource } from '../db/tmf-resources';
import { patchTmfResource } from '../db/tmf-store';
import { ManualClock } from '../domain/clock';
import type { SoldPrice } from '../domain/ordering/plan';
import { createActiveCustomer, type TestCustomer } from './helpers/customers';
import { pdfTextRuns } from './helpers/pdf-text';

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

/** Usage as the usage domain would hand it over, per account; records what was marked billed. */
class FakeUsage implements UsageForBilling {
  rows = new Map<string, UsageToBill[]>();
  marked: Array<[string, string, string]> = [];
  async usageToBill(accountId: string, cycleStart: string) {
    return this.rows.get(`${accountId}:${cycleStart}`) ?? [];
  }
  async markUsageBilled(accountId: string, cycleStart: string, billId: string) {
    this.marked.push([accountId, cycleStart, billId]);
    return (this.rows.get(`${accountId}:${cycleStart}`) ?? []).reduce((n, r) => n + r.records, 0);
  }
}

const usage = new FakeUsage();
const billRun = createBillRunActivities({ knex, clock, publicUrl: PUBLIC_URL, usage, sendNotification: notifications.activities.sendNotification, settings: defaultBillingSettings(PUBLIC_URL) });

const POSTPAID20: SoldPrice = { id: 'price-p20', version: '1.0', name: 'Postpaid 20 GB monthly fee', priceType: 'recurring', amount: '25.00', currency: 'EUR', taxRate: '21', period: { type: 'month', length: 1 } };
const NOV = { start: '2026-11-01', end: '2026-12-01' };
const DEC = { start: '2026-12-01', end: '2027-01-01' };

async function postpaidCustomer(): Promise<TestCustomer> {
  const c = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: null, publicUrl: PUBLIC_URL });
  const doc = await findResource(knex, customerModel.table, c.customerId);
  await knex.transaction((trx) =>
    patchTmfResource(trx, customerModel, c.customerId, {
      contactMedium: [
        ...(doc!.contactMedium as unknown[]),
        { mediumType: 'postalAddress', characteristic: { contactType: 'postalAddress', street1: 'Calle Mayor 1', postCode: '28013', city: 'Madrid', country: 'ES' } },
      ],
    }, clock.now()),
  );
  return c;
}

async function subscribe(c: TestCustomer, startDate: string, orderId = randomUUID()): Promise<string> {
  await createSubscription(knex, { billingAccountId: c.billingAccountId, customerId: c.customerId, orderId, productKey: 'item-1', productId: randomUUID(), offeringId: 'postpaid20', offeringVersion: '1.0', prices: [POSTPAID20], startDate, now: clock.now() });
  return orderId;
}

describe('closeBillingCycle', () => {
  let c: TestCustomer;
  let novBillId: string;

  beforeAll(async () => {
    c = await postpaidCustomer();
    const orderId = await subscribe(c, '2026-11-17');
    await queueOneTimeCharges(knex, [{ billingAccountId: c.billingAccountId, orderId, productKey: 'item-1', priceId: 'price-sim', priceVersion: '1.0', description: 'SIM card fee', net: '5.00', tax: '1.05', taxRate: '21', currency: 'EUR' }], clock.now());
    // A voided order's subscription and charges are never billed.
    const voided = await subscribe(c, '2026-11-03');
    await knex('billing_subscription').where({ order_id: voided }).update({ status: 'voided' });
    const entry = { billingAccountId: c.billingAccountId, currency: 'EUR', description: 'test' };
    await bookAccountEntry(knex, { ...entry, kind: 'adjustment', amount: '-10.00', reference: `adj:${c.billingAccountId}`, bookedAt: new Date('2026-10-20T10:00:00Z') });
    await bookAccountEntry(knex, { ...entry, kind: 'payment', amount: '-5.00', reference: `pay:${c.billingAccountId}`, bookedAt: new Date('2026-11-20T10:00:00Z') });
    usage.rows.set(`${c.billingAccountId}:${NOV.start}`, [
      { subscriptionId: null, msisdn: c.mobile, usageType: 'data', band: 'any', priceId: 'price-p20-data', records: 40, quantity: '335544320', amount: '3.125000', currency: 'EUR' },
    ]);
  });

  it('issues the bill: prorated fee, SIM fee, usage, tax per line; previous credit and payment', async () => {
    const bill = await billRun.closeBillingCycle({ billingAccountId: c.billingAccountId, cycle: NOV });
    novBillId = bill.billId;
    // 11.67 + 2.45 (14 of 30 days), 5.00 + 1.05, 3.13 + 0.66 = 23.96; -10.00 - 5.00 + 23.96 = 8.96.
    expect(bill).toEqual({ billId: expect.any(String), billNo: expect.stringMatching(/^B-\d{10}$/), billingAccountId: c.billingAccountId, cycle: NOV, currency: 'EUR', totalCharges: '23.96', amountDue: '8.96', dueDate: '2026-12-15' });

    const row = await knex('billing_bill').where({ id: bill.billId }).first();
    expect([row.total_net, row.total_tax, row.total_charges, row.previous_balance, row.payments, row.adjustments, row.amount_due, row.state]).toEqual(['19.80', '4.16', '23.96', '-10.00', '-5.00', '0.00', '8.96', 'new']);
    const lines = await knex('billing_bill_line').where({ bill_id: bill.billId }).orderBy('line_no');
    expect(lines.map((l) => [l.kind, l.net, l.tax, l.gross])).toEqual([
      ['recurring', '11.67', '2.45', '14.12'],
      ['usage', '3.13', '0.66', '3.79'],
      ['oneTime', '5.00', '1.05', '6.05'],
    ]);
    expect(lines[0].body).toMatchObject({ type: 'recurring', isBilled: true, bill: { id: bill.billId }, taxExcludedAmount: { unit: 'EUR', value: 11.67 }, periodCoverage: { startDateTime: '2026-11-16T23:00:00.000Z', endDateTime: '2026-11-30T23:00:00.000Z' } });

    expect(await knex('billing_one_time_charge').where({ billing_account_id: c.billingAccountId }).select('status', 'bill_id')).toEqual([{ status: 'billed', bill_id: bill.billId }]);
    const entries = await knex('billing_account_entry').where({ billing_account_id: c.billingAccountId, kind: 'bill' });
    expect(entries.map((e) => [e.amount, e.reference, e.bill_id, e.booked_at.toISOString()])).toEqual([['23.96', `bill:${bill.billId}`, bill.billId, '2026-11-30T22:59:59.999Z']]);
    expect(await accountBalance(knex, c.billingAccountId)).toBe('8.96');
    expect(usage.marked).toContainEqual([c.billingAccountId, NOV.start, bill.billId]);
  });

  it('a retry returns the bill issued first and changes nothing', async () => {
    const before = usage.marked.length;
    const again = await billRun.closeBillingCycle({ billingAccountId: c.billingAccountId, cycle: NOV });
    expect(again.billId).toBe(novBillId);
    expect(again.amountDue).toBe('8.96');
    expect(await knex('billing_bill').where({ billing_account_id: c.billingAccountId }).count({ n: '*' })).toEqual([{ n: '1' }]);
    expect(await accountBalance(knex, c.billingAccountId)).toBe('8.96');
    // The usage is marked again (idempotent): a run that stopped after its commit completes.
    expect(usage.marked.slice(before)).toEqual([[c.billingAccountId, NOV.start, novBillId]]);
  });

  it('the next bill starts from the balance; a terminated subscription is billed to its end date', async () => {
    await knex('billing_subscription').where({ billing_account_id: c.billingAccountId, status: 'active' }).update({ status: 'terminated', end_date: '2026-12-20' });
    clock.set('2027-01-01T00:00:05+01:00');
    const dec = await billRun.closeBillingCycle({ billingAccountId: c.billingAccountId, cycle: DEC });
    // 25.00 × 19/31 = 15.32 + 3.22 tax; 8.96 + 18.54 = 27.50.
    expect([dec.totalCharges, dec.amountDue, dec.dueDate]).toEqual(['18.54', '27.50', '2027-01-15']);
    const row = await knex('billing_bill').where({ id: dec.billId }).first();
    expect([row.previous_balance, row.payments]).toEqual(['8.96', '0.00']);
    const jan = await billRun.closeBillingCycle({ billingAccountId: c.billingAccountId, cycle: { start: '2027-01-01', end: '2027-02-01' } });
    expect([jan.totalCharges, jan.amountDue]).toEqual(['0.00', '27.50']);
    expect(Number(jan.billNo.slice(2))).toBeGreaterThan(Number(dec.billNo.slice(2)));
  });

  it('concurrent runs for one cycle issue one bill and book it once', async () => {
    const other = await postpaidCustomer();
    await subscribe(other, '2026-10-01');
    const runs = await Promise.all(Array.from({ length: 6 }, () => billRun.closeBillingCycle({ billingAccountId: other.billingAccountId, cycle: NOV })));
    expect(new Set(runs.map((r) => r.billId)).size).toBe(1);
    expect(new Set(runs.map((r) => r.billNo)).size).toBe(1);
    expect(runs[0].totalCharges).toBe('30.25');
    expect(await knex('billing_bill').where({ billing_account_id: other.billingAccountId }).count({ n: '*' })).toEqual([{ n: '1' }]);
    expect(await knex('billing_account_entry').where({ billing_account_id: other.billingAccountId }).count({ n: '*' })).toEqual([{ n: '1' }]);
  });

  it('refuses a period that is not a cycle of the account, and an unknown account, without a bill', async () => {
    await expect(billRun.closeBillingCycle({ billingAccountId: c.billingAccountId, cycle: { start: '2026-11-05', end: '2026-12-05' } })).rejects.toMatchObject({ type: 'NotABillCycle', nonRetryable: true });
    await expect(billRun.closeBillingCycle({ billingAccountId: randomUUID(), cycle: NOV })).rejects.toMatchObject({ type: 'BillingAccountNotFound', nonRetryable: true });
    expect(await knex('billing_bill').where({ billing_account_id: c.billingAccountId, cycle_start: '2026-11-05' }).count({ n: '*' })).toEqual([{ n: '0' }]);
  });

  describe('sendBill', () => {
    it('mails the bill with its PDF once, and the bill is sent', async () => {
      await billRun.sendBill({ billId: novBillId });
      await billRun.sendBill({ billId: novBillId });
      const pdf = (await billPdf(knex, novBillId))!;
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const mails = await knex('dev_outbox').where({ recipient: c.email, channel: 'email' });
      expect(mails).toHaveLength(1);
      const { bill_no: seq } = await knex('billing_bill').where({ id: novBillId }).first();
      const billNo = `B-${String(seq).padStart(10, '0')}`;
      expect(mails[0].subject).toBe(`Your BSS bill ${billNo}`);
      expect(mails[0].body).toContain('Amount due: 8.96 EUR\nDue date: 2026-12-15');
      expect(mails[0].attachments).toEqual([{ filename: `${billNo}.pdf`, contentType: 'application/pdf', size: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex') }]);
      expect((await knex('billing_bill').where({ id: novBillId }).first()).state).toBe('sent');
    });

    it('the PDF says who, when, each line, the taxes and what is due', async () => {
      const text = pdfTextRuns((await billPdf(knex, novBillId))!).join('\n');
      for (const expected of [
        'BSS Telecom',
        'Lucía Martín',
        'Calle Mayor 1',
        '28013 Madrid',
        `Billing account: ${c.billingAccountId}`,
        'Billing period: 2026-11-01 - 2026-11-30',
        'Issue date: 2026-12-01',
        'Due date: 2026-12-15',
        'Postpaid 20 GB monthly fee (14 of 30 days)',
        '11.67 EUR',
        '14.12 EUR',
        `Data (any) ${c.mobile}: 320.00 MB`,
        'SIM card fee',
        'VAT 21% on 19.80 EUR',
        '4.16 EUR',
        '23.96 EUR',
        'Previous balance',
        '-10.00 EUR',
        '-5.00 EUR',
        'Amount due',
        '8.96 EUR',
        'By bank transfer to IBAN ES91 2100 0418 4502 0005 1332',
      ]) {
        expect(text).toContain(expected);
      }
    });

    it('refuses an unknown bill', async () => {
      await expect(billRun.sendBill({ billId: randomUUID() })).rejects.toMatchObject({ type: 'BillNotFound', nonRetryable: true });
    });
  });
});
