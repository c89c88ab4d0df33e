/** TMF685 resource pools: live capacity of numbers, SIM cards and FTTH ports per area; staff only. */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { addAccessNode, ensureServiceArea, releaseOwnerResources, reservePort } from '../db/resource-inventory';
import { SEED_SERVICE_AREAS } from '../db/seeds/inventory';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';

const BASE = '/tmf-api/resourcePoolManagement/v4/resourcePool';
const ctx = () => ({ now: new Date(), publicUrl: 'http://bss.test' });

describe('TMF685 resource pools', () => {
  let api: TestApi;
  const t = randomUUID().slice(0, 6).toUpperCase().replace(/[^0-9A-Z]/g, '0');
  const areaId = `P-${t}`;
  const owner = randomUUID();

  beforeAll(async () => {
    api = await createTestApi();
    await ensureServiceArea(api.knex, { id: areaId, name: `Pool ${t}`, postalCodes: [`V${t}`] });
    await addAccessNode(api.knex, { areaId, id: `OLT-P${t}-01`, ports: 3 });
    await reservePort(api.knex, { owner, customerId: 'c1', postalCode: `V${t}9` }, ctx());
  });
  afterAll(async () => {
    await releaseOwnerResources(api.knex, owner, ctx());
    await api.close();
  });

  it('lists the number, SIM and per-area port pools with their capacity', async () => {
    const admin = bearer(await tokenFor('admin'));
    const res = await request(api.app).get(BASE).set(admin).expect(200);
    const ids = res.body.map((p: { id: string }) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['msisdn', 'sim', ...SEED_SERVICE_AREAS.map((a) => `ftth-${a.id}`), `ftth-${areaId}`]));
    expect(res.headers['x-total-count']).toBe(String(ids.length));
    const sim = res.body.find((p: { id: string }) => p.id === 'sim');
    expect(sim).toMatchObject({ '@type': 'ResourcePool', href: `http://bss.test${BASE}/sim`, capacity: { units: 'SIM card' } });
    // The total counts every card, also those no longer usable (retired with a terminated line).
    const { byStatus } = sim.capacity as { byStatus: Record<string, number> };
    expect(sim.capacity.total).toBe(Object.values(byStatus).reduce((sum, n) => sum + n, 0));
    expect([sim.capacity.available, sim.capacity.reserved, sim.capacity.inUse]).toEqual([byStatus.available ?? 0, byStatus.reserved ?? 0, byStatus.inUse ?? 0]);
    expect(sim.capacity.total).toBeGreaterThanOrEqual(3000);

    const pool = (await request(api.app).get(`${BASE}/ftth-${areaId}`).set(admin).expect(200)).body;
    expect(pool).toMatchObject({
      id: `ftth-${areaId}`,
      place: { id: areaId, '@referredType': 'ServiceArea' },
      capacity: { units: 'port', total: 3, available: 2, reserved: 1, inUse: 0 },
      resourceCollection: [{ name: `OLT-P${t}-01`, '@referredType': 'AccessNode', capacity: { total: 3, available: 2, reserved: 1, inUse: 0 } }],
    });
    const vlc = (await request(api.app).get(`${BASE}/ftth-VLC`).set(admin).expect(200)).body;
    expect(vlc.capacity.total).toBe(4);
  });

  it('filters, projects and pages', async () => {
    const agent = bearer(await tokenFor('agent'));
    const sims = await request(api.app).get(`${BASE}?resourceType=SIM%20card&fields=name`).set(agent).expect(200);
    expect(sims.body).toEqual([{ id: 'sim', href: `http://bss.test${BASE}/sim`, name: 'SIM cards' }]);
    const page = await request(api.app).get(`${BASE}?offset=1&limit=1`).set(agent).expect(200);
    expect(page.body.map((p: { id: string }) => p.id)).toEqual(['sim']);
    expect(page.headers['x-result-count']).toBe('1');
    expect((await request(api.app).get(`${BASE}?limit=x`).set(agent).expect(400)).body.message).toMatch(/^limit: /);
  });

  it('answers 404 for an unknown pool and 403 to customers', async () => {
    const admin = bearer(await tokenFor('admin'));
    expect((await request(api.app).get(`${BASE}/ftth-NOPE`).set(admin).expect(404)).body).toMatchObject({ code: '404', status: '404' });
    await request(api.app).get(BASE).set(bearer(await tokenFor('customer'))).expect(403);
    await request(api.app).get(BASE).expect(401);
  });
});
