/**
 * The order-side resources through the TMF machinery: TMF622 productOrder and cancelProductOrder,
 * TMF641 serviceOrder, TMF637 product and TMF638 service. Server-filled attributes, validation
 * naming bad fields, externalId idempotency (also under a race), lifecycles, cancellation, the
 * hooks the order API calls after commit, and customer scoping.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../api/app';
import type { TmfDocument } from '../db/tmf-resources';
import { findResource } from '../db/tmf-resources';
import { createTmfResourceOnce, patchTmfResource } from '../db/tmf-store';
import { ORDER_TABLES, productModel, productOrderModel, serviceModel, serviceOrderModel } from '../db/order-models';
import { findCancellationsOfOrder, findProductOrderByExternalId, findProductOrders, findProducts, findServiceOrdersOfProductOrder, findServices } from '../db/orders';
import { bearer, createTestApi, ManualClock, testAppDeps, tokenFor, type TestApi } from './helpers/api';

const ORDER = '/tmf-api/productOrderingManagement/v4/productOrder';
const CANCEL = '/tmf-api/productOrderingManagement/v4/cancelProductOrder';
const SERVICE_ORDER = '/tmf-api/serviceOrdering/v4/serviceOrder';
const PRODUCT = '/tmf-api/productInventory/v4/product';
const SERVICE = '/tmf-api/serviceInventory/v4/service';
const NOW = '2026-11-26T09:00:00.000Z';

type Headers = Record<string, string>;
const customerRef = (id: string) => ({ id, role: 'customer', '@referredType': 'Customer' });

/** A mobile order of a customer, as the portal sends it. */
function mobileOrder(customerId: string, extra: Record<string, unknown> = {}) {
  return {
    externalId: `portal-${randomUUID()}`,
    channel: [{ id: 'portal', name: 'Self-care web portal' }],
    relatedParty: [customerRef(customerId)],
    billingAccount: { id: randomUUID(), '@referredType': 'BillingAccount' },
    requestedStartDate: '2026-12-01T00:00:00.000Z',
    note: [{ text: 'deliver the SIM to the shop' }],
    productOrderItem: [
      {
        id: '1',
        action: 'add',
        quantity: 1,
        productOffering: { id: 'po-mobile-postpaid-m', name: 'Mobile M' },
        product: {
          productCharacteristic: [{ name: 'MSISDN', valueType: 'string', value: '+34600123456' }],
          place: [{ role: 'installationAddress', id: randomUUID(), '@referredType': 'GeographicAddress' }],
        },
      },
    ],
    ...extra,
  };
}

