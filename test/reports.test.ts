/**
 * Business reports against a small fixed dataset in a database of their own, with figures worked
 * out by hand: customers acquired, churned and active per month (months in Madrid time), by
 * channel and region; orders by product, channel and state; lead times (median, 90th percentile);
 * fallout reasons; query volumes and SLA compliance; interactions by channel. Then the API: JSON,
 * CSV, filters, refusals.
 */
import type { Knex } from 'knex';
import request from 'supertest';
import { createKnex } from '../db/knex';
import { refreshReportViews, runReport, type ReportFilters } from '../db/reports';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';
import { createScratchDatabase } from './helpers/database';
import { seedReportFixture } from './helpers/report-fixture';

const Q1: ReportFilters = { from: '2025-01', to: '2025-03', timeZone: 'Europe/Madrid' };

describe('business reports', () => {
  let url: string;
  let knex: Knex;
  let api: TestApi;
  let ftth: string;
  let payg: string;

  beforeAll(async () => {
    url = await createScratchDatabase('bss_reports');
    knex = createKnex(url);
    ({ ftth, payg } = await seedReportFixture(knex));
    await refreshReportViews(knex);
    api = await createTestApi(undefined, { databaseUrl: url });
  });

  afterAll(async () => {
    await api.close();
    await knex.destroy();
  });

  it('counts customers acquired, churned and active per month', async () => {
    expect((await runReport(knex, 'customers', Q1)).rows).toEqual([
      { month: '2025-01', new: 1, churned: 0, active: 1 },
      { month: '2025-02', new: 2, churned: 0, active: 3 },
      { month: '2025-03', new: 0, churned: 1, active: 2 },
    ]);
    expect((await runReport(knex, 'customers', { ...Q1, channel: 'web' })).rows).toEqual([
      { month: '2025-01', new: 1, churned: 0, active: 1 },
      { month: '2025-02', new: 1, churned: 0, active: 2 },
      { month: '2025-03', new: 0, churned: 0, active: 2 },
    ]);
  });

  it('splits acquisition by channel and by region', async () => {
    expect((await runReport(knex, 'customers-by-channel', Q1)).rows).toEqual([
      { month: '2025-01', channel: 'web', new: 1 },
      { month: '2025-02', channel: 'shop', new: 1 },
      { month: '2025-02', channel: 'web', new: 1 },
    ]);
    expect((await runReport(knex, 'customers-by-region', Q1)).rows).toEqual([
      { region: 'Barcelona', new: 1, active: 0 },
      { region: 'Madrid', new: 1, active: 1 },
      { region: 'Valencia', new: 1, active: 1 },
    ]);
    expect((await runReport(knex, 'customers-by-region', { ...Q1, to: '2025-01' })).rows).toEqual([{ region: 'Madrid', new: 1, active: 1 }]);
  });

  it('counts orders by month, product, channel and state', async () => {
    expect((await runReport(knex, 'orders', Q1)).rows).toEqual(
      [
        { month: '2025-01', product: ftth, channel: 'web', state: 'completed', orders: 1 },
        { month: '2025-02', product: ftth, channel: 'shop', state: 'rejected', orders: 1 },
        { month: '2025-02', product: ftth, channel: 'web', state: 'completed', orders: 2 },
        { month: '2025-02', product: payg, channel: 'shop', state: 'rejected', orders: 1 },
        { month: '2025-02', product: payg, channel: 'web', state: 'completed', orders: 1 },
        { month: '2025-03', product: ftth, channel: 'web', state: 'failed', orders: 1 },
      ].sort((a, b) => `${a.month}${a.product}${a.channel}${a.state}`.localeCompare(`${b.month}${b.product}${b.channel}${b.state}`)),
    );
    expect((await runReport(knex, 'orders', { ...Q1, product: payg, region: 'Valencia' })).rows).toEqual([{ month: '2025-02', product: payg, channel: 'web', state: 'completed', orders: 1 }]);
  });

  it('gives lead times from ordering to completion: median and 90th percentile in hours', async () => {
    // February fibre: 60 h and 36 h → median 48.0, p90 36 + 0.9 × 24 = 57.6.
    const rows = (await runReport(knex, 'order-lead-time', Q1)).rows;
    expect(rows).toEqual(
      expect.arrayContaining([
        { month: '2025-01', product: ftth, completed: 1, p50_hours: '48.0', p90_hours: '48.0' },
        { month: '2025-02', product: ftth, completed: 2, p50_hours: '48.0', p90_hours: '57.6' },
        { month: '2025-02', product: payg, completed: 1, p50_hours: '2.0', p90_hours: '2.0' },
      ]),
    );
    expect(rows).toHaveLength(3);
  });

  it('lists fallout reasons of rejected and failed orders', async () => {
    expect((await runReport(knex, 'order-fallout', Q1)).rows).toEqual([
      { reason: 'offering: not orderable', orders: 2 },
      { reason: 'customer: not active', orders: 1 },
    ]);
    expect((await runReport(knex, 'order-fallout', { ...Q1, to: '2025-02' })).rows).toEqual([
      { reason: 'customer: not active', orders: 1 },
      { reason: 'offering: not orderable', orders: 1 },
    ]);
  });

  it('measures queries: volume by kind, SLA compliance, time to resolve', async () => {
    expect((await runReport(knex, 'queries', Q1)).rows).toEqual([
      { month: '2025-01', ticket_type: 'billing', opened: 2, resolved: 2, within_sla: 1, sla_compliance_pct: '50.0', p50_hours_to_resolve: '29.0' },
      { month: '2025-02', ticket_type: 'technical', opened: 1, resolved: 0, within_sla: 0, sla_compliance_pct: null, p50_hours_to_resolve: null },
    ]);
    expect((await runReport(knex, 'queries', { ...Q1, channel: 'phone' })).rows).toEqual([
      { month: '2025-01', ticket_type: 'billing', opened: 1, resolved: 1, within_sla: 0, sla_compliance_pct: '0.0', p50_hours_to_resolve: '48.0' },
    ]);
  });

  it('counts interactions by channel and direction', async () => {
    expect((await runReport(knex, 'interactions', Q1)).rows).toEqual([
      { month: '2025-01', channel: 'email', direction: 'outbound', interactions: 2 },
      { month: '2025-02', channel: 'sms', direction: 'inbound', interactions: 1 },
    ]);
  });

  it('sums revenue billed per month of issue and product', async () => {
    expect((await runReport(knex, 'revenue', Q1)).rows).toEqual([
      { month: '2025-02', product: ftth, billed_net: '30.00', billed_tax: '6.30', billed_gross: '36.30' },
      { month: '2025-02', product: 'one-time fees', billed_net: '10.00', billed_tax: '2.10', billed_gross: '12.10' },
      { month: '2025-03', product: ftth, billed_net: '30.00', billed_tax: '6.30', billed_gross: '36.30' },
      { month: '2025-03', product: 'Postpaid 20 GB', billed_net: '20.00', billed_tax: '4.20', billed_gross: '24.20' },
    ]);
    expect((await runReport(knex, 'revenue', { ...Q1, region: 'Barcelona' })).rows).toEqual([
      { month: '2025-03', product: 'Postpaid 20 GB', billed_net: '20.00', billed_tax: '4.20', billed_gross: '24.20' },
    ]);
  });

  it('follows postpaid money: billed, collected and outstanding at each month end', async () => {
    expect((await runReport(knex, 'collections', Q1)).rows).toEqual([
      { month: '2025-01', billed: '48.40', collected: '0.00', refunded: '0.00', outstanding: '48.40' },
      { month: '2025-02', billed: '60.50', collected: '48.40', refunded: '0.00', outstanding: '60.50' },
      { month: '2025-03', billed: '0.00', collected: '20.00', refunded: '0.00', outstanding: '40.50' },
    ]);
    expect((await runReport(knex, 'collections', { ...Q1, region: 'Madrid' })).rows.map((r) => r.outstanding)).toEqual(['48.40', '36.30', '16.30']);
  });

  it('gives ARPU per payment type over the customers active at month end', async () => {
    expect((await runReport(knex, 'arpu', Q1)).rows).toEqual([
      { month: '2025-01', payment_type: 'postpaid', revenue: '0.00', customers: 1, arpu: '0.00' },
      { month: '2025-01', payment_type: 'prepaid', revenue: '0.00', customers: 0, arpu: null },
      { month: '2025-02', payment_type: 'postpaid', revenue: '40.00', customers: 2, arpu: '20.00' },
      { month: '2025-02', payment_type: 'prepaid', revenue: '15.00', customers: 1, arpu: '15.00' },
      { month: '2025-03', payment_type: 'postpaid', revenue: '50.00', customers: 1, arpu: '50.00' },
      { month: '2025-03', payment_type: 'prepaid', revenue: '20.00', customers: 1, arpu: '20.00' },
    ]);
  });

  it('counts completed prepaid top-ups by method', async () => {
    expect((await runReport(knex, 'prepaid-topups', Q1)).rows).toEqual([
      { month: '2025-02', method: 'card', topups: 1, amount: '10.00' },
      { month: '2025-02', method: 'voucher', topups: 1, amount: '5.00' },
      { month: '2025-03', method: 'card', topups: 1, amount: '20.00' },
    ]);
    expect((await runReport(knex, 'prepaid-topups', { ...Q1, region: 'Madrid' })).rows).toEqual([]);
  });

  it('spreads prepaid balances (less what is reserved) over bands', async () => {
    expect((await runReport(knex, 'prepaid-balances', Q1)).rows).toEqual([
      { band: 'below 0', accounts: 0, balance: '0.00' },
      { band: '0 to 5', accounts: 1, balance: '3.00' },
      { band: '5 to 10', accounts: 0, balance: '0.00' },
      { band: '10 to 20', accounts: 1, balance: '12.50' },
      { band: '20 to 50', accounts: 0, balance: '0.00' },
      { band: '50 or more', accounts: 0, balance: '0.00' },
    ]);
    expect((await runReport(knex, 'prepaid-balances', { ...Q1, region: 'Valencia' })).rows.filter((r) => r.accounts)).toEqual([{ band: '10 to 20', accounts: 1, balance: '12.50' }]);
  });

  it('sums prepaid usage per month, service and product: allowance units and money charged, less refunds; not reservations nor expiries', async () => {
    const february = [
      { month: '2025-02', service: 'data', unit: 'octets', units: '52428800', charged: '0.00' },
      { month: '2025-02', service: 'sms', unit: 'events', units: '0', charged: '0.30' },
      { month: '2025-02', service: 'voice', unit: 'seconds', units: '120', charged: '0.00' },
    ];
    const marchVoice = { month: '2025-03', service: 'voice', unit: 'seconds', units: '90', charged: '1.20' };
    expect((await runReport(knex, 'prepaid-usage', Q1)).rows).toEqual([...february, { month: '2025-03', service: 'sms', unit: 'events', units: '3', charged: '0.00' }, marchVoice]);
    expect((await runReport(knex, 'prepaid-usage', { ...Q1, region: 'Valencia' })).rows).toEqual([...february, marchVoice]);
    expect((await runReport(knex, 'prepaid-usage', { ...Q1, product: payg })).rows).toEqual([...february, marchVoice]);
    expect((await runReport(knex, 'prepaid-usage', { ...Q1, product: ftth })).rows).toEqual([]);
    // c2's account has lines on two products: its usage is of neither alone.
    const c2 = [{ month: '2025-03', service: 'sms', unit: 'events', units: '3', charged: '0.00' }];
    expect((await runReport(knex, 'prepaid-usage', { ...Q1, from: '2025-03', region: 'Barcelona' })).rows).toEqual(c2);
    expect((await runReport(knex, 'prepaid-usage', { ...Q1, product: 'several products' })).rows).toEqual(c2);
    expect((await runReport(knex, 'prepaid-usage', { ...Q1, product: 'Prepaid 10 GB' })).rows).toEqual([]);
  });

  describe('API', () => {
    it('serves a report as JSON and as CSV to agents', async () => {
      const agent = bearer(await tokenFor('agent'));
      const json = await request(api.app).get('/api/reports/customers?from=2025-01&to=2025-03&channel=web').set(agent).expect(200);
      expect(json.body).toEqual({
        report: 'customers',
        filters: { from: '2025-01', to: '2025-03', channel: 'web' },
        columns: ['month', 'new', 'churned', 'active'],
        rows: [
          { month: '2025-01', new: 1, churned: 0, active: 1 },
          { month: '2025-02', new: 1, churned: 0, active: 2 },
          { month: '2025-03', new: 0, churned: 0, active: 2 },
        ],
      });
      const csv = await request(api.app).get('/api/reports/order-fallout?from=2025-01&to=2025-03&format=csv').set(agent).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toBe('attachment; filename="order-fallout_2025-01_2025-03.csv"');
      expect(csv.text).toBe('reason,orders\r\noffering: not orderable,2\r\ncustomer: not active,1\r\n');
    });

    it('serves prepaid usage as CSV, filtered by product', async () => {
      const csv = await request(api.app).get(`/api/reports/prepaid-usage?from=2025-03&to=2025-03&product=${encodeURIComponent(payg)}&format=csv`).set(bearer(await tokenFor('agent'))).expect(200);
      expect(csv.text).toBe('month,service,unit,units,charged\r\n2025-03,voice,seconds,90,1.20\r\n');
      await request(api.app).get('/api/reports/prepaid-usage?channel=web').set(bearer(await tokenFor('agent'))).expect(400);
    });

    it.each([
      ['an unknown report', '/api/reports/nope', 404, 'nope'],
      ['a bad month', '/api/reports/customers?from=2025-13', 400, 'from'],
      ['a period that ends before it starts', '/api/reports/customers?from=2025-03&to=2025-01', 400, 'to'],
      ['a filter the report lacks', '/api/reports/customers?product=x', 400, 'product'],
      ['an unknown parameter', '/api/reports/customers?colour=red', 400, 'colour'],
      ['an unknown format', '/api/reports/customers?format=xml', 400, 'format'],
    ])('refuses %s', async (_, path, status, mention) => {
      const res = await request(api.app).get(path).set(bearer(await tokenFor('admin'))).expect(status);
      expect(res.body.message).toContain(mention);
    });

    it('is for staff: customers are refused', async () => {
      await request(api.app).get('/api/reports/customers').set(bearer(await tokenFor('customer'))).expect(403);
      await request(api.app).get('/api/reports/customers').expect(401);
    });

    it('lists the reports and the values each filter can take', async () => {
      const agent = bearer(await tokenFor('agent'));
      const list = await request(api.app).get('/api/reports').set(agent).expect(200);
      expect(list.body.map((r: { name: string }) => r.name)).toEqual([
        'customers', 'customers-by-channel', 'customers-by-region', 'orders', 'order-lead-time', 'order-fallout', 'queries', 'interactions', 'revenue', 'collections', 'arpu', 'prepaid-topups', 'prepaid-balances', 'prepaid-usage',
      ]);
      const dims = await request(api.app).get('/api/reports/dimensions').set(agent).expect(200);
      expect(dims.body.region).toEqual(expect.arrayContaining(['Barcelona', 'Madrid', 'Valencia']));
      expect(dims.body.product).toEqual([ftth, payg].sort());
    });
  });
});
