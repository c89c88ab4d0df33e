/**
 * TMF678 over issued bills: customers read only their own bills, lines and PDFs; agents put a bill
 * on hold and release it, and change nothing else; bills are never created or deleted by clients;
 * a bill on demand answers with the account's latest bill or the reason it cannot.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createBillRunActivities } from '../activities/billing/bill-run';
import { defaultBillingSettings } from '../activities/billing/settings';
import { createSubscription } from '../db/billing';
import { billPdf } from '../db/bills';
import { systemClock } from '../domain/clock';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';
import { createActiveCustomer, type TestCustomer } from './helpers/customers';

const BASE = '/tmf-api/customerBillManagement/v4';
let api: TestApi;
let alice: TestCustomer;
let billId: string;
let agent: Record<string, string>;
let asAlice: Record<string, string>;
let asBob: Record<string, string>;

beforeAll(async () => {
  api = await createTestApi();
  const publicUrl = process.env.PUBLIC_URL!;
  alice = await createActiveCustomer(api.knex, { paymentType: 'postpaid', cardLast4: null, publicUrl });
  await createSubscription(api.knex, {
    billingAccountId: alice.billingAccountId,
    customerId: alice.customerId,
    orderId: randomUUID(),
    productKey: 'item-1',
    offeringId: 'ftth1g',
    offeringVersion: '1.0',
    prices: [{ id: 'price-ftth', version: '1.0', name: 'Fibre 1 Gbps monthly fee', priceType: 'recurring', amount: '35.00', currency: 'EUR', taxRate: '21', period: { type: 'month', length: 1 } }],
    startDate: '2026-10-01',
    now: new Date(),
  });
  const billRun = createBillRunActivities({ knex: api.knex, clock: systemClock, publicUrl, usage: { usageToBill: async () => [], markUsageBilled: async () => 0 }, sendNotification: async () => [], settings: defaultBillingSettings(publicUrl) });
  billId = (await billRun.closeBillingCycle({ billingAccountId: alice.billingAccountId, cycle: { start: '2026-11-01', end: '2026-12-01' } })).billId;
  agent = bearer(await tokenFor('agent'));
  asAlice = bearer(await tokenFor('customer', { customerId: alice.customerId }));
  asBob = bearer(await tokenFor('customer', { customerId: randomUUID() }));
});
afterAll(() => api.close());

describe('customerBill', () => {
  it('shows the bill as issued, with its PDF as the bill document', async () => {
    const res = await request(api.app).get(`${BASE}/customerBill/${billId}`).set(asAlice).expect(200);
    expect(res.body).toMatchObject({
      id: billId,
      href: `http://bss.test${BASE}/customerBill/${billId}`,
      '@type': 'CustomerBill',
      billNo: expect.stringMatching(/^B-\d{10}$/),
      state: 'new',
      runType: 'onCycle',
      billingAccount: { id: alice.billingAccountId },
      billingPeriod: { startDateTime: '2026-10-31T23:00:00.000Z', endDateTime: '2026-11-30T23:00:00.000Z' },
      amountDue: { unit: 'EUR', value: 42.35 },
      taxExcludedAmount: { unit: 'EUR', value: 35 },
      taxIncludedAmount: { unit: 'EUR', value: 42.35 },
      taxItem: [{ taxCategory: 'VAT', taxRate: 21, taxAmount: { unit: 'EUR', value: 7.35 } }],
      billDocument: [{ id: `${billId}-pdf`, mimeType: 'application/pdf', url: `http://bss.test${BASE}/customerBill/${billId}/pdf` }],
      relatedParty: [{ id: alice.customerId, role: 'customer' }],
    });
  });

  it('customers see only their own bills, lines and PDFs', async () => {
    const own = await request(api.app).get(`${BASE}/customerBill`).set(asAlice).expect(200);
    expect(own.body.map((b: { id: string }) => b.id)).toEqual([billId]);
    expect(own.headers['x-total-count']).toBe('1');
    const none = await request(api.app).get(`${BASE}/customerBill`).set(asBob).expect(200);
    expect(none.body).toEqual([]);
    await request(api.app).get(`${BASE}/customerBill/${billId}`).set(asBob).expect(404);
    await request(api.app).get(`${BASE}/customerBill/${billId}/pdf`).set(asBob).expect(404);
    const lines = await request(api.app).get(`${BASE}/appliedCustomerBillingRate`).query({ 'bill.id': billId }).set(asAlice).expect(200);
    expect(lines.body.map((l: Record<string, unknown>) => [l.type, l.taxExcludedAmount, l.isBilled])).toEqual([['recurring', { unit: 'EUR', value: 35 }, true]]);
    expect((await request(api.app).get(`${BASE}/appliedCustomerBillingRate`).query({ 'bill.id': billId }).set(asBob).expect(200)).body).toEqual([]);
  });

  it('serves the PDF it keeps', async () => {
    const res = await request(api.app).get(`${BASE}/customerBill/${billId}/pdf`).set(asAlice).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect((res.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    expect((res.body as Buffer).equals((await billPdf(api.knex, billId))!)).toBe(true);
    await request(api.app).get(`${BASE}/customerBill/${randomUUID()}/pdf`).set(agent).expect(404);
  });

  it('agents put a bill on hold and release it; nothing else changes', async () => {
    const held = await request(api.app).patch(`${BASE}/customerBill/${billId}`).set(agent).send({ state: 'onHold' }).expect(200);
    expect(held.body).toMatchObject({ id: billId, state: 'onHold', amountDue: { value: 42.35 } });
    const amount = await request(api.app).patch(`${BASE}/customerBill/${billId}`).set(agent).send({ amountDue: { unit: 'EUR', value: 1 } }).expect(400);
    expect(amount.body).toMatchObject({ status: '400', message: expect.stringContaining('amountDue: a bill as issued cannot be changed') });
    const settle = await request(api.app).patch(`${BASE}/customerBill/${billId}`).set(agent).send({ state: 'settled' }).expect(409);
    expect(settle.body.message).toBe('a bill on hold is released to new, validated, sent, not settled');
    await request(api.app).patch(`${BASE}/customerBill/${billId}`).set(agent).send({ state: 'paid' }).expect(400);
    await request(api.app).patch(`${BASE}/customerBill/${billId}`).set(agent).send({ state: 'sent' }).expect(200);
    await request(api.app).patch(`${BASE}/customerBill/${billId}`).set(asAlice).send({ state: 'onHold' }).expect(403);
    const row = await api.knex('billing_bill').where({ id: billId }).first();
    expect([row.state, row.amount_due]).toEqual(['sent', '42.35']);
  });

  it('bills and their lines are never created or deleted by clients', async () => {
    await request(api.app).post(`${BASE}/customerBill`).set(agent).send({ billNo: 'X' }).expect(405);
    await request(api.app).delete(`${BASE}/customerBill/${billId}`).set(agent).expect(405);
    await request(api.app).post(`${BASE}/appliedCustomerBillingRate`).set(agent).send({}).expect(405);
    expect(await api.knex('billing_bill').where({ id: billId }).count({ n: '*' })).toEqual([{ n: '1' }]);
  });
});

describe('customerBillOnDemand', () => {
  it('answers with the latest bill of the account', async () => {
    const res = await request(api.app).post(`${BASE}/customerBillOnDemand`).set(agent).send({ billingAccount: { id: alice.billingAccountId } }).expect(201);
    expect(res.body).toMatchObject({ state: 'done', customerBill: { id: billId }, relatedParty: { id: alice.customerId } });
    // The customer sees the request made for it.
    await request(api.app).get(`${BASE}/customerBillOnDemand/${res.body.id}`).set(asAlice).expect(200);
  });

  it('rejects a request for an unknown account or one without a bill, and needs an account', async () => {
    const unknown = await request(api.app).post(`${BASE}/customerBillOnDemand`).set(agent).send({ billingAccount: { id: 'A0815' } }).expect(201);
    expect(unknown.body).toMatchObject({ state: 'rejected', description: 'billing account A0815 does not exist' });
    const fresh = await createActiveCustomer(api.knex, { paymentType: 'postpaid', cardLast4: null });
    const early = await request(api.app).post(`${BASE}/customerBillOnDemand`).set(agent).send({ billingAccount: { id: fresh.billingAccountId } }).expect(201);
    expect(early.body).toMatchObject({ state: 'rejected', description: 'no bill issued yet: bills are issued when a billing cycle closes' });
    await request(api.app).post(`${BASE}/customerBillOnDemand`).set(agent).send({ name: 'no account' }).expect(400);
    await request(api.app).patch(`${BASE}/customerBillOnDemand/${early.body.id}`).set(agent).send({ name: 'x' }).expect(405);
  });
});
