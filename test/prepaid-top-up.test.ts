/**
 * Card top-ups end to end: the TMF654 API stores the top-up and starts `topup-<id>` on a worker,
 * which charges the card through the gateway once, credits the money bucket once and tells the
 * customer; a declined card credits nothing; a credit that fails after the charge is refunded.
 * Also the housekeeping workflow, limited to this file's accounts.
 */
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { createPrepayActivities, type CardTopUpInput } from '../activities/prepay';
import { SimulatedPaymentGateway } from '../activities/payments/gateway';
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
        activityOverrides: {
          creditTopUp: async (input: CardTopUpInput) => {
            if (failCreditOf.has(input.bucketId)) throw ApplicationFailure.nonRetryable('the charging database refused the credit', 'InjectedFailure');
            return real.creditTopUp(input);
          },
        },
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
    await recordHistory('prepaidTopUp charges the card once credits the bucket once and tells the customer', handle);
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
    await recordHistory('prepaidTopUp fails the top-up of a declined card', handle);
  });

  it('refunds the charge when the credit fails after it, and fails the top-up', async () => {
    const c = await customer('4242');
    failCreditOf.add(c.moneyBucketId);
    const { id, handle } = await topUp(c, 12.5);
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(await topupDoc(id)).toMatchObject({ status: 'failed', statusReason: 'the charging database refused the credit' });
    expect(await chargeOf(id)).toEqual([{ status: 'refunded', amount: '12.50', currency: 'EUR', refunded_amount: '12.50' }]);
    expect(await knex('charging_ledger').where({ bucket_id: c.moneyBucketId })).toEqual([]);
    expect(await balanceOf(c.moneyBucketId)).toBe('3.000000');
    const [email] = await knex('dev_outbox').where({ recipient: c.email.toLowerCase(), channel: 'email' }).select('subject', 'body');
    expect(email.subject).toBe('Your BSS top-up of 12.50 EUR did not go through');
    expect(email.body).toContain('We have refunded 12.50 EUR to your card.');
    await recordHistory('prepaidTopUp refunds the charge when the credit fails', handle);
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
