/**
 * `/api/inventory`: adding FTTH capacity (admins and the network team), validated field by field,
 * with the order side told after the commit; refusals change nothing.
 */
import { Connection } from '@temporalio/client';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createApp } from '../api/app';
import { createKnex } from '../db/knex';
import { ensureServiceArea } from '../db/resource-inventory';
import { systemClock } from '../domain/clock';
import { bearer, testAppDeps, tokenFor } from './helpers/api';

describe('inventory admin API', () => {
  let knex: Knex;
  let temporal: Connection;
  let app: Express;
  const notified: string[] = [];
  const t = randomUUID().slice(0, 6).toUpperCase().replace(/[^0-9A-Z]/g, '0');
  const areaId = `A-${t}`;
  const node = `OLT-A${t}-01`;

  beforeAll(async () => {
    knex = createKnex(process.env.DATABASE_URL!);
    temporal = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    app = createApp({
      ...testAppDeps(),
      knex,
      temporal,
      temporalProbe: temporal,
      clock: systemClock,
      onCapacityAdded: async (area) => {
        notified.push(area);
      },
    });
    await ensureServiceArea(knex, { id: areaId, name: 'Admin test', postalCodes: [`X${t}`] });
  });
  afterAll(async () => {
    await knex.destroy();
    await temporal.close();
  });

  const portCount = async () => Number((await knex('inventory_port').where({ access_node_id: node }).count({ n: '*' }))[0].n);

  it('adds a node with ports, then more ports, and tells the order side each time', async () => {
    const admin = bearer(await tokenFor('admin'));
    const created = await request(app).post('/api/inventory/access-nodes').set(admin).send({ id: node, areaId, ports: 2 }).expect(201);
    expect(created.body).toEqual({ areaId, accessNode: node, ports: ['1/1/1', '1/1/2'] });
    expect(created.headers.location).toBe(`/api/inventory/service-areas/${areaId}`);
    expect(notified).toEqual([areaId]);

    const network = bearer(await tokenFor('network'));
    const more = await request(app).post(`/api/inventory/access-nodes/${node}/ports`).set(network).send({ count: 3 }).expect(201);
    expect(more.body).toEqual({ areaId, accessNode: node, ports: ['1/1/3', '1/1/4', '1/1/5'] });
    expect(notified).toEqual([areaId, areaId]);

    const area = await request(app).get(`/api/inventory/service-areas/${areaId}`).set(admin).expect(200);
    expect(area.body).toEqual({
      areaId,
      name: 'Admin test',
      postalCodes: [`X${t}`],
      total: 5,
      available: 5,
      reserved: 0,
      inUse: 0,
      accessNodes: [{ id: node, total: 5, available: 5, reserved: 0, inUse: 0 }],
    });
    const all = await request(app).get('/api/inventory/service-areas').set(admin).expect(200);
    expect(all.body.map((a: { areaId: string }) => a.areaId)).toEqual(expect.arrayContaining(['MAD', 'BCN', 'VLC', areaId]));
    expect(all.body.find((a: { areaId: string }) => a.areaId === 'MAD').accessNodes.map((n: { id: string }) => n.id)).toEqual(['OLT-MAD-01', 'OLT-MAD-02']);
  });

  it('refuses bad requests, naming the fields, and changes nothing', async () => {
    const admin = bearer(await tokenFor('admin'));
    const before = await portCount();
    notified.length = 0;

    const zero = await request(app).post(`/api/inventory/access-nodes/${node}/ports`).set(admin).send({ count: 0 }).expect(400);
    expect(zero.body).toMatchObject({ code: '400', reason: 'Bad Request', status: '400' });
    expect(zero.body.message).toMatch(/^count: /);
    expect((await request(app).post(`/api/inventory/access-nodes/${node}/ports`).set(admin).send({ count: '3' }).expect(400)).body.message).toMatch(/^count: /);
    expect((await request(app).post(`/api/inventory/access-nodes/${node}/ports`).set(admin).send({ count: 2, cout: 1 }).expect(400)).body.message).toMatch(/cout/);
    expect((await request(app).post(`/api/inventory/access-nodes/${node}/ports`).set(admin).send({ count: 2.5 }).expect(400)).body.message).toMatch(/^count: /);
    await request(app).post(`/api/inventory/access-nodes/${node}/ports`).set(admin).set('Content-Type', 'text/plain').send('count=2').expect(400);
    await request(app).post('/api/inventory/access-nodes/OLT-NOPE-77/ports').set(admin).send({ count: 2 }).expect(404);
    expect((await request(app).post('/api/inventory/access-nodes/olt%20bad/ports').set(admin).send({ count: 2 }).expect(400)).body.message).toMatch(/^id: /);

    const bad = await request(app).post('/api/inventory/access-nodes').set(admin).send({ id: 'olt mad', ports: -1 }).expect(400);
    expect(bad.body.message).toMatch(/id: /);
    expect(bad.body.message).toMatch(/areaId: /);
    expect(bad.body.message).toMatch(/ports: /);
    await request(app).post('/api/inventory/access-nodes').set(admin).send({ id: `OLT-B${t}-01`, areaId: 'NOPE', ports: 1 }).expect(404);
    await request(app).post('/api/inventory/access-nodes').set(admin).send({ id: node, areaId, ports: 1 }).expect(409);
    expect(await knex('inventory_access_node').where({ id: `OLT-B${t}-01` }).first()).toBeUndefined();

    await request(app).post(`/api/inventory/access-nodes/${node}/ports`).set(bearer(await tokenFor('agent'))).send({ count: 2 }).expect(403);
    await request(app).post(`/api/inventory/access-nodes/${node}/ports`).set(bearer(await tokenFor('customer'))).send({ count: 2 }).expect(403);
    await request(app).get('/api/inventory/service-areas').set(bearer(await tokenFor('customer'))).expect(403);
    await request(app).post(`/api/inventory/access-nodes/${node}/ports`).send({ count: 2 }).expect(401);
    await request(app).get('/api/inventory/service-areas/NOPE').set(admin).expect(404);

    expect(await portCount()).toBe(before);
    expect(notified).toEqual([]);
  });

  it('describes its routes in the OpenAPI document', async () => {
    const doc = (await request(app).get('/openapi.json').set(bearer(await tokenFor('admin'))).expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/inventory/access-nodes',
        '/api/inventory/access-nodes/{id}/ports',
        '/api/inventory/service-areas',
        '/tmf-api/resourceInventoryManagement/v4/resource',
        '/tmf-api/resourceInventoryManagement/v4/resource/{id}',
        '/tmf-api/resourcePoolManagement/v4/resourcePool',
        '/tmf-api/resourcePoolManagement/v4/resourcePool/{id}',
      ]),
    );
    expect(doc.components.schemas.AddPortsRequest).toMatchObject({ properties: { count: { type: 'integer', minimum: 1, maximum: 1024 } }, required: ['count'] });
  });
});
