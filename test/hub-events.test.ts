import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import request from 'supertest';
import { claimDueDeliveries } from '../db/events';
import { EventSender } from '../worker/event-sender';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';

const BASE = '/tmf-api/productCatalogManagement/v4';

/** A listener that records what it receives and fails the first `failFirst` calls. */
class Listener {
  received: Array<Record<string, unknown>> = [];
  calls = 0;
  failFirst = 0;
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      this.calls += 1;
      if (this.calls <= this.failFirst) {
        res.writeHead(503).end();
        return;
      }
      this.received.push(JSON.parse(body));
      res.writeHead(201).end();
    });
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/listener`;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function until(what: string, predicate: () => boolean | Promise<boolean>, step: () => Promise<unknown>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await step();
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('TMF hub: events through the outbox', () => {
  let api: TestApi;
  let admin: Record<string, string>;
  let listener: Listener;
  let callback: string;
  let sender: EventSender;

  beforeAll(async () => {
    api = await createTestApi();
    admin = bearer(await tokenFor('admin'));
    listener = new Listener();
    callback = await listener.start();
    sender = new EventSender(api.knex, pino({ level: 'silent' }), { requestTimeoutMs: 1000, backoffBaseSeconds: 1 });
  });

  afterAll(async () => {
    await listener.stop();
    await api.close();
  });

  beforeEach(() => {
    listener.received = [];
    listener.calls = 0;
    listener.failFirst = 0;
  });

  const deliveriesFor = (hubId: string) => api.knex('event_delivery').where({ listener_id: hubId });

  // Other test files create offerings at the same time: each listener here asks only for the
  // events of its own offering (by its unique name), as a real subscriber would filter.
  const uniqueName = (prefix: string) => `${prefix}-${randomUUID()}`;

  it('delivers the events a listener asked for, and only those', async () => {
    const name = uniqueName('hub');
    const hub = await request(api.app)
      .post(`${BASE}/hub`)
      .set(admin)
      .send({ callback, query: `eventType=ProductOfferingCreateEvent,ProductOfferingStateChangeEvent&event.productOffering.name=${name}` })
      .expect(201);
    expect(hub.headers.location).toBe(`${BASE}/hub/${hub.body.id}`);

    const created = await request(api.app).post(`${BASE}/productOffering`).set(admin).send({ name }).expect(201);
    await request(api.app).patch(`${BASE}/productOffering/${created.body.id}`).set(admin).send({ lifecycleStatus: 'Launched' }).expect(200);

    await until('two events', () => listener.received.length >= 2, () => sender.sendBatch());
    const byType = [...listener.received].sort((a, b) => String(a.eventType).localeCompare(String(b.eventType)));
    expect(byType.map((e) => e.eventType)).toEqual(['ProductOfferingCreateEvent', 'ProductOfferingStateChangeEvent']);
    const [createEvent, stateEvent] = byType as Array<{ eventId: string; eventTime: string; event: { productOffering: Record<string, unknown> } }>;
    expect(createEvent.event.productOffering).toMatchObject({ id: created.body.id, lifecycleStatus: 'In design' });
    expect(stateEvent.event.productOffering).toMatchObject({ id: created.body.id, lifecycleStatus: 'Launched' });
    expect(createEvent.eventId).not.toBe(stateEvent.eventId);
    // The attribute-change event of the PATCH was not asked for: no delivery was queued for it.
    expect(await deliveriesFor(hub.body.id)).toHaveLength(2);

    await request(api.app).delete(`${BASE}/hub/${hub.body.id}`).set(admin).expect(204);
    await request(api.app).get(`${BASE}/hub/${hub.body.id}`).set(admin).expect(404);
    await request(api.app).delete(`${BASE}/productOffering/${created.body.id}`).set(admin).expect(204);
    expect(await deliveriesFor(hub.body.id)).toHaveLength(2);
  });

  it('retries a delivery the listener refused, with backoff', async () => {
    listener.failFirst = 2;
    const name = uniqueName('retry');
    const hub = await request(api.app).post(`${BASE}/hub`).set(admin).send({ callback, query: `eventType=ProductOfferingDeleteEvent&event.productOffering.name=${name}` }).expect(201);
    const created = await request(api.app).post(`${BASE}/productOffering`).set(admin).send({ name }).expect(201);
    await request(api.app).delete(`${BASE}/productOffering/${created.body.id}`).set(admin).expect(204);

    await until('the delivery after two refusals', () => listener.received.length === 1, () => sender.sendBatch());
    expect(listener.calls).toBe(3);
    expect(listener.received[0]).toMatchObject({ eventType: 'ProductOfferingDeleteEvent', event: { productOffering: { id: created.body.id } } });
    const [delivery] = await deliveriesFor(hub.body.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3 });
    await request(api.app).delete(`${BASE}/hub/${hub.body.id}`).set(admin).expect(204);
  });

  it('delivers an event whose sender died after claiming it, once its lease runs out', async () => {
    const name = uniqueName('crash');
    const hub = await request(api.app).post(`${BASE}/hub`).set(admin).send({ callback, query: `eventType=ProductOfferingCreateEvent&event.productOffering.name=${name}` }).expect(201);
    const created = await request(api.app).post(`${BASE}/productOffering`).set(admin).send({ name }).expect(201);

    // A sender claims the delivery and dies before sending it.
    const claimed = await claimDueDeliveries(api.knex, 100, 1);
    expect(claimed.map((d) => d.listenerId)).toContain(hub.body.id);
    await sender.sendBatch();
    expect(listener.received).toHaveLength(0);

    await until('the re-claimed delivery', () => listener.received.length === 1, () => sender.sendBatch());
    expect(listener.received[0]).toMatchObject({ event: { productOffering: { id: created.body.id } } });
    await request(api.app).delete(`${BASE}/hub/${hub.body.id}`).set(admin).expect(204);
  });

  it('refuses a listener without a valid callback URL, and unknown listener ids', async () => {
    // Counted by the callbacks refused: other test files register listeners in the same database meanwhile.
    const refused = () => api.knex('hub_listener').whereIn('callback', ['not a url', 'ftp://x/y']).count({ n: '*' });
    const before = await refused();
    const bad = await request(api.app).post(`${BASE}/hub`).set(admin).send({ callback: 'not a url' }).expect(400);
    expect(bad.body).toMatchObject({ code: '400', status: '400' });
    expect(bad.body.message).toMatch(/callback/);
    await request(api.app).post(`${BASE}/hub`).set(admin).send({ callback: 'ftp://x/y' }).expect(400);
    expect(await refused()).toEqual(before);
    await request(api.app).delete(`${BASE}/hub/00000000-0000-4000-8000-000000000000`).set(admin).expect(404);
    await request(api.app).post(`${BASE}/hub`).set(bearer(await tokenFor('agent'))).send({ callback }).expect(403);
  });
});
