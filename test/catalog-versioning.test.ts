import request from 'supertest';
import { CatalogReader, createCatalogActivities } from '../activities/catalog';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';

const BASE = '/tmf-api/productCatalogManagement/v4';

describe('catalog versions: what was sold keeps its terms', () => {
  let api: TestApi;
  let admin: Record<string, string>;

  beforeAll(async () => {
    api = await createTestApi();
    admin = bearer(await tokenFor('admin'));
  });
  afterAll(() => api.close());

  async function launchedPrice(value: number) {
    const res = await request(api.app)
      .post(`${BASE}/productOfferingPrice`)
      .set(admin)
      .send({
        name: `Monthly fee ${Date.now()}`,
        priceType: 'recurring',
        recurringChargePeriodType: 'month',
        recurringChargePeriodLength: 1,
        price: { unit: 'EUR', value },
        tax: [{ taxCategory: 'VAT', taxRate: 21 }],
        lifecycleStatus: 'Launched',
      })
      .expect(201);
    return res.body as { id: string; version: string };
  }

  it('edits an unlaunched price in place', async () => {
    const created = await request(api.app)
      .post(`${BASE}/productOfferingPrice`)
      .set(admin)
      .send({ name: `Draft ${Date.now()}`, priceType: 'oneTime', price: { unit: 'EUR', value: 5 } })
      .expect(201);
    expect(created.body).toMatchObject({ lifecycleStatus: 'In design', version: '1.0' });
    const patched = await request(api.app)
      .patch(`${BASE}/productOfferingPrice/${created.body.id}`)
      .set(admin)
      .send({ price: { value: 6 } })
      .expect(200);
    expect(patched.body).toMatchObject({ version: '1.0', price: { unit: 'EUR', value: 6 } });
  });

  it('makes a new version when a launched price changes, and keeps the old one readable', async () => {
    const price = await launchedPrice(25);
    expect(price.version).toBe('1.0');

    const renamed = await request(api.app).patch(`${BASE}/productOfferingPrice/${price.id}`).set(admin).send({ description: 'Our fee' }).expect(200);
    expect(renamed.body.version).toBe('1.0');

    const repriced = await request(api.app)
      .patch(`${BASE}/productOfferingPrice/${price.id}`)
      .set('Content-Type', 'application/merge-patch+json')
      .set(admin)
      .send(JSON.stringify({ price: { value: 30 }, version: '1.0' }))
      .expect(200);
    expect(repriced.body).toMatchObject({ id: price.id, version: '2.0', price: { unit: 'EUR', value: 30 } });

    const current = await request(api.app).get(`${BASE}/productOfferingPrice/${price.id}`).set(admin).expect(200);
    expect(current.body).toMatchObject({ version: '2.0', price: { value: 30 } });

    const reader = new CatalogReader(api.knex);
    expect(await reader.atVersion('productOfferingPrice', price.id, '1.0')).toMatchObject({ price: { unit: 'EUR', value: 25 }, description: 'Our fee' });
    expect(await reader.atVersion('productOfferingPrice', price.id, '2.0')).toMatchObject({ price: { value: 30 } });
    expect(await reader.atVersion('productOfferingPrice', price.id, '3.0')).toBeUndefined();
  });

  it('resolves an offering with its specification and prices for the other domains', async () => {
    const { getOfferingSnapshot } = createCatalogActivities({ knex: api.knex });
    const snapshot = await getOfferingSnapshot('0ffe0000-0000-4000-8000-000000000004');
    expect(snapshot?.offering).toMatchObject({ name: 'Postpaid 20 GB', paymentType: 'postpaid', version: '1.0' });
    expect(snapshot?.specification).toMatchObject({ serviceType: 'mobile' });
    const priceTypes = snapshot!.prices.map((p) => p.priceType).sort();
    expect(priceTypes).toContain('recurring');
    expect(priceTypes).toContain('usage');
    expect(priceTypes).toContain('oneTime');
    expect(await getOfferingSnapshot('00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});
