/**
 * Business reports against a small fixed dataset in a database of their own, with figures worked
 * out by hand: customers acquired, churned and active per month (months in Madrid time), by
 * channel and region; orders by product, channel and state; lead times (median, 90th percentile);
 * fallout reasons; query volumes and SLA compliance; interactions by channel. Then the API: JSON,
 * CSV, filters, refusals.
 */
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createKnex } from '../db/knex';
import { refreshReportViews, runReport, type ReportFilters } from '../db/reports';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';
import { createScratchDatabase } from './helpers/database';

const FTTH = '0ffe0000-0000-4000-8000-000000000005';
const PAYG = '0ffe0000-0000-4000-8000-000000000002';
const Q1: ReportFilters = { from: '2025-01', to: '2025-03', timeZone: 'Europe/Madrid' };

describe('business reports', () => {
  let url: string;
  let knex: Knex;
  let api: TestApi;
  let ftth: string;
  let payg: string;
  const ids = { c1: randomUUID(), c2: randomUUID(), c3: randomUUID(), c4: randomUUID() };

  async function customer(id: string, channel: string, postCode: string, events: Array<[status: string, at: string]>) {
    await knex('crm_customer').insert({
      id,
      customer_id: id,
      created_at: events[0]?.[1] ?? '2025-01-01T00:00:00Z',
      body: {
        id,
        name: `Customer ${id.slice(0, 4)}`,
        status: events[events.length - 1][0],
        contactMedium: [{ mediumType: 'postalAddress', characteristic: { postCode, city: 'x', country: 'ES' } }],
        characteristic: [{ name: 'acquisitionChannel', value: channel }],
      },
    });
    for (const [status, at] of events) {
      await knex('event_outbox').insert({
        event_id: randomUUID(),
        api_name: 'customerManagement',
        event_type: 'CustomerStateChangeEvent',
        payload: { eventType: 'CustomerStateChangeEvent', event: { customer: { id, status } } },
        created_at: at,
      });
    }
  }

  async function order(customerId: string, o: { channel: string; offerings: string[]; state: string; ordered: string; finished?: string; reasons?: string }) {
    const id = randomUUID();
    await knex('product_order').insert({
      id,
      customer_id: customerId,
      body: {
        id,
        state: o.state,
        orderDate: o.ordered,
        ...(o.finished ? { completionDate: o.finished } : {}),
        channel: [{ id: o.channel, name: o.channel }],
        productOrderItem: o.offerings.map((offering, i) => ({ id: String(i + 1), action: 'add', productOffering: { id: offering } })),
        note: o.reasons ? [{ id: '1', author: 'order fulfilment', text: `${o.state}: ${o.reasons}` }] : [],
      },
    });
  }

  async function ticket(customerId: string, t: { type: string; channel: string; opened: string; due: string; resolved?: string }) {
    const id = randomUUID();
    await knex('crm_trouble_ticket').insert({
      id,
      customer_id: customerId,
      body: { id, ticketType: t.type, severity: 'major', status: t.resolved ? 'resolved' : 'inProgress', channel: { name: t.channel }, creationDate: t.opened, expectedResolutionDate: t.due, ...(t.resolved ? { resolutionDate: t.resolved } : {}) },
    });
  }

  async function interaction(customerId: string, channel: string, direction: string, at: string) {
    const id = randomUUID();
    await knex('crm_party_interaction').insert({ id, customer_id: customerId, body: { id, channel: [{ id: channel }], direction, reason: 'test', interactionDate: { startDateTime: at } } });
  }

  beforeAll(async () => {
    url = await createScratchDatabase('bss_reports');
    knex = createKnex(url);
    const names = await knex('catalog_product_offering').whereIn('id', [FTTH, PAYG]).select('id', knex.raw(`body->>'name' as name`));
    ftth = names.find((n) => n.id === FTTH).name;
    payg = names.find((n) => n.id === PAYG).name;

    await customer(ids.c1, 'web', '28013', [['Active', '2025-01-10T10:00:00Z']]);
    // 23:30 UTC on 31 January is 00:30 on 1 February in Madrid: a February customer.
    await customer(ids.c2, 'shop', '08001', [['Active', '2025-01-31T23:30:00Z'], ['Closed', '2025-03-15T12:00:00Z']]);
    await customer(ids.c3, 'web', '46002', [['Active', '2025-02-05T09:00:00Z']]);
    // Never active (its registration failed): neither acquired nor churned.
    await customer(ids.c4, 'web', '28001', [['Approved', '2025-02-09T09:00:00Z'], ['Closed', '2025-02-10T09:00:00Z']]);

    await order(ids.c1, { channel: 'web', offerings: [FTTH], state: 'completed', ordered: '2025-01-12T09:00:00Z', finished: '2025-01-14T09:00:00Z' });
    await order(ids.c3, { channel: 'web', offerings: [PAYG], state: 'completed', ordered: '2025-02-06T10:00:00Z', finished: '2025-02-06T12:00:00Z' });
    await order(ids.c2, { channel: 'shop', offerings: [PAYG, FTTH], state: 'rejected', ordered: '2025-02-02T10:00:00Z', finished: '2025-02-02T10:01:00Z', reasons: 'customer: not active; offering: not orderable' });
    await order(ids.c3, { channel: 'web', offerings: [FTTH], state: 'completed', ordered: '2025-02-10T08:00:00Z', finished: '2025-02-12T20:00:00Z' });
    await order(ids.c1, { channel: 'web', offerings: [FTTH], state: 'completed', ordered: '2025-02-11T08:00:00Z', finished: '2025-02-12T20:00:00Z' });
    await order(ids.c1, { channel: 'web', offerings: [FTTH], state: 'failed', ordered: '2025-03-01T08:00:00Z', finished: '2025-03-02T08:00:00Z', reasons: 'offering: not orderable' });

    await ticket(ids.c1, { type: 'billing', channel: 'email', opened: '2025-01-20T10:00:00Z', due: '2025-01-21T10:00:00Z', resolved: '2025-01-20T20:00:00Z' });
    await ticket(ids.c1, { type: 'billing', channel: 'phone', opened: '2025-01-25T10:00:00Z', due: '2025-01-26T10:00:00Z', resolved: '2025-01-27T10:00:00Z' });
    await ticket(ids.c3, { type: 'technical', channel: 'email', opened: '2025-02-01T10:00:00Z', due: '2025-02-01T14:00:00Z' });

    await interaction(ids.c1, 'email', 'outbound', '2025-01-05T10:00:00Z');
    await interaction(ids.c1, 'email', 'outbound', '2025-01-06T10:00:00Z');
    await interaction(ids.c3, 'sms', 'inbound', '2025-02-07T10:00:00Z');

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
      expect(list.body.map((r: { name: string }) => r.name)).toEqual(['customers', 'customers-by-channel', 'customers-by-region', 'orders', 'order-lead-time', 'order-fallout', 'queries', 'interactions']);
      const dims = await request(api.app).get('/api/reports/dimensions').set(agent).expect(200);
      expect(dims.body.region).toEqual(expect.arrayContaining(['Barcelona', 'Madrid', 'Valencia']));
      expect(dims.body.product).toEqual([ftth, payg].sort());
    });
  });
});
