/**
 * Card top-ups end to end: the TMF654 API stores the top-up and starts `topup-<id>` on a worker,
 * which charges the card through the gateway once, credits the money bucket once and tells the
 * customer; a declined card credits nothing; a credit that fails after the charge is refunded.
 * Also the housekeeping workflow, limited to this file's accounts.
 */
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { createPrepayActivities, type CardTopUpInput } from '../activities/prepay';
import { randomUUID } from 'node:crypto';
import { GatewayUnavailableError, SimulatedPaymentGateway } from '../activities/payments/gateway';
import { startCharge } from '../db/payments';
import { topupBalanceModel } from '../db/prepay-models';
import { insertTmfDocument, newTmfDocument } from '../db/tmf-store';
import { systemClock } from '../domain/clock';
import { startWorker, type WorkerHandle } from '../worker/main';
import { bearer, createTestApi, testTaskQueue, tokenFor, type TestApi } from './helpers/api';
import { createPrepaidCustomer, ledgerMismatches, type PrepaidCustomer } from './helpers/prepaid';
import { recordHistory } from './workflows/histories';

const BASE = '/tmf-api/prepayBalanceManagement/v4';

describe('card top-ups (prepaidTopUp workflow)', () => {
  const taskQueue = testTaskQueue('topups');
  let api: TestApi;
  let app: Express;
  let knex: Knex;
  let worker: WorkerHandle;
  let connection: Connection;
  let client: Client;
  const accounts: string[] = [];
  /** Buckets whose credit the worker fails (after the card was charged). */
  const failCreditOf = new Set<string>();
  /** Buckets whose credit commits but whose activity then fails (as a timed-out one can). */
  const failAfterCreditOf = new Set<string>();
  /** Customers for whom every notification fails. */
  const unreachable = new Set<string>();
  /** Customers whose charges find the gateway silent this many times more. */
  const gatewaySilences = new Map<string, number>();

  beforeAll(async () => {
    api = await createTestApi(undefined, { taskQueue });
    app = api.app;
    knex = api.knex;
    const real = createPrepayActivities({
      knex,
      clock: systemClock,
      publicUrl: 'http://bss.test',
      paymentGateway: new SimulatedPaymentGateway(),
      sendNotification: async () => [],
      lowBalanceThreshold: '5.00',
    });
    worker = await startWorker(
      { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue },
      {
        workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
        schedules: false,
        activityOverrides: (own) => ({
          creditTopUp: async (input: CardTopUpInput) => {
            if (failCreditOf.has(input.bucketId)) throw ApplicationFailure.nonRetryable('the charging database refused the credit', 'InjectedFailure');
            const credited = await real.creditTopUp(input);
            if (failAfterCreditOf.has(input.bucketId)) throw ApplicationFailure.nonRetryable('the answer of the credit was lost', 'InjectedFailure');
            return credited;
          },
          chargeTopUpCard: async (input: CardTopUpInput) => {
            const silences = gatewaySilences.get(input.customerId) ?? 0;
            if (silences > 0) {
              gatewaySilences.set(input.customerId, silences - 1);
              throw new GatewayUnavailableError('payment gateway did not answer');
            }
            return real.chargeTopUpCard(input);
          },
          notifyTopUpCustomer: async (input: Parameters<typeof own.notifyTopUpCustomer>[0]) => {
            if (unreachable.has(input.customerId)) throw ApplicationFailure.nonRetryable('the notification service is down', 'InjectedFailure');
            return own.notifyTopUpCustomer(input);
          },
        }),
      },
    );
    connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    client = new Client({ connection });
  });

  afterAll(async () => {
    await worker?.stop();
    await connection?.close();
    await api?.close();
  });

  async function customer(cardLast4: string): Promise<PrepaidCustomer> {
    const c = await createPrepaidCustomer(knex, { money: '3.00', cardLast4 });
    accounts.push(c.chargingAccountId);
    return c;
  }
  async function topUp(c: PrepaidCustomer, amount: number) {
    const res = await request(app)
      .post(`${BASE}/topupBalance`)
      .set(bearer(await tokenFor('customer', { customerId: c.customerId })))
      .send({ bucket: { id: c.moneyBucketId }, paymentMethod: { id: c.paymentMethodId }, amount: { amount, units: 'EUR' } })
      .expect(201);
    expect(res.body).toMatchObject({ status: 'created', paymentMethod: { id: c.paymentMethodId } });
    return { id: res.body.id as string, handle: client.workflow.getHandle(`topup-${res.body.id}`) };
  }
  const topupDoc = async (id: string) => (await request(app).get(`${BASE}/topupBalance/${id}`).set(bearer(await tokenFor('admin'))).expect(200)).body;
  const balanceOf = async (bucketId: string) => (await knex('charging_bucket').where({ id: bucketId }).first('balance')).balance;
  const chargeOf = (topupId: string) => knex('payment_charge').where({ idempotency_key: `topup:${topupId}` }).select('status', 'amount', 'currency', 'refunded_amount');
  async function emailsTo(email: string, count: number): Promise<string[]> {
    for (let i = 0; i < 100; i++) {
      const subjects = await knex('dev_outbox').where({ recipient: email.toLowerCase(), channel: 'email' }).orderBy('received_at').pluck('subject');
      if (subjects.length >= count) return subjects;
      await new Promise((r) => setTimeout(r, 100));
    }
    return knex('dev_outbox').where({ recipient: email.toLowerCase(), channel: 'email' }).orderBy('received_at').pluck('subject');
  }

  it('charges the card once, credits the bucket once and tells the customer', async () => {
    const c = await customer('4242');
    const { id, handle } = await topUp(c, 20);
    expect(await handle.result()).toEqual({ status: 'completed', balance: '23' });
    expect(await topupDoc(id)).toMatchObject({ status: 'completed', confirmationDate: expect.any(String), amount: { amount: 20, units: 'EUR' } });
    expect(await chargeOf(id)).toEqual([{ status: 'captured', amount: '20.00', currency: 'EUR', refunded_amount: '0.00' }]);
    expect(await knex('charging_ledger').where({ bucket_id: c.moneyBucketId }).select('kind', 'amount', 'reference')).toEqual([{ kind: 'credit', amount: '20.000000', reference: `topup:${id}` }]);
    expect(await balanceOf(c.moneyBucketId)).toBe('23.000000');
    expect(await emailsTo(c.email, 1)).toEqual(['Your BSS top-up of 20.00 EUR is done']);
    const interactions = await knex('crm_party_interaction').where({ customer_id: c.customerId }).select(knex.raw(`body->>'description' AS description`));
    expect(interactions).toEqual([{ description: 'Prepaid balance: topUpCompleted' }]);

    // A retried credit (the activity ran twice) changes nothing.
    const again = createPrepayActivities({ knex, clock: systemClock, publicUrl: 'http://bss.test', paymentGateway: new SimulatedPaymentGateway(), sendNotification: async () => [], lowBalanceThreshold: '5.00' });
    expect(await again.creditTopUp({ topupId: id, bucketId: c.moneyBucketId, customerId: c.customerId, amount: '20', currency: 'EUR', paymentMethodId: c.paymentMethodId! })).toEqual({ balance: '23' });
    expect(await balanceOf(c.moneyBucketId)).toBe('23.000000');
    await recordHistory('prepaidTopUp settled on its state charges credits and tells', handle);
  });

  it('fails the top-up of a declined card with the reason, credits nothing and tells the customer', async () => {
    const c = await customer('0341');
    const { id, handle } = await topUp(c, 15);
    expect(await handle.result()).toEqual({ status: 'failed', reason: 'card ****0341 declined: insufficient funds' });
    expect(await topupDoc(id)).toMatchObject({ status: 'failed', statusReason: 'card ****0341 declined: insufficient funds' });
    expect(await chargeOf(id)).toEqual([{ status: 'declined', amount: '15.00', currency: 'EUR', refunded_amount: '0.00' }]);
    expect(await knex('charging_ledger').where({ bucket_id: c.moneyBucketId })).toEqual([]);
    expect(await balanceOf(c.moneyBucketId)).toBe('3.000000');
    expect(await emailsTo(c.email, 1)).toEqual(['Your BSS top-up of 15.00 EUR did not go through']);
    await recordHistory('prepaidTopUp settled on its state fails a declined card', handle);
  });

  it('refunds the charge when the credit fails after it, and fails the top-up', async () => {
    const c = await customer('4242');
    failCreditOf.add(c.moneyBucketId);
    const { id, handle } = await topUp(c, 12.5);
    expect(await handle.result()).toEqual({ status: 'failed', reason: 'the charging database refused the credit', refunded: '12.50' });
    expect(await topupDoc(id)).toMatchObject({ status: 'failed', statusReason: 'the charging database refused the credit' });
    expect(await chargeOf(id)).toEqual([{ status: 'refunded', amount: '12.50', currency: 'EUR', refunded_amount: '12.50' }]);
    expect(await knex('charging_ledger').where({ bucket_id: c.moneyBucketId })).toEqual([]);
    expect(await balanceOf(c.moneyBucketId)).toBe('3.000000');
    const [email] = await knex('dev_outbox').where({ recipient: c.email.toLowerCase(), channel: 'email' }).select('subject', 'body');
    expect(email.subject).toBe('Your BSS top-up of 12.50 EUR did not go through');
    expect(email.body).toContain('We have refunded 12.50 EUR to your card.');
    await recordHistory('prepaidTopUp refunds the charge when the credit fails, settled on its state', handle);
  });

  it('keeps a credit that committed though its activity failed: the top-up completes, nothing is refunded', async () => {
    const c = await customer('4242');
    failAfterCreditOf.add(c.moneyBucketId);
    const { id, handle } = await topUp(c, 7);
    expect(await handle.result()).toEqual({ status: 'completed', balance: '10' });
    expect(await topupDoc(id)).toMatchObject({ status: 'completed' });
    expect(await chargeOf(id)).toEqual([{ status: 'captured', amount: '7.00', currency: 'EUR', refunded_amount: '0.00' }]);
    expect(await balanceOf(c.moneyBucketId)).toBe('10.000000');
    expect(await emailsTo(c.email, 1)).toEqual(['Your BSS top-up of 7.00 EUR is done']);
    await recordHistory('prepaidTopUp keeps a credit that committed though its activity failed', handle);
  });

  it('completes a top-up whose customer cannot be told, and refunds nothing', async () => {
    const c = await customer('4242');
    unreachable.add(c.customerId);
    const { id, handle } = await topUp(c, 5);
    expect(await handle.result()).toEqual({ status: 'completed', balance: '8' });
    expect(await topupDoc(id)).toMatchObject({ status: 'completed' });
    expect(await chargeOf(id)).toEqual([{ status: 'captured', amount: '5.00', currency: 'EUR', refunded_amount: '0.00' }]);
    expect(await balanceOf(c.moneyBucketId)).toBe('8.000000');
  });

  it('asks the gateway again with the same key until it answers, and charges once', async () => {
    const c = await customer('4242');
    gatewaySilences.set(c.customerId, 2);
    const { id, handle } = await topUp(c, 4);
    expect(await handle.result()).toEqual({ status: 'completed', balance: '7' });
    expect(gatewaySilences.get(c.customerId)).toBe(0);
    expect(await chargeOf(id)).toEqual([{ status: 'captured', amount: '4.00', currency: 'EUR', refunded_amount: '0.00' }]);
    expect(await balanceOf(c.moneyBucketId)).toBe('7.000000');
    await recordHistory('prepaidTopUp asks the gateway again until it answers', handle);
  });

  it('answers a top-up sent again with the same Idempotency-Key with the first one, charging once', async () => {
    const c = await customer('4242');
    const token = bearer(await tokenFor('customer', { customerId: c.customerId }));
    const key = `retry-${randomUUID()}`;
    const send = (amount: number, k = key) => request(app).post(`${BASE}/topupBalance`).set(token).set('Idempotency-Key', k).send({ bucket: { id: c.moneyBucketId }, paymentMethod: { id: c.paymentMethodId }, amount: { amount, units: 'EUR' } });
    const first = await send(6).expect(201);
    const again = await send(6).expect(200);
    expect(again.body.id).toBe(first.body.id);
    expect(await client.workflow.getHandle(`topup-${first.body.id}`).result()).toEqual({ status: 'completed', balance: '9' });
    // Once done, the same request is answered with the completed top-up; another under the key is refused.
    expect((await send(6).expect(200)).body).toMatchObject({ id: first.body.id, status: 'completed' });
    expect((await send(7).expect(409)).body.message).toBe(`Idempotency-Key: ${key} was used for another top-up (${first.body.id})`);
    await send(6, '').expect(400);
    expect(await chargeOf(first.body.id)).toEqual([{ status: 'captured', amount: '6.00', currency: 'EUR', refunded_amount: '0.00' }]);
    expect(await knex('payment_charge').where({ customer_id: c.customerId }).count({ n: '*' })).toEqual([{ n: '1' }]);
    expect(await balanceOf(c.moneyBucketId)).toBe('9.000000');
  });

  it('neither charges nor credits a top-up that failed before its charge, and refunds a charge whose outcome was unknown', async () => {
    const c = await customer('4242');
    const acts = createPrepayActivities({ knex, clock: systemClock, publicUrl: 'http://bss.test', paymentGateway: new SimulatedPaymentGateway(), sendNotification: async () => [], lowBalanceThreshold: '5.00' });
    // The API could not start its workflow and failed it (as POST topupBalance does on a 503).
    const id = randomUUID();
    await knex.transaction((trx) => insertTmfDocument(trx, topupBalanceModel, newTmfDocument(topupBalanceModel, { status: 'failed', bucket: { id: c.moneyBucketId } }, { now: new Date(), publicUrl: 'http://bss.test' }, id), new Date()));
    const input: CardTopUpInput = { topupId: id, bucketId: c.moneyBucketId, customerId: c.customerId, amount: '9', currency: 'EUR', paymentMethodId: c.paymentMethodId! };
    expect(await acts.chargeTopUpCard(input)).toEqual({ status: 'declined', reason: 'the top-up was failed before its card was charged' });
    expect(await chargeOf(id)).toEqual([]);
    await expect(acts.creditTopUp(input)).rejects.toMatchObject({ type: 'TopUpFailed', nonRetryable: true });
    expect(await balanceOf(c.moneyBucketId)).toBe('3.000000');

    // A charge left pending (the run stopped while the gateway was asked) is settled with its key, then refunded.
    await startCharge(knex, { idempotencyKey: `topup:${id}`, customerId: c.customerId, purpose: 'topUp', amount: '9.00', currency: 'EUR', paymentMethodId: c.paymentMethodId!, now: new Date() });
    expect(await acts.refundTopUpCharge({ topupId: id })).toEqual({ refunded: '9.00' });
    expect(await chargeOf(id)).toEqual([{ status: 'refunded', amount: '9.00', currency: 'EUR', refunded_amount: '9.00' }]);
    expect(await balanceOf(c.moneyBucketId)).toBe('3.000000');
  });

  it('runs the housekeeping as a workflow', async () => {
    const c = await customer('4242');
    await knex('charging_bucket').where({ id: c.dataBucketId }).update({ valid_until: new Date(Date.now() - 1000) });
    const handle = await client.workflow.start('prepayHousekeeping', { taskQueue, workflowId: `prepay-housekeeping-test-${c.chargingAccountId}`, args: [{ chargingAccountIds: [c.chargingAccountId] }] });
    expect(await handle.result()).toEqual({ reservationsReleased: 0, bucketsExpired: 1, lowBalanceNotices: 1 });
    expect(await emailsTo(c.email, 1)).toEqual(['Your BSS balance is low: 3.00 EUR']);
    await recordHistory('prepayHousekeeping expires an allowance and tells a low balance', handle);
  });

  it('leaves the ledger reconciled with every bucket', async () => {
    const { checked, mismatched } = await ledgerMismatches(knex, accounts);
    expect(checked).toBe(2 * accounts.length);
    expect(mismatched).toEqual([]);
  });
});
