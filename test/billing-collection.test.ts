/**
 * The collection API of postpaid accounts without a running billing cycle: what it shows, who may
 * see it, and the refusals (the requests that reach a workflow are in test/billing-cycle.test.ts).
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { saveAccountDunning } from '../db/billing-dunning';
import { bookAccountEntry } from '../db/billing-ledger';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';
import { createActiveCustomer } from './helpers/customers';

describe('billing collection API', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await createTestApi();
  });

  afterAll(async () => {
    await api.close();
  });

  async function accountWithBill() {
    const customer = await createActiveCustomer(api.knex, { paymentType: 'postpaid' });
    const billId = randomUUID();
    await bookAccountEntry(api.knex, { billingAccountId: customer.billingAccountId, kind: 'bill', amount: '24.20', currency: 'EUR', reference: `bill:${billId}`, billId, description: 'Bill', bookedAt: new Date() });
    return { customer, billId, token: bearer(await tokenFor('customer', { customerId: customer.customerId })) };
  }

  it('shows the balance and the reported dunning state to the customer and staff, not to other customers', async () => {
    const { customer, billId, token } = await accountWithBill();
    const acct = customer.billingAccountId;
    await saveAccountDunning(api.knex, { billingAccountId: acct, state: 'reminded', billId, dueDate: '2026-12-15', overdueAmount: '24.20', disputedBills: [], currentCycleStart: '2026-12-01', updatedAt: new Date('2026-12-19T00:00:00Z') });
    const expected = {
      billingAccountId: acct,
      balance: { unit: 'EUR', value: '24.20' },
      state: 'reminded',
      overdueBill: { id: billId, dueDate: '2026-12-15', overdueAmount: '24.20' },
      disputedBills: [],
      currentCycleStart: '2026-12-01',
      updatedAt: '2026-12-19T00:00:00.000Z',
    };
    expect((await request(api.app).get(`/api/billing-accounts/${acct}/collection`).set(token)).body).toEqual(expected);
    expect((await request(api.app).get(`/api/billing-accounts/${acct}/collection`).set(bearer(await tokenFor('agent')))).body).toEqual(expected);
    const other = await accountWithBill();
    const foreign = await request(api.app).get(`/api/billing-accounts/${acct}/collection`).set(other.token);
    expect([foreign.status, foreign.body.code]).toEqual([404, '404']);
  });

  it('shows an account no cycle has reported on as current', async () => {
    const { customer, token } = await accountWithBill();
    const res = await request(api.app).get(`/api/billing-accounts/${customer.billingAccountId}/collection`).set(token);
    expect(res.body).toEqual({ billingAccountId: customer.billingAccountId, balance: { unit: 'EUR', value: '24.20' }, state: 'current', disputedBills: [] });
  });

  it('refuses disputes of unknown bills, bad bodies, staff-only requests from customers, and requests no cycle can take', async () => {
    const { customer, billId, token } = await accountWithBill();
    const base = `/api/billing-accounts/${customer.billingAccountId}`;
    const unknownBill = await request(api.app).post(`${base}/disputes`).set(token).send({ billId: randomUUID(), reason: 'wrong' });
    expect(unknownBill.status).toBe(404);
    const noReason = await request(api.app).post(`${base}/disputes`).set(token).send({ billId });
    expect([noReason.status, noReason.body.message]).toEqual([400, expect.stringMatching(/reason/)]);
    expect((await request(api.app).post(`${base}/termination`).set(token).send({})).status).toBe(403);
    expect((await request(api.app).post(`${base}/disputes/${billId}/resolution`).set(token)).status).toBe(403);
    const badDate = await request(api.app).post(`${base}/termination`).set(bearer(await tokenFor('agent'))).send({ effectiveDate: '2026-02-30' });
    expect([badDate.status, badDate.body.message]).toEqual([400, expect.stringMatching(/effectiveDate/)]);
    const noCycle = await request(api.app).post(`${base}/disputes`).set(token).send({ billId, reason: 'not mine' });
    expect([noCycle.status, noCycle.body.message]).toEqual([409, `no billing cycle runs for billing account ${customer.billingAccountId}`]);
  });
});
