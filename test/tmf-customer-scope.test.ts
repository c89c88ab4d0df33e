/**
 * The customer role sees only its own data: a resource that declares `customerScope` hides other
 * customers' rows from lists and answers 404 for them on read, patch and delete.
 */
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { authenticate } from '../api/auth';
import { errorHandler } from '../api/tmf/errors';
import { TmfApi } from '../api/tmf/resource';
import { createTmfResourceTable } from '../db/tmf-resource-table';
import { systemClock } from '../domain/clock';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';

const TABLE = 'test_customer_scoped_thing';

describe('customer scoping in the TMF machinery', () => {
  let api: TestApi;
  let app: express.Express;

  beforeAll(async () => {
    api = await createTestApi();
    await api.knex.schema.dropTableIfExists(TABLE);
    await createTmfResourceTable(api.knex, TABLE, { customerOwned: true });
    const tmf = new TmfApi('scopeTest', { knex: api.knex, clock: systemClock, publicUrl: 'http://bss.test' }).resource({
      name: 'thing',
      type: 'Thing',
      table: TABLE,
      schema: z.object({ name: z.string(), customerId: z.string() }),
      access: { read: ['admin', 'customer'], write: ['admin', 'customer'] },
      ownerCustomerId: (doc) => doc.customerId as string,
    });
    app = express();
    app.use(authenticate(process.env.JWT_SECRET!));
    app.use(express.json());
    app.use(tmf.basePath, tmf.router);
    app.use(errorHandler);
  });

  afterAll(async () => {
    await api.knex.schema.dropTableIfExists(TABLE);
    await api.close();
  });

  it('keeps each customer to its own rows', async () => {
    const admin = bearer(await tokenFor('admin'));
    const alice = bearer(await tokenFor('customer', { customerId: 'alice' }));
    const bob = bearer(await tokenFor('customer', { customerId: 'bob' }));
    const base = '/tmf-api/scopeTest/v4/thing';
    const a = await request(app).post(base).set(admin).send({ name: 'a', customerId: 'alice' }).expect(201);
    const b = await request(app).post(base).set(admin).send({ name: 'b', customerId: 'bob' }).expect(201);

    const aliceList = await request(app).get(base).set(alice).expect(200);
    expect(aliceList.body.map((t: { id: string }) => t.id)).toEqual([a.body.id]);
    expect(aliceList.headers['x-total-count']).toBe('1');
    // A filter cannot widen the scope.
    expect((await request(app).get(`${base}?customerId=bob`).set(alice).expect(200)).body).toEqual([]);

    await request(app).get(`${base}/${a.body.id}`).set(alice).expect(200);
    await request(app).get(`${base}/${b.body.id}`).set(alice).expect(404);
    await request(app).patch(`${base}/${b.body.id}`).set(alice).send({ name: 'mine now' }).expect(404);
    await request(app).delete(`${base}/${b.body.id}`).set(alice).expect(404);
    expect((await request(app).get(`${base}/${b.body.id}`).set(bob).expect(200)).body.name).toBe('b');

    // A customer cannot create, or move a row into, someone else's data.
    await request(app).post(base).set(alice).send({ name: 'c', customerId: 'bob' }).expect(403);
    await request(app).patch(`${base}/${a.body.id}`).set(alice).send({ customerId: 'bob' }).expect(403);
    await request(app).post(base).set(alice).send({ name: 'd', customerId: 'alice' }).expect(201);

    const all = await request(app).get(base).set(admin).expect(200);
    expect(all.body).toHaveLength(3);
    expect((await request(app).get(base).set(bob).expect(200)).body.map((t: { name: string }) => t.name)).toEqual(['b']);
  });
});
