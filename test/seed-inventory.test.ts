/** The inventory seeds: SIM stock, FTTH areas and access nodes; seeding again changes nothing. */
import type { Knex } from 'knex';
import { createKnex } from '../db/knex';
import { findServiceArea } from '../db/resource-inventory';
import { SEED_SERVICE_AREAS, SEED_SIM_COUNT, seedInventory } from '../db/seeds/inventory';
import { isValidIccid } from '../domain/inventory/sim';

describe('inventory seeds', () => {
  let knex: Knex;
  beforeAll(() => {
    knex = createKnex(process.env.DATABASE_URL!);
  });
  afterAll(async () => {
    await knex.destroy();
  });

  const counts = async () => ({
    sims: Number((await knex('inventory_sim').where('iccid', 'like', '893401%').count({ n: '*' }))[0].n),
    numbers: Number((await knex('inventory_msisdn').where('msisdn', 'like', '+3460000%').count({ n: '*' }))[0].n),
    ports: Object.fromEntries(
      (
        (await knex('inventory_port')
          .whereIn('access_node_id', SEED_SERVICE_AREAS.flatMap((a) => a.nodes.map((n) => n.id)))
          .select('access_node_id')
          .count({ n: '*' })
          .groupBy('access_node_id')) as Array<{ access_node_id: string; n: string }>
      ).map((r) => [r.access_node_id, Number(r.n)]),
    ),
  });

  it('holds the seeded stock, and seeding twice more leaves it as it was', async () => {
    const before = await counts();
    expect(before).toEqual({
      sims: SEED_SIM_COUNT,
      numbers: 10_000,
      ports: { 'OLT-MAD-01': 64, 'OLT-MAD-02': 64, 'OLT-BCN-01': 64, 'OLT-VLC-01': 4 },
    });
    await seedInventory(knex);
    await seedInventory(knex);
    expect(await counts()).toEqual(before);
    const sample = await knex('inventory_sim').where('iccid', 'like', '893401%').orderBy('iccid').limit(3);
    expect(sample.map((s: { iccid: string; imsi: string }) => [s.iccid, s.imsi])).toEqual([
      ['8934010000000000018', '214010000000001'],
      ['8934010000000000026', '214010000000002'],
      ['8934010000000000034', '214010000000003'],
    ]);
    expect(sample.every((s: { iccid: string }) => isValidIccid(s.iccid))).toBe(true);
    expect((await findServiceArea(knex, '46001'))?.id).toBe('VLC');
  });
});
