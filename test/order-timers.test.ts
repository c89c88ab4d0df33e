/**
 * The order workflow's waits on the time-skipping server: no payment by the deadline cancels the
 * order, no capacity by the deadline rejects it, and installation visits that are missed are
 * rebooked, escalated on the second miss, and may be moved by the customer.
 */
import { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { withHeartbeats } from '../activities/heartbeat';
import { loadConfig } from '../config';
import { createKnex } from '../db/knex';
import { productOrderModel } from '../db/order-models';
import { ensureAccessNode, ensureServiceArea } from '../db/resource-inventory';
import { createTmfResourceOnce } from '../db/tmf-store';
import { NetworkClient } from '../network/client';
import { startNetworkSimulator, type NetworkSimulator } from '../network/simulator';
import { createWorkerActivities } from '../worker/activities';
import { moveAppointmentUpdate, orderFulfilment, orderStatusQuery, payWithUpdate, workOrderCompletedSignal, type OrderStatus } from '../workflows/order-fulfilment';
import { createActiveCustomer, type TestCustomer } from './helpers/customers';
import { freePort } from './helpers/ports';
import { createTimeSkippingEnv } from './helpers/time-skipping';
import { createTestArea, type TestArea } from './helpers/workforce';
import { recordHistory } from './workflows/histories';

const config = loadConfig();
const PAYG = '0ffe0000-0000-4000-8000-000000000002';
const FTTH = '0ffe0000-0000-4000-8000-000000000005';

describe('order waits (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let knex: Knex;
  let network: NetworkSimulator;
  let networkClient: NetworkClient;
  let closeActivities: () => Promise<void>;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `orders-${randomUUID()}`;
  let whileNotifying: ((event: string) => Promise<void>) | undefined;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    knex = createKnex(config.databaseUrl);
    network = await startNetworkSimulator({ port: await freePort() });
    networkClient = NetworkClient.fromUrl(network.url);
    const built = createWorkerActivities(config, { knex, network: networkClient });
    closeActivities = built.close;
    // A test may act while a customer notice is being sent (after it is sent, before the activity ends).
    const activities = {
      ...built.activities,
      notifyOrderCustomer: async (...args: Parameters<typeof built.activities.notifyOrderCustomer>) => {
        await built.activities.notifyOrderCustomer(...args);
        await whileNotifying?.(args[1]);
      },
    };
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, activities: withHeartbeats(activities) });
    running = worker.run();
  });

  afterAll(async () => {
    worker.shutdown();
    await running;
    await closeActivities();
    await networkClient.close();
    await network.stop();
    await knex.destroy();
    await env.teardown();
  });

  const started: WorkflowHandle<typeof orderFulfilment>[] = [];
  afterEach(async () => {
    const test = expect.getState().currentTestName!.replace(/^order waits \(time-skipping\) /, '');
    for (const handle of started.splice(0)) await recordHistory(`orderFulfilment ${test}`, handle);
  });

  /** Stores a TMF622 order as the API would, and starts its workflow. */
  async function placeOrder(customer: TestCustomer, item: { offering: string; characteristics?: Record<string, string>; postcode?: string }) {
    const orderId = randomUUID();
    await knex.transaction((trx) =>
      createTmfResourceOnce(trx, productOrderModel, orderId, {
        relatedParty: [{ id: customer.customerId, role: 'customer', '@referredType': 'Customer' }],
        billingAccount: { id: customer.billingAccountId },
        productOrderItem: [
          {
            id: '1',
            action: 'add',
            state: 'acknowledged',
            productOffering: { id: item.offering },
            product: {
              productCharacteristic: Object.entries(item.characteristics ?? {}).map(([name, value]) => ({ name, value })),
              ...(item.postcode ? { place: [{ role: 'installationAddress', streetName: 'Calle Mayor', streetNr: '1', city: 'Madrid', postcode: item.postcode }] } : {}),
            },
          },
        ],
      }, { now: new Date(), publicUrl: config.publicUrl }),
    );
    const handle = await env.client.workflow.start(orderFulfilment, { taskQueue, workflowId: `order-${orderId}`, args: [{ orderId }] });
    started.push(handle);
    return { orderId, handle };
  }

  async function statusBecomes(handle: WorkflowHandle<typeof orderFulfilment>, ok: (s: OrderStatus) => boolean): Promise<OrderStatus> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await handle.query(orderStatusQuery);
      if (ok(status)) return status;
      if (Date.now() > deadline) throw new Error(`workflow never got there: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function mailsTo(recipient: string, subject: RegExp): Promise<Array<{ subject: string; body: string }>> {
    const rows = await knex('dev_outbox').where({ recipient, channel: 'email' }).select('subject', 'body').orderBy('received_at');
    return rows.filter((r) => subject.test(r.subject));
  }

  /** An FTTH area of the test's own: technicians Monday to Friday 08:00–12:00, and `ports` ports. */
  async function fibreArea(ports: number): Promise<TestArea & { nodeId: string }> {
    const area = await createTestArea(knex, 2);
    const areaId = `AREA-${area.prefix}`;
    const nodeId = `OLT-${area.prefix.toUpperCase()}`;
    await ensureServiceArea(knex, { id: areaId, name: `Test area ${area.prefix}`, postalCodes: [area.prefix] });
    await ensureAccessNode(knex, { areaId, id: nodeId, ports });
    return { ...area, nodeId };
  }

  it('cancels an order held for payment when nobody pays within 3 days, and frees its number', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid', cardLast4: '0341' });
    const { orderId, handle } = await placeOrder(customer, { offering: PAYG, characteristics: { msisdn: 'any' } });
    const held = await statusBecomes(handle, (s) => s.state === 'held');
    const [msisdn] = held.msisdns;
    const outcome = await handle.result(); // the server skips the 3 days
    expect(outcome).toMatchObject({ state: 'cancelled', reasons: [expect.stringMatching(/^no payment by /)] });
    expect(await knex('inventory_msisdn').where({ msisdn, customer_id: customer.customerId })).toHaveLength(0);
    expect((await knex(productOrderModel.table).where({ id: orderId }).first()).body.state).toBe('cancelled');
    expect(await mailsTo(customer.email, /cancel/i)).toHaveLength(1);
  });

  it('takes a payment made while the customer is still being told the first card was declined', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid', cardLast4: '0341' });
    let order: Awaited<ReturnType<typeof placeOrder>> | undefined;
    // The customer reads the notice and pays with another card at once: the payment reaches the
    // workflow before the notice's activity has ended.
    whileNotifying = async (event) => {
      if (event !== 'orderPaymentDeclined') return;
      const good = randomUUID();
      await knex('crm_payment_method').insert({ id: good, customer_id: customer.customerId, type: 'card', holder_name: 'Lucía Martín', gateway_token: `tok_sim_4242_${randomUUID().replace(/-/g, '')}`, brand: 'visa', last4: '4242', expiry_month: 12, expiry_year: 2031 });
      await order!.handle.executeUpdate(payWithUpdate, { args: [{ paymentMethodId: good }] });
    };
    try {
      order = await placeOrder(customer, { offering: PAYG, characteristics: { msisdn: 'any' } });
      expect(await order.handle.result()).toMatchObject({ state: 'completed' });
      expect((await knex('payment_charge').where({ order_id: order.orderId }).orderBy('created_at')).map((c) => c.status)).toEqual(['declined', 'captured']);
    } finally {
      whileNotifying = undefined;
    }
  });

  it('rejects an order that waited 14 days for fibre capacity, releasing what it held', async () => {
    const area = await fibreArea(0);
    try {
      const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: null });
      const { orderId, handle } = await placeOrder(customer, { offering: FTTH, postcode: area.postalCode });
      await statusBecomes(handle, (s) => s.state === 'pending');
      const outcome = await handle.result();
      expect(outcome).toMatchObject({ state: 'rejected', reasons: [expect.stringMatching(/no fibre capacity in area .* within 14 days/)] });
      const order = (await knex(productOrderModel.table).where({ id: orderId }).first()).body;
      expect(order.state).toBe('rejected');
      expect((await knex('product_inventory').where({ product_order_id: orderId })).map((p) => p.body.status)).toEqual(['cancelled']);
    } finally {
      await area.remove();
    }
  });

  it('rebooks a missed visit, escalates the second miss, follows a move by the customer, and completes', async () => {
    const area = await fibreArea(1);
    try {
      const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: null });
      const { orderId, handle } = await placeOrder(customer, { offering: FTTH, postcode: area.postalCode });
      const escalations = async () => (await knex('dev_outbox').where({ recipient: config.supervisorEmail, channel: 'email' })).filter((m) => m.body.includes(orderId));
      const first = (await statusBecomes(handle, (s) => !!s.appointment)).appointment!;

      // The customer moves the visit a week later, to a free slot of the same morning hours.
      const later = new Date(new Date(first.start).getTime() + 7 * 86_400_000).toISOString();
      const moved = await handle.executeUpdate(moveAppointmentUpdate, { args: [{ start: later }] });
      expect(moved.start).toBe(later);
      await expect(handle.executeUpdate(moveAppointmentUpdate, { args: [{ start: '2020-01-01T08:00:00Z' }] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/cannot move/) },
      });

      // Nobody comes: the visit is missed and rebooked.
      const pastVisit = async (visit: { end: string }) => env.sleep(new Date(visit.end).getTime() + 5 * 3_600_000 - (await env.currentTimeMs()));
      await pastVisit(moved);
      const second = (await statusBecomes(handle, (s) => !!s.appointment && s.appointment.start !== later)).appointment!;
      expect(await escalations()).toHaveLength(0);

      // Missed again: rebooked and escalated to the supervisor.
      await pastVisit(second);
      const third = (await statusBecomes(handle, (s) => s.appointment!.start !== second.start)).appointment!;
      const deadline = Date.now() + 30_000;
      while ((await escalations()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await escalations()).toHaveLength(1);

      // The third visit happens.
      await handle.signal(workOrderCompletedSignal, { workOrderId: third.workOrderId });
      expect(await handle.result()).toMatchObject({ state: 'completed' });
      expect(await mailsTo(customer.email, /new|resched|date|visit/i)).toHaveLength(3); // moved, missed, missed
    } finally {
      await area.remove();
    }
  });
});
