/**
 * The sweeper on a database of its own (a session that cannot be swept would fail the sweeps of
 * other test files on the shared one): one session failing does not hold up the others, and a
 * backlog larger than a sweep is worked off in one tick.
 */
import pg from 'pg';
import type { Knex } from 'knex';
import { createKnex } from '../db/knex';
import { ManualClock } from '../domain/clock';
import { startSweeper, sweepExpired } from '../ocs/engine';
import { bucketState, createPrepaidAccount } from './helpers/charging';
import { createScratchDatabase, dropDatabase } from './helpers/database';

const T0 = new Date('2026-11-04T11:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('the reservation sweeper', () => {
  const dbName = `bss_sweeper_${process.pid}`;
  let knex: Knex;
  let pool: pg.Pool;

  beforeAll(async () => {
    const url = await createScratchDatabase(dbName);
    knex = createKnex(url, { max: 2 });
    pool = new pg.Pool({ connectionString: url, max: 4 });
  });
  afterAll(async () => {
    await pool.end();
    await knex.destroy();
    await dropDatabase(dbName);
  });

  /** `count` open sessions, each holding 0.12 on a new account's bucket, due at 600 s. */
  async function heldSessions(count: number, reservationsOf: (bucketId: string, i: number) => string = (bucketId, i) => JSON.stringify([{ id: `${i}.0`, ratingGroup: 100, bucketId, amount: '0.120000', quantity: '60', expiresAt: at(600).toISOString() }])) {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '1000.00' }], productId: null });
    const [cash] = line.buckets;
    const ids = Array.from({ length: count }, (_, i) => `sweep-${cash}-${i}`);
    await knex('charging_session').insert(
      ids.map((id, i) => ({
        id,
        charging_account_id: line.accountId,
        msisdn: line.msisdn,
        state: 'open',
        last_request_number: 0,
        last_answer: '{}',
        usage: '{}',
        reservations: reservationsOf(cash, i),
        started_at: T0,
        updated_at: T0,
        expires_at: at(1800),
        sweep_at: at(600),
      })),
    );
    await knex('charging_bucket').where({ id: cash }).update({ reserved: (0.12 * count).toFixed(2) });
    return { cash, ids };
  }

  it('releases the other sessions when one cannot be swept, and says so after', async () => {
    const { cash, ids } = await heldSessions(3, (bucketId, i) => (i === 1 ? '{not json' : JSON.stringify([{ id: `${i}.0`, ratingGroup: 100, bucketId, amount: '0.120000', quantity: '60', expiresAt: at(600).toISOString() }])));
    await expect(sweepExpired(pool, at(601))).rejects.toThrow(/json/i);
    // The two sound sessions gave their 0.24 back; the broken one still holds its 0.12, due again.
    expect(await bucketState(knex, cash)).toEqual({ balance: '1000.000000', reserved: '0.120000' });
    expect(await knex('charging_session').whereIn('id', ids).andWhere('sweep_at', '<=', at(601)).pluck('id')).toEqual([ids[1]]);
    await knex('charging_session').where({ id: ids[1] }).update({ state: 'closed', reservations: '[]', closed_at: at(601) });
  });

  it('works off a backlog larger than one sweep within one tick', async () => {
    const { cash } = await heldSessions(25);
    const errors: unknown[] = [];
    const started = Date.now();
    const sweeper = startSweeper({ pool, clock: new ManualClock(at(601)), intervalMs: 1000, retentionMs: 86_400_000, batch: 10, onError: (err) => errors.push(err) });
    try {
      // 25 sessions, 10 a sweep: all released in the first tick (at 1 s), not by the third (at 3 s).
      while (Date.now() - started < 1800 && (await bucketState(knex, cash)).reserved !== '0.000000') await new Promise((r) => setTimeout(r, 50));
      expect(await bucketState(knex, cash)).toEqual({ balance: '1000.000000', reserved: '0.000000' });
    } finally {
      await sweeper.stop();
    }
    expect(errors).toEqual([]);
  });
});
