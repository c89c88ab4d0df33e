/**
 * The generic TMF resource machinery (api/tmf/), exercised through TMF620 productOffering:
 * server-filled attributes on create, retrieval with `fields`, equality filters, paging headers,
 * JSON merge patch and delete. The server clock is a ManualClock so that `lastUpdate` is exact.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, createTestApi, ManualClock, tokenFor, type TestApi } from './helpers/api';

const PUBLIC_URL = 'http://bss.test';
const OFFERING = '/tmf-api/productCatalogManagement/v4/productOffering';
/**
 * Every offering created here names a seeded specification (or, for a bundle, seeded offerings):
 * the TMF620 CTK, which may run beside these tests on the same database, checks every listed
 * offering for them.
 */
const SEEDED_SPECIFICATION = { id: '5bec0000-0000-4000-8000-000000000001', name: 'Prepaid mobile 10 GB' };
const SEEDED_FIBRE_ID = '0ffe0000-0000-4000-8000-000000000005';
const SEEDED_MOBILE_ID = '0ffe0000-0000-4000-8000-000000000004';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A productOffering as the server returns it (the attributes these tests read). */
interface Offering {
  id: string;
  href: string;
  name: string;
  lastUpdate: string;
  validFor: { startDateTime: string };
  [attribute: string]: unknown;
}

/** A start time of its own for every run, so that `lastUpdate` filters only find this run's data. */
const START = new Date(Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 1e6) * 60_000 + 123);

