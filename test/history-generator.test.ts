/**
 * The generated history behind the embedded default's reports: written through the system's own
 * models, activities and charging engine (lifecycle rules hold, the prepaid ledger reconciles),
 * reproducible from its seed, and what the reports then show adds up to what the generator says
 * it wrote: customers and orders, and the money (bills, payments, top-ups, prepaid usage).
 */
import type { Knex } from 'knex';
import pg from 'pg';
import { DEFAULT_LOW_BALANCE_THRESHOLD } from '../activities/prepay';
import { createKnex } from '../db/knex';
import { armedAccountsBelowThreshold } from '../db/prepay-housekeeping';
import { refreshReportViews, runReport } from '../db/reports';
import { generatedCustomers } from '../db/seeds/history';
import { money, sum } from '../domain/money';
import { reconcileLedger } from '../ocs/engine';
import { generateHistoryWithMoney, type HistoryWithMoneySummary } from '../runtime/history-money';
import { createScratchDatabase } from './helpers/database';

const END = new Date('2026-06-30T12:00:00Z');
const options = { customers: 40, months: 12, end: END, seed: 5, publicUrl: 'http://bss.test' };
const period = { from: '2025-06', to: '2026-06', timeZone: 'Europe/Madrid' };
const total = (rows: Array<Record<string, unknown>>, column: string) => rows.reduce((n, r) => n + Number(r[column]), 0);
const totalMoney = (rows: Array<Record<string, unknown>>, column: string) => sum(rows.map((r) => money(String(r[column])))).toFixed(2);

