/**
 * The generated history behind the embedded default's reports: written through the system's own
 * models (lifecycle rules hold), reproducible from its seed, and what the reports then show adds
 * up to what the generator says it wrote.
 */
import type { Knex } from 'knex';
import { createKnex } from '../db/knex';
import { refreshReportViews, runReport } from '../db/reports';
import { generatedCustomers, generateHistory, type HistorySummary } from '../db/seeds/history';
import { createScratchDatabase } from './helpers/database';

const END = new Date('2026-06-30T12:00:00Z');
const options = { customers: 40, months: 12, end: END, seed: 7, publicUrl: 'http://bss.test' };
const total = (rows: Array<Record<string, unknown>>, column: string) => rows.reduce((n, r) => n + Number(r[column]), 0);

describe('generated history', () => {
  let knex: Knex;
  let summary: HistorySummary;

  beforeAll(async () => {
    knex = createKnex(await createScratchDatabase('bss_history'));
    summary = await generateHistory(knex, options);
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
    const period = { from: '2025-06', to: '2026-06', timeZone: 'Europe/Madrid' };
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

  it('is the same history again from the same seed', async () => {
    const again = createKnex(await createScratchDatabase('bss_history_again'));
    try {
      expect(await generateHistory(again, options)).toEqual(summary);
    } finally {
      await again.destroy();
    }
  });
});
