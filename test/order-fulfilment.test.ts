/**
 * Order fulfilment end to end on the dev server: a TMF622 order through the API, its workflow on
 * a worker, the network simulator, and what the customer, the inventory, charging and billing
 * end up with.
 */
import { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startNetworkSimulator, type NetworkSimulator } from '../network/simulator';
import { startWorker, type WorkerHandle } from '../worker/main';
import { bearer, createTestApi, tokenFor, type TestApi, testTaskQueue } from './helpers/api';
import { createActiveCustomer, type TestCustomer } from './helpers/customers';
import { createTestArea, technicianCompletes } from './helpers/workforce';
import { ensureAccessNode, ensureServiceArea } from '../db/resource-inventory';
import { NetworkClient } from '../network/client';
import { freePort } from './helpers/ports';
import { recordHistory } from './workflows/histories';

const ORDERS = '/tmf-api/productOrderingManagement/v4/productOrder';
const OFFERING = {
  prepaid10: '0ffe0000-0000-4000-8000-000000000001',
  payg: '0ffe0000-0000-4000-8000-000000000002',
  postpaid20: '0ffe0000-0000-4000-8000-000000000004',
  ftth1g: '0ffe0000-0000-4000-8000-000000000005',
  video: '0ffe0000-0000-4000-8000-000000000006',
};
const FINAL = ['completed', 'failed', 'rejected', 'cancelled'];

