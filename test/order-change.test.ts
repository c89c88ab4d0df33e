/**
 * Change orders end to end on the dev server: TMF622 items that modify (plan change) or delete
 * (terminate) a product the customer has, through the API, on a worker with the network
 * simulator; what the network, the inventory, charging, billing and the next bill end up with;
 * and the change orders that are rejected, with nothing changed.
 */
import { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { BillRunActivities } from '../activities/billing/types';
import { loadConfig } from '../config';
import { subscriptionsOfAccount } from '../db/billing';
import { ORDER_TABLES, productOrderModel } from '../db/order-models';
import { createTmfResourceOnce } from '../db/tmf-store';
import { cycleContaining, daysBetween } from '../domain/billing/cycle';
import { formatAmount, money, roundToCent, taxOn } from '../domain/money';
import { calendarDateIn } from '../domain/time-zone';
import { startNetworkSimulator, type NetworkSimulator } from '../network/simulator';
import { createWorkerActivities } from '../worker/activities';
import { startWorker, type WorkerHandle } from '../worker/main';
import { billingStatusQuery } from '../workflows/billing-cycle';
import { bearer, createTestApi, tokenFor, type TestApi, testTaskQueue } from './helpers/api';
import { createActiveCustomer, type TestCustomer } from './helpers/customers';
import { freePort } from './helpers/ports';
import { createTestArea, technicianCompletes } from './helpers/workforce';
import { ensureAccessNode, ensureServiceArea } from '../db/resource-inventory';
import { recordHistory } from './workflows/histories';

const ORDERS = '/tmf-api/productOrderingManagement/v4/productOrder';
const OFFERING = {
  prepaid10: '0ffe0000-0000-4000-8000-000000000001',
  payg: '0ffe0000-0000-4000-8000-000000000002',
  unlimited: '0ffe0000-0000-4000-8000-000000000003',
  postpaid20: '0ffe0000-0000-4000-8000-000000000004',
  ftth1g: '0ffe0000-0000-4000-8000-000000000005',
  video: '0ffe0000-0000-4000-8000-000000000006',
};
const FINAL = ['completed', 'failed', 'rejected', 'cancelled'];
const TIME_ZONE = 'Europe/Madrid'; // createActiveCustomer: bill cycle day 1

type Item = { action: 'add' | 'modify' | 'delete'; offering?: string; productId?: string };

describe('change orders through the API', () => {
  const taskQueue = testTaskQueue('order-change');
  let api: TestApi;
  let knex: Knex;
  let worker: WorkerHandle;
  let network: NetworkSimulator;
  let agent: Record<string, string>;
  let billRun: BillRunActivities;
  let closeBillRun: () => Promise<void>;

  beforeAll(async () => {
    network = await startNetworkSimulator({ port: await freePort() });
    api = await createTestApi(undefined, { fulfilOrders: true, taskQueue });
    knex = api.knex;
    worker = await startWorker({ ...process.env, NETWORK_URL: network.url, TEMPORAL_TASK_QUEUE: taskQueue }, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, schedules: false });
    agent = bearer(await tokenFor('agent'));
    // The real bill run, called for the open cycle as the billing cycle will at its end (it returns the same bill then).
    const built = createWorkerActivities(loadConfig(), { knex });
    billRun = built.activities;
    closeBillRun = built.close;
  });

  afterAll(async () => {
    await closeBillRun();
    await worker.stop();
    await api.close();
    await network.stop();
  });

  async function place(customer: TestCustomer, items: Item[], installationAddress?: Record<string, string>): Promise<string> {
    const { body } = await request(api.app)
      .post(ORDERS)
      .set(agent)
      .send({
        externalId: `ext-${randomUUID()}`,
        relatedParty: [{ id: customer.customerId, role: 'customer', '@referredType': 'Customer' }],
        billingAccount: { id: customer.billingAccountId },
        productOrderItem: items.map((item, i) => ({
          id: String(i + 1),
          action: item.action,
          ...(item.offering ? { productOffering: { id: item.offering } } : {}),
          product: item.productId
            ? { id: item.productId }
            : { productCharacteristic: [{ name: 'msisdn', value: 'any' }], ...(installationAddress ? { place: [{ role: 'installationAddress', ...installationAddress }] } : {}) },
        })),
      })
      .expect(201);
    return body.id as string;
  }

  async function until(orderId: string, name: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { body } = await request(api.app).get(`${ORDERS}/${orderId}`).set(agent).expect(200);
      if (FINAL.includes(body.state as string)) {
        const handle = new Client({ connection: api.temporal }).workflow.getHandle(`order-${orderId}`);
        await handle.result().catch(() => undefined);
        if (name) await recordHistory(`orderFulfilment ${name}`, handle);
        return body;
      }
      if (Date.now() > deadline) throw new Error(`order ${orderId} is ${body.state}: ${JSON.stringify(body.note)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Orders one line and waits for it; returns its product, service, number, SIM and IMSI. */
  async function line(customer: TestCustomer, offering: string) {
    const orderId = await place(customer, [{ action: 'add', offering }]);
    expect((await until(orderId, '')).state).toBe('completed');
    const product = await knex(ORDER_TABLES.product).where({ product_order_id: orderId }).first();
    const service = await knex(ORDER_TABLES.service).where({ id: product.body.realizingService[0].id }).first();
    const resources = service.body.supportingResource as Array<{ id: string; '@referredType': string }>;
    const msisdn = resources.find((r) => r['@referredType'] === 'MSISDN')!.id;
    const iccid = resources.find((r) => r['@referredType'] === 'SimCard')!.id;
    const { imsi } = await knex('inventory_sim').where({ iccid }).first();
    return { orderId, productId: product.id as string, serviceId: service.id as string, msisdn, iccid, imsi: imsi as string };
  }

  /** The work order of the order's installation visit, once booked. */
  async function appointmentOf(orderId: string): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await request(api.app).get(`/api/orders/${orderId}/fulfilment`).set(agent);
      if (res.status === 200 && res.body.appointment) return res.body.appointment.workOrderId as string;
      if (Date.now() > deadline) {
        const { body } = await request(api.app).get(`${ORDERS}/${orderId}`).set(agent);
        throw new Error(`no appointment for ${orderId}: ${JSON.stringify(res.body)}; order ${body.state}: ${JSON.stringify(body.note)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }


  const productBody = async (id: string) => (await knex(ORDER_TABLES.product).where({ id }).first()).body;
  const today = () => calendarDateIn(TIME_ZONE, new Date());

  /** The line had been active since the cycle began (its subscription is backdated), so the bill has two plans to prorate. */
  async function activeSinceCycleStart(billingAccountId: string): Promise<string> {
    const start = cycleContaining(today(), 1).start;
    await knex('billing_subscription').where({ billing_account_id: billingAccountId }).update({ start_date: start });
    return start;
  }

  /** A monthly fee for `days` of a cycle of `cycleDays`, by hand: fee × days / cycleDays, to the cent. */
  const prorated = (fee: string, days: number, cycleDays: number) => formatAmount(roundToCent(money(fee).times(days).dividedBy(cycleDays)));

  it('upgrades a postpaid line mid-cycle: product on the new plan, the billing cycle records the change, the next bill prorates both plans by day', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid' });
    const old = await line(customer, OFFERING.postpaid20);
    const start = await activeSinceCycleStart(customer.billingAccountId);

    const orderId = await place(customer, [{ action: 'modify', productId: old.productId, offering: OFFERING.unlimited }]);
    const done = await until(orderId, 'changes a postpaid plan mid-cycle');
    expect(done.state).toBe('completed');

    // TMF637: the same product on the new offering at the version and price sold, both orders listed.
    const product = await productBody(old.productId);
    expect(product).toMatchObject({ status: 'active', name: 'Unlimited', productOffering: { id: OFFERING.unlimited, version: '1.0' } });
    expect(product.productPrice.map((p: { name: string }) => p.name)).toEqual(['Unlimited monthly fee', 'Unlimited premium and international calls', 'Unlimited international SMS', 'SIM card fee']);
    expect(product.productOrderItem.map((i: { productOrderId: string; orderItemAction: string }) => [i.productOrderId, i.orderItemAction])).toEqual([
      [old.orderId, 'add'],
      [orderId, 'modify'],
    ]);
    // Network: same number and subscriber, same data policy (the plans do not differ in speed): no command.
    expect(network.subscriber(old.imsi)).toMatchObject({ msisdn: old.msisdn });
    expect(await knex('provisioning_log').where({ order_id: orderId })).toEqual([]);

    // Billing: the old subscription ends today, the new one starts today with the number and the new allowances.
    const effective = today();
    const deadline = Date.now() + 30_000;
    while ((await subscriptionsOfAccount(knex, customer.billingAccountId)).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const subs = await knex('billing_subscription').where({ billing_account_id: customer.billingAccountId }).orderBy('created_at');
    expect(subs.map((s) => [s.offering_id, s.status, s.msisdn, s.allowances])).toEqual([
      [OFFERING.postpaid20, 'terminated', old.msisdn, { dataOctets: '21474836480', voiceSeconds: '60000', smsEvents: 'unlimited' }],
      [OFFERING.unlimited, 'active', old.msisdn, { dataOctets: 'unlimited', voiceSeconds: 'unlimited', smsEvents: 'unlimited' }],
    ]);
    const mapped = await subscriptionsOfAccount(knex, customer.billingAccountId);
    expect(mapped.map((s) => [s.startDate, s.endDate])).toEqual([
      [start, effective],
      [effective, null],
    ]);

    // The next bill: 25.00 for the days before the change, 45.00 for the days from it, and the SIM fee.
    // E.g. a change on 26 November: 25.00 × 25/30 = 20.83 and 45.00 × 5/30 = 7.50, plus 5.00; with
    // 21 % VAT per line (4.37 + 1.58 + 1.05) the bill's charges are 40.33.
    const cycle = cycleContaining(effective, 1);
    const cycleDays = daysBetween(cycle.start, cycle.end);
    const bill = await billRun.closeBillingCycle({ billingAccountId: customer.billingAccountId, cycle });
    const lines = await knex('billing_bill_line').where({ bill_id: bill.billId }).orderBy('line_no').select('kind', 'net', 'body');
    const recurring = lines.filter((l) => l.kind === 'recurring');
    const expected = [
      { days: daysBetween(start, effective), net: prorated('25.00', daysBetween(start, effective), cycleDays) },
      { days: daysBetween(effective, cycle.end), net: prorated('45.00', daysBetween(effective, cycle.end), cycleDays) },
    ].filter((e) => e.days > 0);
    expect(recurring.map((l) => l.net)).toEqual(expected.map((e) => e.net));
    expect(recurring.map((l) => l.body.description)).toEqual(['Postpaid 20 GB monthly fee', 'Unlimited monthly fee'].slice(2 - expected.length));
    expect(lines.filter((l) => l.kind === 'oneTime').map((l) => l.net)).toEqual(['5.00']);
    const gross = [...expected.map((e) => e.net), '5.00'].reduce((a, n) => a.plus(n).plus(taxOn(money(n), '21')), money(0));
    expect(bill.totalCharges).toBe(formatAmount(gross));
  });

  it('changes a prepaid plan: the new plan’s first period paid up front, its allowances loaded, the old ones ended, the money kept', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid' });
    const old = await line(customer, OFFERING.payg);
    const account = await knex('charging_account').where({ billing_account_id: customer.billingAccountId }).first();

    const orderId = await place(customer, [{ action: 'modify', productId: old.productId, offering: OFFERING.prepaid10 }]);
    expect((await until(orderId, 'changes a prepaid plan')).state).toBe('completed');

    // 15.00 + 21 % VAT for the first 30 days of Prepaid 10 GB, collected once.
    expect((await knex('payment_charge').where({ order_id: orderId })).map((c) => [c.status, c.amount])).toEqual([['captured', '18.15']]);
    const buckets = async () => knex('charging_bucket').where({ charging_account_id: account.id }).orderBy(['bucket_type', 'created_at']);
    // The new allowances are the line's; its money is the account's, shared by all its lines.
    expect((await buckets()).map((b) => [b.bucket_type, b.balance, b.origin, b.owner_msisdn])).toEqual([
      ['data', '10737418240.000000', `order:${orderId}:1:data`, old.msisdn],
      ['money', '10.000000', `order:${old.orderId}:1:money`, null],
      ['sms', '100.000000', `order:${orderId}:1:sms`, old.msisdn],
      ['voice', '18000.000000', `order:${orderId}:1:voice`, old.msisdn],
    ]);
    expect(await knex('charging_subscriber').where({ msisdn: old.msisdn }).first()).toMatchObject({ product_id: old.productId, status: 'active' });
    expect(await productBody(old.productId)).toMatchObject({ productOffering: { id: OFFERING.prepaid10 } });

    // Back to pay-as-you-go: nothing to pay, the 10 GB allowances end now, the money stays.
    const back = await place(customer, [{ action: 'modify', productId: old.productId, offering: OFFERING.payg }]);
    expect((await until(back, '')).state).toBe('completed');
    expect(await knex('payment_charge').where({ order_id: back })).toEqual([]);
    const after = await buckets();
    const ended = after.filter((b) => b.bucket_type !== 'money');
    expect(ended).toHaveLength(3);
    for (const b of ended) expect(new Date(b.valid_until).getTime()).toBeLessThanOrEqual(Date.now());
    expect(after.find((b) => b.bucket_type === 'money')).toMatchObject({ balance: '10.000000', valid_until: null });
    expect((await productBody(old.productId)).productOrderItem.map((i: { orderItemAction: string }) => i.orderItemAction)).toEqual(['add', 'modify', 'modify']);
  });

  it('terminates the last postpaid mobile line: off the network, number quarantined, SIM retired, products ended, the account terminated with a final bill', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid' });
    const old = await line(customer, OFFERING.postpaid20);
    const start = await activeSinceCycleStart(customer.billingAccountId);
    expect(network.dataPolicy(old.imsi)).toBeDefined();

    const orderId = await place(customer, [{ action: 'delete', productId: old.productId }]);
    expect((await until(orderId, 'terminates the last postpaid mobile line')).state).toBe('completed');

    // Network: the data policy and the subscriber removed, each command logged.
    expect(network.subscriber(old.imsi)).toBeUndefined();
    expect(network.dataPolicy(old.imsi)).toBeUndefined();
    const log = await knex('provisioning_log').where({ order_id: orderId }).orderBy('seq');
    expect(log.map((c) => [c.operation, c.element, c.status])).toEqual([
      ['deactivate', 'PCRF', 'succeeded'],
      ['deactivate', 'HLR', 'succeeded'],
    ]);
    // Resources: the number ages in quarantine, the SIM card is never handed out again.
    expect(await knex('inventory_msisdn').where({ msisdn: old.msisdn }).first()).toMatchObject({ status: 'quarantined', reserved_for: null, customer_id: null });
    expect(await knex('inventory_sim').where({ iccid: old.iccid }).first()).toMatchObject({ status: 'retired' });
    // TMF637/638: terminated, with their dates.
    const product = await productBody(old.productId);
    expect(product).toMatchObject({ status: 'terminated', terminationDate: expect.any(String) });
    expect(product.productOrderItem.map((i: { orderItemAction: string }) => i.orderItemAction)).toEqual(['add', 'delete']);
    expect((await knex(ORDER_TABLES.service).where({ id: old.serviceId }).first()).body).toMatchObject({ state: 'terminated', endDate: expect.any(String) });

    // Billing: the subscription ends today; it was the last, so the account's billing cycle terminates it.
    const effective = today();
    expect((await subscriptionsOfAccount(knex, customer.billingAccountId)).map((s) => [s.status, s.startDate, s.endDate])).toEqual([['terminated', start, effective]]);
    const billing = new Client({ connection: api.temporal }).workflow.getHandle(`billing-${customer.billingAccountId}`);
    const deadline = Date.now() + 30_000;
    let status = await billing.query(billingStatusQuery);
    while (status.state !== 'terminated' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = await billing.query(billingStatusQuery);
    }
    expect(status.terminated).toEqual({ effectiveDate: effective, reason: 'customerRequest' });

    // The final bill prorates the plan to the termination date, with the SIM fee.
    const cycle = cycleContaining(effective, 1);
    const bill = await billRun.closeBillingCycle({ billingAccountId: customer.billingAccountId, cycle });
    const lines = await knex('billing_bill_line').where({ bill_id: bill.billId }).orderBy('line_no').select('kind', 'net');
    const days = daysBetween(start, effective);
    expect(lines.map((l) => [l.kind, l.net])).toEqual(
      expect.arrayContaining([['oneTime', '5.00'], ...(days > 0 ? [['recurring', prorated('25.00', days, daysBetween(cycle.start, cycle.end))]] : [])]),
    );
    expect(lines).toHaveLength(days > 0 ? 2 : 1);
  });

  it('terminates a content add-on: the entitlement revoked on the content platform, product and service terminated', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid' });
    const added = await place(customer, [{ action: 'add', offering: OFFERING.video }]);
    expect((await until(added, '')).state).toBe('completed');
    const product = await knex(ORDER_TABLES.product).where({ product_order_id: added }).first();
    expect(network.entitlements(customer.customerId)).toEqual(['CNT-VIDEO']);

    const orderId = await place(customer, [{ action: 'delete', productId: product.id }]);
    expect((await until(orderId, '')).state).toBe('completed');
    expect(network.entitlements(customer.customerId)).toEqual([]);
    const log = await knex('provisioning_log').where({ order_id: orderId }).orderBy('seq');
    expect(log.map((c) => [c.operation, c.element, c.command.replace(/CTAG=\d+, /, '')])).toEqual([['deactivate', 'CONTENT', `REVOKE ENTITLEMENT: SUBSCRIBER=${customer.customerId}, PRODUCT=CNT-VIDEO;`]]);
    expect((await productBody(product.id)).status).toBe('terminated');
    expect((await knex(ORDER_TABLES.service).where({ id: product.body.realizingService[0].id }).first()).body.state).toBe('terminated');
    expect((await subscriptionsOfAccount(knex, customer.billingAccountId)).map((s) => [s.status, s.endDate])).toEqual([['terminated', today()]]);
  });

  it('terminates fibre: the OLT port deactivated (node and frame/slot/port as held) and back in the pool', async () => {
    // An area of the test's own: its technician, its access node with one port.
    const area = await createTestArea(knex, 1);
    const nodeId = `OLT-${area.prefix.toUpperCase()}`;
    await ensureServiceArea(knex, { id: `AREA-${area.prefix}`, name: `Test area ${area.prefix}`, postalCodes: [area.prefix] });
    await ensureAccessNode(knex, { areaId: `AREA-${area.prefix}`, id: nodeId, ports: 1 });
    try {
      const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: null });
      const added = await place(customer, [{ action: 'add', offering: OFFERING.ftth1g }], { streetName: 'Calle de Alcalá', streetNr: '45', city: 'Madrid', postcode: area.postalCode, country: 'ES' });
      const workOrderId = await appointmentOf(added);
      await technicianCompletes(api.app, agent, workOrderId);
      expect((await until(added, '')).state).toBe('completed');
      const port = await knex('inventory_port').where({ customer_id: customer.customerId, status: 'inUse' }).first();
      expect([port.access_node_id, port.name]).toEqual([nodeId, '1/1/1']);
      expect(network.accessPort(port.access_node_id, port.name)).toBeDefined();
      const product = await knex(ORDER_TABLES.product).where({ product_order_id: added }).first();

      const orderId = await place(customer, [{ action: 'delete', productId: product.id }]);
      expect((await until(orderId, 'terminates fibre')).state).toBe('completed');
      expect(network.accessPort(port.access_node_id, port.name)).toBeUndefined();
      const log = await knex('provisioning_log').where({ order_id: orderId }).orderBy('seq');
      expect(log.map((c) => [c.operation, c.element, c.status, c.command.replace(/CTAG=\d+, /, '')])).toEqual([
        ['deactivate', 'OLT', 'succeeded', `DEACTIVATE PORT: NODE=${port.access_node_id}, PORT=${port.name}, SERVICE=${product.body.realizingService[0].id};`],
      ]);
      expect(await knex('inventory_port').where({ access_node_id: port.access_node_id, name: port.name }).first()).toMatchObject({ status: 'available', owner: null, customer_id: null });
      expect((await productBody(product.id)).status).toBe('terminated');
    } finally {
      await area.remove();
    }
  });

  it('terminates one of two postpaid lines: its subscription ends, the account and the other line go on', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid' });
    const first = await line(customer, OFFERING.postpaid20);
    const second = await line(customer, OFFERING.unlimited);

    const orderId = await place(customer, [{ action: 'delete', productId: first.productId }]);
    expect((await until(orderId, '')).state).toBe('completed');
    expect(network.subscriber(first.imsi)).toBeUndefined();
    expect(network.subscriber(second.imsi)).toMatchObject({ msisdn: second.msisdn });
    const subs = await subscriptionsOfAccount(knex, customer.billingAccountId);
    expect(subs.map((s) => [s.productId, s.status, s.endDate])).toEqual([
      [first.productId, 'terminated', today()],
      [second.productId, 'active', null],
    ]);
    const status = await new Client({ connection: api.temporal }).workflow.getHandle(`billing-${customer.billingAccountId}`).query(billingStatusQuery);
    expect(status.state).toBe('current');
    expect(status.terminated).toBeUndefined();
    expect((await productBody(second.productId)).status).toBe('active');
  });

  it('terminates a prepaid line: off the network, its number closed for charging, its allowances ended, number and SIM retired', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid' });
    const old = await line(customer, OFFERING.prepaid10);
    const orderId = await place(customer, [{ action: 'delete', productId: old.productId }]);
    expect((await until(orderId, 'terminates a prepaid line')).state).toBe('completed');

    expect(network.subscriber(old.imsi)).toBeUndefined();
    expect(await knex('charging_subscriber').where({ msisdn: old.msisdn }).first()).toMatchObject({ status: 'closed' });
    const account = await knex('charging_account').where({ billing_account_id: customer.billingAccountId }).first();
    const buckets = await knex('charging_bucket').where({ charging_account_id: account.id }).orderBy('bucket_type');
    expect(buckets.map((b) => b.bucket_type)).toEqual(['data', 'sms', 'voice']);
    for (const b of buckets) expect(new Date(b.valid_until).getTime()).toBeLessThanOrEqual(Date.now());
    expect(await knex('inventory_msisdn').where({ msisdn: old.msisdn }).first()).toMatchObject({ status: 'quarantined' });
    expect(await knex('inventory_sim').where({ iccid: old.iccid }).first()).toMatchObject({ status: 'retired' });
    expect((await productBody(old.productId)).status).toBe('terminated');
    expect(await knex('payment_charge').where({ order_id: orderId })).toEqual([]);
  });

  it('fails a prepaid plan change whose card is declined, and changes nothing', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid' });
    const old = await line(customer, OFFERING.payg);
    const before = await productBody(old.productId);
    // The card on file now declines (the simulator declines cards ending 0341).
    await knex('crm_payment_method').where({ customer_id: customer.customerId }).update({ gateway_token: `tok_sim_0341_${randomUUID().replace(/-/g, '')}`, last4: '0341' });

    const orderId = await place(customer, [{ action: 'modify', productId: old.productId, offering: OFFERING.prepaid10 }]);
    const done = await until(orderId, 'fails a prepaid plan change whose card is declined');
    expect(done.state).toBe('failed');
    expect(JSON.stringify(done.note)).toMatch(/payment declined/);
    expect((await knex('payment_charge').where({ order_id: orderId })).map((c) => c.status)).toEqual(['declined']);
    expect(await productBody(old.productId)).toEqual(before);
    const account = await knex('charging_account').where({ billing_account_id: customer.billingAccountId }).first();
    expect((await knex('charging_bucket').where({ charging_account_id: account.id })).map((b) => b.bucket_type)).toEqual(['money']);
  });

  it('compensates a prepaid plan change that fails after the payment and the product change: product back on its plan, payment refunded, failed', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid' });
    const old = await line(customer, OFFERING.payg);
    const before = await productBody(old.productId);
    // The line's charging subscriber is gone (removed by hand on the charging side): the charging step cannot be done.
    await knex('charging_subscriber').where({ msisdn: old.msisdn }).delete();

    const orderId = await place(customer, [{ action: 'modify', productId: old.productId, offering: OFFERING.prepaid10 }]);
    const done = await until(orderId, 'compensates a prepaid plan change that fails after side effects');
    expect(done.state).toBe('failed');
    expect(JSON.stringify(done.note)).toMatch(/has no charging subscriber/);
    expect((await knex('payment_charge').where({ order_id: orderId })).map((c) => [c.status, c.refunded_amount])).toEqual([['refunded', '18.15']]);
    const after = await productBody(old.productId);
    expect({ ...after, lastUpdate: before.lastUpdate }).toEqual(before);
    const account = await knex('charging_account').where({ billing_account_id: customer.billingAccountId }).first();
    expect((await knex('charging_bucket').where({ charging_account_id: account.id })).map((b) => b.bucket_type)).toEqual(['money']);
  });

  it('rejects change orders for an unknown product, another customer’s, an inactive one, another service type, or mixed with an add, and changes nothing', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid' });
    const other = await createActiveCustomer(knex, { paymentType: 'prepaid' });
    const mine = await line(customer, OFFERING.payg);
    const before = await productBody(mine.productId);
    const unknown = randomUUID();

    const cases: Array<[TestCustomer, Item[], string[]]> = [
      [customer, [{ action: 'modify', productId: unknown, offering: OFFERING.prepaid10 }], [`item 1: product ${unknown} does not exist`]],
      [other, [{ action: 'delete', productId: mine.productId }], [`item 1: product ${mine.productId} belongs to another customer`]],
      [customer, [{ action: 'modify', productId: mine.productId, offering: OFFERING.video }], [`item 1: Video streaming add-on is a content service, product ${mine.productId} is a mobile service`]],
      [
        customer,
        [
          { action: 'add', offering: OFFERING.payg },
          { action: 'modify', productId: mine.productId, offering: OFFERING.prepaid10 },
        ],
        ['an order either adds products or changes existing ones: item 1 adds; place them in a separate order'],
      ],
    ];
    for (const [who, items, reasons] of cases) {
      const orderId = await place(who, items);
      const done = await until(orderId, '');
      expect(done.state).toBe('rejected');
      expect((done.note as Array<{ text: string }>).map((n) => n.text)).toEqual([`rejected: ${reasons.join('; ')}`]);
    }

    // Another change order of the product still open (stored, its fulfilment not yet started): this one waits its turn.
    const open = randomUUID();
    await knex.transaction((trx) =>
      createTmfResourceOnce(trx, productOrderModel, open, {
        relatedParty: [{ id: customer.customerId, role: 'customer', '@referredType': 'Customer' }],
        billingAccount: { id: customer.billingAccountId },
        productOrderItem: [{ id: '1', action: 'delete', state: 'acknowledged', product: { id: mine.productId } }],
      }, { now: new Date(), publicUrl: loadConfig().publicUrl }),
    );
    const second = await place(customer, [{ action: 'modify', productId: mine.productId, offering: OFFERING.prepaid10 }]);
    expect((await until(second, '')).note).toEqual([expect.objectContaining({ text: `rejected: item 1: product ${mine.productId} is being changed by order ${open}; wait until that order ends` })]);
    await knex(ORDER_TABLES.productOrder).where({ id: open }).delete();

    // Suspended (as dunning or an agent leaves it): not active, so no plan change.
    await request(api.app).patch(`/tmf-api/productInventory/v4/product/${mine.productId}`).set(agent).send({ status: 'suspended' }).expect(200);
    const suspended = await place(customer, [{ action: 'modify', productId: mine.productId, offering: OFFERING.prepaid10 }]);
    const done = await until(suspended, 'rejects a change of a suspended product');
    expect(done.state).toBe('rejected');
    expect((done.note as Array<{ text: string }>).map((n) => n.text)).toEqual([`rejected: item 1: product ${mine.productId} is suspended, not active`]);

    // Nothing changed: the product as it was (but for the suspension), no network command, no payment, no new bucket.
    const after = await productBody(mine.productId);
    expect({ ...after, status: before.status, lastUpdate: before.lastUpdate }).toEqual(before);
    expect(await knex('provisioning_log').where({ service_id: mine.serviceId })).toHaveLength(2); // the activation's HLR and PCRF
    expect(await knex('payment_charge').where({ customer_id: customer.customerId })).toHaveLength(1); // the line's own
    expect(await knex('charging_bucket').where('origin', 'not like', `order:${mine.orderId}:%`).whereIn('charging_account_id', knex('charging_account').select('id').where({ billing_account_id: customer.billingAccountId }))).toEqual([]);
  });
});
