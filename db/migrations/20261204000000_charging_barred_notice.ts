import type { Knex } from 'knex';

/**
 * A subscriber or charging account that stops being active (suspended, closed) tells the OCS at
 * once (`NOTIFY charging_barred`, the account id as payload): the OCS asks every open session of it
 * to re-authorise (Diameter RAR, Nchf notify), and those updates are granted nothing, so that the
 * service stops now rather than when the grant in hand runs out. Sent on commit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION charging_barred_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_TABLE_NAME = 'charging_account' THEN
        PERFORM pg_notify('charging_barred', NEW.id::text);
      ELSE
        PERFORM pg_notify('charging_barred', NEW.charging_account_id::text);
      END IF;
      RETURN NULL;
    END $$`);
  for (const table of ['charging_account', 'charging_subscriber']) {
    await knex.raw(`
      CREATE TRIGGER ${table}_barred AFTER UPDATE OF status ON ${table} FOR EACH ROW
      WHEN (OLD.status = 'active' AND NEW.status <> 'active')
      EXECUTE FUNCTION charging_barred_notify()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['charging_account', 'charging_subscriber']) await knex.raw(`DROP TRIGGER ${table}_barred ON ${table}`);
  await knex.raw('DROP FUNCTION charging_barred_notify()');
}
