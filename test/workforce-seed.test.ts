/**
 * The seeded technicians cover Madrid, Barcelona and Valencia and seeding twice changes nothing;
 * the workforce migrations roll back and apply again (in a scratch database of their own).
 */
import type { Knex } from 'knex';
import { createKnex } from '../db/knex';
import { migrationNames, migrationSource } from '../db/migrations';
import { SEED_TECHNICIANS, seedWorkforce } from '../db/seeds/workforce';
import { techniciansForPostalCode } from '../db/workforce';
import { createEmptyDatabase, dropDatabase } from './helpers/database';

describe('workforce seeds and migrations', () => {
  let knex: Knex;
  beforeAll(() => {
    knex = createKnex(process.env.DATABASE_URL!);
  });
  afterAll(async () => {
    await knex.destroy();
  });

  it('seeds several technicians per city, idempotently', async () => {
    await seedWorkforce(knex);
    await seedWorkforce(knex);
    const ids = SEED_TECHNICIANS.map((t) => t.id);
    const rows = await knex('workforce_technician').whereIn('id', ids).count({ n: '*' });
    expect(Number(rows[0].n)).toBe(SEED_TECHNICIANS.length);
    const names = async (postalCode: string) => (await techniciansForPostalCode(knex, postalCode)).filter((t) => ids.includes(t.id)).map((t) => t.name);
    expect(await names('28013')).toEqual(['Lucía Fernández', 'Javier Moreno', 'Carmen Ruiz']);
    expect(await names('28220')).toEqual(['Javier Moreno', 'Carmen Ruiz']);
    expect(await names('08001')).toEqual(['Jordi Puig', 'Montserrat Vila']);
    expect(await names('08940')).toEqual(['Jordi Puig']);
    expect(await names('46001')).toEqual(['Vicente Soler', 'Amparo Navarro']);
    expect(await names('41001')).toEqual([]);
    expect((await techniciansForPostalCode(knex, '28013'))[0]).toMatchObject({ timeZone: 'Europe/Madrid', workingDays: [1, 2, 3, 4, 5], workStart: '08:00', workEnd: '18:00' });
  });

  it('rolls the workforce migrations back and applies them again', async () => {
    const ours = migrationNames().filter((n) => n.startsWith('20261126300'));
    expect(ours).toEqual([
      '20261126300000_create_workforce_technician',
      '20261126300100_create_workforce_booking',
      '20261126300200_create_appointment_tables',
      '20261126300300_create_work_order_table',
    ]);
    const dbName = `bss_workforce_migrations_${process.pid}`;
    const scratch = createKnex(await createEmptyDatabase(dbName), { max: 2 });
    try {
      await scratch.migrate.latest({ migrationSource });
      // Ours are the latest on this branch; roll back whatever came after them too, then ours.
      const all = migrationNames();
      const downs = all.length - all.indexOf(ours[0]);
      for (let i = 0; i < downs; i++) await scratch.migrate.down({ migrationSource });
      expect(await scratch.schema.hasTable('workforce_technician')).toBe(false);
      expect(await scratch.schema.hasTable('workforce_booking')).toBe(false);
      expect(await scratch.schema.hasTable('workforce_work_order')).toBe(false);
      await scratch.migrate.latest({ migrationSource });
      expect(await scratch.schema.hasTable('workforce_booking')).toBe(true);
    } finally {
      await scratch.destroy();
      await dropDatabase(dbName);
    }
  });
});
