/**
 * The ticket workflow's clock on the time-skipping server: the reminder at three quarters of the
 * resolution time and the escalation when it passes; no clock while the query waits on the
 * customer; the reopening window, a reopened query's second answer, and closing.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config';
import { createSubscription } from '../db/billing';
import { findBillDocument } from '../db/bills';
import { createKnex } from '../db/knex';
import { TICKET_EXPERTS } from '../db/seeds/ticket-experts';
import { troubleTicketModel } from '../db/ticket-models';
import { findResource } from '../db/tmf-resources';
import { createTmfResourceOnce, patchTmfResource } from '../db/tmf-store';
import { systemClock } from '../domain/clock';
import { createWorkerActivities } from '../worker/activities';
import { billingCycle, billingStatusQuery } from '../workflows/billing-cycle';
import { ticketProgressQuery, ticketStatusChangedSignal, troubleTicket } from '../workflows/trouble-ticket';
import { createActiveCustomer, type TestCustomer } from './helpers/customers';
import { createTimeSkippingEnv, terminateAtRest } from './helpers/time-skipping';
import { recordHistory } from './workflows/histories';

const config = loadConfig();
const model = troubleTicketModel(systemClock);
const supervisorOf = (queue: string) => TICKET_EXPERTS.find((e) => e.queue === queue && e.supervisor)!;

describe('trouble ticket clock (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let knex: Knex;
  let customer: TestCustomer;
  let activities: ReturnType<typeof createWorkerActivities>['activities'];
  let closeActivities: () => Promise<void>;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    knex = createKnex(config.databaseUrl);
    ({ activities, close: closeActivities } = createWorkerActivities(config, { knex }));
    customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: null });
  });

  afterAll(async () => {
    await closeActivities();
    await knex.destroy();
    await env.teardown();
  });

  const started: WorkflowHandle<typeof troubleTicket>[] = [];
  afterEach(async () => {
    const test = expect.getState().currentTestName!.replace(/^trouble ticket clock \(time-skipping\) /, '');
    for (const handle of started.splice(0)) {
      await recordHistory(`troubleTicket ${test}`, handle);
      // A run a failed test left open would keep timers on the shared time-skipping server.
      await terminateAtRest(handle, 'test over', 5_000).catch(() => undefined);
    }
  });

  async function withWorker<T>(body: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `tickets-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, activities });
    return worker.runUntil(() => body(taskQueue));
  }

  /** Stores a query as the API would and starts its workflow. */
  async function openQuery(taskQueue: string, fields: { severity: string; ticketType: string; channel?: string; relatedEntity?: unknown[] }) {
    const id = randomUUID();
    await knex.transaction((trx) =>
      createTmfResourceOnce(trx, model, id, {
        description: 'My fibre drops every evening',
        severity: fields.severity,
        ticketType: fields.ticketType,
        channel: { name: fields.channel ?? 'email' },
        ...(fields.relatedEntity ? { relatedEntity: fields.relatedEntity } : {}),
        relatedParty: [{ id: customer.customerId, role: 'customer', '@referredType': 'Customer' }],
      }, { now: new Date(), publicUrl: config.publicUrl }),
    );
    const handle = await env.client.workflow.start(troubleTicket, { taskQueue, workflowId: `ticket-${id}`, args: [{ ticketId: id }] });
    started.push(handle);
    await until(async () => (await handle.query(ticketProgressQuery)).assigneeId !== undefined, 'assignment');
    return { id, handle };
  }

  /** A status change as the API makes it: stored, then signalled. */
  async function setStatus(handle: WorkflowHandle<typeof troubleTicket>, id: string, status: string, statusChangeReason?: string) {
    await knex.transaction((trx) => patchTmfResource(trx, model, id, { status, ...(statusChangeReason ? { statusChangeReason } : {}) }, new Date()));
    await handle.signal(ticketStatusChangedSignal, { status });
  }

  async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // In the order they arrived: without an order, PostgreSQL returns rows as it finds them on disk.
  const mails = (recipient: string, id: string) =>
    knex('dev_outbox').where({ recipient, channel: 'email' }).andWhere('body', 'like', `%${id}%`).orderBy('received_at').select('subject', 'body');
  const assigneeEmail = async (id: string) => {
    const ticket = await findResource(knex, model.table, id);
    const assignee = (ticket!.relatedParty as Array<{ id: string; role: string }>).find((p) => p.role === 'assignee')!;
    return TICKET_EXPERTS.find((e) => e.id === assignee.id)!.email;
  };
  const subjects = async (recipient: string, id: string) => (await mails(recipient, id)).map((m) => m.subject as string);

  it('reminds the assignee at 3 of 4 hours of a critical query, escalates at 4, and closes it 7 days after the answer', async () => {
    await withWorker(async (taskQueue) => {
      const { id, handle } = await openQuery(taskQueue, { severity: 'critical', ticketType: 'technical' });
      const expert = await assigneeEmail(id);
      const supervisor = supervisorOf('technical-support').email;
      await setStatus(handle, id, 'inProgress');

      await env.sleep('170 minutes');
      expect(await subjects(expert, id)).toEqual([`New critical technical query: ${id}`]);
      await env.sleep('15 minutes');
      await until(async () => (await mails(expert, id)).length === 2, 'the reminder');
      expect((await subjects(expert, id))[1]).toMatch(new RegExp(`^Reminder: query ${id} is due by`));
      expect(await mails(supervisor, id)).toHaveLength(0);

      await env.sleep('1 hour');
      await until(async () => (await mails(supervisor, id)).length === 1, 'the escalation');
      expect(await subjects(supervisor, id)).toEqual([`Overdue critical query ${id} (technical-support)`]);
      expect(await handle.query(ticketProgressQuery)).toMatchObject({ reminded: true, escalated: true, round: 1 });

      await setStatus(handle, id, 'resolved', 'A faulty splitter was replaced at your building.');
      const result = await handle.result(); // the 7-day reopening window passes
      expect(result.status).toBe('closed');
      const ticket = await findResource(knex, model.table, id);
      expect(ticket).toMatchObject({ status: 'closed' });
      expect((ticket!.statusChange as Array<{ status: string }>).map((c) => c.status)).toEqual(['acknowledged', 'inProgress', 'resolved', 'closed']);
      const answers = await mails(customer.email, id);
      expect(answers).toHaveLength(1);
      expect(answers[0].body).toContain('A faulty splitter was replaced at your building.');
    });
  });

  it('stops the clock while the query waits on the customer', async () => {
    await withWorker(async (taskQueue) => {
      const { id, handle } = await openQuery(taskQueue, { severity: 'major', ticketType: 'billing' });
      const expert = await assigneeEmail(id);
      await setStatus(handle, id, 'inProgress');
      await env.sleep('10 hours');
      await setStatus(handle, id, 'pending');
      await env.sleep('3 days'); // the customer takes their time: no clock
      expect(await mails(expert, id)).toHaveLength(1); // only the assignment
      await setStatus(handle, id, 'inProgress');
      await env.sleep('7 hours'); // 17 of 24 hours used
      expect(await mails(expert, id)).toHaveLength(1);
      await env.sleep('2 hours'); // 19 hours: past the reminder at 18
      await until(async () => (await mails(expert, id)).length === 2, 'the reminder');
      expect(await mails(supervisorOf('billing').email, id)).toHaveLength(0);
      await setStatus(handle, id, 'cancelled');
      expect((await handle.result()).status).toBe('cancelled');
    });
  });

  it('lets the customer reopen a resolved query within the window, answers again, then closes it', async () => {
    await withWorker(async (taskQueue) => {
      const { id, handle } = await openQuery(taskQueue, { severity: 'minor', ticketType: 'sales' });
      await setStatus(handle, id, 'resolved', 'The offer applies from your next bill.');
      await until(async () => (await mails(customer.email, id)).length === 1, 'the first answer');
      await env.sleep('2 days');
      await setStatus(handle, id, 'inProgress');
      await until(async () => (await handle.query(ticketProgressQuery)).round === 2, 'the reopening');
      await setStatus(handle, id, 'resolved', 'Correction: the offer applies from today.');
      expect((await handle.result()).status).toBe('closed');
      const answers = (await mails(customer.email, id)).map((m) => m.body as string);
      expect(answers).toHaveLength(2);
      expect(answers[1]).toContain('Correction: the offer applies from today.');
    });
  });

  it('holds the dunning of the bill a billing query is about until the query is answered', async () => {
    await createSubscription(knex, {
      billingAccountId: customer.billingAccountId,
      customerId: customer.customerId,
      orderId: randomUUID(),
      productKey: 'item-1',
      offeringId: 'postpaid20',
      offeringVersion: '1.0',
      prices: [{ id: 'price-p20', version: '1.0', name: 'Postpaid 20 GB monthly fee', priceType: 'recurring', amount: '25.00', currency: 'EUR', taxRate: '21', period: { type: 'month', length: 1 } }],
      startDate: '2026-09-01',
      now: new Date(),
    });
    const bill = await activities.closeBillingCycle({ billingAccountId: customer.billingAccountId, cycle: { start: '2026-10-01', end: '2026-11-01' } });
    const stateOf = async () => (await findBillDocument(knex, bill.billId))!.state;
    const before = await stateOf();
    await withWorker(async (taskQueue) => {
      const billing = await env.client.workflow.start(billingCycle, { taskQueue, workflowId: `billing-${customer.billingAccountId}`, args: [{ billingAccountId: customer.billingAccountId }] });
      const { id, handle } = await openQuery(taskQueue, { severity: 'major', ticketType: 'billing', relatedEntity: [{ id: bill.billId, role: 'disputedBill', '@referredType': 'CustomerBill' }] });
      await until(async () => (await stateOf()) === 'onHold', 'the bill on hold');
      await until(async () => (await billing.query(billingStatusQuery)).disputedBills.includes(bill.billId), 'the dispute told to billing');
      await setStatus(handle, id, 'resolved', 'The October fee was right: it covers the whole month.');
      await until(async () => (await stateOf()) === before, 'the bill released');
      await until(async () => (await billing.query(billingStatusQuery)).disputedBills.length === 0, 'the dispute resolved in billing');
      await terminateAtRest(billing);
      await env.sleep('8 days');
      expect((await handle.result()).status).toBe('closed');
    });
    const states = (await knex('event_outbox').where({ event_type: 'CustomerBillStateChangeEvent' }).whereRaw(`payload->'event'->'customerBill'->>'id' = ?`, [bill.billId]).orderBy('seq')).map((e) => e.payload.event.customerBill.state);
    expect(states).toEqual(['onHold', before]);
  });
});
