/**
 * TMF639 resources through the API: what the inventory allocated shows with its state, a customer
 * token sees only its own, staff write by the TMF rules, and bad writes change nothing.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { resourceDocumentId, TMF_RESOURCE_TABLE } from '../db/resource-models';
import { confirmOwnerResources, releaseOwnerResources, reserveOrderMsisdn, reserveSim } from '../db/resource-inventory';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';

const BASE = '/tmf-api/resourceInventoryManagement/v4/resource';
const ctx = () => ({ now: new Date(), publicUrl: 'http://bss.test' });

describe('TMF639 resource inventory API', () => {
  let api: TestApi;
  const alice = `cust-${randomUUID()}`;
  const bob = `cust-${randomUUID()}`;
  const aliceOrder = randomUUID();
  let msisdn: string;
  let iccid: string;

  beforeAll(async () => {
    api = await createTestApi();
    msisdn = ((await reserveOrderMsisdn(api.knex, { owner: aliceOrder, customerId: alice }, ctx())) as { msisdn: string }).msisdn;
    iccid = (await reserveSim(api.knex, { owner: aliceOrder, customerId: alice }, ctx()))!.iccid;
    await reserveSim(api.knex, { owner: randomUUID(), customerId: bob }, ctx());
  });
  afterAll(async () => {
    await releaseOwnerResources(api.knex, aliceOrder, ctx());
    await api.close();
  });

  it("shows a customer its own resources only, with their state", async () => {
    const token = bearer(await tokenFor('customer', { customerId: alice }));
    const list = await request(api.app).get(BASE).set(token).expect(200);
    expect(list.headers['x-total-count']).toBe('2');
    const byType = Object.fromEntries(list.body.map((r: Record<string, unknown>) => [r['@type'], r]));
    expect(byType.LogicalResource).toMatchObject({
      id: resourceDocumentId({ kind: 'msisdn', msisdn }),
      href: `http://bss.test${BASE}/${resourceDocumentId({ kind: 'msisdn', msisdn })}`,
      name: msisdn,
      value: msisdn,
      category: 'MSISDN',
      resourceStatus: 'reserved',
      operationalState: 'disable',
      relatedParty: [{ id: alice, role: 'customer', '@referredType': 'Customer' }],
    });
    expect(byType.PhysicalResource).toMatchObject({ serialNumber: iccid, category: 'SIM card', resourceStatus: 'reserved' });

    const bobsSim = await api.knex(TMF_RESOURCE_TABLE).where({ customer_id: bob }).first();
    await request(api.app).get(`${BASE}/${bobsSim.id}`).set(token).expect(404);
    expect((await request(api.app).get(`${BASE}?category=SIM%20card&fields=name`).set(token).expect(200)).body).toEqual([
      { id: byType.PhysicalResource.id, href: byType.PhysicalResource.href, name: `SIM ${iccid}` },
    ]);
    // A customer reads but does not write.
    await request(api.app).patch(`${BASE}/${byType.LogicalResource.id}`).set(token).send({ description: 'mine' }).expect(403);
    await request(api.app).post(BASE).set(token).send({ name: 'x', relatedParty: [{ id: alice, role: 'customer' }] }).expect(403);
  });

  it("keeps the inventory's attributes of an allocated resource to the inventory", async () => {
    const admin = bearer(await tokenFor('admin'));
    const id = resourceDocumentId({ kind: 'msisdn', msisdn });
    const refused = await request(api.app).patch(`${BASE}/${id}`).set(admin).send({ resourceStatus: 'available', relatedParty: [] }).expect(409);
    expect(refused.body).toMatchObject({ code: '409', reason: 'Conflict' });
    expect(refused.body.message).toMatch(/^resourceStatus, relatedParty: /);
    const after = (await request(api.app).get(`${BASE}/${id}`).set(admin).expect(200)).body;
    expect(after).toMatchObject({ resourceStatus: 'reserved', relatedParty: [{ id: alice }] });
    const noted = await request(api.app).patch(`${BASE}/${id}`).set(admin).send({ description: 'Golden number', note: [{ text: 'customer asked for it' }] }).expect(200);
    expect(noted.body).toMatchObject({ description: 'Golden number', resourceStatus: 'reserved' });
  });

  it('shows confirmation and release', async () => {
    const agent = bearer(await tokenFor('agent'));
    const id = resourceDocumentId({ kind: 'msisdn', msisdn });
    await confirmOwnerResources(api.knex, aliceOrder, ctx());
    expect((await request(api.app).get(`${BASE}/${id}`).set(agent).expect(200)).body).toMatchObject({ resourceStatus: 'available', operationalState: 'enable', usageState: 'busy' });
    await releaseOwnerResources(api.knex, aliceOrder, ctx());
    expect((await request(api.app).get(`${BASE}/${id}`).set(agent).expect(200)).body).toMatchObject({ resourceStatus: 'standby', operationalState: 'disable', relatedParty: [] });
    // Released resources are no longer the customer's.
    const token = bearer(await tokenFor('customer', { customerId: alice }));
    expect((await request(api.app).get(BASE).set(token).expect(200)).body).toEqual([]);
    await request(api.app).get(`${BASE}/${id}`).set(token).expect(404);
  });

  it('lets staff create, patch and delete resources, and refuses bad input without change', async () => {
    const admin = bearer(await tokenFor('admin'));
    const created = await request(api.app)
      .post(BASE)
      .set(admin)
      .send({ name: 'OLT-MAD-99', '@type': 'PhysicalResource', resourceStatus: 'standby', serialNumber: 'SN-1' })
      .expect(201);
    expect(created.headers.location).toBe(created.body.href);
    expect(created.body).toMatchObject({ name: 'OLT-MAD-99', '@type': 'PhysicalResource', resourceStatus: 'standby' });

    const noName = await request(api.app).post(BASE).set(admin).send({ category: 'x' }).expect(400);
    expect(noName.body).toMatchObject({ code: '400', reason: 'Bad Request', status: '400' });
    expect(noName.body.message).toMatch(/^name: /);

    const bad = await request(api.app).patch(`${BASE}/${created.body.id}`).set(admin).send({ resourceStatus: 'broken', operationalState: 'on' }).expect(400);
    expect(bad.body.message).toMatch(/resourceStatus: .*; operationalState: /);
    expect((await request(api.app).get(`${BASE}/${created.body.id}`).set(admin).expect(200)).body.resourceStatus).toBe('standby');

    const patched = await request(api.app)
      .patch(`${BASE}/${created.body.id}`)
      .set(admin)
      .set('Content-Type', 'application/merge-patch+json')
      .send(JSON.stringify({ resourceStatus: 'available', operationalState: 'enable' }))
      .expect(200);
    expect(patched.body).toMatchObject({ name: 'OLT-MAD-99', resourceStatus: 'available', operationalState: 'enable', serialNumber: 'SN-1' });

    await request(api.app).delete(`${BASE}/${created.body.id}`).set(bearer(await tokenFor('technician'))).expect(403);
    await request(api.app).delete(`${BASE}/${created.body.id}`).set(admin).expect(204);
    await request(api.app).get(`${BASE}/${created.body.id}`).set(admin).expect(404);
    await request(api.app).get(BASE).expect(401);
  });
});
