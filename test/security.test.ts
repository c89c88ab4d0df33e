/**
 * Security and input hardening of the HTTP API: bearer tokens and roles, body size and type,
 * schema validation with field-named messages, and ids that name nothing. Every rejected write is
 * checked to have left the database untouched.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { signToken } from '../api/auth';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';

const BASE = '/tmf-api/productCatalogManagement/v4';
const OFFERING = `${BASE}/productOffering`;
const PRICE = `${BASE}/productOfferingPrice`;
/** A seeded offering and specification (db/seeds/catalog-data.ts). */
const SEEDED_OFFERING_ID = '0ffe0000-0000-4000-8000-000000000001';
const SEEDED_SPECIFICATION_ID = '5bec0000-0000-4000-8000-000000000001';

const uniqueName = (label: string) => `security ${label} ${randomUUID()}`;

/** The TMF Error resource every error response carries. */
function expectTmfError(body: unknown, status: number) {
  expect(body).toEqual(
    expect.objectContaining({
      code: String(status),
      reason: expect.any(String),
      message: expect.any(String),
      status: String(status),
    }),
  );
}

describe('security and input validation', () => {
  let api: TestApi;
  let admin: string;

  /**
   * Rows of a catalog table, and outbox events, whose document mentions this (unique) marker.
   * Other test files write to the same tables concurrently, so whole-table counts are unreliable.
   */
  const mentioning = async (table: string, column: string, marker: string) =>
    Number((await api.knex(table).whereRaw(`strpos(${column}::text, ?) > 0`, [marker]).count({ n: '*' }))[0].n);
  const writesMentioning = async (table: string, marker: string) => ({
    rows: await mentioning(table, 'body', marker),
    events: await mentioning('event_outbox', 'payload', marker),
  });
  const expectNothingWritten = async (table: string, marker: string) =>
    expect(await writesMentioning(table, marker)).toEqual({ rows: 0, events: 0 });

  beforeAll(async () => {
    api = await createTestApi();
    admin = await tokenFor('admin');
  });

  afterAll(async () => {
    await api.close();
  });

  describe('authentication', () => {
    it('rejects a request without a token with 401, a TMF error body and WWW-Authenticate', async () => {
      const res = await request(api.app).get(OFFERING);
      expect(res.status).toBe(401);
      expectTmfError(res.body, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('rejects a garbage token', async () => {
      const res = await request(api.app).get(OFFERING).set(bearer('not-a-jwt'));
      expect(res.status).toBe(401);
      expectTmfError(res.body, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('rejects an unsigned token (alg none)', async () => {
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const exp = Math.floor(Date.now() / 1000) + 3600;
      const unsigned = `${part({ alg: 'none' })}.${part({ sub: 'mallory', roles: ['admin'], iss: 'telco-bss', exp })}.`;
      const res = await request(api.app).get(OFFERING).set(bearer(unsigned));
      expect(res.status).toBe(401);
      expectTmfError(res.body, 401);
    });

    it('rejects a token signed with another secret', async () => {
      const forged = await signToken('another-secret-another-secret-0123456789', { subject: 'mallory', roles: ['admin'] });
      const res = await request(api.app).get(OFFERING).set(bearer(forged));
      expect(res.status).toBe(401);
      expectTmfError(res.body, 401);
    });

    it('rejects an expired token', async () => {
      const expiredAt = Math.floor(Date.now() / 1000) - 60;
      const expired = await signToken(process.env.JWT_SECRET!, { subject: 'test-admin', roles: ['admin'] }, expiredAt);
      const res = await request(api.app).get(OFFERING).set(bearer(expired));
      expect(res.status).toBe(401);
      expectTmfError(res.body, 401);
    });

    it('serves /health without a token', async () => {
      const res = await request(api.app).get('/health');
      expect(res.status).toBe(200);
    });
  });

  describe('authorisation', () => {
    it('forbids a customer to write the catalog (403, TMF error body)', async () => {
      const name = uniqueName('customer write');
      const res = await request(api.app).post(OFFERING).set(bearer(await tokenFor('customer'))).send({ name });
      expect(res.status).toBe(403);
      expectTmfError(res.body, 403);
      await expectNothingWritten('catalog_product_offering', name);
    });

    it('forbids an agent to create a product offering', async () => {
      const name = uniqueName('agent write');
      const res = await request(api.app).post(OFFERING).set(bearer(await tokenFor('agent'))).send({ name });
      expect(res.status).toBe(403);
      expectTmfError(res.body, 403);
      await expectNothingWritten('catalog_product_offering', name);
    });

    it('lets an agent read the catalog', async () => {
      const res = await request(api.app).get(`${OFFERING}/${SEEDED_OFFERING_ID}`).set(bearer(await tokenFor('agent')));
      expect(res.status).toBe(200);
    });

    it('serves /metrics to an admin only', async () => {
      expect((await request(api.app).get('/metrics')).status).toBe(401);
      const asAgent = await request(api.app).get('/metrics').set(bearer(await tokenFor('agent')));
      expect(asAgent.status).toBe(403);
      expectTmfError(asAgent.body, 403);
      expect((await request(api.app).get('/metrics').set(bearer(admin))).status).toBe(200);
    });
  });

  describe('request bodies', () => {
    it('rejects a body above 1 MB with 413 and writes nothing', async () => {
      const name = uniqueName('huge');
      const body = JSON.stringify({ name, description: 'x'.repeat(2 * 1024 * 1024) });
      const res = await request(api.app).post(OFFERING).set(bearer(admin)).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(413);
      expectTmfError(res.body, 413);
      await expectNothingWritten('catalog_product_offering', name);
    });

    it('does not read the body of an unauthenticated request (401, not 413)', async () => {
      const name = uniqueName('huge anonymous');
      const body = JSON.stringify({ name, description: 'x'.repeat(2 * 1024 * 1024) });
      const res = await request(api.app).post(OFFERING).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(401);
      expectTmfError(res.body, 401);
      await expectNothingWritten('catalog_product_offering', name);
    });

    it('rejects malformed JSON with 400 and writes nothing', async () => {
      const name = uniqueName('malformed');
      const res = await request(api.app)
        .post(OFFERING)
        .set(bearer(admin))
        .set('Content-Type', 'application/json')
        .send(`{"name": "${name}", "isBundle": fals`);
      expect(res.status).toBe(400);
      expectTmfError(res.body, 400);
      await expectNothingWritten('catalog_product_offering', name);
    });

    it('rejects a body that is not JSON with 415', async () => {
      const name = uniqueName('text');
      const res = await request(api.app).post(OFFERING).set(bearer(admin)).set('Content-Type', 'text/plain').send(name);
      expect(res.status).toBe(415);
      expectTmfError(res.body, 415);
      await expectNothingWritten('catalog_product_offering', name);
    });

    it('rejects a JSON body that is not an object', async () => {
      const res = await request(api.app).post(OFFERING).set(bearer(admin)).send([{ name: uniqueName('array') }]);
      expect(res.status).toBe(400);
      expectTmfError(res.body, 400);
    });
  });

  describe('schema validation', () => {
    const cases: Array<{ what: string; path: string; table: string; body: (marker: string) => Record<string, unknown>; field: string }> = [
      { what: 'a number as name', path: OFFERING, table: 'catalog_product_offering', body: (marker) => ({ name: 5, description: marker }), field: 'name' },
      {
        what: 'a string as isBundle',
        path: OFFERING,
        table: 'catalog_product_offering',
        body: (name) => ({ name, isBundle: 'yes' }),
        field: 'isBundle',
      },
      {
        what: 'an unknown priceType',
        path: PRICE,
        table: 'catalog_product_offering_price',
        body: (name) => ({ name, priceType: 'weekly' }),
        field: 'priceType',
      },
      {
        what: 'a float instead of a decimal string as tariff rate',
        path: PRICE,
        table: 'catalog_product_offering_price',
        body: (name) => ({
          name,
          priceType: 'usage',
          usageType: 'voice',
          rating: { bands: [{ name: 'any', slots: [{ start: 0, rate: 0.12, unit: 60, increment: 1 }] }] },
        }),
        field: 'rating.bands.0.slots.0.rate',
      },
    ];

    it.each(cases)('rejects $what with 400 naming $field, and writes nothing', async ({ path, table, body, field }) => {
      const marker = uniqueName(field);
      const res = await request(api.app).post(path).set(bearer(admin)).send(body(marker));
      expect(res.status).toBe(400);
      expectTmfError(res.body, 400);
      expect(res.body.message).toContain(field);
      await expectNothingWritten(table, marker);
    });
  });

  describe('updates and unknown ids', () => {
    it('rejects a PATCH that sets id with 400 and leaves the resource unchanged', async () => {
      const name = uniqueName('patch id');
      // A conformant offering (names its specification): the TMF620 CTK may list it meanwhile.
      const created = await request(api.app).post(OFFERING).set(bearer(admin)).send({ name, productSpecification: { id: SEEDED_SPECIFICATION_ID } });
      expect(created.status).toBe(201);
      const url = `${OFFERING}/${created.body.id}`;
      // The counter sees a write when there is one: the row and its CreateEvent.
      expect(await writesMentioning('catalog_product_offering', name)).toEqual({ rows: 1, events: 1 });

      const res = await request(api.app)
        .patch(url)
        .set(bearer(admin))
        .set('Content-Type', 'application/merge-patch+json')
        .send(JSON.stringify({ id: randomUUID(), description: 'changed' }));
      expect(res.status).toBe(400);
      expectTmfError(res.body, 400);
      expect(res.body.message).toContain('id');

      const after = await request(api.app).get(url).set(bearer(admin));
      expect(after.status).toBe(200);
      expect(after.body).toEqual(created.body);
      expect(await writesMentioning('catalog_product_offering', name)).toEqual({ rows: 1, events: 1 });
    });

    it.each([
      ['an unknown uuid', randomUUID()],
      ['an id that is not a uuid', '9881'],
    ])('answers 404 with a TMF error body for GET, PATCH and DELETE of %s', async (_what, id) => {
      const url = `${OFFERING}/${id}`;
      const responses = [
        await request(api.app).get(url).set(bearer(admin)),
        await request(api.app).patch(url).set(bearer(admin)).send({ description: 'x' }),
        await request(api.app).delete(url).set(bearer(admin)),
      ];
      for (const res of responses) {
        expect(res.status).toBe(404);
        expectTmfError(res.body, 404);
      }
    });
  });
});
