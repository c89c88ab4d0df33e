/**
 * Moving reservations into their session's row (migration 20261129000000), in a scratch database:
 * the reservations of open sessions held before the move are kept, with when the sweeper looks at
 * them, and are released by it when due; rolled back, they are rows again.
 */
import pg from 'pg';
import { createKnex } from '../db/knex';
import { migrationSource } from '../db/migrations';
import { sweepExpired } from '../ocs/engine';
import { bucketState, createPrepaidAccount } from './helpers/charging';
import { createEmptyDatabase, dropDatabase, migrateBackToBefore } from './helpers/database';

const MIGRATION = '20261129000000_charging_reservations_in_session';
const T0 = new Date('2026-11-04T11:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('reservations kept in the session row', () => {
  it('moves held reservations into their sessions, which the sweeper then releases; rolls back to rows', async () => {
    const dbName = `bss_session_migration_${process.pid}`;
    const url = await createEmptyDatabase(dbName);
    const knex = createKnex(url, { max: 2 });
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      await knex.migrate.latest({ migrationSource });
      const backToBefore = () => migrateBackToBefore(knex, MIGRATION);
      await backToBefore();
      expect(await knex.schema.hasTable('charging_reservation')).toBe(true);

      const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }], productId: null });
      const cash = line.buckets[0];
      const session = (id: string, state: string) => ({
        id,
        charging_account_id: line.accountId,
        msisdn: line.msisdn,
        state,
        last_request_number: 0,
        last_answer: JSON.stringify({ resultCode: 2001 }),
        started_at: T0,
        updated_at: T0,
        expires_at: at(1800),
      });
      await knex('charging_session').insert([session('open-1', 'open'), session('closed-1', 'closed')]);
      await knex('charging_reservation').insert([
        { session_id: 'open-1', rating_group: 100, bucket_id: cash, amount: '0.12', quantity: '60', expires_at: at(600) },
        { session_id: 'open-1', rating_group: 200, bucket_id: cash, amount: '0.30', quantity: '1048576', expires_at: at(900) },
      ]);
      await knex('charging_bucket').where({ id: cash }).update({ reserved: '0.42' });

      await knex.migrate.latest({ migrationSource });
      expect(await knex.schema.hasTable('charging_reservation')).toBe(false);
      const open = await knex('charging_session').where({ id: 'open-1' }).first('reservations', 'sweep_at', 'closed_at');
      expect(JSON.parse(open.reservations)).toEqual([
        expect.objectContaining({ ratingGroup: 100, bucketId: cash, amount: '0.120000', quantity: '60.000000' }),
        expect.objectContaining({ ratingGroup: 200, bucketId: cash, amount: '0.300000', quantity: '1048576.000000' }),
      ]);
      expect(open.sweep_at).toEqual(at(600));
      expect(open.closed_at).toBeNull();
      expect((await knex('charging_session').where({ id: 'closed-1' }).first('closed_at')).closed_at).toEqual(T0);

      // Due one at a time: the first at 600 s, the second at 900 s.
      expect(await sweepExpired(pool, at(600))).toMatchObject({ released: 1, closed: 0 });
      expect(await bucketState(knex, cash)).toEqual({ balance: '10.000000', reserved: '0.300000' });
      expect((await knex('charging_session').where({ id: 'open-1' }).first('sweep_at')).sweep_at).toEqual(at(900));
      await backToBefore();
      const rows = await knex('charging_reservation').select('session_id', 'rating_group', knex.raw('amount::text AS amount'));
      expect(rows).toEqual([{ session_id: 'open-1', rating_group: 200, amount: '0.300000' }]);
    } finally {
      await pool.end();
      await knex.destroy();
      await dropDatabase(dbName);
    }
  });
});
