import type { Knex } from 'knex';
import { createUsageView } from './20261205000000_charging_refund';

/**
 * A bucket may belong to one line of its account (`owner_msisdn`): a plan's allowances are the
 * line's that bought the plan, not every line's on the account. Money is always the account's,
 * shared by its lines (a family account's balance), as are allowances without an owner.
 *
 * Allowances loaded by orders before are given to their line where the order says which one: the
 * bucket's origin (`order:<orderId>:<serviceKey>:<type>`, the key being the order item, or the item
 * and the component of a bundle) names the order item that one subscriber's product lists in its
 * `productOrderItem` (the order that added it or changed its plan). A bucket that no subscriber or
 * more than one matches stays shared, as it was charged until now.
 *
 * The prepaid usage report counts what a line's own bucket gave for that line's product (what the
 * account's shared buckets gave stays with the account's products).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE charging_bucket
      ADD COLUMN owner_msisdn text REFERENCES charging_subscriber (msisdn),
      ADD CONSTRAINT charging_bucket_money_shared CHECK (owner_msisdn IS NULL OR bucket_type <> 'money')`);
  await knex.raw(`
    UPDATE charging_bucket b SET owner_msisdn = m.msisdn
    FROM (
      SELECT x.id, min(s.msisdn) AS msisdn
      FROM charging_bucket x
      JOIN charging_subscriber s ON s.charging_account_id = x.charging_account_id
      JOIN product_inventory p ON p.id::text = s.product_id
      WHERE x.origin LIKE 'order:%' AND x.bucket_type <> 'money'
        AND EXISTS (
          SELECT 1 FROM jsonb_array_elements(coalesce(p.body -> 'productOrderItem', '[]'::jsonb)) i
          WHERE i ->> 'productOrderId' = split_part(x.origin, ':', 2)
            AND i ->> 'orderItemId' = split_part(split_part(x.origin, ':', 3), '/', 1))
      GROUP BY x.id
      HAVING count(*) = 1
    ) m
    WHERE b.id = m.id`);
  await knex.raw('DROP MATERIALIZED VIEW report_prepaid_usage');
  await createUsageView(knex, true, true);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP MATERIALIZED VIEW report_prepaid_usage');
  await createUsageView(knex, true);
  await knex.raw('ALTER TABLE charging_bucket DROP COLUMN owner_msisdn');
}
