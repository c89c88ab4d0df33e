/**
 * The registration's waits, on the time-skipping server: manual review with its 48-hour
 * escalation and 7-day expiry, the document deadline, and the compensation of a failure after
 * the number reservation.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config';
import { findReservation } from '../db/inventory';
import { createKnex } from '../db/knex';
import { findRegistration } from '../db/registrations';
import { derivePiiKeys } from '../domain/pii';
import { createWorkerActivities } from '../worker/activities';
import { documentUploadedSignal, registration, registrationStatusQuery, reviewUpdate } from '../workflows/registration';
import { insertTestRegistration } from './helpers/registration';
import { createTimeSkippingEnv } from './helpers/time-skipping';
import { recordHistory } from './workflows/histories';

const config = loadConfig();
const keys = derivePiiKeys(config.piiKey);

describe('registration waits and compensations (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let knex: Knex;
  let activities: ReturnType<typeof createWorkerActivities>['activities'];
  let closeActivities: () => Promise<void>;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    knex = createKnex(config.databaseUrl);
    ({ activities, close: closeActivities } = createWorkerActivities(config, { knex }));
  });

  afterAll(async () => {
    await closeActivities();
    await knex.destroy();
    await env.teardown();
  });

  /** Runs `body` with a worker on its own task queue; `overrides` replace activities to inject faults. */
  async function withWorker<T>(body: (taskQueue: string) => Promise<T>, overrides: Record<string, unknown> = {}): Promise<T> {
    const taskQueue = `registration-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
      activities: { ...activities, ...overrides },
    });
    return worker.runUntil(() => body(taskQueue));
  }

  async function start(taskQueue: string, registrationId: string) {
    const handle = await env.client.workflow.start(registration, { taskQueue, workflowId: `registration-${registrationId}`, args: [{ registrationId }] });
    started.push(handle);
    return handle;
  }

  // The finished runs become the replay test's histories when RECORD_HISTORIES is set.
  const started: WorkflowHandle<typeof registration>[] = [];
  afterEach(async () => {
    const test = expect.getState().currentTestName!.replace(/^registration waits and compensations \(time-skipping\) /, '');
    for (const handle of started.splice(0)) await recordHistory(`registration ${test}`, handle);
  });

  async function stateBecomes(handle: WorkflowHandle<typeof registration>, state: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while ((await handle.query(registrationStatusQuery)).state !== state) {
      if (Date.now() > deadline) throw new Error(`workflow never reached ${state}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function mailsTo(recipient: string, containing: string): Promise<Array<{ subject: string; body: string }>> {
    return knex('dev_outbox').where({ recipient, channel: 'email' }).andWhere('body', 'like', `%${containing}%`).select('subject', 'body');
  }

  /** A passport cannot be checked automatically: the registration goes to manual review. */
  const passport = () => ({ type: 'passport', number: `P${Math.floor(Math.random() * 1e8)}`, country: 'ES' });

  it('completes after an agent approves a manual review, without escalation', async () => {
    const reg = await insertTestRegistration(knex, keys, passport());
    const outcome = await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, reg.id);
      await handle.signal(documentUploadedSignal, { documentId: randomUUID() });
      await stateBecomes(handle, 'pendingReview');
      const status = await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'approve', agent: 'agent-7' }] });
      expect(status.state).toBe('pendingReview');
      // A second decision is refused by the validator.
      await expect(handle.executeUpdate(reviewUpdate, { args: [{ decision: 'reject', agent: 'agent-8' }] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/not awaiting a review/) },
      });
      return handle.result();
    });
    expect(outcome.state).toBe('completed');
    expect(await mailsTo(config.reviewQueueEmail, reg.id)).toHaveLength(1);
    expect(await mailsTo(config.supervisorEmail, reg.id)).toHaveLength(0);
    const stored = await findRegistration(knex, reg.id);
    expect(stored).toMatchObject({ state: 'completed' });
    expect(stored!.customerId).toBe(outcome.customerId);
  });

  it('escalates a review undecided after 48 hours to the supervisor, then takes the decision', async () => {
    const reg = await insertTestRegistration(knex, keys, passport());
    const outcome = await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, reg.id);
      await handle.signal(documentUploadedSignal, { documentId: randomUUID() });
      await stateBecomes(handle, 'pendingReview');
      await env.sleep('49 hours');
      const deadline = Date.now() + 30_000;
      while ((await mailsTo(config.supervisorEmail, reg.id)).length === 0) {
        if (Date.now() > deadline) throw new Error('no escalation reached the supervisor');
        await new Promise((r) => setTimeout(r, 100));
      }
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'reject', reason: 'photo does not match', agent: 'agent-7' }] });
      return handle.result();
    });
    expect(outcome).toMatchObject({ state: 'rejected', reasons: ['photo does not match'] });
    expect(await mailsTo(reg.email, 'photo does not match')).toHaveLength(1);
  });

  it('expires a review undecided after 7 days, and tells the customer', async () => {
    const reg = await insertTestRegistration(knex, keys, passport());
    const outcome = await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, reg.id);
      await handle.signal(documentUploadedSignal, { documentId: randomUUID() });
      await stateBecomes(handle, 'pendingReview');
      return handle.result(); // the server skips the 7 days
    });
    expect(outcome.state).toBe('expired');
    expect(await mailsTo(config.supervisorEmail, reg.id)).toHaveLength(1);
    expect((await findRegistration(knex, reg.id))!.state).toBe('expired');
    const told = await knex('dev_outbox').where({ recipient: reg.email, channel: 'email' });
    expect(told).toHaveLength(1);
    expect(told[0].subject).toMatch(/expired/i);
  });

  it('expires a registration whose document never arrives', async () => {
    const reg = await insertTestRegistration(knex, keys);
    const outcome = await withWorker(async (taskQueue) => (await start(taskQueue, reg.id)).result());
    expect(outcome).toMatchObject({ state: 'expired', reasons: ['no identity document was received in time'] });
  });

  it('leaves no number reserved and no active customer when a step after the reservation fails', async () => {
    const reg = await insertTestRegistration(knex, keys);
    const failure = await withWorker(
      async (taskQueue) => {
        const handle = await start(taskQueue, reg.id);
        await handle.signal(documentUploadedSignal, { documentId: randomUUID() });
        return handle.result().catch((err: unknown) => err);
      },
      {
        attachPaymentMethod: async () => {
          throw ApplicationFailure.nonRetryable('payment method store unavailable (injected)');
        },
      },
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const stored = (await findRegistration(knex, reg.id))!;
    expect(stored).toMatchObject({ state: 'failed', reasons: ['payment method store unavailable (injected)'] });
    expect(stored.msisdn).toMatch(/^\+34/); // a number was reserved …
    expect(await findReservation(knex, reg.id)).toBeUndefined(); // … and released
    // Back in the pool: no longer held for this registration (another test may have taken it since).
    expect(await knex('inventory_msisdn').where({ msisdn: stored.msisdn, reserved_for: reg.id })).toHaveLength(0);
    const customer = await knex('crm_customer').where({ id: stored.customerId }).first();
    expect(customer.body.status).toBe('Closed');
    expect(await knex('crm_party_identification').where({ individual_id: stored.individualId })).toHaveLength(0);
    const told = await knex('dev_outbox').where({ recipient: reg.email, channel: 'email' });
    expect(told).toHaveLength(1);
  });
});
