/**
 * Reliability of order fulfilment: 100 orders in flight (prepaid and postpaid mobile lines, and
 * fibre with a technician's visit), the worker process is killed (SIGKILL, like a crashed host)
 * and another one started. Every order must complete exactly once: one payment, one set of
 * charging buckets or one billing subscription, one product, one completion state change and one
 * completion notice; no number, SIM card or port goes to two orders; and no network command takes
 * effect twice (the simulator counts the commands that changed its state).
 */
import { Client, Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Express } from 'express';
import type { Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../api/app';
import { loadConfig } from '../config';
import { createKnex } from '../db/knex';
import { systemClock } from '../domain/clock';
import { startNetworkSimulator, type NetworkSimulator } from '../network/simulator';
import { ensureSchedules } from '../worker/schedules';
import { bearer, testAppDeps, tokenFor } from './helpers/api';
import { createActiveCustomer, type TestCustomer } from './helpers/customers';

const ORDERS = '/tmf-api/productOrderingManagement/v4/productOrder';
const PREPAID_10GB = '0ffe0000-0000-4000-8000-000000000001';
const POSTPAID_20GB = '0ffe0000-0000-4000-8000-000000000004';
const FIBRE_1G = '0ffe0000-0000-4000-8000-000000000005';
const WORK_ORDERS = '/tmf-api/workOrder/v4/workOrder';
const PREPAID_ORDERS = 85;
const POSTPAID_ORDERS = 10;
/** Fibre orders of postpaid customers in Madrid: a port each, and a technician's visit the test completes. */
const FIBRE_ORDERS = 5;
const TOTAL = PREPAID_ORDERS + POSTPAID_ORDERS + FIBRE_ORDERS;
const MOBILE = PREPAID_ORDERS + POSTPAID_ORDERS;
const FINAL = ['completed', 'failed', 'rejected', 'cancelled'];
/** The worker dies once this many orders are complete, or this many subscribers exist (the others still in flight). */
const KILL_AFTER_COMPLETED = 5;
const KILL_AFTER_PROVISIONED = 60;
/** A queue of its own: no worker of another test file picks up these orders, nor this worker theirs. */
const TASK_QUEUE = `reliability-${randomUUID().slice(0, 8)}`;
const WORKER_ENTRY = path.join(__dirname, 'helpers', 'worker-process.ts');

type OrderKind = 'prepaid' | 'postpaid' | 'fibre';

interface PlacedOrder {
  id: string;
  customer: TestCustomer;
  kind: OrderKind;
}

/** The order item of each kind of order. */
function itemOf(kind: OrderKind, n: number) {
  if (kind === 'fibre') {
    return {
      productOffering: { id: FIBRE_1G },
      product: { place: [{ role: 'installationAddress', street: `Calle de Alcalá ${n}`, city: 'Madrid', postcode: '28014', country: 'ES' }] },
    };
  }
  return { productOffering: { id: kind === 'prepaid' ? PREPAID_10GB : POSTPAID_20GB }, product: { productCharacteristic: [{ name: 'msisdn', value: 'any' }] } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return out;
}

describe('order fulfilment when the worker is killed with 100 orders in flight', () => {
  let network: NetworkSimulator;
  let knex: Knex;
  let temporal: Connection;
  let app: Express;
  let agent: Record<string, string>;
  const children = new Set<ChildProcess>();
  let stopTechnicians = async () => undefined as void;

  /** A worker process on this test's queue and simulator; resolves once it polls. */
  function startWorkerProcess(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, NETWORK_URL: network.url, TEMPORAL_TASK_QUEUE: TASK_QUEUE, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker process not ready after 60 s: ${stderr}`)), 60_000);
      let stdout = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('worker ready')) {
          clearTimeout(timer);
          resolve(child);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`worker process exited (${code ?? signal}) before it was ready: ${stderr}`));
      });
    });
  }

  async function killHard(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    network = await startNetworkSimulator({ port: 0 });
    const config = loadConfig();
    knex = createKnex(config.databaseUrl);
    temporal = await Connection.connect({ address: config.temporalAddress });
    // The housekeeping schedule belongs on the default queue; made first, this test's worker leaves it alone.
    await ensureSchedules(new Client({ connection: temporal, namespace: config.temporalNamespace }), config.taskQueue);
    app = createApp({ ...testAppDeps(), logger: pino({ level: 'silent' }), taskQueue: TASK_QUEUE, knex, temporal, temporalProbe: temporal, clock: systemClock, fulfilOrders: true });
    agent = bearer(await tokenFor('agent'));
  });

  afterAll(async () => {
    await stopTechnicians();
    await Promise.all([...children].map(killHard));
    await network?.stop();
    await knex?.destroy();
    await temporal?.close();
  });

  /**
   * The technicians of the fibre orders: each visit's work order is completed through the API as
   * soon as it exists (the completion reaches the order whether or not a worker is alive).
   */
  function completeVisits(orderIds: string[]): { stop(): Promise<void> } {
    const done = new Set<string>();
    let running = true;
    const loop = (async () => {
      while (running && done.size < orderIds.length) {
        const workOrders: Array<{ id: string; body: { state: string; order?: Array<{ id: string }>; assignedTechnician?: { id: string } } }> = await knex('workforce_work_order')
          .select('id', 'body')
          .whereRaw(`body #>> '{order,0,id}' = ANY(?)`, [orderIds]);
        for (const wo of workOrders) {
          const orderId = wo.body.order![0].id;
          if (done.has(orderId)) continue;
          const technician = bearer(await tokenFor('technician', { subject: wo.body.assignedTechnician!.id }));
          const url = `${WORK_ORDERS}/${wo.id}`;
          if (wo.body.state === 'acknowledged') await request(app).patch(url).set(technician).send({ state: 'inProgress' }).expect(200);
          if (wo.body.state !== 'completed') await request(app).patch(url).set(technician).send({ state: 'completed', note: { text: 'ONT installed' } }).expect(200);
          done.add(orderId);
        }
        await sleep(250);
      }
    })();
    // Kept, not thrown: the test sees a technician's failure when it stops them.
    const outcome = loop.then(() => undefined, (err: unknown) => err);
    const stop = async () => {
      running = false;
      const err = await outcome;
      if (err) throw err;
    };
    stopTechnicians = () => stop().catch(() => undefined);
    return { stop };
  }

  async function statesOf(ids: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; state: string }> = await knex('product_order').select('id', 'state').whereIn('id', ids);
    return new Map(rows.map((r) => [r.id, r.state]));
  }

  const count = (states: Map<string, string>, wanted: string[]) => [...states.values()].filter((s) => wanted.includes(s)).length;

  it('completes every order exactly once, allocates nothing twice and applies no network command twice', async () => {
    // Subscriber creation is slow, so that many orders are between their steps when the worker dies.
    network.setFault('HLR', { mode: 'SLOW', delayMs: 500 });

    const [prepaid, postpaid, first] = await Promise.all([
      inBatches(Array.from({ length: PREPAID_ORDERS }), 10, () => createActiveCustomer(knex, { paymentType: 'prepaid' })),
      inBatches(Array.from({ length: POSTPAID_ORDERS + FIBRE_ORDERS }), 10, () => createActiveCustomer(knex, { paymentType: 'postpaid', cardLast4: null })),
      startWorkerProcess(),
    ]);

    const placed: PlacedOrder[] = await Promise.all(
      [
        ...prepaid.map((customer) => ({ customer, kind: 'prepaid' as const })),
        ...postpaid.map((customer, i) => ({ customer, kind: i < POSTPAID_ORDERS ? ('postpaid' as const) : ('fibre' as const) })),
      ].map(async ({ customer, kind }, n) => {
        const { body } = await request(app)
          .post(ORDERS)
          .set(agent)
          .send({
            externalId: `reliability-${randomUUID()}`,
            channel: [{ id: 'callCentre', name: 'Call centre' }],
            relatedParty: [{ id: customer.customerId, role: 'customer', '@referredType': 'Customer' }],
            billingAccount: { id: customer.billingAccountId },
            productOrderItem: [{ id: '1', action: 'add', quantity: 1, ...itemOf(kind, n) }],
          })
          .expect(201);
        return { id: body.id as string, customer, kind };
      }),
    );
    const ids = placed.map((o) => o.id);
    expect(new Set(ids).size).toBe(TOTAL);
    const technicians = completeVisits(placed.filter((o) => o.kind === 'fibre').map((o) => o.id));

    // Kill the worker while the HLR holds subscriber creations it has received and not answered
    // yet (they take effect after the worker is gone, so their retries meet a subscriber that
    // exists), once some orders are complete or a good share are past the HLR.
    for (let deadline = Date.now() + 180_000; ; ) {
      const completed = count(await statesOf(ids), ['completed']);
      const { received, applied } = network.stats();
      if (received.HLR > applied.HLR && (completed >= KILL_AFTER_COMPLETED || applied.HLR >= KILL_AFTER_PROVISIONED)) break;
      if (Date.now() > deadline) throw new Error(`no moment to kill the worker in 180 s: ${completed} orders completed, HLR ${JSON.stringify({ received: received.HLR, applied: applied.HLR })}`);
      await sleep(50);
    }
    await killHard(first);
    const atKill = await statesOf(ids);
    const unfinishedAtKill = TOTAL - count(atKill, FINAL);
    expect(unfinishedAtKill).toBeGreaterThan(0);

    // The second worker finds the orders where the first one left them (children are killed in afterAll).
    await sleep(1_000);
    await startWorkerProcess();

    let states = atKill;
    for (let deadline = Date.now() + 180_000; count(states, FINAL) < TOTAL; ) {
      if (Date.now() > deadline) {
        const stuck = ids.filter((id) => !FINAL.includes(states.get(id)!));
        const waiting = await Promise.all(stuck.slice(0, 3).map(async (id) => {
          const pending = (await new Client({ connection: temporal }).workflow.getHandle(`order-${id}`).describe()).raw.pendingActivities ?? [];
          return `${id} ${states.get(id)} waiting on ${pending.map((a) => `${a.activityType?.name} (attempt ${a.attempt})`).join(', ') || 'no activity'}`;
        }));
        throw new Error(`${stuck.length} orders never finished after the restart: ${waiting.join('; ')}`);
      }
      await sleep(500);
      states = await statesOf(ids);
    }

    await technicians.stop();

    // Every order completed, its workflow too (it still tells the customer after recording the state).
    expect([...states.values()].filter((s) => s !== 'completed')).toEqual([]);
    const client = new Client({ connection: temporal });
    const runs = await inBatches(ids, 20, async (id) => {
      const handle = client.workflow.getHandle(`order-${id}`);
      await handle.result().catch(() => undefined);
      return (await handle.describe()).status.name;
    });
    expect(runs.filter((s) => s !== 'COMPLETED')).toEqual([]);

    // Exactly once: each order went acknowledged → inProgress → completed, one state change event each.
    const changes: Array<{ id: string; state: string }> = await knex('event_outbox')
      .select(knex.raw(`payload #>> '{event,productOrder,id}' AS id`), knex.raw(`payload #>> '{event,productOrder,state}' AS state`))
      .where({ event_type: 'ProductOrderStateChangeEvent' })
      .whereRaw(`payload #>> '{event,productOrder,id}' = ANY(?)`, [ids])
      .orderBy('seq');
    const sequence = new Map(ids.map((id) => [id, [] as string[]]));
    for (const c of changes) sequence.get(c.id)!.push(c.state);
    expect(ids.filter((id) => sequence.get(id)!.join(',') !== 'inProgress,completed')).toEqual([]);

    // One product per order, active; the service order completed.
    const products: Array<{ product_order_id: string; status: string }> = await knex('product_inventory').select('product_order_id', 'status').whereIn('product_order_id', ids);
    expect(products).toHaveLength(TOTAL);
    expect(new Set(products.map((p) => p.product_order_id)).size).toBe(TOTAL);
    expect(products.filter((p) => p.status !== 'active')).toEqual([]);

    // Money: each prepaid order paid once (SIM fee and the first 30 days); postpaid orders paid nothing up front.
    const charges: Array<{ order_id: string; status: string; amount: string }> = await knex('payment_charge').select('order_id', 'status', 'amount').whereIn('order_id', ids);
    const prepaidIds = placed.filter((o) => o.kind === 'prepaid').map((o) => o.id);
    const postpaidIds = placed.filter((o) => o.kind !== 'prepaid').map((o) => o.id);
    const fibre = placed.filter((o) => o.kind === 'fibre');
    const mobile = placed.filter((o) => o.kind !== 'fibre');
    expect(charges).toHaveLength(PREPAID_ORDERS);
    expect(new Set(charges.map((c) => c.order_id))).toEqual(new Set(prepaidIds));
    expect(charges.filter((c) => c.status !== 'captured' || c.amount !== '24.20')).toEqual([]);

    // Charging: each prepaid line's data, SMS and voice allowances, once.
    const buckets: Array<{ origin: string; bucket_type: string }> = await knex('charging_bucket').select('origin', 'bucket_type').whereRaw(`split_part(origin, ':', 2) = ANY(?)`, [prepaidIds]);
    expect(buckets).toHaveLength(PREPAID_ORDERS * 3);
    const bucketsPerOrder = new Map<string, string[]>();
    for (const b of buckets) bucketsPerOrder.set(b.origin.split(':')[1], [...(bucketsPerOrder.get(b.origin.split(':')[1]) ?? []), b.bucket_type]);
    expect(prepaidIds.filter((id) => (bucketsPerOrder.get(id) ?? []).sort().join(',') !== 'data,sms,voice')).toEqual([]);

    // Billing: one active subscription per postpaid order, none for prepaid ones.
    const subscriptions: Array<{ order_id: string; status: string }> = await knex('billing_subscription').select('order_id', 'status').whereIn('order_id', ids);
    expect(subscriptions).toHaveLength(POSTPAID_ORDERS + FIBRE_ORDERS);
    expect(new Set(subscriptions.map((s) => s.order_id))).toEqual(new Set(postpaidIds));
    expect(subscriptions.filter((s) => s.status !== 'active')).toEqual([]);

    // Inventory: one number and one SIM per mobile order, one port per fibre order, in use, of the
    // order's customer; nothing else held for these customers.
    const owners = ids.map((id) => `${id}/`);
    const customerOf = new Map(placed.map((o) => [o.id, o.customer.customerId]));
    const customerIds = placed.map((o) => o.customer.customerId);
    const mobileIds = new Set(mobile.map((o) => o.id));
    const fibreIds = new Set(fibre.map((o) => o.id));
    const numbers: Array<{ msisdn: string; reserved_for: string; status: string; customer_id: string }> = await knex('inventory_msisdn')
      .select('msisdn', 'reserved_for', 'status', 'customer_id')
      .whereIn('customer_id', customerIds);
    const sims: Array<{ iccid: string; imsi: string; owner: string; status: string; customer_id: string }> = await knex('inventory_sim')
      .select('iccid', 'imsi', 'owner', 'status', 'customer_id')
      .whereIn('customer_id', customerIds);
    const ports: Array<{ access_node_id: string; name: string; owner: string; status: string; customer_id: string }> = await knex('inventory_port')
      .select('access_node_id', 'name', 'owner', 'status', 'customer_id')
      .whereIn('customer_id', customerIds);
    const orderOfOwner = (owner: string) => owners.find((o) => owner.startsWith(o))?.slice(0, -1);
    for (const [rows, ownerOf, forOrders] of [
      [numbers, (r: (typeof numbers)[number]) => r.reserved_for, mobileIds],
      [sims, (r: (typeof sims)[number]) => r.owner, mobileIds],
      [ports, (r: (typeof ports)[number]) => r.owner, fibreIds],
    ] as const) {
      expect(rows).toHaveLength(forOrders.size);
      const orders = rows.map((r) => orderOfOwner(ownerOf(r as never)));
      expect(new Set(orders)).toEqual(forOrders);
      expect(rows.filter((r, i) => r.status !== 'inUse' || customerOf.get(orders[i]!) !== r.customer_id)).toEqual([]);
    }
    expect(new Set(numbers.map((n) => n.msisdn)).size).toBe(MOBILE);
    expect(new Set(sims.map((s) => s.iccid)).size).toBe(MOBILE);
    expect(new Set(ports.map((p) => `${p.access_node_id} ${p.name}`)).size).toBe(FIBRE_ORDERS);

    // Network: one subscriber and one data policy per order, each created once, though some
    // creations were sent again after the crash.
    expect(network.stats().received.HLR).toBeGreaterThan(MOBILE);
    expect(network.stats().applied).toEqual({ HLR: MOBILE, PCRF: MOBILE, OLT: FIBRE_ORDERS, CONTENT: 0 });
    const net = network.state();
    expect(Object.keys(net.subscribers)).toHaveLength(MOBILE);
    expect(Object.keys(net.dataPolicies)).toHaveLength(MOBILE);
    expect(Object.keys(net.ports).sort()).toEqual(ports.map((p) => `${p.access_node_id} ${p.name}`).sort());
    const simOfOrder = new Map(sims.map((s) => [orderOfOwner(s.owner)!, s]));
    const numberOfOrder = new Map(numbers.map((n) => [orderOfOwner(n.reserved_for)!, n.msisdn]));
    const mismatched = mobile.filter((o) => {
      const sim = simOfOrder.get(o.id)!;
      const subscriber = net.subscribers[sim.imsi];
      return !subscriber || subscriber.msisdn !== numberOfOrder.get(o.id) || subscriber.iccid !== sim.iccid || subscriber.profile !== o.kind.toUpperCase() || !net.dataPolicies[sim.imsi];
    });
    expect(mismatched.map((o) => o.id)).toEqual([]);

    // The customer was told of the completion once per channel (a claim per message).
    const notices: Array<{ idempotency_key: string; channel: string; status: string }> = await knex('crm_notification_dispatch')
      .select('idempotency_key', 'channel', 'status')
      .whereIn('idempotency_key', ids.map((id) => `order-${id}:orderCompleted`));
    expect(notices).toHaveLength(TOTAL * 2);
    expect(notices.filter((n) => n.status !== 'sent')).toEqual([]);
    const completionMails: Array<{ recipient: string }> = await knex('dev_outbox')
      .select('recipient')
      .where({ channel: 'email' })
      .whereIn('recipient', placed.map((o) => o.customer.email))
      .where('subject', 'like', '%is complete');
    expect(new Set(completionMails.map((m) => m.recipient)).size).toBe(TOTAL);
  }, 480_000);
});
