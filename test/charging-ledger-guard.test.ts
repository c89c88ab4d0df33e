/**
 * A bucket keeps its ledger: once it has entries it can be neither deleted nor given another id
 * (23503, as the foreign key it replaces answered); a bucket without entries can still go (an
 * order's unused buckets when the order is undone).
 */
import type { Knex } from 'knex';
import { createKnex } from '../db/knex';
import { applyLedgerEntry } from '../db/prepay-balance';
import { createPrepaidAccount } from './helpers/charging';

describe('a bucket keeps its ledger', () => {
  let knex: Knex;
  beforeAll(() => {
    knex = createKnex(process.env.DATABASE_URL!);
  });
  afterAll(() => knex.destroy());

  it('refuses to delete or renumber a bucket with entries, and deletes one without', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }, { type: 'data', amount: '1048576' }], productId: null });
    const [used, unused] = line.buckets;
    await knex.transaction((trx) => applyLedgerEntry(trx, { bucketId: used, kind: 'credit', amount: '5.00', reference: `topup:${used}`, now: new Date('2026-01-02T00:00:00Z') }));

    await expect(knex('charging_bucket').where({ id: used }).delete()).rejects.toMatchObject({ code: '23503' });
    await expect(knex('charging_bucket').where({ id: used }).update({ id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: '23503' });
    expect(await knex('charging_bucket').where({ id: used }).first(knex.raw('balance::text AS balance'))).toEqual({ balance: '15.000000' });
    expect(await knex('charging_ledger').where({ bucket_id: used }).count<{ count: string }[]>('* as count')).toEqual([{ count: '1' }]);

    // Changing anything but the id is not the trigger's business.
    await knex('charging_bucket').where({ id: used }).update({ priority: 90 });
    expect(await knex('charging_bucket').where({ id: unused }).delete()).toBe(1);
    expect(await knex('charging_bucket').where({ id: unused }).first()).toBeUndefined();
  });
});
