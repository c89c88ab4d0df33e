import type { Knex } from 'knex';

/**
 * The ports of each access node (`1/1/7`, numbered by `seq`): available, reserved (for an order)
 * or inUse. A conditional update on `status` gives a port to one owner only; an owner holds one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inventory_port', (t) => {
    t.text('access_node_id').notNullable().references('id').inTable('inventory_access_node');
    t.integer('seq').notNullable();
    t.text('name').notNullable();
    t.text('status').notNullable().defaultTo('available');
    t.text('owner');
    t.text('customer_id');
    t.timestamp('reserved_at', { useTz: true });
    t.timestamp('in_use_since', { useTz: true });
    t.timestamp('status_changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['access_node_id', 'name']);
    t.unique(['access_node_id', 'seq']);
  });
  await knex.raw(`ALTER TABLE inventory_port ADD CONSTRAINT inventory_port_status CHECK (status IN ('available','reserved','inUse'))`);
  await knex.raw(`ALTER TABLE inventory_port ADD CONSTRAINT inventory_port_held_has_owner CHECK (status = 'available' OR owner IS NOT NULL)`);
  await knex.raw(`CREATE UNIQUE INDEX inventory_port_one_per_owner ON inventory_port (owner) WHERE status IN ('reserved','inUse')`);
  await knex.raw(`CREATE INDEX inventory_port_available ON inventory_port (access_node_id, seq) WHERE status = 'available'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inventory_port');
}
