/**
 * Buckets owned by a line (migration 20261207000000), in a scratch database: the allowances orders
 * loaded before are given to the line whose product lists their order item; money, allowances no
 * line or several lines match, and buckets of other origins stay shared; money cannot be a line's.
 */
import { randomUUID } from 'node:crypto';
import { addBucket } from '../db/charging';
import { createKnex } from '../db/knex';
import { migrationSource } from '../db/migrations';
import { createPrepaidAccount } from './helpers/charging';
import { createEmptyDatabase, dropDatabase, migrateBackToBefore } from './helpers/database';

const MIGRATION = '20261207000000_charging_bucket_owner';
const T0 = new Date('2026-11-04T11:00:00Z');

describe('line-owned buckets', () => {
  it('gives the allowances loaded before to the line whose order item loaded them, and keeps money shared', async () => {
    const dbName = `bss_bucket_owner_${process.pid}`;
    const url = await createEmptyDatabase(dbName);
    const knex = createKnex(url, { max: 2 });
    try {
      await knex.migrate.latest({ migrationSource });
      const backToBefore = () => migrateBackToBefore(knex, MIGRATION);
      await backToBefore();
      expect(await knex.schema.hasColumn('charging_bucket', 'owner_msisdn')).toBe(false);

      const [first, second] = await createPrepaidAccount(knex, { buckets: [], lines: 2, at: T0 });
      const [added, changed, bundle, shared] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const sold = async (productId: string, name: string, items: Array<[string, string]>) => {
        const { body } = await knex('product_inventory').where({ id: productId }).first('body');
        const productOrderItem = items.map(([productOrderId, orderItemId]) => ({ productOrderId, orderItemId }));
        await knex('product_inventory').where({ id: productId }).update({ body: { ...body, productOffering: { ...body.productOffering, name }, productOrderItem } });
      };
      // The first line came with one order and changed plan with another; the second came in a bundle.
      await sold(first.productId, 'Prepaid 10 GB', [[added, '1'], [changed, '1'], [shared, '3']]);
      await sold(second.productId, 'Prepaid Pay-as-you-go', [[bundle, '2'], [shared, '3']]);
      const bucket = async (origin: string, type: 'money' | 'voice' | 'data' | 'sms') => {
        await addBucket(knex, { chargingAccountId: first.accountId, origin, type, unit: type === 'money' ? 'EUR' : 'seconds', amount: '10', priority: 10, validFrom: T0 });
        return origin;
      };
      const origins = [
        await bucket(`order:${added}:1:money`, 'money'),
        await bucket(`order:${added}:1:voice`, 'voice'),
        await bucket(`order:${changed}:1:data`, 'data'),
        await bucket(`order:${bundle}:2/1:sms`, 'sms'),
        await bucket(`order:${shared}:3:voice`, 'voice'), // both lines list the item: nobody's alone
        await bucket(`tmf654:bucket:${randomUUID()}`, 'voice'),
      ];

      await knex.migrate.latest({ migrationSource });
      const owners = await knex('charging_bucket').whereIn('origin', origins).select('origin', 'owner_msisdn');
      expect(Object.fromEntries(owners.map((b) => [b.origin, b.owner_msisdn]))).toEqual(
        Object.fromEntries(origins.map((o, i) => [o, [null, first.msisdn, first.msisdn, second.msisdn, null, null][i]])),
      );
      // The usage report counts what a line's own bucket gave for its product, a shared one's for the account's.
      const ids = await knex('charging_bucket').whereIn('origin', [origins[1], origins[4]]).select('id', 'origin');
      for (const b of ids) await knex('charging_ledger').insert({ bucket_id: b.id, kind: 'debit', amount: '60', reference: `s-${b.origin}#1`, rating_group: 100, created_at: T0 });
      await knex.raw('REFRESH MATERIALIZED VIEW report_prepaid_usage');
      const usage = await knex('report_prepaid_usage').whereIn('id', knex('charging_ledger').whereIn('bucket_id', ids.map((b) => b.id)).select('id')).select('product');
      expect(usage.map((u) => u.product).sort()).toEqual(['Prepaid 10 GB', 'several products']);

      // Money is the account's: PostgreSQL refuses a line's own.
      await expect(knex('charging_bucket').where({ origin: origins[0] }).update({ owner_msisdn: first.msisdn })).rejects.toMatchObject({ code: '23514' });

      // Rolled back, the column goes.
      await backToBefore();
      expect(await knex.schema.hasColumn('charging_bucket', 'owner_msisdn')).toBe(false);
    } finally {
      await knex.destroy();
      await dropDatabase(dbName);
    }
  });
});
