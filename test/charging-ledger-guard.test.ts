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

  it('keeps its entries as written: no update, delete or truncate of an entry, no change of where a bucket started', async () => {
    const [line] = await createPrepaidAccount(knex, { buckets: [{ type: 'money', amount: '10.00' }], productId: null });
    const [bucket] = line.buckets;
    await knex.transaction((trx) => applyLedgerEntry(trx, { bucketId: bucket, kind: 'debit', amount: '2.00', reference: `adjustment:${bucket}`, now: new Date('2026-01-02T00:00:00Z') }));
    const entries = () => knex('charging_ledger').where({ bucket_id: bucket }).select('kind', 'amount');
    const before = await entries();
    const refused = { code: '42501' };
    await expect(knex('charging_ledger').where({ bucket_id: bucket }).update({ amount: '0.01' })).rejects.toMatchObject(refused);
    await expect(knex('charging_ledger').where({ bucket_id: bucket }).delete()).rejects.toMatchObject(refused);
    await expect(knex.raw('TRUNCATE charging_ledger')).rejects.toMatchObject(refused);
    // Moving the start with the balance would hide a debit from reconciliation.
    await expect(knex('charging_bucket').where({ id: bucket }).update({ initial: '12.00', balance: '10.00' })).rejects.toMatchObject(refused);
    expect(await entries()).toEqual(before);
    expect(await knex('charging_bucket').where({ id: bucket }).first(knex.raw('initial::text'), knex.raw('balance::text'))).toEqual({ initial: '10.000000', balance: '8.000000' });
    // Anything else of the bucket still changes.
    await knex('charging_bucket').where({ id: bucket }).update({ priority: 90 });
  });
});