describe('order-side resources', () => {
  let api: TestApi;
  let app: Express;
  const clock = new ManualClock(NOW);
  const created: TmfDocument[] = [];
  const cancellations: Array<{ request: TmfDocument; order: TmfDocument }> = [];
  /** What another connection saw of each created order when its hook ran (proof of the commit). */
  const seenAtHook: Array<TmfDocument | undefined> = [];
  let failHook = false;
  let admin: Headers;
  let agent: Headers;

  beforeAll(async () => {
    api = await createTestApi(clock);
    app = createApp({
      ...testAppDeps(),
      knex: api.knex,
      temporal: api.temporal,
      temporalProbe: api.temporal,
      clock,
      orderHooks: {
        onOrderCreated: async (order) => {
          created.push(order);
          seenAtHook.push(await findResource(api.knex, ORDER_TABLES.productOrder, order.id));
          if (failHook) throw new Error('workflow service unavailable');
        },
        onCancellationRequested: async (cancelRequest, order) => {
          cancellations.push({ request: cancelRequest, order });
        },
      },
    });
    admin = bearer(await tokenFor('admin'));
    agent = bearer(await tokenFor('agent'));
  });

  afterAll(async () => {
    await api.close();
  });

  const countOrders = async (externalId: string) =>
    Number((await api.knex(ORDER_TABLES.productOrder).where({ external_id: externalId }).count({ n: '*' }))[0].n);

  describe('TMF622 productOrder', () => {
    it('stores a new order acknowledged, with the server-filled attributes, and tells the hook after commit', async () => {
      const customerId = randomUUID();
      const body = mobileOrder(customerId, { state: 'completed', orderDate: '2020-01-01T00:00:00Z', id: 'mine' });
      const before = created.length;
      const res = await request(app).post(ORDER).set(agent).send(body).expect(201);
      const order = res.body as TmfDocument;
      expect(order).toEqual(
        expect.objectContaining({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          href: `http://bss.test${ORDER}/${order.id}`,
          '@type': 'ProductOrder',
          state: 'acknowledged',
          orderDate: NOW,
          creationDate: NOW,
          externalId: body.externalId,
          relatedParty: body.relatedParty,
          billingAccount: body.billingAccount,
          channel: body.channel,
          note: body.note,
          requestedStartDate: '2026-12-01T00:00:00.000Z',
        }),
      );
      expect(order.productOrderItem).toEqual([{ ...body.productOrderItem[0], state: 'acknowledged' }]);
      expect(res.headers.location).toBe(order.href);
      expect((await request(app).get(`${ORDER}/${order.id}`).set(admin).expect(200)).body).toEqual(order);

      // Queryable beside the document.
      const row = await api.knex(ORDER_TABLES.productOrder).where({ id: order.id }).first();
      expect(row).toEqual(expect.objectContaining({ customer_id: customerId, external_id: body.externalId, state: 'acknowledged' }));
      expect((await findProductOrders(api.knex, { customerId, state: 'acknowledged' })).map((o) => o.id)).toEqual([order.id]);
      expect(await findProductOrders(api.knex, { customerId, state: ['completed', 'failed'] })).toEqual([]);
      expect((await findProductOrderByExternalId(api.knex, customerId, body.externalId))?.id).toBe(order.id);

      expect(created.slice(before)).toEqual([order]);
      expect(seenAtHook[seenAtHook.length - 1]).toEqual(order);
    });

    it('answers 400 naming every bad field, and stores nothing', async () => {
      const customerId = randomUUID();
      const bad = async (body: Record<string, unknown>) => (await request(app).post(ORDER).set(agent).send(body).expect(400)).body as { message: string };
      const noItems = await bad({ relatedParty: [customerRef(customerId)], externalId: `bad-${customerId}` });
      expect(noItems).toEqual(expect.objectContaining({ code: '400', status: '400', reason: 'Bad Request' }));
      expect(noItems.message).toMatch(/productOrderItem/);
      const many = await bad(
        mobileOrder(customerId, {
          externalId: `bad-${customerId}`,
          requestedStartDate: 'next tuesday',
          productOrderItem: [
            { id: '1', action: 'upgrade' },
            { id: '2', action: 'modify' },
            { id: '3', action: 'add', quantity: 0 },
          ],
        }),
      );
      expect(many.message).toContain('requestedStartDate');
      expect(many.message).toContain('productOrderItem.0.action');
      expect(many.message).toContain('productOrderItem.1.product.id');
      expect(many.message).toContain('productOrderItem.2.quantity');
      const duplicate = await bad(mobileOrder(customerId, { externalId: `bad-${customerId}`, productOrderItem: [{ id: '7', action: 'add' }, { id: '7', action: 'add' }] }));
      expect(duplicate.message).toBe('productOrderItem.1.id: duplicate item id 7');
      expect((await bad({ productOrderItem: [{ id: '1', action: 'add' }] })).message).toMatch(/relatedParty/);
      await request(app).post(ORDER).set(agent).set('Content-Type', 'text/plain').send('x').expect(415);
      expect(await countOrders(`bad-${customerId}`)).toBe(0);
      expect(await findProductOrders(api.knex, { customerId })).toEqual([]);
    });

    it('returns the same order for the same externalId of a customer (200), without calling the hook again', async () => {
      const customerId = randomUUID();
      const body = mobileOrder(customerId);
      const first = await request(app).post(ORDER).set(agent).send(body).expect(201);
      const calls = created.length;
      const again = await request(app)
        .post(ORDER)
        .set(agent)
        .send({ ...body, description: 'sent twice' })
        .expect(200);
      expect(again.body).toEqual(first.body);
      expect(again.headers.location).toBe(first.body.href);
      expect(created.length).toBe(calls);
      expect(await countOrders(body.externalId)).toBe(1);

      // Another customer's externalId is its own.
      const other = await request(app).post(ORDER).set(agent).send(mobileOrder(randomUUID(), { externalId: body.externalId })).expect(201);
      expect(other.body.id).not.toBe(first.body.id);
      expect(await countOrders(body.externalId)).toBe(2);
    });

    it('makes one order of 20 identical concurrent posts', async () => {
      const body = mobileOrder(randomUUID());
      const before = created.length;
      const results = await Promise.all(Array.from({ length: 20 }, () => request(app).post(ORDER).set(agent).send(body)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array(19).fill(200), 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await countOrders(body.externalId)).toBe(1);
      expect(created.slice(before).map((o) => o.id)).toEqual([results[0].body.id]);
    });

    it('describes the repeat and the conflicts in the OpenAPI document', async () => {
      const doc = (await request(app).get('/openapi.json').set(agent).expect(200)).body;
      expect(Object.keys(doc.paths[ORDER].post.responses)).toEqual(expect.arrayContaining(['200', '201', '400']));
      expect(Object.keys(doc.paths[CANCEL].post.responses)).toEqual(expect.arrayContaining(['201', '404', '409']));
      expect(Object.keys(doc.paths[`${SERVICE}/{id}`].patch.responses)).toContain('409');
    });

    it('still answers 201 when the hook fails: the order is stored', async () => {
      failHook = true;
      try {
        const body = mobileOrder(randomUUID());
        const res = await request(app).post(ORDER).set(agent).send(body).expect(201);
        expect(await findResource(api.knex, ORDER_TABLES.productOrder, res.body.id)).toEqual(res.body);
      } finally {
        failHook = false;
      }
    });

    it('lets agents edit only notes and dates, and keeps the state to the system and the lifecycle', async () => {
      const order = (await request(app).post(ORDER).set(agent).send(mobileOrder(randomUUID())).expect(201)).body as TmfDocument;
      const url = `${ORDER}/${order.id}`;
      const edited = await request(app)
        .patch(url)
        .set(agent)
        .send({ description: 'customer asked for morning delivery', requestedStartDate: '2026-12-02T00:00:00.000Z' })
        .expect(200);
      expect(edited.body).toEqual({ ...order, description: 'customer asked for morning delivery', requestedStartDate: '2026-12-02T00:00:00.000Z' });

      const items = await request(app).patch(url).set(agent).send({ productOrderItem: [] }).expect(400);
      expect(items.body.message).toMatch(/^productOrderItem: cannot be changed once ordered/);
      expect((await request(app).patch(url).set(agent).send({ externalId: 'x' }).expect(400)).body.message).toMatch(/^externalId/);
      expect((await request(app).patch(url).set(agent).send({ state: 'inProgress' }).expect(403)).body.message).toMatch(/cancelProductOrder/);
      await request(app).patch(url).set(bearer(await tokenFor('customer'))).send({ description: 'x' }).expect(403);

      const skip = await request(app).patch(url).set(admin).send({ state: 'completed' }).expect(409);
      expect(skip.body).toEqual(expect.objectContaining({ code: '409', reason: 'Conflict' }));
      expect(skip.body.message).toMatch(/cannot go from acknowledged to completed/);
      await request(app).patch(url).set(admin).send({ state: 'bogus' }).expect(400);
      expect((await request(app).get(url).set(admin).expect(200)).body).toEqual(edited.body);

      // The system (an activity) moves it with the same rules.
      const now = clock.now();
      await api.knex.transaction((trx) => patchTmfResource(trx, productOrderModel, order.id, { state: 'inProgress' }, now));
      await expect(api.knex.transaction((trx) => patchTmfResource(trx, productOrderModel, order.id, { state: 'acknowledged' }, now))).rejects.toMatchObject({
        status: 409,
      });
      await api.knex.transaction((trx) => patchTmfResource(trx, productOrderModel, order.id, { state: 'completed', completionDate: now.toISOString() }, now));
      const done = await request(app).patch(url).set(agent).send({ description: 'too late' }).expect(409);
      expect(done.body.message).toBe('a product order in state completed can no longer be changed');
      expect((await request(app).get(url).set(admin).expect(200)).body.state).toBe('completed');
      await request(app).delete(url).set(agent).expect(403);
    });

    it('cancels an order: request acknowledged, order assessingCancellation, hook told once', async () => {
      const customerId = randomUUID();
      const order = (await request(app).post(ORDER).set(agent).send(mobileOrder(customerId)).expect(201)).body as TmfDocument;
      const before = cancellations.length;
      const res = await request(app)
        .post(CANCEL)
        .set(agent)
        .send({ productOrder: { id: order.id }, cancellationReason: 'changed my mind', state: 'done' })
        .expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          href: `http://bss.test${CANCEL}/${res.body.id}`,
          '@type': 'CancelProductOrder',
          state: 'acknowledged',
          cancellationReason: 'changed my mind',
          creationDate: NOW,
          productOrder: { id: order.id, href: order.href, '@referredType': 'ProductOrder' },
          relatedParty: [customerRef(customerId)],
        }),
      );
      expect(res.headers.location).toBe(res.body.href);
      const now = (await request(app).get(`${ORDER}/${order.id}`).set(admin).expect(200)).body as TmfDocument;
      expect(now.state).toBe('assessingCancellation');
      expect(cancellations.slice(before)).toEqual([{ request: res.body, order: now }]);
      expect((await findCancellationsOfOrder(api.knex, order.id)).map((c) => c.id)).toEqual([res.body.id]);

      // Once is enough; unknown and finished orders cannot be cancelled.
      const twice = await request(app).post(CANCEL).set(agent).send({ productOrder: { id: order.id } }).expect(409);
      expect(twice.body.message).toBe('productOrder: an order in state assessingCancellation cannot be cancelled');
      await request(app).post(CANCEL).set(agent).send({ productOrder: { id: randomUUID() } }).expect(404);
      expect((await request(app).post(CANCEL).set(agent).send({ cancellationReason: 'x' }).expect(400)).body.message).toMatch(/productOrder/);
      expect(cancellations.length).toBe(before + 1);
      expect(await findCancellationsOfOrder(api.knex, order.id)).toHaveLength(1);

      // The cancellation request moves on its own lifecycle, by the system or an admin.
      await request(app).patch(`${CANCEL}/${res.body.id}`).set(agent).send({ state: 'done' }).expect(403);
      await request(app).patch(`${CANCEL}/${res.body.id}`).set(admin).send({ state: 'done' }).expect(200);
      await request(app).patch(`${CANCEL}/${res.body.id}`).set(admin).send({ state: 'inProgress' }).expect(409);
    });

    it('keeps a customer to its own orders', async () => {
      const alice = randomUUID();
      const bob = randomUUID();
      const asAlice = bearer(await tokenFor('customer', { customerId: alice }));
      const bobs = (await request(app).post(ORDER).set(agent).send(mobileOrder(bob)).expect(201)).body as TmfDocument;

      // Alice orders for herself: named for her when she names no customer.
      const { relatedParty: _omitted, ...withoutParty } = mobileOrder(alice);
      const own = await request(app).post(ORDER).set(asAlice).send(withoutParty).expect(201);
      expect(own.body.relatedParty).toEqual([customerRef(alice)]);
      await request(app).post(ORDER).set(asAlice).send(mobileOrder(bob)).expect(403);
      const repeat = await request(app).post(ORDER).set(asAlice).send(withoutParty).expect(200);
      expect(repeat.body.id).toBe(own.body.id);

      expect((await request(app).get(ORDER).set(asAlice).expect(200)).body.map((o: TmfDocument) => o.id)).toEqual([own.body.id]);
      await request(app).get(`${ORDER}/${bobs.id}`).set(asAlice).expect(404);
      await request(app).post(CANCEL).set(asAlice).send({ productOrder: { id: bobs.id } }).expect(404);
      expect((await request(app).get(`${ORDER}/${bobs.id}`).set(admin).expect(200)).body.state).toBe('acknowledged');

      const cancel = await request(app).post(CANCEL).set(asAlice).send({ productOrder: { id: own.body.id } }).expect(201);
      expect((await request(app).get(CANCEL).set(asAlice).expect(200)).body.map((c: TmfDocument) => c.id)).toEqual([cancel.body.id]);
      await request(app).get(CANCEL).set(bearer(await tokenFor('customer', { customerId: bob }))).expect(200, []);
    });
  });

  describe('TMF641 serviceOrder, TMF637 product, TMF638 service', () => {
    const serviceOrderFor = (customerId: string, productOrderId: string) => ({
      relatedParty: [customerRef(customerId)],
      externalReference: [{ externalReferenceType: 'ProductOrder', name: productOrderId, href: `http://bss.test${ORDER}/${productOrderId}` }],
      serviceOrderItem: [
        {
          id: '1',
          action: 'add',
          service: {
            serviceType: 'mobile',
            serviceSpecification: { id: 'ss-mobile' },
            serviceCharacteristic: [{ name: 'MSISDN', value: '+34600123456' }],
          },
        },
      ],
    });
    const productFor = (customerId: string, productOrderId: string) => ({
      name: 'Mobile M',
      relatedParty: [customerRef(customerId)],
      productOffering: { id: 'po-mobile-postpaid-m', version: '2.0', name: 'Mobile M' },
      productPrice: [{ priceType: 'recurring', recurringChargePeriod: 'month', price: { taxIncludedAmount: { unit: 'EUR', value: 19.99 } } }],
      productCharacteristic: [{ name: 'MSISDN', value: '+34600123456' }],
      productOrderItem: [{ orderItemId: '1', productOrderId, orderItemAction: 'add' }],
      billingAccount: { id: randomUUID() },
    });
    const serviceFor = (customerId: string, serviceOrderId: string) => ({
      state: 'reserved',
      serviceSpecification: { id: 'ss-mobile' },
      relatedParty: [customerRef(customerId)],
      serviceCharacteristic: [{ name: 'MSISDN', value: '+34600123456' }],
      supportingResource: [{ id: randomUUID(), '@referredType': 'LogicalResource' }],
      serviceOrderItem: [{ itemId: '1', serviceOrderId }],
    });

    it('creates each with server-filled attributes and finds it by its order', async () => {
      const customerId = randomUUID();
      const productOrderId = randomUUID();
      const so = await request(app).post(SERVICE_ORDER).set(agent).send(serviceOrderFor(customerId, productOrderId)).expect(201);
      expect(so.body).toEqual(
        expect.objectContaining({ href: `http://bss.test${SERVICE_ORDER}/${so.body.id}`, '@type': 'ServiceOrder', state: 'acknowledged', orderDate: NOW }),
      );
      expect(so.headers.location).toBe(so.body.href);
      expect((await findServiceOrdersOfProductOrder(api.knex, productOrderId)).map((o) => o.id)).toEqual([so.body.id]);

      const product = await request(app).post(PRODUCT).set(agent).send(productFor(customerId, productOrderId)).expect(201);
      expect(product.body).toEqual(expect.objectContaining({ '@type': 'Product', status: 'created', productOffering: expect.objectContaining({ version: '2.0' }) }));
      expect((await findProducts(api.knex, { productOrderId })).map((p) => p.id)).toEqual([product.body.id]);

      const service = await request(app).post(SERVICE).set(agent).send(serviceFor(customerId, so.body.id)).expect(201);
      expect(service.body).toEqual(expect.objectContaining({ '@type': 'Service', state: 'reserved', href: `http://bss.test${SERVICE}/${service.body.id}` }));
      expect((await findServices(api.knex, { serviceOrderId: so.body.id, state: 'reserved' })).map((s) => s.id)).toEqual([service.body.id]);
      expect((await findServices(api.knex, { customerId, state: 'active' })).map((s) => s.id)).toEqual([]);
    });

    it('names bad fields with 400', async () => {
      const so = await request(app).post(SERVICE_ORDER).set(agent).send({ serviceOrderItem: [{ id: '1', action: 'add' }] }).expect(400);
      expect(so.body.message).toContain('serviceOrderItem.0.service');
      const product = await request(app).post(PRODUCT).set(agent).send({ status: 'sold', productPrice: [{ price: {} }] }).expect(400);
      expect(product.body.message).toContain('status');
      expect(product.body.message).toContain('productPrice.0.priceType');
      const service = await request(app).post(SERVICE).set(agent).send({ state: 'active' }).expect(400);
      expect(service.body.message).toContain('serviceSpecification');
    });

    it('moves each only along its lifecycle, through the API and for activities alike', async () => {
      const customerId = randomUUID();
      const so = (await request(app).post(SERVICE_ORDER).set(agent).send(serviceOrderFor(customerId, randomUUID())).expect(201)).body as TmfDocument;
      await request(app).patch(`${SERVICE_ORDER}/${so.id}`).set(agent).send({ state: 'completed' }).expect(409);
      await request(app).patch(`${SERVICE_ORDER}/${so.id}`).set(agent).send({ state: 'inProgress' }).expect(200);
      await request(app).patch(`${SERVICE_ORDER}/${so.id}`).set(agent).send({ relatedParty: [customerRef(randomUUID())] }).expect(409);

      // An activity creates once (by id) and patches with the same rules.
      const now = clock.now();
      const productId = randomUUID();
      const product = await api.knex.transaction(async (trx) => {
        await createTmfResourceOnce(trx, productModel, productId, productFor(customerId, randomUUID()), { now, publicUrl: 'http://bss.test' });
        return createTmfResourceOnce(trx, productModel, productId, { ...productFor(customerId, randomUUID()), name: 'other' }, { now, publicUrl: 'http://bss.test' });
      });
      expect(product).toEqual(expect.objectContaining({ id: productId, status: 'created', name: 'Mobile M' }));
      await api.knex.transaction((trx) => patchTmfResource(trx, productModel, productId, { status: 'active' }, now));
      await expect(api.knex.transaction((trx) => patchTmfResource(trx, productModel, productId, { status: 'created' }, now))).rejects.toMatchObject({
        status: 409,
        message: 'status: a product cannot go from active to created (allowed: suspended, pendingTerminate, terminated)',
      });
      await request(app).patch(`${PRODUCT}/${productId}`).set(agent).send({ status: 'suspended' }).expect(200);
      await request(app).patch(`${PRODUCT}/${productId}`).set(agent).send({ status: 'pendingActive' }).expect(409);

      const serviceId = randomUUID();
      await api.knex.transaction((trx) =>
        createTmfResourceOnce(trx, serviceModel, serviceId, serviceFor(customerId, so.id), { now, publicUrl: 'http://bss.test' }),
      );
      await api.knex.transaction((trx) => patchTmfResource(trx, serviceModel, serviceId, { state: 'active' }, now));
      const back = await request(app).patch(`${SERVICE}/${serviceId}`).set(agent).send({ state: 'designed' }).expect(409);
      expect(back.body.message).toBe('state: a service cannot go from active to designed (allowed: inactive, terminated)');
      await request(app).patch(`${SERVICE}/${serviceId}`).set(agent).send({ state: 'terminated' }).expect(200);

      const soId = randomUUID();
      await api.knex.transaction((trx) =>
        createTmfResourceOnce(trx, serviceOrderModel, soId, serviceOrderFor(customerId, randomUUID()), { now, publicUrl: 'http://bss.test' }),
      );
      expect((await request(app).get(`${SERVICE_ORDER}/${soId}`).set(admin).expect(200)).body.state).toBe('acknowledged');
    });

    it('shows a customer only its own, and lets only staff write', async () => {
      const alice = randomUUID();
      const bob = randomUUID();
      const asAlice = bearer(await tokenFor('customer', { customerId: alice }));
      for (const [path, make] of [
        [SERVICE_ORDER, (c: string) => serviceOrderFor(c, randomUUID())],
        [PRODUCT, (c: string) => productFor(c, randomUUID())],
        [SERVICE, (c: string) => serviceFor(c, randomUUID())],
      ] as const) {
        const mine = (await request(app).post(path).set(agent).send(make(alice)).expect(201)).body as TmfDocument;
        const theirs = (await request(app).post(path).set(agent).send(make(bob)).expect(201)).body as TmfDocument;
        expect((await request(app).get(path).set(asAlice).expect(200)).body.map((d: TmfDocument) => d.id)).toEqual([mine.id]);
        await request(app).get(`${path}/${mine.id}`).set(asAlice).expect(200);
        await request(app).get(`${path}/${theirs.id}`).set(asAlice).expect(404);
        await request(app).post(path).set(asAlice).send(make(alice)).expect(403);
        await request(app).patch(`${path}/${mine.id}`).set(asAlice).send({ description: 'x' }).expect(403);
        expect((await request(app).get(`${path}/${theirs.id}`).set(admin).expect(200)).body).toEqual(theirs);
      }
    });
  });
});
