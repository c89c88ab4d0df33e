/**
 * TMF676 payments of postpaid billing accounts: a card payment is charged once per correlatorId
 * and booked on the account's ledger; declines, gateway outages and bad input book nothing;
 * partial payments leave the rest owed, overpayments a credit; customers see their own only.
 */
import { Connection } from '@temporalio/client';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { GatewayUnavailableError, SimulatedPaymentGateway, type ChargeRequest } from '../activities/payments/gateway';
import { createApp } from '../api/app';
import { loadConfig } from '../config';
import { accountBalance, bookAccountEntry } from '../db/billing-ledger';
import { createKnex } from '../db/knex';
import { systemClock } from '../domain/clock';
import { bearer, testAppDeps, tokenFor } from './helpers/api';
import { createActiveCustomer, type TestCustomer } from './helpers/customers';

const config = loadConfig();
const PAYMENTS = '/tmf-api/paymentManagement/v4/payment';

/** The simulator, which can be told to stop answering. */
class FlakyGateway extends SimulatedPaymentGateway {
  down = false;
  override charge(request: ChargeRequest) {
    if (this.down) return Promise.reject(new GatewayUnavailableError('payment gateway did not answer'));
    return super.charge(request);
  }
}

describe('TMF676 payment', () => {
  let knex: Knex;
  let temporal: Connection;
  let app: Express;
  const gateway = new FlakyGateway();

  beforeAll(async () => {
    knex = createKnex(config.databaseUrl);
    temporal = await Connection.connect({ address: config.temporalAddress });
    app = createApp({ ...testAppDeps(), knex, temporal, temporalProbe: temporal, clock: systemClock, paymentGateway: gateway });
  });

  afterAll(async () => {
    await knex.destroy();
    await temporal.close();
  });

  /** A postpaid customer whose account owes `owed` from a bill. */
  async function customerOwing(owed: string, cardLast4 = '4242'): Promise<TestCustomer> {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4 });
    const billId = randomUUID();
    await bookAccountEntry(knex, { billingAccountId: customer.billingAccountId, kind: 'bill', amount: owed, currency: 'EUR', reference: `bill:${billId}`, billId, description: 'Bill', bookedAt: new Date() });
    return customer;
  }

  async function asCustomer(customer: TestCustomer) {
    return bearer(await tokenFor('customer', { customerId: customer.customerId }));
  }

  function payment(customer: TestCustomer, value: unknown, extra: Record<string, unknown> = {}) {
    return { account: { id: customer.billingAccountId }, totalAmount: { unit: 'EUR', value }, paymentMethod: { id: customer.paymentMethodId }, ...extra };
  }

  const ledgerPayments = (customer: TestCustomer) =>
    knex('billing_account_entry').where({ billing_account_id: customer.billingAccountId, kind: 'payment' }).orderBy('id').select('amount', 'reference');

  it('takes a card payment: 201 with Location, the charge and one ledger entry, the rest still owed', async () => {
    const customer = await customerOwing('50.00');
    const res = await request(app).post(PAYMENTS).set(await asCustomer(customer)).send(payment(customer, 20, { correlatorId: `pay-${customer.customerId}` }));
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`http://bss.test${PAYMENTS}/${res.body.id}`);
    expect(res.body).toMatchObject({
      href: res.headers.location,
      '@type': 'Payment',
      status: 'succeeded',
      account: { id: customer.billingAccountId, '@referredType': 'BillingAccount' },
      totalAmount: { unit: 'EUR', value: 20 },
      paymentMethod: { id: customer.paymentMethodId, name: 'card ****4242', '@referredType': 'BankCard' },
      payer: { id: customer.customerId, '@referredType': 'Customer' },
      correlatorId: `pay-${customer.customerId}`,
      authorizationCode: expect.stringMatching(/^ch_sim_/),
    });
    expect(await ledgerPayments(customer)).toEqual([{ amount: '-20.00', reference: `pay-${customer.customerId}` }]);
    expect(await accountBalance(knex, customer.billingAccountId)).toBe('30.00'); // partial: 30.00 still owed
    const charges = await knex('payment_charge').where({ customer_id: customer.customerId });
    expect(charges.map((c) => [c.status, c.amount, c.purpose])).toEqual([['captured', '20.00', 'billPayment']]);

    const got = await request(app).get(`${PAYMENTS}/${res.body.id}`).set(await asCustomer(customer));
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('keeps an overpayment as credit, and a decimal string amount is exact', async () => {
    const customer = await customerOwing('36.30');
    const res = await request(app).post(PAYMENTS).set(await asCustomer(customer)).send(payment(customer, '50.10'));
    expect(res.status).toBe(201);
    expect(res.body.totalAmount).toEqual({ unit: 'EUR', value: 50.1 });
    expect(await accountBalance(knex, customer.billingAccountId)).toBe('-13.80');
  });

  it('answers a repeated correlatorId (or Idempotency-Key) with the first payment: one charge, one entry', async () => {
    const customer = await customerOwing('40.00');
    const key = `retry-${randomUUID()}`;
    const first = await request(app).post(PAYMENTS).set(await asCustomer(customer)).set('Idempotency-Key', key).send(payment(customer, 40));
    const again = await request(app).post(PAYMENTS).set(await asCustomer(customer)).send(payment(customer, 40, { correlatorId: key }));
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(await knex('payment_charge').where({ customer_id: customer.customerId })).toHaveLength(1);
    expect(await ledgerPayments(customer)).toEqual([{ amount: '-40.00', reference: key }]);
    expect(await accountBalance(knex, customer.billingAccountId)).toBe('0.00');

    const other = await request(app).post(PAYMENTS).set(await asCustomer(customer)).send(payment(customer, 41, { correlatorId: key }));
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: '409', reason: 'Conflict' });
  });

  it('answers a declined card with 422 and its reason, and books nothing', async () => {
    const customer = await customerOwing('25.00', '0341');
    const res = await request(app).post(PAYMENTS).set(await asCustomer(customer)).send(payment(customer, 25));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ '@type': 'Error', code: '422', reason: 'Unprocessable Entity', message: 'card ****0341 declined: insufficient funds', status: '422' });
    expect(await ledgerPayments(customer)).toEqual([]);
    expect(await knex('payment').where({ billing_account_id: customer.billingAccountId })).toHaveLength(0);
    expect(await accountBalance(knex, customer.billingAccountId)).toBe('25.00');
  });

  it('answers 503 when the gateway does not answer, books nothing, and charges once when retried with the key', async () => {
    const customer = await customerOwing('30.00');
    const key = `outage-${randomUUID()}`;
    gateway.down = true;
    try {
      const res = await request(app).post(PAYMENTS).set(await asCustomer(customer)).send(payment(customer, 30, { correlatorId: key }));
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: '503', reason: 'Service Unavailable' });
    } finally {
      gateway.down = false;
    }
    expect(await ledgerPayments(customer)).toEqual([]);
    const retried = await request(app).post(PAYMENTS).set(await asCustomer(customer)).send(payment(customer, 30, { correlatorId: key }));
    expect(retried.status).toBe(201);
    expect(await knex('payment_charge').where({ customer_id: customer.customerId }).select('status')).toEqual([{ status: 'captured' }]);
    expect(await accountBalance(knex, customer.billingAccountId)).toBe('0.00');
  });

  it('answers bad input with 400 naming the field, and books nothing', async () => {
    const customer = await customerOwing('10.00');
    const headers = await asCustomer(customer);
    const cases: Array<[unknown, RegExp]> = [
      [{ ...payment(customer, 10), account: undefined }, /account/],
      [payment(customer, 0), /totalAmount\.value/],
      [payment(customer, -5), /totalAmount\.value/],
      [payment(customer, '10.001'), /totalAmount\.value/],
      [payment(customer, 'ten'), /totalAmount\.value/],
      // Past what a charge and the ledger store (numeric(14,2)): refused, not a gateway error.
      [payment(customer, '1000000000000'), /totalAmount\.value/],
      [payment(customer, 1e20), /totalAmount\.value/],
      [{ ...payment(customer, 10), totalAmount: { unit: 'euro', value: 10 } }, /totalAmount\.unit/],
      [{ ...payment(customer, 10), paymentMethod: undefined }, /paymentMethod/],
    ];
    for (const [body, field] of cases) {
      const res = await request(app).post(PAYMENTS).set(headers).send(body as object);
      expect([res.status, res.body.code]).toEqual([400, '400']);
      expect(res.body.message).toMatch(field);
    }
    const otherCurrency = await request(app).post(PAYMENTS).set(headers).send({ ...payment(customer, 10), totalAmount: { unit: 'USD', value: 10 } });
    expect([otherCurrency.status, otherCurrency.body.message]).toEqual([422, 'totalAmount.unit: the account is billed in EUR']);
    const prepaid = await createActiveCustomer(knex, { paymentType: 'prepaid', cardLast4: '4242' });
    const topUp = await request(app).post(PAYMENTS).set(await asCustomer(prepaid)).send(payment(prepaid, 10));
    expect([topUp.status, topUp.body.message]).toEqual([422, `billing account ${prepaid.billingAccountId} is not postpaid: top up a prepaid account instead`]);
    expect(await knex('payment_charge').where({ customer_id: prepaid.customerId })).toHaveLength(0);
    expect(await ledgerPayments(customer)).toEqual([]);
    expect(await knex('payment_charge').where({ customer_id: customer.customerId })).toHaveLength(0);
  });

  it('keeps customers to their own accounts and payments; staff see all, with TMF paging and fields', async () => {
    const alice = await customerOwing('12.00');
    const bob = await customerOwing('12.00');
    const notHers = await request(app).post(PAYMENTS).set(await asCustomer(alice)).send(payment(bob, 12));
    expect(notHers.status).toBe(404);
    const unknown = await request(app).post(PAYMENTS).set(await asCustomer(alice)).send({ ...payment(alice, 12), account: { id: randomUUID() } });
    expect(unknown.status).toBe(404);
    const bobs = await request(app).post(PAYMENTS).set(await asCustomer(bob)).send(payment(bob, 12));
    expect(bobs.status).toBe(201);
    expect((await request(app).get(`${PAYMENTS}/${bobs.body.id}`).set(await asCustomer(alice))).status).toBe(404);
    const alicesList = await request(app).get(PAYMENTS).set(await asCustomer(alice));
    expect(alicesList.body).toEqual([]);
    expect(alicesList.headers['x-total-count']).toBe('0');

    const agent = bearer(await tokenFor('agent'));
    const byAgent = await request(app).post(PAYMENTS).set(agent).send(payment(alice, 2.5));
    expect(byAgent.status).toBe(201);
    const list = await request(app).get(`${PAYMENTS}?account.id=${alice.billingAccountId}&fields=totalAmount`).set(agent);
    expect(list.status).toBe(200);
    expect(list.headers['x-total-count']).toBe('1');
    expect(list.headers['x-result-count']).toBe('1');
    expect(list.body).toEqual([{ id: byAgent.body.id, href: byAgent.body.href, totalAmount: { unit: 'EUR', value: 2.5 } }]);
    expect(await accountBalance(knex, alice.billingAccountId)).toBe('9.50');

    const patch = await request(app).patch(`${PAYMENTS}/${bobs.body.id}`).set(agent).send({ status: 'cancelled' });
    expect(patch.status).toBe(405);
  });

  it('refunds part of a payment and then the rest, each once, and never more than was paid', async () => {
    const customer = await customerOwing('0.00');
    const paid = await request(app).post(PAYMENTS).set(await asCustomer(customer)).send(payment(customer, 30));
    expect(paid.status).toBe(201);
    expect(await accountBalance(knex, customer.billingAccountId)).toBe('-30.00');
    const agent = bearer(await tokenFor('agent'));
    const REFUNDS = '/tmf-api/paymentManagement/v4/refund';
    const key = `refund-${randomUUID()}`;

    const first = await request(app).post(REFUNDS).set(agent).send({ payment: { id: paid.body.id }, totalAmount: { unit: 'EUR', value: '12.50' }, correlatorId: key });
    expect(first.status).toBe(201);
    expect(first.headers.location).toBe(`http://bss.test${REFUNDS}/${first.body.id}`);
    expect(first.body).toMatchObject({
      '@type': 'Refund',
      status: 'succeeded',
      payment: { id: paid.body.id, '@referredType': 'Payment' },
      account: { id: customer.billingAccountId },
      totalAmount: { unit: 'EUR', value: 12.5 },
      authorizationCode: expect.stringMatching(/^re_sim_/),
    });
    const again = await request(app).post(REFUNDS).set(agent).set('Idempotency-Key', key).send({ payment: { id: paid.body.id }, totalAmount: { unit: 'EUR', value: 12.5 } });
    expect([again.status, again.body.id]).toEqual([200, first.body.id]);
    expect(await accountBalance(knex, customer.billingAccountId)).toBe('-17.50');

    const tooMuch = await request(app).post(REFUNDS).set(agent).send({ payment: { id: paid.body.id }, totalAmount: { unit: 'EUR', value: 17.51 } });
    expect([tooMuch.status, tooMuch.body.message]).toEqual([422, `totalAmount.value: at most 17.50 EUR of payment ${paid.body.id} is left to refund`]);
    const rest = await request(app).post(REFUNDS).set(agent).send({ payment: { id: paid.body.id }, totalAmount: { unit: 'EUR', value: 17.5 } });
    expect(rest.status).toBe(201);
    expect(await accountBalance(knex, customer.billingAccountId)).toBe('0.00');
    const charge = await knex('payment_charge').where({ customer_id: customer.customerId }).first();
    expect([charge.status, charge.refunded_amount]).toEqual(['refunded', '30.00']);
    const entries = await knex('billing_account_entry').where({ billing_account_id: customer.billingAccountId, kind: 'refund' }).orderBy('id').select('amount');
    expect(entries.map((e) => e.amount)).toEqual(['12.50', '17.50']);

    // Customers read their own refunds but cannot make one.
    const mine = await request(app).get(REFUNDS).set(await asCustomer(customer));
    expect(mine.body.map((r: { id: string }) => r.id).sort()).toEqual([first.body.id, rest.body.id].sort());
    expect((await request(app).post(REFUNDS).set(await asCustomer(customer)).send({ payment: { id: paid.body.id }, totalAmount: { unit: 'EUR', value: 1 } })).status).toBe(403);
    expect((await request(app).post(REFUNDS).set(agent).send({ payment: { id: randomUUID() }, totalAmount: { unit: 'EUR', value: 1 } })).status).toBe(404);
  });
});
