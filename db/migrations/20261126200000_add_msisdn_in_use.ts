import type { Knex } from 'knex';

/**
 * Numbers of orders: a reservation confirmed by its order is `inUse`. An order's reservation is
 * marked `order_owned` (a registration's is not), and one taken over from the customer's
 * registration remembers that registration and its deadline, so that a released order gives the
 * number back. An owner holds at most one number, reserved or in use.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('inventory_msisdn', (t) => {
    t.boolean('order_owned').notNullable().defaultTo(false);
    t.text('previous_owner');
    t.timestamp('previous_reserved_until', { useTz: true });
  });
  await knex.raw(`ALTER TABLE inventory_msisdn DROP CONSTRAINT inventory_msisdn_status`);
  await knex.raw(
    `ALTER TABLE inventory_msisdn ADD CONSTRAINT inventory_msisdn_status CHECK (status IN ('available','reserved','inUse','assigned','quarantined'))`,
  );
  await knex.raw(`ALTER TABLE inventory_msisdn ADD CONSTRAINT inventory_msisdn_in_use_has_owner CHECK (status <> 'inUse' OR reserved_for IS NOT NULL)`);
  await knex.raw(`DROP INDEX inventory_msisdn_one_per_owner`);
  await knex.raw(`CREATE UNIQUE INDEX inventory_msisdn_one_per_owner ON inventory_msisdn (reserved_for) WHERE status IN ('reserved','inUse')`);
  // The customer's registration reservation is looked up by customer.
  await knex.raw(`CREATE INDEX inventory_msisdn_customer ON inventory_msisdn (customer_id) WHERE status = 'reserved'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP INDEX inventory_msisdn_customer`);
  await knex.raw(`DROP INDEX inventory_msisdn_one_per_owner`);
  await knex.raw(`UPDATE inventory_msisdn SET status = 'assigned' WHERE status = 'inUse'`);
  await knex.raw(`CREATE UNIQUE INDEX inventory_msisdn_one_per_owner ON inventory_msisdn (reserved_for) WHERE status = 'reserved'`);
  await knex.raw(`ALTER TABLE inventory_msisdn DROP CONSTRAINT inventory_msisdn_in_use_has_owner`);
  await knex.raw(`ALTER TABLE inventory_msisdn DROP CONSTRAINT inventory_msisdn_status`);
  await knex.raw(`ALTER TABLE inventory_msisdn ADD CONSTRAINT inventory_msisdn_status CHECK (status IN ('available','reserved','assigned','quarantined'))`);
  await knex.schema.alterTable('inventory_msisdn', (t) => {
    t.dropColumn('previous_reserved_until');
    t.dropColumn('previous_owner');
    t.dropColumn('order_owned');
  });
}