describe('order fulfilment through the API', () => {
  const taskQueue = testTaskQueue('orders');
  let api: TestApi;
  let knex: Knex;
  let worker: WorkerHandle;
  let network: NetworkSimulator;
  let agent: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    network = await startNetworkSimulator({ port: await freePort() });
    api = await createTestApi(undefined, { fulfilOrders: true, taskQueue });
    knex = api.knex;
    worker = await startWorker({ ...process.env, NETWORK_URL: network.url, TEMPORAL_TASK_QUEUE: taskQueue }, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, schedules: false });
    agent = bearer(await tokenFor('agent'));
    admin = bearer(await tokenFor('admin'));
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
    await network.stop();
  });

  function order(customer: TestCustomer, items: Array<{ offering: string; characteristics?: Record<string, string>; place?: Record<string, unknown> }>) {
    return request(api.app)
      .post(ORDERS)
      .set(agent)
      .send({
        externalId: `ext-${randomUUID()}`,
        channel: [{ id: 'callCentre', name: 'Call centre' }],
        relatedParty: [{ id: customer.customerId, role: 'customer', '@referredType': 'Customer' }],
        billingAccount: { id: customer.billingAccountId },
        productOrderItem: items.map((item, i) => ({
          id: String(i + 1),
          action: 'add',
          quantity: 1,
          productOffering: { id: item.offering },
          product: {
            productCharacteristic: Object.entries(item.characteristics ?? {}).map(([name, value]) => ({ name, value })),
            ...(item.place ? { place: [{ role: 'installationAddress', ...item.place }] } : {}),
          },
        })),
      })
      .expect(201);
  }

  async function stateOf(orderId: string): Promise<Record<string, unknown>> {
    return (await request(api.app).get(`${ORDERS}/${orderId}`).set(agent).expect(200)).body;
  }

  // Under jest's 60 s per test, so that an order that never gets there fails with its state and note, not a bare timeout.
  async function until(orderId: string, states: string[], timeoutMs = 45_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const body = await stateOf(orderId);
      if (states.includes(body.state as string)) {
        if (FINAL.includes(body.state as string)) {
          const handle = new Client({ connection: api.temporal }).workflow.getHandle(`order-${orderId}`);
          // The workflow may still be finishing (a last notice) when the order is final: wait for
          // it within the same deadline, and say what it is doing if it has not finished by then.
          let timer: NodeJS.Timeout | undefined;
          const ended = await Promise.race([
            handle.result().then(
              () => true,
              () => true,
            ),
            new Promise<false>((r) => (timer = setTimeout(() => r(false), Math.max(deadline - Date.now(), 5_000)))),
          ]);
          clearTimeout(timer);
          if (!ended) {
            const { status, raw } = await handle.describe();
            throw new Error(`order ${orderId} is ${body.state} but its workflow is ${status.name}: ${JSON.stringify(raw.pendingActivities ?? [])}`);
          }
          await recordHistory(`orderFulfilment ${expect.getState().currentTestName!.replace(/^order fulfilment through the API /, '')}`, handle);
        }
        return body;
      }
      if (Date.now() > deadline) throw new Error(`order ${orderId} is ${body.state}, never ${states.join('/')}: ${JSON.stringify(body.note)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function messages(recipient: string): Promise<Array<{ channel: string; subject: string; body: string }>> {
    return (await request(api.app).get('/api/dev/outbox').query({ recipient }).set(admin).expect(200)).body;
  }

  async function received(recipient: string, subject: RegExp, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await messages(recipient)).find((m) => subject.test(m.subject ?? ''));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no message ${subject} for ${recipient}: ${JSON.stringify((await messages(recipient)).map((m) => m.subject))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('activates a prepaid mobile line: number, SIM, HLR and PCRF, payment, charging account with buckets, products and services', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid' });
    const { body: created } = await order(customer, [{ offering: OFFERING.prepaid10, characteristics: { msisdn: 'any', simType: 'eSIM' } }]);
    expect(created.state).toBe('acknowledged');
    const done = await until(created.id, FINAL);
    expect(done.state).toBe('completed');

    // Inventory: a number and a SIM in use for this customer.
    const number = await knex('inventory_msisdn').where({ customer_id: customer.customerId, status: 'inUse' });
    expect(number).toHaveLength(1);
    const sim = await knex('inventory_sim').where({ customer_id: customer.customerId, status: 'inUse' });
    expect(sim).toHaveLength(1);
    const msisdn = number[0].msisdn as string;
    const imsi = sim[0].imsi as string;

    // Network: the subscriber on the HLR with that number, a data policy on the PCRF.
    expect(network.subscriber(imsi)).toMatchObject({ msisdn });
    expect(network.dataPolicy(imsi)).toBeDefined();
    const log = await knex('provisioning_log').where({ order_id: created.id });
    expect(log.length).toBeGreaterThanOrEqual(2);
    expect(log.every((row) => row.status === 'succeeded')).toBe(true);

    // Money: SIM fee and the first 30 days, 24.20 EUR with VAT, collected once.
    const charges = await knex('payment_charge').where({ order_id: created.id });
    expect(charges.map((c) => [c.status, c.amount])).toEqual([['captured', '24.20']]);

    // Charging: the allowances of the plan on the customer's charging account.
    const account = await knex('charging_account').where({ billing_account_id: customer.billingAccountId }).first();
    const buckets = await knex('charging_bucket').where({ charging_account_id: account.id }).orderBy('bucket_type');
    // They are the line's own: another line of the account does not draw on them.
    expect(buckets.map((b) => [b.bucket_type, b.balance, b.owner_msisdn])).toEqual([
      ['data', '10737418240.000000', msisdn],
      ['sms', '100.000000', msisdn],
      ['voice', '18000.000000', msisdn],
    ]);
    expect(await knex('charging_subscriber').where({ msisdn }).first()).toMatchObject({ imsi, charging_account_id: account.id });

    // TMF637/638/641: active product at the version sold, active service with its resources.
    const customerToken = bearer(await tokenFor('customer', { customerId: customer.customerId }));
    const products = (await request(api.app).get('/tmf-api/productInventory/v4/product').set(customerToken).expect(200)).body;
    expect(products).toEqual([expect.objectContaining({ status: 'active', productOffering: expect.objectContaining({ id: OFFERING.prepaid10, version: '1.0' }) })]);
    const services = (await request(api.app).get('/tmf-api/serviceInventory/v4/service').set(customerToken).expect(200)).body;
    expect(services).toEqual([expect.objectContaining({ state: 'active', supportingResource: expect.arrayContaining([expect.objectContaining({ id: msisdn })]) })]);

    // The customer heard at acknowledgement and completion, with the number.
    await received(customer.email, /order/i);
    const completed = await received(customer.email, /active|ready|complete/i);
    expect(completed.body).toContain(msisdn);
  });

  /** Where the workflow stands (appointment, numbers), once it has got as far as `ready` says. */
  type Fulfilment = { state: string; appointment?: { workOrderId: string; start: string; end: string } };

  async function fulfilment(orderId: string, ready: (f: Fulfilment) => boolean, timeoutMs = 60_000): Promise<Required<Fulfilment>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await request(api.app).get(`/api/orders/${orderId}/fulfilment`).set(agent);
      if (res.status === 200 && ready(res.body as Fulfilment)) return res.body as Required<Fulfilment>;
      if (Date.now() > deadline) throw new Error(`fulfilment of ${orderId}: ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }


  const madrid = { streetName: 'Calle de Alcalá', streetNr: '45', city: 'Madrid', postcode: '28014', country: 'ES' };

  it('installs postpaid fibre: a port, an appointment the customer hears of, the technician completes, the OLT port, a billing subscription', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: null });
    const { body: created } = await order(customer, [{ offering: OFFERING.ftth1g, place: madrid }]);
    const { appointment } = await fulfilment(created.id, (f) => !!f.appointment);
    expect((await stateOf(created.id)).state).toBe('inProgress');
    const port = await knex('inventory_port').where({ customer_id: customer.customerId }).first();
    expect(port.status).toBe('reserved');
    const told = await received(customer.email, /progress|appointment|visit/i);
    expect(told.body).toContain(appointment.start.slice(0, 10));

    await technicianCompletes(api.app, agent, appointment.workOrderId);
    expect((await until(created.id, FINAL)).state).toBe('completed');
    expect(await knex('inventory_port').where({ customer_id: customer.customerId }).first()).toMatchObject({ status: 'inUse' });
    const node = await knex('inventory_access_node').where({ id: port.access_node_id }).first();
    expect(network.accessPort(node.id, port.name)).toBeDefined();
    // Postpaid: nothing collected now; the installation fee waits for the first bill.
    expect(await knex('payment_charge').where({ order_id: created.id })).toHaveLength(0);
    expect((await knex('billing_subscription').where({ order_id: created.id })).map((r) => [r.offering_id, r.status])).toEqual([[OFFERING.ftth1g, 'active']]);
    expect((await knex('billing_one_time_charge').where({ order_id: created.id })).map((r) => [r.net, r.tax, r.status])).toEqual([['60.00', '12.60', 'pending']]);
  });

  it('fulfils the fibre + mobile bundle: both services, one visit, the discount kept with the bundle', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: null });
    const { body: created } = await order(customer, [{ offering: '0ffe0000-0000-4000-8000-000000000007', characteristics: { msisdn: 'any' }, place: madrid }]);
    const { appointment } = await fulfilment(created.id, (f) => !!f.appointment);
    await technicianCompletes(api.app, agent, appointment.workOrderId);
    expect((await until(created.id, FINAL)).state).toBe('completed');
    const subscriptions = await knex('billing_subscription').where({ order_id: created.id }).orderBy('product_key');
    expect(subscriptions.map((r) => r.product_key)).toEqual(['1', '1/1', '1/2']);
    expect(subscriptions[0].prices).toEqual([expect.objectContaining({ priceType: 'discount', percentage: '15' })]);
    // Offline charging finds the mobile subscription by its number and rates with its allowances and tariffs.
    const [number] = await knex('inventory_msisdn').where({ customer_id: customer.customerId, status: 'inUse' }).pluck('msisdn');
    expect(subscriptions.filter((r) => r.msisdn !== null).map((r) => [r.msisdn, r.allowances])).toEqual([[number, { dataOctets: '21474836480', voiceSeconds: '60000', smsEvents: 'unlimited' }]]);
    const usagePrices = subscriptions.find((r) => r.msisdn !== null).prices.filter((p: { priceType: string }) => p.priceType === 'usage');
    expect(usagePrices.map((p: { usageType: string; rating: { bands: unknown[] } }) => [p.usageType, p.rating.bands.length > 0]).sort()).toEqual([['data', true], ['sms', true], ['voice', true]]);
    expect((await knex('billing_one_time_charge').where({ order_id: created.id }).orderBy('product_key')).map((r) => r.description)).toEqual([
      'Fibre installation fee',
      'SIM card fee',
    ]);
    expect(await knex('inventory_msisdn').where({ customer_id: customer.customerId, status: 'inUse' })).toHaveLength(1);
    expect(await knex('inventory_port').where({ customer_id: customer.customerId, status: 'inUse' })).toHaveLength(1);
  });

  it('waits in pending while the area has no free port, and goes on when capacity is added', async () => {
    const area = await createTestArea(knex, 1);
    const areaId = `AREA-${area.prefix}`;
    const nodeId = `OLT-${area.prefix.toUpperCase()}`;
    await ensureServiceArea(knex, { id: areaId, name: `Test area ${area.prefix}`, postalCodes: [area.prefix] });
    await ensureAccessNode(knex, { areaId, id: nodeId, ports: 0 });
    try {
      const customer = await createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: null });
      const { body: created } = await order(customer, [{ offering: OFFERING.ftth1g, place: { ...madrid, postcode: area.postalCode } }]);
      const pending = await until(created.id, ['pending']);
      expect(JSON.stringify(pending)).not.toContain('completed');
      const waiting = await received(customer.email, /on hold/i);
      expect(waiting.body).toMatch(/capacity/);

      await request(api.app).post(`/api/inventory/access-nodes/${nodeId}/ports`).set(admin).send({ count: 1 }).expect(201);
      const { appointment } = await fulfilment(created.id, (f) => !!f.appointment);
      expect((await stateOf(created.id)).state).toBe('inProgress');
      await technicianCompletes(api.app, agent, appointment.workOrderId);
      expect((await until(created.id, FINAL)).state).toBe('completed');
    } finally {
      await area.remove();
    }
  });

  it('holds an order whose card is declined, and completes it when paid with another card', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid', cardLast4: '0341' });
    const { body: created } = await order(customer, [{ offering: OFFERING.payg, characteristics: { msisdn: 'any' } }]);
    const held = await until(created.id, ['held', ...FINAL]);
    expect(held.state).toBe('held');
    const declined = await received(customer.email, /payment|declined/i);
    expect(declined.body).toContain('16.05'); // SIM 6.05 + 10.00 credit

    // A bad card is refused at the door, and the order stays held.
    await request(api.app).post(`/api/orders/${created.id}/payment`).set(agent).send({ card: { type: 'card', number: '4111111111111112', expiryMonth: 12, expiryYear: 2031, holderName: 'Lucía Martín' } }).expect(400);
    const paid = await request(api.app)
      .post(`/api/orders/${created.id}/payment`)
      .set(bearer(await tokenFor('customer', { customerId: customer.customerId })))
      .send({ card: { type: 'card', number: '4242424242424242', expiryMonth: 12, expiryYear: 2031, holderName: 'Lucía Martín' } })
      .expect(202);
    expect(paid.body.paymentMethodId).toEqual(expect.any(String));
    expect((await until(created.id, FINAL)).state).toBe('completed');
    expect((await knex('payment_charge').where({ order_id: created.id }).orderBy('created_at')).map((c) => [c.status, c.amount])).toEqual([
      ['declined', '16.05'],
      ['captured', '16.05'],
    ]);
    // Paying a completed order is a conflict.
    await request(api.app).post(`/api/orders/${created.id}/payment`).set(agent).send({ paymentMethodId: paid.body.paymentMethodId }).expect(409);
  });

  it('cancels an order before activation: resources back in the pool, nothing in the network', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid', cardLast4: '0341' });
    const { body: created } = await order(customer, [{ offering: OFFERING.payg, characteristics: { msisdn: 'any' } }]);
    await until(created.id, ['held']);
    const reserved = await knex('inventory_msisdn').where({ customer_id: customer.customerId }).first();
    expect(reserved.status).toBe('reserved');
    const { body: cancellation } = await request(api.app)
      .post('/tmf-api/productOrderingManagement/v4/cancelProductOrder')
      .set(agent)
      .send({ productOrder: { id: created.id }, cancellationReason: 'changed my mind' })
      .expect(201);
    expect((await until(created.id, FINAL)).state).toBe('cancelled');
    const request_ = (await request(api.app).get(`/tmf-api/productOrderingManagement/v4/cancelProductOrder/${cancellation.id}`).set(agent).expect(200)).body;
    expect(request_.state).toBe('done');
    // Back in the pool (another test may take it at once): no longer this customer's.
    expect(await knex('inventory_msisdn').where({ msisdn: reserved.msisdn, customer_id: customer.customerId })).toHaveLength(0);
    expect(await knex('inventory_sim').where({ customer_id: customer.customerId })).toHaveLength(0);
    expect(await knex('provisioning_log').where({ order_id: created.id })).toHaveLength(0);
    await received(customer.email, /cancel/i);
  });

  it('refuses a cancellation once activation has started, and completes the order', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid' });
    network.setFault('HLR', { mode: 'SLOW', delayMs: 3000, count: 1 });
    try {
      const { body: created } = await order(customer, [{ offering: OFFERING.payg, characteristics: { msisdn: 'any' } }]);
      await fulfilment(created.id, (f) => (f as { pointOfNoReturn?: boolean }).pointOfNoReturn === true);
      const { body: cancellation } = await request(api.app)
        .post('/tmf-api/productOrderingManagement/v4/cancelProductOrder')
        .set(agent)
        .send({ productOrder: { id: created.id }, cancellationReason: 'too late' })
        .expect(201);
      const done = await until(created.id, FINAL);
      expect(done.state).toBe('completed');
      expect(JSON.stringify(done.note)).toContain('activation has started');
      const decided = (await request(api.app).get(`/tmf-api/productOrderingManagement/v4/cancelProductOrder/${cancellation.id}`).set(agent).expect(200)).body;
      expect(decided.state).toBe('terminatedWithError');
    } finally {
      network.clearFaults();
    }
  });

  it('compensates fully when the network refuses activation: deactivated, released, refunded, failed', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid' });
    const [{ msisdn }] = await knex('inventory_msisdn').select('msisdn').where({ status: 'available' }).orderByRaw('random()').limit(1);
    // Another subscriber already has this number on the HLR: the create is refused, not retried.
    const client = NetworkClient.fromUrl(network.url);
    await client.send({ verb: 'CREATE', object: 'SUBSCRIBER', params: { MSISDN: msisdn, IMSI: '214019999999999', ICCID: '8934019999999999990', PROFILE: 'POSTPAID', VOICE: 'YES', SMS: 'YES', DATA: 'YES' } });
    await client.close();

    const { body: created } = await order(customer, [{ offering: OFFERING.payg, characteristics: { msisdn } }]);
    const done = await until(created.id, FINAL);
    expect(done.state).toBe('failed');
    expect(JSON.stringify(done.note)).toMatch(/CREATE SUBSCRIBER/);
    expect((await knex('payment_charge').where({ order_id: created.id })).map((c) => [c.status, c.refunded_amount])).toEqual([['refunded', '16.05']]);
    expect(await knex('inventory_msisdn').where({ msisdn, customer_id: customer.customerId })).toHaveLength(0);
    expect(await knex('inventory_sim').where({ customer_id: customer.customerId })).toHaveLength(0);
    expect(network.subscriber('214019999999999')).toMatchObject({ msisdn }); // the other subscriber is untouched
    const charging = await knex('charging_account').where({ billing_account_id: customer.billingAccountId });
    expect(charging).toHaveLength(0);
    const products = await knex('product_inventory').where({ product_order_id: created.id });
    expect(products.map((p) => p.body.status)).toEqual(['cancelled']);
    const failedMail = await received(customer.email, /could not|failed/i);
    expect(failedMail.body).toMatch(/16[.,]05/);
  });

  it('rejects an order that fails validation, with every reason, and touches nothing', async () => {
    const customer = await createActiveCustomer(knex, { paymentType: 'prepaid' });
    const { body: created } = await order(customer, [
      { offering: OFFERING.postpaid20, characteristics: { msisdn: 'any' } },
      { offering: OFFERING.ftth1g },
    ]);
    const done = await until(created.id, FINAL);
    expect(done.state).toBe('rejected');
    const notes = JSON.stringify(done.note);
    expect(notes).toContain('Postpaid 20 GB is postpaid, the billing account is prepaid');
    expect(notes).toContain('needs an installation address');
    expect(await knex('payment_charge').where({ order_id: created.id })).toHaveLength(0);
    expect(await knex('inventory_msisdn').where({ customer_id: customer.customerId })).toHaveLength(0);
    await received(customer.email, /reject|could not/i);
  });
});
