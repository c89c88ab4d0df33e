import type { Knex } from 'knex';

/** A plan change sends `modify` commands (e.g. a new PCRF data policy): the log accepts that operation. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE provisioning_log DROP CONSTRAINT provisioning_log_operation`);
  await knex.raw(`ALTER TABLE provisioning_log ADD CONSTRAINT provisioning_log_operation CHECK (operation IN ('activate','deactivate','suspend','restore','modify'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE provisioning_log DROP CONSTRAINT provisioning_log_operation`);
  await knex.raw(`ALTER TABLE provisioning_log ADD CONSTRAINT provisioning_log_operation CHECK (operation IN ('activate','deactivate','suspend','restore'))`);
}
