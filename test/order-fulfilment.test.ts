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
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';
import { createActiveCustomer, type TestCustomer } from './helpers/customers';
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
  let api: TestApi;
  let knex: Knex;
  let worker: WorkerHandle;
  let network: NetworkSimulator;
  let agent: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    network = await startNetworkSimulator({ port: await freePort() });
    api = await createTestApi(undefined, { fulfilOrders: true });
    knex = api.knex;
    worker = await startWorker({ ...process.env, NETWORK_URL: network.url }, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } });
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

  async function until(orderId: string, states: string[], timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const body = await stateOf(orderId);
      if (states.includes(body.state as string)) {
        if (FINAL.includes(body.state as string)) {
          const handle = new Client({ connection: api.temporal }).workflow.getHandle(`order-${orderId}`);
          await handle.result().catch(() => undefined);
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
    expect(buckets.map((b) => [b.bucket_type, b.balance])).toEqual([
      ['data', '10737418240.000000'],
      ['sms', '100.000000'],
      ['voice', '18000.000000'],
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
