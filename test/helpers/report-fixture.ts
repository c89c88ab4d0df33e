/**
 * A small fixed history for the report tests, written straight into the tables the report views
 * read (dates in the past, so that "now" does not matter): four customers (one never active),
 * six orders, three queries and three interactions; two postpaid accounts with three bills, their
 * ledger (bills, payments) and a prepaid account with its top-ups and usage. The expected figures in the
 * tests are worked out by hand from it.
 */
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { money, sum } from '../../domain/money';

export const FTTH = '0ffe0000-0000-4000-8000-000000000005';
export const PAYG = '0ffe0000-0000-4000-8000-000000000002';

/** Writes the history; returns the names of the two offerings ordered. */
export async function seedReportFixture(knex: Knex): Promise<{ ftth: string; payg: string }> {
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
        payload: { eventType: 'CustomerStateChangeEvent', eventTime: at, event: { customer: { id, status } } },
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

  const names = await knex('catalog_product_offering').whereIn('id', [FTTH, PAYG]).select('id', knex.raw(`body->>'name' as name`));
  const ftth = names.find((n) => n.id === FTTH).name;
  const payg = names.find((n) => n.id === PAYG).name;

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

  // Money: accounts A1 (c1, Madrid, postpaid), A2 (c2, Barcelona, postpaid), A3 (c3, Valencia, prepaid).
  const accounts = { a1: randomUUID(), a2: randomUUID(), a3: randomUUID() };
  for (const [id, customerId, paymentType] of [[accounts.a1, ids.c1, 'postpaid'], [accounts.a2, ids.c2, 'postpaid'], [accounts.a3, ids.c3, 'prepaid']]) {
    await knex('crm_billing_account').insert({ id, customer_id: customerId, body: { id, billStructure: { paymentType, currency: 'EUR' } } });
  }
  const products = { fibre: randomUUID(), mobile: randomUUID() };
  await knex('product_inventory').insert([
    { id: products.fibre, customer_id: ids.c1, body: { id: products.fibre, productOffering: { id: FTTH, name: ftth } } },
    { id: products.mobile, customer_id: ids.c2, body: { id: products.mobile, productOffering: { id: 'postpaid20', name: 'Postpaid 20 GB' } } },
  ]);

  async function bill(accountId: string, customerId: string, cycle: [start: string, end: string], lines: Array<{ kind: string; product?: string; net: string; tax: string; gross: string }>) {
    const id = randomUUID();
    const total = sum(lines.map((l) => money(l.gross)));
    await knex('billing_bill').insert({
      id, customer_id: customerId, billing_account_id: accountId, body: { id, state: 'sent' },
      cycle_start: cycle[0], cycle_end: cycle[1], issue_date: cycle[1], due_date: cycle[1], currency: 'EUR',
      total_net: '0', total_tax: '0', total_charges: total.toFixed(2), previous_balance: '0', payments: '0', adjustments: '0', amount_due: total.toFixed(2), statement: {},
    });
    for (const [i, l] of lines.entries()) {
      const lineId = randomUUID();
      await knex('billing_bill_line').insert({
        id: lineId, customer_id: customerId, bill_id: id, line_no: i + 1, kind: l.kind, net: l.net, tax_rate: '21', tax: l.tax, gross: l.gross,
        body: { id: lineId, ...(l.product ? { product: { id: l.product } } : {}) },
      });
    }
  }
  await bill(accounts.a1, ids.c1, ['2025-01-01', '2025-02-01'], [
    { kind: 'recurring', product: products.fibre, net: '30.00', tax: '6.30', gross: '36.30' },
    { kind: 'oneTime', net: '10.00', tax: '2.10', gross: '12.10' },
  ]);
  await bill(accounts.a1, ids.c1, ['2025-02-01', '2025-03-01'], [{ kind: 'recurring', product: products.fibre, net: '30.00', tax: '6.30', gross: '36.30' }]);
  await bill(accounts.a2, ids.c2, ['2025-02-01', '2025-03-01'], [{ kind: 'recurring', product: products.mobile, net: '20.00', tax: '4.20', gross: '24.20' }]);

  // The ledger: a bill is booked at the last instant of its cycle (Madrid time), payments when made.
  const entry = (accountId: string, kind: string, amount: string, at: string) =>
    knex('billing_account_entry').insert({ billing_account_id: accountId, kind, amount, currency: 'EUR', reference: randomUUID(), description: kind, booked_at: at });
  await entry(accounts.a1, 'bill', '48.40', '2025-01-31T22:59:59.999Z');
  await entry(accounts.a1, 'payment', '-48.40', '2025-02-10T10:00:00Z');
  await entry(accounts.a1, 'bill', '36.30', '2025-02-28T22:59:59.999Z');
  await entry(accounts.a1, 'payment', '-20.00', '2025-03-05T10:00:00Z');
  await entry(accounts.a2, 'bill', '24.20', '2025-02-28T22:59:59.999Z');

  // Prepaid top-ups of c3: two in February (card, voucher), one in March; a failed one is no money.
  const topup = (at: string, amount: number, how: Record<string, unknown>, status = 'completed') => {
    const id = randomUUID();
    return knex('prepay_topup').insert({ id, customer_id: ids.c3, body: { id, status, amount: { amount, units: 'EUR' }, requestedDate: at, ...(status === 'completed' ? { confirmationDate: at } : {}), ...how } });
  };
  await topup('2025-02-10T10:00:00Z', 10, { paymentMethod: { id: 'card-1' } });
  await topup('2025-02-20T10:00:00Z', 5, { voucher: '****0005' });
  await topup('2025-03-03T10:00:00Z', 20, { paymentMethod: { id: 'card-1' } });
  await topup('2025-03-04T10:00:00Z', 50, { paymentMethod: { id: 'card-1' } }, 'failed');
  // Prepaid money now: c3 holds 12.50 (2.50 of it reserved on a 15.00 bucket), c2 holds 3.00.
  const chargingAccounts: Record<string, string> = {};
  for (const [customerId, balance, reserved] of [[ids.c3, '15.00', '2.50'], [ids.c2, '3.00', '0']]) {
    const accountId = randomUUID();
    chargingAccounts[customerId] = accountId;
    await knex('charging_account').insert({ id: accountId, customer_id: customerId, billing_account_id: randomUUID(), currency: 'EUR', status: 'active', origin: `report-fixture:${accountId}`, created_at: '2025-01-01T00:00:00Z' });
    await knex('charging_bucket').insert({
      id: randomUUID(), charging_account_id: accountId, bucket_type: 'money', unit: 'EUR', initial: balance, balance, reserved, priority: 100,
      valid_from: '2025-01-01T00:00:00Z', origin: `report-fixture:${accountId}:money`, created_at: '2025-01-01T00:00:00Z',
    });
  }

  // Prepaid usage, as the charging engine writes it (ledger reference <session>#<request>, the
  // rating group on each entry). c3's one line is on PAYG; c2's two lines are on two products.
  const paygLine = randomUUID();
  const c2Lines = [randomUUID(), randomUUID()];
  await knex('product_inventory').insert([
    { id: paygLine, customer_id: ids.c3, body: { id: paygLine, productOffering: { id: PAYG, name: payg } } },
    { id: c2Lines[0], customer_id: ids.c2, body: { id: c2Lines[0], productOffering: { id: PAYG, name: payg } } },
    { id: c2Lines[1], customer_id: ids.c2, body: { id: c2Lines[1], productOffering: { id: '0ffe0000-0000-4000-8000-000000000001', name: 'Prepaid 10 GB' } } },
  ]);
  for (const [customerId, msisdn, productId] of [[ids.c3, '+34600000003', paygLine], [ids.c2, '+34600000021', c2Lines[0]], [ids.c2, '+34600000022', c2Lines[1]]]) {
    await knex('charging_subscriber').insert({ msisdn, imsi: `2140100${msisdn.slice(-8)}`, charging_account_id: chargingAccounts[customerId], product_id: productId, status: 'active', created_at: '2025-02-06T12:00:00Z' });
  }
  // Buckets past their validity (so that the balances above stay as they are), balance = initial − debits.
  const usedBucket = async (customerId: string, type: string, unit: string, initial: string, balance: string, entries: Array<[kind: string, amount: string, reference: string, ratingGroup: number | null, at: string]>) => {
    const id = randomUUID();
    await knex('charging_bucket').insert({
      id, charging_account_id: chargingAccounts[customerId], bucket_type: type, unit, initial, balance, reserved: '0', priority: type === 'money' ? 100 : 10,
      valid_from: '2025-02-06T12:00:00Z', valid_until: '2025-04-01T00:00:00Z', origin: `report-fixture:${id}`, created_at: '2025-02-06T12:00:00Z',
    });
    for (const [kind, amount, reference, rating_group, created_at] of entries) await knex('charging_ledger').insert({ bucket_id: id, kind, amount, reference, rating_group, created_at });
  };
  await usedBucket(ids.c3, 'voice', 'seconds', '600', '390', [
    ['debit', '120', 's1#1', 100, '2025-02-07T10:02:00Z'],
    ['debit', '90', 's3#1', 100, '2025-03-10T10:05:00Z'],
  ]);
  await usedBucket(ids.c3, 'money', 'EUR', '10.00', '8.50', [
    ['debit', '0.30', 's2#0', 200, '2025-02-08T10:00:00Z'],
    // An SMS the network could not deliver, refunded: no usage left.
    ['debit', '0.10', 's5#0', 200, '2025-02-08T11:00:00Z'],
    ['credit', '0.10', 'refund:s5#0', 200, '2025-02-08T11:05:00Z'],
    // A reservation and its release are no usage; the call's overage (after its 90 s of allowance) is.
    ['reservation', '0.50', 's3#0', 100, '2025-03-10T10:00:00Z'],
    ['release', '0.50', 's3#1', 100, '2025-03-10T10:05:00Z'],
    ['debit', '1.20', 's3#1', 100, '2025-03-10T10:05:00Z'],
  ]);
  await usedBucket(ids.c3, 'data', 'octets', '1073741824', '0', [
    ['debit', '52428800', 's4#1', 300, '2025-02-09T11:00:00Z'],
    // The allowance's expiry empties it: no service, no usage.
    ['debit', '1021313024', 'expiry:data', null, '2025-03-31T22:00:00Z'],
  ]);
  await usedBucket(ids.c2, 'sms', 'events', '10', '7', [['debit', '3', 'c2-session#0', 200, '2025-03-01T09:00:00Z']]);
  return { ftth, payg };
}