describe('TMF resource machinery (productOffering)', () => {
  let api: TestApi;
  let admin: string;
  const clock = new ManualClock(START);

  const unique = (label: string) => `machinery ${label} ${randomUUID()}`;
  const create = async (body: Record<string, unknown>) => {
    const res = await request(api.app).post(OFFERING).set(bearer(admin)).send({ productSpecification: SEEDED_SPECIFICATION, ...body });
    expect(res.status).toBe(201);
    return res.body as Offering;
  };
  const list = (query: Record<string, string>) => request(api.app).get(OFFERING).query(query).set(bearer(admin));

  beforeAll(async () => {
    api = await createTestApi(clock);
    admin = await tokenFor('admin');
  });

  afterAll(async () => {
    await api.close();
  });

  describe('POST', () => {
    it('answers 201 with the stored resource, its server-filled attributes and Location = href', async () => {
      clock.advance(60_000);
      const name = unique('create');
      const res = await request(api.app).post(OFFERING).set(bearer(admin)).send({ name, productSpecification: SEEDED_SPECIFICATION });

      expect(res.status).toBe(201);
      const { id } = res.body;
      expect(id).toMatch(UUID);
      expect(res.body).toEqual({
        id,
        href: `${PUBLIC_URL}${OFFERING}/${id}`,
        '@type': 'ProductOffering',
        name,
        productSpecification: SEEDED_SPECIFICATION,
        lifecycleStatus: 'In design',
        version: '1.0',
        validFor: { startDateTime: clock.now().toISOString() },
        lastUpdate: clock.now().toISOString(),
      });
      expect(res.body.lastUpdate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(res.headers.location).toBe(res.body.href);
    });

    it('keeps attributes the client set over the defaults', async () => {
      const body = await create({ name: unique('client status'), lifecycleStatus: 'In study', '@type': 'MobileOffering' });
      expect(body.lifecycleStatus).toBe('In study');
      expect(body['@type']).toBe('MobileOffering');
    });

    it('ignores an id and href sent by the client', async () => {
      const clientId = randomUUID();
      const body = await create({ name: unique('client id'), id: clientId, href: 'http://evil.example/x' });
      expect(body.id).not.toBe(clientId);
      expect(body.href).toBe(`${PUBLIC_URL}${OFFERING}/${body.id}`);
      expect((await request(api.app).get(`${OFFERING}/${clientId}`).set(bearer(admin))).status).toBe(404);
    });
  });

  describe('GET by id', () => {
    let created: Offering;
    beforeAll(async () => {
      created = await create({ name: unique('get'), description: 'to be read', isSellable: true });
    });

    it('returns the whole resource', async () => {
      const res = await request(api.app).get(`${OFFERING}/${created.id}`).set(bearer(admin));
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created);
    });

    it('returns only id, href and the requested attributes with fields=', async () => {
      const res = await request(api.app).get(`${OFFERING}/${created.id}`).query({ fields: 'name' }).set(bearer(admin));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: created.id, href: created.href, name: created.name });
    });
  });

  describe('GET list', () => {
    /** Three offerings sharing a description, created in order at distinct times. */
    const tag = unique('list tag');
    const specId = randomUUID();
    let items: Offering[];

    beforeAll(async () => {
      items = [];
      const variants: Array<Record<string, unknown>> = [
        { isBundle: false, productSpecification: { id: specId, name: 'spec' } },
        {
          isBundle: true,
          // A bundle names what it bundles (the TMF620 CTK checks every listed offering for it).
          bundledProductOffering: [{ id: SEEDED_FIBRE_ID }, { id: SEEDED_MOBILE_ID }],
          validFor: { startDateTime: '2031-05-01T10:00:00+02:00' },
        },
        {},
      ];
      for (const [i, extra] of variants.entries()) {
        clock.advance(1000);
        items.push(await create({ name: `${tag} #${i}`, description: tag, ...extra }));
      }
    });

    it('lists with fields= projection', async () => {
      const res = await list({ description: tag, fields: 'name' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(items.map(({ id, href, name }) => ({ id, href, name })));
    });

    it('filters on a unique name', async () => {
      const res = await list({ name: items[1].name });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([items[1]]);
    });

    it('filters on a boolean as the client wrote it', async () => {
      expect((await list({ description: tag, isBundle: 'false' })).body).toEqual([items[0]]);
      expect((await list({ description: tag, isBundle: 'true' })).body).toEqual([items[1]]);
    });

    it('filters on the exact lastUpdate value', async () => {
      const res = await list({ lastUpdate: items[2].lastUpdate });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([items[2]]);
    });

    it('treats a comma list as any of the values', async () => {
      const res = await list({ name: `${items[0].name},${items[2].name}` });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([items[0], items[2]]);
    });

    it('filters on a nested attribute with a dotted name', async () => {
      const res = await list({ 'productSpecification.id': specId });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([items[0]]);
    });

    it('matches a date-time whose + offset was sent unencoded (arriving as a space)', async () => {
      const res = await request(api.app)
        .get(`${OFFERING}?description=${encodeURIComponent(tag)}&validFor.startDateTime=2031-05-01T10:00:00+02:00`)
        .set(bearer(admin));
      expect(res.status).toBe(200);
      expect(res.body).toEqual([items[1]]);
    });

    it('answers 200 with an empty array for a filter on an unknown attribute', async () => {
      const res = await list({ noSuchAttribute: tag });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
      expect(res.headers['x-total-count']).toBe('0');
      expect(res.headers['x-result-count']).toBe('0');
    });

    it('pages with offset and limit, oldest first, counting in X-Total-Count and X-Result-Count', async () => {
      const page = await list({ description: tag, offset: '1', limit: '1' });
      expect(page.status).toBe(200);
      expect(page.body).toEqual([items[1]]);
      expect(page.headers['x-total-count']).toBe('3');
      expect(page.headers['x-result-count']).toBe('1');

      const rest = await list({ description: tag, offset: '2', limit: '10' });
      expect(rest.status).toBe(200);
      expect(rest.body).toEqual([items[2]]);
      expect(rest.headers['x-total-count']).toBe('3');
      expect(rest.headers['x-result-count']).toBe('1');

      const whole = await list({ description: tag });
      expect(whole.status).toBe(200);
      expect(whole.body).toEqual(items);
      expect(whole.headers['x-result-count']).toBe('3');
    });

    it.each([
      ['limit', '-1'],
      ['limit', 'abc'],
      ['offset', '-1'],
      ['offset', '1.5'],
    ])('rejects %s=%s with 400 naming the parameter', async (param, value) => {
      const res = await list({ description: tag, [param]: value });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(expect.objectContaining({ code: '400', status: '400', message: expect.stringContaining(param) }));
    });
  });

  describe('PATCH', () => {
    it.each(['application/merge-patch+json', 'application/json'])(
      'merges a patch sent as %s: returns the whole resource, null removes, nested objects merge, lastUpdate moves',
      async (contentType) => {
        const created = await create({ name: unique('patch'), description: 'to be removed', isSellable: false });
        clock.advance(5 * 60_000);
        const endDateTime = '2040-12-31T23:59:59.000Z';

        const res = await request(api.app)
          .patch(`${OFFERING}/${created.id}`)
          .set(bearer(admin))
          .set('Content-Type', contentType)
          .send(JSON.stringify({ description: null, isSellable: true, validFor: { endDateTime } }));

        expect(res.status).toBe(200);
        const { description: _removed, ...kept } = created;
        const expected = {
          ...kept,
          isSellable: true,
          validFor: { startDateTime: created.validFor.startDateTime, endDateTime },
          lastUpdate: clock.now().toISOString(),
        };
        expect(res.body).toEqual(expected);
        expect(res.body.lastUpdate).not.toBe(created.lastUpdate);
        expect((await request(api.app).get(`${OFFERING}/${created.id}`).set(bearer(admin))).body).toEqual(expected);
      },
    );

    it('rejects a patch that makes the resource invalid, leaving it unchanged', async () => {
      const created = await create({ name: unique('invalid patch') });
      const res = await request(api.app).patch(`${OFFERING}/${created.id}`).set(bearer(admin)).send({ name: null });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('name');
      expect((await request(api.app).get(`${OFFERING}/${created.id}`).set(bearer(admin))).body).toEqual(created);
    });
  });

  describe('DELETE', () => {
    it('answers 204, after which the resource is gone', async () => {
      const created = await create({ name: unique('delete') });
      const res = await request(api.app).delete(`${OFFERING}/${created.id}`).set(bearer(admin));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const after = await request(api.app).get(`${OFFERING}/${created.id}`).set(bearer(admin));
      expect(after.status).toBe(404);
      expect((await list({ name: created.name })).body).toEqual([]);
    });
  });
});