describe('generated history', () => {
  let url: string;
  let knex: Knex;
  let summary: HistoryWithMoneySummary;

  beforeAll(async () => {
    url = await createScratchDatabase('bss_history');
    knex = createKnex(url);
    summary = await generateHistoryWithMoney(url, options);
    await refreshReportViews(knex);
  });

  afterAll(() => knex.destroy());

  it('writes the customers, orders, queries and interactions it reports', async () => {
    expect(await generatedCustomers(knex)).toBe(40);
    const count = async (table: string) => Number((await knex(table).count<{ count: string }[]>('* as count'))[0].count);
    expect(await count('product_order')).toBe(summary.orders);
    expect(await count('crm_trouble_ticket')).toBe(summary.queries);
    expect(await count('crm_party_interaction')).toBe(summary.interactions);
    expect(summary.orders).toBe(40);
    expect(summary.customers).toBeGreaterThan(30); // a few orders fall out
    expect(summary.queries).toBeGreaterThan(0);
  });

  it('reports what it wrote, month by month over the year', async () => {
    const customers = (await runReport(knex, 'customers', period)).rows;
    expect(total(customers, 'new')).toBe(summary.customers);
    expect(total(customers, 'churned')).toBe(summary.churned);
    expect(customers.at(-1)!.active).toBe(summary.customers - summary.churned);
    const orders = (await runReport(knex, 'orders', period)).rows;
    expect(total(orders, 'orders')).toBe(summary.orders);
    const fallout = (await runReport(knex, 'order-fallout', period)).rows;
    expect(total(fallout, 'orders')).toBe(summary.orders - summary.customers);
    expect(total((await runReport(knex, 'queries', period)).rows, 'opened')).toBe(summary.queries);
  });

  it('bills every completed order: postpaid accounts billed and paid, prepaid ones charged and topped up', async () => {
    const m = summary.money;
    expect(m.postpaidAccounts + m.prepaidAccounts).toBe(summary.customers);
    expect(m.bills).toBeGreaterThan(m.postpaidAccounts);
    expect(m.payments).toBeGreaterThan(0);
    // This seed has a customer whose card declines (their account owes money) and customers who left and paid up.
    expect(m.declinedPayments).toBeGreaterThan(0);
    expect(m.owingAccounts).toBeGreaterThan(0);
    expect(m.closedAccounts).toBeGreaterThan(0);
    expect(m.topups).toBe(m.cardTopups + m.voucherTopups);
    expect(m.cardTopups).toBeGreaterThan(0);
    expect(m.voucherTopups).toBeGreaterThan(0);
    expect(m.chargingRequests).toBeGreaterThan(m.prepaidAccounts);
    const count = async (table: string, where: Record<string, string> = {}) => Number((await knex(table).where(where).count<{ count: string }[]>('* as count'))[0].count);
    expect(await count('billing_bill')).toBe(m.bills);
    expect(Number((await knex('crm_billing_account').whereRaw(`body->>'state' = 'Closed'`).count<{ count: string }[]>('* as count'))[0].count)).toBe(m.closedAccounts);
    expect(await count('payment')).toBe(m.payments);
    expect(await count('payment_charge', { purpose: 'billPayment', status: 'declined' })).toBe(m.declinedPayments);
    expect(await count('usage_record')).toBe(m.usageRecords);
    expect(await count('usage_record', { state: 'rejected' })).toBe(0);
    expect(Number((await knex('prepay_topup').whereRaw(`body->>'status' = 'completed'`).count<{ count: string }[]>('* as count'))[0].count)).toBe(m.topups);
  });

  it('shows the money it wrote in the money reports', async () => {
    const m = summary.money;
    const revenue = (await runReport(knex, 'revenue', period)).rows;
    expect(totalMoney(revenue, 'billed_gross')).toBe(m.billed);
    // Bill lines name the products the orders made.
    expect(revenue.filter((r) => r.product === 'other')).toEqual([]);
    const collections = (await runReport(knex, 'collections', period)).rows;
    expect(totalMoney(collections, 'billed')).toBe(m.billed);
    expect(totalMoney(collections, 'collected')).toBe(m.collected);
    expect(collections.at(-1)!.outstanding).toBe(m.outstanding);
    const topups = (await runReport(knex, 'prepaid-topups', period)).rows;
    expect(total(topups, 'topups')).toBe(m.topups);
    expect(total(topups.filter((r) => r.method === 'voucher'), 'topups')).toBe(m.voucherTopups);
    expect(totalMoney(topups, 'amount')).toBe(m.toppedUp);
    const arpu = (await runReport(knex, 'arpu', period)).rows;
    expect(totalMoney(arpu.filter((r) => r.payment_type === 'prepaid'), 'revenue')).toBe(m.toppedUp);
    const balances = (await runReport(knex, 'prepaid-balances', period)).rows;
    expect(total(balances, 'accounts')).toBe(m.prepaidAccounts);
    expect(totalMoney(balances, 'balance')).toBe(m.prepaidBalance);
    // Money in (first credit and top-ups) less money left is what prepaid usage was charged.
    const usage = (await runReport(knex, 'prepaid-usage', period)).rows;
    expect(totalMoney(usage, 'charged')).toBe(money(m.initialCredit).plus(m.toppedUp).minus(m.prepaidBalance).toFixed(2));
    expect(new Set(usage.map((r) => r.service))).toEqual(new Set(['voice', 'sms', 'data']));
    const byProduct = await Promise.all(['Prepaid 10 GB', 'Prepaid Pay-as-you-go'].map(async (product) => totalMoney((await runReport(knex, 'prepaid-usage', { ...period, product })).rows, 'charged')));
    expect(sum(byProduct.map((c) => money(c))).toFixed(2)).toBe(totalMoney(usage, 'charged'));
  });

  it('leaves the prepaid ledger reconciled: every balance is its ledger', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      expect(await reconcileLedger(pool)).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('leaves prepay housekeeping no low-balance notice to send about the past', async () => {
    const told = await knex('prepay_low_balance').where({ armed: false }).count<{ count: string }[]>('* as count');
    const bands = (await runReport(knex, 'prepaid-balances', period)).rows;
    expect(Number(told[0].count)).toBe(total(bands.filter((b) => b.band === 'below 0' || b.band === '0 to 5'), 'accounts'));
    expect(await armedAccountsBelowThreshold(knex, new Date(), DEFAULT_LOW_BALANCE_THRESHOLD)).toEqual([]);
  });

  it('is the same history again from the same seed', async () => {
    expect(await generateHistoryWithMoney(await createScratchDatabase('bss_history_again'), options)).toEqual(summary);
  });
});
