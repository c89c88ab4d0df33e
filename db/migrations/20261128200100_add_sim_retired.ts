import type { Knex } from 'knex';

/**
 * A SIM card whose line was terminated is `retired`: it is never handed out again (its IMSI and
 * keys stay with the card the customer keeps). It keeps its last owner and customer for the record.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE inventory_sim DROP CONSTRAINT inventory_sim_status`);
  await knex.raw(`ALTER TABLE inventory_sim ADD CONSTRAINT inventory_sim_status CHECK (status IN ('available','reserved','inUse','retired'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE inventory_sim SET status = 'available', owner = NULL, customer_id = NULL, reserved_at = NULL, in_use_since = NULL WHERE status = 'retired'`);
  await knex.raw(`ALTER TABLE inventory_sim DROP CONSTRAINT inventory_sim_status`);
  await knex.raw(`ALTER TABLE inventory_sim ADD CONSTRAINT inventory_sim_status CHECK (status IN ('available','reserved','inUse'))`);
}
