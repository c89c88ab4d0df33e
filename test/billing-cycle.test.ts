/**
 * The billing cycle workflow (billing-<billingAccountId>) on the time-skipping server: a postpaid
 * mobile line ordered through the order workflow starts it; 13 monthly cycles each give one bill
 * for consecutive periods; one bill paid late runs through reminder, final reminder, suspension
 * on the network and restoration on payment; a disputed bill holds dunning; an account that never
 * pays is terminated after the final deadline and its last cycle billed.
 *
 * The bill run is the real one (activities/billing/bill-run.ts); the assertions read the ledger,
 * the bills, the states, the notices and the network, and take amounts from the bills issued.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { withHeartbeats } from '../activities/heartbeat';
import type { BillRunActivities, IssuedBill } from '../activities/billing/types';
import { createApp } from '../api/app';
import { loadConfig } from '../config';
import { createSubscription, subscriptionsOfAccount } from '../db/billing';
import { findAccountDunning } from '../db/billing-dunning';
import { accountBalance, bookAccountEntry } from '../db/billing-ledger';
import { createKnex } from '../db/knex';
import { productModel, productOrderModel } from '../db/order-models';
import { createTmfResourceOnce } from '../db/tmf-store';
import { billingAccountModel } from '../db/crm-models';
import { findResource } from '../db/tmf-resources';
import { addDays, cycleContaining, startOfDateIn, type BillCycle } from '../domain/billing/cycle';
import { money } from '../domain/money';
import { calendarDateIn } from '../domain/time-zone';
import { NetworkClient } from '../network/client';
import { startNetworkSimulator, type NetworkSimulator } from '../network/simulator';
import { createWorkerActivities } from '../worker/activities';
import {
  billingCycle,
  billingStatusQuery,
  planChangeSignal,
  terminateAccountSignal,
  dunningStepTime,
  type BillingStatus,
} from '../workflows/billing-cycle';
import { orderFulfilment, orderStatusQuery } from '../workflows/order-fulfilment';
import { bearer, testAppDeps, testTaskQueue, tokenFor } from './helpers/api';
import { createActiveCustomer, type TestCustomer } from './helpers/customers';
import { freePort } from './helpers/ports';
import { createTimeSkippingEnv, terminateAtRest } from './helpers/time-skipping';
import { recordHistory } from './workflows/histories';

const config = loadConfig();
const POSTPAID_MOBILE = '0ffe0000-0000-4000-8000-000000000004';
const TIME_ZONE = 'Europe/Madrid'; // createActiveCustomer: bill cycle day 1, Europe/Madrid
const HOUR = 3_600_000;

describe('billing cycle (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let knex: Knex;
  let network: NetworkSimulator;
  let networkClient: NetworkClient;
  let closeActivities: () => Promise<void>;
  let worker: Worker;
  let running: Promise<void>;
  let app: Express;
  const taskQueue = testTaskQueue('billing');
  const recorded: Array<{ name: string; handle: WorkflowHandle }> = [];
  const loseWorkerAfterBill = new Set<string>();

  beforeAll(async () => {
    knex = createKnex(config.databaseUrl);
    network = await startNetworkSimulator({ port: await freePort() });
    networkClient = NetworkClient.fromUrl(network.url);
  });

  afterAll(async () => {
    await networkClient.close();
    await network.stop();
    await knex.destroy();
  });

  // A server of each test's own: each starts at today's date (the activities' clock is the real one).
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
    const built = createWorkerActivities(config, { knex, network: networkClient, temporal: env.client, billingTaskQueue: taskQueue });
    closeActivities = built.close;
    const billRun: BillRunActivities = built.activities;
    const activities = withHeartbeats({
      ...built.activities,
      sendBill: billRun.sendBill,
      // A worker lost right after issuing a bill: the retry must find that bill, not issue another.
      closeBillingCycle: async (input: { billingAccountId: string; cycle: BillCycle }) => {
        const bill = await billRun.closeBillingCycle(input);
        if (loseWorkerAfterBill.delete(input.billingAccountId)) throw new Error('worker lost after the bill was issued');
        return bill;
      },
    });
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, activities });
    running = worker.run();
    app = createApp({ ...testAppDeps(), knex, temporal: env.connection, temporalProbe: env.connection, temporalNamespace: env.namespace ?? 'default', clock: { now: () => new Date() }, taskQueue });
  });

  afterEach(async () => {
    for (const { name, handle } of recorded.splice(0)) await recordHistory(name, handle);
    worker.shutdown();
    await running;
    await closeActivities();
    await env.teardown();
  });

  /** A postpaid mobile line through the order workflow: the billing cycle starts when it activates. */
  async function orderPostpaidLine(customer: TestCustomer): Promise<{ imsi: string; msisdn: string; startDate: string }> {
    const orderId = randomUUID();
    await knex.transaction((trx) =>
      createTmfResourceOnce(trx, productOrderModel, orderId, {
        relatedParty: [{ id: customer.customerId, role: 'customer', '@referredType': 'Customer' }],
        billingAccount: { id: customer.billingAccountId },
        productOrderItem: [{ id: '1', action: 'add', state: 'acknowledged', productOffering: { id: POSTPAID_MOBILE }, product: { productCharacteristic: [{ name: 'msisdn', value: 'any' }] } }],
      }, { now: new Date(), publicUrl: config.publicUrl }),
    );
    const handle = env.client.workflow.getHandle(`order-${orderId}`);
    await env.client.workflow.start(orderFulfilment, { taskQueue, workflowId: `order-${orderId}`, args: [{ orderId }] });
    // Polled, not awaited: awaiting the result would let the server skip time past the first cycle.
    await eventually(async () => (await handle.query(orderStatusQuery)).state === 'completed', 'the order completes');
    const sim = await knex('inventory_sim').where({ customer_id: customer.customerId, status: 'inUse' }).first();
    const [subscription] = await subscriptionsOfAccount(knex, customer.billingAccountId);
    return { imsi: sim.imsi, msisdn: network.subscriber(sim.imsi)!.msisdn, startDate: subscription.startDate };
  }

  async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // not there yet (e.g. the workflow has not started)
      }
      if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const billingHandle = (billingAccountId: string) => env.client.workflow.getHandle<typeof billingCycle>(`billing-${billingAccountId}`);

  async function statusOf(billingAccountId: string): Promise<BillingStatus> {
    return billingHandle(billingAccountId).query(billingStatusQuery);
  }

  /** Waits (real time, the server's clock held) until the status passes `ok`. */
  async function statusBecomes(billingAccountId: string, ok: (s: BillingStatus) => boolean, what: string): Promise<BillingStatus> {
    let last: BillingStatus | undefined;
    await eventually(async () => ok((last = await statusOf(billingAccountId))), `${what} (last: ${JSON.stringify(last)})`);
    return last!;
  }

  /** Moves the server's clock to an hour after `instant`. */
  async function skipTo(instant: number): Promise<void> {
    const now = await env.currentTimeMs();
    if (instant + HOUR > now) await env.sleep(instant + HOUR - now);
  }

  async function pay(customer: TestCustomer, amount: string, key = randomUUID()) {
    return request(app)
      .post('/tmf-api/paymentManagement/v4/payment')
      .set(bearer(await tokenFor('customer', { customerId: customer.customerId })))
      .send({ account: { id: customer.billingAccountId }, totalAmount: { unit: 'EUR', value: amount }, paymentMethod: { id: customer.paymentMethodId }, correlatorId: key });
  }

  async function dunningMails(customer: TestCustomer): Promise<string[]> {
    const rows = await knex('dev_outbox').where({ recipient: customer.email, channel: 'email' }).orderBy('received_at').select('subject');
    return rows.map((r) => r.subject as string).filter((s) => /reminder|suspended|restored|terminated|debt collection/i.test(s));
  }

  it('bills 13 consecutive monthly cycles; a late payment is reminded twice, suspended on the network and restored when paid', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: '4242' });
    const { imsi, startDate } = await orderPostpaidLine(customer);
    const acct = customer.billingAccountId;
    const handle = billingHandle(acct);
    recorded.push({ name: 'billingCycle runs 13 cycles with a late payment', handle });
    expect((await statusBecomes(acct, (s) => !!s.cycle, 'the billing cycle runs')).cycle).toEqual(cycleContaining(startDate, 1));

    const LATE = 4; // the 4th bill is paid only once the line is suspended
    const bills: IssuedBill[] = [];
    const lateStates: string[] = [];
    let late = false;
    while (bills.length < 13) {
      const before = await statusOf(acct);
      const targets = [Date.parse(before.closesAt!)];
      if (late && before.dunning?.nextStep) targets.push(Date.parse(before.dunning.nextStep.at));
      if (late && !before.dunning) targets.push(startOfDateIn(addDays(bills[LATE - 1].dueDate, 1), TIME_ZONE).getTime());
      await skipTo(Math.min(...targets));
      const after = await statusBecomes(acct, (s) => s.billsIssued > before.billsIssued || s.state !== before.state, 'a bill or a dunning step');
      if (after.billsIssued > before.billsIssued) {
        const bill = after.lastBill!;
        expect(after.billsIssued).toBe(bills.length + 1);
        if (bills.length) expect(bill.cycle.start).toBe(bills[bills.length - 1].cycle.end); // no gap, no overlap
        bills.push(bill);
        if (bills.length === LATE) late = true;
        else if (!late && money(bill.amountDue).gt(0)) expect((await pay(customer, bill.amountDue)).status).toBe(201);
      }
      if (late && after.state !== before.state) lateStates.push(after.state);
      if (late && after.state === 'suspended') {
        expect(network.subscriber(imsi)?.barring).toBe('OUTGOING');
        const owed = await accountBalance(knex, acct);
        expect((await pay(customer, owed)).status).toBe(201);
        await statusBecomes(acct, (s) => s.state === 'current', 'restored after payment');
        lateStates.push('current');
        expect(network.subscriber(imsi)?.barring).toBe('NONE');
        late = false;
      }
    }

    // Every bill: one per cycle, consecutive monthly periods from the activation's cycle, each once on the ledger.
    expect(bills[0].cycle).toEqual(cycleContaining(startDate, 1));
    expect(bills.map((b) => b.cycle.start)).toEqual(Array.from({ length: 13 }, (_, i) => addMonths(bills[0].cycle.start, i)));
    expect(new Set(bills.map((b) => b.billId)).size).toBe(13);
    const billEntries = await knex('billing_account_entry').where({ billing_account_id: acct, kind: 'bill' });
    expect(billEntries.map((e) => e.bill_id).sort()).toEqual(bills.map((b) => b.billId).sort());
    const stored = await knex('billing_bill').where({ billing_account_id: acct }).orderBy('cycle_start').select('id');
    expect(stored.map((b) => b.id)).toEqual(bills.map((b) => b.billId));
    const mailedBills = () => knex('dev_outbox').where({ recipient: customer.email, channel: 'email' }).whereLike('subject', 'Your BSS bill %').select('subject');
    await eventually(async () => (await mailedBills()).length >= 13, 'every bill is mailed');
    const billMails = await mailedBills();
    expect(billMails.map((m) => m.subject).sort()).toEqual(bills.map((b) => `Your BSS bill ${b.billNo}`).sort()); // each sent once

    // The late bill: overdue, two reminders, suspension, then current again; nothing owed at the end but the last bill.
    expect(lateStates).toEqual(['overdue', 'reminded', 'finalReminder', 'suspended', 'current']);
    expect(await dunningMails(customer)).toEqual([
      expect.stringMatching(/^Reminder: your BSS bill .* is overdue$/),
      expect.stringMatching(/^Final reminder: your BSS bill .* is overdue$/),
      expect.stringMatching(/^Your BSS service is suspended: bill .* unpaid$/),
      'Your BSS service is restored',
    ]);
    const commands = await knex('provisioning_log').where({ order_id: `billing-${acct}` }).orderBy('seq');
    expect(commands.map((c) => [c.operation, c.element, c.command, c.status])).toEqual([
      ['suspend', 'HLR', expect.stringMatching(new RegExp(`^SUSPEND SUBSCRIBER: CTAG=\\d+, IMSI=${imsi};$`)), 'succeeded'],
      ['restore', 'HLR', expect.stringMatching(new RegExp(`^RESUME SUBSCRIBER: CTAG=\\d+, IMSI=${imsi};$`)), 'succeeded'],
    ]);
    expect(await accountBalance(knex, acct)).toBe('0.00');
    expect(await findAccountDunning(knex, acct)).toMatchObject({ state: 'current', disputedBills: [] });
    expect((await subscriptionsOfAccount(knex, acct)).map((s) => s.status)).toEqual(['active']);
    const product = await knex(productModel.table).where({ customer_id: customer.customerId }).first();
    expect(product.body.status).toBe('active');
  });

  /** A postpaid account with a 20.00 monthly plan from today and its billing cycle started. */
  async function monthlyPlanWithCycle() {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: '4242' });
    const acct = customer.billingAccountId;
    const today = calendarDateIn(TIME_ZONE, new Date(await env.currentTimeMs()));
    await createSubscription(knex, {
      billingAccountId: acct,
      customerId: customer.customerId,
      orderId: randomUUID(),
      productKey: 'mobile',
      offeringId: POSTPAID_MOBILE,
      offeringVersion: '1',
      prices: [{ id: 'price-monthly', version: '1', name: 'Monthly fee', priceType: 'recurring', period: 'month', amount: '20.00', currency: 'EUR', taxRate: '21' }],
      startDate: today,
      now: new Date(),
    });
    const handle = await env.client.workflow.start(billingCycle, { taskQueue, workflowId: `billing-${acct}`, args: [{ billingAccountId: acct, firstCycleDate: today }], searchAttributes: { BillingAccountId: [acct] } });
    return { customer, acct, handle };
  }

  it('holds dunning while a bill is disputed and takes it up, later by as long, once the dispute is resolved', async () => {
    const { customer, acct, handle } = await monthlyPlanWithCycle();
    recorded.push({ name: 'billingCycle holds dunning for a disputed bill', handle });
    const first = await statusBecomes(acct, (s) => !!s.closesAt && !!s.cycle, 'started');
    await skipTo(Date.parse(first.closesAt!));
    const billed = await statusBecomes(acct, (s) => s.billsIssued === 1, 'first bill');
    const bill = billed.lastBill!;
    const billState = async () => (await request(app).get(`/tmf-api/customerBillManagement/v4/customerBill/${bill.billId}`).set(bearer(await tokenFor('agent')))).body.state;
    const stateBefore = await billState();
    const disputed = await request(app)
      .post(`/api/billing-accounts/${acct}/disputes`)
      .set(bearer(await tokenFor('customer', { customerId: customer.customerId })))
      .send({ billId: bill.billId, reason: 'roaming charges I did not make' });
    expect(disputed.status).toBe(202);
    expect(await billState()).toBe('onHold');

    // Past the due date and the reminder day: overdue but held, nobody reminded.
    const dueCrossing = startOfDateIn(addDays(bill.dueDate, 1), TIME_ZONE).getTime();
    await skipTo(dueCrossing);
    const held = await statusBecomes(acct, (s) => s.state === 'overdue', 'overdue');
    expect(held.dunning).toMatchObject({ billId: bill.billId, held: true });
    expect(held.dunning!.nextStep).toBeUndefined();
    const reminderDay = dunningStepTime(addDays(bill.dueDate, 3), TIME_ZONE).getTime();
    await skipTo(reminderDay + 2 * 24 * HOUR);
    expect(await statusOf(acct)).toMatchObject({ state: 'overdue', disputedBills: [bill.billId] });
    expect(await dunningMails(customer)).toEqual([]);
    const collection = await request(app).get(`/api/billing-accounts/${acct}/collection`).set(bearer(await tokenFor('customer', { customerId: customer.customerId })));
    expect(collection.status).toBe(200);
    expect(collection.body).toMatchObject({
      billingAccountId: acct,
      balance: { unit: 'EUR', value: money(bill.amountDue).toFixed(2) },
      state: 'overdue',
      overdueBill: { id: bill.billId, dueDate: bill.dueDate, overdueAmount: money(bill.amountDue).toFixed(2) },
      disputedBills: [bill.billId],
    });

    // Resolved (upheld, no credit): the reminder comes as much later as the hold lasted (from the due date passing).
    const resolved = await request(app).post(`/api/billing-accounts/${acct}/disputes/${bill.billId}/resolution`).set(bearer(await tokenFor('agent')));
    expect(resolved.status).toBe(202);
    expect(await billState()).toBe(stateBefore);
    const resolvedAt = await env.currentTimeMs();
    const resumed = await statusBecomes(acct, (s) => !s.dunning?.held && !!s.dunning?.nextStep, 'resumed');
    expect(resumed.dunning!.nextStep!.stage).toBe('reminded');
    const expected = reminderDay + (resolvedAt - dueCrossing);
    expect(Math.abs(Date.parse(resumed.dunning!.nextStep!.at) - expected)).toBeLessThan(60_000);
    await skipTo(Date.parse(resumed.dunning!.nextStep!.at));
    await statusBecomes(acct, (s) => s.state === 'reminded', 'reminded');
    await eventually(async () => (await dunningMails(customer)).length > 0, 'the reminder is sent'); // sent right after the state is reported
    expect(await dunningMails(customer)).toEqual([expect.stringMatching(/^Reminder: your BSS bill .* is overdue$/)]);

    // Paying ends the chase.
    expect((await pay(customer, await accountBalance(knex, acct))).status).toBe(201);
    await statusBecomes(acct, (s) => s.state === 'current', 'paid');
    await terminateAtRest(handle);
  });

  it('holds dunning for a bill an agent puts on hold through TMF678, and resumes it when the bill is released', async () => {
    const { acct, handle } = await monthlyPlanWithCycle();
    const first = await statusBecomes(acct, (s) => !!s.closesAt && !!s.cycle, 'started');
    await skipTo(Date.parse(first.closesAt!));
    const bill = (await statusBecomes(acct, (s) => s.billsIssued === 1, 'first bill')).lastBill!;
    const billUrl = `/tmf-api/customerBillManagement/v4/customerBill/${bill.billId}`;
    const agent = bearer(await tokenFor('agent'));
    const sentState = (await request(app).get(billUrl).set(agent)).body.state;

    expect((await request(app).patch(billUrl).set(agent).send({ state: 'onHold' })).status).toBe(200);
    await statusBecomes(acct, (s) => s.disputedBills.includes(bill.billId), 'the hold reaches the cycle');
    await skipTo(startOfDateIn(addDays(bill.dueDate, 1), TIME_ZONE).getTime());
    const held = await statusBecomes(acct, (s) => s.state === 'overdue', 'overdue');
    expect(held.dunning).toMatchObject({ billId: bill.billId, held: true });

    expect((await request(app).patch(billUrl).set(agent).send({ state: sentState })).status).toBe(200);
    const resumed = await statusBecomes(acct, (s) => !s.dunning?.held && !!s.dunning?.nextStep, 'resumed');
    expect(resumed).toMatchObject({ disputedBills: [], dunning: { nextStep: { stage: 'reminded' } } });
    await terminateAtRest(handle);
  });

  it('keeps the time between notices when steps come late (a run that catches up after an outage)', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: '4242' });
    const acct = customer.billingAccountId;
    const now = await env.currentTimeMs();
    const today = calendarDateIn(TIME_ZONE, new Date(now));
    // A bill due 12 days ago, unpaid: the run starts with its reminder (+3) and final reminder (+10) both overdue.
    const dueDate = addDays(today, -12);
    const billId = randomUUID();
    await bookAccountEntry(knex, { billingAccountId: acct, kind: 'bill', amount: '24.20', currency: 'EUR', reference: `bill:${billId}`, billId, description: 'Bill', bookedAt: new Date() });
    const bill: IssuedBill = { billId, billNo: 'B-LATE-1', billingAccountId: acct, cycle: { start: addDays(dueDate, -44), end: addDays(dueDate, -14) }, currency: 'EUR', totalCharges: '24.20', amountDue: '24.20', dueDate };
    const cycle = cycleContaining(today, 1);
    const handle = await env.client.workflow.start(billingCycle, {
      taskQueue,
      workflowId: `billing-${acct}`,
      args: [{ billingAccountId: acct, carried: { cycle, notYetDue: [bill], disputedBills: [], billsIssued: 1, lastBill: bill } }],
      searchAttributes: { BillingAccountId: [acct] },
    });
    recorded.push({ name: 'billingCycle keeps the time between late notices', handle });
    const reminded = await statusBecomes(acct, (s) => s.state === 'reminded', 'the late reminder');
    // The final reminder moves back by the reminder's lateness: 7 days after it, not at once.
    const lateness = now - dunningStepTime(addDays(dueDate, 3), TIME_ZONE).getTime();
    const expected = dunningStepTime(addDays(dueDate, 10), TIME_ZONE).getTime() + lateness;
    expect(reminded.dunning!.nextStep!.stage).toBe('finalReminder');
    expect(Math.abs(Date.parse(reminded.dunning!.nextStep!.at) - expected)).toBeLessThan(60_000);
    await eventually(async () => (await dunningMails(customer)).length > 0, 'the reminder is sent');
    expect(await dunningMails(customer)).toEqual([expect.stringMatching(/^Reminder: your BSS bill B-LATE-1 is overdue$/)]);
    await terminateAtRest(handle);
  });

  it('issues a bill once when the bill run is retried, and sees a payment on the ledger whose signal never came', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: '4242' });
    const acct = customer.billingAccountId;
    const today = calendarDateIn(TIME_ZONE, new Date(await env.currentTimeMs()));
    await createSubscription(knex, {
      billingAccountId: acct,
      customerId: customer.customerId,
      orderId: randomUUID(),
      productKey: 'mobile',
      offeringId: POSTPAID_MOBILE,
      offeringVersion: '1',
      prices: [{ id: 'price-monthly', version: '1', name: 'Monthly fee', priceType: 'recurring', period: 'month', amount: '20.00', currency: 'EUR', taxRate: '21' }],
      startDate: today,
      now: new Date(),
    });
    loseWorkerAfterBill.add(acct);
    const handle = await env.client.workflow.start(billingCycle, { taskQueue, workflowId: `billing-${acct}`, args: [{ billingAccountId: acct, firstCycleDate: today }], searchAttributes: { BillingAccountId: [acct] } });
    recorded.push({ name: 'billingCycle issues a bill once across retries and reads the ledger', handle });
    const first = await statusBecomes(acct, (s) => !!s.cycle, 'started');
    await skipTo(Date.parse(first.closesAt!));
    const billed = await statusBecomes(acct, (s) => s.billsIssued === 1, 'first bill');
    expect(loseWorkerAfterBill.has(acct)).toBe(false); // the first attempt issued it and failed
    const bill = billed.lastBill!;
    expect(await knex('billing_account_entry').where({ billing_account_id: acct, kind: 'bill' })).toHaveLength(1);

    // Paid at a counter: booked on the ledger, no signal. The due date passes without a chase.
    await bookAccountEntry(knex, { billingAccountId: acct, kind: 'payment', amount: money(bill.amountDue).negated().toFixed(2), currency: 'EUR', reference: `counter-${randomUUID()}`, description: 'Paid at the shop', bookedAt: new Date() });
    await skipTo(startOfDateIn(addDays(bill.dueDate, 4), TIME_ZONE).getTime());
    expect(await statusOf(acct)).toMatchObject({ state: 'current', billsIssued: 1 });
    expect(await dunningMails(customer)).toEqual([]);
    await terminateAtRest(handle);
  });

  it('records a plan change for the next bill, ends the contract on request with the last cycle billed, and closes the account once paid', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: '4242' });
    const acct = customer.billingAccountId;
    const today = calendarDateIn(TIME_ZONE, new Date(await env.currentTimeMs()));
    const orderId = randomUUID();
    await createSubscription(knex, {
      billingAccountId: acct,
      customerId: customer.customerId,
      orderId,
      productKey: 'mobile',
      offeringId: POSTPAID_MOBILE,
      offeringVersion: '1',
      prices: [{ id: 'price-s', version: '1', name: 'Monthly fee', priceType: 'recurring', period: 'month', amount: '20.00', currency: 'EUR', taxRate: '21' }],
      startDate: today,
      now: new Date(),
    });
    const [old] = await subscriptionsOfAccount(knex, acct);
    const handle = await env.client.workflow.start(billingCycle, { taskQueue, workflowId: `billing-${acct}`, args: [{ billingAccountId: acct, firstCycleDate: today }], searchAttributes: { BillingAccountId: [acct] } });
    recorded.push({ name: 'billingCycle records a plan change, ends on request and closes when paid', handle });
    const first = await statusBecomes(acct, (s) => !!s.cycle, 'started');
    await skipTo(Date.parse(first.closesAt!));
    await statusBecomes(acct, (s) => s.billsIssued === 1, 'first bill');

    // An upgrade from the 10th of the cycle: the old plan ends that day, the new one starts it (twice: once recorded).
    const effectiveDate = addDays(first.cycle!.end, 9);
    const change = { changeId: randomUUID(), subscriptionId: old.id, effectiveDate, offeringId: 'offering-l', offeringVersion: '2', prices: [{ id: 'price-l', version: '2', name: 'Monthly fee', priceType: 'recurring', period: 'month', amount: '35.00', currency: 'EUR', taxRate: '21' }] };
    await handle.signal(planChangeSignal, change);
    await handle.signal(planChangeSignal, change);
    await eventually(async () => (await subscriptionsOfAccount(knex, acct)).length === 2, 'the plan change is recorded');
    const afterChange = await subscriptionsOfAccount(knex, acct);
    expect(afterChange.map((s) => [s.offeringId, s.startDate, s.endDate, s.status])).toEqual([
      [POSTPAID_MOBILE, today, effectiveDate, 'terminated'],
      ['offering-l', effectiveDate, null, 'active'],
    ]);

    // The customer leaves on the 20th: the subscription ends that day, the cycle it falls in is billed, the workflow ends.
    const leaving = addDays(first.cycle!.end, 19);
    await handle.signal(terminateAccountSignal, { effectiveDate: leaving, reason: 'moving abroad' });
    const ended = await statusBecomes(acct, (s) => s.state === 'terminated', 'terminated');
    expect((await subscriptionsOfAccount(knex, acct)).map((s) => [s.offeringId, s.endDate, s.status])).toEqual([
      [POSTPAID_MOBILE, effectiveDate, 'terminated'],
      ['offering-l', leaving, 'terminated'],
    ]);
    await skipTo(Date.parse(ended.closesAt!));
    const finalBilled = await statusBecomes(acct, (s) => s.billsIssued === 2, 'the final bill');
    expect(finalBilled).toMatchObject({ state: 'terminated', terminated: { effectiveDate: leaving, reason: 'customerRequest' } });
    expect(finalBilled.lastBill!.cycle.start).toBe(first.cycle!.end);
    expect((await findResource(knex, billingAccountModel.table, acct))!.state).not.toBe('Closed');

    // Everything owed is paid: the account closes, and the workflow ends.
    expect((await pay(customer, await accountBalance(knex, acct))).status).toBe(201);
    const final = await handle.result();
    expect(final).toMatchObject({ state: 'closed', billsIssued: 2 });
    expect((await findResource(knex, billingAccountModel.table, acct))!.state).toBe('Closed');
    expect(await findAccountDunning(knex, acct)).toMatchObject({ state: 'closed' });
    expect(await dunningMails(customer)).toEqual([]);
  });

  it('terminates an account that never pays: services off the network, subscriptions ended, the last cycle billed, the debt passed to collection', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: '4242' });
    const { imsi } = await orderPostpaidLine(customer);
    const acct = customer.billingAccountId;
    const handle = billingHandle(acct);
    recorded.push({ name: 'billingCycle terminates an account that never pays and passes the debt to collection', handle });
    await statusBecomes(acct, (s) => !!s.cycle, 'the billing cycle runs');

    const states: string[] = [];
    let firstBill: IssuedBill | undefined;
    let status = await statusOf(acct);
    while (status.state !== 'terminated') {
      const targets = [Date.parse(status.closesAt!)];
      if (status.dunning?.nextStep) targets.push(Date.parse(status.dunning.nextStep.at));
      if (firstBill && !status.dunning) targets.push(startOfDateIn(addDays(firstBill.dueDate, 1), TIME_ZONE).getTime());
      await skipTo(Math.min(...targets));
      const before = status;
      status = await statusBecomes(acct, (s) => s.billsIssued > before.billsIssued || s.state !== before.state, 'a bill or a dunning step');
      firstBill ??= status.lastBill;
      if (status.state !== before.state) states.push(status.state);
    }
    expect(states).toEqual(['overdue', 'reminded', 'finalReminder', 'suspended', 'terminated']);
    expect(network.subscriber(imsi)).toBeUndefined();
    const subscriptions = await subscriptionsOfAccount(knex, acct);
    expect(subscriptions.map((s) => [s.status, s.endDate])).toEqual([['terminated', status.terminated!.effectiveDate]]);
    expect(status.terminated).toMatchObject({ reason: 'nonPayment', effectiveDate: addDays(firstBill!.dueDate, 45) });
    const product = await knex(productModel.table).where({ customer_id: customer.customerId }).first();
    expect(product.body.status).toBe('terminated');
    const commands = await knex('provisioning_log').where({ order_id: `billing-${acct}` }).orderBy('seq');
    expect(commands.map((c) => [c.operation, c.element, c.status])).toEqual([
      ['suspend', 'HLR', 'succeeded'],
      ['deactivate', 'PCRF', 'succeeded'],
      ['deactivate', 'HLR', 'succeeded'],
    ]);

    // The cycle the termination fell in is billed once more; what is owed is reminded once and,
    // still unpaid at the final deadline, passed to debt collection; then the workflow ends.
    const billsAtTermination = status.billsIssued;
    await skipTo(Date.parse(status.closesAt!));
    const final = await handle.result();
    expect(final).toMatchObject({ state: 'inCollection', billsIssued: billsAtTermination + 1 });
    expect(final.lastBill!.cycle.start <= status.terminated!.effectiveDate && status.terminated!.effectiveDate < final.lastBill!.cycle.end).toBe(true);
    expect(await dunningMails(customer)).toEqual([
      expect.stringMatching(/^Reminder/),
      expect.stringMatching(/^Final reminder/),
      expect.stringMatching(/suspended/),
      expect.stringMatching(/terminated/),
      expect.stringMatching(/^Reminder: your final BSS bill .* is unpaid$/),
      expect.stringMatching(/passed to debt collection$/),
    ]);
    expect(await findAccountDunning(knex, acct)).toMatchObject({ state: 'inCollection', overdueAmount: await accountBalance(knex, acct) });
    expect((await findResource(knex, billingAccountModel.table, acct))!.state).not.toBe('Closed');
    expect(money(await accountBalance(knex, acct)).gt(0)).toBe(true); // still owed
  });
});

/** The same day `months` months later (cycle days are 1–28, so it always exists). */
function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1 + months, d));
  return t.toISOString().slice(0, 10);
}
